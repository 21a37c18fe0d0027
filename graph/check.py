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

from collections.abc import Iterable
from importlib.resources import files
from typing import Any

import pyoxigraph
import rdflib
from pyoxigraph import NamedNode, RdfFormat

from fenjie.graph._findings import (
    NOTE_KINDS,
    Row,
    Source,
    describe_source,
    plain_rows,
    source_findings,
    written_unit_findings,
)
from fenjie.graph._levels import levels_findings
from fenjie.graph._pipeline import BuiltSource
from fenjie.graph._sparql import sparql
from fenjie.graph.builder import SHARED_GRAPH
from fenjie.graph.store import FenjieStore

__all__ = [
    "NOTE_KINDS",
    "Source",
    "build_findings",
    "check",
    "describe_source",
    "findings_by_table",
    "quality_findings",
    "resolution_notes",
    "shacl_results",
]


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


def build_findings(
    store: FenjieStore, built: Iterable[BuiltSource], *, base: str
) -> list[dict[str, Any]]:
    """The findings of the tables a build wrote, as :func:`quality_findings` gives them for those
    tables: a built table's from its builder (``BuiltSource.findings``, nothing asked of the
    store), a table skipped as unchanged asked from the store, then the levels' findings of all
    (plans implementing plans: made across tables, from the store)."""
    built = list(built)
    shared = [NamedNode(base + g) for g in (SHARED_GRAPH, "graph/registry", "graph/agencies")]
    findings: list[dict[str, Any]] = []
    for table in built:
        if table.skipped:
            findings += _source_findings(store, [table.iri, *shared])
        else:
            findings += table.findings
    findings += levels_findings(store.inner, [t.iri.value for t in built])
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
    def select(name: str) -> list[Row]:
        return plain_rows(store.select(sparql(name), graphs=graphs))

    return source_findings(select)


def resolution_notes(
    store: FenjieStore, *, graphs: Iterable[NamedNode] | None = None
) -> list[dict[str, Any]]:
    """Units read through a registered short name (省科技厅 → 湖南省科学技术厅), each with its
    source cell, once per table, unit and spelling: the readings a reviewer may want to see."""
    rows = plain_rows(store.select(sparql("check-written-units"), graphs=graphs))
    return [f for f in written_unit_findings(rows) if f["kind"] in NOTE_KINDS]


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
