"""The networks for Gephi or Cytoscape: GraphML and GEXF written by networkx.

:func:`networks` merges the unit–work-item network (edges by role) and the unit–unit network
(edges weighted by shared work items) into one graph; the edge attribute ``network`` tells them
apart (``unit-work-item`` / ``unit-unit``), so Gephi can filter on it.

>>> from fenjie.graph import FenjieStore, build_sources
>>> from fenjie.config import bundled_example
>>> store = FenjieStore.in_memory()
>>> _ = build_sources([bundled_example()], store=store)
>>> data = export_network(store, "graphml")
>>> data.startswith(b"<?xml") and b"unit-unit" in data
True
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import networkx as nx

from fenjie.errors import ParameterError
from fenjie.viz._data import Backend, load
from fenjie.viz._model import View
from fenjie.viz._steps import ViewFilters
from fenjie.viz._views import build_coordination, build_responsibility

__all__ = ["FORMATS", "export_network", "networks", "plain_graph", "write_view_graph"]

FORMATS = ("graphml", "gexf")
_KEEP = ("label", "kind", "title", "category", "load", "size", "x", "y", "year", "weight", "width")


def plain_graph(view: View, *, network: str | None = None) -> nx.MultiDiGraph[str]:
    """A copy of a view's graph with only scalar attributes (what GraphML/GEXF can hold)."""
    out: nx.MultiDiGraph[str] = nx.MultiDiGraph(name=view.title)
    for node, attrs in view.graph.nodes(data=True):
        out.add_node(node, **_scalars(attrs))
        if isinstance(attrs.get("color"), str):
            out.nodes[node]["color"] = attrs["color"]
    for a, b, key, attrs in view.graph.edges(keys=True, data=True):
        extra = {"network": network} if network else {}
        out.add_edge(a, b, key=key, role=key, **_scalars(attrs), **extra)
    return out


def _scalars(attrs: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in attrs.items()
        if k in _KEEP and isinstance(v, (str, int, float, bool)) and v is not None
    }


def networks(backend: Backend, *, year: int | None = None) -> nx.MultiDiGraph[str]:
    """Units, groups, work items; role edges (unit → item) and shared-work edges (unit – unit)."""
    from fenjie.viz._render import as_backend

    backend = as_backend(backend)
    data = load(backend)
    big = len(data.units) + len(data.items) + 1
    merged = plain_graph(
        build_responsibility(data, backend, ViewFilters(year=year, max_nodes=big)),
        network="unit-work-item",
    )
    units = plain_graph(
        build_coordination(data, backend, ViewFilters(year=year, max_nodes=big)),
        network="unit-unit",
    )
    for node, attrs in units.nodes(data=True):
        if node not in merged:
            merged.add_node(node, **attrs)
    for a, b, key, attrs in units.edges(keys=True, data=True):
        merged.add_edge(a, b, key=key, **attrs)
    merged.graph["name"] = "责任分工与协同网络"
    return merged


def _serialize(graph: nx.MultiDiGraph[str], fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, buffer, encoding="utf-8")
    elif fmt == "gexf":
        nx.write_gexf(graph, buffer, encoding="utf-8")
    else:
        raise ParameterError(
            f"未知的网络格式 {fmt!r}：请用 graphml 或 gexf (unknown network format)",
            parameter="format",
        )
    return buffer.getvalue()


def export_network(backend: Backend, fmt: str, *, year: int | None = None) -> bytes:
    """GraphML or GEXF bytes (UTF-8) of :func:`networks`."""
    return _serialize(networks(backend, year=year), fmt)


def write_view_graph(view: View, path: str | os.PathLike[str]) -> Path:
    """Write one view's graph as ``.graphml`` or ``.gexf`` (chosen by the file's suffix)."""
    target = Path(path)
    target.write_bytes(_serialize(plain_graph(view), target.suffix.lower().lstrip(".")))
    return target
