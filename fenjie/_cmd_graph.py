"""Commands that build and inspect the store: build, stats, export, check."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from fenjie._cli_common import echo, emit_json, format_option, store_option
from fenjie._cli_limits import limit_options, limits_from
from fenjie.config import DEFAULT_BASE, SETTINGS, bundled_example
from fenjie.printable import printable

if TYPE_CHECKING:
    from fenjie.graph import BuiltSource

__all__ = ["COMMANDS"]

_BASE = SETTINGS[1]
_PROGRESS_MIN_ROWS = 2000


def _describe_counts(counts: dict[str, Any]) -> str:
    targets = ", ".join(f"{y}: {n}" for y, n in counts["targets"].items())
    return (
        f"主要任务 {counts['categories']} 项，工作内容 {counts['work_items']} 项，"
        f"目标 {{{targets}}}，单位 {counts['units']} 个，文件 {counts['documents']} 个，"
        f"指标 {counts['observations']} 个，三元组 {counts['triples']} 个"
    )


#: The row names of ``fenjie stats`` (the JSON keys stay English).
_STATS_LABELS = {
    "tables": "表",
    "categories": "主要任务",
    "work_items": "工作内容",
    "targets": "目标",
    "units": "单位",
    "documents": "文件",
    "observations": "指标",
    "triples": "三元组",
}


@click.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@store_option
@click.option(
    "--base", envvar=_BASE.envvar, default=DEFAULT_BASE, show_default=True, help=_BASE.help
)
@click.option(
    "--fresh", is_flag=True, help="Start from an empty store (and rebuild unchanged sources)."
)
@limit_options
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (exit 1, store untouched) when any parse is doubtful: the findings of "
    "`fenjie check` for these sources.",
)
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="When another build holds the store, wait for it (or fail at once).",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Wait at most this long for another build to finish (default: as long as it takes).",
)
@click.option(
    "--jurisdiction",
    metavar="PLACE",
    help="The issuing jurisdiction of every source (浙江省, 长沙市, 长沙县, 国家), when the sources "
    "do not say it themselves (title, 文号, issuer).",
)
@click.option(
    "--implements",
    metavar="PLAN",
    help="The plan of the level above that every source implements (分解落实): a table in the "
    "store by IRI, slug, file name or a part of its title. Without it, fenjie reads it from the "
    "notice (为贯彻落实《…》) when the title is a stored plan's.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that read and build sources in parallel (default: one per core).",
)
def build(
    sources: tuple[Path, ...],
    store_path: str,
    base: str,
    fresh: bool,
    strict: bool,
    wait: bool,
    lock_timeout: float | None,
    jurisdiction: str | None,
    implements: str | None,
    jobs: int | None,
    **limit_values: int | None,
) -> None:
    """Build the graph from SOURCES: files, folders or glob patterns (default: the bundled
    example table).

    Each source becomes one named graph; a source unchanged since it was built (same SHA-256) is
    skipped unless --fresh; building a source again replaces its graph and leaves the
    others. The build is atomic: if anything fails or the build is killed, the store stays as it
    was. One build writes to a store at a time; a second one waits for it (or, with --no-wait,
    fails). A source over one of the reading limits is refused before the work; the --max-*
    options raise them. The summary lists every doubtful parse with its place in the source
    (as `fenjie check` does); --strict refuses to build when there is any.
    """
    from tqdm import tqdm

    from fenjie.graph import build_sources
    from fenjie.graph._script import CONVERTED
    from fenjie.graph._sources import expand_sources

    paths = expand_sources(sources) if sources else [bundled_example()]
    if strict:
        _strict_probe(paths, base, limits_from(limit_values))
    started = time.perf_counter()
    interactive = sys.stderr.isatty()
    # a pseudo-terminal may report 0 columns; shutil falls back to $COLUMNS or 80
    width = shutil.get_terminal_size().columns
    rows_bars: dict[str, tqdm[NoReturn]] = {}  # bars counted by hand (no iterable)
    tables_bar = (
        tqdm(total=len(paths), unit="table", desc="构建", leave=False, ncols=width)
        if interactive and len(paths) > 1
        else None
    )

    def on_progress(name: str, done: int, total: int) -> None:
        # a row bar only for one long input on a terminal; short builds print nothing extra
        if not interactive or tables_bar is not None or total < _PROGRESS_MIN_ROWS:
            return
        if name not in rows_bars:
            rows_bars[name] = tqdm(
                total=total,
                unit="row",
                desc=printable(Path(name).name, keep_newlines=False),
                leave=False,
                ncols=width,
            )
        rows_bars[name].update(done - rows_bars[name].n)

    def on_table(result: BuiltSource) -> None:
        if tables_bar is not None:
            tables_bar.update(1)

    try:
        built = build_sources(
            paths,
            store_path=store_path,
            base=base,
            fresh=fresh,
            on_progress=on_progress,
            on_table=on_table,
            limits=limits_from(limit_values),
            wait=wait,
            lock_timeout=lock_timeout,
            workers=jobs,
            jurisdiction=jurisdiction,
            implements=implements,
            on_notice=lambda message: click.echo(message, err=True),
        )
    finally:
        for bar in [*rows_bars.values(), *([tables_bar] if tables_bar else [])]:
            bar.close()
    for table in built:
        if table.skipped:
            echo(
                f"未变化，跳过 {table.source} (unchanged, skipped: same SHA-256; --fresh rebuilds it)"
            )
            continue
        echo(f"已构建 {table.iri.value}，来源 {table.source} (reader: {table.reader})")
        if CONVERTED in table.encoding:
            echo("  原文为繁体字，已转为简体读取 (traditional characters, read as simplified)")
        echo(f"  {_describe_counts(table.counts)}")
        if table.jurisdiction is not None:
            echo(f"  行政区域：{table.jurisdiction.describe()} (jurisdiction)")
        if table.unresolved_units:
            echo(f"  所属地区不明的单位 (unresolved units)：{'、'.join(table.unresolved_units)}")
        if table.unregistered_units:
            echo(f"  未登记的单位 (unregistered units)：{'、'.join(table.unregistered_units)}")
    _echo_levels(store_path, [t.iri.value for t in built])
    _echo_findings(store_path, base, built)
    elapsed = time.perf_counter() - started
    done = sum(not t.skipped for t in built)
    skipped = f"，{len(built) - done} 张未变化" if done < len(built) else ""
    echo(f"存储：{store_path}（构建 {done} 张表{skipped}，用时 {elapsed:.2f} 秒）")


def _echo_levels(store_path: str, tables: list[str]) -> None:
    """The plans the tables just built implement or are implemented by (docs/levels.md)."""
    from fenjie.graph import FenjieStore
    from fenjie.graph._levels import levels_summary

    with FenjieStore.open(store_path, read_only=True) as store:
        for line in levels_summary(store.inner, tables):
            echo(line)


def _echo_findings(store_path: str, base: str, built: list[BuiltSource]) -> None:
    """The doubtful parses of the tables just built, each with its place in the source."""
    from fenjie.graph import FenjieStore
    from fenjie.graph.check import build_findings, describe_source

    with FenjieStore.open(store_path, read_only=True) as store:
        findings = build_findings(store, built, base=base)
    if not findings:
        return
    echo(f"存疑 {len(findings)} 处 (doubtful parses; `fenjie check` lists them too):")
    for f in findings:
        echo(f"  [{f['kind']}] {f['message']} — {describe_source(f['source'])}")


def _strict_probe(paths: list[Path], base: str, limits: Any) -> None:
    """Build into memory first; any finding stops the build before the store is opened."""
    from fenjie.graph import FenjieStore, build_sources
    from fenjie.graph.check import build_findings, describe_source

    probe = FenjieStore.in_memory()
    built = build_sources(paths, store=probe, base=base, limits=limits)
    findings = build_findings(probe, built, base=base)
    if not findings:
        return
    for f in findings:
        echo(f"[{f['kind']}] {f['message']} — {describe_source(f['source'])}", err=True)
    click.echo(
        f"--strict：存疑 {len(findings)} 处，存储未改变 "
        f"({len(findings)} doubtful parse(s); the store was not changed)",
        err=True,
    )
    raise SystemExit(1)


@click.command()
@store_option
@format_option("table", "json")
def stats(store_path: str, fmt: str) -> None:
    """Counts of categories, work items, targets per year, units, documents, observations."""
    from fenjie.graph import FenjieStore
    from fenjie.graph.export import stats as compute

    with FenjieStore.open(store_path, read_only=True) as store:
        data = compute(store)
    if fmt == "json":
        emit_json(data)
        return
    for key, value in data.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items())
        echo(f"{_STATS_LABELS.get(key, key)}\t{value}")


@click.command()
@store_option
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["ttl", "trig", "nt", "nq", "jsonld", "table", "graphml", "gexf"]),
    help="ttl/nt merge all graphs; trig/nq/jsonld keep named graphs; table regenerates "
    "the source tables as tab-separated text; graphml/gexf give the unit–work-item and "
    "unit–unit networks for Gephi or Cytoscape.",
)
@click.option("--graph", "graph_iri", help="Export only this named graph (a table's IRI).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def export(store_path: str, fmt: str, graph_iri: str | None, output: Path | None) -> None:
    """Export the graph as RDF, or the source tables regenerated from the graph."""
    from pyoxigraph import NamedNode

    from fenjie.graph import FenjieStore
    from fenjie.graph.export import ExportFormat
    from fenjie.graph.export import export as run_export

    with FenjieStore.open(store_path, read_only=True) as store:
        if fmt in ("graphml", "gexf"):  # networks drawn by fenjie.viz (issue 5)
            from fenjie.viz import as_backend, export_network

            data = export_network(as_backend(store), fmt)
        else:
            data = run_export(
                store, ExportFormat(fmt), graph=NamedNode(graph_iri) if graph_iri else None
            )
    if output:
        output.write_bytes(data)
        echo(f"已写入 {output}：{len(data):,} 字节 (wrote {len(data):,} bytes)", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@click.command()
@store_option
@format_option("table", "json")
def check(store_path: str, fmt: str) -> None:
    """Validate the graph with SHACL and report data-quality findings.

    Exits 1 when the graph violates the shapes; findings alone do not fail.
    """
    from fenjie.graph import FenjieStore
    from fenjie.graph.check import check as run_check
    from fenjie.graph.check import describe_source

    with FenjieStore.open(store_path, read_only=True) as store:
        report = run_check(store)
    if fmt == "json":
        emit_json(report)
    else:
        verdict = "符合约束 (conforms)" if report["conforms"] else "不符合约束 (does NOT conform)"
        echo(f"SHACL：{verdict}，结果 {len(report['violations'])} 条")
        for v in report["violations"]:
            echo(f"  {v['severity']}: {v['focus']} {v['path']}: {v['message']}")
        echo(f"存疑 {len(report['findings'])} 处 (findings)")
        for f in report["findings"]:
            echo(f"  [{f['kind']}] {f['message']} — {describe_source(f['source'])}")
        echo(
            f"供核对 {len(report['notes'])} 处，不算存疑 "
            "(notes: readings resting on a vocabulary, for review)"
        )
        for f in report["notes"]:
            echo(f"  [{f['kind']}] {f['message']} — {describe_source(f['source'])}")
    if not report["conforms"]:
        raise SystemExit(1)


COMMANDS = [build, stats, export, check]
