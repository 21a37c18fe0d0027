"""The SHACL shapes (ontology/shapes.ttl): valid, complete, and reporting violations where they are."""

from __future__ import annotations

import pyshacl
import pytest
from rdflib import RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from tests.ontology_files import (
    BASE,
    FJ,
    ID,
    SH,
)

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


@pytest.mark.slow  # validates the shapes against the SHACL meta-shapes
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


@pytest.mark.slow  # one pyshacl validation per case
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
        (MENTION, _set(FJ.mentionedIn, DEMO_UNIT), FJ.mentionedIn),  # a unit cites nothing
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


@pytest.mark.slow  # one pyshacl validation per case
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


@pytest.mark.slow  # one pyshacl validation per case
def test_blank_node_target_is_rejected(registry: Graph, shapes: Graph) -> None:
    data = _data(registry)
    node = BNode()
    for p, o in list(data.predicate_objects(TARGET_2018)):
        data.add((node, p, o))
    _, focus, _ = _validate(data, shapes)
    assert node in focus
