"""Rows of an answer as Python: the embedded store's rows of terms, a JSON answer's terms, and the
plain values the CLI and the API give. The three are made on every large answer, so they are
written for speed (docs/benchmarks.md, "Answer-size queries"); these tests hold them to what they
were: each unbound variable left out, the same terms however often they repeat, and the plain
value of every kind of term."""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, QueryResultsFormat

from fenjie.graph import FenjieStore
from fenjie.queries import plain, plain_rows
from fenjie.queries._results import read_select

XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "https://example.org/"

# two items sharing a unit and a year; the second has no label; a blank node, a tagged string
TURTLE = f"""
@prefix ex: <{EX}> .
@prefix xsd: <{XSD}> .
ex:a ex:unit ex:u ; ex:year "2021"^^xsd:gYear ; ex:label "甲" ; ex:score 1.5 ; ex:ok true .
ex:b ex:unit ex:u ; ex:year "2021"^^xsd:gYear ; ex:score 2.0e0 ; ex:ok false ; ex:note _:n .
_:n ex:say "hello"@en .
"""
QUERY = f"""
PREFIX ex: <{EX}>
SELECT ?item ?unit ?year ?label ?score ?ok ?say WHERE {{
  ?item ex:unit ?unit ; ex:year ?year ; ex:score ?score ; ex:ok ?ok .
  OPTIONAL {{ ?item ex:label ?label }}
  OPTIONAL {{ ?item ex:note/ex:say ?say }}
}} ORDER BY ?item
"""


@pytest.fixture(scope="module")
def store() -> FenjieStore:
    from pyoxigraph import RdfFormat

    store = FenjieStore.in_memory()
    store.inner.load(TURTLE.encode(), format=RdfFormat.TURTLE, to_graph=NamedNode(EX + "g"))
    return store


def test_embedded_rows_leave_unbound_variables_out_and_keep_the_projection_order(
    store: FenjieStore,
) -> None:
    rows = store.select(QUERY)
    assert [list(row) for row in rows] == [
        ["item", "unit", "year", "label", "score", "ok"],
        ["item", "unit", "year", "score", "ok", "say"],
    ]
    assert rows[0]["label"] == Literal("甲")
    assert rows[1]["say"] == Literal("hello", language="en")
    assert rows[0]["unit"] == rows[1]["unit"] == NamedNode(EX + "u")


@pytest.mark.parametrize("collecting", [True, False])
def test_the_garbage_collector_is_left_as_it_was(store: FenjieStore, collecting: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if collecting else gc.disable)()
        assert len(store.select(QUERY)) == 2
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()


def test_json_answer_reads_as_the_embedded_rows(store: FenjieStore) -> None:
    body = store.query(QUERY).serialize(format=QueryResultsFormat.JSON)
    assert body is not None
    rows = read_select(body, "application/sparql-results+json")
    assert rows == store.select(QUERY)
    # a term repeated across rows reads as the same term each time
    assert rows[0]["year"] == rows[1]["year"] == Literal("2021", datatype=NamedNode(XSD + "gYear"))


def test_json_terms_of_every_kind() -> None:
    body = json.dumps(
        {
            "head": {"vars": ["x", "y"]},
            "results": {
                "bindings": [
                    {
                        "x": {"type": "uri", "value": EX + "a"},
                        "y": {"type": "bnode", "value": "b1"},
                    },
                    {
                        "x": {"type": "literal", "value": "7", "datatype": XSD + "integer"},
                        "y": {"type": "literal", "value": "七", "xml:lang": "zh"},
                    },
                    {"x": {"type": "typed-literal", "value": "7", "datatype": XSD + "integer"}},
                    {
                        "x": {"type": "literal", "value": "7"},
                        "y": {"type": "uri", "value": EX + "a"},
                    },
                ]
            },
        }
    ).encode()
    rows = read_select(body, "application/sparql-results+json")
    seven = Literal("7", datatype=NamedNode(XSD + "integer"))
    assert rows == [
        {"x": NamedNode(EX + "a"), "y": BlankNode("b1")},
        {"x": seven, "y": Literal("七", language="zh")},
        {"x": seven},
        {"x": Literal("7"), "y": NamedNode(EX + "a")},
    ]


def test_plain_values_of_every_kind(store: FenjieStore) -> None:
    rows = plain_rows(store.select(QUERY))
    assert rows[0] == {
        "item": EX + "a",
        "unit": EX + "u",
        "year": 2021,
        "label": "甲",
        "score": 1.5,
        "ok": True,
    }
    assert rows[1]["score"] == 2.0 and rows[1]["ok"] is False and rows[1]["say"] == "hello"
    cases: list[tuple[Any, Any]] = [
        (BlankNode("b1"), "_:b1"),
        (Literal("85", datatype=NamedNode(XSD + "decimal")), 85),
        (Literal("0.5", datatype=NamedNode(XSD + "decimal")), 0.5),
        (Literal("x", datatype=NamedNode(XSD + "integer")), "x"),
        (Literal("1", datatype=NamedNode(XSD + "boolean")), True),
        (Literal("2021-01-01", datatype=NamedNode(XSD + "date")), "2021-01-01"),
        (None, None),
        ("text", "text"),
        (3, 3),
    ]
    assert [plain(term) for term, _ in cases] == [value for _, value in cases]
