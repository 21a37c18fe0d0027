"""The four views as :class:`~fenjie.viz._model.View` graphs, built from :class:`GraphData`.

``responsibility`` (units and work items), ``coordination`` (units that share work items),
``dependency`` (what hangs on a policy document) and ``unit`` (one unit's ego network).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import networkx as nx

from fenjie.errors import ParameterError
from fenjie.queries import pick_by_name
from fenjie.roles import Role
from fenjie.viz import _layout
from fenjie.viz._data import GraphData
from fenjie.viz._model import (
    View,
    category_color,
    legend_edge,
    legend_node,
    role_filter,
    unit_size,
)
from fenjie.viz._overlap import separate
from fenjie.viz._steps import ViewBase, ViewFilters, assemble
from fenjie.viz._tips import item_tip, load_numbers, role_keys, tables_subtitle, unit_tip

__all__ = ["Coordination", "Responsibility", "build_coordination", "build_responsibility"]


def _select_items(data: GraphData, *, year: int | None, category: str | None) -> list[str]:
    items = list(data.items)
    if year is not None:
        active = data.items_in_year(year)
        if not active:
            raise ParameterError(
                f"{year} 年没有目标；图中的年份：{'、'.join(map(str, data.years()))} (no targets for year {year})",
                parameter="year",
            )
        items = [i for i in items if i in active]
    if category:
        names = {k: [c["label"]] for k, c in data.categories.items()}
        wanted = pick_by_name(category, names, what="主要任务")
        items = [i for i in items if data.items[i]["category"] == wanted]
    return sorted(items, key=lambda i: _item_key(data, i))


def _item_key(data: GraphData, item: str) -> tuple[str, int, int, int, str]:
    rec = data.items[item]
    cat = data.categories.get(rec["category"] or "", {})
    return (rec["table"] or "", cat.get("order", 0), rec["order"], rec["number"], item)


def _category_index(data: GraphData) -> dict[str, int]:
    cats = sorted(data.categories.values(), key=lambda c: (c["order"], c["label"], c["iri"]))
    return {c["iri"]: i for i, c in enumerate(cats)}


@dataclass
class _ResponsibilityChosen:
    view: View
    items: list[str]
    assigned: list[dict[str, Any]]
    units: list[str]
    members: set[str]
    counts: dict[str, Counter[str]]
    items_of: dict[str, set[str]]
    load: dict[str, dict[str, Any]]
    cats: dict[str, int]
    aggregate: bool


@dataclass(frozen=True)
class Responsibility(ViewBase):
    """Units and work items; edges coloured by role; groups linked to their members. Filters: year, role, category, max_nodes."""

    def select(self, data: GraphData) -> _ResponsibilityChosen:
        roles = role_filter(self.filters.role)
        items = _select_items(data, year=self.filters.year, category=self.filters.category)
        keep = set(items)
        assigned = [
            a
            for a in data.assignments
            if a["item"] in keep and (roles is None or a["role"] in roles)
        ]
        units = sorted({a["unit"] for a in assigned})
        members = {
            m for u in units if data.units.get(u, {}).get("group") for m in data.members.get(u, [])
        }
        view = View(
            "responsibility", "责任分工网络", nx.MultiDiGraph(), subtitle=tables_subtitle(data)
        )
        load = load_numbers(self.backend, data, self.filters.year)
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        items_of: dict[str, set[str]] = defaultdict(set)
        for a in assigned:
            counts[a["unit"]][a["role"]] += 1
            items_of[a["unit"]].add(a["item"])
        aggregate = len(units) + len(members - set(units)) + len(items) > self.filters.max_nodes
        if aggregate:
            view.messages.append(
                f"共 {len(units) + len(items)} 个节点，超过 {self.filters.max_nodes}：工作内容已按主要任务聚合显示；"
                "请用 --category 或 --year 查看明细。"
            )
        return _ResponsibilityChosen(
            view,
            items,
            assigned,
            units,
            members,
            counts,
            items_of,
            load,
            _category_index(data),
            aggregate,
        )

    def nodes(self, data: GraphData, chosen: _ResponsibilityChosen) -> None:
        view, counts, load = chosen.view, chosen.counts, chosen.load
        for u in chosen.units:
            carried = len(chosen.items_of[u])
            kind = "group" if data.units.get(u, {}).get("group") else "unit"
            view.add_node(
                u,
                kind=kind,
                label=data.units.get(u, {}).get("label", u),
                title=unit_tip(data, u, counts[u], load),
                size=unit_size(carried),
                load=carried,
            )
        for m in sorted(chosen.members - set(chosen.units)):
            view.add_node(
                m,
                kind="member",
                label=data.units.get(m, {}).get("label", m),
                title=unit_tip(data, m, counts[m], load),
                size=unit_size(0),
                load=0,
            )
        if chosen.aggregate:
            _aggregate_nodes(view, data, chosen.items, chosen.cats)
            return
        for i in chosen.items:
            rec = data.items[i]
            view.add_node(
                i,
                kind="item",
                label=f"{rec['number']}、{rec['label']}" if rec["number"] else rec["label"],
                title=item_tip(data, i, year=self.filters.year),
                color=category_color(chosen.cats.get(rec["category"] or "", 0)),
                category=data.categories.get(rec["category"] or "", {}).get("label", ""),
            )

    def edges(self, data: GraphData, chosen: _ResponsibilityChosen) -> None:
        view = chosen.view
        for g in chosen.units:
            for m in data.members.get(g, []) if data.units.get(g, {}).get("group") else []:
                view.add_edge(
                    g,
                    m,
                    kind="member",
                    title=f"{view.graph.nodes[g]['label']} 成员：{view.graph.nodes[m]['label']}",
                )
        if chosen.aggregate:
            _aggregate_edges(view, data, chosen.assigned)
            return
        for a in sorted(chosen.assigned, key=lambda a: (a["unit"], a["item"], a["role"])):
            scope = f"（{a['scope']}）" if a["scope"] else ""
            view.add_edge(
                a["unit"],
                a["item"],
                kind=a["role"],
                title=f"{view.graph.nodes[a['unit']]['label']}{scope} → "
                f"{data.items[a['item']]['label']}：{Role(a['role']).zh}",
                width=3 if a["role"] == "lead" else 1.5,
            )

    def legend(self, data: GraphData, chosen: _ResponsibilityChosen) -> list[dict[str, Any]]:
        view, cats = chosen.view, chosen.cats
        used = {d["kind"] for _, _, d in view.graph.edges(data=True)}
        legend = [legend_node("unit")]
        if any(d["kind"] == "group" for _, d in view.graph.nodes(data=True)):
            legend += [legend_node("group"), legend_node("member")]
        shown_cats = {data.items[i]["category"] for i in chosen.items}
        for c in sorted(shown_cats, key=lambda c: cats.get(c or "", 0)):
            label = data.categories.get(c or "", {}).get("label") or "（未分类）"
            legend.append(
                legend_node(
                    "category" if chosen.aggregate else "item",
                    label=label,
                    color=category_color(cats.get(c or "", 0)),
                )
            )
        return legend + [legend_edge(k) for k in (*role_keys(), "member") if k in used]

    def layout(self, data: GraphData, chosen: _ResponsibilityChosen) -> None:
        _layout.bipartite(chosen.view)
        separate(chosen.view)  # labels and nodes never cover each other


def build_responsibility(data: GraphData, backend: Any, filters: ViewFilters) -> View:
    """Units and work items; edges coloured by role; groups linked to their members."""
    return assemble(Responsibility(backend, filters), data)


def _aggregate_nodes(view: View, data: GraphData, items: list[str], cats: dict[str, int]) -> None:
    """One node per category (主要任务) in place of its work items, when they are too many."""
    per_cat: dict[str, list[str]] = defaultdict(list)
    for i in items:
        per_cat[data.items[i]["category"] or "none"].append(i)
    for c, members in per_cat.items():
        label = data.categories.get(c, {}).get("label") or "（未分类）"
        view.add_node(
            f"{c}#aggregate",
            kind="category",
            label=f"{label}（{len(members)} 项）",
            title=f"主要任务：{label}\n工作内容 {len(members)} 项（已聚合）",
            color=category_color(cats.get(c, 0)),
            category=label,
            size=unit_size(len(members)),
        )


def _aggregate_edges(view: View, data: GraphData, assigned: list[dict[str, Any]]) -> None:
    """One edge per unit, category and role, as wide as the work items it stands for."""
    weights: Counter[tuple[str, str, str]] = Counter()
    for a in assigned:
        weights[
            (a["unit"], (data.items[a["item"]]["category"] or "none") + "#aggregate", a["role"])
        ] += 1
    for (u, c, r), n in sorted(weights.items()):
        view.add_edge(
            u,
            c,
            kind=r,
            title=f"{view.graph.nodes[u]['label']}：{Role(r).zh} {n} 项",
            width=min(1 + n / 2, 12),
            weight=n,
        )


def _shared_items(by_item: dict[str, set[str]]) -> dict[tuple[str, str], list[str]]:
    """Unit pairs → the work items they share (the edges of ``coordination_load``'s network).

    ``coordination_load`` gives the pair counts; the item lists are needed for the tooltips and
    for the role/category filters, which that query does not take.
    """
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for item, unit_set in by_item.items():
        ordered = sorted(unit_set)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                shared[(a, b)].append(item)
    return shared


@dataclass
class _CoordinationChosen:
    view: View
    units: list[str]
    shared: dict[tuple[str, str], list[str]]
    carried: Counter[str]
    counts: dict[str, Counter[str]]
    load: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Coordination(ViewBase):
    """Units only; an edge joins two units sharing work items, its width the number shared. Filters: year, role, category, max_nodes."""

    def select(self, data: GraphData) -> _CoordinationChosen:
        roles = role_filter(self.filters.role)
        keep = set(_select_items(data, year=self.filters.year, category=self.filters.category))
        by_item: dict[str, set[str]] = defaultdict(set)
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for assignment in data.assignments:
            if assignment["item"] in keep and (roles is None or assignment["role"] in roles):
                by_item[assignment["item"]].add(assignment["unit"])
                counts[assignment["unit"]][assignment["role"]] += 1
        shared = _shared_items(by_item)
        carried = Counter(u for unit_set in by_item.values() for u in unit_set)
        units = sorted(carried, key=lambda u: (-carried[u], u))
        view = View(
            "coordination", "协同关系网络", nx.MultiDiGraph(), subtitle=tables_subtitle(data)
        )
        if len(units) > self.filters.max_nodes:
            view.messages.append(
                f"共 {len(units)} 个单位，只显示协同负担最高的 {self.filters.max_nodes} 个。"
            )
            units = units[: self.filters.max_nodes]
        load = load_numbers(self.backend, data, self.filters.year)
        return _CoordinationChosen(view, units, shared, carried, counts, load)

    def nodes(self, data: GraphData, chosen: _CoordinationChosen) -> None:
        for u in chosen.units:
            chosen.view.add_node(
                u,
                kind="group" if data.units.get(u, {}).get("group") else "unit",
                label=data.units.get(u, {}).get("label", u),
                title=unit_tip(data, u, chosen.counts[u], chosen.load),
                size=unit_size(chosen.carried[u]),
                load=chosen.carried[u],
            )

    def edges(self, data: GraphData, chosen: _CoordinationChosen) -> None:
        view = chosen.view
        top = sorted((len(v) for v in chosen.shared.values()), reverse=True)
        threshold = top[max(0, len(top) // 10 - 1)] if top else 0
        for (a, b), shared_items in sorted(chosen.shared.items()):
            if a not in view.graph or b not in view.graph:
                continue
            n = len(shared_items)
            names = "、".join(
                data.items[i]["label"]
                for i in sorted(shared_items, key=lambda i: _item_key(data, i))
            )
            view.add_edge(
                a,
                b,
                kind="shared",
                title=f"{view.graph.nodes[a]['label']} — {view.graph.nodes[b]['label']}：共同承担 {n} 项\n{names}",
                width=round(1 + 2.5 * (n - 1), 1),
                weight=n,
                color="#b2182b" if n >= threshold and n > 1 else "#8c6d31",
            )

    def legend(self, data: GraphData, chosen: _CoordinationChosen) -> list[dict[str, Any]]:
        legend = [legend_node("unit")]
        if any(d["kind"] == "group" for _, d in chosen.view.graph.nodes(data=True)):
            legend.append(legend_node("group"))
        return legend + [
            legend_edge("shared"),
            {"kind": "edge", "label": "最繁忙的单位对", "color": "#b2182b", "dashes": False},
        ]

    def layout(self, data: GraphData, chosen: _CoordinationChosen) -> None:
        _layout.weighted(chosen.view)
        # labels and nodes never cover each other, room for the edges
        separate(chosen.view, margin=40)


def build_coordination(data: GraphData, backend: Any, filters: ViewFilters) -> View:
    """Units only; an edge joins two units sharing work items, its width the number shared."""
    return assemble(Coordination(backend, filters), data)
