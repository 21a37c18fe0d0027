"""The HTTP face of fenjie: SPARQL endpoint, JSON API and web page (``fenjie serve``).

The server is a face beside the CLI: it answers through :mod:`fenjie.queries` and draws views with
:mod:`fenjie.viz`; the library parts never import it.
"""

from fenjie.server._app import ServerSettings, create_app, serve

__all__ = ["ServerSettings", "create_app", "serve"]
