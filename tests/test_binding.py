"""How parameters reach the embedded store: Oxigraph's substitution, or ``VALUES`` where a named
query declares ``#+ binding: values`` (docs/queries.md says which and why).

Every declaration is honoured (the text the store receives carries the block, with no
substitutions left), and both forms give the same rows for every parameterised named query, on a
store where the level and edition queries have something to answer: the bundled provincial table,
the 长沙市 plan implementing it and the revised edition with its recorded matches.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fenjie.catalogue import BINDING_FORMS, binding_form, parse_stored_query
from fenjie.config import bundled_example
from fenjie.errors import QueryError
from fenjie.graph import FenjieStore, build_sources
from fenjie.queries import LocalBackend, plain_rows, stored_queries
from fenjie.queries.editions import diff_editions
from fenjie.queries.registry import bind_params
from fenjie.queries.remote import with_values
from fenjie.queries.revisions import record_revision

DATA = Path(__file__).parent / "data"
CITY = DATA / "levels" / "changsha-innovation-zone-2017-2019.tsv"
REVISED = DATA / "editions" / "changzhutan-innovation-zone-2018-2020-revised.tsv"
TABLE = "https://w3id.org/fenjie/id/table/"
PROVINCE = TABLE + "changzhutan-innovation-zone-2017-2019"
SAMPLES = {
    "unit": "省科技厅",
    "document": "意见",
    "year": "2018",
    "name": "省科技厅",
    "table": PROVINCE,
    "node": f"{PROVINCE}/item/1-2/target/2017/1",
    "item": f"{PROVINCE}/item/1-5",
    "child": TABLE + "changsha-innovation-zone-2017-2019",
    "plan": PROVINCE,
    "report": "https://w3id.org/fenjie/id/report/none",
}
# where the general sample has no answer: a bureau of the city (level-trace), the group whose
# members issue plans (level-group), the revised edition (edition-items)
PER_QUERY = {
    "level-trace": {"unit": "长沙市知识产权局"},
    "level-group": {"unit": "长株潭三市政府"},
    "edition-items": {"table": TABLE + "changzhutan-innovation-zone-2018-2020-revised"},
}


class _Recording:
    """A store that records the text and substitutions each query reaches it with."""

    def __init__(self, store: FenjieStore) -> None:
        self.store = store
        self.seen: list[tuple[str, Any]] = []

    def select(self, sparql: str, *, bindings: Any = None) -> list[dict[str, Any]]:
        self.seen.append((sparql, bindings))
        return self.store.select(sparql, bindings=bindings)

    def construct(self, sparql: str, *, bindings: Any = None) -> Any:
        self.seen.append((sparql, bindings))
        return self.store.construct(sparql, bindings=bindings)


@pytest.fixture(scope="module")
def store() -> FenjieStore:
    store = FenjieStore.in_memory()
    build_sources([bundled_example(), CITY, REVISED], store=store)
    record_revision(
        store, diff_editions(LocalBackend(store), PROVINCE, PER_QUERY["edition-items"]["table"])
    )
    return store


def _parameterised() -> list[str]:
    return sorted(name for name, q in stored_queries().items() if q.parameters)


def _bindings(store: FenjieStore, name: str) -> dict[str, Any]:
    query = stored_queries()[name]
    samples = {**SAMPLES, **PER_QUERY.get(name, {})}
    return bind_params(
        LocalBackend(store), query, {p.name: samples[p.name] for p in query.parameters}
    )


def _rows(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in plain_rows(rows))


@pytest.mark.parametrize("name", _parameterised())
def test_the_declared_binding_form_is_what_the_store_gets(store: FenjieStore, name: str) -> None:
    query = stored_queries()[name]
    bindings = _bindings(store, name)
    recording = _Recording(store)
    backend = LocalBackend(recording)  # type: ignore[arg-type]
    run = backend.select if query.form == "SELECT" else backend.construct
    run(query.text, bindings=bindings)
    [(text, substitutions)] = recording.seen
    if query.binding == "values":
        assert substitutions is None
        assert text == with_values(query.text, {k: str(v) for k, v in bindings.items()})
        assert all(f"VALUES ?{k} {{ {v} }}" in text for k, v in bindings.items())
    else:
        assert (text, substitutions) == (query.text, bindings)


@pytest.mark.parametrize("name", _parameterised())
def test_both_binding_forms_give_the_same_rows(store: FenjieStore, name: str) -> None:
    query = stored_queries()[name]
    if query.form != "SELECT":
        pytest.skip("a CONSTRUCT query: its triples are compared across stores in test_remote")
    bindings = _bindings(store, name)
    substituted = store.select(query.text, bindings=bindings)
    in_values = store.select(with_values(query.text, {k: str(v) for k, v in bindings.items()}))
    assert _rows(in_values) == _rows(substituted)
    if query.binding == "values":  # a declaration is only checked where there is an answer
        assert substituted, name


def test_binding_header_is_read_and_checked() -> None:
    assert binding_form("SELECT * {}") == BINDING_FORMS[0] == "substitute"
    query = parse_stored_query("#+ name: n\n#+ binding: VALUES\nSELECT ?u { ?u ?p ?o }")
    assert query.binding == "values"
    with pytest.raises(QueryError, match="binding"):
        parse_stored_query("#+ name: n\n#+ binding: inline\nSELECT ?u { ?u ?p ?o }")
