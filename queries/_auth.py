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
from typing import Any

__all__ = ["Credentials", "Session", "discover_scheme", "parse_challenge"]

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


def _opener_for(url: str, credentials: Credentials, scheme: str) -> urllib.request.OpenerDirector:
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, url, credentials.user or "", credentials.password or "")
    handler: urllib.request.BaseHandler
    if scheme == "digest":
        handler = urllib.request.HTTPDigestAuthHandler(manager)
    else:
        handler = urllib.request.HTTPBasicAuthHandler(manager)
    return urllib.request.build_opener(handler)


class Session:
    """Sends requests to one server with ``credentials``, the way that server asks for them.

    A bearer token, or a user for a server that sent no challenge, goes with every request as a
    header. A Digest or Basic challenge is answered by an opener of this session alone (never a
    process-wide one: another server must not be answered with these credentials).
    """

    def __init__(self, url: str, credentials: Credentials, *, timeout: float) -> None:
        self.headers: dict[str, str] = {}
        scheme = None
        if credentials.user is not None and credentials.token is None:
            scheme, _ = discover_scheme(url, timeout=timeout)
        if scheme in ("digest", "basic"):
            self._opener = _opener_for(url, credentials, scheme)
        else:
            self._opener = urllib.request.build_opener()
            self.headers = credentials.preemptive_headers()

    def open(self, request: urllib.request.Request, *, timeout: float | None) -> Any:
        """``urlopen`` for this server: the response, or ``urllib.error.HTTPError``."""
        for name, value in self.headers.items():
            request.add_header(name, value)
        return self._opener.open(request, timeout=timeout)
