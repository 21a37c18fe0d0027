"""The handlers of the JSON API over the named queries and of the network views.

Every handler runs its query in a worker process (so the time limit applies) and answers the same
JSON as the matching CLI command. Errors use the one shape of :meth:`fenjie.errors.FenjieError.to_dict`.
Handlers receive their parameters read and checked by :mod:`fenjie.server._routes`, which lists
every route and generates the OpenAPI description.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from fenjie import queries
from fenjie.errors import RequestRefusedError
from fenjie.viz import VIEWS, render_view

__all__ = [
    "JSON",
    "coordination",
    "dependents",
    "diff",
    "diff_report",
    "document",
    "findings",
    "health",
    "level_children",
    "level_gaps",
    "level_group",
    "level_trace",
    "level_tree",
    "level_tree_report",
    "obligations",
    "progress",
    "query_list",
    "query_run",
    "units",
    "view",
    "view_list",
]

Params = Mapping[str, Any]


class JSON(JSONResponse):
    """JSON as UTF-8 text (Chinese stays readable), compact."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


_CACHE: OrderedDict[tuple[str, int, str], Any] = OrderedDict()
_CACHE_SIZE = 256


async def _call(request: Request, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ``function(backend, *args, **kwargs)`` in a worker; answers are cached until the next
    update. The function itself goes to the worker (pickled by its qualified name)."""
    pool = request.app.state.pool
    await pool.settle()  # a cached answer must not predate an acknowledged report
    key = (
        f"{function.__module__}.{function.__qualname__}",
        pool.refresh(),  # a rebuilt store invalidates the cached answers
        json.dumps([args, kwargs], ensure_ascii=False, sort_keys=True),
    )
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    value = await _run(request, function, *args, **kwargs)
    _CACHE[key] = value
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return value


async def _run(request: Request, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ``function(backend, *args, **kwargs)`` in a worker, uncached: for arguments too big to
    be a cache key (a page's listing)."""
    payload = {"function": function, "args": list(args), "kwargs": kwargs}
    return await request.app.state.pool.run("call", payload)


async def units(request: Request, params: Params) -> Response:
    limit = min(params["limit"] or 20, 200)
    return JSON(await _call(request, queries.find_units, params["q"] or "", limit=limit))


def _page(params: Params) -> dict[str, Any]:
    """The paging keywords of a library function from ``limit`` and ``offset``, checked before
    anything is read."""
    from fenjie.queries._paging import check_page

    page = {"offset": params["offset"] or 0, "limit": params["limit"]}
    check_page(page["offset"], page["limit"])
    return page


async def obligations(request: Request, params: Params) -> Response:
    from fenjie.queries.questions import obligation_listing, obligations_page

    kwargs = {"year": params["year"], "role": params["role"], "edition": params["edition"]}
    page = _page(params)
    if page["limit"] is None:
        return JSON(await _call(request, queries.obligations, params["unit"], **kwargs, **page))
    # a page: the unit's work items in order, read once per unit and filters and kept, then the
    # targets and details of the page's work items, read each time
    listing = await _call(request, obligation_listing, params["unit"], **kwargs)
    return JSON(await _run(request, obligations_page, listing, **page))


async def coordination(request: Request, params: Params) -> Response:
    return JSON(await _call(request, queries.coordination_load, year=params["year"]))


async def dependents(request: Request, params: Params) -> Response:
    import asyncio

    from fenjie.queries.documents import (
        LISTING_PARTS,
        dependent_listing_part,
        dependents_page,
        item_target_counts,
        joined_listing,
    )

    kwargs = {"kind": params["kind"], **_page(params)}
    if kwargs["limit"] is None:
        return JSON(await _call(request, queries.dependents, params["document"], **kwargs))
    # a page: which targets and work items depend, read once per document and kept, then the
    # targets of the page's work items and their texts, read each time (the listing is too big a
    # key for the cache); the parts side by side, each within its own time limit, the targets per
    # work item once for every document
    *parts, counts = await asyncio.gather(
        *(_call(request, dependent_listing_part, params["document"], p) for p in LISTING_PARTS),
        _call(request, item_target_counts),
    )
    listing = joined_listing(parts, counts)
    return JSON(await _run(request, dependents_page, listing, **kwargs))


async def diff(request: Request, params: Params) -> Response:
    from fenjie.queries.editions import DEFAULT_THRESHOLD, diff_editions

    threshold = params["threshold"]
    answer = await _call(
        request,
        diff_editions,
        params["old"],
        params["new"],
        threshold=DEFAULT_THRESHOLD if threshold is None else float(threshold),
    )
    return JSON(answer)


async def level_children(request: Request, params: Params) -> Response:
    from fenjie.queries.levels import carried_down

    answer = await _call(request, carried_down, params["item"], plan=params["plan"])
    return JSON(answer)


async def level_gaps(request: Request, params: Params) -> Response:
    from fenjie.queries.levels import follow_up_gaps

    return JSON(await _call(request, follow_up_gaps, params["child"]))


async def level_trace(request: Request, params: Params) -> Response:
    from fenjie.queries.levels import trace_up

    return JSON(await _call(request, trace_up, params["unit"]))


async def level_group(request: Request, params: Params) -> Response:
    from fenjie.queries.levels import group_breakdown

    return JSON(await _call(request, group_breakdown, params["group"]))


async def level_tree(request: Request, params: Params) -> Response:
    from fenjie.queries.levels import decomposition_tree

    return JSON(await _call(request, decomposition_tree, params["plan"]))


async def level_tree_report(request: Request, params: Params) -> Response:
    from fenjie.viz import levels_tree_html

    answer = json.loads(bytes((await level_tree(request, params)).body))
    return HTMLResponse(levels_tree_html(answer))


async def diff_report(request: Request, params: Params) -> Response:
    from fenjie.viz import diff_report as report

    answer = json.loads(bytes((await diff(request, params)).body))
    return HTMLResponse(report(answer))


async def document(request: Request, params: Params) -> Response:
    return JSON(await _call(request, queries.resolve_document, params["name"]))


async def progress(request: Request, params: Params) -> Response:
    from datetime import date

    from fenjie.errors import ParameterError
    from fenjie.progress.derive import page_texts, progress_listing, progress_page
    from fenjie.progress.derive import progress as answer_progress

    as_of = params["as_of"]
    if as_of is not None:
        try:
            date.fromisoformat(as_of)
        except ValueError:
            raise ParameterError(
                f"参数 as_of 应为日期 YYYY-MM-DD，实为 {as_of!r} (parameter 'as_of' must be a date)",
                parameter="as_of",
            ) from None
    kwargs = {k: params[k] for k in ("as_of", "year", "unit", "status", "depends")}
    kwargs["overdue"] = params["overdue"] == "true"
    kwargs["blocking"] = params["blocking"] == "true"
    kwargs["risk_days"] = params["risk_days"] if params["risk_days"] is not None else 30
    page = _page(params)
    if page["limit"] is None:
        return JSON(await _call(request, answer_progress, **kwargs))
    # every target's state without texts, computed once per date and filters and kept (every
    # page needs the whole answer's counts); a page is cut from it here, then the texts of its
    # targets alone are read (the browser reads only what it shows)
    listing = await _call(request, progress_listing, **kwargs)
    return JSON(await _run(request, page_texts, progress_page(listing, **page)))


async def query_list(request: Request, params: Params) -> Response:
    described = []
    for query in queries.stored_queries().values():
        data = query.to_dict()
        data.pop("text", None)
        described.append(data)
    return JSON(described)


async def query_run(request: Request, params: Params) -> Response:
    given = {k: v for k, v in request.query_params.multi_items()}  # the named query's own
    return JSON(await _call(request, queries.stored_table, params["name"], given))


async def view_list(request: Request, params: Params) -> Response:
    return JSON(
        {"available": bool(VIEWS), "views": [{"name": k, "title": v} for k, v in VIEWS.items()]}
    )


async def view(request: Request, params: Params) -> Response:
    name = params["name"]
    if name not in VIEWS:
        raise RequestRefusedError(
            f"没有名为 {name!r} 的视图 (no view named {name!r})", status=404, code="not_found"
        )
    # every other parameter the route declares is a keyword of render_view (the filters, as_of)
    kwargs = {k: v for k, v in params.items() if k != "name" and v is not None}
    payload = {"function": render_view, "args": [name], "kwargs": kwargs}
    html = await request.app.state.pool.run("call", payload)
    return HTMLResponse(html)


async def findings(request: Request, params: Params) -> Response:
    from fenjie.queries.findings import recorded_findings

    return JSON(await _call(request, recorded_findings))


async def health(request: Request, params: Params) -> Response:
    pool = request.app.state.pool
    value = await pool.run("ping", None)
    return JSON({"status": "ok" if value == "pong" else value, "workers": pool.size})
