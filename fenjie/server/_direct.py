"""``/sparql`` handed straight to its handler, past Starlette's middleware and router.

Every request through Starlette passes two middleware layers, the router's match over every route,
the route's method check and its exception wrapper before the handler runs: Python calls worth
about a tenth of the server's own CPU time per SPARQL request. :class:`DirectSparql` sits in front
of the app and gives a ``/sparql`` request of a protocol method to
:func:`~fenjie.server._sparql.sparql_endpoint` itself, with the app's own error handlers (the one
JSON error shape, a reference for unexpected errors); everything else (other routes, other methods,
lifespan) goes to the app unchanged. Not used with ``--cors``, whose middleware must see every
request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from fenjie.errors import FenjieError
from fenjie.server._sparql import sparql_endpoint

__all__ = ["DirectSparql"]

_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"))  # the route's methods


class DirectSparql:
    """An ASGI app: ``/sparql`` directly, the rest through ``app``. ``on_error`` answers a
    :class:`~fenjie.errors.FenjieError`, ``on_unexpected`` any other exception (the app's
    handlers for both)."""

    def __init__(
        self,
        app: Starlette,
        *,
        on_error: Callable[[FenjieError], Response],
        on_unexpected: Callable[[Request, Exception], Awaitable[Response]],
    ) -> None:
        self.app = app
        self.on_error = on_error
        self.on_unexpected = on_unexpected

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != "/sparql"
            or scope["method"] not in _METHODS
            or scope.get("root_path")
        ):
            await self.app(scope, receive, send)
            return
        scope["app"] = self.app
        request = Request(scope, receive, send)
        try:
            response = await sparql_endpoint(request)
        except FenjieError as exc:
            response = self.on_error(exc)
        except Exception as exc:  # logged with a reference; the client gets 500
            response = await self.on_unexpected(request, exc)
        await response(scope, receive, send)
