"""Page benchmark: every request the web page's tabs make, timed through a real ``fenjie serve``.

Run ``python -m fenjie.bench.page --store STORE [--python OTHER_PYTHON ...]``. The store is copied
(a server opens its store for writing) and one server runs per interpreter given (the first is
this one; another, say a venv of an older commit, gives a before/after in the same run), each on
its own copy. The samples are the benchmarks' own (``fenjie/bench/sparql/``): the unit with most
work items, the most cited document, the first and last table. Requests go in the page's order,
tab by tab, each to every server in turn; an answer the server already cached (the page asks
``/api/coordination`` on two tabs) is marked. The long answers are asked a page at a time, as the
page does (first and next page; a server without paging answers them whole). Prints a Markdown table: HTTP status, seconds and
bytes per request and server. This is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fenjie.bench._serving import free_port, stop, wait_until_answering

__all__ = ["PAGE_SIZE", "Request", "main", "page_requests"]

#: entries per page of the long answers, as the page's script asks them (``PAGE_SIZE`` in app.js)
PAGE_SIZE = 100


@dataclass(frozen=True)
class Request:
    """One request of the page: the tab asking it, what it is for, method, path and body."""

    tab: str
    what: str
    path: str
    body: str | None = None


def page_requests(samples: dict[str, str], today: str) -> list[Request]:
    """What each tab of the page asks when it opens (and, for the tabs that need a choice, when
    the user asks with the samples), in the order of the tabs."""
    from urllib.parse import urlencode

    def q(path: str, **params: str) -> str:
        return f"{path}?{urlencode(params)}"

    from fenjie.bench.sparql import sparql

    unit, document = samples["unit"], samples["document"]
    # the page asks for the long answers a page at a time (an older server answers them whole)
    size = str(PAGE_SIZE)
    page = {"limit": size}
    example = sparql("page-sparql-example")  # the SPARQL tab's first example
    return [
        Request("概览", "the page", "/"),
        Request("概览", "tables", "/api/queries/overview-tables"),
        Request("概览", "busiest units", "/api/coordination"),
        Request("概览", "most cited documents", "/api/queries/overview-documents"),
        Request("单位任务", "suggestions", q("/api/units", q=samples["name"], limit="12")),
        Request("单位任务", "busiest unit's obligations", q("/api/obligations", unit=unit, **page)),
        Request("单位任务", "its next page", q("/api/obligations", unit=unit, **page, offset=size)),
        Request("协同负担", "load (as on 概览)", "/api/coordination"),
        Request("文件追溯", "document list", "/api/queries/documents"),
        Request("文件追溯", "most cited document", q("/api/dependents", document=document, **page)),
        Request(
            "文件追溯",
            "its next page",
            q("/api/dependents", document=document, **page, offset=size),
        ),
        Request(
            "文件追溯",
            "its 前期基础 only",
            q("/api/dependents", document=document, kind="baseline", **page),
        ),
        Request("比较版本", "table list", "/api/queries/tables"),
        Request(
            "比较版本",
            "first vs last table",
            q("/api/diff", old=samples["old"], new=samples["new"]),
        ),
        Request("进展督办", "progress today", q("/api/progress", as_of=today, **page)),
        Request("进展督办", "its next page", q("/api/progress", as_of=today, **page, offset=size)),
        Request("网络视图", "view list", "/api/views"),
        Request("网络视图", "responsibility (opens)", "/views/responsibility"),
        Request("网络视图", "coordination", "/views/coordination"),
        Request("网络视图", "dependency, most cited", q("/views/dependency", document=document)),
        Request("网络视图", "unit, busiest", q("/views/unit", unit=unit)),
        Request("SPARQL 查询", "first example", "/sparql", example),
        Request("存疑", "findings per table", "/api/findings"),
    ]


def _samples(store: Path) -> dict[str, str]:
    from fenjie.bench.sparql import sparql
    from fenjie.graph import FenjieStore
    from fenjie.queries import LocalBackend, plain

    with FenjieStore.open(store, read_only=True) as opened:
        backend = LocalBackend(opened)
        unit = backend.select(sparql("sample-busiest-unit"))[0]["u"]
        document = backend.select(sparql("sample-most-cited-document"))[0]["d"]
        label = backend.select(sparql("sample-short-name"), bindings={"u": unit})
        tables = sorted(t.value for t in opened.tables())
    return {
        "unit": unit.value,
        "document": document.value,
        "name": plain(label[0]["l"]) if label else unit.value,
        "old": tables[0],
        "new": tables[-1],
    }


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _serve(python: str, store: Path, timeout: float) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [python, "-m", "fenjie", "serve", "--store", str(store), "--port", str(port)]
    command += ["--timeout", str(timeout), "--log-level", "warning"]
    # started outside any checkout: `python -m` puts the working directory first on the path,
    # and a checkout's fenjie/ there would shadow the interpreter's own (an older commit's venv)
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=store.parent
    )
    return proc, f"http://127.0.0.1:{port}"


def _timed(base: str, request: Request, limit: float) -> dict[str, Any]:
    import httpx

    started = time.perf_counter()
    if request.body is None:
        response = httpx.get(base + request.path, timeout=limit)
    else:
        headers = {
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        }
        response = httpx.post(
            base + request.path, content=request.body, headers=headers, timeout=limit
        )
    seconds = time.perf_counter() - started
    return {"status": response.status_code, "seconds": seconds, "bytes": len(response.content)}


def run(stores: list[Path], pythons: list[str], *, timeout: float) -> str:
    """Serve each store with its interpreter and time the page's requests on each in turn."""
    samples = _samples(stores[0])
    today = datetime.date.today().isoformat()
    requests = page_requests(samples, today)
    with tempfile.TemporaryDirectory() as tmp:
        servers = []
        try:
            for i, (python, store) in enumerate(zip(pythons, stores, strict=True)):
                copy = Path(tmp) / f"store{i}"
                shutil.copytree(store, copy, symlinks=True)
                servers.append(_serve(python, copy, timeout))
            for proc, url in servers:
                wait_until_answering(url + "/api/health", proc, 300.0)
            started = datetime.datetime.now(datetime.timezone.utc)
            loads = [_load()]
            rows = []
            seen: set[str] = set()
            for request in requests:
                cells = [_timed(url, request, timeout + 60) for _, url in servers]
                rows.append((request, request.path in seen, cells))
                seen.add(request.path)
                loads.append(_load())
        finally:
            for proc, _ in servers:
                stop(proc)
    return _table(rows, pythons, stores, samples, timeout, started, loads)


def _table(
    rows: list[tuple[Request, bool, list[dict[str, Any]]]],
    pythons: list[str],
    stores: list[Path],
    samples: dict[str, str],
    timeout: float,
    started: datetime.datetime,
    loads: list[str],
) -> str:
    names = [f"server {i + 1}" for i in range(len(pythons))]
    lines = [
        f"{started:%Y-%m-%d %H:%M} UTC; load average (1/5/15 min) {loads[0]} at the start, "
        f"{loads[-1]} at the end; `fenjie serve --timeout {timeout:g}`",
        *(f"- {n}: `{p}` on `{s}`" for n, p, s in zip(names, pythons, stores, strict=True)),
        f"- samples: unit `{samples['unit']}`, document `{samples['document']}`",
        "",
        "| tab | request | " + " | ".join(f"{n}: status, s, bytes" for n in names) + " |",
        "|---|---|" + "---:|" * len(names),
    ]
    for request, cached, cells in rows:
        what = request.what + (" (cached)" if cached else "")
        shown = [f"{c['status']}, {c['seconds']:.2f}, {c['bytes']:,}" for c in cells]
        lines.append(f"| {request.tab} | {what} | " + " | ".join(shown) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, type=Path, help="the store to serve (copied)")
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        help="another interpreter with fenjie installed (an older commit's venv): its server "
        "runs beside this one's (repeatable)",
    )
    parser.add_argument(
        "--other-store",
        action="append",
        default=[],
        type=Path,
        help="the store each --python serves, in order (default: --store)",
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="the server's query limit")
    args = parser.parse_args(argv)
    pythons = [sys.executable, *args.python]
    others = list(args.other_store) + [args.store] * (len(args.python) - len(args.other_store))
    print(run([args.store, *others], pythons, timeout=args.timeout))


if __name__ == "__main__":  # pragma: no cover
    main()
