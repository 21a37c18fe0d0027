"""``fenjie bench-serve``: the named queries through fenjie's endpoint against ``oxigraph serve``.

Both servers run on 127.0.0.1 in the same run over copies of the same store; every named query that
needs no parameter is sent as SPARQL to both (``/sparql`` and Oxigraph's ``/query``), ``requests``
times each from ``concurrency`` concurrent clients. Prints a Markdown table of requests per second
and p50 / p99 latency. This is a benchmark, not a test.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["run_benchmark"]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait(url: str, proc: subprocess.Popen[bytes], limit: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.args!r}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not start: {proc.args!r}")


async def _measure(url: str, query: str, requests: int, concurrency: int) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    errors = 0
    remaining = iter(range(requests))
    from fenjie.server._protocol import query_form

    graph = query_form(query) in ("CONSTRUCT", "DESCRIBE")
    headers = {"Accept": "application/n-triples" if graph else "application/sparql-results+json"}
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def one_client() -> None:
            nonlocal errors
            for _ in remaining:
                started = time.perf_counter()
                response = await client.get(url, params={"query": query}, headers=headers)
                latencies.append(time.perf_counter() - started)
                errors += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": requests / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "errors": errors,
    }


def run_benchmark(
    store: str, *, requests: int = 400, concurrency: int = 16, workers: int = 4
) -> str:
    """Run both servers, measure every parameter-free named query, return a Markdown table."""
    from fenjie.queries import stored_queries

    queries = {
        name: q.text
        for name, q in stored_queries().items()
        if not any(p.required for p in q.parameters)
    }
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "oxigraph"
        shutil.copytree(store, copy)
        fenjie_port, oxigraph_port = _port(), _port()
        fenjie_cmd = [sys.executable, "-m", "fenjie", "serve", "--store", store]
        fenjie_cmd += [
            "--port",
            str(fenjie_port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ]
        oxigraph_cmd = ["oxigraph", "serve", "--location", str(copy), "--union-default-graph"]
        oxigraph_cmd += ["--bind", f"127.0.0.1:{oxigraph_port}"]
        procs = [
            subprocess.Popen(fenjie_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
            subprocess.Popen(oxigraph_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        ]
        try:
            endpoints = {
                "fenjie": f"http://127.0.0.1:{fenjie_port}/sparql",
                "oxigraph": f"http://127.0.0.1:{oxigraph_port}/query",
            }
            _wait(f"http://127.0.0.1:{fenjie_port}/api/health", procs[0])
            _wait(endpoints["oxigraph"], procs[1])
            lines = [
                f"{requests} requests per query, {concurrency} concurrent clients, "
                f"fenjie with {workers} query processes; latencies in ms",
                "",
                "| query | fenjie req/s | fenjie p50 | fenjie p99 | oxigraph req/s "
                "| oxigraph p50 | oxigraph p99 | errors |",
                "|---|---:|---:|---:|---:|---:|---:|---:|",
            ]
            for name, text in queries.items():
                row = {}
                for server, url in endpoints.items():
                    asyncio.run(_measure(url, text, min(20, requests), concurrency))  # warm up
                    row[server] = asyncio.run(_measure(url, text, requests, concurrency))
                f, o = row["fenjie"], row["oxigraph"]
                lines.append(
                    f"| {name} | {f['rps']:.0f} | {f['p50']:.1f} | {f['p99']:.1f} "
                    f"| {o['rps']:.0f} | {o['p50']:.1f} | {o['p99']:.1f} "
                    f"| {int(f['errors'] + o['errors'])} |"
                )
            return "\n".join(lines)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(10)
