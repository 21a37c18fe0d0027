"""HTTP authentication for remote stores: answer the challenge the server sends.

Virtuoso protects its update endpoints (``/sparql-auth``, ``/sparql-graph-crud-auth``) with HTTP
Digest; reverse proxies in front of Oxigraph or Fuseki use Basic. Sending a password as Basic to a
server that asked for Digest would put it on the wire in the clear, so the scheme is learnt from the
server: one request without credentials, and the ``WWW-Authenticate`` header of its 401 answer.
A server that answers without a challenge gets Basic credentials up front, as before.

>>> parse_challenge('Digest realm="SPARQL", nonce="abc", qop="auth"')
('digest', 'SPARQL')
>>> parse_challenge('Basic realm="fenjie"')
('basic', 'fenjie')
>>> parse_challenge(None)
(None, None)
"""

from __future__ import annotations

import base64
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

__all__ = ["Credentials", "discover_scheme", "opener_for", "parse_challenge"]

_SCHEME = re.compile(r"\s*([A-Za-z-]+)")
_REALM = re.compile(r'realm="([^"]*)"', re.IGNORECASE)


@dataclass(frozen=True)
class Credentials:
    """A user name and password, or a bearer token (never both)."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    def __repr__(self) -> str:  # never print a secret
        return f"Credentials(user={self.user!r})"

    @property
    def empty(self) -> bool:
        return self.user is None and self.token is None

    def preemptive_headers(self) -> dict[str, str]:
        """Headers sent with every request when the server sends no challenge to answer."""
        if self.token is not None:
            return {"Authorization": f"Bearer {self.token}"}
        if self.user is not None:
            raw = f"{self.user}:{self.password or ''}".encode()
            return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}
        return {}


def parse_challenge(header: str | None) -> tuple[str | None, str | None]:
    """``(scheme, realm)`` of a ``WWW-Authenticate`` header, the scheme in lower case."""
    if not header:
        return None, None
    scheme = _SCHEME.match(header)
    realm = _REALM.search(header)
    return (scheme.group(1).lower() if scheme else None), (realm.group(1) if realm else None)


def discover_scheme(url: str, *, timeout: float = 10.0) -> tuple[str | None, str | None]:
    """Ask ``url`` once without credentials; ``(scheme, realm)`` of its challenge, if any.

    ``(None, None)`` when the server answers without asking (anonymous access) or cannot be
    reached now (the real request then reports the failure with its own message).
    """
    request = urllib.request.Request(url, method="GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return None, None
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            return parse_challenge(exc.headers.get("WWW-Authenticate"))
        return None, None
    except (urllib.error.URLError, OSError):
        return None, None


def opener_for(url: str, credentials: Credentials, scheme: str | None) -> urllib.request.OpenerDirector:
    """An opener that answers a Digest or Basic challenge for ``url`` with ``credentials``."""
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    if credentials.user is not None:
        manager.add_password(None, url, credentials.user, credentials.password or "")
    handlers: list[urllib.request.BaseHandler] = []
    if scheme == "digest":
        handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
    else:
        handlers.append(urllib.request.HTTPBasicAuthHandler(manager))
    return urllib.request.build_opener(*handlers)
