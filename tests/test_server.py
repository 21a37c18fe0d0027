"""The live server with real clients: SPARQLWrapper, rdflib's SPARQLStore, the JSON API, timeouts,
updates with a token, CORS and the one error shape."""

from __future__ import annotations

import concurrent.futures
import shutil
import time
from pathlib import Path

import httpx
import pytest

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
FJ = "PREFIX fj: <https://w3id.org/fenjie/def#> "


def test_sparqlwrapper_get_and_post(live_server: str) -> None:
    from SPARQLWrapper import GET, JSON, POST, SPARQLWrapper

    query = (
        FJ
        + "SELECT ?year (COUNT(?t) AS ?n) WHERE { ?t a fj:Target ; fj:year ?year } GROUP BY ?year ORDER BY ?year"
    )
    answers = []
    for method in (GET, POST):
        client = SPARQLWrapper(live_server + "/sparql")
        client.setMethod(method)
        client.setReturnFormat(JSON)
        client.setQuery(query)
        answers.append(client.queryAndConvert()["results"]["bindings"])
    assert answers[0] == answers[1] and len(answers[0]) >= 1
    direct = httpx.get(live_server + "/sparql", params={"query": query}).json()["results"][
        "bindings"
    ]
    assert answers[0] == direct


def test_sparqlwrapper_construct_and_ask(live_server: str) -> None:
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(FJ + "CONSTRUCT { ?u a fj:Unit } WHERE { ?u a fj:Unit }")
    client.setReturnFormat(TURTLE)
    graph = client.queryAndConvert()
    import rdflib

    parsed = rdflib.Graph().parse(data=graph, format="turtle")
    client.setQuery(FJ + "SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE { ?u a fj:Unit }")
    client.setReturnFormat(JSON)
    assert len(parsed) == int(client.queryAndConvert()["results"]["bindings"][0]["n"]["value"]) > 0
    client.setQuery(FJ + "ASK { ?u fj:leads ?i }")
    assert client.queryAndConvert()["boolean"] is True


def test_rdflib_sparqlstore(live_server: str) -> None:
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(live_server + "/sparql", returnFormat="json")
    graph = rdflib.Graph(store=store)
    rows = list(graph.query(FJ + "SELECT ?u ?i WHERE { ?u fj:leads ?i }"))
    expected = httpx.get(
        live_server + "/sparql",
        params={"query": FJ + "SELECT (COUNT(*) AS ?n) WHERE { ?u fj:leads ?i }"},
    ).json()
    assert len(rows) == int(expected["results"]["bindings"][0]["n"]["value"]) > 0
    assert all(isinstance(u, rdflib.URIRef) for u, _ in rows)
    ask = graph.query(FJ + "ASK { ?t a fj:SourceTable }")
    assert ask.askAnswer is True


def test_json_api_matches_the_library(live_server: str, bundled_store: Path) -> None:
    import fenjie.queries as q
    from fenjie.graph import FenjieStore

    store = FenjieStore.open(bundled_store, read_only=True)
    backend = q.LocalBackend(store)
    try:
        units = httpx.get(live_server + "/api/units", params={"q": "科技"}).json()
        assert units == q.find_units(backend, "科技", limit=20)
        unit = units[0]["iri"]
        assert httpx.get(
            live_server + "/api/obligations", params={"unit": unit}
        ).json() == q.obligations(backend, unit)
        assert httpx.get(
            live_server + "/api/obligations", params={"unit": unit, "year": "2018", "role": "lead"}
        ).json() == q.obligations(backend, unit, year=2018, role="lead")
        assert httpx.get(live_server + "/api/coordination").json() == q.coordination_load(backend)
        assert httpx.get(
            live_server + "/api/dependents", params={"document": "意见"}
        ).json() == q.dependents(backend, "意见")
        assert httpx.get(
            live_server + "/api/documents", params={"name": "意见"}
        ).json() == q.resolve_document(backend, "意见")
        listed = httpx.get(live_server + "/api/queries").json()
        assert {x["name"] for x in listed} == set(q.stored_queries())
        rows = httpx.get(live_server + "/api/queries/documents").json()
        assert rows["rows"] == q.plain_rows(q.run_stored(backend, "documents", {}))
        assert rows["columns"][: len(rows["rows"][0])] and set(rows["rows"][0]) <= set(
            rows["columns"]
        )
    finally:
        store.close()


def _api_pages(base: str, path: str, key: str, size: int, **params: str) -> list[dict]:
    """Every page of ``size`` of an API answer, following ``next``, concatenated."""
    entries: list[dict] = []
    offset: int | None = 0
    while offset is not None:
        answer = httpx.get(base + path, params={**params, "limit": size, "offset": offset}).json()
        assert answer["offset"] == offset and answer["limit"] == size
        entries += answer[key]
        offset = answer["next"]
    return entries


def test_api_pages_are_the_whole_answer(live_server: str) -> None:
    whole = httpx.get(live_server + "/api/obligations", params={"unit": "省科技厅"}).json()
    assert "total" not in whole  # without limit: the whole answer, as before
    paged = _api_pages(live_server, "/api/obligations", "obligations", 4, unit="省科技厅")
    assert paged == whole["obligations"] and len(paged) == 13
    first = httpx.get(live_server + "/api/obligations", params={"unit": "省科技厅", "limit": 5})
    assert first.json()["total"] == 13 and first.json()["next"] == 5
    assert first.json()["counts"] == whole["counts"]
    targets = httpx.get(live_server + "/api/dependents", params={"document": "意见"}).json()
    pages = _api_pages(live_server, "/api/dependents", "targets", 3, document="意见")
    assert pages == targets["targets"] and len(pages) > 3
    for kind in {t["kind"] for t in targets["targets"]}:
        only = _api_pages(live_server, "/api/dependents", "targets", 2, document="意见", kind=kind)
        assert only == [t for t in targets["targets"] if t["kind"] == kind]
    as_of = {"as_of": "2019-12-31"}
    progress = httpx.get(live_server + "/api/progress", params=as_of).json()
    assert "total" not in progress and len(progress["targets"]) > 60
    pages = _api_pages(live_server, "/api/progress", "targets", 30, **as_of)
    assert pages == progress["targets"]
    first = httpx.get(live_server + "/api/progress", params={**as_of, "limit": 30}).json()
    assert first["total"] == len(progress["targets"]) and first["next"] == 30
    assert {k: v for k, v in first.items() if k in progress and k != "targets"} == {
        k: v for k, v in progress.items() if k != "targets"
    }
    overdue = {**as_of, "overdue": "true", "unit": "省科技厅"}
    only = httpx.get(live_server + "/api/progress", params=overdue).json()["targets"]
    assert only and _api_pages(live_server, "/api/progress", "targets", 4, **overdue) == only
    reminders = httpx.get(live_server + "/api/progress", params={**overdue, "limit": 4}).json()
    assert reminders["reminders"]["total"] == len(only)  # every one is overdue
    assert [t["iri"] for t in reminders["reminders"]["targets"]] == [
        t["iri"] for t in sorted(only, key=lambda t: t["due"])[:4]
    ]
    spec = httpx.get(live_server + "/openapi.json").json()["paths"]
    for path in ("/api/obligations", "/api/dependents", "/api/progress"):
        names = {p["name"]: p["schema"] for p in spec[path]["get"]["parameters"]}
        assert names["limit"] == names["offset"] == {"type": "integer"}


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("/api/obligations", {"unit": "省科技厅", "limit": "0"}, 400, "parameter"),
        ("/api/obligations", {"unit": "省科技厅", "offset": "-3", "limit": "5"}, 400, "parameter"),
        ("/api/dependents", {"document": "意见", "limit": "十"}, 400, "parameter"),
        ("/api/dependents", {"document": "意见", "kind": "all"}, 400, "parameter"),
        ("/api/progress", {"limit": "0"}, 400, "parameter"),
        ("/api/progress", {"offset": "-1", "limit": "5"}, 400, "parameter"),
        ("/api/obligations", {}, 400, "parameter"),
        ("/api/obligations", {"unit": "省科技厅", "year": "明年"}, 400, "parameter"),
        ("/api/obligations", {"unit": "没有这个单位"}, 404, None),
        ("/api/dependents", {"document": "不存在的文件"}, 404, None),
        ("/api/queries/no-such-query", {}, 404, "unknown_query"),
        ("/api/nothing-here", {}, 404, "not_found"),
        ("/views/no-such-view", {}, 404, None),
        ("/sparql", {"query": "SELECT * WHERE {"}, 400, "query_syntax"),
    ],
)
def test_one_error_shape(
    live_server: str, path: str, params: dict, status: int, code: str | None
) -> None:
    response = httpx.get(live_server + path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"]
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code


def test_openapi(live_server: str) -> None:
    spec = httpx.get(live_server + "/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    served = {
        "/api/units",
        "/api/obligations",
        "/api/coordination",
        "/api/dependents",
        "/api/queries/{name}",
        "/sparql",
        "/store",
    }
    assert served <= set(spec["paths"])
    assert "Error" in spec["components"]["schemas"]


def test_views_are_served(live_server: str) -> None:
    views = httpx.get(live_server + "/api/views").json()
    if not views["available"]:
        pytest.skip("fenjie.viz.render_view is not installed")
    name = views["views"][0]["name"]
    page = httpx.get(live_server + f"/views/{name}", timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text.lower()


def test_timeout_stops_the_query_and_the_server_keeps_answering(live_server: str) -> None:
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        heavy = pool.submit(httpx.get, live_server + "/sparql", params={"query": HEAVY}, timeout=30)
        time.sleep(0.2)
        quick = [pool.submit(httpx.get, live_server + "/api/health", timeout=30) for _ in range(5)]
        assert all(f.result().status_code == 200 for f in quick)
        answered_while_heavy = time.monotonic() - started
        response = heavy.result()
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "timeout"
    assert answered_while_heavy < time.monotonic() - started  # the quick ones came back first
    assert time.monotonic() - started < 15  # stopped, not run to the end
    after = httpx.get(live_server + "/sparql", params={"query": FJ + "ASK { ?t a fj:Target }"})
    assert after.status_code == 200 and after.json()["boolean"] is True


def test_cors_is_off_by_default(live_server: str) -> None:
    response = httpx.get(live_server + "/api/health", headers={"Origin": "http://example.org"})
    assert "access-control-allow-origin" not in response.headers


def test_updates_with_a_token_and_cors(tmp_path: Path, bundled_store: Path, server_factory) -> None:
    store = tmp_path / "store"
    shutil.copytree(bundled_store, store)
    update = 'INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> "值" } }'
    ask = 'ASK { <http://example.org/s> <http://example.org/p> "值" }'
    options = ("--update-token", "s3cret", "--workers", "2", "--cors", "http://example.org")
    with server_factory(store, *options) as base:
        headers = {"Content-Type": "application/sparql-update"}
        assert (
            httpx.post(base + "/sparql", content=update.encode(), headers=headers).status_code
            == 401
        )
        wrong = httpx.post(
            base + "/sparql",
            content=update.encode(),
            headers={**headers, "Authorization": "Bearer nope"},
        )
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
        assert httpx.get(base + "/sparql", params={"query": ask}).json()["boolean"] is False
        ok = httpx.post(
            base + "/sparql",
            content=update.encode(),
            headers={**headers, "Authorization": "Bearer s3cret"},
        )
        assert ok.status_code == 204, ok.text
        for _ in range(4):  # every worker sees the change
            assert httpx.get(base + "/sparql", params={"query": ask}).json()["boolean"] is True
        graph = httpx.get(
            base + "/store",
            params={"graph": "http://example.org/g"},
            headers={"Accept": "application/n-triples"},
        )
        assert graph.status_code == 200 and "http://example.org/s" in graph.text
        form = httpx.post(
            base + "/sparql",
            data={"update": "LOAD <http://example.org/data.ttl>"},
            headers={"Authorization": "Bearer s3cret"},
        )
        assert form.status_code == 403 and form.json()["error"]["code"] == "service_refused"
        cors = httpx.get(base + "/api/health", headers={"Origin": "http://example.org"})
        assert cors.headers["access-control-allow-origin"] == "http://example.org"
    import pyoxigraph

    reopened = pyoxigraph.Store.read_only(str(store))
    assert reopened.query(ask, use_default_graph_as_union=True)
