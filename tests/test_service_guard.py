"""SERVICE and LOAD against a live `fenjie serve`: a listener on 127.0.0.1 must receive nothing for
a generated set of spellings (case, comments, escapes in IRIs and prefixed names, SILENT, variables,
BASE, nesting, updates), by GET and POST; `--allow-service` still lets the named endpoint through,
and what that endpoint sends never reaches the client."""

from __future__ import annotations

import http.server
import itertools
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fenjie.server._guard import check_fetches, decide, prepare
from tests.fenjie_runs import RunFenjie

LEAK = "LISTENER-SECRET-7f3a"
EMPTY_RESULT = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": []}}).encode()


class _Listener(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: list[str] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Listener

    def _answer(self) -> None:
        self.server.hits.append(f"{self.command} {self.path}")
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        if self.path.startswith("/leak"):
            body, status, media = f"{LEAK} internal details".encode(), 500, "text/plain"
        else:
            body, status, media = EMPTY_RESULT, 200, "application/sparql-results+json"
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def listener() -> Iterator[_Listener]:
    server = _Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# -- the generated spellings ----------------------------------------------------------------------
KEYWORDS = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "service silent", "\\u0053ERVICE"]
# (prologue, endpoint as written); {base} is the listener, e.g. http://127.0.0.1:PORT/
ENDPOINTS = [
    ("", "<{base}sparql>"),
    ("", "<{base}\\u0073parql>"),
    ("", "<\\u0068ttp://127.0.0.1:{port}/x>"),
    ("", "<\\U00000068ttp://127.0.0.1:{port}/x>"),
    ("PREFIX l: <{base}>\n", "l:sparql"),
    ("PREFIX l: <{base}>\n", "l:sp\\#arql"),
    ("PREFIX L: <{base}>\n", "L:"),
    ("PREFIX l: <http://127.0.0.1:{port}\\u002F>\n", "l:x"),
    ("BASE <{base}>\n", "<sparql>"),
    ("BASE <{base}>\n", "<>"),
    ("", "?svc"),
]
# text before the SERVICE that blinded the old lexer (or could blind another)
BLINDERS = [
    "",
    "?a <http://x/\\u0041#> ?b .",
    "?a <http://x/a#> ?b .",
    "?a e:a\\#b ?b .",
    '?a ?b "x\\"#" .',
    "?a ?b '''multi\nline # ''' .",
    "# a comment\n",
    "# a comment\r",
    "?a ?b ?c . #\n",
    "?a e:x\\'y ?b .",
]
# where the SERVICE sits: {s} is the SERVICE clause
WRAPPERS = [
    "{s}",
    "{{ {s} }}",
    "OPTIONAL {{ {s} }}",
    "{{ ?q ?r ?t }} UNION {{ {s} }}",
    "?q ?r ?t MINUS {{ {s} }}",
    "FILTER EXISTS {{ {s} }}",
    "FILTER NOT EXISTS {{ {s} }}",
    "GRAPH ?g {{ {s} }}",
    "{{ SELECT * WHERE {{ {s} }} LIMIT 1 }}",
    "BIND(EXISTS {{ {s} }} AS ?e)",
    "OPTIONAL {{ {{ SELECT ?s WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ {s} }} }} }} }}",
]


def _query(keyword: str, endpoint: tuple[str, str], blinder: str, wrapper: str, port: int) -> str:
    prologue, target = endpoint
    base = f"http://127.0.0.1:{port}/"
    prologue = prologue.format(base=base, port=port)
    target = target.format(base=base, port=port)
    values = f"VALUES ?svc {{ <{base}sparql> }} " if target == "?svc" else ""
    clause = f"{keyword} {target} {{ ?s ?p ?o }}"
    body = wrapper.format(s=clause)
    return f"{prologue}PREFIX e: <http://e/>\nSELECT * WHERE {{ {values}{blinder} {body} }}"


def generated_queries(port: int) -> list[str]:
    """Every keyword, endpoint, blinder and wrapper, each combined with the others in rotation."""
    queries = []
    dims = (KEYWORDS, ENDPOINTS, BLINDERS, WRAPPERS)
    longest = max(len(d) for d in dims)
    for i in range(longest * 3):
        k, e, b, w = (d[(i * (n + 1)) % len(d)] for n, d in enumerate(dims))
        queries.append(_query(k, e, b, w, port))
    for k, e in itertools.product(KEYWORDS, ENDPOINTS):
        queries.append(_query(k, e, "", "{s}", port))
    return list(dict.fromkeys(queries))


def generated_updates(port: int) -> list[str]:
    base = f"http://127.0.0.1:{port}/"
    updates = [
        f"LOAD <{base}data.ttl>",
        f"load silent <{base}data.ttl> into graph <http://e/g>",
        f"LOAD <{base}\\u0064ata.ttl>",
        f"PREFIX l: <{base}>\nLOAD l:data.ttl",
        f"BASE <{base}>\nLOAD <data.ttl>",
        f"INSERT DATA {{ <http://e/s> <http://e/p> 1 }} ; LOAD <{base}data.ttl>",
    ]
    for keyword, blinder, wrapper in zip(KEYWORDS, itertools.cycle(BLINDERS), WRAPPERS[:8]):
        clause = wrapper.format(s=f"{keyword} <{base}sparql> {{ ?s ?p ?o }}")
        updates.append(
            f"PREFIX e: <http://e/>\nINSERT {{ GRAPH <http://e/g> {{ ?s ?p ?o }} }} "
            f"WHERE {{ {blinder} {clause} }}"
        )
        updates.append(f"PREFIX e: <http://e/>\nDELETE WHERE {{ {blinder} {clause} }}")
    return updates


def _send(
    base: str, text: str, how: int, *, kind: str = "query", token: str = ""
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if kind == "query" and how == 0:
        return httpx.get(base + "/sparql", params={"query": text}, timeout=30)
    if how == 1:
        return httpx.post(base + "/sparql", data={kind: text}, headers=headers, timeout=30)
    media = f"application/sparql-{kind}"
    return httpx.post(
        base + "/sparql",
        content=text.encode(),
        headers={**headers, "Content-Type": media},
        timeout=30,
    )


def _assert_refused(response: httpx.Response, text: str) -> None:
    assert response.status_code in (400, 403), (response.status_code, response.text, text)
    assert LEAK not in response.text


# -- live server ----------------------------------------------------------------------------------
def test_generated_service_spellings_reach_nothing(
    listener: _Listener, bundled_store: Path, server_factory, tmp_path: Path
) -> None:
    port = listener.server_address[1]
    queries = generated_queries(port)
    updates = generated_updates(port)
    assert len(queries) > 80 and len(updates) > 10
    store = tmp_path / "store"
    shutil.copytree(bundled_store, store)
    with server_factory(store, "--workers", "2", "--update-token", "t0k") as base:
        refused_403 = 0
        for i, text in enumerate(queries):
            for how in (0, 1, 2) if i % 5 == 0 else (i % 3,):
                response = _send(base, text, how)
                _assert_refused(response, text)
                refused_403 += response.status_code == 403
        for i, text in enumerate(updates):
            response = _send(base, text, 1 + i % 2, kind="update", token="t0k")
            _assert_refused(response, text)
        # datasets named by FROM / default-graph-uri are in the store: never fetched
        for text, params in (
            (f"SELECT * FROM <{listener.base}g> WHERE {{ ?s ?p ?o }}", {}),
            (f"SELECT * FROM NAMED <{listener.base}g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
            ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": listener.base + "g"}),
            (f"DESCRIBE <{listener.base}x>", {}),
        ):
            response = httpx.get(base + "/sparql", params={"query": text, **params}, timeout=30)
            assert response.status_code == 200, (response.text, text)
        # a function IRI is a name, not a fetch (the engine knows no such function: it fails)
        function = f"SELECT * WHERE {{ BIND(<{listener.base}f>(1) AS ?x) }}"
        response = httpx.get(base + "/sparql", params={"query": function}, timeout=30)
        assert response.status_code in (200, 500) and listener.hits == []
        # and the server still answers ordinary queries
        ask = httpx.get(base + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert ask.json()["boolean"] is True
    assert listener.hits == []
    assert refused_403 > len(queries) // 2  # most spellings are real SERVICE clauses, refused


def test_allow_service_lets_only_that_endpoint_through(
    listener: _Listener, live_server: str, bundled_store: Path, server_factory
) -> None:
    allowed = listener.base + "sparql"
    leak = listener.base + "leak"
    with server_factory(bundled_store, "--workers", "1", "--allow-service", allowed,
                        "--allow-service", leak) as base:  # fmt: skip
        for spelling in (f"<{allowed}>", f"<{listener.base}\\u0073parql>"):
            query = f"SELECT * WHERE {{ SERVICE {spelling} {{ ?s ?p ?o }} }}"
            response = httpx.get(base + "/sparql", params={"query": query}, timeout=30)
            assert response.status_code == 200, response.text
            assert response.json()["results"]["bindings"] == []
        assert len(listener.hits) == 2 and all("/sparql" in h for h in listener.hits)
        other = f"SELECT * WHERE {{ SERVICE <{listener.base}other> {{ ?s ?p ?o }} }}"
        refused = httpx.get(base + "/sparql", params={"query": other}, timeout=30)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "service_refused"
        assert len(listener.hits) == 2
        # what the other host sends is logged, never echoed to the client
        query = f"SELECT * WHERE {{ SERVICE <{leak}> {{ ?s ?p ?o }} }}"
        failed = httpx.get(base + "/sparql", params={"query": query}, timeout=30)
        assert failed.status_code == 500 and LEAK not in failed.text
        error = failed.json()["error"]
        assert error["code"] == "query_failed" and error["reference"] in error["message"]
        assert any("/leak" in h for h in listener.hits)
    # the read-only default server refuses the same allowed-elsewhere endpoint
    response = httpx.get(
        live_server + "/sparql",
        params={"query": f"SELECT * WHERE {{ SERVICE <{allowed}> {{ ?s ?p ?o }} }}"},
    )
    assert response.status_code == 403, response.text
    paths = [h.split()[1].split("?")[0] for h in listener.hits]
    assert [p for p in paths if p != "/leak"] == ["/sparql", "/sparql"], listener.hits


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_deep_query_is_refused_before_parsing(
    live_server: str, bundled_store: Path, tmp_path: Path, run_fenjie: RunFenjie
) -> None:
    def nested(depth: int) -> str:
        return "SELECT * WHERE { " + "{ " * depth + "?s ?p ?o" + " }" * depth + " } LIMIT 1"

    response = httpx.post(
        live_server + "/sparql",
        content=nested(4_000).encode(),  # under the test server's --max-body
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "query_too_deep"
    assert httpx.get(live_server + "/sparql", params={"query": nested(60)}).status_code == 200
    assert httpx.get(live_server + "/api/health").status_code == 200  # no worker died
    path = tmp_path / "deep.rq"
    path.write_text(nested(10_000), encoding="utf-8")
    done = run_fenjie("query", "--file", path, store=bundled_store)
    assert done.returncode == 1, done
    assert "嵌套过深" in done.stderr and "Traceback" not in done.stderr


# -- the decision itself (no server) --------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { ?s ?p ?o } # uses no SERVICE",  # a SERVICE word the parse cannot account for
        "SELECT * { ?s ?p ?o . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } ",  # unparseable
        "PREFIX e: <http://a/> PREFIX e: <http://b/> SELECT * { SERVICE e:x { } }",
    ],
)
def test_fail_closed(text: str) -> None:
    decision = decide(prepare(text), "query", ["http://a/x", "http://127.0.0.1:9/"])
    assert decision.reason is not None


def test_a_comment_ends_at_a_carriage_return() -> None:
    """rdflib's comments run to \\n, the engine's (and the grammar's) to \\r as well."""
    text = "SELECT * { # c\r SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    assert decide(text, "query", ()).endpoint == "http://127.0.0.1:9/"


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ?x WHERE { BIND("SERVICE <http://evil/>" AS ?x) FILTER(?x != <http://e/SERVICE>) }',
        "SELECT ?service WHERE { ?service <http://e/loadService> ?o }",
        "SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 3",  # no keyword: nothing to parse
        "SELECT * { ?s ?p ?o FILTER(?o = '''a\nb''') }",
    ],
)
def test_harmless_text_passes(text: str) -> None:
    assert decide(prepare(text), "query", ()).reason is None
    check_fetches(prepare(text), "query", ())


def test_escapes_are_replaced_once() -> None:
    from fenjie.errors import RequestRefusedError

    assert prepare('ASK { <http://x/\\u0041> ?p "\\U0001F600" }') == 'ASK { <http://x/A> ?p "😀" }'
    with pytest.raises(RequestRefusedError):
        prepare("ASK { <http://x/\\u005Cu0041> ?p ?o }")  # an escape spelling an escape
    with pytest.raises(RequestRefusedError):
        prepare('ASK { ?s ?p "\\uD800" }')  # no character


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize("kind", ["query", "update"])
def test_every_nesting_is_found(wrapper: str, kind: str) -> None:
    """The SERVICE is found in the algebra (not only refused): allowed, it passes; else it is
    named as the endpoint refused."""
    clause = wrapper.format(s="SERVICE <http://a.example/x> { ?s ?p ?o }")
    if kind == "query":
        text = f"SELECT * WHERE {{ ?q ?r ?t . {clause} }}"
    else:
        text = f"INSERT {{ ?s ?p ?o }} WHERE {{ ?q ?r ?t . {clause} }}"
    assert decide(text, kind, ["http://a.example/x"]).reason is None
    assert decide(text, kind, ["http://a.example/y"]).endpoint == "http://a.example/x"
