"""Add reports to the store: each in its own named graph, all of a batch in one transaction.

Reports are only ever added. A report whose graph already exists (the same file row read again,
the same request retried) is left as it is and counted as ``existing``, so ingestion is
idempotent and history is never rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pyoxigraph import NamedNode, Quad, Store

from fenjie.graph.store import FenjieStore
from fenjie.progress.model import FileOrigin, ProgressReport, report_quads, source_quads

__all__ = ["Recorded", "add_reports"]


@dataclass(frozen=True)
class Recorded:
    added: list[str]
    existing: list[str]


def add_reports(store: FenjieStore, reports: Sequence[ProgressReport], *, base: str) -> Recorded:
    """Add ``reports`` to ``store`` atomically (one Oxigraph transaction): all or nothing."""
    inner = store.inner
    added: list[str] = []
    existing: list[str] = []
    quads: list[Quad] = []
    sources: set[tuple[str, str, str]] = set()
    for report in reports:
        iri = report.iri(base)
        if iri in added or inner.contains_named_graph(NamedNode(iri)):
            existing.append(iri)
            continue
        added.append(iri)
        quads.extend(report_quads(report, base))
        if isinstance(report.origin, FileOrigin):
            origin = report.origin
            sources.add((origin.file, origin.sha256, origin.reader))
    for file, sha256, reader in sorted(sources):
        quads.extend(source_quads(base, file=file, sha256=sha256, reader=reader))
    if quads:
        _extend(inner, quads)
    return Recorded(added, existing)


def _extend(inner: Store, quads: Iterable[Quad]) -> None:
    # Store.extend is one transaction (unlike bulk_extend): a crash leaves none of the batch.
    inner.extend(quads)
