"""Progress (督办) benchmarks: report writes through the API, and ``progress`` at many reports.

``python -m fenjie.bench.progress [--triples 1000000] [--reports 100000] [--posts 200]`` prints two
Markdown tables:

1. ``fenjie progress`` latency (median of ``--repeat`` runs) on a synthetic plan store of about
   ``--triples`` triples, with no reports (the baseline) and with ``--reports`` reports, and the
   ratio between them; the time of the two SPARQL reads is shown apart.
2. Reports per second through ``POST /api/reports`` on a live server (bundled plan), from one
   client and from 32 at once, against ``GET /api/health`` requests per second in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

__all__ = ["bench_api", "bench_progress", "main"]

BASE = "https://w3id.org/fenjie/id/"


def _median(function: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _synthetic_reports(plan: Any, count: int, *, seed: int = 0) -> list[Any]:
    from fenjie.progress.model import FileOrigin, ProgressReport
    from fenjie.progress.status import Status

    rng = random.Random(seed)
    nodes = [t for t in plan.tracked.values() if t.item.units]
    statuses = list(Status)
    made = datetime(2024, 1, 1, tzinfo=timezone.utc)
    reports = []
    for k in range(count):
        node = rng.choice(nodes)
        year = node.year or 2020
        day = date(year, 1, 1) + timedelta(days=rng.randint(0, 540))
        reports.append(
            ProgressReport(
                about=node.iri,
                unit=next(iter(node.item.units)),
                as_of=day,
                generated=made,
                status=rng.choice(statuses),
                text=f"第{k}份进展报告：按计划推进。",
                origin=FileOrigin("bench.xlsx", f"{k:064x}", "xlsx", f"row {k}", k, "text", 100.0),
            )
        )
    return reports


def bench_progress(triples: int, reports: int, *, repeat: int = 3) -> dict[str, Any]:
    """Build a plan store of about ``triples`` triples, time ``progress`` without and with
    ``reports`` reports."""
    from fenjie.bench.synthetic import write_synthetic
    from fenjie.graph import FenjieStore, build_sources
    from fenjie.progress.derive import load_reports, progress
    from fenjie.progress.plan import PlanIndex
    from fenjie.progress.record import add_reports
    from fenjie.queries import LocalBackend

    # the synthetic tables give about 190 triples per work item at these sizes (measured: 1,904
    # rows made 369,227 triples)
    rows = max(1, triples // 190)
    with tempfile.TemporaryDirectory() as tmp:
        sources = write_synthetic(Path(tmp) / "tables", rows)
        store_path = Path(tmp) / "store"
        started = time.perf_counter()
        build_sources(sources, store_path=store_path)
        build_s = time.perf_counter() - started
        store = FenjieStore.open(store_path)
        backend = LocalBackend(store)
        plan_triples = len(store)
        as_of = date(2025, 6, 30)
        base_s = _median(lambda: progress(backend, as_of=as_of), repeat)
        plan = PlanIndex.load(backend)
        made = _synthetic_reports(plan, reports)
        started = time.perf_counter()
        for k in range(0, len(made), 10_000):  # one transaction per 10,000 reports
            add_reports(store, made[k : k + 10_000], base=BASE)
        add_s = time.perf_counter() - started
        with_s = _median(lambda: progress(backend, as_of=as_of), repeat)
        overdue_s = _median(lambda: progress(backend, as_of=as_of, overdue=True), repeat)
        plan_s = _median(lambda: PlanIndex.load(backend), repeat)
        reports_s = _median(lambda: load_reports(backend), repeat)
        total = len(store)
        store.close()
    return {
        "plan_triples": plan_triples,
        "triples": total,
        "targets": len(plan.tracked),
        "reports": reports,
        "build_s": build_s,
        "add_s": add_s,
        "base_s": base_s,
        "with_s": with_s,
        "overdue_s": overdue_s,
        "plan_read_s": plan_s,
        "reports_read_s": reports_s,
    }


def bench_api(posts: int, *, clients: int = 32) -> dict[str, Any]:
    """Reports per second through POST /api/reports (1 and ``clients`` clients) vs health GETs."""
    import os
    import socket
    import subprocess
    import sys

    import httpx

    from fenjie.config import bundled_example
    from fenjie.graph import build_sources
    from fenjie.progress.accounts import add_account

    item = BASE + "table/changzhutan-innovation-zone-2017-2019/item/3-5/target/2019/1"
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        build_sources([bundled_example()], store_path=store)
        accounts = Path(tmp) / "accounts.json"
        token = add_account(accounts, "kjt", unit="省科技厅")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        command = [sys.executable, "-m", "fenjie", "serve", "--store", str(store)]
        command += ["--port", str(port), "--accounts", str(accounts), "--log-level", "warning"]
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(base + "/api/health", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)

            async def run(kind: str, count: int, width: int, offset: int) -> float:
                limits = httpx.Limits(max_connections=width)
                async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
                    gate = asyncio.Semaphore(width)

                    async def one(k: int) -> None:
                        async with gate:
                            if kind == "health":
                                answer = await client.get("/api/health")
                            else:
                                body = {"about": item, "as_of": "2019-06-30", "text": f"报送{k}"}
                                headers = {
                                    "Authorization": f"Bearer {token}",
                                    "Idempotency-Key": f"bench-{offset + k}",
                                }
                                answer = await client.post(
                                    "/api/reports", json=body, headers=headers
                                )
                            answer.raise_for_status()

                    started = time.perf_counter()
                    await asyncio.gather(*(one(k) for k in range(count)))
                    return count / (time.perf_counter() - started)

            health_1 = asyncio.run(run("health", posts, 1, 0))
            single = asyncio.run(run("post", posts, 1, 0))
            health_n = asyncio.run(run("health", posts, clients, 0))
            many = asyncio.run(run("post", posts, clients, posts))
        finally:
            proc.terminate()
            proc.wait(30)
    return {
        "posts": posts,
        "clients": clients,
        "cpus": os.cpu_count(),
        "single": single,
        "many": many,
        "health_1": health_1,
        "health_n": health_n,
    }


def format_tables(progress_result: dict[str, Any] | None, api: dict[str, Any] | None) -> str:
    out = []
    if progress_result:
        r = progress_result
        out += [
            "| plan triples | targets | reports | triples | progress, no reports (s) | "
            "progress, with reports (s) | ratio | --overdue (s) | plan read (s) | "
            "reports read (s) | adding reports (s) |",
            "|" + "---|" * 11,
            f"| {r['plan_triples']:,} | {r['targets']:,} | {r['reports']:,} | {r['triples']:,} | "
            f"{r['base_s']:.2f} | {r['with_s']:.2f} | {r['with_s'] / r['base_s']:.2f} | "
            f"{r['overdue_s']:.2f} | {r['plan_read_s']:.2f} | {r['reports_read_s']:.2f} | "
            f"{r['add_s']:.1f} |",
            "",
        ]
    if api:
        a = api
        out += [
            "| clients | POST /api/reports per s | GET /api/health per s | ratio |",
            "|---|---|---|---|",
            f"| 1 | {a['single']:.1f} | {a['health_1']:.1f} | {a['single'] / a['health_1']:.3f} |",
            f"| {a['clients']} | {a['many']:.1f} | {a['health_n']:.1f} | "
            f"{a['many'] / a['health_n']:.3f} |",
        ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--skip-progress", action="store_true")
    args = parser.parse_args(argv)
    progress_result = (
        None
        if args.skip_progress
        else bench_progress(args.triples, args.reports, repeat=args.repeat)
    )
    api = None if args.skip_api else bench_api(args.posts)
    print(format_tables(progress_result, api))


if __name__ == "__main__":  # pragma: no cover
    main()
