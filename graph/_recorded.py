"""Findings recorded in the store: each table's, written by the build beside what they are about.

``fenjie check`` finds doubtful parses by asking the whole store (a minute at a million triples),
while the builder already knows each table's findings from what it wrote
(:mod:`graph._table_facts`). So the build records them as RDF: a node ``fj:Finding`` per finding,
in the table's own graph (replaced, pushed and removed with the table) and, for the levels'
findings made across tables, in the levels graph that every build recomputes. The web page reads
them with one named query (``queries/findings.rq``) from an embedded store or a remote one.

A finding node holds the finding's kind, message, order among its table's findings and the place
in the source (row, line, column, header, location: the fields of its ``source``); whatever else
it names (a unit, work item or document and their IRIs, missing numbers, scores) is one JSON
object, ``fj:findingDetail``. The table's ``fj:findingCount`` says the findings were recorded (a
table built before they were has none), and how many.

>>> from pyoxigraph import NamedNode
>>> finding = {"kind": "numbering_gap", "message": "编号缺 3", "missing": [3],
...            "source": {"table": "https://x/table/t", "file": "t.tsv", "row": 2, "line": 4,
...                       "column": 3, "header": "2023年目标"}}
>>> quads = finding_quads([finding], table="https://x/table/t", graph=NamedNode("https://x/table/t"))
>>> sorted(q.predicate.value.rsplit("#", 1)[-1] for q in quads)[:4]
['findingColumn', 'findingCount', 'findingDetail', 'findingHeader']
>>> row = {"table": "https://x/table/t", "file": "t.tsv", "kind": "numbering_gap",
...        "message": "编号缺 3", "detail": '{"missing":[3]}', "row": "2", "line": "4",
...        "column": "3", "header": "2023年目标"}
>>> read_finding(row) == finding
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from fenjie.graph._vocab import FJ, RDF, XSD

__all__ = ["finding_quads", "read_finding"]

# the fields of a finding's ``source`` recorded as terms of their own (the table is fj:findingIn,
# the file the table's fj:sourceFile), with their datatype: int or str
_PLACE = {
    "row": (FJ.findingRow, int),
    "line": (FJ.findingLine, int),
    "column": (FJ.findingColumn, int),
    "header": (FJ.findingHeader, str),
    "location": (FJ.findingLocation, str),
}
_OWN = ("kind", "message", "source")  # a finding's keys that are not in its detail


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


def finding_quads(
    findings: Iterable[Mapping[str, Any]],
    *,
    table: str,
    graph: NamedNode,
    prefix: str | None = None,
    start: int = 0,
    count: bool = True,
) -> list[Quad]:
    """The quads recording ``findings`` of ``table`` in ``graph``: nodes ``{prefix}/{n}`` (by
    default ``{table}/finding/{n}``) numbered on from ``start``; with ``count``, the table's
    ``fj:findingCount`` too (the table's own findings are recorded with it, the levels' without)."""
    node_prefix = prefix if prefix is not None else f"{table}/finding"
    out: list[Quad] = []
    n = start
    for n, finding in enumerate(findings, start=start + 1):
        node = NamedNode(f"{node_prefix}/{n}")

        def add(p: NamedNode, o: NamedNode | Literal, node: NamedNode = node) -> None:
            out.append(Quad(node, p, o, graph))

        add(RDF.type, FJ.Finding)
        add(FJ.findingIn, NamedNode(table))
        add(FJ.findingOrder, _int(n))
        add(FJ.findingKind, Literal(finding["kind"]))
        add(FJ.findingMessage, Literal(finding["message"]))
        source = finding.get("source", {})
        for key, (term, kind) in _PLACE.items():
            if key in source:
                add(term, _int(source[key]) if kind is int else Literal(source[key]))
        detail = {k: v for k, v in finding.items() if k not in _OWN}
        if detail:
            text = json.dumps(detail, ensure_ascii=False, separators=(",", ":"))
            add(FJ.findingDetail, Literal(text, datatype=RDF.JSON))
    if count:
        out.append(Quad(NamedNode(table), FJ.findingCount, _int(n - start), graph))
    return out


def read_finding(row: Mapping[str, str]) -> dict[str, Any]:
    """A finding as ``fenjie check`` gives it, from the values of one row of
    ``queries/findings.rq`` (variable → value; unbound ones left out)."""
    finding: dict[str, Any] = {"kind": row["kind"], "message": row["message"]}
    if "detail" in row:
        finding.update(json.loads(row["detail"]))
    source: dict[str, Any] = {"table": row["table"]}
    if "file" in row:
        source["file"] = row["file"]
    for key, (_, kind) in _PLACE.items():
        if key in row:
            source[key] = int(row[key]) if kind is int else row[key]
    finding["source"] = source
    return finding
