"""The embedded, persistent Oxigraph store and atomic builds into it.

A build never writes into the live store. It takes the store's build lock (one writer at a time),
takes a checkpoint of the live version (hard links, cheap) as a new staging version, applies the
change there and switches the store's pointer to it in one atomic rename only when everything
succeeded (:mod:`fenjie.graph._versions`). A failed or killed build leaves the previous store as it
was; the next build repairs what a crash left before it starts.

>>> store = FenjieStore.in_memory()
>>> from fenjie.config import bundled_example
>>> built = build_sources([bundled_example()], store=store)
>>> store.ask("ASK { ?unit <https://w3id.org/fenjie/def#leads> ?item }")
True
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    Variable,
)

from fenjie.config import DEFAULT_BASE, default_store_path
from fenjie.errors import InputError, QueryError, QuerySyntaxError, StoreBusyError, StoreError
from fenjie.graph._compaction import compaction_yields
from fenjie.graph._faults import kill_point
from fenjie.graph._levels import link_levels
from fenjie.graph._limits import DEFAULT_LIMITS, Limits
from fenjie.graph._lock import store_lock  # writers other than builds take it too
from fenjie.graph._phases import PhaseClock
from fenjie.graph._pipeline import BuiltSource, Spooled, build_many, default_workers
from fenjie.graph._registry import UnitRegistry, agency_quads, ontology_quads
from fenjie.graph._sources import expand_sources, file_sha256
from fenjie.graph._sparql import sparql
from fenjie.graph._versions import current_version, new_staging, publish, recover, versions_dir
from fenjie.graph.builder import SHARED_GRAPH, table_slug
from fenjie.vocab import FJ

__all__ = ["BuiltSource", "FenjieStore", "MEMORY", "build_sources", "store_lock"]

MEMORY = ":memory:"


class FenjieStore:
    """An Oxigraph store holding fenjie's graphs; queries see the union of all named graphs."""

    def __init__(self, inner: pyoxigraph.Store, path: Path | None) -> None:
        self.inner = inner
        self.path = path

    @classmethod
    def in_memory(cls) -> FenjieStore:
        return cls(pyoxigraph.Store(), None)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        read_only: bool = False,
        must_exist: bool = True,
    ) -> FenjieStore:
        """Open the store at ``path`` (default: ``$FENJIE_STORE`` or the user data folder).

        ``':memory:'`` gives an empty in-memory store. With ``must_exist`` (the default) a missing
        store raises :class:`~fenjie.errors.StoreError` telling the user to run ``fenjie build``.
        """
        location = str(path) if path is not None else default_store_path()
        if location == MEMORY:
            return cls.in_memory()
        where = Path(location)
        _repair_pointer(where)
        if must_exist and not (where / "CURRENT").exists():
            raise StoreError(
                f"{where} 处没有 fenjie 存储：请先运行 fenjie build（或用 --store 指定） "
                "(no fenjie store: run `fenjie build` first, or pass --store)",
                store=str(where),
            )
        _check_is_store(where)
        try:
            inner = (
                pyoxigraph.Store.read_only(str(where))
                if read_only
                else pyoxigraph.Store(str(where))
            )
        except OSError as exc:
            raise StoreError(
                f"无法打开 {where} 处的存储 (cannot open the store)：{exc}", store=str(where)
            ) from exc
        return cls(inner, where)

    def close(self) -> None:
        """Release the store (Oxigraph closes it when the last reference goes)."""
        # dropping the last reference is how Oxigraph closes; a closed store is not used again
        self.inner = None  # type: ignore[assignment]
        gc.collect()

    def __enter__(self) -> FenjieStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- queries ---------------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Any] | None = None,
        graphs: Iterable[NamedNode] | None = None,
    ) -> QuerySolutions | QueryBoolean | QueryTriples:
        """Run a SPARQL query over the union of all graphs (or of ``graphs`` only).

        ``bindings`` maps variable names to RDF terms; they are substituted as terms, never
        formatted into the query text. Oxigraph substitutes only variables that the query
        projects (SEP-0007), so bind projected variables.
        """
        substitutions = {Variable(k): v for k, v in (bindings or {}).items()}
        options: dict[str, Any] = {"substitutions": substitutions or None}
        if graphs is not None:
            options["default_graph"] = list(graphs)
        else:
            options["use_default_graph_as_union"] = True
        try:
            return self.inner.query(sparql, **options)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"SPARQL 语法错误 (SPARQL syntax error)：{exc}") from exc
        except RuntimeError as exc:
            message = str(exc)
            if "in its SELECT projection" in message:
                message += " (a bound variable must be projected: SELECT ?var …)"
            raise QueryError(message) from exc

    def select(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Any] | None = None,
        graphs: Iterable[NamedNode] | None = None,
    ) -> list[dict[str, Any]]:
        """SELECT rows as dicts of variable name → term (unbound variables left out)."""
        solutions = self.query(sparql, bindings=bindings, graphs=graphs)
        if not isinstance(solutions, QuerySolutions):
            raise QuerySyntaxError("应为 SELECT 查询 (expected a SELECT query)")
        return _solution_rows(solutions)

    def construct(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Any] | None = None,
        graphs: Iterable[NamedNode] | None = None,
    ) -> QueryTriples:
        """CONSTRUCT / DESCRIBE triples."""
        triples = self.query(sparql, bindings=bindings, graphs=graphs)
        if not isinstance(triples, QueryTriples):
            raise QuerySyntaxError(
                "应为 CONSTRUCT 或 DESCRIBE 查询 (expected a CONSTRUCT or DESCRIBE query)"
            )
        return triples

    def ask(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> bool:
        return bool(self.query(sparql, bindings=bindings))

    def tables(self) -> list[NamedNode]:
        """IRIs of the source tables (named graphs) in the store."""
        rows = self.select(sparql("table-graphs"))
        return [r["t"] for r in rows]

    def __len__(self) -> int:
        return len(self.inner)


def _solution_rows(solutions: QuerySolutions) -> list[dict[str, Any]]:
    """The rows of ``solutions`` as dicts of variable name → term, unbound variables left out.

    Most of a large answer's cost is Oxigraph's: reading each IRI's and long literal's text from
    the store as the solution is made (docs/benchmarks.md, "Answer-size queries"). What is
    Python's is kept small: a solution's values are taken in the order of the variables (a third
    faster than by name), a row binding every variable (a term is always true, ``None`` false)
    is made in one step, and the cyclic garbage collector is paused while the rows are made: it
    would walk the growing list of dicts again and again, none of them garbage.
    """
    names = [v.value for v in solutions.variables]
    rows: list[dict[str, Any]] = []
    append = rows.append
    collecting = gc.isenabled()
    gc.disable()
    try:
        for solution in solutions:
            values = tuple(solution)
            if all(values):
                append(dict(zip(names, values, strict=True)))
            else:
                append({n: t for n, t in zip(names, values, strict=True) if t is not None})
    finally:
        if collecting:
            gc.enable()
    return rows


def _repair_pointer(where: Path) -> None:
    """A store whose pointer a crash removed is repaired on open (when no build is running)."""
    if (where / "CURRENT").exists() or not versions_dir(where).is_dir():
        return
    try:
        with store_lock(where, wait=False):
            recover(where)
    except StoreBusyError:
        pass  # the running build repairs it


def _check_is_store(where: Path) -> None:
    if where.exists() and any(where.iterdir()) and not (where / "CURRENT").exists():
        raise StoreError(
            f"{where} 已存在但不是 Oxigraph 存储，不予改动 (exists and is not an Oxigraph store)",
            store=str(where),
        )


# N-Quads per bulk load. Oxigraph's bulk loader holds a whole call's quads in memory (1 GB for
# the million quads of a 5,000-row plan); 8 MB calls peak near 100 MB and were as fast (docs/
# robustness.md).
_BATCH_BYTES = 8 << 20
# Bulk loads running at once. One call parses, then sorts and writes its SST files, then ingests
# them (fsync included) one step after the other; a second call running meanwhile keeps the
# cores busy through those waits (docs/benchmarks.md, build). Each holds its piece's quads.
_LOADERS = 2
# A table of at least a quarter of a batch of N-Quads is loaded in pieces of its own, smaller ones
# together. Oxigraph's graph-first indexes (gspo, gpos, gosp) key a quad by its graph first, so the
# files a piece of one graph adds to them overlap no other table's: RocksDB places them in its last
# level at once, and the one merge at the end (graph/_compaction.py) has those three indexes of
# the six to leave as they are (about half its work; docs/benchmarks.md, build). The shared
# graph's lines, which every table adds, are gathered apart for the same reason.
_OWN_PIECES_DIVISOR = 4
# A table's own pieces hold up to two batches: the pieces of one table overlap each other in the
# graph-first indexes (RocksDB merges them, and meanwhile places other tables' files that fall in
# the range being merged in level 0 too), so a table up to 16 MB of N-Quads (about 70,000 quads;
# 9 MB for a 200-row synthetic table) goes in one piece. At 10M triples (250 such tables) that
# cut the compaction's CPU by a third and the bytes it wrote by 17%; the writer's peak memory did
# not grow (docs/benchmarks.md, build).
_OWN_PIECE_BATCHES = 2
# Each bulk load adds a file per column family to RocksDB's level 0; from 20 on (Oxigraph's
# level0_slowdown_writes_trigger) every ordinary write waits for compaction. A build that loaded
# that many pieces compacts the store once, at the end (graph/_compaction.py).
_COMPACT_AFTER_PIECES = 20


def _own_piece_bytes(size: int) -> int:
    """How many bytes of a table's own N-Quads (``size`` in all, at least a quarter of a batch)
    each of its pieces takes: the fewest pieces of at most ``_OWN_PIECE_BATCHES`` batches, all
    about the same size (each piece is then read up to the end of its last line)."""
    largest = _OWN_PIECE_BATCHES * _BATCH_BYTES
    count = -(-size // largest)
    return -(-size // count)


class _Writer:
    """Loads built tables (N-Quads files) into a store: graphs they replace are removed first,
    quads bulk-loaded in batches of a bounded size (small tables together, a larger one in pieces
    of its own, the shared graph's lines apart), up to ``loaders`` batches at once (threads);
    each file is removed once read.

    :meth:`close` must follow, failure or not: it waits for the loads still running, which hold
    the store.
    """

    def __init__(
        self,
        store: pyoxigraph.Store,
        base: str,
        implements: str | None = None,
        *,
        loaders: int = 1,
    ) -> None:
        self.store, self.base = store, base
        self.implements = implements  # the plan every table written implements (--implements)
        self.batch: list[bytes] = []
        self.batch_bytes = 0
        self.shared: list[bytes] = []  # lines of the shared graph, loaded apart
        self.shared_bytes = 0
        self.replaced = False  # a graph was replaced: shared nodes may have lost their last user
        self.loaders = max(1, loaders)
        self.pool = (
            ThreadPoolExecutor(self.loaders, thread_name_prefix="fenjie-load")
            if self.loaders > 1
            else None
        )
        self.loading: deque[Future[None]] = deque()
        self.pieces = 0  # bulk loads made (each ingests its own files)

    def start(self) -> None:
        for name in ("graph/ontology", "graph/registry", "graph/agencies"):
            self.store.remove_graph(NamedNode(self.base + name))
        fixed = [
            *ontology_quads(self.base),
            *UnitRegistry.load(self.base).quads,
            *agency_quads(self.base),
        ]
        self.store.bulk_extend(fixed)

    def add(self, iri: NamedNode, quads: Spooled) -> None:
        if self.store.contains_named_graph(iri):
            self.flush()
            self.settle()  # its old quads may be loading still (a table given twice)
            self.store.remove_graph(iri)
            self.replaced = True
        size = quads.own.stat().st_size
        with quads.own.open("rb") as lines:
            if size < _BATCH_BYTES // _OWN_PIECES_DIVISOR:  # small: with other small tables
                self.batch += [lines.read()] if size else []
                self.batch_bytes += size
                if self.batch_bytes >= _BATCH_BYTES:
                    self.flush()
            else:  # pieces of its own, of about equal size (not 16 MB and a small rest)
                self.flush()
                piece = _own_piece_bytes(size)
                while chunk := lines.read(piece):
                    self.batch.append(chunk + lines.readline())  # whole lines only
                    self.flush()
        with quads.shared.open("rb") as lines:
            chunk = lines.read()
        self.shared.append(chunk)
        self.shared_bytes += len(chunk)
        if self.shared_bytes >= _BATCH_BYTES:
            self.flush_shared()
        quads.unlink()
        self.declare(iri)

    def declare(self, iri: NamedNode) -> None:
        """Record ``--implements`` on a table (also one skipped as unchanged: the declaration is
        how it was built this time); without it, a skipped table keeps what it had."""
        if self.implements is None:
            return
        self.flush()
        self.settle()
        for q in list(self.store.quads_for_pattern(iri, FJ.declaredImplements, None, iri)):
            self.store.remove(q)
        self.store.add(
            pyoxigraph.Quad(iri, FJ.declaredImplements, pyoxigraph.Literal(self.implements), iri)
        )

    def flush(self) -> None:
        """Load the batch gathered so far: here, or in a loader thread once one is free."""
        if not self.batch:
            return
        data, self.batch, self.batch_bytes = b"".join(self.batch), [], 0
        self.load(data)

    def flush_shared(self) -> None:
        """Load the shared graph's lines gathered so far, as a piece of their own."""
        if self.shared_bytes:
            self.load(b"".join(self.shared))
        self.shared, self.shared_bytes = [], 0

    def load(self, data: bytes) -> None:
        self.pieces += 1
        if self.pool is None:
            self._load(data)
            return
        while len(self.loading) >= self.loaders:  # at most ``loaders`` batches held at once
            self.loading.popleft().result()
        self.loading.append(self.pool.submit(self._load, data))

    def _load(self, data: bytes) -> None:
        # Bulk loading skips per-quad transactions; safe because a build writes into a private
        # staging version (or a store the caller owns) and switches to it only after success.
        # lenient: the quads were built and serialized by fenjie, IRIs already checked.
        # pyoxigraph releases the GIL while it loads: loader threads run in parallel.
        self.store.bulk_load(input=data, format=RdfFormat.N_QUADS, lenient=True)
        kill_point("table-written")

    def settle(self) -> None:
        """Wait for the batches being loaded; the first that failed raises its error."""
        while self.loading:
            self.loading.popleft().result()

    def close(self) -> None:
        """Wait for every load still running (whether or not one failed) and end the threads."""
        if self.pool is not None:
            wait(self.loading)
            self.loading.clear()
            self.pool.shutdown(wait=True)

    def flush_all(self) -> None:
        """Load everything gathered: the tables' batch and the shared graph's lines."""
        self.flush()
        self.flush_shared()

    def finish(self) -> None:
        self.flush_all()
        self.settle()
        self.tidy()

    def tidy(self) -> None:
        """After the loads: drop shared nodes no table uses any more, and link the levels."""
        if self.replaced:
            _collect_shared(self.store, NamedNode(self.base + SHARED_GRAPH))
        # which plan implements which, and which work items carry down which: over all tables,
        # since the parent may be built after its child (graph/_levels.py)
        link_levels(self.store, self.base)


def _collect_shared(store: pyoxigraph.Store, shared: NamedNode) -> None:
    """Drop shared nodes no table mentions any more (a replaced table may have been the last).

    A node stays while any other graph uses it, or while a kept shared node points at it.
    """
    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, shared)}

    def used(node: NamedNode | BlankNode | Triple) -> bool:
        return any(
            q.graph_name != shared
            for pattern in ((node, None, None), (None, None, node))
            for q in store.quads_for_pattern(*pattern)
        )

    kept = {node for node in subjects if used(node)}
    # and what kept nodes point at: the documents they are based on, the places they lie within,
    # a plan document's issuer
    frontier = list(kept)
    while frontier:
        for q in store.quads_for_pattern(frontier.pop(), None, None, shared):
            target = q.object
            if not isinstance(target, Literal) and target in subjects and target not in kept:
                kept.add(target)
                frontier.append(target)
    for node in subjects - kept:
        for q in list(store.quads_for_pattern(node, None, None, shared)):
            store.remove(q)


def build_sources(
    sources: Iterable[str | os.PathLike[str]],
    *,
    store: FenjieStore | None = None,
    store_path: str | os.PathLike[str] | None = None,
    base: str = DEFAULT_BASE,
    fresh: bool = False,
    on_table: Callable[[BuiltSource], None] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    wait: bool = True,
    lock_timeout: float | None = None,
    on_notice: Callable[[str], None] | None = None,
    workers: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    jurisdiction: str | None = None,
    implements: str | None = None,
) -> list[BuiltSource]:
    """Read and build every source (files, folders or glob patterns) into the store, atomically.

    Each source replaces its own named graph; other graphs stay unless ``fresh`` is given. A source
    whose bytes did not change since it was last built (same SHA-256) is skipped, unless ``fresh``.
    Tables are built one by one (by ``workers`` processes, default one per core) and loaded into a
    staging version of the store, so memory depends on the largest table, not on how many there
    are; the staging version becomes the store in one atomic switch only when all succeeded, so
    bad input or a crash changes nothing. ``store`` writes into an open (in-memory) store instead,
    after every source was built.

    ``on_table(result)`` follows each source; ``on_progress(name, rows_done, rows_total)`` reports
    rows while a source is built in this process. A persistent store is written under its build
    lock: when another build holds it, ``wait`` for it (up to ``lock_timeout`` seconds if given) or
    raise :class:`~fenjie.errors.StoreBusyError`. ``on_notice(message)`` hears about the wait and
    about repairs of what a crashed build left. ``limits`` bound what each source may cost to
    read. ``jurisdiction`` (浙江省) overrides the jurisdiction read from each source;
    ``implements`` (a table's name or IRI) declares the plan every source implements (levels:
    ``graph/_levels.py``, recomputed after every build).
    """
    paths = expand_sources(sources)
    _check_distinct_graphs(paths, base)
    jobs = [(p, file_sha256(p)) for p in paths]
    options = _BuildOptions(
        base=base,
        workers=default_workers() if workers is None else workers,
        limits=limits,
        jurisdiction=jurisdiction,
        implements=implements,
        fresh=fresh,
        on_table=on_table,
        on_progress=on_progress,
    )
    if (
        store is not None
        or (store_path is None and default_store_path() == MEMORY)
        or (store_path is not None and str(store_path) == MEMORY)
    ):
        target = store.inner if store is not None else pyoxigraph.Store()
        if fresh:
            target.clear()
        return _build_in_memory(target, jobs, options)
    path = Path(store_path if store_path is not None else default_store_path())
    with store_lock(path, wait=wait, timeout=lock_timeout, on_wait=on_notice):
        kill_point("locked")
        for action in recover(path).actions:
            if on_notice:
                on_notice(action)
        return _build_staged(path, jobs, options)


@dataclass(frozen=True)
class _BuildOptions:
    """What one build was asked for, passed as one value from :func:`build_sources` down."""

    base: str
    workers: int
    limits: Limits
    jurisdiction: str | None
    implements: str | None
    fresh: bool
    on_table: Callable[[BuiltSource], None] | None
    on_progress: Callable[[str, int, int], None] | None

    def build(
        self, jobs: list[tuple[Path, str | None]], spool: Path
    ) -> Generator[tuple[BuiltSource, Spooled], None, None]:
        """Build ``jobs`` into N-Quads files in ``spool``, in order (:func:`build_many`)."""
        return build_many(
            jobs,
            base=self.base,
            workers=self.workers,
            limits=self.limits,
            jurisdiction=self.jurisdiction,
            on_progress=self.on_progress,
            spool=spool,
        )


def _check_distinct_graphs(paths: list[Path], base: str) -> None:
    seen: dict[str, Path] = {}
    for path in paths:
        iri = f"{base}table/{table_slug(path.name)}"
        if iri in seen:
            raise InputError(
                f"两个来源会共用图 {iri}（图名取自文件名：{seen[iri]} 与 {path}）；"
                "请改名其一，或分别构建 (two sources would share the graph)",
                file=str(path),
            )
        seen[iri] = path


def _build_in_memory(
    target: pyoxigraph.Store, jobs: list[tuple[Path, str | None]], options: _BuildOptions
) -> list[BuiltSource]:
    """Build everything first, then write: a store the caller holds is changed only on success."""
    with tempfile.TemporaryDirectory(prefix="fenjie-spool-") as spool:
        built = list(options.build(jobs, Path(spool)))
        writer = _Writer(target, options.base, options.implements)  # one loader: no threads
        writer.start()
        for result, quads in built:
            writer.add(result.iri, quads)
            if options.on_table:
                options.on_table(result)
        writer.finish()
    return [result for result, _ in built]


def _unchanged(
    store: pyoxigraph.Store, jobs: list[tuple[Path, str | None]], base: str
) -> set[Path]:
    """Sources whose graph in ``store`` was built from the same bytes."""
    sha256 = FJ.sha256
    same = set()
    for path, digest in jobs:
        iri = NamedNode(f"{base}table/{table_slug(path.name)}")
        if digest and any(
            isinstance(q.object, Literal) and q.object.value == digest
            for q in store.quads_for_pattern(iri, sha256, None, iri)
        ):
            same.add(path)
    return same


def _build_staged(
    path: Path, jobs: list[tuple[Path, str | None]], options: _BuildOptions
) -> list[BuiltSource]:
    """Build into a new staging version and switch the store to it (build lock held)."""
    staging = new_staging(path)
    spool = staging.with_name(staging.name + ".spool")  # built tables as N-Quads files
    clock = PhaseClock()  # where the time goes, for fenjie bench-build (FENJIE_BUILD_PHASES)
    try:
        spool.mkdir()
        live = current_version(path)
        if live is not None and not options.fresh:
            try:
                pyoxigraph.Store.read_only(str(live)).backup(str(staging))
            except OSError as exc:
                raise StoreError(
                    f"无法复制 {path} 处的存储 (cannot copy the store)：{exc}", store=str(path)
                ) from exc
        results = _fill(staging, spool, jobs, options, clock)
        shutil.rmtree(spool, ignore_errors=True)
        gc.collect()  # the staging store is closed before it becomes the live one
        publish(path, staging)
        clock.mark("close")
        clock.write()
    except BaseException as exc:
        # Close the staging store before removing it, or RocksDB's threads write into it again:
        # the traceback's frames still reference it, so their locals are cleared first.
        traceback.clear_frames(exc.__traceback__)
        gc.collect()
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(spool, ignore_errors=True)
        raise
    return results


def _fill(
    staging: Path,
    spool: Path,
    jobs: list[tuple[Path, str | None]],
    options: _BuildOptions,
    clock: PhaseClock,
) -> list[BuiltSource]:
    """Write the sources into the staging store, table by table; the store is closed on return."""
    new = pyoxigraph.Store(str(staging))
    kill_point("staging")
    base = options.base
    skipped = set() if options.fresh else _unchanged(new, jobs, base)
    # loads in threads as well when the build has more than one core (workers) to spread over
    writer = _Writer(new, base, options.implements, loaders=min(options.workers, _LOADERS))
    try:
        # while tables load, RocksDB merges their files only with cores nobody else needs
        with compaction_yields():
            writer.start()
            # A table is loaded once it is built, never while: a table over the triples limit is
            # refused at the row that passes it, and loading what came before (2 million
            # triples) would cost more than building it (docs/robustness.md).
            done = options.build([job for job in jobs if job[0] not in skipped], spool)
            results: list[BuiltSource] = []
            for source, digest in jobs:
                if source in skipped:
                    iri = NamedNode(f"{base}table/{table_slug(source.name)}")
                    result = BuiltSource(source=source, iri=iri, skipped=True, sha256=digest)
                    writer.declare(iri)
                else:
                    result, quads = next(done)
                    writer.add(result.iri, quads)
                results.append(result)
                if options.on_table:
                    options.on_table(result)
            writer.flush_all()
            writer.settle()
            done.close()  # the worker processes end (and their CPU time is counted)
        clock.mark("tables built and loaded")
        if writer.pieces >= _COMPACT_AFTER_PIECES:
            # one merge of everything the loads left, instead of waiting at the next write
            # while RocksDB merges part of it; the levels' queries then read a compacted store
            new.optimize()
        clock.mark("final merge")
        writer.tidy()
        clock.mark("levels")
    finally:
        writer.close()  # no load may still run when the staging store is closed or removed
    new.flush()
    return results
