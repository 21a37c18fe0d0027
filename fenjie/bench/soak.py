"""A soak of a live ``fenjie serve``: many requests from several clients while the store is
rebuilt (each build switches the server to a new store version), with errors, latency and the
server's memory from start to end.

    python -m fenjie.bench.soak --requests 20000 --clients 8 --swaps 4

The server runs on 127.0.0.1 over a store built from the bundled example in a temporary folder.
Each client sends a fixed mix in turn: the health check, the page, named queries through the API
(units, obligations of a unit, coordination, documents), and SPARQL (a cheap ASK, a SELECT) by GET
and POST. A request is an error when the answer is not 200 or the connection fails. ``--swaps``
rebuilds (alternately with and without ``--fresh``) run at evenly spaced points of the run.
Prints one Markdown table; the exit code is 1 when any request failed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from fenjie.bench._serving import free_port, stop, wait_until_answering
from fenjie.bench.proctree import tree_rss_kb

__all__ = ["SoakReport", "format_report", "main", "soak"]

_ASK = "ASK { ?s ?p ?o }"
_SELECT = "SELECT ?unit ?label WHERE { ?unit <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } LIMIT 20"

#: (name, method, path, params or form): the mix each client cycles through
MIX: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("health", "GET", "/api/health", {}),
    ("page", "GET", "/", {}),
    ("units", "GET", "/api/units", {"q": "科技"}),
    ("obligations", "GET", "/api/obligations", {"unit": "省科技厅"}),
    ("coordination", "GET", "/api/coordination", {}),
    ("documents", "GET", "/api/documents", {"name": "长株潭国家自主创新示范区条例"}),
    ("sparql ASK (GET)", "GET", "/sparql", {"query": _ASK}),
    ("sparql SELECT (POST)", "POST", "/sparql", {"query": _SELECT}),
)


@dataclass
class SoakReport:
    requests: int = 0
    errors: Counter[str] = field(default_factory=Counter)  # "name: status" → count
    latencies: dict[str, list[float]] = field(default_factory=dict)
    swaps: int = 0
    swap_seconds: list[float] = field(default_factory=list)
    rss_start_mb: float = 0.0
    rss_end_mb: float = 0.0
    seconds: float = 0.0


def _fenjie(*args: str) -> list[str]:
    return [sys.executable, "-m", "fenjie", *args]


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def soak(
    requests: int,
    *,
    clients: int = 8,
    swaps: int = 4,
    workdir: Path | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> SoakReport:
    """Run the soak; see the module docs."""
    report = SoakReport(latencies={name: [] for name, *_ in MIX})
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="fenjie-soak-", dir=workdir) as tmp:
        store = Path(tmp) / "store"
        subprocess.run(_fenjie("build", "--store", str(store)), check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            _fenjie("serve", "--store", str(store), "--port", str(port), "--log-level", "warning"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            # a loaded machine starts slowly
            wait_until_answering(base + "/api/health", server, limit=600)
            report.rss_start_mb = tree_rss_kb(server.pid) / 1024
            counter = iter(range(requests))
            swap_at = {requests * (k + 1) // (swaps + 1) for k in range(swaps)}
            swappers: list[threading.Thread] = []

            def rebuild(k: int) -> None:
                started = time.perf_counter()
                flags = ["--fresh"] if k % 2 else []
                subprocess.run(
                    _fenjie("build", "--store", str(store), *flags),
                    check=True,
                    capture_output=True,
                )
                with lock:
                    report.swaps += 1
                    report.swap_seconds.append(time.perf_counter() - started)

            def client() -> None:
                with httpx.Client(base_url=base, timeout=60) as http:
                    for n in counter:
                        if n in swap_at:
                            thread = threading.Thread(target=rebuild, args=(len(swappers),))
                            swappers.append(thread)
                            thread.start()
                        name, method, path, params = MIX[n % len(MIX)]
                        started = time.perf_counter()
                        try:
                            if method == "GET":
                                answer = http.get(path, params=params)
                            else:
                                answer = http.post(path, data=params)
                            status = str(answer.status_code)
                        except httpx.HTTPError as exc:
                            status = type(exc).__name__
                        elapsed = time.perf_counter() - started
                        with lock:
                            report.requests += 1
                            report.latencies[name].append(elapsed)
                            if status != "200":
                                report.errors[f"{name}: {status}"] += 1
                            if on_progress and report.requests % 1000 == 0:
                                on_progress(report.requests)

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=clients) as pool:
                for future in [pool.submit(client) for _ in range(clients)]:
                    future.result()
            for thread in swappers:
                thread.join()
            report.seconds = time.perf_counter() - started
            report.rss_end_mb = tree_rss_kb(server.pid) / 1024
        finally:
            stop(server, grace=10)
    return report


def format_report(report: SoakReport) -> str:
    """The report as Markdown: one row per kind of request, then the totals."""
    lines = [
        "| request | sent | errors | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    everything: list[float] = []
    for name, *_ in MIX:
        values = report.latencies.get(name, [])
        everything += values
        errors = sum(n for key, n in report.errors.items() if key.startswith(f"{name}: "))
        lines.append(
            f"| {name} | {len(values):,} | {errors} | {_percentile(values, 0.5) * 1000:.0f} "
            f"| {_percentile(values, 0.99) * 1000:.0f} | {max(values, default=0) * 1000:.0f} |"
        )
    total_errors = sum(report.errors.values())
    lines.append(
        f"| **all** | {report.requests:,} | {total_errors} "
        f"| {_percentile(everything, 0.5) * 1000:.0f} | {_percentile(everything, 0.99) * 1000:.0f} "
        f"| {max(everything, default=0) * 1000:.0f} |"
    )
    swap = statistics.median(report.swap_seconds) if report.swap_seconds else 0.0
    lines += [
        "",
        f"{report.requests:,} requests in {report.seconds:.0f} s "
        f"({report.requests / max(report.seconds, 1e-9):.0f}/s); {report.swaps} store swaps "
        f"(rebuilds, median {swap:.1f} s) during the run; server RSS {report.rss_start_mb:.0f} MB "
        f"at the start, {report.rss_end_mb:.0f} MB at the end.",
    ]
    if report.errors:
        lines.append("errors: " + ", ".join(f"{k} ×{n}" for k, n in report.errors.most_common()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fenjie.bench.soak", description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--swaps", type=int, default=4)
    args = parser.parse_args(argv)
    report = soak(
        args.requests,
        clients=args.clients,
        swaps=args.swaps,
        on_progress=lambda n: print(f"{n:,} requests", file=sys.stderr, flush=True),
    )
    print(format_report(report))
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
