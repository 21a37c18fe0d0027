"""The steps every view builder takes, in order: select → nodes → edges → legend → layout.

A view is a class with one method per step; :func:`assemble` runs them. ``select`` reads the
filters, picks what to draw from :class:`~fenjie.viz._data.GraphData` and makes the empty
:class:`~fenjie.viz._model.View` (title, subtitle, messages about what was left out); ``nodes``
and ``edges`` fill its graph (all nodes first, so an edge never creates a node); ``legend`` lists
what the drawing holds; ``layout`` places the nodes. A new view writes these five methods.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from fenjie.viz._data import GraphData
from fenjie.viz._model import View

__all__ = ["Chosen", "ViewSteps", "assemble"]


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
