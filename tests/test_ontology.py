"""Tests for the ontology, the SHACL shapes and the unit registry in ``ontology/``."""

from __future__ import annotations

import re
from collections import defaultdict
from importlib.resources import files
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV

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


def _text(name: str) -> str:
    return (files("fenjie.ontology") / name).read_text(encoding="utf-8")


def _parse(name: str, base: str = BASE) -> Graph:
    return Graph().parse(data=_text(name), format="turtle", publicID=base)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _parse("fenjie.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return _parse("shapes.ttl")


@pytest.fixture(scope="module")
def registry() -> Graph:
    return _parse("units.ttl")


@pytest.fixture(scope="module")
def declared(ontology: Graph) -> set[URIRef]:
    terms = set()
    for kind in DECLARATION_TYPES:
        terms.update(s for s in ontology.subjects(RDF.type, kind) if isinstance(s, URIRef))
    return terms


def _fj_terms(graph: Graph, text: str) -> set[URIRef]:
    """Every fj: IRI in a graph, plus those written inside SPARQL strings of the text."""
    terms = {t for triple in graph for t in triple if isinstance(t, URIRef) and t in FJ}
    terms.update(FJ[local] for local in re.findall(r"\bfj:([A-Za-z][A-Za-z0-9]*)", text))
    return terms


def _units_with_label(registry: Graph, label: str, *props: URIRef) -> set[URIRef]:
    lit = Literal(label, lang="zh")
    return {u for p in props for u in registry.subjects(p, lit)}


def _unit(registry: Graph, label: str) -> URIRef:
    units = _units_with_label(registry, label, SKOS.prefLabel, SKOS.altLabel)
    assert len(units) == 1, (label, units)
    return units.pop()


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["fenjie.ttl", "shapes.ttl", "units.ttl"])
def test_files_parse_with_rdflib_and_oxigraph(name: str) -> None:
    text = _text(name)
    graph = Graph().parse(data=text, format="turtle", publicID=BASE)
    quads = list(
        pyoxigraph.parse(
            input=text.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE, base_iri=BASE
        )
    )
    assert len(graph) > 100
    assert len(quads) == len(graph)


def test_units_file_uses_relative_iris_without_base() -> None:
    text = _text("units.ttl")
    assert not re.search(r"^\s*(@base|BASE)\b", text, re.MULTILINE | re.IGNORECASE)
    other = "http://example.org/data/"
    moved = _parse("units.ttl", base=other)
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
    used = _fj_terms(_parse(name), _text(name))
    assert {FJ.Unit, FJ.Registered, FJ.UnitGroup, FJ.membersListed} <= used
    assert used - declared == set()


# ---------------------------------------------------------------------------------------------
# Unit registry
# ---------------------------------------------------------------------------------------------


def _table_unit_forms() -> list[str]:
    """Unit short forms in the responsible and supporting columns of the bundled table."""
    text = (files("fenjie") / "examples" / EXAMPLE).read_text(encoding="utf-8")
    forms: list[str] = []
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) < 8 or fields[0].strip() == "主要任务":
            continue
        for cell in fields[-2:]:
            for part in re.split(r"[、，,]", cell):
                form = re.sub(r"[（(][^（）()]*[）)]$", "", part.strip()).strip()
                if form:
                    forms.append(form)
    return forms


TABLE_FORMS = sorted(set(_table_unit_forms()))


def test_table_unit_forms_were_read() -> None:
    assert TABLE_FORMS == sorted(
        [
            "省科技厅",
            "长株潭三市政府",
            "领导小组成员单位",
            "省绩效办",
            "省财政厅",
            "省发改委",
            "省知识产权局",
            "省工商局",
            "省委组织部",
            "省人力资源社会保障厅",
            "省经信委",
            "省文化厅",
            "省卫生计生委",
            "省政府金融办",
            "湖南银监局",
            "湖南证监局",
            "省商务厅",
            "省外事侨务办",
            "省质监局",
            "省国土资源厅",
        ]
    )


@pytest.mark.parametrize("form", TABLE_FORMS)
def test_table_unit_form_names_exactly_one_registered_unit(registry: Graph, form: str) -> None:
    units = _units_with_label(registry, form, SKOS.prefLabel, SKOS.altLabel)
    assert len(units) == 1, f"{form}: {units}"
    unit = units.pop()
    assert (unit, RDF.type, FJ.Registered) in registry


def _units(registry: Graph) -> set[URIRef]:
    return set(registry.subjects(RDF.type, FJ.Unit))


def test_registry_units_are_typed_and_named(registry: Graph) -> None:
    units = _units(registry)
    assert len(units) >= 30
    for unit in units:
        assert isinstance(unit, URIRef)
        assert str(unit).startswith(BASE + "unit/")
        assert SLUG.match(str(unit)[len(BASE + "unit/") :]), unit
        for cls in (FJ.Unit, FJ.Registered, ORG.Organization):
            assert (unit, RDF.type, cls) in registry, (unit, cls)
        assert (unit, RDF.type, FJ.UnregisteredUnit) not in registry
        prefs = list(registry.objects(unit, SKOS.prefLabel))
        assert [p.language for p in prefs] == ["zh"], unit
        english = list(registry.objects(unit, RDFS.label))
        assert [e.language for e in english] == ["en"], unit
        for prop in (SKOS.altLabel, SKOS.hiddenLabel):
            assert all(label.language == "zh" for label in registry.objects(unit, prop))
        for note in registry.objects(unit, SKOS.note):
            assert note.language == "en"


def test_no_label_is_shared(registry: Graph) -> None:
    owners: dict[str, set[tuple[URIRef, URIRef]]] = defaultdict(set)
    for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
        for unit, label in registry.subject_objects(prop):
            owners[str(label)].add((unit, prop))
    shared = {label: who for label, who in owners.items() if len(who) > 1}
    assert shared == {}


def test_groups(registry: Graph) -> None:
    groups = set(registry.subjects(RDF.type, FJ.UnitGroup))
    three = _unit(registry, "长株潭三市政府")
    leading = _unit(registry, "领导小组成员单位")
    assert groups == {three, leading}
    for group in groups:
        assert (group, RDF.type, ORG.OrganizationalCollaboration) in registry
    members = set(registry.objects(three, ORG.hasMember))
    assert members == {
        _unit(registry, "长沙市政府"),
        _unit(registry, "株洲市政府"),
        _unit(registry, "湘潭市政府"),
    }
    assert {str(registry.value(m, SKOS.prefLabel)) for m in members} == {
        "长沙市人民政府",
        "株洲市人民政府",
        "湘潭市人民政府",
    }
    assert registry.value(three, FJ.membersListed) == Literal(True)
    assert registry.value(leading, FJ.membersListed) == Literal(False)
    assert list(registry.objects(leading, ORG.hasMember)) == []
    assert str(registry.value(leading, SKOS.prefLabel)).endswith("领导小组成员单位")


@pytest.mark.parametrize(
    ("written", "full"),
    [
        ("省科技厅", "湖南省科学技术厅"),
        ("省发改委", "湖南省发展和改革委员会"),
        ("省发展改革委", "湖南省发展和改革委员会"),
        ("省人社厅", "湖南省人力资源和社会保障厅"),
        ("省人力资源社会保障厅", "湖南省人力资源和社会保障厅"),
        ("省委组织部", "中共湖南省委组织部"),
        ("湖南银监局", "中国银行业监督管理委员会湖南监管局"),
        ("湖南证监局", "中国证券监督管理委员会湖南监管局"),
        ("省市场监管局", "湖南省市场监督管理局"),
        ("省食药监局", "湖南省食品药品监督管理局"),
        ("湖南银保监局", "中国银行保险监督管理委员会湖南监管局"),
    ],
)
def test_full_names(registry: Graph, written: str, full: str) -> None:
    assert registry.value(_unit(registry, written), SKOS.prefLabel) == Literal(full, lang="zh")


def test_unverified_full_name_keeps_written_form_and_says_so(registry: Graph) -> None:
    unit = _unit(registry, "省绩效办")
    assert registry.value(unit, SKOS.prefLabel) == Literal("省绩效办", lang="zh")
    notes = " ".join(str(n) for n in registry.objects(unit, SKOS.note))
    assert "unverified" in notes


def test_no_same_as(registry: Graph) -> None:
    assert OWL.sameAs not in set(registry.predicates())


# ---------------------------------------------------------------------------------------------
# Change events
# ---------------------------------------------------------------------------------------------


def _successors(registry: Graph, unit: URIRef) -> dict[URIRef, str]:
    """Resulting organizations of the change events a unit is an original of, with their year."""
    rows = registry.query(
        """
        SELECT ?result ?date WHERE {
            ?event a org:ChangeEvent ;
                   org:originalOrganization ?unit ;
                   org:resultingOrganization ?result ;
                   dct:date ?date .
        }
        """,
        initNs={"org": ORG, "dct": DCTERMS},
        initBindings={"unit": unit},
    )
    return {row.result: str(row.date) for row in rows}


@pytest.mark.parametrize("written", ["省工商局", "省质监局", "省食药监局"])
def test_market_regulation_merger(registry: Graph, written: str) -> None:
    amr = _unit(registry, "省市场监管局")
    assert registry.value(amr, SKOS.prefLabel) == Literal("湖南省市场监督管理局", lang="zh")
    assert _successors(registry, _unit(registry, written)) == {amr: "2018"}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("省经信委", "湖南省工业和信息化厅"),
        ("省国土资源厅", "湖南省自然资源厅"),
        ("省卫生计生委", "湖南省卫生健康委员会"),
        ("省文化厅", "湖南省文化和旅游厅"),
        ("省政府金融办", "湖南省地方金融监督管理局"),
        ("省外事侨务办", "湖南省人民政府外事办公室"),
        ("湖南银监局", "中国银行保险监督管理委员会湖南监管局"),
    ],
)
def test_2018_reform(registry: Graph, before: str, after: str) -> None:
    (result, year), *rest = _successors(registry, _unit(registry, before)).items()
    assert rest == []
    assert registry.value(result, SKOS.prefLabel) == Literal(after, lang="zh")
    assert year == "2018"


def test_financial_regulator_chain(registry: Graph) -> None:
    cbirc = _unit(registry, "湖南银保监局")
    nfra = _unit(registry, "湖南金融监管局")
    assert _successors(registry, _unit(registry, "湖南银监局")) == {cbirc: "2018"}
    assert _successors(registry, _unit(registry, "湖南保监局")) == {cbirc: "2018"}
    assert _successors(registry, cbirc) == {nfra: "2023"}
    assert registry.value(nfra, SKOS.prefLabel) == Literal(
        "国家金融监督管理总局湖南监管局", lang="zh"
    )


@pytest.mark.parametrize("written", ["省科技厅", "省发改委", "湖南证监局", "省人力资源社会保障厅"])
def test_unchanged_units_have_no_successor(registry: Graph, written: str) -> None:
    assert _successors(registry, _unit(registry, written)) == {}


def test_change_events_are_well_formed(registry: Graph) -> None:
    events = set(registry.subjects(RDF.type, ORG.ChangeEvent))
    assert len(events) == 9
    for event in events:
        assert str(event).startswith(BASE + "change/")
        assert SLUG.match(str(event)[len(BASE + "change/") :]), event
        date = registry.value(event, DCTERMS.date)
        assert date.datatype == XSD.gYear
        assert {label.language for label in registry.objects(event, RDFS.label)} == {"en", "zh"}
        for prop in (ORG.originalOrganization, ORG.resultingOrganization):
            linked = set(registry.objects(event, prop))
            assert linked and linked <= _units(registry), (event, prop)


# ---------------------------------------------------------------------------------------------
# SHACL shapes
# ---------------------------------------------------------------------------------------------

MAIN_CLASSES = [
    "SourceTable",
    "Column",
    "Cell",
    "Category",
    "WorkItem",
    "BaselineItem",
    "Target",
    "Unit",
    "Assignment",
    "PolicyDocument",
    "DocumentMention",
    "Indicator",
    "Observation",
]

PREFIXES = """
@prefix fj:   <https://w3id.org/fenjie/def#> .
@base <https://w3id.org/fenjie/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix org:  <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
"""

# A tiny table: one work item with a baseline, targets for 2017 and 2018, a quantity, two
# documents, a lead, a co-responsible (unregistered) unit and a supporting group.
CONFORMING = (
    PREFIXES
    + """
<table/demo> a fj:SourceTable ;
    dct:title "示范表" ; fj:sourceFile "demo.tsv" ; fj:reader "tsv" ;
    fj:sha256 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" .

<table/demo/column/1> a fj:Column ; fj:columnIndex 1 ; rdfs:label "主要任务" ;
    fj:columnKind fj:CategoryColumn .
<table/demo/column/2> a fj:Column ; fj:columnIndex 2 ; rdfs:label "工作内容" ;
    fj:columnKind fj:WorkItemColumn .
<table/demo/column/3> a fj:Column ; fj:columnIndex 3 ; rdfs:label "前期工作基础" ;
    fj:columnKind fj:BaselineColumn .
<table/demo/column/4> a fj:Column ; fj:columnIndex 4 ; rdfs:label "2017年目标" ;
    fj:columnKind fj:TargetColumn ; fj:year "2017"^^xsd:gYear .
<table/demo/column/5> a fj:Column ; fj:columnIndex 5 ; rdfs:label "2018 年目标" ;
    fj:columnKind fj:TargetColumn ; fj:year "2018"^^xsd:gYear .
<table/demo/column/6> a fj:Column ; fj:columnIndex 6 ; rdfs:label "责任单位" ;
    fj:columnKind fj:ResponsibleColumn .
<table/demo/column/7> a fj:Column ; fj:columnIndex 7 ; rdfs:label "配合/参与单位" ;
    fj:columnKind fj:SupportingColumn .

<table/demo/cell/1-1> a fj:Cell ; fj:inTable <table/demo> ; fj:rowIndex 1 ; fj:sourceLine 3 ;
    fj:column <table/demo/column/1> ; prov:value "体系建设" .
<table/demo/cell/1-2> a fj:Cell ; fj:inTable <table/demo> ; fj:rowIndex 1 ; fj:sourceLine 3 ;
    fj:column <table/demo/column/2> ; prov:value "1、政策支撑体系" .
<table/demo/cell/1-3> a fj:Cell ; fj:inTable <table/demo> ; fj:rowIndex 1 ; fj:sourceLine 3 ;
    fj:column <table/demo/column/3> ; prov:value "出台《示范意见》。" .
<table/demo/cell/1-4> a fj:Cell ; fj:inTable <table/demo> ; fj:rowIndex 1 ; fj:sourceLine 3 ;
    fj:column <table/demo/column/4> ; prov:value "制定出台《意见》实施细则；新引进30个以上高端创新团队。" .
<table/demo/cell/1-5> a fj:Cell ; fj:inTable <table/demo> ; fj:rowIndex 1 ; fj:sourceLine 3 ;
    fj:column <table/demo/column/5> ; prov:value "抓好政策落实。" .
<table/demo/cell/1-6> a fj:Cell ; fj:inTable <table/demo> ; fj:rowIndex 1 ; fj:sourceLine 3 ;
    fj:column <table/demo/column/6> ; prov:value "省科技厅、示范办" .
<table/demo/cell/1-7> a fj:Cell ; fj:inTable <table/demo> ; fj:rowIndex 1 ; fj:sourceLine 3 ;
    fj:column <table/demo/column/7> ; prov:value "领导小组成员单位" .

<table/demo/category/1> a fj:Category ; rdfs:label "体系建设" ; fj:order 1 ;
    prov:wasDerivedFrom <table/demo/cell/1-1> .

<table/demo/item/1-1> a fj:WorkItem ; rdfs:label "政策支撑体系" ; fj:itemNumber 1 ;
    fj:category <table/demo/category/1> ; fj:order 1 ; dct:isPartOf <table/demo> ;
    prov:wasDerivedFrom <table/demo/cell/1-2> .

<table/demo/item/1-1/baseline/1> a fj:BaselineItem ; fj:workItem <table/demo/item/1-1> ;
    fj:text "出台《示范意见》。" ; fj:order 1 ; prov:wasDerivedFrom <table/demo/cell/1-3> ;
    fj:refersTo <doc/demo-opinion> .

<table/demo/item/1-1/target/2017/1> a fj:Target ; fj:workItem <table/demo/item/1-1> ;
    fj:year "2017"^^xsd:gYear ; fj:itemNumber 1 ; fj:text "制定出台《意见》实施细则" ;
    fj:order 1 ; prov:wasDerivedFrom <table/demo/cell/1-4> ;
    fj:produces <doc/demo-opinion-rules> ; fj:refersTo <doc/demo-opinion-rules> ;
    fj:precedes <table/demo/item/1-1/target/2018/1> .
<table/demo/item/1-1/target/2017/2> a fj:Target ; fj:workItem <table/demo/item/1-1> ;
    fj:year "2017"^^xsd:gYear ; fj:itemNumber 2 ; fj:text "新引进30个以上高端创新团队" ;
    fj:order 2 ; prov:wasDerivedFrom <table/demo/cell/1-4> ;
    fj:hasObservation <table/demo/item/1-1/target/2017/2/observation/1> ;
    fj:precedes <table/demo/item/1-1/target/2018/1> .
<table/demo/item/1-1/target/2018/1> a fj:Target ; fj:workItem <table/demo/item/1-1> ;
    fj:year "2018"^^xsd:gYear ; fj:text "抓好政策落实" ; fj:order 1 ;
    prov:wasDerivedFrom <table/demo/cell/1-5> .

<table/demo/item/1-1/target/2017/2/observation/1> a fj:Observation ;
    fj:indicator <indicator/innovation-teams> ; fj:value 30.0 ; fj:unitText "个" ;
    fj:normalizedValue 30.0 ; fj:normalizedUnit "个" ; fj:comparator fj:AtLeast ;
    fj:year "2017"^^xsd:gYear ; fj:writtenAs "30个以上" ;
    prov:wasDerivedFrom <table/demo/item/1-1/target/2017/2> .
<indicator/innovation-teams> a fj:Indicator ; rdfs:label "高端创新团队"@zh .

<doc/demo-opinion> a fj:PolicyDocument ; dct:title "示范意见" ; dct:alternative "意见" .
<doc/demo-opinion-rules> a fj:PolicyDocument ; dct:title "《意见》实施细则" ;
    fj:basedOn <doc/demo-opinion> .

<table/demo/item/1-1/baseline/1/mention/1> a fj:DocumentMention ;
    fj:document <doc/demo-opinion> ; fj:mentionedIn <table/demo/item/1-1/baseline/1> ;
    fj:writtenAs "《示范意见》" ; fj:bracketed true ; fj:mentionKind fj:RefersTo ;
    prov:wasDerivedFrom <table/demo/cell/1-3> .
<table/demo/item/1-1/target/2017/1/mention/1> a fj:DocumentMention ;
    fj:document <doc/demo-opinion-rules> ; fj:mentionedIn <table/demo/item/1-1/target/2017/1> ;
    fj:writtenAs "《意见》实施细则" ; fj:bracketed true ; fj:mentionKind fj:Produces ;
    prov:wasDerivedFrom <table/demo/cell/1-4> .

<unit/demo-office> a fj:Unit , fj:UnregisteredUnit ; skos:prefLabel "示范办"@zh .

<table/demo/item/1-1/assignment/responsible/1> a fj:Assignment ;
    fj:unit <unit/hunan-department-of-science-and-technology> ; fj:workItem <table/demo/item/1-1> ;
    fj:role fj:LeadRole ; fj:position 1 ; fj:writtenAs "省科技厅" ;
    prov:wasDerivedFrom <table/demo/cell/1-6> .
<table/demo/item/1-1/assignment/responsible/2> a fj:Assignment ;
    fj:unit <unit/demo-office> ; fj:workItem <table/demo/item/1-1> ;
    fj:role fj:CoResponsibleRole ; fj:position 2 ; fj:writtenAs "示范办" ;
    prov:wasDerivedFrom <table/demo/cell/1-6> .
<table/demo/item/1-1/assignment/supporting/1> a fj:Assignment ;
    fj:unit <unit/changzhutan-innovation-zone-leading-group-member-units> ;
    fj:workItem <table/demo/item/1-1> ; fj:role fj:SupportingRole ; fj:position 1 ;
    fj:writtenAs "领导小组成员单位" ; prov:wasDerivedFrom <table/demo/cell/1-7> .

<unit/hunan-department-of-science-and-technology>
    fj:leads <table/demo/item/1-1> ; fj:responsibleFor <table/demo/item/1-1> .
<unit/demo-office> fj:responsibleFor <table/demo/item/1-1> .
<unit/changzhutan-innovation-zone-leading-group-member-units> fj:supports <table/demo/item/1-1> .
"""
)

T = Namespace(BASE + "table/demo/")
ITEM = T["item/1-1"]
TARGET_2017 = T["item/1-1/target/2017/1"]
TARGET_2018 = T["item/1-1/target/2018/1"]
LEAD = T["item/1-1/assignment/responsible/1"]
CO = T["item/1-1/assignment/responsible/2"]
SUPPORT = T["item/1-1/assignment/supporting/1"]
OBSERVATION = T["item/1-1/target/2017/2/observation/1"]
MENTION = T["item/1-1/target/2017/1/mention/1"]
CELL = T["cell/1-4"]
COLUMN_2018 = T["column/5"]
DOC = ID["doc/demo-opinion"]
DEMO_UNIT = ID["unit/demo-office"]
STI = ID["unit/hunan-department-of-science-and-technology"]


def _data(registry: Graph) -> Graph:
    graph = Graph().parse(data=CONFORMING, format="turtle")
    graph += registry
    return graph


def _validate(data: Graph, shapes: Graph) -> tuple[bool, set[URIRef], Graph]:
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    focus = set(report.objects(None, SH.focusNode))
    return conforms, focus, report


def test_every_main_class_has_a_node_shape(shapes: Graph) -> None:
    targeted = set(shapes.objects(None, SH.targetClass))
    assert {FJ[c] for c in MAIN_CLASSES} <= targeted
    for shape in shapes.subjects(SH.targetClass, None):
        assert (shape, RDF.type, SH.NodeShape) in shapes


def test_every_property_shape_has_an_english_message(shapes: Graph) -> None:
    property_shapes = set(shapes.objects(None, SH.property))
    assert len(property_shapes) > 50
    for shape in property_shapes:
        assert {m.language for m in shapes.objects(shape, SH.message)} == {"en"}, shape


def test_shapes_graph_is_valid_shacl(shapes: Graph) -> None:
    conforms, _, report = pyshacl.validate(
        Graph(), shacl_graph=shapes, inference="none", meta_shacl=True
    )
    assert conforms, report


def test_registry_conforms(registry: Graph, shapes: Graph) -> None:
    conforms, focus, report = _validate(registry, shapes)
    assert conforms, report.serialize(format="turtle")
    assert focus == set()


def test_hand_written_graph_conforms(registry: Graph, shapes: Graph) -> None:
    data = _data(registry)
    assert len(set(data.subjects(RDF.type, FJ.Assignment))) == 3
    conforms, focus, report = _validate(data, shapes)
    assert conforms, report.serialize(format="turtle")


def test_target_without_year_and_assignment_with_bad_role_fail(
    registry: Graph, shapes: Graph
) -> None:
    data = _data(registry)
    data.remove((TARGET_2018, FJ.year, None))
    data.set((SUPPORT, FJ.role, FJ.Produces))
    conforms, focus, report = _validate(data, shapes)
    assert not conforms
    # the 2017 targets precede a target that no longer has a year
    assert focus == {
        TARGET_2018,
        SUPPORT,
        TARGET_2017,
        T["item/1-1/target/2017/2"],
    }
    paths = {
        (report.value(r, SH.focusNode), report.value(r, SH.resultPath))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }
    assert (TARGET_2018, FJ.year) in paths
    assert (SUPPORT, FJ.role) in paths


def _drop(p: URIRef):
    return lambda g, s: g.remove((s, p, None))


def _set(p: URIRef, o):
    return lambda g, s: g.set((s, p, o))


def _add(p: URIRef, o):
    return lambda g, s: g.add((s, p, o))


@pytest.mark.parametrize(
    ("subject", "mutate", "path"),
    [
        (TARGET_2018, _set(FJ.year, Literal("2018", datatype=XSD.integer)), FJ.year),
        (TARGET_2018, _add(FJ.year, Literal("2019", datatype=XSD.gYear)), FJ.year),
        (TARGET_2017, _drop(FJ.workItem), FJ.workItem),
        (TARGET_2018, _drop(PROV.wasDerivedFrom), PROV.wasDerivedFrom),
        (ITEM, _drop(RDFS.label), RDFS.label),
        (ITEM, _add(RDFS.label, Literal("另一个标签")), RDFS.label),
        (ITEM, _drop(FJ.category), FJ.category),
        (ITEM, _set(FJ.category, DOC), FJ.category),
        (LEAD, _drop(FJ.unit), FJ.unit),
        (LEAD, _add(FJ.unit, DEMO_UNIT), FJ.unit),
        (LEAD, _set(FJ.role, Literal("lead")), FJ.role),
        (CO, _drop(FJ.workItem), FJ.workItem),
        (CO, _set(FJ.position, Literal(0)), FJ.position),
        (OBSERVATION, _set(FJ.value, Literal(30)), FJ.value),
        (OBSERVATION, _set(FJ.comparator, FJ.LeadRole), FJ.comparator),
        (OBSERVATION, _drop(FJ.indicator), FJ.indicator),
        (CELL, _drop(PROV.value), PROV.value),
        (CELL, _set(PROV.value, Literal("文本", lang="zh")), PROV.value),
        (CELL, _set(FJ.rowIndex, Literal("1")), FJ.rowIndex),
        (CELL, _drop(FJ.inTable), FJ.inTable),
        (DOC, _drop(DCTERMS.title), DCTERMS.title),
        (DOC, _add(DCTERMS.title, Literal("另一个标题")), DCTERMS.title),
        (MENTION, _set(FJ.mentionKind, FJ.Exactly), FJ.mentionKind),
        (MENTION, _set(FJ.mentionedIn, ITEM), FJ.mentionedIn),
        (MENTION, _drop(FJ.bracketed), FJ.bracketed),
        (COLUMN_2018, _set(FJ.columnKind, FJ.Role), FJ.columnKind),
        (ID["table/demo"], _set(FJ.sha256, Literal("ABC")), FJ.sha256),
        (DEMO_UNIT, _drop(SKOS.prefLabel), SKOS.prefLabel),
    ],
)
def test_single_violation_is_reported_on_its_focus_node(
    registry: Graph, shapes: Graph, subject: URIRef, mutate, path: URIRef
) -> None:
    data = _data(registry)
    mutate(data, subject)
    conforms, focus, report = _validate(data, shapes)
    assert not conforms
    assert focus == {subject}
    assert set(report.objects(None, SH.resultPath)) == {path}


@pytest.mark.parametrize(
    ("subject", "mutate", "component"),
    [
        # a target column without its year
        (COLUMN_2018, _drop(FJ.year), SH.OrConstraintComponent),
        # both registered and unregistered
        (STI, _add(RDF.type, FJ.UnregisteredUnit), SH.XoneConstraintComponent),
        # neither registered nor unregistered
        (
            DEMO_UNIT,
            lambda g, s: g.remove((s, RDF.type, FJ.UnregisteredUnit)),
            SH.XoneConstraintComponent,
        ),
        # a group without members that does not say so
        (
            ID["unit/changzhutan-innovation-zone-leading-group-member-units"],
            _drop(FJ.membersListed),
            SH.OrConstraintComponent,
        ),
        # materialized edges missing
        (LEAD, lambda g, s: g.remove((STI, FJ.leads, ITEM)), SH.SPARQLConstraintComponent),
        (CO, lambda g, s: g.remove((DEMO_UNIT, FJ.responsibleFor, ITEM)), None),
        (SUPPORT, lambda g, s: g.remove((None, FJ.supports, ITEM)), None),
        (MENTION, lambda g, s: g.remove((TARGET_2017, FJ.produces, None)), None),
        # precedes pointing backwards in time
        (TARGET_2018, _add(FJ.precedes, TARGET_2017), SH.SPARQLConstraintComponent),
    ],
)
def test_node_level_violation(
    registry: Graph, shapes: Graph, subject: URIRef, mutate, component: URIRef | None
) -> None:
    data = _data(registry)
    mutate(data, subject)
    conforms, focus, report = _validate(data, shapes)
    assert not conforms
    assert focus == {subject}
    if component is not None:
        assert set(report.objects(None, SH.sourceConstraintComponent)) == {component}


def test_blank_node_target_is_rejected(registry: Graph, shapes: Graph) -> None:
    data = _data(registry)
    node = BNode()
    for p, o in list(data.predicate_objects(TARGET_2018)):
        data.add((node, p, o))
    _, focus, _ = _validate(data, shapes)
    assert node in focus
