"""``fenjie bench-stores``: every named query on three stores holding the same synthetic graph.

The graph is built from synthetic tables (:mod:`fenjie.bench.synthetic`) a few tables at a time,
so building it needs the memory of a few tables, not of the whole graph, and dumped as N-Quads.
The same quads are then asked

1. embedded: fenjie's store through :class:`~fenjie.queries.LocalBackend` (no HTTP);
2. through ``oxigraph serve-read-only`` (a store made by ``oxigraph load`` of the dump);
3. through Virtuoso Open Source (a temporary database filled by its bulk loader),

the remote two through :class:`~fenjie.queries.RemoteBackend`, as ``--endpoint`` does. Each query
runs ``repeat`` times per store (fewer once its time budget is spent); the table gives the median
and the 95th percentile, and the row count each store answered (they must agree).
"""

from __future__ import annotations

import math
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["bench_stores", "build_graph", "format_report"]


def build_graph(triples: int, folder: Path, *, tables_per_batch: int = 8, seed: int = 0) -> Path:
    """A fenjie store of about ``triples`` synthetic triples in ``folder``/store; returns its path.

    Tables are built ``tables_per_batch`` at a time into the same store: each build adds its
    tables' graphs and leaves the others, so memory stays that of one batch.
    """
    from fenjie.bench.synthetic import write_synthetic
    from fenjie.graph import build_sources

    per_row = 215  # triples per work item, measured on the generator's output
    rows = max(5, round((triples - 2_000) / per_row))
    sources = write_synthetic(folder / "tables", rows, seed=seed)
    store = folder / "store"
    for start in range(0, len(sources), tables_per_batch):
        build_sources(sources[start : start + tables_per_batch], store_path=store)
    return store


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _oxigraph_server(dump: Path, folder: Path) -> Iterator[tuple[str, float]]:
    """``oxigraph load`` of ``dump`` then ``oxigraph serve-read-only``; yields (endpoint, load s)."""
    binary = shutil.which("oxigraph")
    if binary is None:
        raise RuntimeError("the oxigraph command is not installed (pip install oxigraph)")
    location = folder / "oxigraph"
    start = time.perf_counter()
    subprocess.run(
        [binary, "load", "--location", str(location), "--file", str(dump)],
        check=True,
        capture_output=True,
    )
    load_s = time.perf_counter() - start
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("oxigraph serve-read-only did not start") from None
                time.sleep(0.1)
        yield base + "/query", load_s
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextmanager
def _virtuoso_server(dump: Path, folder: Path, triples: int) -> Iterator[tuple[str, float]]:
    """Virtuoso with ``dump`` bulk-loaded; yields (endpoint, load s)."""
    from fenjie.bench.virtuoso import virtuoso

    # about 100,000 pages of 8 KB per million triples keeps the benchmark off the disk
    buffers = max(10_000, triples // 10)
    with virtuoso(folder / "virtuoso", buffers=buffers, load_dir=dump.parent) as server:
        start = time.perf_counter()
        server.bulk_load(dump.parent, dump.name, "https://w3id.org/fenjie/id/graph/unnamed")
        yield server.query_endpoint, time.perf_counter() - start


def _time_runs(func: Callable[[], int], *, repeat: int, budget: float) -> tuple[list[float], int]:
    """Seconds of up to ``repeat`` runs (fewer once ``budget`` seconds are spent); rows answered."""
    times: list[float] = []
    rows = func()  # a warm-up run: caches filled, the answer's size noted
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
        if sum(times) > budget:
            break
    return times, rows


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def bench_stores(
    triples: int,
    *,
    repeat: int = 20,
    budget: float = 30.0,
    stores: tuple[str, ...] = ("embedded", "oxigraph", "virtuoso"),
    seed: int = 0,
) -> dict[str, Any]:
    """Build a synthetic graph of about ``triples`` triples and time every named query on each
    store; returns the report :func:`format_report` prints."""
    import pyoxigraph

    from fenjie.bench.queries import _samples
    from fenjie.graph import FenjieStore
    from fenjie.queries import LocalBackend, RemoteBackend, stored_queries
    from fenjie.queries.registry import bind_params

    with tempfile.TemporaryDirectory(prefix="fenjie-bench-stores-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        store_path = build_graph(triples, folder, seed=seed)
        build_s = time.perf_counter() - start
        store = FenjieStore.open(store_path, read_only=True)
        local = LocalBackend(store)
        dump = folder / "dump" / "graph.nq"
        dump.parent.mkdir()
        store.inner.dump(str(dump), format=pyoxigraph.RdfFormat.N_QUADS)
        count = len(store)
        samples = _samples(local)
        queries = [q for q in stored_queries().values() if q.form == "SELECT"]
        params = {
            q.name: {
                p.name: samples.get(f"{q.name}.{p.name}", samples.get(p.name, ""))
                for p in q.parameters
                if p.required
            }
            for q in queries
        }
        results: dict[str, dict[str, Any]] = {q.name: {} for q in queries}
        loads: dict[str, float] = {}

        def measure(name: str, backend: Any) -> None:
            for query in queries:
                bindings = bind_params(local, query, params[query.name])

                def run(q: str = query.text, b: dict[str, Any] = bindings) -> int:
                    return len(backend.select(q, bindings=b))

                times, rows = _time_runs(run, repeat=repeat, budget=budget)
                results[query.name][name] = {
                    "median": statistics.median(times),
                    "p95": _p95(times),
                    "runs": len(times),
                    "rows": rows,
                }

        if "embedded" in stores:
            measure("embedded", local)
        if "oxigraph" in stores:
            with _oxigraph_server(dump, folder) as (endpoint, load_s):
                loads["oxigraph"] = load_s
                measure("oxigraph", RemoteBackend(endpoint))
        if "virtuoso" in stores:
            with _virtuoso_server(dump, folder, count) as (endpoint, load_s):
                loads["virtuoso"] = load_s
                measure("virtuoso", RemoteBackend(endpoint))
        store.close()
    return {
        "triples": count,
        "build_s": build_s,
        "loads": loads,
        "stores": [s for s in ("embedded", "oxigraph", "virtuoso") if s in stores],
        "queries": results,
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def format_report(report: dict[str, Any]) -> str:
    """The report as Markdown: per query and store, median and p95 in ms, rows answered."""
    stores = report["stores"]
    names = {"embedded": "embedded", "oxigraph": "oxigraph serve", "virtuoso": "Virtuoso"}
    loads = ", ".join(f"{names[s]} load {t:,.1f} s" for s, t in report["loads"].items())
    out = [
        f"{report['triples']:,} triples; fenjie build {report['build_s']:,.1f} s"
        + (f"; {loads}" if loads else ""),
        "",
        "| query | rows | "
        + " | ".join(f"{names[s]} median | {names[s]} p95" for s in stores)
        + "".join(f" | {names[s]}/embedded" for s in stores if s != "embedded")
        + " |",
        "|" + "---|" * (2 + 2 * len(stores) + sum(s != "embedded" for s in stores)),
    ]
    for query, per_store in report["queries"].items():
        rows = {per_store[s]["rows"] for s in stores}
        shown = (
            f"{rows.pop():,}"
            if len(rows) == 1
            else "differ: " + ", ".join(f"{names[s]} {per_store[s]['rows']:,}" for s in stores)
        )
        cells = [f"{_ms(per_store[s]['median'])} | {_ms(per_store[s]['p95'])}" for s in stores]
        ratios = [
            f"{per_store[s]['median'] / per_store['embedded']['median']:.1f}x"
            for s in stores
            if s != "embedded" and "embedded" in per_store
        ]
        out.append(f"| {query} | {shown} | " + " | ".join(cells + ratios) + " |")
    return "\n".join(out)
