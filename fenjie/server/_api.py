"""The JSON API over the named queries, the network views, and the OpenAPI description.

Every handler runs its query in a worker process (so the time limit applies) and answers the same
JSON as the matching CLI command. Errors use the one shape of :meth:`fenjie.errors.FenjieError.to_dict`.
"""

from __future__ import annotations

import importlib
import json
from collections import OrderedDict
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from fenjie.errors import ParameterError, RequestRefusedError

__all__ = ["API_ROUTES", "openapi", "queries_available", "views_available"]


class _JSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def queries_available() -> bool:
    """Whether :mod:`fenjie.queries` offers the named-query functions yet."""
    module = importlib.import_module("fenjie.queries")
    return all(hasattr(module, n) for n in ("find_units", "obligations", "stored_queries"))


def views_available() -> dict[str, str]:
    """Names and titles of the network views :func:`fenjie.viz.render_view` draws (or none)."""
    try:
        module = importlib.import_module("fenjie.viz")
    except ImportError:
        return {}
    if not hasattr(module, "render_view"):
        return {}
    return dict(getattr(module, "VIEWS", {}))


def _need_queries() -> Any:
    if not queries_available():
        raise RequestRefusedError(
            "the named queries are not installed in this version of fenjie",
            status=501,
            code="unavailable",
        )
    return importlib.import_module("fenjie.queries")


def _text(request: Request, name: str, *, required: bool = False) -> str | None:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ParameterError(f"parameter {name!r} given more than once", parameter=name)
    value = values[0].strip() if values else None
    if required and not value:
        raise ParameterError(f"missing parameter {name!r}", parameter=name)
    return value or None


def _int(request: Request, name: str, *, default: int | None = None) -> int | None:
    value = _text(request, name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ParameterError(f"parameter {name!r} must be an integer, not {value!r}") from None


_CACHE: OrderedDict[tuple[str, int, str], Any] = OrderedDict()
_CACHE_SIZE = 256


async def _call(request: Request, function: str, *args: Any, **kwargs: Any) -> Any:
    """Run a named-query function in a worker; answers are cached until the next update."""
    _need_queries()
    pool = request.app.state.pool
    key = (
        function,
        pool.refresh(),  # a rebuilt store invalidates the cached answers
        json.dumps([args, kwargs], ensure_ascii=False, sort_keys=True),
    )
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    payload = {"function": function, "args": list(args), "kwargs": kwargs}
    value = await pool.run("call", payload)
    _CACHE[key] = value
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return value


async def units(request: Request) -> Response:
    text = _text(request, "q") or ""
    limit = min(_int(request, "limit", default=20) or 20, 200)
    return _JSON(await _call(request, "find_units", text, limit=limit))


async def obligations(request: Request) -> Response:
    unit = _text(request, "unit", required=True)
    kwargs = {"year": _int(request, "year"), "role": _text(request, "role")}
    return _JSON(await _call(request, "obligations", unit, **kwargs))


async def coordination(request: Request) -> Response:
    return _JSON(await _call(request, "coordination_load", year=_int(request, "year")))


async def dependents(request: Request) -> Response:
    document = _text(request, "document", required=True)
    return _JSON(await _call(request, "dependents", document))


async def document(request: Request) -> Response:
    name = _text(request, "name", required=True)
    return _JSON(await _call(request, "resolve_document", name))


def _describe(query: Any) -> dict[str, Any]:
    if hasattr(query, "to_dict"):
        data = dict(query.to_dict())
        data.pop("text", None)
        return data
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "parameters": [p.to_dict() for p in query.parameters],
    }


async def query_list(request: Request) -> Response:
    stored = _need_queries().stored_queries()
    return _JSON([_describe(q) for q in stored.values()])


async def query_run(request: Request) -> Response:
    name = request.path_params["name"]
    params = {k: v for k, v in request.query_params.multi_items()}
    return _JSON(await _call(request, "run_stored", name, params))


async def view_list(request: Request) -> Response:
    views = views_available()
    return _JSON(
        {"available": bool(views), "views": [{"name": k, "title": v} for k, v in views.items()]}
    )


async def view(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in views_available():
        if views_available():
            raise RequestRefusedError(f"no view named {name!r}", status=404, code="not_found")
        raise RequestRefusedError(
            "网络视图尚未安装 (the network views are not installed in this version of fenjie)",
            status=501,
            code="unavailable",
        )
    kwargs: dict[str, Any] = {
        "unit": _text(request, "unit"),
        "document": _text(request, "document"),
        "year": _int(request, "year"),
        "role": _text(request, "role"),
        "category": _text(request, "category"),
    }
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    payload = {"function": "render_view", "args": [request.path_params["name"]], "kwargs": kwargs}
    html = await request.app.state.pool.run("call", payload)
    return HTMLResponse(html)


async def health(request: Request) -> Response:
    pool = request.app.state.pool
    value = await pool.run("ping", None)
    return _JSON({"status": "ok" if value == "pong" else value, "workers": pool.size})


_ERROR = {"$ref": "#/components/schemas/Error"}
# path → (summary, [(parameter, where, required, type, description)])
_SPEC: dict[str, tuple[str, list[tuple[str, str, bool, str, str]]]] = {
    "/api/units": (
        "Units whose labels (full names, short forms, variants) match the text",
        [
            ("q", "query", False, "string", "any part of a label"),
            ("limit", "query", False, "integer", "at most this many"),
        ],
    ),
    "/api/obligations": (
        "A unit's obligations: work items and targets, with role and year",
        [
            ("unit", "query", True, "string", "any label or the IRI of the unit"),
            ("year", "query", False, "integer", "only this year"),
            ("role", "query", False, "string", "lead, co-responsible or supporting"),
        ],
    ),
    "/api/coordination": (
        "Coordination load: work items per unit and units sharing work items",
        [("year", "query", False, "integer", "only this year")],
    ),
    "/api/dependents": (
        "Targets that depend on a policy document, with the explaining paths",
        [("document", "query", True, "string", "title, short name or IRI")],
    ),
    "/api/documents": (
        "Resolve a policy document by title, short name or IRI",
        [("name", "query", True, "string", "title, short name or IRI")],
    ),
    "/api/queries": ("The named queries with their parameters", []),
    "/api/queries/{name}": (
        "Run a named query; its parameters are query-string parameters",
        [("name", "path", True, "string", "the named query")],
    ),
    "/api/views": ("The network views this server can draw", []),
    "/api/health": ("Whether the query workers answer", []),
    "/views/{name}": (
        "A network view as a self-contained HTML page",
        [("name", "path", True, "string", "the view")]
        + [
            (p, "query", False, "string", p)
            for p in ("unit", "document", "year", "role", "category")
        ],
    ),
    "/sparql": (
        "SPARQL 1.1 Protocol: query by GET, POST form or POST direct; updates need a token",
        [("query", "query", False, "string", "a SPARQL query")],
    ),
    "/store": (
        "SPARQL 1.1 Graph Store HTTP Protocol, read access",
        [
            ("graph", "query", False, "string", "graph IRI"),
            ("default", "query", False, "string", "the default (union) graph"),
        ],
    ),
}


def openapi(request: Request) -> Response:
    """OpenAPI 3.1 description of the JSON API and the SPARQL endpoints."""
    from fenjie import __version__

    paths: dict[str, Any] = {}
    for path, (summary, params) in _SPEC.items():
        html = path.startswith("/views")
        ok_type = "text/html" if html else "application/json"
        paths[path] = {
            "get": {
                "summary": summary,
                "parameters": [
                    {
                        "name": n,
                        "in": where,
                        "required": req,
                        "description": d,
                        "schema": {"type": t},
                    }
                    for n, where, req, t, d in params
                ],
                "responses": {
                    "200": {"description": "OK", "content": {ok_type: {}}},
                    "4XX": {
                        "description": "error",
                        "content": {"application/json": {"schema": _ERROR}},
                    },
                    "503": {
                        "description": "timeout",
                        "content": {"application/json": {"schema": _ERROR}},
                    },
                },
            }
        }
    error = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }
        },
    }
    return _JSON(
        {
            "openapi": "3.1.0",
            "info": {"title": "fenjie (分解)", "version": __version__},
            "paths": paths,
            "components": {"schemas": {"Error": error}},
        }
    )


API_ROUTES = [
    Route("/api/units", units),
    Route("/api/obligations", obligations),
    Route("/api/coordination", coordination),
    Route("/api/dependents", dependents),
    Route("/api/documents", document),
    Route("/api/queries", query_list),
    Route("/api/queries/{name}", query_run),
    Route("/api/views", view_list),
    Route("/api/health", health),
    Route("/views/{name}", view),
    Route("/openapi.json", openapi),
]
