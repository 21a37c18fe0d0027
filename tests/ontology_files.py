"""Shared by the tests of ontology/: the three Turtle files, their namespaces and lookups."""

from __future__ import annotations

import re
from importlib.resources import files

from rdflib import OWL, SKOS, Graph, Literal, Namespace, URIRef

__all__ = [
    "BASE",
    "DECLARATION_TYPES",
    "EXAMPLE",
    "FJ",
    "ID",
    "ONTOLOGY_IRI",
    "QB",
    "SCHEMA",
    "SH",
    "SLUG",
    "fj_terms",
    "parse_ttl",
    "ttl_text",
    "unit_named",
    "units_with_label",
]

FJ = Namespace("https://w3id.org/fenjie/def#")
SH = Namespace("http://www.w3.org/ns/shacl#")
QB = Namespace("http://purl.org/linked-data/cube#")
SCHEMA = Namespace("https://schema.org/")
BASE = "https://w3id.org/fenjie/id/"
ID = Namespace(BASE)
ONTOLOGY_IRI = URIRef("https://w3id.org/fenjie/def")
EXAMPLE = "changzhutan-innovation-zone-2017-2019.tsv"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DECLARATION_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual)


def ttl_text(name: str) -> str:
    return (files("fenjie.ontology") / name).read_text(encoding="utf-8")


def parse_ttl(name: str, base: str = BASE) -> Graph:
    return Graph().parse(data=ttl_text(name), format="turtle", publicID=base)


def fj_terms(graph: Graph, text: str) -> set[URIRef]:
    """Every fj: IRI in a graph, plus those written inside SPARQL strings of the text."""
    terms = {t for triple in graph for t in triple if isinstance(t, URIRef) and t in FJ}
    terms.update(FJ[local] for local in re.findall(r"\bfj:([A-Za-z][A-Za-z0-9]*)", text))
    return terms


def units_with_label(registry: Graph, label: str, *props: URIRef) -> set[URIRef]:
    lit = Literal(label, lang="zh")
    return {u for p in props for u in registry.subjects(p, lit)}


def unit_named(registry: Graph, label: str) -> URIRef:
    units = units_with_label(registry, label, SKOS.prefLabel, SKOS.altLabel)
    assert len(units) == 1, (label, units)
    return units.pop()
