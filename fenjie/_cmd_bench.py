"""``fenjie bench``: build synthetic graphs of several sizes and time the named queries."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from fenjie._cli_common import echo

__all__ = ["COMMANDS"]

# the stores bench-stores asks (fenjie.bench.stores.STORES, not imported at start-up)
STORE_NAMES = ("embedded", "oxigraph", "oxigraph-union", "virtuoso")


def _make(workdir: Path | None) -> None:
    """A benchmark's --workdir is made when missing (temporary folders go inside it)."""
    if workdir is not None:
        try:
            workdir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise click.BadParameter(
                f"无法创建 {workdir}：{error.strerror}", param_hint="--workdir"
            ) from None


@click.command()
@click.option(
    "--sizes",
    default="10000,100000,1000000",
    show_default=True,
    help="Graph sizes in triples, comma-separated.",
)
@click.option("--repeat", default=5, show_default=True, help="Runs per query (the median counts).")
@click.option(
    "--rdflib-limit",
    default=1_500_000,
    show_default=True,
    help="Skip rdflib above this many triples (loading it takes too long).",
)
@click.option(
    "--rdflib-cap",
    default=60.0,
    show_default=True,
    help="Stop an rdflib query after this many seconds; the table then shows a lower bound.",
)
def bench(sizes: str, repeat: int, rdflib_limit: int, rdflib_cap: float) -> None:
    """Benchmark: build rate, peak memory and median query latency vs raw pyoxigraph and rdflib."""
    from fenjie.bench.queries import format_report, run_bench

    try:
        wanted = [int(s.replace("_", "")) for s in sizes.split(",") if s.strip()]
    except ValueError as exc:
        raise click.BadParameter(
            f"不是数字列表 (not a list of numbers)：{sizes!r}", param_hint="--sizes"
        ) from exc
    echo(
        format_report(
            run_bench(wanted, repeat=repeat, rdflib_limit=rdflib_limit, rdflib_cap=rdflib_cap)
        )
    )


@click.command("bench-stores")
@click.option(
    "--triples",
    default=1_000_000,
    show_default=True,
    help="Size of the synthetic graph in triples.",
)
@click.option("--repeat", default=20, show_default=True, help="Runs per query and store.")
@click.option(
    "--budget",
    default=30.0,
    show_default=True,
    help="Seconds per query and store: each run is stopped there and reported over budget.",
)
@click.option(
    "--stores",
    default="embedded,oxigraph,virtuoso",
    show_default=True,
    help="Which stores, comma-separated, of embedded, oxigraph, oxigraph-union (the server's "
    "--union-default-graph instead of fenjie's graphs listed per query) and virtuoso (oxigraph "
    "needs `pip install oxigraph`, virtuoso Debian's virtuoso-opensource).",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the built graph, its dump and Virtuoso's database here and reuse them next time "
    "(default: a temporary folder).",
)
@click.option(
    "--queries",
    "names",
    default="",
    help="Only these named SELECT queries, comma-separated (default: all of them).",
)
def bench_stores(
    triples: int, repeat: int, budget: float, stores: str, workdir: Path | None, names: str
) -> None:
    """Benchmark: every named query embedded, through oxigraph serve and through Virtuoso."""
    from fenjie.bench.stores import bench_stores as run
    from fenjie.bench.stores import format_report

    chosen = tuple(s.strip() for s in stores.split(",") if s.strip())
    unknown = set(chosen) - set(STORE_NAMES)
    if unknown:
        raise click.BadParameter(f"未知的存储 (unknown store(s))：{', '.join(sorted(unknown))}")
    if budget <= 0:
        raise click.BadParameter("须为正数 (must be positive)", param_hint="--budget")
    wanted = tuple(n.strip() for n in names.split(",") if n.strip())
    if wanted:
        from fenjie.queries import stored_queries

        selects = {n for n, q in stored_queries().items() if q.form == "SELECT"}
        missing = sorted(set(wanted) - selects)
        if missing:
            raise click.BadParameter(
                f"没有这些 SELECT 存储查询 (no such named SELECT query)：{', '.join(missing)}",
                param_hint="--queries",
            )

    def progress(line: str) -> None:
        click.echo(f"[{time.strftime('%H:%M:%S')}] {line}", err=True)

    report = run(
        triples,
        repeat=repeat,
        budget=budget,
        stores=chosen,
        workdir=workdir,
        names=wanted,
        on_progress=progress,
    )
    click.echo(format_report(report))


def _numbers(text: str, option: str) -> list[int]:
    try:
        return [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError as exc:
        raise click.BadParameter(
            f"不是数字列表 (not a list of numbers)：{text!r}", param_hint=option
        ) from exc


def _load_averages(started: tuple[float, float, float]) -> str:
    """The machine's load averages at the start of a benchmark and now (after a blank line)."""
    # the machine may be shared: wall seconds stretch with its load, CPU seconds much less
    ended = os.getloadavg()
    return (
        f"\nload average (1, 5, 15 min): {', '.join(f'{v:.1f}' for v in started)} at the start, "
        f"{', '.join(f'{v:.1f}' for v in ended)} at the end"
    )


@click.command("bench-build")
@click.option(
    "--sizes",
    default="1000000,10000000",
    show_default=True,
    help="Graph sizes in triples, comma-separated (empty: skip).",
)
@click.option(
    "--tables",
    default="7,28",
    show_default=True,
    help="Table counts (200 rows each) for the memory-scaling table, comma-separated (empty: skip).",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the temporary tables and stores go (default: the system's temporary folder).",
)
def bench_build(sizes: str, tables: str, workdir: Path | None) -> None:
    """Benchmark: fenjie build vs `oxigraph load` of the same quads; memory vs number of tables."""
    _make(workdir)
    from fenjie.bench.build import (
        SIZES_HEADER,
        format_phases,
        format_scaling,
        format_size,
        run_scaling,
        run_sizes,
    )

    counts = _numbers(tables, "--tables")
    if counts:
        click.echo(format_scaling(run_scaling(counts, workdir=workdir)))
        click.echo()
    wanted = _numbers(sizes, "--sizes")
    if wanted:
        started = os.getloadavg()
        click.echo(SIZES_HEADER)
        phase_tables = []
        for report, phases in run_sizes(wanted, workdir=workdir):
            click.echo(format_size(report))
            phase_tables.append(format_phases(report["triples"], phases))
        click.echo(_load_averages(started))
        for table in phase_tables:  # after the sizes table, which stays one table
            click.echo()
            click.echo(table)


@click.command("bench-inputs")
@click.option(
    "--only",
    default="",
    help="Input file names to measure, comma-separated (default: all; see fenjie.bench.inputs).",
)
@click.option(
    "--timeout", default=120.0, show_default=True, help="Stop a build after this many seconds."
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the temporary inputs and stores go (default: the system's temporary folder).",
)
def bench_inputs(only: str, timeout: float, workdir: Path | None) -> None:
    """Benchmark: large and awkward inputs under 10 MB, built vs `oxigraph load` of their quads."""
    _make(workdir)
    from fenjie.bench.inputs import HEADER, format_report, run_inputs

    names = [n.strip() for n in only.split(",") if n.strip()] or None
    click.echo(HEADER)
    started = os.getloadavg()
    for report in run_inputs(names, timeout=timeout, workdir=workdir):
        click.echo(format_report(report))
    click.echo(_load_averages(started))


COMMANDS = [bench, bench_stores, bench_build, bench_inputs]
