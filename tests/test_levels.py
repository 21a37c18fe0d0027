"""Levels: a city's plan implementing the province's, checked against hand-written gold facts.

tests/data/levels/changsha-innovation-zone-2017-2019.tsv is a 长沙市 implementation plan of the
bundled provincial table, written by hand (read here from a Word document made of it, so the two
plans come through different readers). Its notice says 为贯彻落实《长株潭…分解表（2017—2019年）》;
its bureaus take on eight of the ten provincial work items that name 长株潭三市政府 (one of them
split into two city items), add one of their own (岳麓山国家大学科技城建设), and leave two without
follow-up (军民融合创新示范, 科技金融服务平台) and 29 provincial targets in all. The gold facts
are in the .gold.json next to it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fenjie.config import bundled_example
from fenjie.graph import FenjieStore, build_sources

DATA = Path(__file__).parent / "data" / "levels"
CITY = DATA / "changsha-innovation-zone-2017-2019.tsv"
GOLD: dict[str, Any] = json.loads(
    (DATA / "changsha-innovation-zone-2017-2019.gold.json").read_text(encoding="utf-8")
)
BASE = "https://w3id.org/fenjie/id/"
PARENT = f"{BASE}table/{GOLD['parent']}"
CHILD = f"{BASE}table/{GOLD['child']}"
FJ = "https://w3id.org/fenjie/def#"


def as_docx(tsv: Path, out: Path) -> Path:
    """The plan as a Word document: notice paragraphs, then one ruled table."""
    import docx

    lines = tsv.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("主要任务\t"))
    document = docx.Document()
    for line in lines[:header]:
        if line.strip():
            document.add_paragraph(line)
    rows = [line.split("\t") for line in lines[header:] if line.strip()]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph()
    document.save(out)
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> FenjieStore:
    folder = tmp_path_factory.mktemp("levels")
    city = as_docx(CITY, folder / f"{GOLD['child']}.docx")
    memory = FenjieStore.in_memory()
    build_sources([bundled_example(), city], store=memory)
    return memory


def _tail(iri: str) -> str:
    return iri.rsplit("/item/", 1)[1]


def _target_key(iri: str, store: FenjieStore) -> list[Any]:
    """[work item tail, year, position] of a target IRI (…/item/1-5/target/2017/2)."""
    item, rest = iri.rsplit("/item/", 1)[1].split("/target/")
    year, position = rest.split("/")
    return [item, int(year), int(position)]


def test_plan_link_read_from_the_notice(store: FenjieStore) -> None:
    rows = store.select(
        f"SELECT ?child ?parent ?evidence ?written WHERE {{ ?l a <{FJ}PlanLink> ; "
        f"<{FJ}childPlan> ?child ; <{FJ}parentPlan> ?parent ; <{FJ}linkEvidence> ?evidence ; "
        f"<{FJ}writtenAs> ?written }}"
    )
    assert [(r["child"].value, r["parent"].value, r["evidence"].value) for r in rows] == [
        (CHILD, PARENT, GOLD["plan_link"]["evidence"])
    ]
    assert rows[0]["written"].value == GOLD["plan_link"]["cited"]


def test_work_items_link_exactly_as_gold(store: FenjieStore) -> None:
    rows = store.select(f"SELECT ?c ?p WHERE {{ ?c <{FJ}implementsItem> ?p }}")
    found = {_tail(r["c"].value): _tail(r["p"].value) for r in rows}
    assert all(r["c"].value.startswith(CHILD) and r["p"].value.startswith(PARENT) for r in rows)
    gold = {k: v["parent"] for k, v in GOLD["work_items"].items() if v["parent"]}
    assert found == gold


def test_targets_link_exactly_as_gold(store: FenjieStore) -> None:
    rows = store.select(f"SELECT ?c ?p WHERE {{ ?c <{FJ}implementsTarget> ?p }}")
    found = sorted(
        (_target_key(r["c"].value, store), _target_key(r["p"].value, store)) for r in rows
    )
    gold = sorted((g["child"], g["parent"]) for g in GOLD["targets"])
    assert found == gold


def test_links_carry_score_and_provenance(store: FenjieStore) -> None:
    rows = store.select(
        f"SELECT ?link ?score ?plan ?from WHERE {{ ?link a <{FJ}LevelLink> ; "
        f"<{FJ}matchScore> ?score ; <{FJ}planLink> ?plan ; "
        "<http://www.w3.org/ns/prov#wasDerivedFrom> ?from }"
    )
    assert rows and all(60 <= float(r["score"].value) <= 100 for r in rows)
    assert {r["plan"].value for r in rows} == {f"{CHILD}/implements/{GOLD['parent']}"}
    # each link derives from its two ends
    assert len(rows) == 2 * (len(GOLD["targets"]) + 9)


def test_the_city_own_item_is_a_finding(store: FenjieStore) -> None:
    from fenjie.graph.check import quality_findings

    levels = [f for f in quality_findings(store) if f["kind"] == "unlinked_work_item"]
    assert [f["work_item"] for f in levels] == ["岳麓山国家大学科技城建设"]
    assert levels[0]["source"]["table"] == CHILD and levels[0]["source"]["row"] == 8
