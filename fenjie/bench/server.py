"""``fenjie bench-serve``: the named queries through fenjie's endpoint against ``oxigraph serve``.

Both servers run on 127.0.0.1 in the same run over copies of the same store (fenjie ``serve``,
``oxigraph serve-read-only --union-default-graph``); a cheap ASK, every named query that needs no
parameter, and a heavy join are sent as SPARQL by GET to both (``/sparql`` and Oxigraph's
``/query``) by wrk, the native load generator. Prints a Markdown table of requests per second, p99
latency and the ratio fenjie / Oxigraph. This is a benchmark, not a test.
"""

from __future__ import annotations

import re
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


CHEAP = "ASK { ?s ?p ?o }"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?c ?d ?e . ?e ?f ?g }"
_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_P99 = re.compile(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_BAD = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_ERRORS = re.compile(r"Socket errors:.*?(\d+) timeout")


# every request a different text (a comment with a counter): no answer cache can help
_DISTINCT = """
local counter = 1
function setup(thread) thread:set("id", counter); counter = counter + 1 end
function init(args) n = 0 end
function request()
  n = n + 1
  return wrk.format(nil, wrk.path .. "%0A%23" .. id .. "-" .. n)
end
"""


def _wrk(
    url: str, query: str, *, seconds: int, connections: int, distinct: bool = False
) -> dict[str, float]:
    """One wrk run (the native load generator, Debian package ``wrk``): req/s, p99 in ms, and
    how many answers were not 200. ``distinct`` makes every request's text different."""
    from urllib.parse import quote

    from fenjie.server._protocol import query_form

    graph = query_form(query) in ("CONSTRUCT", "DESCRIBE")
    accept = "application/n-triples" if graph else "application/sparql-results+json"
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    command += ["-H", f"Accept: {accept}", f"{url}?query={quote(query, safe='')}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if distinct:
            script.write(_DISTINCT)
            script.flush()
            command[1:1] = ["-s", script.name]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = _RPS.search(out)
    p99 = _P99.search(out)
    if rps is None or p99 is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    bad = _BAD.search(out)
    return {
        "rps": float(rps.group(1)),
        "p99": float(p99.group(1)) * scale,
        "errors": float(bad.group(1)) if bad else 0.0,
    }


def run_benchmark(store: str, *, seconds: int = 5, connections: int = 16, workers: int = 4) -> str:
    """Run both servers on copies of one store; measure a cheap query, every parameter-free
    named query and a heavy one with wrk; return a Markdown table with the ratios."""
    from fenjie.queries import stored_queries

    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    queries = {"cheap: ASK { ?s ?p ?o }": CHEAP}
    queries |= {
        name: q.text
        for name, q in stored_queries().items()
        if not any(p.required for p in q.parameters)
    }
    queries["heavy: 3-way join count"] = HEAVY
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "oxigraph"
        shutil.copytree(store, copy)
        fenjie_port, oxigraph_port = _port(), _port()
        fenjie_cmd = [sys.executable, "-m", "fenjie", "serve", "--store", store]
        fenjie_cmd += ["--port", str(fenjie_port), "--workers", str(workers)]
        fenjie_cmd += ["--log-level", "warning", "--max-connections", "4096"]
        oxigraph_cmd = ["oxigraph", "serve-read-only", "--location", str(copy)]
        oxigraph_cmd += ["--union-default-graph", "--bind", f"127.0.0.1:{oxigraph_port}"]
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
                f"wrk, {connections} connections, {seconds} s per query and server; "
                f"fenjie with {workers} query processes; p99 in ms; ratio = fenjie / oxigraph req/s",
                "",
                "| query | fenjie req/s | fenjie p99 | oxigraph req/s | oxigraph p99 | ratio "
                "| fenjie uncached req/s | uncached ratio | non-200 |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            ]
            ratios = []
            for name, text in queries.items():
                row = {
                    server: _wrk(url, text, seconds=seconds, connections=connections)
                    for server, url in endpoints.items()
                }
                row["uncached"] = _wrk(
                    endpoints["fenjie"], text, seconds=seconds, connections=connections,
                    distinct=True,
                )  # fmt: skip
                f, o, u = row["fenjie"], row["oxigraph"], row["uncached"]
                ratio = f["rps"] / o["rps"] if o["rps"] else float("nan")
                uncached = u["rps"] / o["rps"] if o["rps"] else float("nan")
                if name in stored_queries() and o["rps"]:
                    ratios.append((ratio, uncached))
                bad = int(f["errors"] + o["errors"] + u["errors"])
                lines.append(
                    f"| {name} | {f['rps']:.0f} | {f['p99']:.1f} | {o['rps']:.0f} "
                    f"| {o['p99']:.1f} | {ratio:.2f}x | {u['rps']:.0f} | {uncached:.2f}x | {bad} |"
                )
            if ratios:
                cached_mean = statistics.geometric_mean(r for r, _ in ratios)
                uncached_mean = statistics.geometric_mean(u for _, u in ratios)
                lines += [
                    "",
                    f"named queries, geometric mean of the ratios: {cached_mean:.2f}x "
                    f"(uncached: {uncached_mean:.2f}x)",
                ]
            return "\n".join(lines)
        finally:
            for proc in procs:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
