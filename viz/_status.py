"""Colour a view's nodes by progress (督办) as of a date: red, yellow, green.

A work item is red when one of its targets is overdue or reported 滞后/无法完成, green when all are
completed, yellow otherwise; a unit takes the same light over the targets of the work items it
has any role in. The lights come from :func:`fenjie.progress.derive.progress`, so they match the
进展督办 tab and ``fenjie progress``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from fenjie.viz._model import View, legend_node

__all__ = ["LIGHTS", "colour_by_status", "light"]

LIGHTS = {"red": "#d62728", "yellow": "#e6a700", "green": "#2ca02c"}
_NAMES = {"red": "逾期或滞后", "yellow": "推进中或未到期", "green": "已完成"}
_ORDER = {"green": 0, "yellow": 1, "red": 2}


def light(target: dict[str, Any]) -> str:
    """The light of one target of a progress answer."""
    if target["status"] in ("已完成", "基本完成"):
        return "green"
    if target["overdue"] or target["status"] in ("滞后", "无法完成"):
        return "red"
    return "yellow"


def colour_by_status(view: View, backend: Any, as_of: date | str) -> None:
    """Recolour ``view``'s work item and unit nodes by their light as of ``as_of``."""
    from fenjie.progress.derive import progress

    answer = progress(backend, as_of=as_of)
    by_node: dict[str, str] = {}
    worst: dict[str, str] = defaultdict(lambda: "green")
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for target in answer["targets"]:
        colour = light(target)
        keys = [target["work_item"]["iri"], *(u["iri"] for u in target["units"])]
        for key in keys:
            if _ORDER[colour] > _ORDER[worst[key]]:
                worst[key] = colour
            counts[key][colour] += 1
    by_node.update(worst)
    for node, data in view.graph.nodes(data=True):
        node_colour = by_node.get(node)
        if node_colour is None or data.get("kind") not in ("item", "unit", "group", "member"):
            continue
        data["color"] = LIGHTS[node_colour]
        tally = counts[node]
        data["title"] = (
            f"{data.get('title', '')}\n截至 {answer['as_of']}：已完成 {tally['green']}，"
            f"推进中或未到期 {tally['yellow']}，逾期或滞后 {tally['red']}"
        )
    view.subtitle = f"{view.subtitle}（截至 {answer['as_of']} 的进展）".strip()
    view.legend += [
        legend_node("item", label=f"进展：{_NAMES[c]}", color=LIGHTS[c]) for c in LIGHTS
    ]
