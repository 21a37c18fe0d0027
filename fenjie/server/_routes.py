"""The one route table of ``fenjie serve``, and the OpenAPI description generated from it.

Every route is an :class:`Endpoint`: its path, methods, summary, typed parameters and the handler
it calls. The Starlette routes (:func:`routes`) and ``/openapi.json`` (:func:`openapi_document`) are
both made from :data:`ENDPOINTS`, and the parameters a handler receives are read and checked with
the same :class:`Param` definitions, so the description cannot drift from what the server accepts.
To add a route, write its handler and add one entry to :data:`ENDPOINTS`.

>>> [e.path for e in ENDPOINTS][:4]
['/', '/sparql', '/store', '/api/units']
>>> openapi_document("0")["paths"]["/api/obligations"]["get"]["parameters"][2]["schema"]
{'type': 'string', 'enum': ['lead', 'responsible', 'supporting']}
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from fenjie.errors import ParameterError
from fenjie.queries import stored_queries
from fenjie.queries.documents import KINDS
from fenjie.queries.revisions import EDITION_STATUSES
from fenjie.roles import Role
from fenjie.server import _api, _reports
from fenjie.server._page import STATIC, index
from fenjie.server._sparql import graph_store, sparql_endpoint
from fenjie.viz import VIEWS

__all__ = ["ENDPOINTS", "Endpoint", "Param", "Params", "openapi_document", "read_params", "routes"]

#: parameter name → value, as a handler receives it (``None`` when not given)
Params = Mapping[str, Any]
Handler = Callable[[Request, Params], Awaitable[Response]]


@dataclass(frozen=True)
class Param:
    """One parameter of an endpoint: documented in OpenAPI and checked on every request."""

    name: str
    description: str
    type: Literal["string", "integer"] = "string"
    where: Literal["query", "path"] = "query"
    required: bool = False
    choices: tuple[str, ...] = ()

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        if self.choices:
            out["enum"] = list(self.choices)
        return out


@dataclass(frozen=True)
class Endpoint:
    """One route: where, what it answers, which parameters, and the function that answers."""

    path: str
    summary: str
    handler: Handler
    params: tuple[Param, ...] = ()
    methods: tuple[str, ...] = ("GET", "HEAD")
    media: str = "application/json"
    #: the handler reads the request itself (the SPARQL protocols: POST bodies, many graphs)
    reads_request: bool = False


def _one(request: Request, param: Param) -> str | None:
    if param.where == "path":
        value: str | None = request.path_params.get(param.name)
    else:
        values = request.query_params.getlist(param.name)
        if len(values) > 1:
            raise ParameterError(
                f"参数 {param.name} 给出了多次 (parameter {param.name!r} given more than once)",
                parameter=param.name,
            )
        value = values[0] if values else None
    value = value.strip() if value is not None else None
    if param.required and not value:
        raise ParameterError(
            f"缺少参数 {param.name} (missing parameter {param.name!r})", parameter=param.name
        )
    return value or None


def read_params(request: Request, params: tuple[Param, ...]) -> dict[str, Any]:
    """The declared parameters of ``request``, typed and checked (else :class:`ParameterError`)."""
    out: dict[str, Any] = {}
    for param in params:
        value = _one(request, param)
        if value is not None and param.type == "integer":
            try:
                out[param.name] = int(value)
            except ValueError:
                raise ParameterError(
                    f"参数 {param.name} 应为整数，实为 {value!r} (must be an integer)"
                ) from None
            continue
        if value is not None and param.choices and param.where == "query":
            if value not in param.choices:
                raise ParameterError(
                    f"参数 {param.name} 应为 {'、'.join(param.choices)} 之一，实为 {value!r} (must be one of these)",
                    parameter=param.name,
                )
        out[param.name] = value
    return out


async def _sparql(request: Request, params: Params) -> Response:
    return await sparql_endpoint(request)


async def _store(request: Request, params: Params) -> Response:
    return await graph_store(request)


async def _index(request: Request, params: Params) -> Response:
    return await index(request)


async def _openapi(request: Request, params: Params) -> Response:
    from fenjie import __version__

    return _api.JSON(openapi_document(__version__))


_YEAR = Param("year", "only this year", type="integer")
#: a page of a long answer: the answer then carries ``total``, ``offset``, ``limit`` and ``next``
_PAGE = (
    Param(
        "limit",
        "at most this many entries (a page; the answer adds total, offset, limit and next, "
        "the offset of the next page or null); without it, the whole answer",
        type="integer",
    ),
    Param("offset", "the page starts after this many entries (default 0)", type="integer"),
)
_DIFF = (
    Param("old", "the older edition: table name, file name or IRI", required=True),
    Param("new", "the newer edition: table name, file name or IRI", required=True),
    Param("threshold", "lowest match score, 0–100 (default 60)", type="integer"),
)
_PROTOCOL_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH")

#: Every route of the server, in the order they are matched.
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("/", "The web page", _index, media="text/html"),
    Endpoint(
        "/sparql",
        "SPARQL 1.1 Protocol: query by GET, POST form or POST direct; updates need a token",
        _sparql,
        (Param("query", "a SPARQL query"),),
        methods=_PROTOCOL_METHODS,
        media="application/sparql-results+json",
        reads_request=True,
    ),
    Endpoint(
        "/store",
        "SPARQL 1.1 Graph Store HTTP Protocol, read access",
        _store,
        (
            Param("graph", "graph IRI"),
            Param("default", "the default (union) graph"),
        ),
        methods=_PROTOCOL_METHODS,
        media="text/turtle",
        reads_request=True,
    ),
    Endpoint(
        "/api/units",
        "Units whose labels (full names, short forms, variants) match the text",
        _api.units,
        (
            Param("q", "any part of a label"),
            Param("limit", "at most this many", type="integer"),
        ),
    ),
    Endpoint(
        "/api/obligations",
        "A unit's obligations: work items and targets, with role and year",
        _api.obligations,
        (
            Param("unit", "any label or the IRI of the unit", required=True),
            _YEAR,
            Param("role", "only this role", choices=tuple(r.value for r in Role)),
            Param(
                "edition",
                "only work items new, changed or unchanged against the previous edition "
                "(tables recorded as revisions: fenjie diff --record)",
                choices=EDITION_STATUSES,
            ),
            *_PAGE,
        ),
    ),
    Endpoint(
        "/api/coordination",
        "Coordination load: work items per unit and units sharing work items",
        _api.coordination,
        (_YEAR,),
    ),
    Endpoint(
        "/api/dependents",
        "Targets that depend on a policy document, with the explaining paths",
        _api.dependents,
        (
            Param("document", "title, short name or IRI", required=True),
            Param("kind", "only targets whose first kind of dependency is this", choices=KINDS),
            *_PAGE,
        ),
    ),
    Endpoint(
        "/api/documents",
        "Resolve a policy document by title, short name or IRI",
        _api.document,
        (Param("name", "title, short name or IRI", required=True),),
    ),
    Endpoint(
        "/api/diff",
        "Compare two editions of a plan: work items, duties per unit, targets, documents",
        _api.diff,
        _DIFF,
    ),
    Endpoint(
        "/reports/diff",
        "The comparison of two editions as a self-contained Chinese HTML report",
        _api.diff_report,
        _DIFF,
        media="text/html",
    ),
    Endpoint(
        "/api/levels/children",
        "Levels: the child work items and units that carry a work item down, to any depth",
        _api.level_children,
        (
            Param("item", "the parent work item: IRI or label", required=True),
            Param("plan", "the table the work item is in (name, file or IRI), when labels repeat"),
        ),
    ),
    Endpoint(
        "/api/levels/gaps",
        "Levels: the parent work items and targets a child plan leaves without follow-up (断档)",
        _api.level_gaps,
        (Param("child", "the child plan: table name, file name or IRI", required=True),),
    ),
    Endpoint(
        "/api/levels/trace",
        "Levels: a unit's work items traced up to the work items, targets and documents they serve",
        _api.level_trace,
        (Param("unit", "any label or IRI of the unit", required=True),),
    ),
    Endpoint(
        "/api/levels/group",
        "Levels: a group's work items broken down by member: what each member's plan assigned",
        _api.level_group,
        (Param("group", "the group (长株潭三市政府): any label or IRI", required=True),),
    ),
    Endpoint(
        "/api/levels/tree",
        "Levels: the decomposition tree below a plan (work items, lower-level work items, units)",
        _api.level_tree,
        (Param("plan", "the plan at the top: table name, file name or IRI", required=True),),
    ),
    Endpoint(
        "/reports/levels",
        "The decomposition tree as a self-contained Chinese HTML page (collapsible, by role)",
        _api.level_tree_report,
        (Param("plan", "the plan at the top: table name, file name or IRI", required=True),),
        media="text/html",
    ),
    Endpoint(
        "/api/progress",
        "Progress (督办) of every target as of a date: status, due, overdue, at risk, unit rates; "
        "with limit, a page of the targets (summary, units, categories and years still count "
        "them all; with unit, also the reminders: the overdue or at-risk targets by due date)",
        _api.progress,
        (
            Param("as_of", "date YYYY-MM-DD (default: today)"),
            _YEAR,
            Param("unit", "only targets of this unit (any role, groups and predecessors too)"),
            Param("status", "已完成, 基本完成, 推进中, 滞后, 未启动, 无法完成, 未报送, 未标注"),
            Param("overdue", "only overdue targets", choices=("true", "false")),
            Param("depends", "only targets depending on this document"),
            Param("risk_days", "at risk: due within this many days (default 30)", type="integer"),
            Param(
                "blocking",
                "also list the overdue targets others depend on, with paths (default false: "
                "on a large plan it is most of the answer)",
                choices=("true", "false"),
            ),
            *_PAGE,
        ),
    ),
    Endpoint(
        "/api/reports",
        "GET: the history of a target's progress reports; POST (report accounts, JSON body, "
        "Idempotency-Key header): add a report",
        _reports.reports,
        (Param("about", "the target or work item (IRI), for GET"),),
        methods=("GET", "HEAD", "POST"),
    ),
    Endpoint(
        "/api/reports/scope",
        "What the report account of the bearer token may report on: its unit, the statuses, "
        "the work items and targets (the page's report form)",
        _reports.scope,
    ),
    Endpoint(
        "/api/audit",
        "The audit trail of report writes (programme office account only)",
        _reports.audit,
    ),
    Endpoint("/api/queries", "The named queries with their parameters", _api.query_list),
    Endpoint(
        "/api/queries/{name}",
        "Run a named query; its parameters are query-string parameters",
        _api.query_run,
        (
            Param(
                "name",
                "the named query",
                where="path",
                required=True,
                choices=tuple(stored_queries()),
            ),
        ),
    ),
    Endpoint("/api/views", "The network views this server can draw", _api.view_list),
    Endpoint(
        "/api/findings",
        "Doubtful parses of every source table, with their place in the source",
        _api.findings,
    ),
    Endpoint("/api/health", "Whether the query workers answer", _api.health),
    Endpoint(
        "/views/{name}",
        "A network view as a self-contained HTML page",
        _api.view,
        (
            Param("name", "the view", where="path", required=True, choices=tuple(VIEWS)),
            Param("unit", "the unit in focus (unit view)"),
            Param("document", "the document in focus (dependency view)"),
            _YEAR,
            Param("role", "only these roles: lead, co-responsible, supporting (comma-separated)"),
            Param("category", "only this task category"),
            Param("as_of", "colour nodes by progress as of this date (YYYY-MM-DD)"),
        ),
        media="text/html",
    ),
    Endpoint("/openapi.json", "This description", _openapi),
)


def _route(endpoint: Endpoint) -> Route:
    async def answer(request: Request) -> Response:
        params = {} if endpoint.reads_request else read_params(request, endpoint.params)
        return await endpoint.handler(request, params)

    return Route(endpoint.path, answer, methods=list(endpoint.methods), name=endpoint.path)


def routes() -> list[BaseRoute]:
    """The Starlette routes: one per endpoint, then the page's static files."""
    table: list[BaseRoute] = [_route(e) for e in ENDPOINTS]
    table.append(Mount("/static", StaticFiles(directory=STATIC), name="static"))
    return table


_ERROR = {"$ref": "#/components/schemas/Error"}
_ERROR_SCHEMA = {
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


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "summary": endpoint.summary,
        "parameters": [
            {
                "name": p.name,
                "in": p.where,
                "required": p.required,
                "description": p.description,
                "schema": p.schema(),
            }
            for p in endpoint.params
        ],
        "responses": {
            "200": {"description": "OK", "content": {endpoint.media: {}}},
            "4XX": {"description": "error", "content": {"application/json": {"schema": _ERROR}}},
            "503": {"description": "timeout", "content": {"application/json": {"schema": _ERROR}}},
        },
    }


def openapi_document(version: str) -> dict[str, Any]:
    """OpenAPI 3.1 description of every route, made from :data:`ENDPOINTS`."""
    paths = {endpoint.path: {"get": _operation(endpoint)} for endpoint in ENDPOINTS}
    return {
        "openapi": "3.1.0",
        "info": {"title": "fenjie (分解)", "version": version},
        "paths": paths,
        "components": {"schemas": {"Error": _ERROR_SCHEMA}},
    }
