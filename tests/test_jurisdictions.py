"""Units belong to a jurisdiction, and documents are cited anywhere: plans of 浙江 (province, list
form), 四川 (province, table), 长沙 (city) and 长兴县 (county) built into one store with the bundled
Hunan table. Answers are compared at the level of work items."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import NamedNode

from fenjie.config import DEFAULT_BASE, bundled_example
from fenjie.errors import AmbiguousNameError
from fenjie.graph import FenjieStore, build_sources, table_slug
from fenjie.graph.check import quality_findings
from fenjie.queries import LocalBackend, dependents, obligations, resolve_unit
from tests.fenjie_runs import RunFenjie

DATA = Path(__file__).parent / "data" / "jurisdictions"
ZHEJIANG = DATA / "zhejiang-digital-economy-2022.txt"
SICHUAN = DATA / "sichuan-technology-transfer-2021-2022.tsv"
CHANGSHA = DATA / "changsha-business-environment-2023.txt"
CHANGXING = DATA / "changxing-county-2023.txt"
GOLDEN_NUMBERS = Path(__file__).parent / "golden" / "numbers" / "input.tsv"
PREFIXES = """PREFIX fj: <https://w3id.org/fenjie/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
"""


def table_iri(path: Path) -> str:
    return f"{DEFAULT_BASE}table/{table_slug(path.name)}"


@pytest.fixture(scope="module")
def backend() -> LocalBackend:
    store = FenjieStore.in_memory()
    build_sources([bundled_example(), ZHEJIANG, SICHUAN, CHANGSHA, CHANGXING], store=store)
    return LocalBackend(store)


def roles(answer: dict[str, Any], source: Path | None = None) -> dict[str, str]:
    return {
        o["work_item"]["label"]: o["role"]
        for o in answer["obligations"]
        if source is None or o["source"]["iri"] == table_iri(source)
    }


# -- the jurisdiction of each plan ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "place", "level", "evidence"),
    [
        (ZHEJIANG, "浙江省", "ProvinceLevel", "docnumber"),
        (SICHUAN, "四川省", "ProvinceLevel", "docnumber"),
        (CHANGSHA, "长沙市", "CityLevel", "issuer"),
        (CHANGXING, "长兴县", "CountyLevel", "issuer"),
        (bundled_example(), "湖南省", "ProvinceLevel", "units"),
    ],
)
def test_each_plan_records_its_jurisdiction_and_level(
    backend: LocalBackend, source: Path, place: str, level: str, evidence: str
) -> None:
    rows = backend.store.select(
        PREFIXES
        + """SELECT ?table ?label ?level ?evidence WHERE {
          ?table fj:jurisdiction ?j ; fj:jurisdictionLevel ?level ; fj:jurisdictionEvidence ?evidence .
          ?j rdfs:label ?label ; fj:level ?level .
        }""",
        bindings={"table": NamedNode(table_iri(source))},
    )
    assert [
        (r["label"].value, r["level"].value.rsplit("#")[-1], r["evidence"].value) for r in rows
    ] == [(place, level, evidence)]


def test_places_lie_within_their_province(backend: LocalBackend) -> None:
    assert backend.store.ask(
        PREFIXES
        + """ASK { ?county rdfs:label "长兴县"@zh ; fj:within ?city .
                  ?city rdfs:label "湖州市"@zh ; fj:within/rdfs:label "浙江省"@zh }"""
    )


# -- short names resolve within the plan's jurisdiction -------------------------------------------
def test_zhejiang_short_names_are_zhejiang_bodies(backend: LocalBackend) -> None:
    reform = obligations(backend, "浙江省发展和改革委员会")
    assert reform["unit"]["label"] == "浙江省发展和改革委员会"
    assert roles(reform) == {
        "加快5G网络建设": "responsible",
        "推进数据中心集约化建设": "lead",
    }
    science = obligations(backend, "浙江省科学技术厅")
    assert roles(science) == {
        "实施关键核心技术攻关": "lead",
    }
    via = {
        o["work_item"]["label"]: [v["unit"]["label"] for v in o["via"]]
        for o in science["obligations"]
    }
    assert via == {"实施关键核心技术攻关": []}
    # 省直有关单位 are "the departments concerned": members unknown, so it reaches none of them
    assert roles(obligations(backend, "中共浙江省委组织部")) == {
        "实施关键核心技术攻关": "supporting",
    }
    assert roles(obligations(backend, "浙江省经济和信息化厅")) == {
        "加快5G网络建设": "lead",
        "推进数据中心集约化建设": "responsible",
    }


def test_no_unit_of_another_province_is_a_hunan_body(backend: LocalBackend) -> None:
    for source in (ZHEJIANG, SICHUAN, CHANGXING):
        rows = backend.store.select(
            PREFIXES
            + """SELECT DISTINCT ?table ?label WHERE {
              GRAPH ?table { ?a a fj:Assignment ; fj:unit ?unit }
              ?unit skos:prefLabel ?label .
              FILTER EXISTS { ?unit a fj:Registered }
            }""",
            bindings={"table": NamedNode(table_iri(source))},
        )
        assert rows == [], (source.name, [r["label"].value for r in rows])


def test_a_short_name_written_in_two_provinces_names_two_units(backend: LocalBackend) -> None:
    with pytest.raises(AmbiguousNameError) as error:
        resolve_unit(backend, "省发展改革委")
    candidates = " ".join(error.value.details["candidates"])
    for full in ("湖南省发展和改革委员会", "浙江省发展和改革委员会", "四川省发展和改革委员会"):
        assert full in candidates


def test_sichuan_table_units(backend: LocalBackend) -> None:
    assert roles(obligations(backend, "四川省科学技术厅")) == {
        "赋予科研人员职务科技成果所有权": "lead",
        "建设技术转移机构": "lead",
        "培育技术经理人（落实《四川省技术经理人培育办法》）": "supporting",
    }
    assert roles(obligations(backend, "共青团四川省委员会")) == {
        "培育技术经理人（落实《四川省技术经理人培育办法》）": "supporting"
    }


def test_a_city_plan_names_its_province_and_its_own_bureaus(backend: LocalBackend) -> None:
    # 省科技厅 in a 长沙 plan is Hunan's (registered), 市发展改革委 is 长沙's
    science = obligations(backend, "湖南省科学技术厅")
    assert roles(science, CHANGSHA) == {"推进科技创新平台共享": "supporting"}
    assert roles(obligations(backend, "长沙市发展和改革委员会")) == {
        "深化“一件事一次办”改革": "responsible",
    }
    assert roles(obligations(backend, "长沙市市场监督管理局")) == {"深化商事制度改革": "lead"}


def test_a_county_plan_names_its_city(backend: LocalBackend) -> None:
    assert roles(obligations(backend, "湖州市科学技术局")) == {"推进科技企业培育": "supporting"}
    assert roles(obligations(backend, "长兴县经济和信息化局")) == {"加快5G网络建设": "lead"}
    assert roles(obligations(backend, "县科技局")) == {"推进科技企业培育": "lead"}


def test_the_bundled_answers_do_not_change(backend: LocalBackend) -> None:
    bundled = bundled_example()
    answer = obligations(backend, "湖南省科学技术厅")
    mine = [o for o in answer["obligations"] if o["source"]["iri"] == table_iri(bundled)]
    assert len(mine) == 13
    assert sorted(o["role"] for o in mine).count("lead") == 8
    assert len(dependents(backend, "意见")["targets"]) == 46


# -- collective addressees ------------------------------------------------------------------------
def test_collective_addressees_are_one_group_unit(backend: LocalBackend) -> None:
    rows = backend.store.select(
        PREFIXES
        + """SELECT ?label (GROUP_CONCAT(STRAFTER(STR(?level), "#"); separator=" ") AS ?levels)
        WHERE {
          ?g a fj:UnitGroup ; fj:membersListed false ; skos:prefLabel ?label ;
             fj:jurisdiction/rdfs:label ?place .
          OPTIONAL { ?g fj:memberLevel ?level }
        } GROUP BY ?label ORDER BY ?label"""
    )
    groups = {
        r["label"].value: set(r["levels"].value.split()) if r.get("levels") else set() for r in rows
    }
    assert groups["各市、县（市、区）人民政府"] == {"CityLevel", "CountyLevel"}
    assert groups["各市（州）人民政府"] == {"CityLevel"}
    assert groups["各区县（市）人民政府"] == {"CountyLevel"}
    assert groups["各乡镇（街道）"] == {"TownshipLevel"}
    assert groups["市直各有关部门"] == set()
    assert not any(label in groups for label in ("各市", "县（市、区）人民政府"))


def test_a_county_government_carries_what_the_province_gave_its_counties(
    backend: LocalBackend,
) -> None:
    answer = obligations(backend, "长兴县人民政府")
    assert roles(answer) == {"加快5G网络建设": "supporting"}
    (entry,) = answer["obligations"]
    assert [v["unit"]["label"] for v in entry["via"]] == ["各市、县（市、区）人民政府"]
    assert entry["source"]["iri"] == table_iri(ZHEJIANG)
    # the province's groups never reach a county of another province
    assert "加快5G网络建设" not in roles(obligations(backend, "长沙市人民政府"))


# -- unknown jurisdiction -------------------------------------------------------------------------
def test_unknown_jurisdiction_keeps_units_as_written_and_check_says_so() -> None:
    store = FenjieStore.in_memory()
    build_sources([GOLDEN_NUMBERS], store=store)
    assert store.ask(PREFIXES + "ASK { ?t fj:jurisdiction fj:UnknownJurisdiction }")
    labels = {
        r["l"].value
        for r in store.select(
            PREFIXES + "SELECT ?l WHERE { ?u a fj:UnresolvedUnit ; skos:prefLabel ?l }"
        )
    }
    assert labels == {"市委组织部", "市人社局", "市财政局"}
    findings = quality_findings(store)
    kinds = {(f["kind"], f.get("unit")) for f in findings}
    assert ("unknown_jurisdiction", None) in kinds
    assert ("unresolved_unit", "市人社局") in kinds


def test_a_county_whose_province_is_unknown_keeps_province_units_unresolved() -> None:
    store = FenjieStore.in_memory()
    plan = Path(__file__).parent / "data" / "qingshan-county-2023-plan.txt"  # 青山县: made up
    (built,) = build_sources([plan], store=store)
    assert built.unresolved_units == ["省科技厅"]
    rows = store.select(
        PREFIXES + 'SELECT ?u WHERE { ?u skos:prefLabel "省科技厅"@zh ; a fj:UnresolvedUnit }'
    )
    assert [r["u"].value.split("/unit/")[1].split("/")[0] for r in rows] == ["unresolved"]
    assert not store.ask(
        PREFIXES
        + """ASK { GRAPH ?g { ?a fj:unit ?u } ?u a fj:Registered
                   FILTER(?g != <https://w3id.org/fenjie/id/graph/registry>) }"""
    )


def test_a_short_name_takes_the_formal_name_it_abbreviates(tmp_path: Path) -> None:
    # 丽水's 市文广旅体局 (tests/corpus/lishui-…) is its 文化(和)广电旅游体育局, not the 文化和旅游局
    # that 文旅局 abbreviates; 发改委 abbreviates the level's own name
    plan = tmp_path / "plan.txt"
    plan.write_text(
        "丽水市2023年重点工作责任分解\n一、稳增长\n1.促消费。\n"
        "责任单位：市文广旅体局、市文旅局、市发改委\n",
        "utf-8",
    )
    store = FenjieStore.in_memory()
    build_sources([plan], store=store)
    rows = store.select(
        PREFIXES
        + """SELECT ?w ?l WHERE { GRAPH ?g { ?a fj:writtenAs ?w ; fj:unit ?u } ?u skos:prefLabel ?l }"""
    )
    assert {r["w"].value: r["l"].value for r in rows} == {
        "市文广旅体局": "丽水市文化广电旅游体育局",
        "市文旅局": "丽水市文化和旅游局",
        "市发改委": "丽水市发展和改革委员会",
    }


# what 县发改局 does in tests/golden/lead-column, read by hand
GOLDEN_LEAD_COLUMN_REFORM = {"政务服务": "responsible", "市场监管": "supporting"}


@pytest.mark.slow  # runs fenjie in a fresh process
def test_build_takes_the_jurisdiction_from_the_user(run_fenjie: RunFenjie, tmp_path: Path) -> None:
    source = Path(__file__).parent / "golden" / "lead-column" / "input.tsv"
    done = run_fenjie("build", source, "--jurisdiction", "浙江省长兴县", store=tmp_path / "store")
    assert done.returncode == 0, done.stderr
    assert "长兴县（县区级，依据：--jurisdiction）" in done.stdout
    store = FenjieStore.open(tmp_path / "store", read_only=True)
    with store:
        answer = obligations(LocalBackend(store), "长兴县发展和改革局")
    assert roles(answer) == GOLDEN_LEAD_COLUMN_REFORM
    bad = run_fenjie("build", source, "--jurisdiction", "火星", store=tmp_path / "other")
    assert bad.returncode != 0 and "火星" in bad.stderr and "Traceback" not in bad.stderr


# -- documents cited anywhere ---------------------------------------------------------------------
def test_the_plan_is_a_document_with_its_notice(backend: LocalBackend) -> None:
    row = backend.store.select(
        PREFIXES
        + """SELECT ?table ?title ?number ?publisher ?creator WHERE {
          ?table fj:planDocument ?doc .
          ?doc dct:title ?title ; fj:documentNumber ?number ;
               dct:publisher/skos:prefLabel ?publisher ; dct:creator/skos:prefLabel ?creator .
        }""",
        bindings={"table": NamedNode(table_iri(ZHEJIANG))},
    )
    assert [
        (r["title"].value, r["number"].value, r["publisher"].value, r["creator"].value) for r in row
    ] == [
        (
            "浙江省数字经济发展2022年工作要点",
            "浙政办发〔2022〕12号",
            "浙江省人民政府办公厅",
            "浙江省人民政府",
        )
    ]


def test_a_plan_implementing_a_document_makes_its_targets_depend_on_it(
    backend: LocalBackend,
) -> None:
    # 长兴县's plan implements 浙江's: every 长兴 target depends on it, through that link
    answer = dependents(backend, "浙江省数字经济发展2022年工作要点")
    assert [(t["work_item"]["label"], t["kind"]) for t in answer["targets"]] == [
        ("加快5G网络建设", "plan"),
        ("推进科技企业培育", "plan"),
    ]
    path = answer["targets"][0]["path"]
    assert [step.get("edge") for step in path if "edge" in step] == [
        "fj:workItem",
        "dct:isPartOf",
        "fj:planDocument",
        "fj:implements",
    ]
    assert path[4]["label"] == "长兴县2023年重点工作任务分解方案"
    # 根据《X》: based on; every target of the 四川 plan (4 items, 9 targets)
    law = dependents(backend, "中华人民共和国促进科技成果转化法")
    assert len(law["targets"]) == 9 and {t["kind"] for t in law["targets"]} == {"plan"}
    assert "fj:basedOn" in [s.get("edge") for s in law["targets"][0]["path"]]


def test_titles_in_the_notice_keep_nested_brackets(backend: LocalBackend) -> None:
    assert backend.store.ask(
        PREFIXES
        + """ASK { ?plan fj:implements ?d . ?d dct:title "国务院关于印发〈“十四五”数字经济发展规划〉的通知"@zh }"""
    )


def test_titles_in_work_items_and_categories_are_cited(backend: LocalBackend) -> None:
    by_item = dependents(backend, "四川省技术经理人培育办法")
    assert {(t["year"], t["kind"]) for t in by_item["targets"]} == {
        (2021, "work_item"),
        (2022, "work_item"),
    }
    by_category = dependents(backend, "长沙市市场主体登记办法")
    assert [(t["work_item"]["label"], t["kind"]) for t in by_category["targets"]] == [
        ("深化商事制度改革", "category")
    ]
