"""The write-ahead journal of reports sent to the server: durable before ``201``, applied later.

Opening the store for writing costs about a second (every query worker closes it, one opens it for
writing, all reopen it), so a report is not written to the store before its answer. It is appended
to this journal and flushed to disk (``fsync``) first; the server adds journaled reports to the
store in batches, and replays the journal when it starts, so a report that got ``201`` survives
``kill -9``.

Two files beside the store (builds swap the store directory, not these)::

    STORE.reports.journal            reports not yet handed to the store
    STORE.reports.journal.applying   the batch being added (sealed: nothing is appended to it)

One JSON object per line: ``{"iri", "nquads"}``. A torn last line (a crash before its ``fsync``)
was never acknowledged and is skipped.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["Entry", "ReportJournal", "default_journal_path"]

Entry = tuple[str, str]  # (report graph IRI, its quads as N-Quads)


def default_journal_path(store: str | os.PathLike[str]) -> Path:
    """``STORE.reports.journal`` beside the store directory."""
    where = Path(store)
    return where.with_name(where.name + ".reports.journal")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read(path: Path) -> list[Entry]:
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
            found.append((str(entry["iri"]), str(entry["nquads"])))
        except (json.JSONDecodeError, KeyError, TypeError):
            continue  # a torn last line
    return found


class ReportJournal:
    """Append (with ``fsync``), seal a batch for the store, discard it once the store has it.

    Not thread-safe: the server calls it from one task at a time (see
    :class:`fenjie.server._reports.ReportWriter`).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.sealed = self.path.with_name(self.path.name + ".applying")

    def append(self, entries: list[Entry]) -> None:
        """Add ``entries`` and flush them to disk before returning (one ``fsync`` for all)."""
        text = "".join(
            json.dumps({"iri": iri, "nquads": nquads}, ensure_ascii=False) + "\n"
            for iri, nquads in entries
        )
        created = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, text.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:  # the new file's name must survive a crash too
            _fsync_dir(self.path.parent)

    def seal(self) -> list[Entry]:
        """Start a new journal and return the entries of the sealed one (with any batch sealed
        before and not yet discarded: a failed batch is tried again, first)."""
        entries = _read(self.sealed)
        if self.path.exists():
            if entries:  # a sealed batch is still there: move the journal's lines behind it
                entries += _read(self.path)
                self._replace_sealed(entries)
                self.path.unlink()
            else:
                entries = _read(self.path)
                os.replace(self.path, self.sealed)
            _fsync_dir(self.path.parent)
        return entries

    def _replace_sealed(self, entries: list[Entry]) -> None:
        staging = self.sealed.with_name(self.sealed.name + ".tmp")
        staging.write_text(
            "".join(
                json.dumps({"iri": i, "nquads": q}, ensure_ascii=False) + "\n" for i, q in entries
            ),
            encoding="utf-8",
        )
        fd = os.open(staging, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(staging, self.sealed)

    def discard_sealed(self) -> None:
        """The sealed batch is in the store (flushed): forget it."""
        if self.sealed.exists():
            self.sealed.unlink()
            _fsync_dir(self.path.parent)

    def pending(self) -> list[Entry]:
        """Everything journaled and not yet discarded, oldest first (for recovery at start)."""
        return _read(self.sealed) + _read(self.path)
