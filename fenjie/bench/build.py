"""The build benchmark behind ``fenjie bench-build``: fenjie's build against ``oxigraph load``.

For each size a folder of synthetic tables (:mod:`fenjie.bench.synthetic`, 200 rows each) is
written, then, in the same run and on the same machine:

1. ``fenjie build --fresh FOLDER/`` builds them into a new store (a subprocess, as a user runs it);
2. the store's quads are exported as N-Quads (not timed);
3. ``oxigraph load`` loads that file into a new store (Oxigraph's own Rust bulk loader).

Both are timed by the wall clock; peak memory is the largest sum of the resident set sizes of the
command's process tree (sampled every 50 ms, so fenjie's worker processes count), and at least the
peak the kernel reports for the largest of its processes. Each command runs under a small wrapper
process (:mod:`fenjie.bench._wrapper`), so neither figure includes this benchmark's own memory.

The scaling table builds 7 and 28 tables (and more if asked) of the same size and compares peak
memory: a build whose memory depends on the largest table, not on how many, shows a ratio near 1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path

from fenjie.bench.commands import require_oxigraph
from fenjie.bench.proctree import tree_rss_kb
from fenjie.graph._phases import PHASES_ENV, Phase, read_phases

__all__ = [
    "SIZES_HEADER",
    "Measured",
    "format_phases",
    "format_scaling",
    "format_size",
    "CommandFailed",
    "measure",
    "run_scaling",
    "run_sizes",
]

_TRIPLES_PER_ROW = 200  # about; the tables report the real count
_ROWS_PER_TABLE = 200


@dataclass
class Measured:
    """One command's wall time, peak memory and CPU time (user and system, its process tree)."""

    seconds: float
    peak_mb: float
    cpu_seconds: float = 0.0


def measure(command: list[str], *, env: dict[str, str] | None = None) -> Measured:
    """Run ``command`` and return its wall time, peak memory and CPU time (process tree).

    The command runs under a small wrapper process (:mod:`fenjie.bench._wrapper`) that reports
    the kernel's figures for it: forked from this process instead, its peak would include this
    benchmark's own size at the fork. Peak memory is the larger of the sampled sum over the
    command's process tree (the wrapper left out) and the largest single process's peak.
    """
    read_fd, write_fd = os.pipe()
    started = time.perf_counter()
    with as_file(files("fenjie.bench").joinpath("_wrapper.py")) as wrapper:
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-S", str(wrapper), str(write_fd), *command],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                pass_fds=(write_fd,),
            )
        finally:
            os.close(write_fd)
        peak_kb = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_kb
            while not done.is_set():
                # the command and what it started, not the wrapper
                peak_kb = max(peak_kb, tree_rss_kb(proc.pid, include_root=False))
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, error_bytes = proc.communicate()  # error output until the command's end
        errors = error_bytes.decode("utf-8", "replace")
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    with os.fdopen(read_fd, "rb") as report:
        fields = report.read().split()
    # ``maxrss_kb user_s system_s`` of the command and the descendants it waited for (none when
    # the wrapper itself was killed)
    maxrss_kb, user, system = (float(f) for f in fields) if len(fields) == 3 else (0.0, 0.0, 0.0)
    measured = Measured(seconds, max(peak_kb, maxrss_kb) / 1024, user + system)
    if proc.returncode != 0:
        raise CommandFailed(
            f"{' '.join(command)} failed ({proc.returncode}):\n{errors[-2000:]}", measured
        )
    return measured


class CommandFailed(RuntimeError):
    """A measured command exited non-zero: its error output, and what it cost until then."""

    def __init__(self, message: str, measured: Measured) -> None:
        super().__init__(message)
        self.measured = measured


def _fenjie(*args: str) -> list[str]:
    return [sys.executable, "-m", "fenjie", *args]


def _write_tables(folder: Path, rows: int, seed: int) -> int:
    from fenjie.bench.synthetic import write_synthetic

    return len(write_synthetic(folder, rows, seed=seed, rows_per_table=_ROWS_PER_TABLE))


def _count_triples(store: Path) -> int:
    import pyoxigraph

    return len(pyoxigraph.Store.read_only(str(store)))


def bench_size(
    triples: int, *, workdir: Path, seed: int = 0
) -> tuple[dict[str, float], list[Phase]]:
    """Build about ``triples`` triples with fenjie, then load the same quads with Oxigraph; also
    the build's phases as it recorded them (graph/_phases.py)."""
    folder = workdir / f"tables-{triples}"
    n_tables = _write_tables(folder, max(1, triples // _TRIPLES_PER_ROW), seed)
    store = workdir / f"fenjie-{triples}"
    phases_file = workdir / f"phases-{triples}.json"
    fenjie = measure(
        _fenjie("build", "--fresh", "--store", str(store), str(folder)),
        env={**os.environ, PHASES_ENV: str(phases_file)},
    )
    phases = read_phases(phases_file)
    count = _count_triples(store)
    dump = workdir / f"quads-{triples}.nq"
    subprocess.run(
        _fenjie("export", "--store", str(store), "--format", "nq", "-o", str(dump)),
        check=True,
        capture_output=True,
    )
    oxigraph = measure(
        [
            require_oxigraph(),
            "load",
            "--location",
            str(workdir / f"ox-{triples}"),
            "--file",
            str(dump),
        ]
    )
    for leftover in (folder, workdir / f"ox-{triples}"):
        shutil.rmtree(leftover, ignore_errors=True)
    dump.unlink()
    report = {
        "tables": n_tables,
        "triples": count,
        "fenjie_s": fenjie.seconds,
        "fenjie_cpu": fenjie.cpu_seconds,
        "fenjie_mb": fenjie.peak_mb,
        "oxigraph_s": oxigraph.seconds,
        "oxigraph_cpu": oxigraph.cpu_seconds,
        "oxigraph_mb": oxigraph.peak_mb,
    }
    return report, phases


def run_sizes(
    sizes: list[int], *, workdir: Path | None = None
) -> Iterator[tuple[dict[str, float], list[Phase]]]:
    """One report per size (and the build's phases), as each is measured (a long run shows its
    first rows early)."""
    with tempfile.TemporaryDirectory(prefix="fenjie-bench-build-", dir=workdir) as tmp:
        for n in sizes:
            yield bench_size(n, workdir=Path(tmp))


def run_scaling(counts: list[int], *, workdir: Path | None = None) -> list[dict[str, float]]:
    """Peak memory of fresh builds of ``counts`` tables of 200 rows each."""
    reports = []
    with tempfile.TemporaryDirectory(prefix="fenjie-bench-scaling-", dir=workdir) as tmp:
        for count in counts:
            folder = Path(tmp) / f"tables-{count}"
            _write_tables(folder, count * _ROWS_PER_TABLE, seed=1)
            store = Path(tmp) / f"store-{count}"
            run = measure(_fenjie("build", "--fresh", "--store", str(store), str(folder)))
            reports.append(
                {
                    "tables": count,
                    "triples": _count_triples(store),
                    "seconds": run.seconds,
                    "peak_mb": run.peak_mb,
                }
            )
    return reports


# CPU seconds (user and system, the whole process tree) beside the wall time: on a shared machine
# the wall time stretches with the load, the CPU time much less; on an idle one a command that
# keeps both cores busy finishes in about half its CPU time.
SIZES_HEADER = (
    "| triples | tables | fenjie build s | CPU s | triples/s | peak RSS MB | oxigraph load s "
    "| CPU s | triples/s | peak RSS MB | time ratio | CPU ratio | memory ratio |\n"
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def format_size(r: dict[str, float]) -> str:
    """One row of the sizes table (under :data:`SIZES_HEADER`)."""
    return (
        f"| {r['triples']:,.0f} | {r['tables']:.0f} | {r['fenjie_s']:.1f} "
        f"| {r['fenjie_cpu']:.1f} | {r['triples'] / r['fenjie_s']:,.0f} | {r['fenjie_mb']:.0f} "
        f"| {r['oxigraph_s']:.1f} | {r['oxigraph_cpu']:.1f} "
        f"| {r['triples'] / r['oxigraph_s']:,.0f} | {r['oxigraph_mb']:.0f} "
        f"| {r['fenjie_s'] / r['oxigraph_s']:.2f}x "
        f"| {r['fenjie_cpu'] / r['oxigraph_cpu']:.2f}x "
        f"| {r['fenjie_mb'] / r['oxigraph_mb']:.2f}x |"
    )


def format_scaling(reports: list[dict[str, float]]) -> str:
    first = reports[0]
    lines = [
        "| tables (200 rows each) | triples | build s | peak RSS MB | memory vs first |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in reports:
        lines.append(
            f"| {r['tables']:.0f} | {r['triples']:,.0f} | {r['seconds']:.1f} "
            f"| {r['peak_mb']:.0f} | {r['peak_mb'] / first['peak_mb']:.2f}x |"
        )
    return "\n".join(lines)


def format_phases(triples: float, phases: list[Phase]) -> str:
    """Where one build's time went, phase by phase (graph/_phases.py): the writer process's CPU
    includes RocksDB's compaction threads, also shown apart with the bytes they wrote (a figure
    the machine's load does not change); the workers' CPU is counted when they end."""
    lines = [
        f"fenjie build of {triples:,.0f} triples, by phase:",
        "",
        "| phase | wall s | writer CPU s | of it compaction CPU s | compaction wrote MB "
        "| workers CPU s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for p in phases:
        lines.append(
            f"| {p.name} | {p.wall_s:.1f} | {p.cpu_s:.1f} | {p.compaction_cpu_s:.1f} "
            f"| {p.compaction_mb:,.0f} | {p.workers_cpu_s:.1f} |"
        )
    if phases:
        lines.append(
            f"| **all** | {sum(p.wall_s for p in phases):.1f} | {sum(p.cpu_s for p in phases):.1f} "
            f"| {sum(p.compaction_cpu_s for p in phases):.1f} "
            f"| {sum(p.compaction_mb for p in phases):,.0f} "
            f"| {sum(p.workers_cpu_s for p in phases):.1f} |"
        )
    return "\n".join(lines)
