"""The steps every view builder takes, in order: select → nodes → edges → legend → layout.

A view is a class with one method per step; :func:`assemble` runs them. ``select`` reads the
filters, picks what to draw from :class:`~fenjie.viz._data.GraphData` and makes the empty
:class:`~fenjie.viz._model.View` (title, subtitle, messages about what was left out); ``nodes``
and ``edges`` fill its graph (all nodes first, so an edge never creates a node); ``legend`` lists
what the drawing holds; ``layout`` places the nodes. A new view writes these five methods.

A view class derives from :class:`ViewBase`: the backend (for numbers beyond ``GraphData``) and
the request's :class:`ViewFilters`, one dataclass for every view; a view reads the filters it
takes and ignores the others (the dependency view has no ``role``).

>>> ViewFilters(year=2018).role is None
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from fenjie.viz._data import GraphData
from fenjie.viz._model import MAX_NODES, View

__all__ = ["Chosen", "ViewBase", "ViewFilters", "ViewSteps", "assemble"]


@dataclass(frozen=True)
class ViewFilters:
    """The filters of a view request (``fenjie viz``, ``/views/<name>``, ``build_view``)."""

    year: int | None = None
    #: comma-separated roles in any spelling of :meth:`fenjie.roles.Role.parse`
    role: str | None = None
    #: a category (主要任务) by name
    category: str | None = None
    #: the unit of the ``unit`` view, by name or IRI
    unit: str | None = None
    #: the document of the ``dependency`` view, by name or IRI
    document: str | None = None
    #: at most this many nodes; larger views are aggregated or cut, with a message
    max_nodes: int = MAX_NODES


@dataclass(frozen=True)
class ViewBase:
    """What every view holds: a queries backend (``None``: draw from ``GraphData`` alone, without
    the per-unit load numbers) and the filters."""

    backend: Any = None
    filters: ViewFilters = field(default_factory=ViewFilters)


class Chosen(Protocol):
    """What ``select`` picked: at least the view to fill."""

    view: View


C = TypeVar("C", bound=Chosen)


class ViewSteps(Protocol[C]):
    def select(self, data: GraphData) -> C: ...

    def nodes(self, data: GraphData, chosen: C) -> None: ...

    def edges(self, data: GraphData, chosen: C) -> None: ...

    def legend(self, data: GraphData, chosen: C) -> list[dict[str, Any]]: ...

    def layout(self, data: GraphData, chosen: C) -> None: ...


def assemble(steps: ViewSteps[C], data: GraphData) -> View:
    """Run the steps of one view in order and return the view."""
    chosen = steps.select(data)
    steps.nodes(data, chosen)
    steps.edges(data, chosen)
    chosen.view.legend = steps.legend(data, chosen)
    steps.layout(data, chosen)
    return chosen.view
