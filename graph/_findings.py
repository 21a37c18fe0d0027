"""Findings of source tables from the rows of the check queries (``graph/sparql/check-*.rq``).

The rows come from one of two places and are turned into findings here, by the same code:

- the store (``fenjie check``, the server's findings, a table skipped as unchanged): the queries
  run over the store's graphs, each answer's terms reduced to their values
  (:func:`plain_rows`);
- the builder, while it builds one table (:mod:`graph._table_facts`): the same rows, gathered from
  what it writes, so that ``fenjie build`` reports a table's findings without asking the store.

A row is a dict of the query's variable names to the values of the terms bound (unbound ones
left out), all strings: ``{"table": IRI, "row": "3", "unresolved": "true", ...}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypedDict

from fenjie.graph._cells import numbering_gaps, split_enumeration
from fenjie.graph._documents import GENERIC_TITLES

__all__ = [
    "CHECK_QUERIES",
    "NOTE_KINDS",
    "Row",
    "Select",
    "Source",
    "describe_source",
    "plain_rows",
    "source_findings",
    "written_unit_findings",
]

Row = dict[str, str]
Select = Callable[[str], list[Row]]
"""Answers a check query by name (``check-written-units``) with its rows."""

#: The check queries the findings of one table are made from, in the order they are asked.
CHECK_QUERIES = (
    "check-unknown-jurisdiction",
    "check-unregistered-units",
    "check-written-units",
    "check-both-roles",
    "check-no-responsible",
    "check-documents",
    "check-enumerated-cells",
    "check-item-numbers",
)

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


def plain_rows(solutions: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Rows of RDF terms (``FenjieStore.select``) as rows of their values."""
    return [{name: term.value for name, term in row.items()} for row in solutions]


def _source(row: Row) -> Source:
    source: Source = {
        "table": row["table"],
        "row": int(row["row"]),
        "line": int(row["line"]),
        "column": int(row["column"]),
        "header": row["header"],
    }
    if "file" in row:
        source["file"] = row["file"]
    if "location" in row:
        source["location"] = row["location"]
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


def source_findings(select: Select) -> list[dict[str, Any]]:
    """The doubtful parses the check queries' rows show (notes left out): units in no
    vocabulary, role text left over after splitting, units both responsible and supporting,
    work items without a responsible unit, documents not tied to a title, gaps and jumps in
    numbering."""
    findings: list[dict[str, Any]] = []
    for r in select("check-unknown-jurisdiction"):
        source: Source = {"table": r["table"]}
        if "file" in r:
            source["file"] = r["file"]
        findings.append(
            {
                "kind": "unknown_jurisdiction",
                "message": "来源未写明所属地区（标题、文号、发文机关、单位均未指明），其简称单位保持原样；"
                "可用 --jurisdiction 指定 (the source names no jurisdiction)",
                "source": source,
            }
        )
    for r in select("check-unregistered-units"):
        unresolved = r["unresolved"] == "true"
        findings.append(
            {
                "kind": "unresolved_unit" if unresolved else "unregistered_unit",
                "message": (
                    f"单位“{r['label']}”保持原样：不知其所属地区 "
                    "(kept as written: the jurisdiction is unknown)"
                    if unresolved
                    else f"单位“{r['label']}”不在单位名录和机构词表中 (in no unit vocabulary)"
                ),
                "unit": r["label"],
                "iri": r["unit"],
                "source": _source(r),
            }
        )
    findings += [
        f
        for f in written_unit_findings(select("check-written-units"))
        if f["kind"] not in NOTE_KINDS
    ]
    for r in select("check-both-roles"):
        findings.append(
            {
                "kind": "responsible_and_supporting",
                "message": f"“{r['label']}”对“{r['itemLabel']}”既负责又配合 "
                "(both responsible and supporting)",
                "unit": r["label"],
                "iri": r["unit"],
                "work_item": r["itemLabel"],
                "source": _source(r),
            }
        )
    for r in select("check-no-responsible"):
        findings.append(
            {
                "kind": "no_responsible_unit",
                "message": f"工作“{r['label']}”没有牵头或负责单位 (no responsible unit)",
                "work_item": r["label"],
                "iri": r["item"],
                "source": _source(r),
            }
        )
    for r in select("check-documents"):
        if r["title"] in GENERIC_TITLES:
            findings.append(
                {
                    "kind": "unresolved_document",
                    "message": f"《{r['title']}》未指明具体文件：表中没有定义这个简称 "
                    "(not tied to a title)",
                    "document": r["title"],
                    "iri": r["doc"],
                    "source": _source(r),
                }
            )
    for r in select("check-enumerated-cells"):
        missing = numbering_gaps(split_enumeration(r["value"]))
        if missing:
            findings.append(
                {
                    "kind": "numbering_gap",
                    "message": f"编号缺 {'、'.join(map(str, missing))} (enumeration skips)",
                    "missing": missing,
                    "source": _source(r),
                }
            )
    findings += _item_numbering(select("check-item-numbers"))
    return findings


def written_unit_findings(rows: list[Row]) -> list[dict[str, Any]]:
    """Role text left over after splitting, and units known only by a short name: written
    otherwise than their full name, resolved to a body of a vocabulary (reported once per table,
    unit and spelling)."""
    findings: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for r in rows:
        written = r["written"]
        name = _SCOPE.sub("", written).strip()
        if _CLAUSE_WORDS.search(name) or len(name) > 30:
            findings.append(
                {
                    "kind": "leftover_role_text",
                    "message": f"“{written}”不像单位名称：可能是拆分后剩下的分工说明 "
                    "(role text left over after splitting)",
                    "unit": written,
                    "iri": r["unit"],
                    "source": _source(r),
                }
            )
        elif r["registered"] == "true" and "full" in r and name != r["full"]:
            key = (r["table"], r["unit"], name)
            if key in seen:
                continue
            seen.add(key)
            findings.append(
                {
                    "kind": "short_name",
                    "message": f"“{name}”只凭简称认定为“{r['full']}” "
                    "(resolved only by a short name)",
                    "unit": name,
                    "iri": r["unit"],
                    "source": _source(r),
                }
            )
    return findings


def _item_numbering(rows: list[Row]) -> list[dict[str, Any]]:
    """Gaps and jumps in the numbers of work items, table by table, and items without a number
    among numbered ones. Numbering may restart in each category or run on across categories;
    anything else is reported where it happens."""
    findings: list[dict[str, Any]] = []
    last: dict[str, tuple[str, int]] = {}  # table → (category, number) of the item before
    numbered = {r["table"] for r in rows if r.get("number") is not None}
    for r in rows:
        if r.get("number") is None:
            # among numbered items, an item without one had its number damaged (a page's
            # mojibake ate "（二）"): its text, and whether it is an item at all, are in doubt
            if r["table"] in numbered:
                findings.append(
                    {
                        "kind": "unnumbered_item",
                        "message": "工作没有可读的编号，而同表的工作有编号 "
                        "(a work item without a readable number in a table that numbers them)",
                        "missing": [],
                        "work_item": r["label"],
                        "source": _source(r),
                    }
                )
            continue
        table, category, number = r["table"], r["category"], int(r["number"])
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
                "work_item": r["label"],
                "source": _source(r),
            }
        )
    return findings
