"""The per-request reading of a query's text: its form and dataset, its depth, whether its answer
may be kept. Each shortcut is checked against the full reading it stands in for."""

from __future__ import annotations

import pytest

from fenjie.errors import RequestRefusedError
from fenjie.queries import stored_queries
from fenjie.server._answers import _VOLATILE, AnswerCache, _volatile
from fenjie.server._guard import MAX_DEPTH, check_depth, nesting_depth
from fenjie.server._protocol import query_facts, tokenize


def _read_whole(text: str) -> tuple[str | None, bool]:
    """The form and ``FROM`` as a reading of every token finds them (what ``query_facts`` did
    before it stopped at the ``WHERE`` group)."""
    words = [t.text.upper() for t in tokenize(text) if t.kind == "word"]
    form = None
    for word in words:
        if word not in ("PREFIX", "BASE"):
            form = word if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") else None
            break
    return form, form is not None and "FROM" in words


HANDWRITTEN = [
    "SELECT * FROM <x:g> { ?s ?p ?o }",
    "SELECT * FROM NAMED <x:g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "select (count(*) as ?n) from <x:g> where { ?s ?p ?o }",
    "ASK FROM <x:g> { ?s ?p ?o }",
    "ASK { ?s ?p ?o }",
    "DESCRIBE <x:a> FROM <x:g>",
    "DESCRIBE <x:a>",
    "CONSTRUCT { ?s ?p '{ FROM }' } FROM <x:g> WHERE { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o . { ?s ?p ?o } } WHERE { ?s ?p ?o }",
    "CONSTRUCT WHERE { ?s ?p ?o }",
    "CONSTRUCT FROM <x:g> WHERE { ?s ?p ?o }",
    "# FROM in a comment\nSELECT ?from WHERE { ?from <x:from> 'FROM' } # from",
    "PREFIX from: <x:> SELECT * { ?s from:from ?o }",
    "BASE <x:> PREFIX a: <y:> SELECT ?x WHERE { ?x a:wasDerivedFrom ?y }",
    "SELECT * { ?s ?p ?o } LIMIT 1",
]


@pytest.mark.parametrize(
    "text",
    HANDWRITTEN + [q.text for q in stored_queries().values()],
    ids=[f"text{i}" for i in range(len(HANDWRITTEN))] + list(stored_queries()),
)
def test_form_and_dataset_as_a_whole_reading_finds_them(text: str) -> None:
    assert query_facts(text) == _read_whole(text)


def test_the_dataset_clause_is_found_where_the_grammar_puts_it() -> None:
    assert query_facts("SELECT * FROM <x:g> { ?s ?p ?o }") == ("SELECT", True)
    assert query_facts("CONSTRUCT { ?s ?p '}' } FROM <x:g> WHERE { ?s ?p ?o }") == (
        "CONSTRUCT",
        True,
    )
    assert query_facts("SELECT * WHERE { ?s ?p ?o } # from here") == ("SELECT", False)
    assert query_facts("INSERT DATA { <x:a> <x:b> <x:c> }") == (None, False)


def _nested(depth: int) -> str:
    return "SELECT * WHERE " + "{ " * depth + "?s ?p ?o" + " }" * depth


def test_depth_is_refused_past_the_limit_and_only_then() -> None:
    check_depth(_nested(MAX_DEPTH))
    with pytest.raises(RequestRefusedError) as refused:
        check_depth(_nested(MAX_DEPTH + 1))
    assert refused.value.code == "query_too_deep"


def test_many_brackets_side_by_side_are_not_deep() -> None:
    # more opening brackets than the limit, so the count cannot vouch: the scan decides
    text = "SELECT * WHERE { " + " ".join("{ ?s ?p ?o }" for _ in range(3 * MAX_DEPTH)) + " }"
    assert nesting_depth(text) == 2
    check_depth(text)
    hidden = "SELECT * WHERE { ?s ?p '" + "{" * (2 * MAX_DEPTH) + "' }"
    check_depth(hidden)  # brackets in a string do not nest


VOLATILE_CASES = [
    "SELECT (NOW() AS ?t) {}",
    "SELECT (now () AS ?t) {}",
    "SELECT (RaNd() AS ?r) {}",
    "SELECT (STRUUID() AS ?u) {}",
    "SELECT (uuid() AS ?u) {}",
    "SELECT (BNODE() AS ?b) {}",
    "SELECT * { SERVICE <http://e/> { ?s ?p ?o } }",
    "select * { service <http://e/> { ?s ?p ?o } }",
    "SELECT ?known ?random { ?known <x:now> ?random }",  # the words, but no call
    "SELECT * { ?s ?p 'Service' }",  # kept out to be safe: the old rule too
    "ASK { ?s ?p ?o }",
]


@pytest.mark.parametrize("text", VOLATILE_CASES + [q.text for q in stored_queries().values()])
def test_volatile_texts_are_the_ones_the_rule_names(text: str) -> None:
    assert _volatile(text) is (_VOLATILE.search(text) is not None)


def test_volatile_answers_are_not_kept() -> None:
    cache = AnswerCache()
    answer = ("application/sparql-results+json", b"{}", False)
    for text in ("SELECT (NOW() AS ?t) {}", "ASK { ?s ?p ?o }"):
        key = AnswerCache.key(0, text, answer[0], [], [], False, 10)
        cache.put(key, text, answer)
    assert (
        cache.get(AnswerCache.key(0, "SELECT (NOW() AS ?t) {}", answer[0], [], [], False, 10))
        is None
    )
    assert cache.get(AnswerCache.key(0, "ASK { ?s ?p ?o }", answer[0], [], [], False, 10)) == answer
