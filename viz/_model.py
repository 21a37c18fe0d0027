"""The drawn model shared by all views: a networkx graph plus title, legend and messages.

Nodes carry ``label``, ``title`` (plain-text tooltip), ``kind``, ``color``, ``size``, ``shape`` and
``x``/``y``; edges carry ``kind``, ``color``, ``width``, ``title`` and optional ``dashes`` and
``arrows``. The page renderer and the GraphML/GEXF export both read this model.

"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from fenjie.roles import Role

__all__ = [
    "CATEGORY_COLORS",
    "EDGE_STYLES",
    "MAX_NODES",
    "NODE_STYLES",
    "View",
    "category_color",
    "legend_edge",
    "legend_node",
    "role_filter",
    "unit_size",
    "year_color",
]

#: Views hold at most this many nodes; larger requests are aggregated or cut, with a message.
MAX_NODES = 2000

#: Edge styles by kind: (Chinese legend label, colour, dashes).
EDGE_STYLES: dict[str, tuple[str, str, bool]] = {
    Role.LEAD.value: (Role.LEAD.zh, "#d62728", False),
    Role.CO_RESPONSIBLE.value: (Role.CO_RESPONSIBLE.zh, "#ff7f0e", False),
    Role.SUPPORTING.value: (Role.SUPPORTING.zh, "#1f77b4", False),
    "member": ("成员单位", "#7f7f7f", True),
    "shared": ("共同承担工作内容（线宽＝数量）", "#8c6d31", False),
    "precedes": ("逐年接续", "#2ca02c", False),
    "refers": ("引用文件", "#9467bd", True),
    "produces": ("出台文件", "#e377c2", False),
    "based-on": ("依据文件", "#17becf", True),
    "baseline": ("前期基础", "#bcbd22", True),
    "target": ("年度目标", "#8c8c8c", False),
}

#: Node styles by kind: (Chinese legend label, colour, shape).
NODE_STYLES: dict[str, tuple[str, str, str]] = {
    "unit": ("单位（大小＝协同负担）", "#4e79a7", "dot"),
    "group": ("单位组合", "#9c755f", "hexagon"),
    "member": ("组合成员单位", "#b6992d", "dot"),
    "item": ("工作内容", "#59a14f", "box"),
    "category": ("主要任务（聚合）", "#59a14f", "square"),
    "document": ("政策文件", "#e15759", "diamond"),
    "derived": ("派生文件", "#ff9da7", "diamond"),
    "baseline": ("前期工作基础", "#bab0ac", "box"),
    "target": ("年度目标", "#76b7b2", "box"),
    "focus": ("所选单位", "#f28e2b", "star"),
    "partner": ("协同单位", "#4e79a7", "dot"),
}

CATEGORY_COLORS = [
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#76b7b2",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#86bcb6",
    "#d37295",
    "#a0cbe8",
]
_YEAR_COLORS = ["#a6cee3", "#b2df8a", "#fdbf6f", "#cab2d6", "#fb9a99", "#ffff99"]


def category_color(index: int) -> str:
    return CATEGORY_COLORS[index % len(CATEGORY_COLORS)]


def year_color(index: int) -> str:
    return _YEAR_COLORS[index % len(_YEAR_COLORS)]


def unit_size(load: float) -> float:
    """Node size of a unit from its coordination load (work items it carries)."""
    return round(12 + 7 * math.sqrt(max(load, 0)), 1)


def legend_node(kind: str, *, label: str | None = None, color: str | None = None) -> dict[str, Any]:
    text, default_color, shape = NODE_STYLES[kind]
    return {"kind": "node", "label": label or text, "color": color or default_color, "shape": shape}


def legend_edge(kind: str) -> dict[str, Any]:
    text, color, dashes = EDGE_STYLES[kind]
    return {"kind": "edge", "label": text, "color": color, "dashes": dashes}


@dataclass
class View:
    """One view, ready to lay out and draw."""

    name: str
    title: str
    graph: nx.MultiDiGraph[str]
    subtitle: str = ""
    legend: list[dict[str, Any]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    #: Open at least this zoomed in (labels readable), at the node ``start_at``, instead of fitting
    #: everything; ``None``: fit the whole view.
    min_scale: float | None = None
    start_at: str | None = None

    def add_node(self, node: str, *, kind: str, label: str, title: str, **attrs: Any) -> None:
        _, color, shape = NODE_STYLES[kind]
        attrs.setdefault("color", color)
        attrs.setdefault("shape", shape)
        self.graph.add_node(node, kind=kind, label=label, title=title, **attrs)

    def add_edge(self, a: str, b: str, *, kind: str, title: str, **attrs: Any) -> None:
        _, color, dashes = EDGE_STYLES[kind]
        attrs.setdefault("color", color)
        if dashes:
            attrs.setdefault("dashes", True)
        self.graph.add_edge(a, b, key=kind, kind=kind, title=title, **attrs)


def role_filter(role: str | None) -> set[str] | None:
    """The role keys a ``--role`` value selects (``lead,supporting`` or Chinese names)."""
    if not role:
        return None
    keys = set()
    for part in role.replace("，", ",").split(","):
        keys.add(Role.parse(part).value)
    return keys
