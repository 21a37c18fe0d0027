"""The text the views show about work items, units and tables, said once for every view.

Tooltips hold table text: the page escapes it (:mod:`fenjie.viz._page`), nothing here is markup.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from fenjie.roles import Role
from fenjie.viz._data import GraphData

__all__ = ["item_tip", "load_numbers", "role_keys", "tables_subtitle", "unit_tip"]


def role_keys() -> tuple[str, ...]:
    """The role values (``lead`` …) in order of weight: how legends and tooltips list roles."""
    return tuple(r.value for r in Role)


def item_tip(
    data: GraphData, item: str, *, year: int | None = None, with_targets: bool = True
) -> str:
    """An item's tooltip: category, number and text, targets (of ``year``), units by role."""
    rec = data.items[item]
    cat = data.categories.get(rec["category"] or "", {})
    lines = [f"主要任务：{cat.get('label', '')}", f"工作内容：{rec['number']}、{rec['label']}"]
    for t in data.targets_of(item, year=year) if with_targets else []:
        lines.append(f"{t['year']}年目标：{t['text']}")
    by_role: dict[str, list[str]] = defaultdict(list)
    for unit, role in data.roles_on(item):
        by_role[role].append(data.units.get(unit, {}).get("label", unit))
    for role in Role:
        if by_role[role.value]:
            lines.append(f"{role.zh}：{'、'.join(by_role[role.value])}")
    return "\n".join(lines)


def unit_tip(data: GraphData, unit: str, counts: Counter[str], load: dict[str, Any]) -> str:
    """A unit's tooltip: names, members, work items per role (``counts``), its load numbers."""
    rec = data.units.get(unit, {"label": unit, "name": unit, "group": False})
    lines = [rec["label"]]
    if rec["name"] != rec["label"]:
        lines.append(f"全称：{rec['name']}")
    if rec.get("group") and data.members.get(unit):
        members = "、".join(data.units.get(m, {}).get("label", m) for m in data.members[unit])
        lines.append(f"成员：{members}")
    roles = " · ".join(f"{r.zh} {counts[r.value]}" for r in Role)
    lines.append(f"角色：{roles}")
    numbers = load.get(unit)
    if numbers:
        lines.append(
            f"协同负担：工作内容 {numbers.get('work_items', '')} · 协同单位 {numbers.get('partners', '')}"
            f" · 中介中心度 {float(numbers.get('betweenness', 0) or 0):.3f}"
        )
    return "\n".join(lines)


def load_numbers(backend: Any, data: GraphData, year: int | None) -> dict[str, dict[str, Any]]:
    """Per-unit numbers of issue 3's ``coordination_load`` (work items, partners, centrality),
    made from the assignments the view has read (``coordination_from``: nothing asked again;
    the targets only for a year); none without a backend."""
    if backend is None:
        return {}
    from fenjie.queries.questions import coordination_from

    per_item: dict[str, Counter[int]] = defaultdict(Counter)
    if year is not None:  # which work items have targets that year
        for t in data.targets.values():
            per_item[t["item"]][t["year"]] += 1
    rows = [(a["unit"], a["item"], a["role"], None) for a in data.assignments]
    result = coordination_from(rows, per_item, year=year, pairs=0)
    return {str(u["unit"]["iri"]): u for u in result.get("units", [])}


def tables_subtitle(data: GraphData) -> str:
    """The tables drawn: their titles, or how many when more than two."""
    tables = [t for t in data.tables.values() if t]
    return "；".join(tables) if len(tables) <= 2 else f"{len(tables)} 张分解表"
