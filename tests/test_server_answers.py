"""Answers the query worker writes natively (fenjie.server._serialize): byte for byte what
pyoxigraph writes for the whole answer, and exactly the first ``--max-rows`` rows when cut, in every
format, for terms that stress line-based formats (line breaks, tabs and quotes inside literals,
language tags, datatypes, blank nodes, numbers written bare in TSV)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from fenjie.server._worker import PREFIXES, Worker

EX = "http://example.org/"
RESULT_MEDIA = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
GRAPH_MEDIA = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")
SELECT = f"SELECT ?s ?o ?g WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }} ORDER BY STR(?s) STR(?o)"
CONSTRUCT = f"CONSTRUCT {{ ?s <{EX}p> ?o }} WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }}"
OBJECTS = [
    ox.Literal("plain"),
    ox.Literal("two\nlines\r\nand a\ttab"),
    ox.Literal('quote " and \\ backslash'),
    ox.Literal("多行\n中文", language="zh"),
    ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ox.Literal("01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ox.Literal("1.50", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
    ox.Literal("1e3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")),
    ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")),
    ox.Literal("x", datatype=ox.NamedNode(EX + "custom")),
    ox.Literal('},{"s":{', language="en"),
    ox.Literal(""),
    ox.BlankNode("b1"),
    ox.NamedNode(EX + "o?a=1&b=%3C2%3E#frag"),
]


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Worker:
    path = tmp_path_factory.mktemp("answers") / "store"
    store = ox.Store(str(path))
    graph = ox.NamedNode(EX + "g")
    for i, obj in enumerate(OBJECTS):
        subject = ox.BlankNode(f"s{i}") if i % 5 == 0 else ox.NamedNode(f"{EX}s{i:02d}")
        store.add(ox.Quad(subject, ox.NamedNode(EX + "p"), obj, graph))
    store.flush()
    del store
    return Worker(str(path))


def _direct(worker: Worker, query: str) -> ox.QuerySolutions | ox.QueryTriples:
    store = worker._open(0)
    return store.query(query, use_default_graph_as_union=True)


def _ask(worker: Worker, query: str, media: str, max_rows: int) -> tuple[str, bytes, bool]:
    payload = {"query": query, "media": media, "max_rows": max_rows, "has_from": False}
    return worker.sparql(0, payload)


@pytest.mark.parametrize("media", RESULT_MEDIA)
def test_whole_answers_are_what_the_engine_writes(worker: Worker, media: str) -> None:
    fmt = ox.QueryResultsFormat.from_media_type(media)
    expected = _direct(worker, SELECT).serialize(format=fmt)
    assert _ask(worker, SELECT, media, len(OBJECTS)) == (media, expected, False)


@pytest.mark.parametrize("media", RESULT_MEDIA)
@pytest.mark.parametrize("cap", [0, 1, 2, 7])
def test_cut_answers_keep_exactly_the_first_rows(worker: Worker, media: str, cap: int) -> None:
    fmt = ox.QueryResultsFormat.from_media_type(media)
    got_media, body, truncated = _ask(worker, SELECT, media, cap)
    assert (got_media, truncated) == (media, True)
    if fmt == ox.QueryResultsFormat.CSV:  # lossy: no parser; compare the records
        whole_csv = _direct(worker, SELECT).serialize(format=fmt).decode()
        records = list(csv.reader(io.StringIO(body.decode(), newline="")))
        assert records == list(csv.reader(io.StringIO(whole_csv, newline="")))[: cap + 1]
        return
    whole = list(_direct(worker, SELECT))
    rows = list(ox.parse_query_results(body, format=fmt))
    assert [[row[v] for v in ("s", "o", "g")] for row in rows] == [
        [row[v] for v in ("s", "o", "g")] for row in whole[:cap]
    ]


def test_answers_without_variables_or_rows(worker: Worker) -> None:
    for query in ("SELECT * {}", "SELECT ?x {}", f"SELECT ?s {{ ?s <{EX}nothing> ?o }}"):
        expected = _direct(worker, query).serialize(format=ox.QueryResultsFormat.JSON)
        assert _ask(worker, query, RESULT_MEDIA[0], 5) == (RESULT_MEDIA[0], expected, False)
    # one row with no binding is still one row
    assert _ask(worker, "SELECT * {}", RESULT_MEDIA[0], 0)[2] is True


@pytest.mark.parametrize("media", GRAPH_MEDIA)
def test_graph_answers_whole_and_cut(worker: Worker, media: str) -> None:
    fmt = ox.RdfFormat.from_media_type(media)
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    whole = list(_direct(worker, CONSTRUCT))
    expected = ox.serialize(whole, format=fmt, prefixes=prefixes)
    assert _ask(worker, CONSTRUCT, media, len(whole)) == (media, expected, False)
    got_media, body, truncated = _ask(worker, CONSTRUCT, media, 3)
    assert (got_media, truncated) == (media, True)
    assert {q.triple for q in ox.parse(body, format=fmt)} <= set(whole)
    assert len(list(ox.parse(body, format=fmt))) == 3


def test_the_server_marks_a_cut_answer(live_server: str, bundled_store: Path) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"  # no ORDER BY: the fixture's limit is 1.5 s
    response = httpx.get(live_server + "/sparql", params={"query": query + " # cut"})
    assert response.status_code == 200
    assert response.headers["Fenjie-Truncated"] == "1000"  # the fixture's --max-rows
    rows = response.json()["results"]["bindings"]
    store = ox.Store.read_only(str(bundled_store))
    every = {
        (row["s"].value, row["p"].value, row["o"].value)
        for row in store.query(query, use_default_graph_as_union=True)
    }
    got = [(r["s"]["value"], r["p"]["value"], r["o"]["value"]) for r in rows]
    assert len(got) == len(set(got)) == 1000 < len(every)
    assert set(got) <= every


BRACES = f"SELECT ?type ?o WHERE {{ ?type <{EX}q> ?o }} ORDER BY ?o"


@pytest.fixture(scope="module")
def brace_worker(tmp_path_factory: pytest.TempPathFactory) -> Worker:
    """Rows whose strings hold more braces, ``<result`` and line breaks than there are rows,
    bound to a variable named ``type``: the cheap row bounds overshoot, the answer is not cut."""
    path = tmp_path_factory.mktemp("braces") / "store"
    store = ox.Store(str(path))
    for i in range(4):
        text = f"{i} " + '{"type":{' * 30 + "<result>\n" * 30
        store.add(ox.Quad(ox.NamedNode(f"{EX}t{i}"), ox.NamedNode(EX + "q"), ox.Literal(text)))
    store.flush()
    del store
    return Worker(str(path))


@pytest.mark.parametrize("media", RESULT_MEDIA)
def test_a_bound_that_overshoots_still_gives_the_whole_answer(
    brace_worker: Worker, media: str
) -> None:
    fmt = ox.QueryResultsFormat.from_media_type(media)
    expected = _direct(brace_worker, BRACES).serialize(format=fmt)
    for cap in (4, 5, 50):
        assert _ask(brace_worker, BRACES, media, cap) == (media, expected, False)
    got_media, body, truncated = _ask(brace_worker, BRACES, media, 3)
    assert (got_media, truncated) == (media, True)
    if fmt != ox.QueryResultsFormat.CSV:
        rows = [row["o"] for row in ox.parse_query_results(body, format=fmt)]
        assert rows == [row["o"] for row in _direct(brace_worker, BRACES)][:3]


@pytest.mark.parametrize("media", RESULT_MEDIA)
def test_an_answer_is_evaluated_once_unless_cut_as_csv(worker: Worker, media: str) -> None:
    from fenjie.server._serialize import serialize_solutions

    runs: list[int] = []

    def evaluate() -> ox.QuerySolutions:
        runs.append(1)
        answer = _direct(worker, SELECT)
        assert isinstance(answer, ox.QuerySolutions)
        return answer

    # a margin: one literal of SELECT holds braces, which raise the bound
    assert serialize_solutions(media, evaluate, len(OBJECTS) + 5)[1] is False
    assert len(runs) == 1
    # cut: the rows are read back from what was written; CSV has no parser, so it runs again
    assert serialize_solutions(media, evaluate, 2)[1] is True
    csv_format = ox.QueryResultsFormat.from_media_type(media) == ox.QueryResultsFormat.CSV
    assert len(runs) == (3 if csv_format else 2)
