"""Read and build sources, one table at a time, in worker processes when that helps.

Each source is read and built on its own, its quads written as N-Quads to files in a spool
folder while its rows are gone through (the lines of its own graph to one, those of the shared
graph to another), and handed over as those files: a build holds one table's rows at a time (per
worker) and none of its quads, whatever the number and size of the sources.
With more than one source and more than one core, worker processes read and build in parallel
while the calling process, the one writer, loads their files into the store.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections import deque
from collections.abc import Callable, Generator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode

from fenjie.errors import FenjieError
from fenjie.graph._jurisdiction import Jurisdiction
from fenjie.graph._limits import DEFAULT_LIMITS, Limits
from fenjie.graph._nquads import ByteSink
from fenjie.graph._registry import UnitRegistry
from fenjie.graph.builder import write_table
from fenjie.graph.read import read_table

__all__ = ["BuiltSource", "Spooled", "build_into", "build_many", "build_one", "default_workers"]


@dataclass
class BuiltSource:
    """What a build did with one source: its graph, reader, counts and findings (no quads: they
    are in the store). ``skipped`` sources were unchanged since the last build (same SHA-256):
    they have no counts and no findings (``fenjie check`` has them)."""

    source: Path
    iri: NamedNode
    reader: str = ""
    counts: dict[str, object] = field(default_factory=dict)
    unregistered_units: list[str] = field(default_factory=list)
    jurisdiction: Jurisdiction | None = None
    unresolved_units: list[str] = field(default_factory=list)
    skipped: bool = False
    sha256: str | None = None
    encoding: str = ""  # as read; says when traditional characters were read as simplified
    # the table's findings as the builder saw them (graph/_table_facts.py); the levels' findings
    # are made across tables, after loading (graph/_levels.py)
    findings: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Spooled:
    """A built source's quads in the spool folder, as N-Quads: the lines of its own graph, and
    those of the shared graph apart (the writer loads a table's own lines in pieces of their own:
    graph/store.py)."""

    own: Path
    shared: Path

    def unlink(self) -> None:
        self.own.unlink(missing_ok=True)
        self.shared.unlink(missing_ok=True)


_registries: dict[str, UnitRegistry] = {}  # per process: one load of the registry per base


def build_into(
    source: Path,
    out: ByteSink,
    *,
    shared: ByteSink | None = None,
    base: str,
    sha256: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    jurisdiction: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> BuiltSource:
    """Read and build one source, writing its quads (table and shared graph) as N-Quads to
    ``out`` while its rows are gone through (what was written is incomplete when it fails); with
    ``shared``, the shared graph's lines go there instead."""
    registry = _registries.get(base)
    if registry is None:
        registry = _registries[base] = UnitRegistry.load(base)
    table = read_table(source, limits=limits)
    if sha256:  # the hash of the file as given (a converted .doc hashes otherwise)
        table.sha256 = sha256
    built = write_table(
        table,
        out,
        shared=shared,
        base=base,
        registry=registry,
        on_progress=on_progress,
        jurisdiction=jurisdiction,
        limits=limits,
    )
    del table
    return BuiltSource(
        source=source,
        iri=built.iri,
        reader=built.reader,
        counts=built.counts,
        unregistered_units=built.unregistered_units,
        jurisdiction=built.jurisdiction,
        unresolved_units=built.unresolved_units,
        sha256=sha256,
        findings=built.findings,
        encoding=built.encoding,
    )


def build_one(
    source: Path,
    base: str,
    sha256: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    jurisdiction: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    spool: Path,
) -> tuple[BuiltSource, Spooled]:
    """Read and build one source; its quads go to two N-Quads files in the folder ``spool`` (its
    own graph's, the shared graph's), which are returned (nothing is left there when it fails)."""
    handle, name = tempfile.mkstemp(suffix=".nq", dir=spool)
    quads = Spooled(Path(name), Path(name).with_suffix(".shared.nq"))
    try:
        with os.fdopen(handle, "wb") as out, quads.shared.open("xb") as shared:
            result = build_into(
                source,
                out,
                shared=shared,
                base=base,
                sha256=sha256,
                limits=limits,
                jurisdiction=jurisdiction,
                on_progress=on_progress,
            )
    except BaseException:
        quads.unlink()
        raise
    return result, quads


def default_workers() -> int:
    """Worker processes for a build of many sources: one per core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def build_many(
    jobs: list[tuple[Path, str | None]],
    *,
    base: str,
    workers: int,
    limits: Limits = DEFAULT_LIMITS,
    jurisdiction: str | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    spool: Path,
) -> Generator[tuple[BuiltSource, Spooled], None, None]:
    """Build ``(source, sha256)`` jobs, yielding results (with their N-Quads files in ``spool``)
    in order.

    With ``workers`` > 1 and more than one job, worker processes build them; at most two results
    per worker wait for the writer, so disk use stays bounded however many jobs there are.
    Row progress (``on_progress(name, done, total)``) is reported for in-process builds only.
    """
    if workers <= 1 or len(jobs) <= 1:
        for source, sha in jobs:
            report = (lambda d, t, n=str(source): on_progress(n, d, t)) if on_progress else None
            yield build_one(source, base, sha, limits, jurisdiction, report, spool=spool)
        return
    # spawn, not fork: the writer has a RocksDB store with its own threads open
    context = multiprocessing.get_context("spawn")
    count = min(workers, len(jobs))
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        pending: deque[Future[tuple[BuiltSource, Spooled]]] = deque()
        queue = iter(jobs)
        try:
            for source, sha in queue:
                pending.append(
                    pool.submit(
                        build_one, source, base, sha, limits, jurisdiction, None, spool=spool
                    )
                )
                if len(pending) >= 2 * count:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool as exc:  # a worker was killed (out of memory, kill -9)
            raise FenjieError(
                "构建进程意外终止，存储未改变 (a build worker process died, killed from outside or "
                "out of memory; the store is unchanged); run the build again, or with --jobs 1"
            ) from exc
        finally:
            for future in pending:
                future.cancel()
