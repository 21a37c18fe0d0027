"""``fenjie bench-stores``: every named query on three stores holding the same synthetic graph.

The graph is built from synthetic tables (:mod:`fenjie.bench.synthetic`) as ``fenjie build
FOLDER/`` builds them (table by table, so the build needs the memory of a few tables), and dumped
as N-Quads. The same graph is then asked

1. embedded: fenjie's store through :class:`~fenjie.queries.LocalBackend` (no HTTP), in a child
   process so that a run past the time limit can be killed;
2. through ``oxigraph serve-read-only`` on the very store files fenjie built;
3. through Virtuoso Open Source (a database filled by its bulk loader from the dump),

the remote two through :class:`~fenjie.queries.RemoteBackend`, as ``--endpoint`` does. Each query
runs once to warm up, then up to ``repeat`` times per store; the table gives the median and the
95th percentile, the rows answered and whether every store gave the same answer (a digest of the
answer's rows, compared whole as the tests do).

**Budget.** Every run of a query is stopped at ``budget`` seconds (the embedded child process is
killed, a server is restarted, since an abandoned query would keep a core busy), and the timed
runs stop once ``budget`` seconds are spent on the query. A query stopped so is reported "over
budget", never dropped, so one pathological query cannot hold the benchmark.

With ``workdir`` the built store, the dump and Virtuoso's database are kept and reused by the next
run of the same size: at 10M triples the build is the long part.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import math
import multiprocessing
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fenjie.bench._serving import free_port
from fenjie.bench.commands import require_oxigraph

__all__ = ["STORES", "bench_stores", "build_graph", "format_report"]

STORES = ("embedded", "oxigraph", "oxigraph-union", "virtuoso")


class _OverBudget(Exception):
    """A run was stopped at the time limit."""


def _read_marker(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def build_graph(triples: int, folder: Path, *, seed: int = 0) -> Path:
    """A fenjie store of about ``triples`` synthetic triples in ``folder``/store; returns its path.

    The tables are built in one ``build_sources`` call, as ``fenjie build FOLDER/`` does: table by
    table into a staging store, so memory stays that of a few tables. A store that a previous run
    built in ``folder`` for the same size and seed is reused; ``folder``/graph.json records what
    was built and how many seconds it took.
    """
    from fenjie.bench.synthetic import write_synthetic
    from fenjie.graph import build_sources

    store = folder / "store"
    marker = folder / "graph.json"
    wanted = {"triples": triples, "seed": seed}
    built = _read_marker(marker)
    if built is not None and store.exists() and {k: built.get(k) for k in wanted} == wanted:
        return store
    marker.unlink(missing_ok=True)
    per_row = 215  # triples per work item, measured on the generator's output
    rows = max(5, round((triples - 2_000) / per_row))
    start = time.perf_counter()
    shutil.rmtree(folder / "tables", ignore_errors=True)
    sources = write_synthetic(folder / "tables", rows, seed=seed)
    build_sources(sources, store_path=store, fresh=True)
    build_s = time.perf_counter() - start
    marker.write_text(json.dumps({**wanted, "build_s": build_s}), encoding="utf-8")
    return store


def _digest(rows: list[dict[str, Any]]) -> str:
    """A digest of an answer as the tests compare it: its rows as JSON, in any order."""
    from fenjie.queries import plain_rows

    lines = sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in plain_rows(rows))
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


@dataclass
class _Run:
    seconds: float
    rows: int
    digest: str
    cpu: float | None = None  # the embedded query process's CPU seconds (None through a server)


def _embedded_worker(conn: Any, store_path: str) -> None:
    """Child process: open the store read-only, answer (query, bindings) with (s, rows, digest)."""
    from fenjie.graph import FenjieStore
    from fenjie.queries import LocalBackend

    backend = LocalBackend(FenjieStore.open(store_path, read_only=True))
    conn.send("ready")
    while True:
        try:
            text, bindings = conn.recv()
        except EOFError:
            return
        start, cpu = time.perf_counter(), time.process_time()
        try:
            rows = backend.select(text, bindings=bindings)
        except Exception as exc:  # the store's own message, reported as this query's failure
            conn.send(f"{type(exc).__name__}: {exc}")
            continue
        # CPU time beside wall time: on a machine shared with other work, wall time counts the
        # waits for a core too; the query's own CPU time does not
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        conn.send(_Run(seconds, len(rows), _digest(rows), cpu))


class _Embedded:
    """Queries on the embedded store in a child process, killed (and replaced) at the time limit."""

    def __init__(self, store_path: Path) -> None:
        self.store_path = store_path
        self._ctx = multiprocessing.get_context("spawn")
        self._proc: Any = None
        self._conn: Any = None

    def _start(self) -> None:
        self._conn, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(
            target=_embedded_worker, args=(child, str(self.store_path)), daemon=True
        )
        self._proc.start()
        child.close()
        if not self._conn.poll(300) or self._conn.recv() != "ready":
            raise RuntimeError("the embedded query process did not start")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join()
            self._conn.close()
            self._proc = self._conn = None

    def run(self, text: str, bindings: Mapping[str, Any], limit: float) -> _Run:
        if self._proc is None:
            self._start()
        self._conn.send((text, dict(bindings)))
        if not self._conn.poll(limit):
            self.stop()
            raise _OverBudget
        answer: _Run | str = self._conn.recv()
        if isinstance(answer, str):
            from fenjie.errors import QueryError

            raise QueryError(answer)
        return answer


class _Remote:
    """Queries through ``RemoteBackend`` on a server started by ``start``; a run past the time
    limit is abandoned and the server restarted, so that the query stops using a core."""

    def __init__(
        self, start: Callable[[], AbstractContextManager[str]], *, union: bool = True
    ) -> None:
        self._start = start
        self._union = union
        self._stack: ExitStack | None = None
        self._backend: Any = None

    def _up(self) -> Any:
        if self._stack is None:
            from fenjie.queries import RemoteBackend

            self._stack = ExitStack()
            endpoint = self._stack.enter_context(self._start())
            # the client's own time-out only backs up the wall-clock limit below
            self._backend = RemoteBackend(endpoint, timeout=3600, union=self._union)
            self._backend.graphs()
        return self._backend

    def stop(self) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = None

    def run(self, text: str, bindings: Mapping[str, Any], limit: float) -> _Run:
        backend = self._up()

        def ask() -> _Run:
            start = time.perf_counter()
            rows = backend.select(text, bindings=bindings)
            seconds = time.perf_counter() - start
            return _Run(seconds, len(rows), _digest(rows))

        # a thread, so that an answer streamed slowly is bounded by wall time, not per read
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        future = pool.submit(ask)
        try:
            return future.result(timeout=limit)
        except concurrent.futures.TimeoutError:
            self.stop()  # the server goes, and with it the connection the thread waits on
            raise _OverBudget from None
        finally:
            pool.shutdown(wait=False)


@contextmanager
def _oxigraph_serve(location: Path, *, union: bool = False) -> Iterator[str]:
    """``oxigraph serve-read-only`` on ``location`` (``union``: with ``--union-default-graph``);
    yields its query endpoint."""
    binary = require_oxigraph()
    port = free_port()
    proc = subprocess.Popen(
        [binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
        + (["--union-default-graph"] if union else []),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("oxigraph serve-read-only did not start") from None
                time.sleep(0.1)
        yield base + "/query"
    finally:
        proc.kill()
        proc.wait(timeout=60)


def _virtuoso_buffers(triples: int) -> int:
    # about 100,000 pages of 8 KB per million triples keeps the benchmark off the disk; at most
    # 3.2 GB, which holds 10M triples' indexes, on a machine shared with other work
    return min(400_000, max(10_000, triples // 10))


def _virtuoso_loaded(folder: Path, dump: Path, triples: int) -> float:
    """Virtuoso's database in ``folder`` with ``dump`` bulk-loaded; the load's seconds (a database
    loaded by a previous run of the same dump is reused)."""
    from fenjie.bench.virtuoso import virtuoso

    marker = folder / "loaded.json"
    done = _read_marker(marker)
    if done is not None and done.get("triples") == triples and done.get("dump") == str(dump):
        return float(done["load_s"])
    shutil.rmtree(folder, ignore_errors=True)
    with virtuoso(folder, buffers=_virtuoso_buffers(triples), load_dir=dump.parent) as server:
        start = time.perf_counter()
        server.bulk_load(dump.parent, dump.name, "https://w3id.org/fenjie/id/graph/unnamed")
        load_s = time.perf_counter() - start
    marker.write_text(
        json.dumps({"triples": triples, "dump": str(dump), "load_s": load_s}), encoding="utf-8"
    )
    return load_s


@contextmanager
def _virtuoso_serve(folder: Path, dump: Path, triples: int) -> Iterator[str]:
    from fenjie.bench.virtuoso import virtuoso

    # stopped after a query overran: killed soon (the database is only read after its load)
    with virtuoso(
        folder, buffers=_virtuoso_buffers(triples), load_dir=dump.parent, shutdown=5
    ) as server:
        yield server.query_endpoint


def _dump(store: Any, folder: Path, triples: int) -> Path:
    """The store as one N-Quads file (for Virtuoso's bulk loader), kept for the next run."""
    import pyoxigraph

    dump = folder / "dump" / "graph.nq"
    marker = folder / "dump" / "dump.json"
    done = _read_marker(marker)
    if done is not None and done.get("triples") == triples and dump.exists():
        return dump
    dump.parent.mkdir(exist_ok=True)
    store.inner.dump(str(dump), format=pyoxigraph.RdfFormat.N_QUADS)
    marker.write_text(json.dumps({"triples": triples}), encoding="utf-8")
    return dump


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def _measure(
    runner: _Embedded | _Remote,
    text: str,
    bindings: Mapping[str, Any],
    *,
    repeat: int,
    budget: float,
) -> dict[str, Any]:
    """One warm-up run, then up to ``repeat`` timed runs until ``budget`` seconds are spent;
    every run stopped at ``budget`` seconds (then the query is over budget)."""
    from fenjie.errors import FenjieError

    spent = 0.0
    times: list[float] = []
    cpus: list[float] = []
    try:
        first = runner.run(text, bindings, budget)
        spent += first.seconds
        for _ in range(repeat):
            if times and spent > budget:
                break
            run = runner.run(text, bindings, budget)
            times.append(run.seconds)
            if run.cpu is not None:
                cpus.append(run.cpu)
            spent += run.seconds
    except _OverBudget:
        return {"over_budget": True, "runs": len(times)}
    except FenjieError as exc:
        # a store that refuses a query (Virtuoso: "the estimated execution time exceeds the
        # limit") or fails on it is reported so, and the benchmark goes on with the next query
        return {"error": str(exc).split("\n")[0][:200], "runs": len(times)}
    return {
        "median": statistics.median(times),
        "p95": _p95(times),
        **({"cpu": statistics.median(cpus)} if cpus else {}),
        "runs": len(times),
        "rows": first.rows,
        "digest": first.digest,
    }


def bench_stores(
    triples: int,
    *,
    repeat: int = 20,
    budget: float = 30.0,
    stores: tuple[str, ...] = ("embedded", "oxigraph", "virtuoso"),
    seed: int = 0,
    workdir: Path | None = None,
    names: tuple[str, ...] = (),
    on_progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Build a synthetic graph of about ``triples`` triples and time every named SELECT query
    (or those of ``names``) on each store; returns the report :func:`format_report` prints.
    ``on_progress(line)`` hears each step and each measured query as it goes."""
    from fenjie.bench.queries import _samples
    from fenjie.graph import FenjieStore
    from fenjie.queries import LocalBackend, stored_queries
    from fenjie.queries.registry import bind_params

    say = on_progress or (lambda line: None)
    with ExitStack() as cleanup:
        if workdir is None:
            folder = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="fenjie-bs-")))
        else:
            folder = workdir
            folder.mkdir(parents=True, exist_ok=True)
        say(f"building about {triples:,} triples in {folder}")
        store_path = build_graph(triples, folder, seed=seed)
        build_s = float((_read_marker(folder / "graph.json") or {})["build_s"])
        store = FenjieStore.open(store_path, read_only=True)
        count = len(store)
        say(f"{count:,} triples, built in {build_s:,.1f} s")
        local = LocalBackend(store)
        samples = _samples(local)
        queries = [
            q
            for q in stored_queries().values()
            if q.form == "SELECT" and (not names or q.name in names)
        ]
        bindings = {
            q.name: bind_params(
                local,
                q,
                {
                    p.name: samples.get(f"{q.name}.{p.name}", samples.get(p.name, ""))
                    for p in q.parameters
                    if p.required
                },
            )
            for q in queries
        }
        results: dict[str, dict[str, Any]] = {q.name: {} for q in queries}
        loads: dict[str, float] = {}
        report = {
            "triples": count,
            "build_s": build_s,
            "loads": loads,
            "budget": budget,
            "repeat": repeat,
            "stores": [s for s in STORES if s in stores],
            "queries": results,
        }

        def measure(name: str, runner: _Embedded | _Remote) -> None:
            try:
                for query in queries:
                    result = _measure(
                        runner, query.text, bindings[query.name], repeat=repeat, budget=budget
                    )
                    results[query.name][name] = result
                    shown = (
                        f"over budget (> {budget:g} s)"
                        if result.get("over_budget")
                        else f"failed: {result['error']}"
                        if "error" in result
                        else f"median {_ms(result['median'])} ms, p95 {_ms(result['p95'])} ms, "
                        + (f"CPU {_ms(result['cpu'])} ms, " if "cpu" in result else "")
                        + f"{result['runs']} runs, {result['rows']:,} rows"
                    )
                    say(f"{name} {query.name}: {shown}")
                    if workdir is not None:  # what a run cut short reached, readable
                        (folder / "report.md").write_text(
                            format_report(report) + "\n", encoding="utf-8"
                        )
            finally:
                runner.stop()

        if "embedded" in stores:
            measure("embedded", _Embedded(store_path))
        if "oxigraph" in stores:
            location = store_path.resolve()  # the very files fenjie built, opened read-only
            measure("oxigraph", _Remote(lambda: _oxigraph_serve(location)))
        if "oxigraph-union" in stores:
            # the server's own union of its graphs (`--server-default-graph` on fenjie's side)
            # instead of fenjie's graphs listed as the dataset of every query
            location = store_path.resolve()
            measure(
                "oxigraph-union",
                _Remote(lambda: _oxigraph_serve(location, union=True), union=False),
            )
        if "virtuoso" in stores:
            dump = _dump(store, folder, count)
            say(f"bulk-loading {dump} into Virtuoso")
            vfolder = folder / "virtuoso"
            loads["virtuoso"] = _virtuoso_loaded(vfolder, dump, count)
            say(f"Virtuoso loaded in {loads['virtuoso']:,.1f} s")
            measure("virtuoso", _Remote(lambda: _virtuoso_serve(vfolder, dump, count)))
        store.close()
    return report


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


_NAMES = {
    "embedded": "embedded",
    "oxigraph": "oxigraph serve",
    "oxigraph-union": "oxigraph serve (union)",
    "virtuoso": "Virtuoso",
}


def _cells(result: dict[str, Any], budget: float, repeat: int, *, cpu: bool = False) -> str:
    """The median and p95 cells of one store (and with ``cpu`` the median CPU time's)."""
    extra = " | –" if cpu else ""
    if result.get("not_reached"):
        return "not reached | –" + extra
    if "error" in result:
        return "failed (below) | –" + extra
    if result.get("over_budget"):
        return f"over budget (> {budget:g} s) | –" + extra
    runs = (
        ""
        if result["runs"] >= repeat
        else f" ({result['runs']} run{'s' if result['runs'] != 1 else ''})"
    )
    if cpu and "cpu" in result:
        extra = f" | {_ms(result['cpu'])}"
    return f"{_ms(result['median'])}{runs} | {_ms(result['p95'])}" + extra


def _rows(per_store: dict[str, Any], stores: list[str]) -> str:
    answered = [s for s in stores if "digest" in per_store[s]]
    if not answered:
        return "–"
    digests = {per_store[s]["digest"] for s in answered}
    counts = {per_store[s]["rows"] for s in answered}
    if len(digests) == 1:
        return f"{counts.pop():,}"
    return "differ: " + ", ".join(f"{_NAMES[s]} {per_store[s]['rows']:,}" for s in answered)


def _ratio(per_store: dict[str, Any], store: str) -> str:
    base, other = per_store.get("embedded", {}), per_store[store]
    if "median" not in base or "median" not in other:
        return "–"
    return f"{other['median'] / base['median']:.1f}x"


def format_report(report: dict[str, Any]) -> str:
    """The report as Markdown: per query and store, median and p95 in ms (embedded also the median
    CPU time of its query process), rows answered ("differ" when the stores' answers are not the
    same), "over budget" for a query stopped at the limit."""
    stores = report["stores"]
    budget, repeat = report["budget"], report["repeat"]
    loads = ", ".join(f"{_NAMES[s]} load {t:,.1f} s" for s, t in report["loads"].items())
    others = [s for s in stores if s != "embedded" and "embedded" in stores]
    out = [
        f"{report['triples']:,} triples; fenjie build {report['build_s']:,.1f} s"
        + (f"; {loads}" if loads else "")
        + f"; up to {repeat} runs per query and store after one warm-up, {budget:g} s budget",
        "",
        "| query | rows | "
        + " | ".join(
            f"{_NAMES[s]} median | {_NAMES[s]} p95" + (" | embedded CPU" if s == "embedded" else "")
            for s in stores
        )
        + "".join(f" | {_NAMES[s]}/embedded" for s in others)
        + " |",
        "|" + "---|" * 2 + "---:|" * (2 * len(stores) + ("embedded" in stores) + len(others)),
    ]
    for query, per_store in report["queries"].items():
        if any(s not in per_store for s in stores):
            reached = [s for s in stores if s in per_store]
            per_store = {
                **per_store,
                **{s: {"not_reached": True} for s in stores if s not in reached},
            }
        cells = [_cells(per_store[s], budget, repeat, cpu=s == "embedded") for s in stores]
        ratios = [_ratio(per_store, s) for s in others]
        out.append(f"| {query} | {_rows(per_store, stores)} | " + " | ".join(cells + ratios) + " |")
    over = sum(r.get("over_budget", False) for q in report["queries"].values() for r in q.values())
    measured = sum(len(q) for q in report["queries"].values())
    failed = [
        f"- {query} on {_NAMES[s]}: {r['error']}"
        for query, per_store in report["queries"].items()
        for s, r in per_store.items()
        if "error" in r
    ]
    if failed:
        out += ["", "Failed:", *failed]
    out += ["", f"Over budget (a run stopped at {budget:g} s): {over} of {measured} measured."]
    return "\n".join(out)
