"""Remote mode against live stores: push the graphs, ask the same questions, compare whole answers.

The fixtures start real servers on 127.0.0.1 and free ports: Oxigraph (PyPI package ``oxigraph``),
once with its plain default graph and once with ``--union-default-graph``, and Virtuoso Open Source
(Debian package ``virtuoso-opensource``) with a temporary database, filled once through the Graph
Store Protocol and once through SPARQL Update, both behind HTTP Digest authentication as a user
that is not the administrator. Under CI a missing server is a failure, not a skip.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner

from fenjie.bench.commands import oxigraph_command
from fenjie.cli import main
from fenjie.config import bundled_example
from fenjie.errors import NotFoundError, QueryError, StoreError
from fenjie.graph import FenjieStore, build_sources
from fenjie.progress.derive import progress
from fenjie.queries import (
    LocalBackend,
    RemoteBackend,
    coordination_load,
    dependents,
    obligations,
    plain_rows,
    push_gsp,
    push_update,
    run_stored,
    stored_queries,
)
from fenjie.queries.remote import with_values
from tests.http_stubs import serving

OXIGRAPH = oxigraph_command()
VIRTUOSO = shutil.which("virtuoso-t")
IN_CI = bool(os.environ.get("CI"))
pytestmark = pytest.mark.slow


def _require(binary: str | None, what: str) -> None:
    if binary is None:
        if IN_CI:
            pytest.fail(f"{what} is not installed: tests/setup.sh installs it")
        pytest.skip(f"{what} is not installed (tests/setup.sh installs it)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(location: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    _require(OXIGRAPH, "the oxigraph server")
    port = _free_port()
    proc = subprocess.Popen(
        [
            str(OXIGRAPH),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "oxigraph exited")
        try:
            with urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=2):
                return proc, base
        except OSError:
            time.sleep(0.1)
    _stop(proc)
    raise RuntimeError("oxigraph serve did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stderr:
        proc.stderr.close()


# a user of its own with the role that may write RDF, so that no test works only as the admin
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "fenjie", "pw-fenjie"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Virtuoso server with an empty temporary database; yields its HTTP base URL."""
    from fenjie.bench.virtuoso import available, virtuoso

    _require(VIRTUOSO if available() else None, "Virtuoso (virtuoso-t, isql-vt)")
    with virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        server.add_user(VIRTUOSO_USER, VIRTUOSO_PASSWORD)
        yield server.base


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LocalBackend]:
    path = tmp_path_factory.mktemp("local") / "store"
    build_sources([bundled_example()], store_path=path)
    return path, LocalBackend(FenjieStore.open(path, read_only=True))


STORES = ["oxigraph-plain", "oxigraph-union", "virtuoso-gsp", "virtuoso-update"]


@pytest.fixture(scope="module", params=STORES)
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    local: tuple[Path, LocalBackend],
) -> Iterator[str]:
    """A live store filled with the bundled table; yields its SPARQL query endpoint."""
    store = local[1].store
    if request.param.startswith("virtuoso"):
        base = request.getfixturevalue("virtuoso")
        auth = {"user": VIRTUOSO_USER, "password": VIRTUOSO_PASSWORD}
        # both replace every graph they send: the second filling starts from the same content
        if request.param == "virtuoso-gsp":
            sent = push_gsp(store, base + "/sparql-graph-crud-auth", **auth)
        else:
            sent = push_update(store, base + "/sparql-auth", batch=500, **auth)
        assert sum(sent.values()) == len(store)
        yield base + "/sparql"
        return
    extra = ("--union-default-graph",) if request.param == "oxigraph-union" else ()
    proc, base = _start(tmp_path_factory.mktemp("oxigraph"), *extra)
    try:
        # one mode is filled through the Graph Store Protocol, the other through SPARQL Update
        if request.param == "oxigraph-plain":
            sent = push_gsp(store, base + "/store")
        else:
            sent = push_update(store, base + "/update", batch=500)
        assert sum(sent.values()) == len(store)
        yield base + "/query"
    finally:
        _stop(proc)


def _same(a: object, b: object) -> None:
    assert json.dumps(a, ensure_ascii=False, sort_keys=True) == json.dumps(
        b, ensure_ascii=False, sort_keys=True
    )


def test_push_keeps_named_graphs(server: str, local: tuple[Path, LocalBackend]) -> None:
    remote = RemoteBackend(server)
    graphs = {g.value for g in local[1].store.inner.named_graphs()}
    assert {t.value for t in local[1].store.tables()} < graphs
    assert set(remote.graphs()) == graphs
    count = remote.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(count[0]["n"].value) == len(local[1].store)


@pytest.mark.parametrize(
    "unit", ["省科技厅", "长沙市人民政府", "省市场监督管理局", "湖南金融监管局"]
)
def test_obligations_remote_equals_embedded(
    server: str, local: tuple[Path, LocalBackend], unit: str
) -> None:
    remote = RemoteBackend(server)
    embedded = obligations(local[1], unit)
    assert embedded["obligations"], "compare answers that say something"
    _same(obligations(remote, unit), embedded)
    _same(obligations(remote, unit, year=2018), obligations(local[1], unit, year=2018))


def test_load_and_dependents_remote_equal_embedded(
    server: str, local: tuple[Path, LocalBackend]
) -> None:
    remote = RemoteBackend(server)
    _same(coordination_load(remote), coordination_load(local[1]))
    _same(dependents(remote, "意见"), dependents(local[1], "意见"))
    assert len(obligations(remote, "省科技厅")["obligations"]) == 13


def test_pages_remote_equal_embedded(server: str, local: tuple[Path, LocalBackend]) -> None:
    # a page binds its work items or nodes as one VALUES block of several terms
    remote = RemoteBackend(server)
    for offset in (0, 5, 10):
        page = {"offset": offset, "limit": 5}
        embedded = obligations(local[1], "省科技厅", **page)
        assert embedded["obligations"], "compare pages that say something"
        _same(obligations(remote, "省科技厅", **page), embedded)
        embedded = dependents(local[1], "意见", **page)
        assert embedded["targets"]
        _same(dependents(remote, "意见", **page), embedded)
    _same(
        dependents(remote, "意见", kind="baseline", limit=3),
        dependents(local[1], "意见", kind="baseline", limit=3),
    )
    for offset in (0, 40, 80):  # progress: a page of the targets, reminders with a unit
        page = {"offset": offset, "limit": 40, "as_of": "2019-12-31", "unit": "省科技厅"}
        embedded = progress(local[1], **page)
        assert embedded["targets"] and embedded["reminders"]["targets"]
        _same(progress(remote, **page), embedded)


def test_every_stored_query_remote_equals_embedded(
    server: str, local: tuple[Path, LocalBackend]
) -> None:
    remote = RemoteBackend(server)
    table = local[1].store.tables()[0].value
    samples = {
        "unit": "省科技厅",
        "document": "意见",
        "year": "2018",
        "name": "省科技厅",
        "table": table,
        "node": f"{table}/item/1-2/target/2017/1",
        "item": f"{table}/item/1-5",
        "child": table,
        "report": "https://w3id.org/fenjie/id/report/a-000000000000000000000000",
        "plan": table,
    }
    compared = set()
    for query in stored_queries().values():
        params = {p.name: samples[p.name] for p in query.parameters if p.required}
        if query.form == "CONSTRUCT":
            theirs_graph = {str(t) for t in run_stored(remote, query.name, params)}
            ours_graph = {str(t) for t in run_stored(local[1], query.name, params)}
            assert ours_graph and theirs_graph == ours_graph, query.name
            compared.add(query.name)
            continue
        key = lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False)  # noqa: E731
        theirs = sorted(map(key, plain_rows(run_stored(remote, query.name, params))))
        ours = sorted(map(key, plain_rows(run_stored(local[1], query.name, params))))
        assert theirs == ours, query.name
        compared.add(query.name)
    assert compared == set(stored_queries())


def test_recorded_findings_read_remotely_as_embedded(
    server: str, local: tuple[Path, LocalBackend]
) -> None:
    """The page's 存疑 tab through an endpoint: the findings the build recorded, pushed with the
    table's graph (over 256 KB: sent in pieces), read whole, as from the embedded store."""
    from fenjie.queries.findings import recorded_findings

    ours = recorded_findings(local[1])
    assert [(len(t["findings"]), len(t["notes"])) for t in ours] == [(1, 18)]
    assert recorded_findings(RemoteBackend(server)) == ours


def test_server_default_graph_mode(server: str) -> None:
    """Without the union the plain server sees an empty default graph; the union server does not."""
    remote = RemoteBackend(server, union=False)
    rows = remote.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert (int(rows[0]["n"].value) > 0) == server_is_union(server)


def server_is_union(endpoint: str) -> bool:
    with urllib.request.urlopen(endpoint + "?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", timeout=5) as r:
        return b"true" in r.read()


@pytest.mark.parametrize(
    "text", ['" } ; DROP ALL ; #', '省科技厅"\n} INSERT DATA { <a:b> <a:b> <a:b> } #', "} # 意见"]
)
def test_injection_remote(server: str, local: tuple[Path, LocalBackend], text: str) -> None:
    remote = RemoteBackend(server)
    before = remote.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    with pytest.raises(NotFoundError):
        obligations(remote, text)
    with pytest.raises(NotFoundError):
        dependents(remote, text)
    after = remote.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert before[0]["n"].value == after[0]["n"].value


def test_cli_endpoint_gives_same_json(server: str, local: tuple[Path, LocalBackend]) -> None:
    runner = CliRunner()
    embedded = runner.invoke(
        main, ["obligations", "省科技厅", "--store", str(local[0]), "--format", "json"]
    )
    remote = runner.invoke(
        main, ["obligations", "省科技厅", "--endpoint", server, "--format", "json"]
    )
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.output) == json.loads(embedded.output)
    query = runner.invoke(
        main,
        ["query", "unit-network", "--endpoint", server, "--format", "nt"],
    )
    assert query.exit_code == 0 and "<https://w3id.org/fenjie/def#leads>" in query.output


def test_cli_push_with_gsp(local: tuple[Path, LocalBackend], tmp_path: Path) -> None:
    proc, base = _start(tmp_path / "ox")
    try:
        result = CliRunner().invoke(
            main, ["push", "--store", str(local[0]), "--gsp", base + "/store"]
        )
        assert result.exit_code == 0, result.output
        assert f"{len(local[1].store)} 个三元组" in result.output
        remote = RemoteBackend(base + "/query")
        assert (
            obligations(remote, "省科技厅")["counts"] == obligations(local[1], "省科技厅")["counts"]
        )
    finally:
        _stop(proc)


# -- Virtuoso behind HTTP Digest ----------------------------------------------------------------


def test_virtuoso_digest_endpoint_answers_with_credentials_only(
    virtuoso: str, local: tuple[Path, LocalBackend]
) -> None:
    """``/sparql-auth`` challenges with Digest: fenjie answers it; without credentials it fails."""
    push_gsp(
        local[1].store,
        virtuoso + "/sparql-graph-crud-auth",
        user=VIRTUOSO_USER,
        password=VIRTUOSO_PASSWORD,
    )
    remote = RemoteBackend(
        virtuoso + "/sparql-auth", user=VIRTUOSO_USER, password=VIRTUOSO_PASSWORD
    )
    _same(obligations(remote, "省科技厅"), obligations(local[1], "省科技厅"))
    with pytest.raises(QueryError):
        RemoteBackend(virtuoso + "/sparql-auth").graphs()
    with pytest.raises(StoreError, match="401"):
        push_gsp(local[1].store, virtuoso + "/sparql-graph-crud-auth")


# every kind of term an answer holds, as VALUES (Virtuoso 7 has no BNODE())
TERMS_QUERY = r"""PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?a ?b WHERE {
  VALUES (?a ?b) {
    ("line1\nline2\ttab \"quote\" back\\slash" "x"@zh-Hans)
    ("\U0001F600 表情 中文" 1.5)
    ("" "1.5e3"^^xsd:double)
    (<https://example.org/a%20b/中文?x=1&y=(2)#frag> true)
    (<https://w3id.org/fenjie/id/unit/x.> "2020-01-02"^^xsd:date)
    ("2024"^^xsd:gYear "0042"^^xsd:integer)
    ("3.10"^^xsd:decimal UNDEF)
    ("85.0"^^xsd:decimal "85.0"^^xsd:double)
    ("0.5"^^xsd:double "1.5e-7"^^xsd:double)
    ("'single' and \r" "7"^^xsd:int)
    (<https://e.org/a/中文#x-y> "x"^^<https://example.org/dt>)
    (<https://e.org/a/a:b> <https://e.org/a/x'y>)
  }
}"""


def test_virtuoso_answers_read_from_turtle_as_from_json(
    virtuoso: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Virtuoso is asked for Turtle once its first answer said it is Virtuoso (JSON is several
    times slower for it to write); what fenjie reads from either is the same."""
    import fenjie.queries.remote as remote_module

    media: list[str] = []
    read = remote_module.read_select

    def spy(body: bytes, kind: str) -> list[dict[str, object]]:
        media.append(kind)
        return read(body, kind)

    monkeypatch.setattr(remote_module, "read_select", spy)
    remote = RemoteBackend(virtuoso + "/sparql", union=False)
    as_json = remote.select(TERMS_QUERY)
    as_turtle = remote.select(TERMS_QUERY)
    assert media == ["application/sparql-results+json", "text/turtle"]
    assert len(as_json) == 12
    key = lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False)  # noqa: E731
    assert sorted(map(key, plain_rows(as_turtle))) == sorted(map(key, plain_rows(as_json)))
    # IRIs, strings, language tags, dates, years, custom datatypes: the very same terms; numbers
    # and booleans are written in Turtle's short forms (an integral decimal reads as an integer)
    xsd = "http://www.w3.org/2001/XMLSchema#"
    short = {xsd + t for t in ("integer", "decimal", "double", "boolean")}
    for ours, theirs in zip(as_turtle, as_json, strict=True):
        assert ours.keys() == theirs.keys()
        for name, term in theirs.items():
            datatype = getattr(term, "datatype", None)
            if datatype is None or datatype.value not in short:
                assert ours[name] == term, (name, term)


def test_cli_push_and_query_virtuoso_with_digest(
    virtuoso: str, local: tuple[Path, LocalBackend]
) -> None:
    runner = CliRunner()
    auth = ["--user", VIRTUOSO_USER, "--password", VIRTUOSO_PASSWORD]
    pushed = runner.invoke(
        main,
        ["push", "--store", str(local[0]), "--update", virtuoso + "/sparql-auth", *auth],
    )
    assert pushed.exit_code == 0, pushed.output
    assert f"{len(local[1].store)} 个三元组" in pushed.output
    embedded = runner.invoke(
        main, ["depends", "意见", "--store", str(local[0]), "--format", "json"]
    )
    remote = runner.invoke(
        main,
        ["depends", "意见", "--endpoint", virtuoso + "/sparql-auth", *auth, "--format", "json"],
    )
    assert remote.exit_code == 0, remote.output
    answer = json.loads(remote.output)
    assert len(answer["targets"]) == 46
    assert answer == json.loads(embedded.output)


# -- credentials reach the server ---------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        _Recorder.seen.append(
            {"method": self.command, "auth": self.headers.get("Authorization", "")}
        )
        body = b'{"head":{"vars":["g"]},"results":{"bindings":[]}}'
        self.send_response(200 if self.headers.get("Authorization") else 401)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def recorder() -> Iterator[str]:
    _Recorder.seen = []
    with serving(_Recorder) as url:
        yield url


def test_basic_and_bearer_credentials(recorder: str) -> None:
    RemoteBackend(recorder + "/sparql", token="s3cret").select("SELECT ?g WHERE { ?g ?p ?o }")
    assert _Recorder.seen[-1]["auth"] == "Bearer s3cret"
    RemoteBackend(recorder + "/sparql", user="ann", password="pw").select(
        "SELECT ?g WHERE { ?g ?p ?o }"
    )
    assert _Recorder.seen[-1]["auth"] == "Basic " + base64.b64encode(b"ann:pw").decode()
    store = FenjieStore.in_memory()
    build_sources([bundled_example()], store=store)
    push_gsp(store, recorder + "/store", token="t0k")
    assert {s["auth"] for s in _Recorder.seen if s["method"] == "PUT"} == {"Bearer t0k"}
    with pytest.raises(StoreError):
        push_gsp(store, recorder + "/store")  # no credentials: 401


class _Stalling(BaseHTTPRequestHandler):
    """Sends the start of an answer, then nothing: reading it must time out cleanly."""

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b'{"head": {"vars": [')
        self.wfile.flush()
        time.sleep(5)

    def log_message(self, *args: object) -> None:
        pass


def test_an_answer_that_stops_coming_is_a_timeout_error() -> None:
    from fenjie.errors import QueryTimeoutError

    with serving(_Stalling) as url:
        remote = RemoteBackend(f"{url}/sparql", timeout=1)
        with pytest.raises(QueryTimeoutError, match="did not answer within 1 s"):
            remote.select("SELECT * WHERE { ?s ?p ?o }")


# -- VALUES insertion --------------------------------------------------------------------------


def test_values_go_into_the_where_group_not_into_strings_or_templates() -> None:
    query = 'PREFIX a: <http://x/{}>\nCONSTRUCT { ?s a:p "WHERE {" } WHERE { ?s ?p ?o # { \n}'
    out = with_values(query, {"s": "<http://x/1>"})
    assert out.endswith("WHERE { VALUES ?s { <http://x/1> } ?s ?p ?o # { \n}")
    select = "SELECT ?x { FILTER(?x < 3 && ?x > 1) }"
    assert (
        with_values(select, {"x": '"2"'})
        == 'SELECT ?x { VALUES ?x { "2" } FILTER(?x < 3 && ?x > 1) }'
    )


# -- recorded editions through remote stores ------------------------------------------------------


@pytest.fixture(scope="module")
def editions_local(tmp_path_factory: pytest.TempPathFactory) -> LocalBackend:
    """Two editions of the bundled plan, the second recorded as the revision of the first."""
    from fenjie.queries.editions import diff_editions
    from fenjie.queries.revisions import record_revision
    from tests.test_editions import REVISED, _as_xlsx

    folder = tmp_path_factory.mktemp("editions-remote")
    revised = _as_xlsx(REVISED, folder / "changzhutan-innovation-zone-2018-2020-revised.xlsx")
    path = folder / "store"
    build_sources([bundled_example(), revised], store_path=path)
    store = FenjieStore.open(path)
    record_revision(store, diff_editions(LocalBackend(store), "2017-2019", "2018-2020"))
    return LocalBackend(store)


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_recorded_editions_remote_equal_embedded(
    kind: str, editions_local: LocalBackend, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """What is new in an edition, asked of Oxigraph and of Virtuoso (a server of its own, so the
    other tests' stores stay as they are): the same answers as the embedded store."""
    import contextlib

    from fenjie.queries.revisions import edition_items

    store = editions_local.store
    with contextlib.ExitStack() as stack:
        if kind == "virtuoso":
            from fenjie.bench.virtuoso import available, virtuoso

            _require(VIRTUOSO if available() else None, "Virtuoso (virtuoso-t, isql-vt)")
            server = stack.enter_context(virtuoso(tmp_path_factory.mktemp("virtuoso-editions")))
            server.add_user(VIRTUOSO_USER, VIRTUOSO_PASSWORD)
            auth = {"user": VIRTUOSO_USER, "password": VIRTUOSO_PASSWORD}
            push_update(store, server.base + "/sparql-auth", batch=500, **auth)
            endpoint = server.base + "/sparql"
        else:
            proc, base = _start(
                tmp_path_factory.mktemp("oxigraph-editions"), "--union-default-graph"
            )
            stack.callback(_stop, proc)
            push_gsp(store, base + "/store")
            endpoint = base + "/query"
        remote = RemoteBackend(endpoint)
        tables = [t.value for t in store.tables()]
        embedded = edition_items(editions_local, tables)
        assert sorted(e["status"] for e in embedded.values()).count("new") == 1
        assert len(embedded) == 14  # the work items of the revised edition only
        _same(edition_items(remote, tables), embedded)
        for unit in ("省科技厅", "省财政厅"):
            answer = obligations(editions_local, unit)
            assert any(e["edition"] for e in answer["obligations"])
            _same(obligations(remote, unit), answer)
            _same(
                obligations(remote, unit, edition="new"),
                obligations(editions_local, unit, edition="new"),
            )
        cli = CliRunner().invoke(
            main,
            [
                "obligations",
                "省科技厅",
                "--endpoint",
                endpoint,
                "--edition",
                "new",
                "--format",
                "json",
            ],
        )
        assert cli.exit_code == 0, cli.output
        assert [e["work_item"]["label"] for e in json.loads(cli.output)["obligations"]] == [
            "科技创新大数据平台"
        ]
