"""The ontology (ontology/fenjie.ttl): it parses, declares every term it is used with, labels them."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV

from tests.ontology_files import (
    BASE,
    FJ,
    ONTOLOGY_IRI,
    QB,
    SCHEMA,
    fj_terms,
    parse_ttl,
    ttl_text,
)

# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["fenjie.ttl", "shapes.ttl", "units.ttl"])
def test_files_parse_with_rdflib_and_oxigraph(name: str) -> None:
    text = ttl_text(name)
    graph = Graph().parse(data=text, format="turtle", publicID=BASE)
    quads = list(
        pyoxigraph.parse(
            input=text.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE, base_iri=BASE
        )
    )
    assert len(graph) > 100
    assert len(quads) == len(graph)


def test_units_file_uses_relative_iris_without_base() -> None:
    text = ttl_text("units.ttl")
    assert not re.search(r"^\s*(@base|BASE)\b", text, re.MULTILINE | re.IGNORECASE)
    other = "http://example.org/data/"
    moved = parse_ttl("units.ttl", base=other)
    subjects = {s for s in moved.subjects() if isinstance(s, URIRef)}
    assert subjects, "registry is empty"
    assert all(str(s).startswith(other) for s in subjects)
    iris = {t for triple in moved for t in triple if isinstance(t, URIRef)}
    assert not any(BASE in str(iri) for iri in iris)


# ---------------------------------------------------------------------------------------------
# Ontology
# ---------------------------------------------------------------------------------------------


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    titles = {t.language for t in ontology.objects(ONTOLOGY_IRI, DCTERMS.title)}
    assert {"en", "zh"} <= titles


def test_every_term_of_the_model_is_declared(declared: set[URIRef]) -> None:
    model = Path(__file__).resolve().parents[1] / "docs" / "model.md"
    if not model.is_file():
        pytest.skip("docs/model.md is not available")
    named = {FJ[local] for local in re.findall(r"\bfj:([A-Za-z][A-Za-z0-9]*)", model.read_text())}
    assert len(named) > 60
    assert named - declared == set()


def test_required_individuals_and_classes_are_declared(ontology: Graph) -> None:
    expected = {
        FJ.ColumnKind: [
            "CategoryColumn",
            "WorkItemColumn",
            "BaselineColumn",
            "TargetColumn",
            "ResponsibleColumn",
            "LeadColumn",
            "SupportingColumn",
            "DeadlineColumn",
            "NoteColumn",
            "LeaderColumn",
            "OtherColumn",
        ],
        FJ.Role: ["LeadRole", "CoResponsibleRole", "SupportingRole"],
        FJ.Comparator: ["AtLeast", "Exactly", "AtMost"],
        FJ.MentionKind: ["Produces", "RefersTo"],
    }
    for cls, names in expected.items():
        members = set(ontology.subjects(RDF.type, cls))
        assert members == {FJ[n] for n in names}, cls
        for member in members:
            assert (member, RDF.type, OWL.NamedIndividual) in ontology


def test_every_declared_term_has_zh_and_en_labels_and_a_comment(
    ontology: Graph, declared: set[URIRef]
) -> None:
    assert len(declared) > 70
    for term in sorted(declared):
        assert term in FJ, f"{term} declared outside the fj: namespace"
        langs = [label.language for label in ontology.objects(term, RDFS.label)]
        assert sorted(langs) == ["en", "zh"], f"{term}: labels {langs}"
        comments = {c.language for c in ontology.objects(term, RDFS.comment)}
        assert "en" in comments, f"{term} has no English rdfs:comment"


def test_properties_have_one_kind(ontology: Graph) -> None:
    objects = set(ontology.subjects(RDF.type, OWL.ObjectProperty))
    datatypes = set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    assert objects and datatypes
    assert objects & datatypes == set()


@pytest.mark.parametrize(
    "triple",
    [
        (FJ.Unit, RDFS.subClassOf, ORG.Organization),
        (FJ.UnitGroup, RDFS.subClassOf, ORG.OrganizationalCollaboration),
        (FJ.UnitGroup, RDFS.subClassOf, FJ.Unit),
        (FJ.Registered, RDFS.subClassOf, FJ.Unit),
        (FJ.UnregisteredUnit, RDFS.subClassOf, FJ.Unit),
        (FJ.Registered, OWL.disjointWith, FJ.UnregisteredUnit),
        (FJ.PolicyDocument, RDFS.subClassOf, SCHEMA.Legislation),
        (FJ.Observation, RDFS.subClassOf, QB.Observation),
        (FJ.Cell, RDFS.subClassOf, PROV.Entity),
        (FJ.SourceTable, RDFS.subClassOf, PROV.Entity),
        (FJ.leads, RDFS.subPropertyOf, FJ.responsibleFor),
        (FJ.produces, RDFS.subPropertyOf, FJ.refersTo),
        (FJ.year, RDFS.range, XSD.gYear),
        (FJ.value, RDFS.range, XSD.decimal),
        (FJ.membersListed, RDFS.range, XSD.boolean),
        (FJ.unit, RDFS.range, FJ.Unit),
        (FJ.role, RDFS.range, FJ.Role),
        (FJ.comparator, RDFS.range, FJ.Comparator),
        (FJ.mentionKind, RDFS.range, FJ.MentionKind),
        (FJ.columnKind, RDFS.range, FJ.ColumnKind),
        (FJ.responsibleFor, RDFS.domain, FJ.Unit),
        (FJ.responsibleFor, RDFS.range, FJ.WorkItem),
        (FJ.basedOn, RDFS.range, FJ.PolicyDocument),
    ],
    ids=lambda t: " ".join(str(x).rsplit("/", 1)[-1] for x in t),
)
def test_axiom(ontology: Graph, triple: tuple[URIRef, URIRef, URIRef]) -> None:
    assert triple in ontology


@pytest.mark.parametrize("name", ["shapes.ttl", "units.ttl"])
def test_fj_terms_used_elsewhere_are_declared(name: str, declared: set[URIRef]) -> None:
    used = fj_terms(parse_ttl(name), ttl_text(name))
    assert {FJ.Unit, FJ.Registered, FJ.UnitGroup, FJ.membersListed} <= used
    assert used - declared == set()


# ---------------------------------------------------------------------------------------------
