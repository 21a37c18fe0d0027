"""The unit registry (ontology/units.ttl): names, groups, full names and change events."""

from __future__ import annotations

import re
from collections import defaultdict
from importlib.resources import files

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG

from tests.ontology_files import (
    BASE,
    EXAMPLE,
    FJ,
    SLUG,
    unit_named,
    units_with_label,
)

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
    units = units_with_label(registry, form, SKOS.prefLabel, SKOS.altLabel)
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
    three = unit_named(registry, "长株潭三市政府")
    leading = unit_named(registry, "领导小组成员单位")
    assert groups == {three, leading}
    for group in groups:
        assert (group, RDF.type, ORG.OrganizationalCollaboration) in registry
    members = set(registry.objects(three, ORG.hasMember))
    assert members == {
        unit_named(registry, "长沙市政府"),
        unit_named(registry, "株洲市政府"),
        unit_named(registry, "湘潭市政府"),
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
    assert registry.value(unit_named(registry, written), SKOS.prefLabel) == Literal(full, lang="zh")


def test_unverified_full_name_keeps_written_form_and_says_so(registry: Graph) -> None:
    unit = unit_named(registry, "省绩效办")
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
    amr = unit_named(registry, "省市场监管局")
    assert registry.value(amr, SKOS.prefLabel) == Literal("湖南省市场监督管理局", lang="zh")
    assert _successors(registry, unit_named(registry, written)) == {amr: "2018"}


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
    (result, year), *rest = _successors(registry, unit_named(registry, before)).items()
    assert rest == []
    assert registry.value(result, SKOS.prefLabel) == Literal(after, lang="zh")
    assert year == "2018"


def test_financial_regulator_chain(registry: Graph) -> None:
    cbirc = unit_named(registry, "湖南银保监局")
    nfra = unit_named(registry, "湖南金融监管局")
    assert _successors(registry, unit_named(registry, "湖南银监局")) == {cbirc: "2018"}
    assert _successors(registry, unit_named(registry, "湖南保监局")) == {cbirc: "2018"}
    assert _successors(registry, cbirc) == {nfra: "2023"}
    assert registry.value(nfra, SKOS.prefLabel) == Literal(
        "国家金融监督管理总局湖南监管局", lang="zh"
    )


@pytest.mark.parametrize("written", ["省科技厅", "省发改委", "湖南证监局", "省人力资源社会保障厅"])
def test_unchanged_units_have_no_successor(registry: Graph, written: str) -> None:
    assert _successors(registry, unit_named(registry, written)) == {}


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
