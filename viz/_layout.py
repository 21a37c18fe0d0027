"""Positions computed in Python, so the browser draws once with physics off.

Cheap layouts that suit the views' shapes (all linear or near-linear in nodes plus edges, except
Kamada-Kawai, which is used only for small weighted graphs):

- ``bipartite``: units in columns on the left, ordered by the barycentre of their work items; work
  items on the right, grouped by category; group members beside their group.
- ``weighted``: Kamada-Kawai (distance = 1 / shared work items) for up to 100 units, else rings
  with the busiest units in the middle.
- ``layered_by_year``: documents, baselines, then one column of targets per year.
- ``ego``: the unit in the middle, its work items around it, targets and partners further out.

>>> import networkx as nx
>>> from fenjie.viz._model import View
>>> v = View("t", "t", nx.MultiDiGraph())
>>> v.add_node("u", kind="unit", label="u", title="")
>>> v.add_node("i", kind="item", label="i", title="")
>>> v.add_edge("u", "i", kind="lead", title="")
>>> bipartite(v)
>>> v.graph.nodes["u"]["x"] < v.graph.nodes["i"]["x"]
True
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

import networkx as nx

from fenjie.roles import Role
from fenjie.viz._model import View

__all__ = ["bipartite", "ego", "ego_columns", "layered_by_year", "place_column", "weighted"]

_COLUMN = 60  # at most this many nodes per column before wrapping into a new column


def place_column(
    view: View, nodes: Sequence[str], *, x: float, gap: float, width: float = 260
) -> float:
    """Stack ``nodes`` top to bottom from ``x``, wrapping every 60 nodes; returns the next free x."""
    cols = max(1, math.ceil(len(nodes) / _COLUMN))
    per = math.ceil(len(nodes) / cols) if nodes else 0
    for i, node in enumerate(nodes):
        col, row = divmod(i, per)
        attrs = view.graph.nodes[node]
        attrs["x"] = round(x + col * width, 1)
        attrs["y"] = round((row - (per - 1) / 2) * gap, 1)
    return x + cols * width


def _neighbours(view: View, node: str) -> Iterable[str]:
    yield from view.graph.successors(node)
    yield from view.graph.predecessors(node)


def _barycentre_order(view: View, nodes: Iterable[str], fixed: dict[str, float]) -> list[str]:
    def key(n: str) -> tuple[float, str]:
        ys = [fixed[m] for m in _neighbours(view, n) if m in fixed]
        return (sum(ys) / len(ys) if ys else math.inf, n)

    return sorted(nodes, key=key)


def bipartite(view: View) -> None:
    """Units left (barycentre order), work items or categories right in their given order."""
    kinds = nx.get_node_attributes(view.graph, "kind")
    right = [n for n in view.graph if kinds[n] in ("item", "category")]
    left = [n for n in view.graph if kinds[n] in ("unit", "group")]
    members = [n for n in view.graph if kinds[n] == "member"]
    order = {n: float(i) for i, n in enumerate(right)}
    left = _barycentre_order(view, left, order)
    left_cols = max(1, math.ceil(len(left) / _COLUMN))
    x: float = -(left_cols * 320) - (320 if members else 0)
    if members:
        by_group = {n: float(i) for i, n in enumerate(left)}
        x = place_column(view, _barycentre_order(view, members, by_group), x=x, gap=70, width=320)
    x = place_column(
        view, left, x=x, gap=max(70.0, 46 * len(right) / max(len(left), 1) / left_cols), width=320
    )
    place_column(view, right, x=x + 200, gap=46, width=360)


def weighted(view: View) -> None:
    """Units placed so that pairs sharing many work items sit close."""
    g: nx.Graph[str] = nx.Graph()
    g.add_nodes_from(view.graph)
    for a, b, d in view.graph.edges(data=True):
        g.add_edge(a, b, distance=1.0 / max(d.get("weight", 1), 1))
    connected = max(nx.connected_components(g), key=len) if len(g) else set()
    rest = [n for n in g if n not in connected]
    if 2 < len(connected) <= 100:
        sub = g.subgraph(connected)
        pos = nx.kamada_kawai_layout(sub, weight="distance", scale=170 * math.sqrt(len(sub)))
        for n, (px, py) in pos.items():
            view.graph.nodes[n]["x"], view.graph.nodes[n]["y"] = round(px, 1), round(py, 1)
        radius = 170 * math.sqrt(len(sub)) + 200
        _ring(view, sorted(rest), radius=radius)
        return
    load = nx.get_node_attributes(view.graph, "load")
    ordered = sorted(g, key=lambda n: (-load.get(n, 0), n))
    radius, start, ring = 0.0, 0, 1
    while start < len(ordered):
        size = 1 if ring == 1 else 6 * (ring - 1)
        _ring(view, ordered[start : start + size], radius=radius)
        start += size
        ring += 1
        radius += 110


def _ring(view: View, nodes: Sequence[str], *, radius: float, phase: float = 0.0) -> None:
    for i, n in enumerate(nodes):
        angle = phase + 2 * math.pi * i / max(len(nodes), 1)
        view.graph.nodes[n]["x"] = round(radius * math.cos(angle), 1)
        view.graph.nodes[n]["y"] = round(radius * math.sin(angle), 1)


def layered_by_year(view: View, years: Sequence[int]) -> None:
    """Documents, then baselines, then one column per year; targets kept in work-item order."""
    kinds = nx.get_node_attributes(view.graph, "kind")
    docs = [n for n in view.graph if kinds[n] in ("document", "derived")]
    baselines = sorted(n for n in view.graph if kinds[n] == "baseline")
    by_year: dict[int, list[str]] = defaultdict(list)
    for n, d in view.graph.nodes(data=True):
        if d["kind"] == "target":
            by_year[d["year"]].append(n)
    x = place_column(view, docs, x=0, gap=120, width=320)
    if baselines:
        x = place_column(view, baselines, x=x, gap=60, width=320)
    for y in years:
        x = place_column(view, sorted(by_year.get(y, [])), x=x, gap=60, width=320)


def ego(view: View, focus: str) -> None:
    """The unit in the centre, work items on a ring, targets and partner units further out."""
    kinds = nx.get_node_attributes(view.graph, "kind")
    g = view.graph
    g.nodes[focus]["x"], g.nodes[focus]["y"] = 0.0, 0.0
    groups = [n for n in g if kinds[n] == "group"]
    _ring(view, groups, radius=120, phase=math.pi / 2)
    items = [n for n in g if kinds[n] == "item"]
    r_items = max(300.0, 75 * len(items) / math.pi)
    _ring(view, items, radius=r_items)
    angle = {n: 2 * math.pi * i / max(len(items), 1) for i, n in enumerate(items)}
    spread = 2 * math.pi / max(len(items), 1)
    for item in items:
        targets = [t for t in g.successors(item) if kinds[t] == "target"]
        for j, t in enumerate(targets):
            a = angle[item] + spread * ((j + 0.5) / max(len(targets), 1) - 0.5) * 0.9
            r = r_items + 260 + 90 * (j % 4)
            g.nodes[t]["x"], g.nodes[t]["y"] = round(r * math.cos(a), 1), round(r * math.sin(a), 1)
    partners = [n for n in g if kinds[n] == "partner"]

    def mean_angle(n: str) -> float:
        linked = [angle[m] for m in g.successors(n) if m in angle]
        if not linked:
            return 0.0
        return math.atan2(sum(map(math.sin, linked)), sum(map(math.cos, linked))) % (2 * math.pi)

    partners.sort(key=lambda n: (mean_angle(n), n))
    r_partners = max(r_items + 800, 60 * len(partners) / math.pi)
    _ring(view, partners, radius=r_partners, phase=spread / 2)


def _role_rank(kind: str) -> int:
    """An edge's role rank (lead first); edges that are not a role after every role."""
    try:
        return Role(kind).rank
    except ValueError:
        return len(Role)


def ego_columns(view: View, focus: str, years: Sequence[int]) -> None:
    """One unit's work: by role, then year.

    The unit (and its groups) on the left; its work items in one column, those it leads first, then
    co-responsible, then supporting; each item's targets to its right, one column per year, stacked
    within the item's band; the partner units in a column on the far left, each beside the mean
    height of the work items it shares.
    """
    g = view.graph
    kinds = nx.get_node_attributes(g, "kind")
    carriers = {focus} | {n for n in g if kinds[n] == "group"}
    role_of: dict[str, int] = {}
    for a, b, d in g.edges(data=True):
        if a in carriers and kinds.get(b) == "item":
            role_of[b] = min(role_of.get(b, 9), _role_rank(d["kind"]))
    items = sorted((n for n in g if kinds[n] == "item"), key=lambda n: (role_of.get(n, 9), n))
    column = {y: i for i, y in enumerate(years)}
    top = 0.0
    centre: dict[str, float] = {}
    for item in items:
        targets = [t for t in g.successors(item) if kinds.get(t) == "target"]
        per_year: dict[int, list[str]] = defaultdict(list)
        for t in sorted(targets):
            per_year[g.nodes[t]["year"]].append(t)
        rows = max([1, *(len(v) for v in per_year.values())])
        band = rows * 64.0
        centre[item] = top + band / 2
        g.nodes[item]["x"], g.nodes[item]["y"] = 420.0, round(centre[item], 1)
        for year, stacked in per_year.items():
            for j, t in enumerate(stacked):
                g.nodes[t]["x"] = round(760.0 + 300.0 * column.get(year, 0), 1)
                g.nodes[t]["y"] = round(top + 32.0 + 64.0 * j, 1)
        top += band + 24.0
    middle = top / 2
    g.nodes[focus]["x"], g.nodes[focus]["y"] = 0.0, round(middle, 1)
    groups = sorted(n for n in g if kinds[n] == "group")
    for i, n in enumerate(groups):
        g.nodes[n]["x"], g.nodes[n]["y"] = 0.0, round(middle + 140.0 * (i + 1), 1)
    partners = [n for n in g if kinds[n] == "partner"]

    def height(n: str) -> tuple[float, str]:
        linked = [centre[m] for m in g.successors(n) if m in centre]
        return (sum(linked) / len(linked) if linked else middle, n)

    partners.sort(key=height)
    gap = max(70.0, top / max(len(partners), 1))
    for i, n in enumerate(partners):
        g.nodes[n]["x"], g.nodes[n]["y"] = -420.0, round(i * gap, 1)
