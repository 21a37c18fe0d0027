"""Focused views: what depends on one policy document, and one unit's ego network."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx

from fenjie.errors import ParameterError
from fenjie.viz import _layout
from fenjie.viz._data import GraphData
from fenjie.viz._model import (
    MAX_NODES,
    View,
    legend_edge,
    legend_node,
    role_filter,
    unit_size,
    year_color,
)
from fenjie.viz._overlap import separate
from fenjie.viz._views import _ROLE_KEYS, _ROLE_NAMES, _item_tip, _load_numbers, _title, _unit_tip

__all__ = ["build_dependency", "build_unit", "dependent_targets"]


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


def dependent_targets(backend: Any, doc: str) -> set[str]:
    """Targets that depend on ``doc``, as issue 3's ``dependents`` defines them."""
    from fenjie.queries import dependents

    return {str(t["iri"]) for t in dependents(backend, doc).get("targets", [])}


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


def build_dependency(
    data: GraphData,
    backend: Any = None,
    *,
    document: str | None = None,
    year: int | None = None,
    max_nodes: int = MAX_NODES,
    **_: Any,
) -> View:
    """The document, derived documents, baselines and targets that depend on it, precedes chain."""
    if not document:
        raise ParameterError(
            "依赖视图需要 --document (the dependency view needs --document)", parameter="document"
        )
    doc = _resolve_document(backend, document)
    derived = _derived(data, doc)
    docs = {doc, *derived}
    targets = dependent_targets(backend, doc)
    if year is not None:
        targets = {t for t in targets if data.targets[t]["year"] == year}
    title = data.documents[doc]["title"]
    view = View(
        "dependency",
        "政策文件依赖",
        nx.MultiDiGraph(),
        subtitle=f"《{title}》 · {_title(data, '')}",
    )
    years = data.years()
    if len(targets) + len(docs) > max_nodes:
        keep = sorted(targets, key=lambda t: (data.targets[t]["year"], t))[
            : max_nodes - len(docs) - 50
        ]
        view.messages.append(
            f"共 {len(targets)} 个依赖目标，只显示前 {len(keep)} 个（按年份）；请用 --year 筛选。"
        )
        targets = set(keep)
    for d in [doc, *derived]:
        rec = data.documents[d]
        alt = f"\n简称：{'、'.join(rec['alt'])}" if rec["alt"] else ""
        view.add_node(
            d,
            kind="document" if d == doc else "derived",
            label=document_label(rec["title"], rec["alt"]),
            title=f"《{rec['title']}》{alt}",
            size=22 if d == doc else 16,
        )
    for d in derived:
        for base in data.documents[d]["based_on"]:
            if base in docs:
                view.add_edge(
                    d,
                    base,
                    kind="based-on",
                    title=f"《{data.documents[d]['title']}》依据《{data.documents[base]['title']}》",
                    arrows="to",
                )
    items_of_targets = {data.targets[t]["item"] for t in targets}
    citing = [(n, d, p) for n, d, p in data.refers if d in docs]
    baselines = sorted(
        {
            n
            for n, _, _ in citing
            if n in data.baselines
            and data.baselines[n]["item"] in items_of_targets | {data.baselines[n]["item"]}
        }
    )
    for b in baselines:
        rec = data.baselines[b]
        view.add_node(
            b,
            kind="baseline",
            label=_short(rec["text"]),
            title=f"前期工作基础：{rec['text']}\n{_item_tip(data, rec['item'], with_targets=False)}",
        )
    for t in sorted(targets):
        rec = data.targets[t]
        view.add_node(
            t,
            kind="target",
            label=f"{rec['year']}：{_short(rec['text'])}",
            title=f"{rec['year']}年目标：{rec['text']}\n{_item_tip(data, rec['item'], with_targets=False)}",
            color=year_color(years.index(rec["year"]) if rec["year"] in years else 0),
            year=rec["year"],
        )
    for n, d, produces in citing:
        if n in view.graph:
            verb = "出台" if produces else "引用"
            view.add_edge(
                n,
                d,
                kind="produces" if produces else "refers",
                title=f"{verb}《{data.documents[d]['title']}》",
                arrows="to",
            )
    linked = {n for n, _, _ in citing}
    preceded = {b for a, b in data.precedes if a in targets and b in targets}
    for a, b in data.precedes:
        if a in targets and b in targets:
            view.add_edge(
                a,
                b,
                kind="precedes",
                title=f"{data.targets[a]['year']} → {data.targets[b]['year']}",
                arrows="to",
            )
    for t in sorted(targets - linked - preceded):
        for b in baselines:
            if data.baselines[b]["item"] == data.targets[t]["item"]:
                view.add_edge(b, t, kind="baseline", title="以前期工作基础为依据", arrows="to")
    view.legend = [legend_node("document")]
    if derived:
        view.legend.append(legend_node("derived"))
    if baselines:
        view.legend.append(legend_node("baseline"))
    shown_years = sorted({data.targets[t]["year"] for t in targets})
    view.legend += [
        legend_node("target", label=f"{y}年目标", color=year_color(years.index(y)))
        for y in shown_years
    ]
    used = {d["kind"] for _, _, d in view.graph.edges(data=True)}
    view.legend += [
        legend_edge(k)
        for k in ("produces", "refers", "based-on", "precedes", "baseline")
        if k in used
    ]
    if not targets:
        view.messages.append("没有依赖该文件的年度目标。")
    _layout.layered_by_year(view, years)
    separate(view)  # labels and nodes never cover each other
    return view


def _resolve_unit(backend: Any, name: str) -> str:
    from fenjie.queries import resolve_unit

    return str(resolve_unit(backend, name)["iri"])


def build_unit(
    data: GraphData,
    backend: Any = None,
    *,
    unit: str | None = None,
    year: int | None = None,
    role: str | None = None,
    max_nodes: int = MAX_NODES,
    **_: Any,
) -> View:
    """One unit's ego network: its work items, their targets per year, partner units."""
    if not unit:
        raise ParameterError("单位视图需要 --unit (the unit view needs --unit)", parameter="unit")
    roles = role_filter(role)
    focus = _resolve_unit(backend, unit)
    groups = [g for g, ms in data.members.items() if focus in ms]
    carriers = {focus, *groups}
    mine = [
        a
        for a in data.assignments
        if a["unit"] in carriers and (roles is None or a["role"] in roles)
    ]
    if year is not None:
        active = data.items_in_year(year)
        mine = [a for a in mine if a["item"] in active]
    items = sorted({a["item"] for a in mine})
    rec = data.units.get(focus) or {
        "iri": focus,
        "label": unit,
        "name": unit,
        "alt": [],
        "group": False,
    }
    view = View(
        "unit", "单位关系网络", nx.MultiDiGraph(), subtitle=f"{rec['label']} · {_title(data, '')}"
    )
    load = _load_numbers(backend, year) if backend is not None else {}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for a in data.assignments:
        if a["item"] in items:
            counts[a["unit"]][a["role"]] += 1
    view.add_node(
        focus,
        kind="focus",
        label=rec["label"],
        title=_unit_tip(data, focus, counts[focus], load),
        size=unit_size(len(items)),
    )
    for g in groups:
        if any(a["unit"] == g for a in mine):
            view.add_node(
                g,
                kind="group",
                label=data.units[g]["label"],
                title=_unit_tip(data, g, counts[g], load),
            )
            view.add_edge(
                g, focus, kind="member", title=f"{data.units[g]['label']} 成员：{rec['label']}"
            )
    years = data.years()
    for i in items:
        item = data.items[i]
        view.add_node(i, kind="item", label=item["label"], title=_item_tip(data, i, year=year))
        for t in data.targets_of(i, year=year):
            view.add_node(
                t["iri"],
                kind="target",
                label=f"{t['year']}：{_short(t['text'])}",
                title=f"{t['year']}年目标：{t['text']}",
                color=year_color(years.index(t["year"])),
                year=t["year"],
                parent=i,  # folds away under its work item
            )
            view.add_edge(i, t["iri"], kind="target", title=f"{item['label']} · {t['year']}年目标")
    for a in sorted(mine, key=lambda a: (a["unit"], a["item"], a["role"])):
        if a["unit"] in view.graph:
            view.add_edge(
                a["unit"],
                a["item"],
                kind=a["role"],
                title=f"{data.units[a['unit']]['label']} → {data.items[a['item']]['label']}：{_ROLE_NAMES[a['role']]}",
                width=3 if a["role"] == "lead" else 1.5,
            )
    partners = [a for a in data.assignments if a["item"] in items and a["unit"] not in carriers]
    for a in sorted(partners, key=lambda a: (a["unit"], a["item"], a["role"])):
        if a["unit"] not in view.graph:
            view.add_node(
                a["unit"],
                kind="partner",
                label=data.units.get(a["unit"], {}).get("label", a["unit"]),
                title=_unit_tip(data, a["unit"], counts[a["unit"]], load),
                size=unit_size(counts[a["unit"]].total()),
            )
        view.add_edge(
            a["unit"],
            a["item"],
            kind=a["role"],
            title=f"{data.units[a['unit']]['label']} → {data.items[a['item']]['label']}：{_ROLE_NAMES[a['role']]}",
            width=1,
        )
    if view.graph.number_of_nodes() > max_nodes:
        view.messages.append(
            f"共 {view.graph.number_of_nodes()} 个节点，已省略年度目标；请用 --year 筛选。"
        )
        view.graph.remove_nodes_from(
            [n for n, d in view.graph.nodes(data=True) if d["kind"] == "target"]
        )
    if not items:
        view.messages.append("该单位在所选条件下没有承担工作内容。")
    used = {d["kind"] for _, _, d in view.graph.edges(data=True)}
    kinds = {d["kind"] for _, d in view.graph.nodes(data=True)}
    view.legend = [legend_node(k) for k in ("focus", "group", "item", "partner") if k in kinds]
    shown_years = sorted(
        {d["year"] for _, d in view.graph.nodes(data=True) if d["kind"] == "target"}
    )
    view.legend += [
        legend_node("target", label=f"{y}年目标", color=year_color(years.index(y)))
        for y in shown_years
    ]
    view.legend += [legend_edge(k) for k in (*_ROLE_KEYS, "member", "target") if k in used]
    _layout.ego_columns(view, focus, years)
    separate(view)
    view.min_scale, view.start_at = (
        0.55,
        focus,
    )  # labels readable, embedded in the page too  # labels and nodes never cover each other
    return view
