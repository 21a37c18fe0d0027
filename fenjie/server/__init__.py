"""The HTTP face of fenjie: SPARQL endpoint, JSON API and web page (``fenjie serve``).

The server is a face beside the CLI: it answers through :mod:`fenjie.queries` and draws views with
:mod:`fenjie.viz`; the library parts never import it. The public names load on first use, so that
the query worker processes, which import only :mod:`fenjie.server._worker`, stay light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fenjie.server._app import ServerSettings, create_app, serve

__all__ = ["ServerSettings", "create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from fenjie.server import _app

        return getattr(_app, name)
    raise AttributeError(f"module 'fenjie.server' has no attribute {name!r}")
