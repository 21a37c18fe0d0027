"""Move nodes apart until no two of them (circle or box, with its label) overlap.

The layouts place nodes by structure (columns, rings, Kamada-Kawai); they do not know how wide a
label is, so a long name or a big circle can cover its neighbour. This pass estimates each node's
box as vis-network will draw it (a dot's label below the circle, a box's label inside it, wrapped
at ``widthConstraint``) and pushes overlapping pairs apart along the axis where they overlap
least, a few rounds at most. Neighbours are found on a grid, so a round is near-linear.

>>> import networkx as nx
>>> from fenjie.viz._model import View
>>> v = View("t", "t", nx.MultiDiGraph())
>>> v.add_node("a", kind="unit", label="湖南省科学技术厅", title="", x=0, y=0, size=20)
>>> v.add_node("b", kind="unit", label="湖南省财政厅", title="", x=10, y=5, size=20)
>>> separate(v)
>>> overlapping(v)
[]
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from rich.cells import cell_len

from fenjie.viz._model import View

__all__ = ["FONT_SIZE", "node_box", "overlapping", "separate"]

FONT_SIZE = 14  # the views' node font (viz/_page.py)
_BOX_WIDTH = 220  # widthConstraint.maximum of box nodes (viz/_page.py)
_MARGIN = 6  # room left between two boxes
_STALLED = 10  # rounds without fewer pairs within the margin after which a clean layout stops

Box = tuple[float, float, float, float]  # left, top, right, bottom


def _label_size(label: str, *, wrap: float | None) -> tuple[float, float]:
    lines = label.split("\n") or [""]
    widths = [cell_len(line) * FONT_SIZE / 2 + 4 for line in lines]
    if wrap is None:
        return max(widths), len(lines) * (FONT_SIZE + 3)
    rows = sum(max(1, math.ceil(w / wrap)) for w in widths)
    return min(max(widths), wrap), rows * (FONT_SIZE + 3)


def node_box(attrs: dict[str, Any]) -> Box:
    """The box a node covers on the canvas, label included."""
    x, y = float(attrs.get("x", 0.0)), float(attrs.get("y", 0.0))
    label = str(attrs.get("label", ""))
    if attrs.get("shape") == "box":
        w, h = _label_size(label, wrap=_BOX_WIDTH)
        w, h = w + 20, h + 18  # vis-network's box margin and border
        return (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    radius = float(attrs.get("size", 16))
    w, h = _label_size(label, wrap=None)
    half = max(radius, w / 2)
    return (x - half, y - radius, x + half, y + radius + 4 + h)


def _overlap(a: Box, b: Box, margin: float = _MARGIN) -> tuple[float, float]:
    dx = min(a[2], b[2]) - max(a[0], b[0]) + margin
    dy = min(a[3], b[3]) - max(a[1], b[1]) + margin
    return dx, dy


def _pairs(boxes: dict[str, Box], margin: float = _MARGIN) -> list[tuple[str, str]]:
    """Pairs of nodes whose boxes (with the margin) intersect, found through a grid."""
    if not boxes:
        return []
    cell = max(max(b[2] - b[0], b[3] - b[1]) for b in boxes.values()) + margin
    grid: dict[tuple[int, int], list[str]] = defaultdict(list)
    for n, box in boxes.items():
        for gx in range(math.floor(box[0] / cell), math.floor(box[2] / cell) + 1):
            for gy in range(math.floor(box[1] / cell), math.floor(box[3] / cell) + 1):
                grid[(gx, gy)].append(n)
    found: set[tuple[str, str]] = set()
    for members in grid.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                dx, dy = _overlap(boxes[a], boxes[b], margin)
                if dx > 0 and dy > 0:
                    found.add((a, b) if a < b else (b, a))
    return sorted(found)


def _covers(a: Box, b: Box) -> bool:
    """Whether the two boxes intersect (no margin)."""
    dx, dy = _overlap(a, b, 0)
    return dx > 0 and dy > 0


def overlapping(view: View) -> list[tuple[str, str]]:
    """Pairs of nodes whose boxes intersect (no margin)."""
    boxes = {n: node_box(d) for n, d in view.graph.nodes(data=True)}
    return [(a, b) for a, b in _pairs(boxes) if _covers(boxes[a], boxes[b])]


def separate(view: View, *, rounds: int = 200, margin: float = _MARGIN) -> None:
    """Push overlapping nodes apart; each pair moves half the overlap each, on the cheaper axis.

    ``margin`` is the room kept between two boxes (more where many edges meet, so that labels
    are not hidden under them).
    """
    g = view.graph
    fewest, stalled = math.inf, 0
    for _ in range(rounds):
        boxes = {n: node_box(d) for n, d in g.nodes(data=True)}
        pairs = _pairs(boxes, margin)
        if not pairs:
            break
        # a large view may never clear every margin (the pairs within it keep trading places:
        # about 100 of them in the aggregated responsibility view at 940k triples, every round
        # up to the last): once nothing actually overlaps and the pairs stop falling, stop
        stalled = stalled + 1 if len(pairs) >= fewest else 0
        fewest = min(fewest, len(pairs))
        if stalled >= _STALLED and not any(_covers(boxes[a], boxes[b]) for a, b in pairs):
            break
        for a, b in pairs:
            dx, dy = _overlap(boxes[a], boxes[b], margin)
            if dx <= 0 or dy <= 0:
                continue
            na, nb = g.nodes[a], g.nodes[b]
            if dx < dy:
                sign = 1.0 if (na["x"], a) >= (nb["x"], b) else -1.0
                na["x"] = round(na["x"] + sign * dx / 2, 1)
                nb["x"] = round(nb["x"] - sign * dx / 2, 1)
            else:
                sign = 1.0 if (na["y"], a) >= (nb["y"], b) else -1.0
                na["y"] = round(na["y"] + sign * dy / 2, 1)
                nb["y"] = round(nb["y"] - sign * dy / 2, 1)
            boxes[a], boxes[b] = node_box(na), node_box(nb)
