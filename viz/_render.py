"""The public entry points: the view names, and a view rendered from a backend.

>>> sorted(VIEWS)
['coordination', 'dependency', 'responsibility', 'unit']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fenjie.errors import ParameterError
from fenjie.viz._data import Backend, GraphData, load
from fenjie.viz._model import MAX_NODES, View
from fenjie.viz._page import render_page
from fenjie.viz._steps import ViewFilters
from fenjie.viz._views import build_coordination, build_responsibility
from fenjie.viz._views_focus import build_dependency, build_unit

if TYPE_CHECKING:
    from fenjie.queries import QueryBackend

__all__ = ["VIEWS", "as_backend", "build_view", "render_view"]

#: view name → Chinese title
VIEWS: dict[str, str] = {
    "responsibility": "责任分工网络",
    "coordination": "协同关系网络",
    "dependency": "政策文件依赖",
    "unit": "单位关系网络",
}

# each takes the graph data, the backend and the filters (a view reads those it takes)
_BUILDERS: dict[str, Callable[[GraphData, QueryBackend, ViewFilters], View]] = {
    "responsibility": build_responsibility,
    "coordination": build_coordination,
    "dependency": build_dependency,
    "unit": build_unit,
}


#: views that read the work items' outline and assignments around what they draw
#: (:func:`fenjie.viz._data.read_outline`), not for the whole graph
_OUTLINE_AROUND = frozenset({"dependency"})


def as_backend(backend: Any) -> QueryBackend:
    """A ``fenjie.queries`` backend; a bare :class:`~fenjie.graph.FenjieStore` is wrapped."""
    # views read only through fenjie.queries, never the store itself
    from fenjie.queries import as_backend as queries_backend

    return queries_backend(backend)


def _year(year: Any) -> int | None:
    if year is None or year == "":
        return None
    try:
        return int(str(year).strip().removesuffix("年"))
    except ValueError:
        raise ParameterError(
            f"年份应为数字，实为 {year!r} (year must be a number)", parameter="year"
        ) from None


def build_view(
    backend: Backend,
    name: str,
    *,
    unit: str | None = None,
    document: str | None = None,
    year: int | str | None = None,
    role: str | None = None,
    category: str | None = None,
    max_nodes: int = MAX_NODES,
    as_of: str | None = None,
) -> View:
    """The laid-out :class:`View` (a networkx graph with title, legend and messages)."""
    builder = _BUILDERS.get(name)
    if builder is None:
        raise ParameterError(
            f"未知视图 {name!r}：请选 {'、'.join(VIEWS)} 之一 (unknown view {name!r})",
            parameter="view",
            suggestions=list(VIEWS),
        )
    backend = as_backend(backend)
    # the dependency view reads the baselines, precedes edges and mentions around what it draws
    # itself (its targets, their documents): none of the views reads them for the whole graph;
    # it reads the outline and assignments of the work items it draws too
    data = load(backend, documents=False, outline=name not in _OUTLINE_AROUND)
    filters = ViewFilters(
        year=_year(year),
        role=role,
        category=category,
        unit=unit,
        document=document,
        max_nodes=max_nodes,
    )
    view = builder(data, backend, filters)
    if as_of:  # nodes coloured by progress (red / yellow / green) as of that date
        from fenjie.viz._status import colour_by_status

        colour_by_status(view, backend, as_of)
    return view


def render_view(
    backend: Backend,
    name: str,
    *,
    unit: str | None = None,
    document: str | None = None,
    year: int | str | None = None,
    role: str | None = None,
    category: str | None = None,
    max_nodes: int = MAX_NODES,
    as_of: str | None = None,
) -> str:
    """A complete, self-contained HTML page of view ``name`` (see :data:`VIEWS`).

    The page inlines vis-network, loads nothing from the network and escapes all table text.
    """
    view = build_view(
        backend,
        name,
        unit=unit,
        document=document,
        year=year,
        role=role,
        category=category,
        max_nodes=max_nodes,
        as_of=as_of,
    )
    return render_page(view)
