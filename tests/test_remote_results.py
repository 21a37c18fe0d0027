"""Reading a SELECT's answer as SPARQL JSON results or as a Turtle result set (what Virtuoso writes
fast), and how :class:`RemoteBackend` chooses between them: Turtle only from a server that said it
is Virtuoso, JSON again when a Turtle answer does not read. The same answers from a live Virtuoso
are compared in tests/test_remote.py."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode

from fenjie.errors import QueryError, QuerySyntaxError
from fenjie.queries import RemoteBackend, plain_rows
from fenjie.queries._results import ResultsFormatError, read_select
from tests.http_stubs import StubHandler, serving

XSD = "http://www.w3.org/2001/XMLSchema#"

# the shape Virtuoso 7 writes: prefixes declared as they come, nested anonymous blank nodes,
# numbers and booleans in Turtle's short forms, non-ASCII escaped
VIRTUOSO_TURTLE = b"""@prefix res: <http://www.w3.org/2005/sparql-results#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
_:_ a res:ResultSet .
_:_ res:resultVariable "unit" , "label" , "n" , "score" , "ok" , "note" .
@prefix ns0:\t<https://w3id.org/fenjie/id/unit/> .
_:_ res:solution [
      res:binding [ res:variable "unit" ; res:value ns0:kjt ] ;
      res:binding [ res:variable "label" ; res:value "\\u7701\\u79D1\\u6280\\u5385"@zh ] ;
      res:binding [ res:variable "n" ; res:value 26 ] ;
      res:binding [ res:variable "score" ; res:value 85.0 ] ;
      res:binding [ res:variable "ok" ; res:value "true"^^<http://www.w3.org/2001/XMLSchema#boolean> ] ;
      res:binding [ res:variable "note" ; res:value "a\\tb\\n\\"c\\" \\U0001F600" ] ] .
_:_ res:solution [
      res:binding [ res:variable "unit" ; res:value <https://w3id.org/fenjie/id/unit/1-6> ] ;
      res:binding [ res:variable "score" ; res:value 0.5 ] ;
      res:binding [ res:variable "note" ; res:value _:b7 ] ] .
_:_ res:solution [ ] .
"""


def test_turtle_result_set_rows_in_order_with_their_terms() -> None:
    rows = read_select(VIRTUOSO_TURTLE, "text/turtle")
    assert rows[0] == {
        "unit": NamedNode("https://w3id.org/fenjie/id/unit/kjt"),
        "label": Literal("省科技厅", language="zh"),
        "n": Literal("26", datatype=NamedNode(XSD + "integer")),
        # Virtuoso writes a double without exponent so; its decimals never end in ".0"
        "score": Literal("85.0", datatype=NamedNode(XSD + "double")),
        "ok": Literal("true", datatype=NamedNode(XSD + "boolean")),
        "note": Literal('a\tb\n"c" \U0001f600'),
    }
    assert rows[1] == {
        "unit": NamedNode("https://w3id.org/fenjie/id/unit/1-6"),
        "score": Literal("0.5", datatype=NamedNode(XSD + "decimal")),
        "note": BlankNode("b7"),
    }
    assert rows[2] == {}  # a solution that binds nothing is still a row
    assert len(rows) == 3


def test_json_results_read_the_same_values() -> None:
    body = json.dumps(
        {
            "head": {"vars": ["unit", "label", "n", "score", "ok"]},
            "results": {
                "bindings": [
                    {
                        "unit": {"type": "uri", "value": "https://w3id.org/fenjie/id/unit/kjt"},
                        "label": {"type": "literal", "xml:lang": "zh", "value": "省科技厅"},
                        "n": {"type": "typed-literal", "datatype": XSD + "integer", "value": "26"},
                        "score": {
                            "type": "typed-literal",
                            "datatype": XSD + "double",
                            "value": "85.0",
                        },
                        # Virtuoso's JSON writes booleans as 1 and 0
                        "ok": {"type": "typed-literal", "datatype": XSD + "boolean", "value": "1"},
                    }
                ]
            },
        }
    ).encode()
    from_json = read_select(body, "application/sparql-results+json")
    from_turtle = read_select(VIRTUOSO_TURTLE, "text/turtle")
    wanted = ("unit", "label", "n", "score", "ok")
    first = {k: v for k, v in from_turtle[0].items() if k in wanted}
    assert plain_rows(from_json) == plain_rows([first])
    assert plain_rows(from_json) == [
        {
            "unit": "https://w3id.org/fenjie/id/unit/kjt",
            "label": "省科技厅",
            "n": 26,
            "score": 85.0,
            "ok": True,
        }
    ]


@pytest.mark.parametrize(
    ("body", "media", "not_select"),
    [
        (b'{"head": {}, "boolean": true}', "application/sparql-results+json", True),
        (
            b"@prefix res: <http://www.w3.org/2005/sparql-results#> .\n"
            b"_:_ a res:ResultSet ; res:boolean true .",
            "text/turtle",
            True,
        ),
        (b"<https://example.org/s> <https://example.org/p> 1 .", "text/turtle", False),
        (
            b"@prefix res: <http://www.w3.org/2005/sparql-results#> .\n_:_ a res:",
            "text/turtle",
            False,
        ),
        (b"<html>busy</html>", "text/html", False),
        (b"{not json", "application/sparql-results+json", False),
    ],
    ids=[
        "json-ask",
        "turtle-ask",
        "turtle-not-a-result-set",
        "turtle-cut-short",
        "html",
        "broken-json",
    ],
)
def test_what_is_not_a_select_answer_is_refused(body: bytes, media: str, not_select: bool) -> None:
    with pytest.raises(ResultsFormatError) as caught:
        read_select(body, media)
    assert caught.value.not_select is not_select


# -- which format the backend asks for -------------------------------------------------------


class _FakeVirtuoso(StubHandler):
    """Says it is Virtuoso; answers Turtle when offered it first (cut short if the query says
    BROKEN, an ASK's boolean if it says ASK), else JSON; records what each request accepted."""

    accepted: list[str] = []
    server_version = "Virtuoso/07.20.3229"
    sys_version = "(Linux) x86_64-pc-linux-gnu"

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        length = int(self.headers["Content-Length"])
        query = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))["query"][0]
        accept = self.headers.get("Accept", "")
        _FakeVirtuoso.accepted.append(accept)
        if accept.startswith("text/turtle"):
            media = "text/turtle; charset=UTF-8"
            body = VIRTUOSO_TURTLE
            if "BROKEN" in query:
                body = body[:200]
            if "ASK" in query:
                body = b"@prefix res: <http://www.w3.org/2005/sparql-results#> .\n_:_ a res:ResultSet ; res:boolean true ."
        else:
            media = "application/sparql-results+json"
            body = b'{"head": {"vars": ["g"]}, "results": {"bindings": [{"g": {"type": "uri", "value": "https://w3id.org/fenjie/id/table/t"}}]}}'
        self.reply(body, media)


@pytest.fixture
def fake_virtuoso() -> Iterator[str]:
    _FakeVirtuoso.accepted = []
    with serving(_FakeVirtuoso) as url:
        yield f"{url}/sparql"


def test_virtuoso_is_asked_for_turtle_once_it_said_so(fake_virtuoso: str) -> None:
    backend = RemoteBackend(fake_virtuoso)
    assert backend.graphs() == ["https://w3id.org/fenjie/id/table/t"]  # the first answer: JSON
    rows = backend.select("SELECT * WHERE { ?s ?p ?o }")
    assert len(rows) == 3 and rows[0]["label"] == Literal("省科技厅", language="zh")
    assert [a.split(",")[0] for a in _FakeVirtuoso.accepted] == [
        "application/sparql-results+json",
        "text/turtle",
    ]


def test_a_turtle_answer_that_does_not_read_is_asked_again_as_json(fake_virtuoso: str) -> None:
    backend = RemoteBackend(fake_virtuoso, union=False)
    backend.select("SELECT * WHERE { ?s ?p ?o }")  # tells it is Virtuoso
    rows = backend.select("SELECT * WHERE { ?s ?p ?o } # BROKEN")
    assert plain_rows(rows) == [{"g": "https://w3id.org/fenjie/id/table/t"}]
    assert [a.split(",")[0] for a in _FakeVirtuoso.accepted][1:] == [
        "text/turtle",
        "application/sparql-results+json",
    ]
    with pytest.raises(QuerySyntaxError, match="expected a SELECT query"):
        backend.select("ASK { ?s ?p ?o }")


class _PlainServer(StubHandler):
    """Any other server: answers what it was asked for with the media type it was asked for."""

    accepted: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        self.rfile.read(int(self.headers["Content-Length"]))
        _PlainServer.accepted.append(self.headers.get("Accept", ""))
        body = b"<html>not a result</html>"
        self.reply(body, "text/html")


def test_other_servers_are_asked_for_json_and_a_wrong_answer_is_an_error() -> None:
    _PlainServer.accepted = []
    with serving(_PlainServer) as url:
        backend = RemoteBackend(f"{url}/sparql", union=False)
        for _ in range(2):
            with pytest.raises(QueryError, match="media type 'text/html'"):
                backend.select("SELECT * WHERE { ?s ?p ?o }")
    assert all(a.startswith("application/sparql-results+json") for a in _PlainServer.accepted)
    assert len(_PlainServer.accepted) == 2


class _FormRecorder(StubHandler):
    """Records the form fields of each request; answers an empty SELECT result."""

    fields: list[list[str]] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        length = int(self.headers["Content-Length"])
        _FormRecorder.fields.append(
            sorted(urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8")))
        )
        body = b'{"head": {"vars": []}, "results": {"bindings": []}}'
        if self.headers.get("Accept", "").startswith("application/n-triples"):
            body = b""
        self.reply(body, "application/sparql-results+json")


def test_a_query_whose_comment_names_an_update_is_still_sent_as_a_query() -> None:
    """SPARQLWrapper's own guess took a comment after an apostrophe for the query's form: "the
    item's ... load 10" made a SELECT a LOAD, sent as an update that the endpoint refused."""
    _FormRecorder.fields = []
    # a comment SPARQLWrapper 2.0 does not strip (it then finds "load" first)
    comment = (
        "# One sub-select per property: joins whole columns by hash instead of looking up each\n"
        "# work item's properties one by one (load 10: 13.7 s).\n"
    )
    with serving(_FormRecorder) as url:
        backend = RemoteBackend(f"{url}/sparql", union=False)
        assert backend.select(comment + "SELECT ?t WHERE { { SELECT ?t WHERE { ?t a ?c } } }") == []
        backend.ask(comment + "ASK { { SELECT ?t WHERE { ?t a ?c } } }")
        construct = "CONSTRUCT { ?t a ?c } WHERE { { SELECT ?t ?c WHERE { ?t a ?c } } }"
        assert backend.construct(comment + construct) == []
    assert len(_FormRecorder.fields) == 3
    assert all("query" in fields and "update" not in fields for fields in _FormRecorder.fields)
