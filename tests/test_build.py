"""The graph built from the bundled table holds what the table says (issue: build the graph)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from fenjie.config import bundled_example
from fenjie.graph import FenjieStore, build_sources, read_table
from fenjie.graph.export import stats

P = """
PREFIX fj: <https://w3id.org/fenjie/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX org: <http://www.w3.org/ns/org#>
"""


@pytest.fixture(scope="module")
def store() -> FenjieStore:
    store = FenjieStore.in_memory()
    build_sources([bundled_example()], store=store)
    return store


def values(store: FenjieStore, query: str, **bindings) -> list[str]:
    rows = store.select(P + query, bindings=bindings)
    return [next(iter(r.values())).value for r in rows]


def test_reader_skips_title_lines_and_repeated_headers():
    table = read_table(bundled_example())
    assert table.title == "长株潭国家自主创新示范区建设目标任务分解表（2017—2019年）"
    assert table.preamble[0] == "附件"
    assert table.years == [2017, 2018, 2019]
    assert len(table.header_lines) == 5  # the header repeats on every page, spelled two ways
    assert len(table.rows) == 14
    assert table.columns[7].header == "配合/参与单位"


def test_counts(store):
    counts = stats(store)
    assert counts["categories"] == 3
    assert counts["work_items"] == 14
    assert counts["targets"] == {2017: 36, 2018: 29, 2019: 24}
    assert counts["documents"] == 10


def test_categories_carry_down_continuation_rows(store):
    rows = store.select(
        P
        + """SELECT ?cat (COUNT(?item) AS ?n) WHERE {
                 ?item a fj:WorkItem ; fj:category/rdfs:label ?cat } GROUP BY ?cat"""
    )
    assert {r["cat"].value: int(r["n"].value) for r in rows} == {
        "体系建设与组织协调": 5,
        "创新示范工程": 4,
        "平台建设": 5,
    }


def test_first_responsible_unit_leads(store):
    label = Literal("省科技厅", language="zh")
    rows = store.select(
        P
        + """SELECT ?label ?role (COUNT(DISTINCT ?item) AS ?n) WHERE {
               ?unit skos:altLabel ?label .
               ?a fj:unit ?unit ; fj:workItem ?item ; fj:role ?role .
             } GROUP BY ?label ?role""",
        bindings={"label": label},
    )
    by_role = {r["role"].value.rsplit("#", 1)[1]: int(r["n"].value) for r in rows}
    assert by_role == {"LeadRole": 8, "CoResponsibleRole": 1, "SupportingRole": 4}
    # the materialized edges agree with the assignments
    leads = values(
        store,
        "SELECT ?item ?label WHERE { ?unit skos:altLabel ?label ; fj:leads ?item }",
        label=label,
    )
    assert len(set(leads)) == 8


def test_group_has_members(store):
    members = values(
        store,
        """SELECT ?name ?label WHERE {
            ?g skos:prefLabel|skos:altLabel ?label ; org:hasMember/skos:prefLabel ?name }""",
        label=Literal("长株潭三市政府", language="zh"),
    )
    assert sorted(members) == sorted(["长沙市人民政府", "株洲市人民政府", "湘潭市人民政府"])


def test_bracketed_scope_is_a_scope_not_a_unit(store):
    rows = store.select(
        P
        + """SELECT ?written ?scope ?name WHERE {
               ?a fj:scope ?scope ; fj:writtenAs ?written ; fj:unit/skos:altLabel ?name }"""
    )
    got = {(r["written"].value, r["scope"].value, r["name"].value) for r in rows}
    assert ("省文化厅（文化创意）", "文化创意", "省文化厅") in got
    assert ("省卫生计生委（生物健康）", "生物健康", "省卫生计生委") in got


def test_indicator_observations_per_year(store):
    rows = store.select(
        P
        + """SELECT ?year ?value ?unit WHERE {
               ?obs fj:indicator/rdfs:label "每万人发明专利拥有量"@zh ;
                    fj:year ?year ; fj:value ?value ; fj:unitText ?unit }
             ORDER BY ?year"""
    )
    assert [(r["year"].value, r["value"].value, r["unit"].value) for r in rows] == [
        ("2017", "15", "件"),
        ("2018", "18", "件"),
        ("2019", "20", "件"),
    ]


def test_nested_and_scaled_observations(store):
    rows = store.select(
        P
        + """SELECT ?parent ?value WHERE {
               ?child fj:partOf ?p ; fj:value ?value ; fj:year "2017"^^<http://www.w3.org/2001/XMLSchema#gYear> .
               ?p fj:value ?parent }"""
    )
    assert [(r["parent"].value, r["value"].value) for r in rows] == [("30", "3")]
    scaled = values(
        store,
        """SELECT DISTINCT ?n WHERE { ?o fj:unitText "万平方米" ; fj:normalizedValue ?n }""",
    )
    assert [float(v) for v in scaled] == [2_000_000.0]


def test_documents_short_names_and_derived(store):
    titles = values(store, "SELECT ?t WHERE { ?d a fj:PolicyDocument ; dct:title ?t }")
    # the 10 documents the table cites, and the plan itself
    assert len(set(titles)) == 11
    assert "长株潭国家自主创新示范区建设目标任务分解表（2017—2019年）" in titles
    long_title = "中共湖南省委、省人民政府关于建设长株潭国家自主创新示范区的若干意见"
    assert long_title in titles
    short = values(
        store,
        "SELECT ?s ?t WHERE { ?d dct:title ?t ; dct:alternative ?s }",
        t=Literal(long_title, language="zh"),
    )
    assert short == ["意见"]
    based = values(
        store,
        """SELECT ?derived ?t WHERE { ?x fj:basedOn ?d . ?d dct:title ?t . ?x dct:title ?derived }""",
        t=Literal(long_title, language="zh"),
    )
    assert based == [long_title + "实施细则"]
    # 《意见》 and 省委、省政府《意见》 in the baselines are the same node as the long title
    citing = values(
        store,
        "SELECT (COUNT(DISTINCT ?b) AS ?n) ?t WHERE { ?b a fj:BaselineItem ; fj:refersTo ?d . "
        "?d dct:title ?t } GROUP BY ?t",
        t=Literal(long_title, language="zh"),
    )
    assert int(citing[0]) == 7


def test_bracketless_mentions_link_to_the_document(store):
    rows = store.select(
        P
        + """SELECT ?year ?bracketed ?kind WHERE {
               ?d dct:title "空间规划"@zh .
               ?m fj:document ?d ; fj:mentionedIn ?t ; fj:bracketed ?bracketed ; fj:mentionKind ?kind .
               ?t fj:year ?year } ORDER BY ?year"""
    )
    assert [(r["year"].value, r["bracketed"].value, r["kind"].value[-8:]) for r in rows] == [
        ("2017", "false", "Produces"),
        ("2018", "true", "Produces"),
        ("2019", "false", "RefersTo"),
    ]


def test_targets_precede_next_year_of_same_work_item(store):
    assert not store.ask(
        P
        + """ASK { ?a fj:precedes ?b . ?a fj:year ?y1 ; fj:workItem ?w1 . ?b fj:year ?y2 ;
                   fj:workItem ?w2 FILTER(?w1 != ?w2 || YEAR(?y2) != YEAR(?y1) + 1) }"""
    )
    n = values(store, "SELECT (COUNT(*) AS ?n) WHERE { ?a fj:precedes ?b }")
    # 2017→2018 and 2018→2019 pairs within each work item, computed from the counts per item
    pairs = store.select(
        P
        + """SELECT ?w (SUM(IF(YEAR(?y) = 2017, 1, 0)) AS ?a) (SUM(IF(YEAR(?y) = 2018, 1, 0)) AS ?b)
                     (SUM(IF(YEAR(?y) = 2019, 1, 0)) AS ?c)
             WHERE { ?t a fj:Target ; fj:workItem ?w ; fj:year ?y } GROUP BY ?w"""
    )
    expected = sum(
        int(r["a"].value) * int(r["b"].value) + int(r["b"].value) * int(r["c"].value) for r in pairs
    )
    assert int(n[0]) == expected > 0


def test_every_node_from_a_cell_is_traceable_to_row_and_column(store):
    untraced = store.select(
        P
        + """SELECT ?node ?type WHERE {
               VALUES ?type { fj:Category fj:WorkItem fj:BaselineItem fj:Target fj:Assignment
                              fj:DocumentMention }
               ?node a ?type
               FILTER NOT EXISTS { ?node prov:wasDerivedFrom ?cell .
                                   ?cell fj:rowIndex ?r ; fj:column/fj:columnIndex ?c ;
                                         prov:value ?raw } }"""
    )
    assert untraced == []
    assert not store.ask(
        P
        + """ASK { ?o a fj:Observation FILTER NOT EXISTS {
                 ?o prov:wasDerivedFrom/prov:wasDerivedFrom/prov:value ?raw } }"""
    )


def test_item_text_is_inside_its_cell(store):
    rows = store.select(
        P + """SELECT ?text ?raw WHERE { ?n fj:text ?text ; prov:wasDerivedFrom/prov:value ?raw }"""
    )
    assert len(rows) == 36 + 29 + 24 + 21  # targets + baseline items
    assert all(r["text"].value in r["raw"].value for r in rows)


def test_iris_are_ascii_and_readable(store):
    rows = store.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    iris = [r["s"].value for r in rows]
    assert all(iri.isascii() for iri in iris)
    assert "https://w3id.org/fenjie/id/table/changzhutan-innovation-zone-2017-2019/item/1-2" in iris


def test_configurable_base():
    store = FenjieStore.in_memory()
    build_sources([bundled_example()], store=store, base="http://example.org/x/")
    tables = store.tables()
    assert tables == [NamedNode("http://example.org/x/table/changzhutan-innovation-zone-2017-2019")]
    assert not store.ask(
        "ASK { ?s ?p ?o FILTER(STRSTARTS(STR(?s), 'https://w3id.org/fenjie/id/')) }"
    )


def test_every_term_the_builder_writes_is_declared_in_the_ontology(tmp_path):
    tests = Path(__file__).parent
    sources = [bundled_example(), *tests.glob("data/*.txt")]
    for case in sorted(tests.glob("golden/*/input.tsv")):  # all named input.tsv: copy apart
        copy = tmp_path / f"{case.parent.name}.tsv"
        copy.write_bytes(case.read_bytes())
        sources.append(copy)
    store = FenjieStore.in_memory()
    build_sources(sources, store=store)
    assert len(store.tables()) == len(sources) >= 5
    undeclared = store.select(
        """SELECT DISTINCT ?term WHERE {
             GRAPH ?g { { ?s ?term ?o } UNION { ?s a ?term } }
             FILTER(STRSTARTS(STR(?g), "https://w3id.org/fenjie/id/table/"))
             FILTER(STRSTARTS(STR(?term), "https://w3id.org/fenjie/def#"))
             FILTER NOT EXISTS { GRAPH <https://w3id.org/fenjie/id/graph/ontology> { ?term a ?k } }
           }"""
    )
    assert undeclared == []


@pytest.mark.slow  # builds and rebuilds several stores
def test_facts_tables_share_are_stored_once_and_collected_when_unused(tmp_path):
    """Oxigraph's union default graph keeps duplicates: a document two tables cite must still
    come back once, and must go when no table cites it any more."""
    text = bundled_example().read_text("utf-8")
    second = tmp_path / "second.tsv"
    second.write_text(text.replace("省绩效办", "省统计局"), "utf-8")
    store_path = tmp_path / "store"
    build_sources([bundled_example(), second], store_path=store_path)
    with FenjieStore.open(store_path, read_only=True) as store:
        rows = store.select(P + "SELECT ?d ?t WHERE { ?d a fj:PolicyDocument ; dct:title ?t }")
        assert len(rows) == len({r["d"] for r in rows}) == 11  # 10 cited, and the plan itself
    # the second table no longer cites 《规划纲要》; the first still does
    second.write_text(text.replace("《规划纲要》", "规划纲要"), "utf-8")
    build_sources([second], store_path=store_path)
    with FenjieStore.open(store_path, read_only=True) as store:
        assert store.ask(P + 'ASK { ?d dct:title "规划纲要"@zh }')
    # and once neither does, the document is gone
    first = tmp_path / "changzhutan-innovation-zone-2017-2019.tsv"
    first.write_text(text.replace("《规划纲要》", "规划纲要"), "utf-8")
    build_sources([first], store_path=store_path)
    with FenjieStore.open(store_path, read_only=True) as store:
        assert not store.ask(P + 'ASK { ?d dct:title "规划纲要"@zh }')
        assert len(store.select(P + "SELECT ?d WHERE { ?d a fj:PolicyDocument }")) == 9 + 1
