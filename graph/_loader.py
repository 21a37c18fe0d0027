"""Bulk-load N-Quads into a store while they are still being written.

A build of one large table used to write the table's quads to a file, then bulk-load the file:
on a 5,000-row plan about 5 s of building and 8 s of loading, one after the other. Oxigraph's
bulk loader releases the GIL, so a thread can load what the builder has written so far while the
builder goes on: :class:`StreamLoader` is the sink the builder writes to (``write`` gathers whole
lines, as :class:`~fenjie.graph._nquads.NQuadsWriter` writes them), and a thread bulk-loads them
in pieces of about ``piece`` bytes. At most two pieces wait for the thread, so memory stays
bounded whatever the table's size.

Only for a store nobody else sees yet (a build's staging version): what a failed build loaded
stays there, and the staging version is thrown away.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

import pyoxigraph
from pyoxigraph import RdfFormat

__all__ = ["StreamLoader"]


class StreamLoader:
    """A byte sink whose content a thread bulk-loads into ``store``, piece by piece.

    Use it as a context manager: leaving the block normally loads the rest, waits for the
    thread and raises what the loading raised; leaving it by an exception stops the thread
    without loading more.
    """

    def __init__(
        self,
        store: pyoxigraph.Store,
        *,
        piece: int,
        after_load: Callable[[], None] | None = None,
    ) -> None:
        self.store, self.piece, self.after_load = store, piece, after_load
        self.pending: list[bytes] = []
        self.size = 0
        self.error: BaseException | None = None
        self.stopped = False
        self.pieces: queue.Queue[bytes | None] = queue.Queue(maxsize=2)
        self.thread = threading.Thread(target=self._run, name="fenjie-loader", daemon=True)

    def __enter__(self) -> StreamLoader:
        self.thread.start()
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if kind is None:
            self.close()
        else:
            self.stop()

    def write(self, data: bytes, /) -> int:
        """Gather ``data`` (whole lines); hand a piece to the thread once there is enough."""
        if self.error is not None:  # loading failed: stop the build at once, with its error
            raise self.error
        self.pending.append(data)
        self.size += len(data)
        if self.size >= self.piece:
            self._hand_over()
        return len(data)

    def _hand_over(self) -> None:
        data, self.pending, self.size = b"".join(self.pending), [], 0
        self.pieces.put(data)  # waits while two pieces wait: memory stays bounded

    def _run(self) -> None:
        while (data := self.pieces.get()) is not None:
            if self.error is not None or self.stopped:
                continue  # drain, so that a writer waiting on the queue goes on
            try:
                # lenient: the quads were built and serialized by fenjie, IRIs already checked
                self.store.bulk_load(input=data, format=RdfFormat.N_QUADS, lenient=True)
                if self.after_load is not None:
                    self.after_load()
            except BaseException as exc:  # handed to the writing thread
                self.error = exc

    def close(self) -> None:
        """Load what is left, wait for the thread, and raise what loading raised."""
        if self.pending:
            self._hand_over()
        self.pieces.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        """Load nothing more; wait for the piece being loaded."""
        self.stopped = True
        self.pending, self.size = [], 0
        self.pieces.put(None)
        self.thread.join()
