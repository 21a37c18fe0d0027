"""SPARQL 1.1 Protocol cases (W3C test names) and Graph Store read access against a live server."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import httpx
import pytest

CASES = json.loads((Path(__file__).parent / "data" / "protocol_cases.json").read_text("utf-8"))
TABLE = "https://w3id.org/fenjie/id/table/changzhutan-innovation-zone-2017-2019"


def _pairs(fields: dict) -> list[tuple[str, str]]:
    out = []
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            out.append((key, item))
    return out


def _send(base: str, case: dict) -> httpx.Response:
    headers = {}
    if case.get("accept"):
        headers["Accept"] = case["accept"]
    url = base + "/sparql"
    if case.get("params"):
        url += "?" + urllib.parse.urlencode(_pairs(case["params"]))
    content = None
    if "form" in case:
        content = urllib.parse.urlencode(_pairs(case["form"])).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif "body" in case:
        content = case["body"].encode(case.get("body_encoding", "utf-8"))
        if case.get("content_type_sent"):
            headers["Content-Type"] = case["content_type_sent"]
    return httpx.request(case["method"], url, content=content, headers=headers, timeout=10)


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_w3c_protocol_case(live_server: str, case: dict) -> None:
    response = _send(live_server, case)
    expected = case["status"]
    if isinstance(expected, list):  # a bad request or a refused update
        assert response.status_code in expected, response.text
        body = response.json()
        assert set(body) == {"error"} and body["error"]["message"]
        if case.get("update"):
            assert body["error"]["code"] == "read_only"
        return
    assert response.status_code == expected, response.text
    assert response.headers["content-type"].startswith(case["content_type"])
    if "boolean" in case:
        if "json" in case["content_type"]:
            assert response.json()["boolean"] is case["boolean"]
        else:
            assert f"<boolean>{str(case['boolean']).lower()}</boolean>" in response.text
    if "rows" in case:
        assert len(response.json()["results"]["bindings"]) == case["rows"]


def test_update_cases_are_refused_and_change_nothing(live_server: str) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = httpx.get(live_server + "/sparql", params={"query": count}).json()
    for case in (c for c in CASES["cases"] if c.get("update")):
        assert _send(live_server, case).status_code == 403
    after = httpx.get(live_server + "/sparql", params={"query": count}).json()
    assert before == after and int(after["results"]["bindings"][0]["n"]["value"]) > 1000


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/html;q=0.9, text/csv;q=0.5", "text/csv"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_content_negotiation(live_server: str, accept: str, media: str) -> None:
    query = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?l WHERE { ?u skos:prefLabel ?l } ORDER BY ?l LIMIT 3"
    response = httpx.get(
        live_server + "/sparql", params={"query": query}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    if media == "text/csv":
        lines = response.text.strip().splitlines()
        assert lines[0] == "l" and len(lines) == 4


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
    ],
)
def test_construct_content_negotiation_parses_back(
    live_server: str, accept: str, media: str
) -> None:
    import rdflib

    query = f"CONSTRUCT {{ <{TABLE}> ?p ?o }} WHERE {{ <{TABLE}> ?p ?o }}"
    response = httpx.get(
        live_server + "/sparql", params={"query": query}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    formats = {
        "text/turtle": "turtle",
        "application/n-triples": "nt",
        "application/ld+json": "json-ld",
        "application/rdf+xml": "xml",
    }
    graph = rdflib.Graph().parse(data=response.text, format=formats[media])
    assert len(graph) >= 4 and (rdflib.URIRef(TABLE), None, None) in graph


def test_not_acceptable(live_server: str) -> None:
    select = httpx.get(
        live_server + "/sparql", params={"query": "SELECT * {}"}, headers={"Accept": "text/turtle"}
    )
    assert select.status_code == 406 and select.json()["error"]["code"] == "not_acceptable"
    construct = httpx.get(
        live_server + "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "text/csv"},
    )
    assert construct.status_code == 406


def test_syntax_error_has_line_and_column(live_server: str) -> None:
    response = httpx.get(live_server + "/sparql", params={"query": "SELECT ?s\nWHERE { ?s ?p }"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "query_syntax" and error["line"] == 2 and error["column"] >= 13


def test_service_description_on_bare_get(live_server: str) -> None:
    import rdflib

    response = httpx.get(live_server + "/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, rdflib.URIRef(live_server + "/sparql")) in graph
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (None, sd.supportedLanguage, sd.SPARQL11Update) not in graph


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "PREFIX ex: <http://example.org/> SELECT * WHERE { SERVICE SILENT ex:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { ?x <http://e/p> ?e . SERVICE ?e { ?s ?p ?o } }",
        "select * where {\n  # a comment\n  service\n<http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    ],
)
def test_service_clauses_are_refused(live_server: str, query: str) -> None:
    response = httpx.get(live_server + "/sparql", params={"query": query})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "service_refused"


def test_service_in_strings_and_iris_is_not_a_service(live_server: str) -> None:
    query = (
        'SELECT ?x WHERE { BIND("SERVICE <http://evil/>" AS ?x) FILTER(?x != <http://e/SERVICE>) }'
    )
    response = httpx.get(live_server + "/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["x"]["value"] == "SERVICE <http://evil/>"
    # a SERVICE the parse cannot account for (in a comment) is refused: fail closed
    commented = httpx.get(live_server + "/sparql", params={"query": query + " # SERVICE <x:y>"})
    assert commented.status_code == 403


def test_dataset_parameters_must_be_iris(live_server: str) -> None:
    for name in ("default-graph-uri", "named-graph-uri"):
        response = httpx.get(
            live_server + "/sparql", params={"query": "ASK {}", name: "not an IRI"}
        )
        assert response.status_code == 400
        assert response.json()["error"]["parameter"] == name


def test_request_too_large(live_server: str) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 30_000
    response = httpx.post(
        live_server + "/sparql",
        content=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_row_limit_truncates_and_says_so(live_server: str) -> None:
    response = httpx.get(live_server + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 1000
    assert response.headers["fenjie-truncated"] == "1000"


def test_graph_store_read(live_server: str) -> None:
    import rdflib

    named = httpx.get(
        live_server + "/store", params={"graph": TABLE}, headers={"Accept": "application/n-triples"}
    )
    assert named.status_code == 200
    graph = rdflib.Graph().parse(data=named.text, format="nt")
    count = httpx.get(
        live_server + "/sparql",
        params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{TABLE}> {{ ?s ?p ?o }} }}"},
    ).json()["results"]["bindings"][0]["n"]["value"]
    assert len(graph) == int(count)
    default = httpx.get(live_server + "/store?default")
    assert default.status_code == 200 and default.headers["content-type"].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=default.text, format="turtle")) > len(graph)
    head = httpx.head(live_server + "/store", params={"graph": TABLE})
    assert (
        head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 0
    )


@pytest.mark.parametrize(
    ("method", "params", "status"),
    [
        ("GET", {"graph": "https://w3id.org/fenjie/id/table/absent"}, 404),
        ("HEAD", {"graph": "https://w3id.org/fenjie/id/table/absent"}, 404),
        ("GET", {}, 400),
        ("GET", {"graph": "not an IRI"}, 400),
        ("GET", {"graph": "<http://e/x>"}, 400),
        ("HEAD", {"graph": "relative/x"}, 400),
        ("PUT", {"graph": TABLE}, 403),
        ("POST", {"graph": TABLE}, 403),
        ("DELETE", {"graph": TABLE}, 403),
    ],
)
def test_graph_store_refusals(live_server: str, method: str, params: dict, status: int) -> None:
    response = httpx.request(
        method,
        live_server + "/store",
        params=params,
        content=b"<a> <b> <c> .",
        headers={"Content-Type": "text/turtle"},
    )
    assert response.status_code == status
    if method != "HEAD":
        assert set(response.json()["error"]) >= {"code", "message"}


def test_answers_that_change_are_not_cached(live_server: str) -> None:
    """Repeated queries are answered from a cache per store generation, except those whose
    answer differs from run to run."""
    query = "SELECT (STRUUID() AS ?u) WHERE {}"
    answers = {
        httpx.get(live_server + "/sparql", params={"query": query}).json()["results"]["bindings"][
            0
        ]["u"]["value"]
        for _ in range(3)
    }
    assert len(answers) == 3
    stable = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    first, second = (
        httpx.get(live_server + "/sparql", params={"query": stable}).content for _ in range(2)
    )
    assert first == second
