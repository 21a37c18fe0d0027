"""``fenjie bench-serve``: the named queries through fenjie's endpoint against ``oxigraph serve``.

Both servers run on 127.0.0.1 in the same run over copies of the same store (fenjie ``serve``,
``oxigraph serve-read-only --union-default-graph``); a cheap ASK, every named query that needs no
parameter, and a heavy join are sent as SPARQL by GET to both (``/sparql`` and Oxigraph's
``/query``) by wrk, the native load generator. Prints a Markdown table of requests per second, p99
latency and the ratio fenjie / Oxigraph. This is a benchmark, not a test.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fenjie.bench._serving import free_port, stop, wait_until_answering
from fenjie.bench.commands import require_oxigraph
from fenjie.bench.proctree import tree_cpu_seconds

__all__ = ["run_benchmark"]


CHEAP = "ASK { ?s ?p ?o }"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?c ?d ?e . ?e ?f ?g }"
_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_COUNT = re.compile(r"(\d+) requests in")
_P99 = re.compile(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_BAD = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_ERRORS = re.compile(r"Socket errors:.*?(\d+) timeout")
_WRK_TIMEOUT = 10.0  # seconds wrk waits for an answer: fenjie serve's default time limit


# every request a different text (a comment with the run, the thread and a counter): no answer
# cache can help, not even one that saw an earlier run against the same server
_DISTINCT = """
local counter = 1
function setup(thread) thread:set("id", counter); counter = counter + 1 end
function init(args) n = 0 end
function request()
  n = n + 1
  return wrk.format(nil, wrk.path .. "%0A%23RUN-" .. id .. "-" .. n)
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
    command += ["--timeout", f"{_WRK_TIMEOUT:g}s"]  # a slow answer is counted, not dropped
    command += ["-H", f"Accept: {accept}", f"{url}?query={quote(query, safe='')}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if distinct:
            script.write(_DISTINCT.replace("RUN", secrets.token_hex(6)))
            script.flush()
            command[1:1] = ["-s", script.name]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = _RPS.search(out)
    p99 = _P99.search(out)
    if rps is None or p99 is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    bad = _BAD.search(out)
    count = _COUNT.search(out)
    return {
        "requests": float(count.group(1)) if count else 0.0,
        "rps": float(rps.group(1)),
        "p99": float(p99.group(1)) * scale,
        "errors": float(bad.group(1)) if bad else 0.0,
    }


def _quiet(pid: int, limit: float = 30.0) -> None:
    """Wait (at most ``limit`` seconds) until the server's process tree stops working: neither
    server stops a query whose client left, so after a run of slow queries both still work on
    what wrk asked last, which would count against the next run."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = tree_cpu_seconds(pid)
        time.sleep(0.5)
        if tree_cpu_seconds(pid) - before < 0.05:  # under a tenth of a core
            return


def _measured(pid: int, url: str, query: str, **wrk: Any) -> dict[str, float]:
    """One wrk run, with the CPU time the server's process tree spent per answered request."""
    _quiet(pid)
    before = tree_cpu_seconds(pid)
    out = _wrk(url, query, **wrk)
    spent = tree_cpu_seconds(pid) - before  # negative if a killed worker took its time along
    answered = out["requests"] - out["errors"]
    out["cpu_ms"] = spent / answered * 1000 if spent >= 0 and answered > 0 else float("nan")
    return out


def _ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(a) and not math.isnan(b) else float("nan")


def _fenjie_command(store: str, port: int, workers: int) -> list[str]:
    command = [sys.executable, "-m", "fenjie", "serve", "--store", store, "--port", str(port)]
    return (
        command
        + ["--workers", str(workers), "--log-level", "warning"]
        + [
            "--max-connections",
            "4096",
        ]
    )


def run_benchmark(
    store: str,
    *,
    seconds: int = 5,
    connections: int = 16,
    workers: int = 4,
    baseline: str | None = None,
    only: tuple[str, ...] = (),
) -> str:
    """Run both servers on copies of one store; measure a cheap query, every parameter-free
    named query and a heavy one with wrk; return a Markdown table with the ratios.

    ``baseline`` is a folder with another version of fenjie's source (a git worktree of an older
    commit, say): its server runs beside, in the same run, for a before/after comparison.
    ``only`` keeps these named queries (the cheap and heavy ones are always measured)."""
    from fenjie.queries import stored_queries

    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    queries = {"cheap: ASK { ?s ?p ?o }": CHEAP}
    queries |= {
        name: q.text
        for name, q in stored_queries().items()
        if not any(p.required for p in q.parameters) and (not only or name in only)
    }
    queries["heavy: 3-way join count"] = HEAVY
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "oxigraph"
        shutil.copytree(store, copy)
        ports = {"fenjie": free_port(), "oxigraph": free_port(), "baseline": free_port()}
        oxigraph_cmd = [require_oxigraph(), "serve-read-only", "--location", str(copy)]
        oxigraph_cmd += ["--union-default-graph", "--bind", f"127.0.0.1:{ports['oxigraph']}"]
        quiet = subprocess.DEVNULL
        procs = {
            "fenjie": subprocess.Popen(
                _fenjie_command(store, ports["fenjie"], workers), stdout=quiet, stderr=quiet
            ),
            "oxigraph": subprocess.Popen(oxigraph_cmd, stdout=quiet, stderr=quiet),
        }
        if baseline is not None:
            env = os.environ | {"PYTHONPATH": str(Path(baseline).resolve())}
            command = _fenjie_command(store, ports["baseline"], workers)
            procs["baseline"] = subprocess.Popen(command, env=env, stdout=quiet, stderr=quiet)
        try:
            endpoints = {
                "fenjie": f"http://127.0.0.1:{ports['fenjie']}/sparql",
                "oxigraph": f"http://127.0.0.1:{ports['oxigraph']}/query",
                "baseline": f"http://127.0.0.1:{ports['baseline']}/sparql",
            }
            for name, proc in procs.items():
                health = endpoints[name].replace("/sparql", "/api/health")
                wait_until_answering(health, proc, 300)
            return _table(queries, procs, endpoints, seconds, connections, workers)
        finally:
            for proc in procs.values():
                stop(proc)


def _table(
    queries: dict[str, str],
    procs: dict[str, subprocess.Popen[bytes]],
    endpoints: dict[str, str],
    seconds: int,
    connections: int,
    workers: int,
) -> str:
    from fenjie.queries import stored_queries

    wrk: dict[str, Any] = {"seconds": seconds, "connections": connections}
    start_load = _load()
    baseline = "baseline" in procs
    lines = [
        f"wrk, {connections} connections, {seconds} s per query and server; fenjie with "
        f"{workers} query processes; p99 in ms; CPU = CPU time of the server's process tree "
        "per answered request, in ms; ratio = fenjie ÷ Oxigraph req/s (CPU ratio: Oxigraph's "
        "CPU ÷ fenjie's)",
        "",
        "| query | oxigraph req/s | p99 | CPU | fenjie req/s | ratio | fenjie uncached req/s "
        "| p99 | CPU | uncached ratio | CPU ratio |"
        + (" before: uncached req/s | CPU |" if baseline else "")
        + " non-200 |",
        "|---|" + "---:|" * (10 + (2 if baseline else 0) + 1),
    ]
    means: dict[str, list[float]] = {"cached": [], "uncached": [], "cpu": [], "before": []}
    for name, text in queries.items():
        pids = {server: proc.pid for server, proc in procs.items()}
        o = _measured(pids["oxigraph"], endpoints["oxigraph"], text, **wrk)
        f = _measured(pids["fenjie"], endpoints["fenjie"], text, **wrk)
        u = _measured(pids["fenjie"], endpoints["fenjie"], text, distinct=True, **wrk)
        b = (
            _measured(pids["baseline"], endpoints["baseline"], text, distinct=True, **wrk)
            if baseline
            else None
        )
        cached, uncached = _ratio(f["rps"], o["rps"]), _ratio(u["rps"], o["rps"])
        cpu = _ratio(o["cpu_ms"], u["cpu_ms"])
        if name in stored_queries():
            for key, value in (("cached", cached), ("uncached", uncached), ("cpu", cpu)):
                if value > 0:
                    means[key].append(value)
            if b is not None and b["rps"] > 0:
                means["before"].append(b["rps"] / o["rps"])
        bad = int(sum(r["errors"] for r in (o, f, u, *([b] if b else []))))
        row = (
            f"| {name} | {o['rps']:.0f} | {o['p99']:.1f} | {o['cpu_ms']:.2f} | {f['rps']:.0f} "
            f"| {cached:.2f}x | {u['rps']:.0f} | {u['p99']:.1f} | {u['cpu_ms']:.2f} "
            f"| {uncached:.2f}x | {cpu:.2f}x |"
        )
        if b is not None:
            row += f" {b['rps']:.0f} | {b['cpu_ms']:.2f} |"
        lines.append(row + f" {bad} |")
    summary = ", ".join(
        f"{label} {statistics.geometric_mean(values):.2f}x"
        for label, values in (
            ("cached", means["cached"]),
            ("uncached", means["uncached"]),
            ("uncached CPU", means["cpu"]),
            ("before, uncached", means["before"]),
        )
        if values
    )
    lines += ["", f"named queries, geometric mean of the ratios to Oxigraph: {summary}"]
    lines.append(f"load average (1, 5, 15 min): at the start {start_load}, at the end {_load()}")
    return "\n".join(lines)


def _load() -> str:
    """The machine's load average: req/s depend on it (CPU per request much less)."""
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())
