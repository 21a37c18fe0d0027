"""A server that echoes every graph of the dataset as a header of its answer, as Virtuoso does
(``X-SPARQL-default-graph`` / ``X-SPARQL-named-graph``): with many plans, every query failed with
"got more than 100 headers" until the client's limit followed the graphs it sends."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator

import pytest

from fenjie.queries import RemoteBackend
from tests.http_stubs import StubHandler, serving

GRAPHS = [f"https://w3id.org/fenjie/id/table/plan-{n:03d}" for n in range(120)]


class _EchoingEndpoint(StubHandler):
    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
        query = form["query"][0]
        if "?g" in query:  # the list of graphs fenjie asks first
            rows = [{"g": {"type": "uri", "value": g}} for g in GRAPHS]
            variables = ["g"]
        else:  # any other query: how many graphs it was asked over
            count = str(len(form.get("default-graph-uri", [])))
            rows = [{"n": {"type": "literal", "value": count}}]
            variables = ["n"]
        body = json.dumps({"head": {"vars": variables}, "results": {"bindings": rows}}).encode()
        echoed = [("X-SPARQL-default-graph", g) for g in form.get("default-graph-uri", [])]
        echoed += [("X-SPARQL-named-graph", g) for g in form.get("named-graph-uri", [])]
        self.reply(body, "application/sparql-results+json", echoed)


@pytest.fixture
def endpoint() -> Iterator[str]:
    with serving(_EchoingEndpoint) as url:
        yield f"{url}/sparql"


def test_answer_with_a_header_per_graph_is_read(endpoint: str) -> None:
    backend = RemoteBackend(endpoint)
    assert backend.graphs() == GRAPHS
    rows = backend.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert [row["n"].value for row in rows] == [str(len(GRAPHS))]
