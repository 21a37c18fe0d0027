"""Pages of the long answers (a unit's obligations, a document's dependents, progress): every page in turn,
concatenated, is exactly the whole answer, entry by entry; counts and totals are the whole
answer's. On the bundled table with a recorded revision, a lower-level plan, and real plans of
other provinces (tests/corpus/)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode

from fenjie.config import bundled_example
from fenjie.errors import ParameterError, QueryError
from fenjie.graph import FenjieStore, build_sources
from fenjie.progress.derive import progress
from fenjie.queries import LocalBackend, dependents, obligations, plain
from fenjie.queries._values import serialized
from fenjie.queries.backend import bound_query
from fenjie.queries.editions import diff_editions
from fenjie.queries.revisions import record_revision
from tests.test_corpus import PLANS
from tests.test_corpus import backend as corpus_backend

DATA = Path(__file__).parent / "data"
TABLE = "https://w3id.org/fenjie/id/table/"
PROVINCE = TABLE + "changzhutan-innovation-zone-2017-2019"
REVISED = TABLE + "changzhutan-innovation-zone-2018-2020-revised"
FJ = "https://w3id.org/fenjie/def#"


@pytest.fixture(scope="module")
def bundled() -> LocalBackend:
    store = FenjieStore.in_memory()
    build_sources(
        [
            bundled_example(),
            DATA / "levels" / "changsha-innovation-zone-2017-2019.tsv",
            DATA / "editions" / "changzhutan-innovation-zone-2018-2020-revised.tsv",
        ],
        store=store,
    )
    record_revision(store, diff_editions(LocalBackend(store), PROVINCE, REVISED))
    return LocalBackend(store)


def _all_pages(ask: Callable[..., dict[str, Any]], key: str, size: int) -> tuple[list, list]:
    """Every page of ``size`` in turn (following ``next``) and the answers they came in."""
    entries: list[Any] = []
    answers = []
    offset: int | None = 0
    while offset is not None:
        answer = ask(offset=offset, limit=size)
        assert len(answer[key]) <= size and answer["offset"] == offset
        entries += answer[key]
        answers.append(answer)
        offset = answer["next"]
        assert len(answers) < 10_000
    return entries, answers


def _busiest_units(backend: LocalBackend, n: int) -> list[str]:
    rows = backend.select(
        f"SELECT ?u ?i WHERE {{ ?u <{FJ}leads>|<{FJ}responsibleFor>|<{FJ}supports> ?i }}"
    )
    counts = Counter(plain(r["u"]) for r in rows)
    return [u for u, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def _cited_documents(backend: LocalBackend, n: int) -> list[str]:
    rows = backend.select(f"SELECT ?d ?t WHERE {{ ?t <{FJ}refersTo> ?d }}")
    counts = Counter(plain(r["d"]) for r in rows)
    return [d for d, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def _check_obligations(backend: LocalBackend, unit: str, size: int, **filters: Any) -> int:
    whole = obligations(backend, unit, **filters)
    entries, pages = _all_pages(
        lambda **page: obligations(backend, unit, **filters, **page), "obligations", size
    )
    assert entries == whole["obligations"], (unit, filters)
    for page in pages:
        assert page["total"] == len(whole["obligations"])
        rest = {
            k: v for k, v in page.items() if k not in ("obligations", "offset", "limit", "next")
        }
        assert rest == {
            **{k: v for k, v in whole.items() if k != "obligations"},
            "total": page["total"],
        }
    return len(entries)


def _check_dependents(backend: LocalBackend, document: str, size: int) -> int:
    whole = dependents(backend, document)
    entries, pages = _all_pages(
        lambda **page: dependents(backend, document, **page), "targets", size
    )
    assert entries == whole["targets"], document
    counts = dict(Counter(t["kind"] for t in whole["targets"]))
    for page in pages:
        assert page["document"] == whole["document"]
        assert page["total"] == len(whole["targets"]) and page["counts"] == counts
    for kind in counts:  # a kind's pages: the whole answer's targets of that kind, in order
        only = dependents(backend, document, kind=kind)["targets"]
        assert only == [t for t in whole["targets"] if t["kind"] == kind]
        paged, _ = _all_pages(
            lambda kind=kind, **page: dependents(backend, document, kind=kind, **page),
            "targets",
            size,
        )
        assert paged == only
    return len(entries)


def _check_progress(backend: LocalBackend, size: int, **filters: Any) -> int:
    """Progress a page at a time: the targets concatenated are the whole answer's, entry by entry;
    the rest of every page is the whole answer's; with a unit, the reminders are the whole
    answer's overdue or at-risk targets, earliest due first."""
    whole = progress(backend, **filters)
    entries, pages = _all_pages(
        lambda **page: progress(backend, **filters, **page), "targets", size
    )
    assert entries == whole["targets"], filters
    urgent = [t for t in whole["targets"] if t["overdue"] or t["at_risk"]]
    urgent.sort(key=lambda t: (t["due"] is None, t["due"] or ""))
    for page in pages:
        assert page["total"] == len(whole["targets"])
        rest = {
            k: v
            for k, v in page.items()
            if k not in ("targets", "total", "offset", "limit", "next", "reminders")
        }
        assert rest == {k: v for k, v in whole.items() if k != "targets"}
        if filters.get("unit") is None:
            assert "reminders" not in page
        else:
            assert page["reminders"] == {"total": len(urgent), "targets": urgent[:size]}
    return len(entries)


@pytest.mark.parametrize("size", [1, 7, 100])
def test_progress_pages_are_the_whole_answer(bundled: LocalBackend, size: int) -> None:
    assert _check_progress(bundled, size, as_of="2019-12-31") > 100
    assert _check_progress(bundled, size, as_of="2019-12-31", overdue=True) > 10
    assert _check_progress(bundled, size, as_of="2018-06-30", unit="省科技厅") > 10
    _check_progress(bundled, size, as_of="2018-12-15", unit="长沙市人民政府", year=2018)
    _check_progress(bundled, size, as_of="2019-12-31", depends="意见", blocking=False)
    # the reminders list something here, so the comparison above compares something
    page = progress(bundled, as_of="2018-12-15", unit="省科技厅", limit=3)
    assert page["reminders"]["total"] > 3 and len(page["reminders"]["targets"]) == 3
    assert progress(bundled, as_of="2019-12-31", offset=10_000, limit=5)["targets"] == []


@pytest.mark.parametrize("size", [1, 3, 50])
def test_obligation_pages_are_the_whole_answer(bundled: LocalBackend, size: int) -> None:
    units = _busiest_units(bundled, 4) + ["长沙市人民政府", "湖南省市场监督管理局"]
    assert _check_obligations(bundled, "省科技厅", size) > 13  # two editions and a city plan
    for unit in units:
        assert _check_obligations(bundled, unit, size) > 0
    for filters in ({"year": 2018}, {"role": "supporting"}, {"edition": "changed"}):
        for unit in units:
            _check_obligations(bundled, unit, size, **filters)
    # the filters do select something here, so the comparisons above compare something
    assert obligations(bundled, "省科技厅", year=2018, limit=2)["total"] > 2
    assert any(obligations(bundled, u, edition="changed")["obligations"] for u in units)


def test_an_obligation_page_reads_only_its_work_items(bundled: LocalBackend) -> None:
    seen: list[Any] = []

    class Recording(LocalBackend):
        def select(self, sparql: str, *, bindings: Any = None) -> list[dict[str, Any]]:
            seen.append(dict(bindings or {}))
            return super().select(sparql, bindings=bindings)

    page = obligations(Recording(bundled.store), "省科技厅", offset=2, limit=3)
    items = [NamedNode(o["work_item"]["iri"]) for o in page["obligations"]]
    assert [b["item"] for b in seen if "item" in b] == [items, items]  # targets, then details
    assert page["total"] == len(obligations(bundled, "省科技厅")["obligations"])
    assert page["next"] == 5
    assert [o["work_item"] for o in page["obligations"]] == [
        o["work_item"] for o in obligations(bundled, "省科技厅")["obligations"][2:5]
    ]


def test_a_dependents_page_reads_the_targets_of_its_work_items_only(bundled: LocalBackend) -> None:
    from fenjie.queries.registry import get_stored

    asked: list[tuple[str, dict[str, Any]]] = []

    class Recording(LocalBackend):
        def select(self, sparql: str, *, bindings: Any = None) -> list[dict[str, Any]]:
            asked.append((sparql, dict(bindings or {})))
            return super().select(sparql, bindings=bindings)

    whole = dependents(bundled, "意见")["targets"]
    baseline = [t for t in whole if "baseline" in t["kinds"]]
    assert len(baseline) > 6
    at = whole.index(baseline[3])
    page = dependents(Recording(bundled.store), "意见", offset=at, limit=3)
    assert page["targets"] == whole[at : at + 3]
    texts = {text for text, _ in asked}
    assert get_stored("dependent-targets-baseline").text not in texts  # no target one by one
    read = [b["item"] for text, b in asked if text == get_stored("obligation-targets").text]
    assert read == [
        [
            NamedNode(i)
            for i in dict.fromkeys(
                t["work_item"]["iri"] for t in page["targets"] if "baseline" in t["kinds"]
            )
        ]
    ]


@pytest.mark.parametrize("size", [1, 4])
def test_dependent_pages_are_the_whole_answer(bundled: LocalBackend, size: int) -> None:
    assert _check_dependents(bundled, "意见", size) > 4
    for document in _cited_documents(bundled, 3):
        _check_dependents(bundled, document, size)


@pytest.mark.parametrize("slug", PLANS)
def test_pages_of_real_plans_are_the_whole_answers(slug: str) -> None:
    backend = corpus_backend(slug)
    for unit in _busiest_units(backend, 2):
        _check_obligations(backend, unit, 2)
        _check_obligations(backend, unit, 2, role="lead")
    for document in _cited_documents(backend, 2):
        _check_dependents(backend, document, 3)
    _check_progress(backend, 11, as_of="2030-12-31")
    _check_progress(backend, 5, as_of="2030-12-31", unit=_busiest_units(backend, 1)[0])


def test_a_page_past_the_end_is_empty_and_says_the_total(bundled: LocalBackend) -> None:
    late = obligations(bundled, "省科技厅", offset=500, limit=10)
    whole = obligations(bundled, "省科技厅")["obligations"]
    assert late["obligations"] == [] and late["total"] == len(whole) and late["next"] is None
    assert late["counts"] == obligations(bundled, "省科技厅")["counts"]
    last = dependents(bundled, "意见", offset=1000, limit=10)
    assert last["targets"] == [] and last["total"] == len(dependents(bundled, "意见")["targets"])


@pytest.mark.parametrize(("offset", "limit"), [(-1, 10), (0, 0), (0, -5), (True, 3), (0, "10")])
def test_impossible_pages_are_refused(bundled: LocalBackend, offset: Any, limit: Any) -> None:
    with pytest.raises(ParameterError):
        obligations(bundled, "省科技厅", offset=offset, limit=limit)
    with pytest.raises(ParameterError):
        dependents(bundled, "意见", offset=offset, limit=limit)
    with pytest.raises(ParameterError):
        progress(bundled, offset=offset, limit=limit)


def test_unknown_kind_is_refused(bundled: LocalBackend) -> None:
    with pytest.raises(ParameterError) as refused:
        dependents(bundled, "意见", kind="<script>")
    assert refused.value.to_dict()["error"]["parameter"] == "kind"


def test_several_bound_values_are_terms_only() -> None:
    a, b = NamedNode("https://example.org/a"), NamedNode("https://example.org/b")
    assert serialized([a, Literal('x" } ?s ?p ?o {')]) == (
        '<https://example.org/a> "x\\" } ?s ?p ?o {"'
    )
    with pytest.raises(QueryError):
        serialized([a, "<https://example.org/b> } ?s ?p ?o {"])
    text, terms = bound_query("#+ binding: values\nSELECT ?u { ?u ?p ?o }", {"u": [a, b]})
    assert "VALUES ?u { <https://example.org/a> <https://example.org/b> }" in text
    assert terms is None
    with pytest.raises(QueryError):  # Oxigraph's substitution takes one term per variable
        bound_query("SELECT ?u { ?u ?p ?o }", {"u": [a, b]})
