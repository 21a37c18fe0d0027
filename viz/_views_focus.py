"""Focused views: what depends on one policy document, and one unit's ego network."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import networkx as nx

from fenjie.errors import ParameterError
from fenjie.roles import Role
from fenjie.viz import _layout
from fenjie.viz._data import GraphData, read_outline
from fenjie.viz._model import (
    View,
    legend_edge,
    legend_node,
    role_filter,
    unit_size,
    year_color,
)
from fenjie.viz._overlap import separate
from fenjie.viz._steps import ViewBase, ViewFilters, assemble
from fenjie.viz._tips import item_tip, load_numbers, role_keys, tables_subtitle, unit_tip

__all__ = ["Dependency", "Unit", "build_dependency", "build_unit", "dependent_targets"]


def _resolve_document(backend: Any, name: str) -> str:
    from fenjie.queries import resolve_document

    return str(resolve_document(backend, name)["iri"])


def _derived(data: GraphData, doc: str) -> list[str]:
    """Documents based on ``doc``, directly or through other derived documents."""
    found: list[str] = []
    frontier = [doc]
    while frontier:
        current = frontier.pop()
        for k, d in sorted(data.documents.items()):
            if current in d["based_on"] and k not in found and k != doc:
                found.append(k)
                frontier.append(k)
    return found


def dependent_targets(backend: Any, doc: str) -> dict[str, dict[str, Any]]:
    """Targets that depend on ``doc``, as issue 3's ``dependents`` defines them: IRI → the
    target's ``iri``, ``item`` and ``year``, from the rows of ``dependent-targets`` and
    ``dependent-targets-baseline`` (which targets
    and how, without texts or paths: the view reads the texts of the targets it draws only, and
    no other targets: 36,424 at 940k triples)."""
    from pyoxigraph import NamedNode

    from fenjie.queries import plain
    from fenjie.queries.registry import get_stored

    rows = [
        row
        for part in ("dependent-targets", "dependent-targets-baseline")
        for row in backend.select(get_stored(part).text, bindings={"document": NamedNode(doc)})
    ]
    return {
        plain(r["target"]): {
            "iri": plain(r["target"]),
            "item": plain(r["item"]),
            "year": int(plain(r["year"]) or 0),
        }
        for r in rows
    }


def _read_targets(backend: Any, data: GraphData, targets: dict[str, dict[str, Any]]) -> None:
    """The drawn targets' texts and the precedes edges between them, read for them alone
    (``data.precedes`` as :func:`~fenjie.viz._data.load` gives it for the whole graph, limited
    to these)."""
    from pyoxigraph import NamedNode

    from fenjie.queries import plain
    from fenjie.queries.registry import get_stored

    drawn = [NamedNode(t) for t in sorted(targets)]
    if drawn:
        found = backend.select(get_stored("dependent-texts").text, bindings={"node": drawn})
        for row in found:
            if "text" in row:
                targets[plain(row["node"])]["text"] = plain(row["text"])
        nexts = backend.select(get_stored("target-next").text, bindings={"node": drawn})
        data.precedes = sorted(
            {(plain(r["node"]), plain(r["next"])) for r in nexts if plain(r["next"]) in targets}
        )
    for record in targets.values():
        record.setdefault("text", "")


def _read_citing(backend: Any, data: GraphData, docs: set[str]) -> None:
    """The nodes citing ``docs``, with the baseline entries among them, read for these documents
    alone (``data.refers`` and ``data.baselines`` as :func:`~fenjie.viz._data.load` gives them
    for the whole graph, limited to these)."""
    from pyoxigraph import NamedNode

    from fenjie.queries import plain
    from fenjie.queries.registry import get_stored

    citing = backend.select(
        get_stored("document-citing").text,
        bindings={"document": [NamedNode(d) for d in sorted(docs)]},
    )
    refers = set()
    for row in citing:
        node = plain(row["node"])
        refers.add((node, plain(row["document"]), bool(plain(row.get("produces")))))
        if "baselineItem" in row:
            data.baselines[node] = {
                "iri": node,
                "item": plain(row["baselineItem"]),
                "text": plain(row["baselineText"]) or "",
                "order": int(plain(row.get("baselineOrder")) or 0),
            }
    data.refers = sorted(refers)


def _within_room(
    ordered: list[str],
    item_of: dict[str, str],
    baselines_of: dict[str, list[str]],
    room: int,
) -> tuple[list[str], list[str]]:
    """The longest prefix of the ``ordered`` targets that fits in ``room`` nodes together with
    the baselines of their work items (each counted once): the targets and the baselines kept.

    >>> _within_room(["t1", "t2", "t3"], {"t1": "i", "t2": "i", "t3": "j"}, {"i": ["b"]}, 3)
    (['t1', 't2'], ['b'])
    >>> _within_room(["t1"], {"t1": "i"}, {"i": ["b", "c"]}, 2)
    ([], [])
    """
    kept: list[str] = []
    shown: list[str] = []
    items: set[str] = set()
    for target in ordered:
        item = item_of[target]
        extra = [] if item in items else baselines_of.get(item, [])
        if len(kept) + len(shown) + 1 + len(extra) > room:
            break
        kept.append(target)
        shown.extend(extra)
        items.add(item)
    return kept, shown


def _short(text: str, n: int = 18) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def document_label(title: str, short_names: list[str], n: int = 24) -> str:
    """A document's label that tells it apart from documents sharing the beginning of its title.

    Its shortest short name (简称) where it has one; else the title, or, when long, its end (titles
    of related documents differ at the end: 《…若干意见》 and 《…若干意见实施细则》). The full title
    is in the tooltip.

    >>> document_label("关于建设示范区的若干意见实施细则", ["意见实施细则"])
    '《意见实施细则》'
    >>> document_label("中共湖南省委、省人民政府关于建设长株潭国家自主创新示范区的若干意见实施细则", [])
    '《…建设长株潭国家自主创新示范区的若干意见实施细则》'
    """
    if short_names:
        return f"《{min(short_names, key=lambda s: (len(s), s))}》"
    return f"《{title}》" if len(title) <= n else f"《…{title[-(n - 1) :]}》"


@dataclass
class _DependencyChosen:
    view: View
    doc: str
    derived: list[str]
    docs: set[str]
    targets: dict[str, dict[str, Any]]  # the targets drawn: IRI → iri, item, year, text
    citing: list[tuple[str, str, bool]]
    baselines: list[str]
    years: list[int]


@dataclass(frozen=True)
class Dependency(ViewBase):
    """The document, derived documents, baselines and targets that depend on it, precedes chain.
    Filters: document (required), year, max_nodes."""

    def select(self, data: GraphData) -> _DependencyChosen:
        if not self.filters.document:
            raise ParameterError(
                "依赖视图需要 --document (the dependency view needs --document)",
                parameter="document",
            )
        doc = _resolve_document(self.backend, self.filters.document)
        derived = _derived(data, doc)
        docs = {doc, *derived}
        records = dependent_targets(self.backend, doc)
        years = sorted({r["year"] for r in records.values()})
        targets = set(records)
        if self.filters.year is not None:
            targets = {t for t in targets if records[t]["year"] == self.filters.year}
        title = data.documents[doc]["title"]
        view = View(
            "dependency",
            "政策文件依赖",
            nx.MultiDiGraph(),
            subtitle=f"《{title}》 · {tables_subtitle(data)}",
        )
        _read_citing(self.backend, data, docs)
        citing = [(n, d, p) for n, d, p in data.refers if d in docs]
        baselines = sorted({n for n, _, _ in citing if n in data.baselines})
        if len(docs) + len(targets) + len(baselines) > self.filters.max_nodes:
            # The node limit counts every node drawn: the targets first by year, each with the
            # citing baselines of its work item, the path by which it depends.
            baselines_of: dict[str, list[str]] = defaultdict(list)  # work item → its baselines
            for b in baselines:
                baselines_of[data.baselines[b]["item"]].append(b)
            ordered = sorted(targets, key=lambda t: (records[t]["year"], t))
            item_of = {t: records[t]["item"] for t in ordered}
            room = max(self.filters.max_nodes - len(docs), 0)
            keep, shown = _within_room(ordered, item_of, baselines_of, room)
            if len(keep) < len(targets):
                view.messages.append(
                    f"共 {len(targets)} 个依赖目标，只显示前 {len(keep)} 个（按年份）；"
                    "请用 --year 筛选。"
                )
            if len(shown) < len(baselines):
                view.messages.append(
                    f"引用该文件的前期工作基础共 {len(baselines)} 条，"
                    f"只显示所示目标所属工作内容的 {len(shown)} 条。"
                )
            targets, baselines = set(keep), shown
        if not targets:
            view.messages.append("没有依赖该文件的年度目标。")
        drawn = {t: records[t] for t in targets}
        _read_targets(self.backend, data, drawn)
        if not data.items:  # loaded without the outline: read that of the drawn work items
            items = [r["item"] for r in drawn.values()]
            read_outline(self.backend, data, items + [data.baselines[b]["item"] for b in baselines])
        return _DependencyChosen(view, doc, derived, docs, drawn, citing, baselines, years)

    def nodes(self, data: GraphData, chosen: _DependencyChosen) -> None:
        view, years = chosen.view, chosen.years
        for d in [chosen.doc, *chosen.derived]:
            rec = data.documents[d]
            alt = f"\n简称：{'、'.join(rec['alt'])}" if rec["alt"] else ""
            view.add_node(
                d,
                kind="document" if d == chosen.doc else "derived",
                label=document_label(rec["title"], rec["alt"]),
                title=f"《{rec['title']}》{alt}",
                size=22 if d == chosen.doc else 16,
            )
        for b in chosen.baselines:
            rec = data.baselines[b]
            view.add_node(
                b,
                kind="baseline",
                label=_short(rec["text"]),
                title=f"前期工作基础：{rec['text']}\n{item_tip(data, rec['item'], with_targets=False)}",
            )
        for t in sorted(chosen.targets):
            rec = chosen.targets[t]
            view.add_node(
                t,
                kind="target",
                label=f"{rec['year']}：{_short(rec['text'])}",
                title=f"{rec['year']}年目标：{rec['text']}\n{item_tip(data, rec['item'], with_targets=False)}",
                color=year_color(years.index(rec["year"]) if rec["year"] in years else 0),
                year=rec["year"],
            )

    def edges(self, data: GraphData, chosen: _DependencyChosen) -> None:
        view, targets = chosen.view, chosen.targets
        for d in chosen.derived:
            for base in data.documents[d]["based_on"]:
                if base in chosen.docs:
                    view.add_edge(
                        d,
                        base,
                        kind="based-on",
                        title=f"《{data.documents[d]['title']}》依据《{data.documents[base]['title']}》",
                        arrows="to",
                    )
        for n, d, produces in chosen.citing:
            if n in view.graph:
                verb = "出台" if produces else "引用"
                view.add_edge(
                    n,
                    d,
                    kind="produces" if produces else "refers",
                    title=f"{verb}《{data.documents[d]['title']}》",
                    arrows="to",
                )
        linked = {n for n, _, _ in chosen.citing}
        preceded = {b for a, b in data.precedes if a in targets and b in targets}
        for a, b in data.precedes:
            if a in targets and b in targets:
                view.add_edge(
                    a,
                    b,
                    kind="precedes",
                    title=f"{targets[a]['year']} → {targets[b]['year']}",
                    arrows="to",
                )
        baselines_of: dict[str, list[str]] = defaultdict(list)  # work item → its baselines
        for b in chosen.baselines:
            baselines_of[data.baselines[b]["item"]].append(b)
        for t in sorted(set(targets) - linked - preceded):
            for b in baselines_of[targets[t]["item"]]:
                view.add_edge(b, t, kind="baseline", title="以前期工作基础为依据", arrows="to")

    def legend(self, data: GraphData, chosen: _DependencyChosen) -> list[dict[str, Any]]:
        years = chosen.years
        legend = [legend_node("document")]
        if chosen.derived:
            legend.append(legend_node("derived"))
        if chosen.baselines:
            legend.append(legend_node("baseline"))
        shown_years = sorted({r["year"] for r in chosen.targets.values()})
        legend += [
            legend_node("target", label=f"{y}年目标", color=year_color(years.index(y)))
            for y in shown_years
        ]
        used = {d["kind"] for _, _, d in chosen.view.graph.edges(data=True)}
        return legend + [
            legend_edge(k)
            for k in ("produces", "refers", "based-on", "precedes", "baseline")
            if k in used
        ]

    def layout(self, data: GraphData, chosen: _DependencyChosen) -> None:
        _layout.layered_by_year(chosen.view, chosen.years)
        separate(chosen.view)  # labels and nodes never cover each other


def build_dependency(data: GraphData, backend: Any, filters: ViewFilters) -> View:
    """The document, derived documents, baselines and targets that depend on it, precedes chain."""
    return assemble(Dependency(backend, filters), data)


def _resolve_unit(backend: Any, name: str) -> str:
    from fenjie.queries import resolve_unit

    return str(resolve_unit(backend, name)["iri"])


@dataclass
class _UnitChosen:
    view: View
    focus: str
    rec: dict[str, Any]
    groups: list[str]
    carriers: set[str]
    mine: list[dict[str, Any]]
    items: list[str]
    partners: list[dict[str, Any]]
    counts: dict[str, Counter[str]]
    load: dict[str, dict[str, Any]]
    years: list[int]
    # too many nodes without the targets already: they are left out, and not even read
    omit_targets: bool = False


@dataclass(frozen=True)
class Unit(ViewBase):
    """One unit's ego network: its work items, their targets per year, partner units.
    Filters: unit (required), year, role, max_nodes."""

    def select(self, data: GraphData) -> _UnitChosen:
        if not self.filters.unit:
            raise ParameterError(
                "单位视图需要 --unit (the unit view needs --unit)", parameter="unit"
            )
        roles = role_filter(self.filters.role)
        focus = _resolve_unit(self.backend, self.filters.unit)
        groups = [g for g, ms in data.members.items() if focus in ms]
        carriers = {focus, *groups}
        mine = [
            a
            for a in data.assignments
            if a["unit"] in carriers and (roles is None or a["role"] in roles)
        ]
        if self.filters.year is not None:
            active = data.items_in_year(self.filters.year)
            mine = [a for a in mine if a["item"] in active]
        items = sorted({a["item"] for a in mine})
        rec = data.units.get(focus) or {
            "iri": focus,
            "label": self.filters.unit,
            "name": self.filters.unit,
            "alt": [],
            "group": False,
        }
        view = View(
            "unit",
            "单位关系网络",
            nx.MultiDiGraph(),
            subtitle=f"{rec['label']} · {tables_subtitle(data)}",
        )
        load = load_numbers(self.backend, data, self.filters.year)
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for a in data.assignments:
            if a["item"] in items:
                counts[a["unit"]][a["role"]] += 1
        partners = [a for a in data.assignments if a["item"] in items and a["unit"] not in carriers]
        drawn_groups = {g for g in groups if any(a["unit"] == g for a in mine)}
        without_targets = 1 + len(drawn_groups) + len(items) + len({a["unit"] for a in partners})
        omit = without_targets > self.filters.max_nodes
        if omit:  # the busiest unit of a large store: 3,319 work items at 940k triples
            view.messages.append(
                f"不含年度目标已有 {without_targets} 个节点，超过 {self.filters.max_nodes}："
                "已省略年度目标；请用 --year 或 --role 筛选。"
            )
        years = [] if omit else data.years()
        return _UnitChosen(
            view, focus, rec, groups, carriers, mine, items, partners, counts, load, years, omit
        )

    def nodes(self, data: GraphData, chosen: _UnitChosen) -> None:
        view, counts, load, years = chosen.view, chosen.counts, chosen.load, chosen.years
        focus = chosen.focus
        view.add_node(
            focus,
            kind="focus",
            label=chosen.rec["label"],
            title=unit_tip(data, focus, counts[focus], load),
            size=unit_size(len(chosen.items)),
        )
        for g in chosen.groups:
            if any(a["unit"] == g for a in chosen.mine):
                view.add_node(
                    g,
                    kind="group",
                    label=data.units[g]["label"],
                    title=unit_tip(data, g, counts[g], load),
                )
        for i in chosen.items:
            item = data.items[i]
            view.add_node(
                i,
                kind="item",
                label=item["label"],
                title=item_tip(
                    data, i, year=self.filters.year, with_targets=not chosen.omit_targets
                ),
            )
            for t in [] if chosen.omit_targets else data.targets_of(i, year=self.filters.year):
                view.add_node(
                    t["iri"],
                    kind="target",
                    label=f"{t['year']}：{_short(t['text'])}",
                    title=f"{t['year']}年目标：{t['text']}",
                    color=year_color(years.index(t["year"])),
                    year=t["year"],
                    parent=i,  # folds away under its work item
                )
        for a in sorted(chosen.partners, key=lambda a: (a["unit"], a["item"], a["role"])):
            if a["unit"] not in view.graph:
                view.add_node(
                    a["unit"],
                    kind="partner",
                    label=data.units.get(a["unit"], {}).get("label", a["unit"]),
                    title=unit_tip(data, a["unit"], counts[a["unit"]], load),
                    size=unit_size(counts[a["unit"]].total()),
                )
        if not chosen.omit_targets and view.graph.number_of_nodes() > self.filters.max_nodes:
            view.messages.append(
                f"共 {view.graph.number_of_nodes()} 个节点，已省略年度目标；请用 --year 筛选。"
            )
            view.graph.remove_nodes_from(
                [n for n, d in view.graph.nodes(data=True) if d["kind"] == "target"]
            )
        if not chosen.items:
            view.messages.append("该单位在所选条件下没有承担工作内容。")

    def edges(self, data: GraphData, chosen: _UnitChosen) -> None:
        view = chosen.view
        for g in chosen.groups:
            if g in view.graph:
                view.add_edge(
                    g,
                    chosen.focus,
                    kind="member",
                    title=f"{data.units[g]['label']} 成员：{chosen.rec['label']}",
                )
        for i in chosen.items if not chosen.omit_targets else []:
            item = data.items[i]
            for t in data.targets_of(i, year=self.filters.year):
                if t["iri"] in view.graph:  # targets are left out of a view too large
                    view.add_edge(
                        i, t["iri"], kind="target", title=f"{item['label']} · {t['year']}年目标"
                    )
        for a in sorted(chosen.mine, key=lambda a: (a["unit"], a["item"], a["role"])):
            if a["unit"] in view.graph:
                view.add_edge(
                    a["unit"],
                    a["item"],
                    kind=a["role"],
                    title=f"{data.units[a['unit']]['label']} → {data.items[a['item']]['label']}：{Role(a['role']).zh}",
                    width=3 if a["role"] == "lead" else 1.5,
                )
        for a in sorted(chosen.partners, key=lambda a: (a["unit"], a["item"], a["role"])):
            view.add_edge(
                a["unit"],
                a["item"],
                kind=a["role"],
                title=f"{data.units[a['unit']]['label']} → {data.items[a['item']]['label']}：{Role(a['role']).zh}",
                width=1,
            )

    def legend(self, data: GraphData, chosen: _UnitChosen) -> list[dict[str, Any]]:
        graph, years = chosen.view.graph, chosen.years
        used = {d["kind"] for _, _, d in graph.edges(data=True)}
        kinds = {d["kind"] for _, d in graph.nodes(data=True)}
        legend = [legend_node(k) for k in ("focus", "group", "item", "partner") if k in kinds]
        shown_years = sorted(
            {d["year"] for _, d in graph.nodes(data=True) if d["kind"] == "target"}
        )
        legend += [
            legend_node("target", label=f"{y}年目标", color=year_color(years.index(y)))
            for y in shown_years
        ]
        return legend + [legend_edge(k) for k in (*role_keys(), "member", "target") if k in used]

    def layout(self, data: GraphData, chosen: _UnitChosen) -> None:
        _layout.ego_columns(chosen.view, chosen.focus, chosen.years)
        separate(chosen.view)  # labels and nodes never cover each other
        # labels readable, embedded in the page too
        chosen.view.min_scale, chosen.view.start_at = 0.55, chosen.focus


def build_unit(data: GraphData, backend: Any, filters: ViewFilters) -> View:
    """One unit's ego network: its work items, their targets per year, partner units."""
    return assemble(Unit(backend, filters), data)
