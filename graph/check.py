"""``fenjie check``: SHACL validation (pyshacl) and a data-quality report.

Quality findings are doubts about the source tables worth a human look (``build --strict`` refuses
them); notes say how a name was read where the reading rests on a vocabulary (a registered short
name such as 省科技厅 in a 湖南 plan): facts to review, not doubts. Neither makes the graph invalid.
Each names the source cell (table, row, column, line) it comes from.

>>> from fenjie.graph import FenjieStore, build_sources
>>> from fenjie.config import bundled_example
>>> store = FenjieStore.in_memory()
>>> _ = build_sources([bundled_example()], store=store)
>>> report = check(store)
>>> report["conforms"], [f["unit"] for f in report["findings"] if f["kind"] == "responsible_and_supporting"]
(True, ['省商务厅'])
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib.resources import files
from typing import Any, TypedDict

import pyoxigraph
import rdflib
from pyoxigraph import NamedNode, RdfFormat

from fenjie.graph._cells import numbering_gaps, split_enumeration
from fenjie.graph._documents import GENERIC_TITLES
from fenjie.graph._levels import levels_findings
from fenjie.graph._sparql import sparql
from fenjie.graph.store import FenjieStore

__all__ = [
    "NOTE_KINDS",
    "Source",
    "check",
    "describe_source",
    "findings_by_table",
    "quality_findings",
    "resolution_notes",
    "shacl_results",
]

# Kinds that record a reading resting on a vocabulary rather than a doubt: reported by
# `fenjie check` as notes, never counted against `build --strict`.
NOTE_KINDS = frozenset({"short_name"})


# Words of clauses about roles, never of a unit's name: a unit label holding one is role text
# the splitting left over (按职责分工负责, 排在第一位的为牵头单位, 具体任务涉及…).
_CLAUSE_WORDS = re.compile(
    r"负责|牵头|配合|按职责|涉及|不再|下同|分工|为准|以下|等单位|[。：:；;]|^[（(]|[）)]$"
)
_SCOPE = re.compile(r"[（(][^（）()]*[）)]$")


class _SourceTable(TypedDict):
    table: str


class Source(_SourceTable, total=False):
    """Where a finding comes from: its table, and for a cell its row, line, column and header."""

    file: str
    location: str
    row: int
    line: int
    column: int
    header: str


def _source(row: dict[str, Any]) -> Source:
    source: Source = {
        "table": row["table"].value,
        "row": int(row["row"].value),
        "line": int(row["line"].value),
        "column": int(row["column"].value),
        "header": row["header"].value,
    }
    if "file" in row:
        source["file"] = row["file"].value
    if "location" in row:
        source["location"] = row["location"].value
    return source


def describe_source(source: Source) -> str:
    """Where a finding comes from, for people: ``plan.txt lines 9–13 (row 2, column 3 责任单位)``."""
    file = source.get("file", "")
    if "row" not in source:  # a finding about the whole source
        return file or source["table"]
    where = source.get("location") or f"line {source['line']}"
    return (
        f"{file} {where} (row {source['row']}, column {source['column']} {source['header']})"
    ).strip()


def quality_findings(
    store: FenjieStore, *, graphs: Iterable[NamedNode] | None = None
) -> list[dict[str, Any]]:
    """Every doubtful parse, each with its source cell: units in no vocabulary, role text left
    over after splitting, units both responsible and supporting, work items without a
    responsible unit, documents not tied to a title, gaps and jumps in numbering. ``graphs``
    limits the findings to those tables (and the shared graph)."""
    findings: list[dict[str, Any]] = []
    for scope in _scopes(store, graphs):
        findings += _source_findings(store, scope)
    # plans implementing plans: doubtful title matches, ambiguous or missing work item links
    tables = None if graphs is None else [g.value for g in graphs]
    findings += levels_findings(store.inner, tables)
    return findings


def _scopes(store: FenjieStore, graphs: Iterable[NamedNode] | None) -> list[list[NamedNode] | None]:
    """The graph sets the source findings are asked over: one per table given, each with the
    non-table graphs given (shared units, vocabularies), so that the cost of each stays with the
    table's size rather than the store's; or the union of all graphs when none are given."""
    if graphs is None:
        return [None]
    graphs = list(graphs)
    known = {t.value for t in store.tables()}
    tables = [g for g in graphs if g.value in known]
    shared = [g for g in graphs if g.value not in known]
    return [[table, *shared] for table in tables] or [graphs]


def _source_findings(store: FenjieStore, graphs: list[NamedNode] | None) -> list[dict[str, Any]]:
    def select(query: str) -> list[dict[str, Any]]:
        return store.select(query, graphs=graphs)

    findings: list[dict[str, Any]] = []
    for r in select(sparql("check-unknown-jurisdiction")):
        source: Source = {"table": r["table"].value}
        if "file" in r:
            source["file"] = r["file"].value
        findings.append(
            {
                "kind": "unknown_jurisdiction",
                "message": "来源未写明所属地区（标题、文号、发文机关、单位均未指明），其简称单位保持原样；"
                "可用 --jurisdiction 指定 (the source names no jurisdiction)",
                "source": source,
            }
        )
    for r in select(sparql("check-unregistered-units")):
        unresolved = r["unresolved"].value == "true"
        findings.append(
            {
                "kind": "unresolved_unit" if unresolved else "unregistered_unit",
                "message": (
                    f"单位“{r['label'].value}”保持原样：不知其所属地区 "
                    "(kept as written: the jurisdiction is unknown)"
                    if unresolved
                    else f"单位“{r['label'].value}”不在单位名录和机构词表中 (in no unit vocabulary)"
                ),
                "unit": r["label"].value,
                "iri": r["unit"].value,
                "source": _source(r),
            }
        )
    findings += [
        f
        for f in _written_unit_findings(select(sparql("check-written-units")))
        if f["kind"] not in NOTE_KINDS
    ]
    for r in select(sparql("check-both-roles")):
        findings.append(
            {
                "kind": "responsible_and_supporting",
                "message": f"“{r['label'].value}”对“{r['itemLabel'].value}”既负责又配合 "
                "(both responsible and supporting)",
                "unit": r["label"].value,
                "iri": r["unit"].value,
                "work_item": r["itemLabel"].value,
                "source": _source(r),
            }
        )
    for r in select(sparql("check-no-responsible")):
        findings.append(
            {
                "kind": "no_responsible_unit",
                "message": f"工作“{r['label'].value}”没有牵头或负责单位 (no responsible unit)",
                "work_item": r["label"].value,
                "iri": r["item"].value,
                "source": _source(r),
            }
        )
    for r in select(sparql("check-documents")):
        if r["title"].value in GENERIC_TITLES:
            findings.append(
                {
                    "kind": "unresolved_document",
                    "message": f"《{r['title'].value}》未指明具体文件：表中没有定义这个简称 "
                    "(not tied to a title)",
                    "document": r["title"].value,
                    "iri": r["doc"].value,
                    "source": _source(r),
                }
            )
    for r in select(sparql("check-enumerated-cells")):
        missing = numbering_gaps(split_enumeration(r["value"].value))
        if missing:
            findings.append(
                {
                    "kind": "numbering_gap",
                    "message": f"编号缺 {'、'.join(map(str, missing))} (enumeration skips)",
                    "missing": missing,
                    "source": _source(r),
                }
            )
    findings += _item_numbering(select(sparql("check-item-numbers")))
    return findings


def resolution_notes(
    store: FenjieStore, *, graphs: Iterable[NamedNode] | None = None
) -> list[dict[str, Any]]:
    """Units read through a registered short name (省科技厅 → 湖南省科学技术厅), each with its
    source cell, once per table, unit and spelling: the readings a reviewer may want to see."""
    select = store.select
    return [
        f
        for f in _written_unit_findings(select(sparql("check-written-units"), graphs=graphs))
        if f["kind"] in NOTE_KINDS
    ]


def _written_unit_findings(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Role text left over after splitting, and units known only by a short name: written
    otherwise than their full name, resolved to a body of a vocabulary (reported once per table,
    unit and spelling)."""
    findings: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for r in rows:
        written = r["written"].value
        name = _SCOPE.sub("", written).strip()
        if _CLAUSE_WORDS.search(name) or len(name) > 30:
            findings.append(
                {
                    "kind": "leftover_role_text",
                    "message": f"“{written}”不像单位名称：可能是拆分后剩下的分工说明 "
                    "(role text left over after splitting)",
                    "unit": written,
                    "iri": r["unit"].value,
                    "source": _source(r),
                }
            )
        elif r["registered"].value == "true" and "full" in r and name != r["full"].value:
            key = (r["table"].value, r["unit"].value, name)
            if key in seen:
                continue
            seen.add(key)
            findings.append(
                {
                    "kind": "short_name",
                    "message": f"“{name}”只凭简称认定为“{r['full'].value}” "
                    "(resolved only by a short name)",
                    "unit": name,
                    "iri": r["unit"].value,
                    "source": _source(r),
                }
            )
    return findings


def _item_numbering(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Gaps and jumps in the numbers of work items, table by table. Numbering may restart in each
    category or run on across categories; anything else is reported where it happens."""
    findings: list[dict[str, Any]] = []
    last: dict[str, tuple[str, int]] = {}  # table → (category, number) of the item before
    for r in rows:
        table, category, number = r["table"].value, r["category"].value, int(r["number"].value)
        before = last.get(table)
        last[table] = (category, number)
        if before is None:
            expected: tuple[int, ...] = (1,)
        elif before[0] == category:
            expected = (before[1] + 1,)
        else:
            expected = (1, before[1] + 1)
        if number in expected:
            continue
        if number > max(expected):
            missing = list(range(max(expected), number))
            kind, message = "numbering_gap", f"工作编号缺 {'、'.join(map(str, missing))} (gap)"
        else:
            missing = []
            kind, message = (
                "numbering_jump",
                f"工作编号 {number} 接在 {before[1] if before else 0} 之后 (jump)",
            )
        findings.append(
            {
                "kind": kind,
                "message": message,
                "missing": missing,
                "work_item": r["label"].value,
                "source": _source(r),
            }
        )
    return findings


def findings_by_table(store: FenjieStore) -> list[dict[str, Any]]:
    """The findings and notes grouped by source table: ``[{"table", "title", "file",
    "findings": [...], "notes": [...]}]``, every table listed (with empty lists when there are
    none), each finding and note with ``where`` for people."""
    groups = {
        r["table"].value: {
            "table": r["table"].value,
            "title": r["title"].value if "title" in r else "",
            "file": r["file"].value if "file" in r else "",
            "findings": [],
            "notes": [],
        }
        for r in store.select(sparql("source-tables"))
    }
    for key, entries in (("findings", quality_findings(store)), ("notes", resolution_notes(store))):
        for entry in entries:
            group = groups.get(entry["source"]["table"])
            if group is not None:
                group[key].append({**entry, "where": describe_source(entry["source"])})
    return list(groups.values())


def shacl_results(store: FenjieStore) -> list[dict[str, str]]:
    """Violations of ``ontology/shapes.ttl`` over the union of all graphs."""
    import pyshacl  # slow to import; only `check` needs it

    triples = store.construct(sparql("all-triples"))
    data = rdflib.Graph().parse(
        data=pyoxigraph.serialize(triples, format=RdfFormat.N_TRIPLES), format="nt"
    )
    shapes = rdflib.Graph().parse(
        data=(files("fenjie.ontology") / "shapes.ttl").read_text("utf-8"), format="turtle"
    )
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    results = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        results.append(
            {
                "focus": str(report.value(result, sh.focusNode)),
                "path": str(report.value(result, sh.resultPath) or ""),
                "severity": str(report.value(result, sh.resultSeverity)).rsplit("#", 1)[-1],
                "message": str(report.value(result, sh.resultMessage) or ""),
            }
        )
    return sorted(results, key=lambda r: (r["focus"], r["path"]))


def check(store: FenjieStore) -> dict[str, Any]:
    """The full report: ``{"conforms", "violations", "findings", "notes"}``."""
    violations = shacl_results(store)
    return {
        "conforms": not any(v["severity"] == "Violation" for v in violations),
        "violations": violations,
        "findings": quality_findings(store),
        "notes": resolution_notes(store),
    }
