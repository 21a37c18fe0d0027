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

import functools
import gc
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import NamedNode, Quad, QuerySolutions, Variable

from fenjie.config import DEFAULT_BASE, default_store_path
from fenjie.errors import InputError, QueryError, QuerySyntaxError, StoreBusyError, StoreError
from fenjie.graph._faults import kill_point
from fenjie.graph._limits import DEFAULT_LIMITS, Limits
from fenjie.graph._lock import store_lock  # writers other than builds take it too
from fenjie.graph._registry import UnitRegistry, agency_quads, ontology_quads
from fenjie.graph._versions import current_version, new_staging, publish, recover, versions_dir
from fenjie.graph.builder import SHARED_GRAPH, BuiltTable, build_table
from fenjie.graph.read import read_table
from fenjie.vocab import FJ

__all__ = ["FenjieStore", "MEMORY", "build_sources", "store_lock"]

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
                f"no fenjie store at {where}: run `fenjie build` first (or pass --store)",
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
            raise StoreError(f"cannot open the store at {where}: {exc}", store=str(where)) from exc
        return cls(inner, where)

    def close(self) -> None:
        """Release the store (Oxigraph closes it when the last reference goes)."""
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
    ) -> Any:
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
            raise QuerySyntaxError(f"SPARQL syntax error: {exc}") from exc
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
    ) -> list[dict]:
        """SELECT rows as dicts of variable name → term (unbound variables left out)."""
        solutions = self.query(sparql, bindings=bindings, graphs=graphs)
        if not isinstance(solutions, QuerySolutions):
            raise QuerySyntaxError("expected a SELECT query")
        names = [v.value for v in solutions.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in solutions]

    def ask(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> bool:
        return bool(self.query(sparql, bindings=bindings))

    def tables(self) -> list[NamedNode]:
        """IRIs of the source tables (named graphs) in the store."""
        rows = self.select(
            f"SELECT ?t WHERE {{ GRAPH ?t {{ ?t a <{FJ.SourceTable.value}> }} }} ORDER BY ?t"
        )
        return [r["t"] for r in rows]

    def __len__(self) -> int:
        return len(self.inner)


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
            f"{where} exists and is not an Oxigraph store; refusing to touch it",
            store=str(where),
        )


def _write(store: pyoxigraph.Store, built: list[BuiltTable], base: str) -> None:
    for name in ("graph/ontology", "graph/registry", "graph/agencies"):
        store.remove_graph(NamedNode(base + name))
    for table in built:
        store.remove_graph(table.iri)
    quads: list[Quad] = [*ontology_quads(base), *UnitRegistry.load(base).quads, *agency_quads(base)]
    for table in built:
        quads.extend(table.quads)
        quads.extend(table.shared_quads)  # a graph is a set: facts stated twice are kept once
    # Bulk loading skips per-quad transactions (4x faster); safe because a build writes into a
    # private staging copy (or a store the caller owns) and swaps it in only after success.
    store.bulk_extend(quads)
    _collect_shared(store, NamedNode(base + SHARED_GRAPH))


def _collect_shared(store: pyoxigraph.Store, shared: NamedNode) -> None:
    """Drop shared nodes no table mentions any more (a replaced table may have been the last).

    A node stays while any other graph uses it, or while a kept shared node points at it.
    """
    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, shared)}

    def used(node: NamedNode) -> bool:
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
            if q.object in subjects and q.object not in kept:
                kept.add(q.object)
                frontier.append(q.object)
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
    on_table: Callable[[BuiltTable], None] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    wait: bool = True,
    lock_timeout: float | None = None,
    on_notice: Callable[[str], None] | None = None,
    jurisdiction: str | None = None,
) -> list[BuiltTable]:
    """Read and build every source, then write them into the store atomically.

    All sources are read and built before the store is touched, so bad input changes nothing.
    Each source replaces its own named graph; other graphs stay unless ``fresh`` is given.
    ``store`` writes into an open (in-memory) store instead of the one at ``store_path``.
    ``on_table(built)`` follows each source; ``on_progress(name, rows_done, rows_total)`` reports
    rows while a large source is built. ``limits`` bound what each source may cost to read.

    A persistent store is written under its build lock: when another build holds it, ``wait``
    for it (up to ``lock_timeout`` seconds if given) or raise
    :class:`~fenjie.errors.StoreBusyError`. ``on_notice(message)`` hears about the wait and about
    repairs of what a crashed build left.
    ``jurisdiction`` (浙江省) overrides the jurisdiction read from each source.
    """
    registry = UnitRegistry.load(base)
    built = []
    for source in sources:
        table_read = read_table(source, limits=limits)
        report = functools.partial(on_progress, table_read.name) if on_progress else None
        table = build_table(
            table_read,
            base=base,
            registry=registry,
            on_progress=report,
            jurisdiction=jurisdiction,
        )
        clash = next((b for b in built if b.iri == table.iri), None)
        if clash is not None:
            raise InputError(
                f"two sources would share the graph {table.iri.value} (file names give graph "
                "names); rename one or build them one at a time",
                file=str(source),
            )
        built.append(table)
        if on_table:
            on_table(table)
    if store is not None:
        if fresh:
            store.inner.clear()
        _write(store.inner, built, base)
        return built
    location = str(store_path) if store_path is not None else default_store_path()
    if location == MEMORY:
        _write(pyoxigraph.Store(), built, base)
        return built
    path = Path(location)
    with store_lock(path, wait=wait, timeout=lock_timeout, on_wait=on_notice):
        kill_point("locked")
        for action in recover(path).actions:
            if on_notice:
                on_notice(action)
        _staged_write(path, built, base, fresh=fresh)
    return built


def _staged_write(path: Path, built: list[BuiltTable], base: str, *, fresh: bool) -> None:
    """Write a new version beside the live one and switch to it (build lock held)."""
    staging = new_staging(path)
    try:
        live = current_version(path)
        if live is not None and not fresh:
            try:
                pyoxigraph.Store.read_only(str(live)).backup(str(staging))
            except OSError as exc:
                raise StoreError(
                    f"cannot copy the store at {path}: {exc}", store=str(path)
                ) from exc
        new = pyoxigraph.Store(str(staging))
        kill_point("staging")
        _write(new, built, base)
        new.flush()
        del new
        gc.collect()  # close the staging store before it becomes the live one
        publish(path, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
