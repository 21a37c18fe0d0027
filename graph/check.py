"""``fenjie check``: SHACL validation (pyshacl) and a data-quality report.

Quality findings are facts about the source tables worth a human look; they do not make the graph
invalid. Each names the source cell (table, row, column, line) it comes from.

>>> from fenjie.graph import FenjieStore, build_sources
>>> from fenjie.config import bundled_example
>>> store = FenjieStore.in_memory()
>>> _ = build_sources([bundled_example()], store=store)
>>> report = check(store)
>>> report["conforms"], [f["unit"] for f in report["findings"] if f["kind"] == "responsible_and_supporting"]
(True, ['省商务厅'])
"""

from __future__ import annotations

from collections import defaultdict
from importlib.resources import files
from typing import Any

import pyoxigraph
import rdflib
from pyoxigraph import RdfFormat

from fenjie.graph._documents import GENERIC_TITLES
from fenjie.graph.store import FenjieStore

__all__ = ["check", "quality_findings", "shacl_results"]

from fenjie.vocab import FJ_NS as FJ

_PREFIXES = f"""
PREFIX fj: <{FJ}>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
"""
_WHERE = """
  ?cell fj:inTable ?table ; fj:rowIndex ?row ; fj:sourceLine ?line ;
        fj:column/fj:columnIndex ?column ; fj:column/rdfs:label ?header ."""

_UNREGISTERED = (
    _PREFIXES
    + """
SELECT DISTINCT ?unit ?label ?unresolved ?cell ?table ?row ?line ?column ?header WHERE {
  ?unit a fj:UnregisteredUnit ; skos:prefLabel ?label .
  BIND(EXISTS { ?unit a fj:UnresolvedUnit } AS ?unresolved)
  ?a fj:unit ?unit ; prov:wasDerivedFrom ?cell ."""
    + _WHERE
    + "} ORDER BY ?table ?row ?column"
)

# Sources whose jurisdiction is unknown: their short unit names (省科技厅) stay as written.
_UNKNOWN_JURISDICTION = (
    _PREFIXES
    + """
SELECT ?table ?title WHERE {
  ?table a fj:SourceTable ; fj:jurisdiction fj:UnknownJurisdiction .
  OPTIONAL { ?table dct:title ?title }
} ORDER BY ?table"""
)

_BOTH_ROLES = (
    _PREFIXES
    + """
SELECT DISTINCT ?unit ?label ?item ?itemLabel ?cell ?table ?row ?line ?column ?header WHERE {
  ?unit fj:responsibleFor ?item ; fj:supports ?item .
  ?item rdfs:label ?itemLabel .
  ?a fj:unit ?unit ; fj:workItem ?item ; fj:role fj:SupportingRole ; prov:wasDerivedFrom ?cell .
  ?a fj:writtenAs ?label ."""
    + _WHERE
    + "} ORDER BY ?table ?row"
)

_DOCUMENTS = (
    _PREFIXES
    + """
SELECT DISTINCT ?doc ?title ?cell ?table ?row ?line ?column ?header WHERE {
  ?doc a fj:PolicyDocument ; dct:title ?title .
  ?m fj:document ?doc ; prov:wasDerivedFrom ?cell ."""
    + _WHERE
    + "} ORDER BY ?table ?row ?column"
)

_NUMBERED = (
    _PREFIXES
    + """
SELECT ?cell ?number ?table ?row ?line ?column ?header WHERE {
  VALUES ?kind { fj:BaselineItem fj:Target }
  ?node a ?kind ; fj:itemNumber ?number ; prov:wasDerivedFrom ?cell ."""
    + _WHERE
    + "}"
)


def _source(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "table": row["table"].value,
        "row": int(row["row"].value),
        "line": int(row["line"].value),
        "column": int(row["column"].value),
        "header": row["header"].value,
    }


def quality_findings(store: FenjieStore) -> list[dict[str, Any]]:
    """Sources of unknown jurisdiction, units kept as written (unresolved: jurisdiction unknown;
    unregistered: in no vocabulary), units both responsible and supporting, unresolved document
    mentions, enumerations with gaps in their numbering."""
    findings: list[dict[str, Any]] = []
    for r in store.select(_UNKNOWN_JURISDICTION):
        findings.append(
            {
                "kind": "unknown_jurisdiction",
                "message": "the source names no jurisdiction (title, 文号, issuer, units): its "
                "short unit names stay unresolved; build it with --jurisdiction",
                "source": {"table": r["table"].value},
            }
        )
    for r in store.select(_UNREGISTERED):
        unresolved = r["unresolved"].value == "true"
        findings.append(
            {
                "kind": "unresolved_unit" if unresolved else "unregistered_unit",
                "message": (
                    f"unit {r['label'].value} is kept as written: the jurisdiction it belongs to "
                    "is unknown"
                    if unresolved
                    else f"unit {r['label'].value} is in neither the unit registry nor the "
                    "agency vocabulary"
                ),
                "unit": r["label"].value,
                "iri": r["unit"].value,
                "source": _source(r),
            }
        )
    for r in store.select(_BOTH_ROLES):
        findings.append(
            {
                "kind": "responsible_and_supporting",
                "message": f"{r['label'].value} is both responsible for and supporting "
                f"{r['itemLabel'].value}",
                "unit": r["label"].value,
                "iri": r["unit"].value,
                "work_item": r["itemLabel"].value,
                "source": _source(r),
            }
        )
    for r in store.select(_DOCUMENTS):
        if r["title"].value in GENERIC_TITLES:
            findings.append(
                {
                    "kind": "unresolved_document",
                    "message": f"《{r['title'].value}》 names no particular document: the table does "
                    "not define this short name",
                    "document": r["title"].value,
                    "iri": r["doc"].value,
                    "source": _source(r),
                }
            )
    numbers: dict[str, list[int]] = defaultdict(list)
    cells: dict[str, dict[str, Any]] = {}
    for r in store.select(_NUMBERED):
        numbers[r["cell"].value].append(int(r["number"].value))
        cells[r["cell"].value] = r
    for cell, found in sorted(numbers.items(), key=lambda kv: _order(cells[kv[0]])):
        missing = sorted(set(range(1, max(found) + 1)) - set(found))
        if missing:
            findings.append(
                {
                    "kind": "numbering_gap",
                    "message": f"enumeration skips {', '.join(map(str, missing))}",
                    "missing": missing,
                    "source": _source(cells[cell]),
                }
            )
    return findings


def _order(row: dict[str, Any]) -> tuple[str, int, int]:
    return row["table"].value, int(row["row"].value), int(row["column"].value)


def shacl_results(store: FenjieStore) -> list[dict[str, str]]:
    """Violations of ``ontology/shapes.ttl`` over the union of all graphs."""
    import pyshacl  # slow to import; only `check` needs it

    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
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
    """The full report: ``{"conforms", "violations", "findings"}``."""
    violations = shacl_results(store)
    return {
        "conforms": not any(v["severity"] == "Violation" for v in violations),
        "violations": violations,
        "findings": quality_findings(store),
    }
