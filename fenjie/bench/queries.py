"""The benchmark behind ``fenjie bench``: build synthetic graphs, time every named query.

For each size (in triples) a fresh process writes synthetic tables
(:mod:`fenjie.bench.synthetic`), builds them into a fenjie store on disk and then runs each stored
SELECT query on (1) fenjie's store through :class:`~fenjie.queries.LocalBackend`, (2) a raw
``pyoxigraph.Store`` holding the same quads and (3) rdflib's default in-memory ``Dataset``
(``default_union=True``) holding the same quads. Parameters are chosen from the graph (the busiest
unit, the most cited document, the most common year), bound as terms on all three.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import resource
import signal
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["bench_size", "format_report", "run_bench"]


def _median_time(func: Callable[[], Any], *, repeat: int, budget: float) -> tuple[float, int]:
    """Median seconds over up to ``repeat`` runs (fewer once ``budget`` seconds are spent)."""
    times: list[float] = []
    spent = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        spent += elapsed
        if spent > budget:
            break
    return statistics.median(times), len(times)


class _OverCap(Exception):
    pass


def _capped_median(func: Callable[[], Any], *, repeat: int, cap: float) -> float:
    """Like :func:`_median_time`, but a run longer than ``cap`` seconds is stopped (SIGALRM
    interrupts rdflib's pure-Python evaluation) and reported as ``inf``: a lower bound."""

    def stop(signum: int, frame: Any) -> None:
        raise _OverCap

    previous = signal.signal(signal.SIGALRM, stop)
    try:
        signal.setitimer(signal.ITIMER_REAL, cap)
        try:
            first = time.perf_counter()
            func()
            first = time.perf_counter() - first
        except _OverCap:
            return math.inf
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    if first * repeat > cap:
        return first
    median, _ = _median_time(func, repeat=repeat - 1, budget=cap)
    return statistics.median([first, median])


def _samples(backend: Any) -> dict[str, str]:
    from fenjie.bench.sparql import sparql
    from fenjie.config import DEFAULT_BASE
    from fenjie.queries import plain

    unit = backend.select(sparql("sample-busiest-unit"))[0]["u"]
    doc = backend.select(sparql("sample-most-cited-document"))[0]["d"]
    year = backend.select(sparql("sample-busiest-year"))[0]["y"]
    label = backend.select(sparql("sample-short-name"), bindings={"u": unit})
    title = backend.select(sparql("sample-title"), bindings={"d": doc})
    table = backend.select(sparql("sample-largest-table"))[0]["t"]
    node = backend.select(sparql("sample-target"))[0]["t"]
    successor = backend.select(sparql("sample-successor"))
    item = backend.select(sparql("sample-work-item"), bindings={"t": table})
    return {
        # per-query samples first ("query.parameter"), so that every query has an answer to find
        "document-by-name.name": plain(title[0]["t"]) if title else "",
        "unit-lineage.unit": successor[0]["u"].value if successor else unit.value,
        "unit": unit.value,
        "document": doc.value,
        "table": table.value,
        # the largest table stands for a plan; synthetic graphs hold no lower-level plans or
        # progress reports, so these answer nothing but still show what asking costs
        "plan": table.value,
        "child": table.value,
        "item": item[0]["i"].value if item else table.value,
        "report": DEFAULT_BASE + "report/none",
        "node": node.value,
        "year": str(plain(year)),
        "name": plain(label[0]["l"]) if label else "省科技厅",
    }


def bench_size(
    triples: int,
    *,
    repeat: int = 5,
    rdflib_limit: int = 1_500_000,
    rdflib_cap: float = 60.0,
    seed: int = 0,
) -> dict[str, Any]:
    """Build a synthetic graph of about ``triples`` triples and time it; run in a fresh process."""
    import pyoxigraph

    from fenjie.bench.synthetic import write_synthetic
    from fenjie.graph import FenjieStore, build_sources
    from fenjie.queries import LocalBackend, stored_queries
    from fenjie.queries.registry import bind_params

    per_row = 215  # measured on the generator's output; the build reports the real count
    rows = max(5, round((triples - 2_000) / per_row))
    with tempfile.TemporaryDirectory(prefix="fenjie-bench-") as tmp:
        sources = write_synthetic(Path(tmp) / "tables", rows, seed=seed)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        build_sources(sources, store_path=Path(tmp) / "store", fresh=True)
        build_s = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        store = FenjieStore.open(Path(tmp) / "store", read_only=True)
        backend = LocalBackend(store)
        quads = list(store.inner)
        raw = pyoxigraph.Store(str(Path(tmp) / "raw"))  # on disk too, like fenjie's store
        raw.bulk_extend(quads)
        raw.flush()
        with_rdflib = len(quads) <= rdflib_limit
        dataset = _rdflib_dataset(raw) if with_rdflib else None
        samples = _samples(backend)
        results = []
        for query in stored_queries().values():
            if query.form != "SELECT":
                continue
            params = {
                p.name: samples.get(f"{query.name}.{p.name}", samples.get(p.name, ""))
                for p in query.parameters
                if p.required
            }
            bindings = bind_params(backend, query, params)
            text = query.text
            n_rows = len(backend.select(text, bindings=bindings))

            def fenjie_run(t: str = text, b: dict[str, Any] = bindings) -> list[dict[str, Any]]:
                return backend.select(t, bindings=b)

            fenjie_s, _ = _median_time(fenjie_run, repeat=repeat, budget=20)
            subs = {pyoxigraph.Variable(k): v for k, v in bindings.items()} or None

            def raw_run(t: str = text, s: Any = subs) -> list[Any]:
                solutions = raw.query(t, use_default_graph_as_union=True, substitutions=s)
                assert isinstance(solutions, pyoxigraph.QuerySolutions)  # the catalogue's SELECTs
                names = solutions.variables
                return [[row[v] for v in names] for row in solutions]

            raw_s, _ = _median_time(raw_run, repeat=repeat, budget=20)
            rdflib_s = None
            rdflib_rows: list[int] = []  # answers differ when rdflib reads a query otherwise
            if dataset is not None:
                init = {k: _to_rdflib(v) for k, v in bindings.items()}

                def rdflib_run(
                    t: str = text, i: dict[str, Any] = init, seen: list[int] = rdflib_rows
                ) -> None:
                    seen.append(len(list(dataset.query(t, initBindings=i))))

                rdflib_s = _capped_median(rdflib_run, repeat=repeat, cap=rdflib_cap)
            results.append(
                {
                    "query": query.name,
                    "rows": n_rows,
                    "fenjie": fenjie_s,
                    "raw": raw_s,
                    "rdflib": rdflib_s,
                    "rdflib_rows": rdflib_rows[0] if rdflib_rows else None,
                }
            )
        store.close()
        gc.collect()
    return {
        "target": triples,
        "triples": len(quads),
        "rows": rows,
        "tables": len(sources),
        "build_s": build_s,
        "rows_per_s": rows / build_s,
        "triples_per_s": len(quads) / build_s,
        "peak_mb": peak_mb,
        "rss_before_mb": rss_before / 1024,
        "rdflib": with_rdflib,
        "rdflib_cap": rdflib_cap,
        "queries": results,
    }


def _rdflib_dataset(raw: Any) -> Any:
    import pyoxigraph
    from rdflib import Dataset

    data = pyoxigraph.serialize(raw, format=pyoxigraph.RdfFormat.N_QUADS)
    dataset = Dataset(default_union=True)
    dataset.parse(data=data, format="nquads")
    return dataset


def _to_rdflib(term: Any) -> Any:
    from pyoxigraph import Literal as OxLiteral
    from pyoxigraph import NamedNode
    from rdflib import Literal, URIRef

    if isinstance(term, NamedNode):
        return URIRef(term.value)
    assert isinstance(term, OxLiteral)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def run_bench(
    sizes: list[int], *, repeat: int = 5, rdflib_limit: int = 1_500_000, rdflib_cap: float = 60.0
) -> list[dict[str, Any]]:
    """:func:`bench_size` for each size, each in a fresh process (so peak memory is its own)."""
    context = multiprocessing.get_context("spawn")
    reports = []
    for size in sizes:
        with context.Pool(1) as pool:
            reports.append(
                pool.apply(
                    bench_size,
                    (size,),
                    {"repeat": repeat, "rdflib_limit": rdflib_limit, "rdflib_cap": rdflib_cap},
                )
            )
    return reports


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "skipped"
    if math.isinf(seconds):
        return "stopped"
    return f"{seconds * 1000:.2f}"


def format_report(reports: list[dict[str, Any]]) -> str:
    """The benchmark tables as Markdown."""
    out = [
        "| triples | tables | rows | build s | rows/s | triples/s | peak RSS MB |",
        "|" + "---|" * 7,
    ]
    for r in reports:
        out.append(
            f"| {r['triples']:,} | {r['tables']} | {r['rows']:,} | {r['build_s']:.2f} | "
            f"{r['rows_per_s']:,.0f} | {r['triples_per_s']:,.0f} | {r['peak_mb']:,.0f} |"
        )
    for r in reports:
        note = (
            ""
            if r["rdflib"]
            else " (rdflib skipped at this size: loading and querying take too long)"
        )
        out += ["", f"Median latency in ms, {r['triples']:,} triples{note}:", ""]
        out += [
            "| query | rows | fenjie | raw pyoxigraph | rdflib | fenjie/raw | rdflib/fenjie |",
            "|" + "---|" * 7,
        ]
        for q in r["queries"]:
            ratio = f"{q['fenjie'] / q['raw']:.2f}" if q["raw"] else "-"
            rdflib_rows = q.get("rdflib_rows")
            if not q["rdflib"]:
                slower = "-"
            elif rdflib_rows is not None and rdflib_rows != q["rows"]:
                slower = f"n/a: rdflib gave {rdflib_rows:,} rows"
            elif math.isinf(q["rdflib"]):  # stopped at the cap: the cap is a lower bound
                slower = f"> {r.get('rdflib_cap', 60) / q['fenjie']:.0f}x"
            else:
                slower = f"{q['rdflib'] / q['fenjie']:.0f}x"
            out.append(
                f"| {q['query']} | {q['rows']:,} | {_ms(q['fenjie'])} | {_ms(q['raw'])} | "
                f"{_ms(q['rdflib'])} | {ratio} | {slower} |"
            )
    return "\n".join(out)
