"""Where a build's time goes: wall and CPU time of its phases, for ``fenjie bench-build``.

The build marks its phases (tables built and loaded, the final merge, the levels, the close); at
each mark this records the wall clock, the CPU time of this process (the writer's threads),
of RocksDB's compaction threads apart (``rocksdb:low``, read from ``/proc/self/task``) with the
bytes they wrote, and of the worker processes that ended. Bytes written by compaction do not
depend on how loaded the machine is: they are the figure to compare schedules of compaction by.

Nothing is recorded unless ``FENJIE_BUILD_PHASES`` names a file: the build then writes the
phases there as JSON when it ends (:func:`read_phases` reads them back).
"""

from __future__ import annotations

import json
import os
import resource
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from fenjie.graph._compaction import compaction_threads

__all__ = ["PHASES_ENV", "Phase", "PhaseClock", "read_phases"]

PHASES_ENV = "FENJIE_BUILD_PHASES"
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Phase:
    """One phase: wall seconds; CPU seconds of the writer process (compaction included), of the
    compaction threads alone and of the worker processes; MB the compaction threads wrote."""

    name: str
    wall_s: float
    cpu_s: float
    compaction_cpu_s: float
    compaction_mb: float
    workers_cpu_s: float


@dataclass(frozen=True)
class _Reading:
    wall: float
    cpu: float
    compaction_cpu: float
    compaction_bytes: int
    workers_cpu: float


def _compaction_usage() -> tuple[float, int]:
    """CPU seconds and bytes written so far by this process's compaction threads."""
    cpu, written = 0.0, 0
    for tid in compaction_threads():
        task = Path(f"/proc/self/task/{tid}")
        try:
            stat = (task / "stat").read_text(encoding="ascii")
            io = (task / "io").read_text(encoding="ascii")
        except OSError:
            continue  # ended meanwhile, or no I/O accounting
        fields = stat[stat.rindex(")") + 2 :].split()
        cpu += (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
        for line in io.splitlines():
            if line.startswith("wchar:"):
                written += int(line.split()[1])
    return cpu, written


def _read() -> _Reading:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    compaction_cpu, compaction_bytes = _compaction_usage()
    return _Reading(
        wall=time.perf_counter(),
        cpu=own.ru_utime + own.ru_stime,
        compaction_cpu=compaction_cpu,
        compaction_bytes=compaction_bytes,
        workers_cpu=children.ru_utime + children.ru_stime,
    )


class PhaseClock:
    """Marks a build's phases; a no-op unless ``FENJIE_BUILD_PHASES`` is set (or ``path``)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        where = path if path is not None else os.environ.get(PHASES_ENV)
        self.path = Path(where) if where else None
        self.phases: list[Phase] = []
        self.last = _read() if self.path else None

    def mark(self, name: str) -> None:
        """End the phase called ``name`` here (the next one starts)."""
        if self.last is None:
            return
        now = _read()
        before = self.last
        self.phases.append(
            Phase(
                name=name,
                wall_s=now.wall - before.wall,
                cpu_s=now.cpu - before.cpu,
                compaction_cpu_s=now.compaction_cpu - before.compaction_cpu,
                compaction_mb=(now.compaction_bytes - before.compaction_bytes) / 1e6,
                workers_cpu_s=now.workers_cpu - before.workers_cpu,
            )
        )
        self.last = now

    def write(self) -> None:
        if self.path is not None:
            text = json.dumps([asdict(p) for p in self.phases], ensure_ascii=False)
            self.path.write_text(text, encoding="utf-8")


def read_phases(path: str | os.PathLike[str]) -> list[Phase]:
    """The phases a build wrote to ``path`` (none when it wrote nothing)."""
    try:
        rows = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    return [Phase(**row) for row in rows]
