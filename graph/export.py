"""Export the store: RDF serializations, and the source tables regenerated from the graph alone.

>>> from fenjie.graph import FenjieStore, build_sources
>>> from fenjie.config import bundled_example
>>> store = FenjieStore.in_memory()
>>> _ = build_sources([bundled_example()], store=store)
>>> text = export_tables(store)
>>> text.splitlines()[2].split("\\t")[:2]
['主要任务', '工作内容']
"""

from __future__ import annotations

import enum
from collections import defaultdict

import pyoxigraph
from pyoxigraph import NamedNode, RdfFormat

from fenjie.graph._sparql import sparql
from fenjie.graph.builder import SHARED_GRAPH
from fenjie.graph.store import FenjieStore

__all__ = ["ExportFormat", "export", "export_tables", "stats"]

from fenjie.vocab import FJ_NS

PREFIXES = {
    "fj": FJ_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dct": "http://purl.org/dc/terms/",
    "qb": "http://purl.org/linked-data/cube#",
    "schema": "https://schema.org/",
}


class ExportFormat(enum.Enum):
    TURTLE = "ttl"
    TRIG = "trig"
    N_TRIPLES = "nt"
    N_QUADS = "nq"
    JSON_LD = "jsonld"
    TABLE = "table"


_RDF_FORMATS = {
    ExportFormat.TURTLE: RdfFormat.TURTLE,
    ExportFormat.TRIG: RdfFormat.TRIG,
    ExportFormat.N_TRIPLES: RdfFormat.N_TRIPLES,
    ExportFormat.N_QUADS: RdfFormat.N_QUADS,
    ExportFormat.JSON_LD: RdfFormat.JSON_LD,
}
_DATASET_FORMATS = {ExportFormat.TRIG, ExportFormat.N_QUADS, ExportFormat.JSON_LD}


def export(store: FenjieStore, fmt: ExportFormat, *, graph: NamedNode | None = None) -> bytes:
    """Serialize the store (or one named graph). Triple formats merge all graphs into one."""
    if fmt is ExportFormat.TABLE:
        return export_tables(store, graph=graph).encode("utf-8")
    rdf_format = _RDF_FORMATS[fmt]
    if fmt in _DATASET_FORMATS:
        quads = store.inner.quads_for_pattern(None, None, None, graph)
        return pyoxigraph.serialize(quads, format=rdf_format, prefixes=PREFIXES) or b""
    triples = store.construct(sparql("all-triples"), graphs=[graph] if graph else None)
    return pyoxigraph.serialize(triples, format=rdf_format, prefixes=PREFIXES) or b""


def export_tables(store: FenjieStore, *, graph: NamedNode | None = None) -> str:
    """Regenerate each source table as tab-separated text from the graph alone.

    Title lines first, then the header, then every data row, cell for cell; tables are separated
    by a blank line. Page-break header repeats are not reproduced.
    """
    out: list[str] = []
    for table in [graph] if graph else store.tables():
        preamble = sorted(
            (
                r["line"].value.split("\t", 1)
                for r in store.select(sparql("export-preamble"), graphs=[table])
            ),
            key=lambda p: int(p[0]),
        )
        header = sorted(
            (int(r["col"].value), r["label"].value)
            for r in store.select(sparql("export-header"), graphs=[table])
        )
        rows: dict[int, dict[int, str]] = defaultdict(dict)
        for r in store.select(sparql("export-cells"), graphs=[table]):
            rows[int(r["row"].value)][int(r["col"].value)] = r["value"].value
        if out:
            out.append("")
        out.extend(line for _, line in preamble)
        out.append("\t".join(label for _, label in header))
        width = len(header)
        for index in sorted(rows):
            out.append("\t".join(rows[index].get(c, "") for c in range(1, width + 1)))
    return "\n".join(out) + "\n"


def stats(store: FenjieStore, *, table: NamedNode | None = None) -> dict[str, object]:
    """Counts over the source tables (all of them, or one): the keys of ``fenjie stats``.

    ``triples`` counts the quads of the tables' named graphs, and of the graph of facts they
    share (documents, indicators, unregistered units) when all tables are counted; the ontology
    and the unit registry are left out.
    """
    tables = [table] if table else store.tables()
    shared = [
        g
        for g in store.inner.named_graphs()
        if isinstance(g, NamedNode) and g.value.endswith("/" + SHARED_GRAPH)
    ]
    head = store.select(sparql("stats-items"), graphs=tables)[0]
    distinct = store.select(sparql("stats-distinct"), graphs=tables + shared)[0]
    targets = {
        int(r["year"].value): int(r["n"].value)
        for r in store.select(sparql("stats-targets"), graphs=tables)
    }
    counted = tables if table else tables + shared
    triples = sum(
        int(store.select(sparql("stats-triples"), graphs=[t])[0]["n"].value) for t in counted
    )
    return {
        "tables": len(tables),
        "categories": int(head["categories"].value),
        "work_items": int(head["work_items"].value),
        "targets": targets,
        "units": int(distinct["units"].value),
        "documents": int(distinct["documents"].value),
        "observations": int(distinct["observations"].value),
        "triples": triples,
    }
