"""RocksDB's background compaction yields the cores to a build's loads, then runs once at the end.

Every bulk load ingests its own sorted files, and they overlap all the others (Oxigraph's keys
are hashes), so RocksDB starts merging them at once and, on a 2-core machine, keeps merging
through the whole build: at 10M triples a third of the build's CPU, taken from the table
builders and the loads, and repeated as the level it merges into grows. While a build loads,
:func:`compaction_yields` sets RocksDB's compaction threads to the lowest CPU priority: they merge
only when a core is idle, so each merge takes more files at once and the same data is rewritten
fewer times. The build then compacts the whole store in one pass (``Store.optimize()``), which
also leaves it fully compacted for the queries that follow (docs/benchmarks.md, build).

Linux only (threads are found by name in ``/proc/self/task``); elsewhere it changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["compaction_threads", "compaction_yields"]

# RocksDB names its thread pools' threads: "rocksdb:low" runs compactions, "rocksdb:high" flushes
_COMPACTION_THREAD = "rocksdb:low"
_LOWEST = 19  # the largest nice value


def compaction_threads() -> list[int]:
    """Thread ids of this process's RocksDB compaction threads (none where ``/proc`` is not)."""
    found = []
    try:
        tasks = list(Path("/proc/self/task").iterdir())
    except OSError:
        return []
    for task in tasks:
        try:
            name = (task / "comm").read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            continue  # the thread ended meanwhile
        if name == _COMPACTION_THREAD:
            found.append(int(task.name))
    return found


@contextmanager
def compaction_yields() -> Iterator[None]:
    """Run RocksDB's compaction threads at the lowest CPU priority inside the ``with`` block.

    The threads are process-wide (RocksDB's default environment), so their priority is given
    back afterwards; an unprivileged process may not raise a priority again, and then they stay
    low, which slows only compactions that compete with other busy processes.
    """
    lowered: dict[int, int] = {}
    for tid in compaction_threads():
        try:
            before = os.getpriority(os.PRIO_PROCESS, tid)
            if before < _LOWEST:
                os.setpriority(os.PRIO_PROCESS, tid, _LOWEST)
                lowered[tid] = before
        except OSError:
            continue  # ended meanwhile
    try:
        yield
    finally:
        for tid, before in lowered.items():
            try:
                os.setpriority(os.PRIO_PROCESS, tid, before)
            except OSError:  # not permitted (no CAP_SYS_NICE), or the thread ended
                pass
