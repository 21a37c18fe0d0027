"""Levels: which plan a plan implements (分解落实), and which of its work items and targets carry
down which of the parent plan's.

A city's plan decomposes the province's work items that name the city (or a group holding it:
长沙市 in 长株潭三市政府), its bureaus taking them on. Every build recomputes these links from what
the store holds, into the graph ``{base}graph/levels`` (so building the parent after the child
links them too):

1. **Plan links.** A table implements the table the user declared (``fenjie build --implements``,
   kept as ``fj:declaredImplements``), else the table whose plan title its notice cites: a title
   after 为贯彻落实 / 根据 … (``fj:basedOn`` of its plan document, read by :mod:`graph._plan`) or
   a stored plan's title written without brackets in a notice line. Titles are compared after
   normalizing width, spaces and dashes: the same document node or a similarity of at least
   ``TITLE_SURE`` links; the parent's jurisdiction must contain the child's (a province's plan
   above a city's). Anything less certain links nothing and is a finding.
2. **Work item links.** The candidates are the parent's work items assigned to the child plan's
   government: named on them directly, through a group it is a member of, or through a collective
   addressee of its level. A child work item carries down the candidate with the highest score,
   which is the higher of two similarities (rapidfuzz ``WRatio``, built for texts of different
   lengths): of the two names, and of the closest pair of their targets or baseline entries. City
   plans either keep the provincial item's name or split it into items of their own names that
   restate its targets; both are met. A link needs ``DEFAULT_THRESHOLD``; a runner-up within
   ``AMBIGUITY_MARGIN`` is recorded and reported.
3. **Target links.** Within a linked pair of work items, each year's targets are paired one to one
   with the highest total similarity (scipy's ``linear_sum_assignment``), each pair at least
   ``DEFAULT_THRESHOLD``. A parent target assigned to the child's government with no target linked
   to it has no follow-up (断档).

>>> normalize_title(" 长株潭…分解表（2017-2019年） ") == normalize_title("长株潭…分解表(2017—2019年)")
True
>>> round(similarity("召开长沙片区阶段工作总结会议", "召开阶段工作总结会议"))
83
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyoxigraph
from pyoxigraph import Literal, NamedNode, Quad

from fenjie.graph._recorded import finding_quads
from fenjie.graph._sparql import sparql
from fenjie.graph._vocab import FJ, PROV, RDF, XSD

__all__ = [
    "AMBIGUITY_MARGIN",
    "DEFAULT_THRESHOLD",
    "LEVELS_GRAPH",
    "TITLE_SURE",
    "Levels",
    "compute_levels",
    "levels_findings",
    "levels_summary",
    "link_levels",
    "normalize_title",
    "similarity",
]

LEVELS_GRAPH = "graph/levels"  # relative to the base
DEFAULT_THRESHOLD = 60.0
"""Lowest score (0–100) at which a child work item or target carries down a parent one."""
AMBIGUITY_MARGIN = 10.0
"""A runner-up scoring this close to the chosen parent node makes the link ambiguous."""
TITLE_SURE = 90.0
"""Lowest similarity of a cited title and a stored plan's title that links the two plans."""
TITLE_UNSURE = 75.0
"""From this similarity up to ``TITLE_SURE`` a cited title is reported as maybe that plan."""
_MIN_BARE_TITLE = 8  # a plan title written without 《》 must be this long to count as a mention
_IMPLEMENT_WORDS = re.compile(r"贯彻|落实|根据|依据|按照|依照")

# the queries (graph/sparql/levels-*.rq): below the query backends, like the check's
_TABLES, _CITED, _PREAMBLE = "levels-tables", "levels-cited", "levels-preamble"
_WITHIN, _ITEMS, _ASSIGNED = "levels-within", "levels-items", "levels-assigned"


def normalize_title(title: str) -> str:
    """A title compared by content: full-width forms, spaces, brackets and dashes unified."""
    text = unicodedata.normalize("NFKC", title)
    text = re.sub(r"\s+|[《》〈〉<>“”\"']", "", text)
    return re.sub(r"[—–－~～‐-]+|至", "-", text)


def similarity(a: str, b: str) -> float:
    """Similarity of two texts, 0–100: rapidfuzz's ``WRatio`` (the normalized Indel similarity,
    and the best partial alignment when one text is much shorter than the other)."""
    from rapidfuzz import fuzz

    return float(fuzz.WRatio(a, b))


@dataclass
class _Table:
    iri: str
    title: str = ""
    file: str = ""
    doc: str | None = None
    doc_title: str = ""
    place: str | None = None
    gov: str | None = None
    gov_label: str = ""
    declared: str | None = None

    @property
    def base(self) -> str:
        return self.iri.rsplit("table/", 1)[0]

    @property
    def slug(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]

    def source(self) -> dict[str, Any]:
        out: dict[str, Any] = {"table": self.iri}
        if self.file:
            out["file"] = self.file
        return out


@dataclass
class _Item:
    iri: str
    label: str = ""
    order: int = 0
    cell: dict[str, Any] = field(default_factory=dict)
    targets: dict[int, list[tuple[int, str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    baseline: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [text for year in self.targets.values() for _, _, text in year] + self.baseline


@dataclass(frozen=True)
class PlanLink:
    child: str
    parent: str
    evidence: str  # user, notice
    written: str
    score: float

    @property
    def iri(self) -> str:
        return f"{self.child}/implements/{self.parent.rstrip('/').rsplit('/', 1)[-1]}"


@dataclass(frozen=True)
class LevelLink:
    child: str
    parent: str
    score: float
    plan: PlanLink
    kind: str  # item, target
    runner_up: str | None = None
    runner_up_score: float | None = None


@dataclass
class Levels:
    """What linking found: plan links, item and target links, and findings for ``fenjie check``."""

    plans: list[PlanLink] = field(default_factory=list)
    links: list[LevelLink] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)

    def quads(self, graph: NamedNode) -> list[Quad]:
        out: list[Quad] = []

        def add(s: str, p: NamedNode, o: NamedNode | Literal) -> None:
            out.append(Quad(NamedNode(s), p, o, graph))

        for plan in self.plans:
            add(plan.iri, RDF.type, FJ.PlanLink)
            add(plan.iri, FJ.childPlan, NamedNode(plan.child))
            add(plan.iri, FJ.parentPlan, NamedNode(plan.parent))
            add(plan.iri, FJ.linkEvidence, Literal(plan.evidence))
            add(plan.iri, FJ.writtenAs, Literal(plan.written))
            add(plan.iri, FJ.matchScore, _decimal(plan.score))
            add(plan.child, FJ.implementsPlan, NamedNode(plan.parent))
        for link in self.links:
            node = f"{link.child}/level-link"
            add(node, RDF.type, FJ.LevelLink)
            add(node, FJ.childNode, NamedNode(link.child))
            add(node, FJ.parentNode, NamedNode(link.parent))
            add(node, FJ.matchScore, _decimal(link.score))
            add(node, FJ.planLink, NamedNode(link.plan.iri))
            add(node, PROV.wasDerivedFrom, NamedNode(link.child))
            add(node, PROV.wasDerivedFrom, NamedNode(link.parent))
            if link.runner_up is not None and link.runner_up_score is not None:
                add(node, FJ.runnerUp, NamedNode(link.runner_up))
                add(node, FJ.runnerUpScore, _decimal(link.runner_up_score))
            edge = FJ.implementsItem if link.kind == "item" else FJ.implementsTarget
            add(link.child, edge, NamedNode(link.parent))
        return out


def _decimal(score: float) -> Literal:
    return Literal(str(Decimal(str(round(score, 1)))), datatype=XSD.decimal)


def _value(row: dict[str, Any], name: str) -> Any:
    term = row.get(name)
    return None if term is None else term.value


def _select(store: pyoxigraph.Store, query: str, **bindings: Any) -> list[dict[str, Any]]:
    from pyoxigraph import QuerySolutions, Variable

    substitutions = {Variable(k): v for k, v in bindings.items()} or None
    solutions = store.query(
        sparql(query), use_default_graph_as_union=True, substitutions=substitutions
    )
    assert isinstance(solutions, QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in solutions]


def _tables(store: pyoxigraph.Store) -> dict[str, _Table]:
    tables: dict[str, _Table] = {}
    for r in _select(store, _TABLES):
        t = tables.setdefault(r["table"].value, _Table(r["table"].value))
        t.title = _value(r, "title") or t.title
        t.file = _value(r, "file") or t.file
        t.doc = _value(r, "doc") or t.doc
        t.doc_title = _value(r, "docTitle") or t.doc_title
        t.place = _value(r, "place") or t.place
        t.gov = _value(r, "gov") or t.gov
        t.gov_label = _value(r, "govLabel") or t.gov_label
        t.declared = _value(r, "declared") or t.declared
    return tables


def _resolve_declared(name: str, child: _Table, tables: dict[str, _Table]) -> list[_Table]:
    """The tables a declared name denotes (like ``fenjie diff``'s names): IRI, slug, file name
    with or without its ending, else a part of the slug, file name or title."""
    others = [t for t in tables.values() if t.iri != child.iri]

    def keys(t: _Table) -> list[str]:
        return [t.iri, t.slug, t.file, t.file.rsplit(".", 1)[0]]

    text = name.strip()
    exact = [t for t in others if text in keys(t)]
    if exact:
        return exact
    return [t for t in others if text and any(text in k for k in [t.slug, t.file, t.title])]


def _denotes(name: str, table: _Table) -> bool:
    """Whether ``name`` is exactly ``table``'s own IRI, slug, file name or title: the parent built
    together with its children under one ``--implements`` declares nothing about itself."""
    text = name.strip()
    return text in (table.iri, table.slug, table.file, table.file.rsplit(".", 1)[0], table.title)


def _plan_links(
    store: pyoxigraph.Store, tables: dict[str, _Table], findings: list[dict[str, Any]]
) -> list[PlanLink]:
    cited: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in _select(store, _CITED):
        cited[r["table"].value].append((r["cited"].value, r["title"].value))
    preamble: dict[str, list[str]] = defaultdict(list)
    for r in _select(store, _PREAMBLE):
        preamble[r["table"].value].append(r["line"].value.split("\t", 1)[-1])
    within: dict[str, set[str]] = defaultdict(set)
    for r in _select(store, _WITHIN):
        within[r["place"].value].add(r["outer"].value)

    links: list[PlanLink] = []
    for child in tables.values():
        if child.declared and not _denotes(child.declared, child):
            found = _resolve_declared(child.declared, child, tables)
            if len(found) == 1 and _inverted(child, found[0], within):
                findings.append(
                    {
                        "kind": "parent_plan_not_above",
                        "message": f"--implements “{child.declared}”所指方案《{found[0].title}》"
                        "属于本方案所辖的下级地区，未关联 (the declared plan is of a level below)",
                        "parent": found[0].iri,
                        "source": child.source(),
                    }
                )
            elif len(found) == 1:
                links.append(PlanLink(child.iri, found[0].iri, "user", child.declared, 100.0))
            else:
                names = "、".join(t.title or t.slug for t in found[:5])
                findings.append(
                    {
                        "kind": "unresolved_parent_plan",
                        "message": (
                            f"--implements “{child.declared}”对应多张表（{names}），未关联 "
                            "(names several tables)"
                            if found
                            else f"--implements “{child.declared}”不对应存储中任何表，未关联 "
                            "(names no table in the store)"
                        ),
                        "declared": child.declared,
                        "candidates": [t.iri for t in found],
                        "source": child.source(),
                    }
                )
            continue
        links += _detected(child, tables, cited[child.iri], preamble[child.iri], within, findings)
    return links


def _inverted(child: _Table, parent: _Table, within: dict[str, set[str]]) -> bool:
    """Whether the declared parent's jurisdiction lies inside the child's (a city's plan declared
    the parent of the province's): the one declaration fenjie refuses."""
    return (
        child.place is not None
        and parent.place is not None
        and (child.place in within[parent.place])
    )


def _detected(
    child: _Table,
    tables: dict[str, _Table],
    cited: list[tuple[str, str]],
    lines: list[str],
    within: dict[str, set[str]],
    findings: list[dict[str, Any]],
) -> list[PlanLink]:
    """The plans a child's notice cites by title, among the tables in the store."""
    scored: list[tuple[float, _Table, str]] = []  # (score, parent, title as cited)
    for parent in tables.values():
        if parent.iri == child.iri or not parent.doc_title:
            continue
        wanted = normalize_title(parent.doc_title)
        best: tuple[float, str] = (0.0, "")
        for doc, title in cited:
            score = 100.0 if doc == parent.doc else _title_similarity(title, parent.doc_title)
            best = max(best, (score, title))
        if len(wanted) >= _MIN_BARE_TITLE:
            for line in lines:
                text = normalize_title(line)
                at = text.find(wanted)
                if at > 0 and _IMPLEMENT_WORDS.search(text[:at]):
                    best = max(best, (100.0, parent.doc_title))
        if best[0] >= TITLE_UNSURE:
            scored.append((best[0], parent, best[1]))
    if not scored:
        return []
    scored.sort(key=lambda s: -s[0])
    sure = [s for s in scored if s[0] >= TITLE_SURE]
    top = sure[0] if sure else None
    if top is not None and any(s is not top and top[0] - s[0] < 5 for s in sure):
        findings.append(
            {
                "kind": "ambiguous_parent_plan",
                "message": f"通知所引《{top[2]}》与存储中多份方案标题相近："
                + "、".join(f"《{s[1].doc_title}》（{s[0]:.0f}）" for s in sure[:5])
                + "，未关联；可用 --implements 指定 (cites a title several stored plans share)",
                "candidates": [s[1].iri for s in sure],
                "source": child.source(),
            }
        )
        return []
    if top is None:
        score, parent, title = scored[0]
        findings.append(
            {
                "kind": "unsure_parent_plan",
                "message": f"通知所引《{title}》与存储中《{parent.doc_title}》相似（{score:.0f}），"
                "不足以认定为其落实方案，未关联；可用 --implements 指定 "
                "(cites a title like a stored plan's)",
                "parent": parent.iri,
                "score": round(score, 1),
                "source": child.source(),
            }
        )
        return []
    score, parent, title = top
    if child.place is None or parent.place is None or parent.place not in within[child.place]:
        why = (
            "不知两方案所属地区"
            if child.place is None or parent.place is None
            else "上级方案的地区不包含本方案的地区"
        )
        findings.append(
            {
                "kind": "parent_plan_not_above",
                "message": f"通知所引《{title}》即存储中方案《{parent.doc_title}》，但{why}，"
                "不作为上下级分解关联；可用 --implements 指定 (the cited plan is not of a level "
                "above)",
                "parent": parent.iri,
                "source": child.source(),
            }
        )
        return []
    return [PlanLink(child.iri, parent.iri, "notice", title, score)]


def _title_similarity(a: str, b: str) -> float:
    from rapidfuzz import fuzz

    return float(fuzz.ratio(normalize_title(a), normalize_title(b)))


def _items(store: pyoxigraph.Store, table: str) -> dict[str, _Item]:
    items: dict[str, _Item] = {}
    for r in _select(store, _ITEMS, table=NamedNode(table)):
        item = items.setdefault(r["item"].value, _Item(r["item"].value))
        kind = r["kind"].value
        if kind == "item":
            item.label = r["label"].value
            item.order = int(r["order"].value)
            if "row" in r:
                item.cell = {
                    "row": int(r["row"].value),
                    "line": int(r["line"].value),
                    "column": int(r["column"].value),
                    "header": r["header"].value,
                }
                if "location" in r:
                    item.cell["location"] = r["location"].value
        elif kind == "target":
            item.targets[int(r["year"].value)].append(
                (int(r["order"].value), r["node"].value, r["text"].value)
            )
        else:
            item.baseline.append(r["text"].value)
    for item in items.values():
        for year in item.targets.values():
            year.sort()
    return items


def _item_score(child: _Item, parent: _Item) -> float:
    """The higher of the names' similarity and that of their closest texts (targets, baseline)."""
    best = similarity(child.label, parent.label)
    parent_texts = parent.texts()
    for text in child.texts():
        for other in parent_texts:
            if best >= 100:
                return best
            best = max(best, similarity(text, other))
    return best


def _target_links(child: _Item, parent: _Item, plan: PlanLink) -> list[LevelLink]:
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    links = []
    for year, ours in child.targets.items():
        theirs = parent.targets.get(year)
        if not theirs:
            continue
        scores = np.array([[similarity(a[2], b[2]) for b in theirs] for a in ours])
        rows, cols = linear_sum_assignment(scores, maximize=True)
        for r, c in zip(rows, cols, strict=True):
            if scores[r, c] >= DEFAULT_THRESHOLD:
                links.append(
                    LevelLink(ours[r][1], theirs[c][1], float(scores[r, c]), plan, "target")
                )
    return links


def _item_links(
    store: pyoxigraph.Store,
    child: _Table,
    plans: list[PlanLink],
    tables: dict[str, _Table],
    findings: list[dict[str, Any]],
) -> list[LevelLink]:
    ours = _items(store, child.iri)
    candidates: list[tuple[_Item, PlanLink, bool]] = []  # (parent item, plan link, assigned)
    for plan in plans:
        theirs = _items(store, plan.parent)
        assigned: set[str] = set()
        if child.gov is not None:
            rows = _select(store, _ASSIGNED, table=NamedNode(plan.parent), gov=NamedNode(child.gov))
            assigned = {r["item"].value for r in rows}
        else:
            findings.append(
                {
                    "kind": "unknown_child_government",
                    "message": f"不知本方案所属政府，无法判断上级方案《{tables[plan.parent].title}》"
                    "中哪些工作分配给本地；按全部工作匹配 (the plan's government is unknown)",
                    "source": child.source(),
                }
            )
        for item in sorted(theirs.values(), key=lambda i: i.order):
            candidates.append((item, plan, child.gov is None or item.iri in assigned))
    links: list[LevelLink] = []
    for item in sorted(ours.values(), key=lambda i: i.order):
        scored = sorted(
            ((_item_score(item, p), p, plan, ok) for p, plan, ok in candidates),
            key=lambda s: -s[0],
        )
        eligible = [s for s in scored if s[3]]
        best = eligible[0] if eligible else None
        outside = next((s for s in scored if not s[3]), None)
        source = {**child.source(), **item.cell}
        if best is None or best[0] < DEFAULT_THRESHOLD:
            finding: dict[str, Any] = {
                "kind": "unlinked_work_item",
                "message": f"工作“{item.label}”未对应上级方案中分配给本地的任何工作"
                + (f"（最接近：“{best[1].label}”，{best[0]:.0f} 分）" if best else "")
                + " (carries down no parent work item)",
                "work_item": item.label,
                "iri": item.iri,
                "source": source,
            }
            if best is not None:
                finding["closest"] = {"iri": best[1].iri, "score": round(best[0], 1)}
            findings.append(finding)
        if outside is not None and outside[0] >= DEFAULT_THRESHOLD:
            if best is None or outside[0] > best[0]:
                findings.append(
                    {
                        "kind": "implements_unassigned_item",
                        "message": f"工作“{item.label}”最接近上级工作“{outside[1].label}”"
                        f"（{outside[0]:.0f} 分），但该工作未分配给{child.gov_label or '本地'} "
                        "(closest to a parent work item not assigned to this plan's government)",
                        "work_item": item.label,
                        "iri": item.iri,
                        "parent": outside[1].iri,
                        "source": source,
                    }
                )
        if best is None or best[0] < DEFAULT_THRESHOLD:
            continue
        score, parent, plan, _ = best
        second = eligible[1] if len(eligible) > 1 else None
        ambiguous = (
            second is not None
            and second[0] >= DEFAULT_THRESHOLD
            and score - second[0] < AMBIGUITY_MARGIN
        )
        link = LevelLink(
            item.iri,
            parent.iri,
            score,
            plan,
            "item",
            runner_up=second[1].iri if ambiguous and second else None,
            runner_up_score=second[0] if ambiguous and second else None,
        )
        links.append(link)
        if ambiguous and second is not None:
            findings.append(
                {
                    "kind": "ambiguous_level_link",
                    "message": f"工作“{item.label}”承接上级“{parent.label}”（{score:.0f} 分），"
                    f"但“{second[1].label}”（{second[0]:.0f} 分）同样接近 "
                    "(a second parent work item scores close)",
                    "work_item": item.label,
                    "iri": item.iri,
                    "parent": parent.iri,
                    "runner_up": second[1].iri,
                    "source": source,
                }
            )
        links += _target_links(item, parent, plan)
    return links


def compute_levels(store: pyoxigraph.Store) -> Levels:
    """Plan, work item and target links over everything in ``store``, and the doubts met."""
    levels = Levels()
    tables = _tables(store)
    levels.plans = _plan_links(store, tables, levels.findings)
    by_child: dict[str, list[PlanLink]] = defaultdict(list)
    for plan in levels.plans:
        by_child[plan.child].append(plan)
    for child, plans in by_child.items():
        levels.links += _item_links(store, tables[child], plans, tables, levels.findings)
    return levels


def link_levels(store: pyoxigraph.Store, base: str) -> Levels:
    """Recompute the levels graph ``{base}graph/levels`` of ``store`` (see the module docs)."""
    graph = NamedNode(base + LEVELS_GRAPH)
    store.remove_graph(graph)
    levels = compute_levels(store)
    quads = levels.quads(graph) + _recorded_findings(store, levels.findings, graph)
    if quads:
        store.extend(quads)
    return levels


def _recorded_findings(
    store: pyoxigraph.Store, findings: list[dict[str, Any]], graph: NamedNode
) -> list[Quad]:
    """The levels' findings recorded in the levels graph (graph/_recorded.py), each table's
    numbered on after the findings its build recorded in its own graph (``fj:findingCount``)."""
    recorded = {
        q.subject.value: int(q.object.value)
        for q in store.quads_for_pattern(None, FJ.findingCount, None)
        if isinstance(q.subject, NamedNode) and isinstance(q.object, Literal)
    }
    by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in findings:
        by_table[finding["source"]["table"]].append(finding)
    quads: list[Quad] = []
    for table, found in by_table.items():
        slug = table.rstrip("/").rsplit("/", 1)[-1]
        prefix = f"{graph.value}/finding/{slug}"
        start = recorded.get(table, 0)
        quads += finding_quads(
            found, table=table, graph=graph, prefix=prefix, start=start, count=False
        )
    return quads


def levels_findings(
    store: pyoxigraph.Store, tables: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """The findings of linking (for ``fenjie check``), only those of ``tables`` when given."""
    findings = compute_levels(store).findings
    if tables is None:
        return findings
    wanted = set(tables)
    return [f for f in findings if f["source"]["table"] in wanted]


def levels_summary(store: pyoxigraph.Store, tables: Iterable[str] | None = None) -> list[str]:
    """One line per plan link touching ``tables`` (all when None), for the build summary."""
    wanted = None if tables is None else set(tables)
    lines = []
    for r in _select(store, "levels-summary"):
        child, parent = r["child"].value, r["parent"].value
        if wanted is not None and not {child, parent} & wanted:
            continue
        evidence = {"user": "--implements", "notice": "通知所引标题"}.get(r["evidence"].value, "")
        lines.append(
            f"分解落实：《{_value(r, 'childTitle') or child}》→"
            f"《{_value(r, 'parentTitle') or parent}》（依据：{evidence}；"
            f"承接工作 {r['items'].value} 项，承接目标 {r['targets'].value} 项） (implements)"
        )
    return lines
