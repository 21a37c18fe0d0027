"""The overview named queries read at the item level: each query's rows are what the graph's
statements say when read directly (``quads_for_pattern``, no SPARQL), in the order the query sorts
by. These queries are written for speed on large stores (docs/benchmarks.md, "Answer-size queries
(this round)"); this holds their answers to the graph.

The store holds the bundled provincial table, the 长沙市 plan implementing it and a small table
with what those lack: a work item led by several units, one led by none, one without targets.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import NamedNode

from fenjie.config import bundled_example
from fenjie.graph import FenjieStore, build_sources
from fenjie.queries import LocalBackend, plain, plain_rows, run_stored
from fenjie.vocab import FJ

CITY = Path(__file__).parent / "data" / "levels" / "changsha-innovation-zone-2017-2019.tsv"
TABLE = "https://w3id.org/fenjie/id/table/"
PROVINCE = TABLE + "changzhutan-innovation-zone-2017-2019"
TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PREF_LABEL = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
PART_OF = NamedNode("http://purl.org/dc/terms/isPartOf")
TITLE = NamedNode("http://purl.org/dc/terms/title")

# a 牵头单位 column: item 1 has two leads, item 3 three and no targets, item 4 no lead
SMALL = (
    "测试分解表（2020—2021年）\n\n"
    "主要任务\t工作内容\t2020年目标\t2021年目标\t牵头单位\t配合单位\n"
    "科技创新\t1、协同创新体系\t完成甲\t完成乙\t省科技厅、省财政厅\t省发改委\n"
    "科技创新\t2、人才体系\t完成丙\t完成丁\t省教育厅\t\n"
    "科技创新\t3、开放合作\t\t\t省财政厅、省教育厅、省科技厅\t\n"
    "改革\t4、营商环境\t完成戊\t\t\t省发改委\n"
)
SMALL_TABLE = TABLE + "small-plan"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FenjieStore]:
    small = tmp_path_factory.mktemp("small") / "small-plan.tsv"
    small.write_text(SMALL, encoding="utf-8")
    store = FenjieStore.in_memory()
    build_sources([bundled_example(), CITY, small], store=store)
    yield store


def _objects(store: FenjieStore, subject: Any, predicate: NamedNode) -> set[Any]:
    return {q.object for q in store.inner.quads_for_pattern(subject, predicate, None, None)}


def _subjects(store: FenjieStore, predicate: NamedNode, obj: Any = None) -> set[Any]:
    return {q.subject for q in store.inner.quads_for_pattern(None, predicate, obj, None)}


def _key(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False)


def _rows(store: FenjieStore, name: str, **params: str) -> list[dict[str, Any]]:
    return plain_rows(run_stored(LocalBackend(store), name, params))


def _same_rows(answer: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert expected, "compare answers that say something"
    assert sorted(map(_key, answer)) == sorted(map(_key, expected))


def _row(**values: Any) -> dict[str, Any]:
    """A row as the answers give it: terms made plain, counts as they are, no unbound values."""
    return {k: v if isinstance(v, int) else plain(v) for k, v in values.items() if v is not None}


@pytest.mark.parametrize("year", [2017, 2018, 2019, 2020, 2021])
def test_targets_by_year_are_the_years_targets_sorted_by_item(
    store: FenjieStore, year: int
) -> None:
    expected = [
        _row(year=y, target=t, text=text, item=item, itemLabel=label)
        for t in _subjects(store, TYPE, FJ.Target)
        for y in _objects(store, t, FJ.year)
        if plain(y) == year
        for text in _objects(store, t, FJ.text)
        for item in _objects(store, t, FJ.workItem)
        for label in _objects(store, item, LABEL)
    ]
    answer = _rows(store, "targets-by-year", year=str(year))
    _same_rows(answer, expected)
    order = [(r["item"], r["target"]) for r in answer]
    assert order == sorted(order)


def test_targets_by_year_at_the_item_level(store: FenjieStore) -> None:
    answer = _rows(store, "targets-by-year", year="2021")
    small = [(r["itemLabel"], r["text"]) for r in answer if r["item"].startswith(SMALL_TABLE)]
    assert small == [("协同创新体系", "完成乙"), ("人才体系", "完成丁")]


def test_work_items_list_leads_and_count_targets(store: FenjieStore) -> None:
    expected = []
    for item in _subjects(store, TYPE, FJ.WorkItem):
        leads = {
            plain(label)
            for unit in _subjects(store, FJ.leads, item)
            for label in _objects(store, unit, PREF_LABEL)
        }
        targets = len(_subjects(store, FJ.workItem, item) & _subjects(store, TYPE, FJ.Target))
        categories = [
            label for c in _objects(store, item, FJ.category) for label in _objects(store, c, LABEL)
        ]
        expected += [
            _row(item=item, label=label, category=category, table=table, targets=targets)
            | ({"leads": sorted(leads)} if leads else {})
            for label in _objects(store, item, LABEL)
            for table in _objects(store, item, PART_OF)
            for category in categories or [None]
        ]
    answer = _rows(store, "work-items")
    # the list's order is the store's; compared as a set of names
    listed = [
        r | ({"leads": sorted(r["leads"].split("、"))} if "leads" in r else {}) for r in answer
    ]
    _same_rows(listed, expected)
    order = [(r["table"], r["item"]) for r in answer]
    assert order == sorted(order)
    small = {
        r["label"]: (r.get("leads"), r["targets"]) for r in listed if r["table"] == SMALL_TABLE
    }
    assert small == {
        "协同创新体系": (["省科技厅", "省财政厅"], 2),
        "人才体系": (["省教育厅"], 2),
        "开放合作": (["省教育厅", "省科技厅", "省财政厅"], 0),
        "营商环境": (None, 1),
    }


def test_indicators_are_the_observations_sorted_by_label_and_year(store: FenjieStore) -> None:
    optional = ("comparator", "value", "unitText", "normalizedValue", "normalizedUnit")
    expected = [
        _row(indicator=indicator, label=label, year=year, target=target)
        | {name: plain(next(iter(_objects(store, obs, FJ[name])), None)) for name in optional}
        for target, obs in (
            (q.subject, q.object)
            for q in store.inner.quads_for_pattern(None, FJ.hasObservation, None, None)
        )
        for indicator in _objects(store, obs, FJ.indicator)
        for year in _objects(store, obs, FJ.year)
        for label in _objects(store, indicator, LABEL)
    ]
    for row in expected:  # an observation without a comparator (or unit) has none in the answer
        for name in optional:
            if row[name] is None:
                del row[name]
    answer = _rows(store, "indicators")
    _same_rows(answer, expected)
    order = [(r["label"], r["year"]) for r in answer]
    assert order == sorted(order)


def test_progress_produces_are_the_targets_issuing_documents(store: FenjieStore) -> None:
    targets = _subjects(store, TYPE, FJ.Target)
    expected = [
        _row(target=q.subject, document=q.object, title=title)
        for q in store.inner.quads_for_pattern(None, FJ.produces, None, None)
        if q.subject in targets
        for title in _objects(store, q.object, TITLE) or {None}
    ]
    answer = _rows(store, "progress-produces")
    _same_rows(answer, expected)
    by_item: dict[str, set[str]] = defaultdict(set)
    for r in answer:
        by_item[r["target"].split("/target/")[0]].add(r["title"])
    assert any("实施细则" in title for title in by_item[PROVINCE + "/item/1-2"])


def test_work_item_outline_gives_numbers_places_and_categories(store: FenjieStore) -> None:
    def one(subject: Any, predicate: NamedNode) -> Any:
        return next(iter(_objects(store, subject, predicate)), None)

    expected = [
        _row(
            item=item,
            label=label,
            number=one(item, FJ.itemNumber),
            order=one(item, FJ.order),
            table=one(item, PART_OF),
            category=category,
            categoryLabel=category and one(category, LABEL),
            categoryOrder=category and one(category, FJ.order),
        )
        for item in _subjects(store, TYPE, FJ.WorkItem)
        for label in _objects(store, item, LABEL)
        for category in _objects(store, item, FJ.category) or {None}
    ]
    answer = _rows(store, "work-item-outline")
    _same_rows(answer, expected)
    small = sorted(
        (r["number"], r["label"], r["categoryLabel"], r["categoryOrder"])
        for r in answer
        if r["table"] == SMALL_TABLE
    )
    assert small == [
        (1, "协同创新体系", "科技创新", 1),
        (2, "人才体系", "科技创新", 1),
        (3, "开放合作", "科技创新", 1),
        (4, "营商环境", "改革", 2),
    ]


def test_targets_and_their_counts_per_item_and_year(store: FenjieStore) -> None:
    targets = _subjects(store, TYPE, FJ.Target)
    expected = [
        _row(target=t, item=item, year=year, text=text, order=order)
        for t in targets
        for item in _objects(store, t, FJ.workItem)
        for year in _objects(store, t, FJ.year)
        for text in _objects(store, t, FJ.text)
        for order in _objects(store, t, FJ.order) or {None}
    ]
    answer = _rows(store, "targets")
    _same_rows(answer, expected)
    counts: dict[tuple[str, int], set[str]] = defaultdict(set)
    for row in answer:
        counts[(row["item"], row["year"])].add(row["target"])
    per_item = _rows(store, "targets-per-item")
    _same_rows(
        per_item,
        [{"item": i, "year": y, "targets": len(ts)} for (i, y), ts in counts.items()],
    )
    small = sorted(
        (r["item"].rsplit("/", 1)[-1], r["year"], r["targets"])
        for r in per_item
        if r["item"].startswith(SMALL_TABLE)
    )
    assert small == [
        ("1-1", 2020, 1),
        ("1-1", 2021, 1),
        ("1-2", 2020, 1),
        ("1-2", 2021, 1),
        ("2-1", 2020, 1),
    ]


def test_target_sequence_links_a_work_items_targets_year_to_year(store: FenjieStore) -> None:
    expected = [
        _row(**{"from": q.subject, "to": q.object})
        for q in store.inner.quads_for_pattern(None, FJ.precedes, None, None)
    ]
    answer = _rows(store, "target-sequence")
    _same_rows(answer, expected)
    small = sorted(
        (r["from"].split("/item/")[1], r["to"].split("/item/")[1])
        for r in answer
        if r["from"].startswith(SMALL_TABLE)
    )
    assert small == [
        ("1-1/target/2020/1", "1-1/target/2021/1"),
        ("1-2/target/2020/1", "1-2/target/2021/1"),
    ]
