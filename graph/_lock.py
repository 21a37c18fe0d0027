"""The build lock: one writer per store, taken with ``flock`` on a file beside the store.

The kernel drops an ``flock`` when its holder dies (even by ``kill -9``), so a crashed build never
leaves the store locked. The file records the holder's process id for the waiting message only; the
lock itself is the ``flock``.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fenjie.errors import StoreBusyError

__all__ = ["lock_path", "store_lock"]

_POLL_SECONDS = 0.2


def lock_path(store: Path) -> Path:
    """``/data/.store.lock`` for the store ``/data/store``."""
    return store.with_name(f".{store.name}.lock")


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


@contextmanager
def store_lock(
    store: Path,
    *,
    wait: bool = True,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the store's write lock for the ``with`` block.

    When another process holds it: with ``wait`` (the default) wait for it, up to ``timeout``
    seconds if given, calling ``on_wait(message)`` once; without ``wait``, or when the time is up,
    raise :class:`~fenjie.errors.StoreBusyError`.
    """
    store.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(store), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, store, wait=wait, timeout=timeout, on_wait=on_wait)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(
    fd: int,
    store: Path,
    *,
    wait: bool,
    timeout: float | None,
    on_wait: Callable[[str], None] | None,
) -> None:
    deadline = None if timeout is None else time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = _holder(fd)
        who = f"（进程 {holder}）" if holder else ""
        if not wait:
            raise StoreBusyError(
                f"存储正被另一个构建写入{who} (the store {store} is locked by another build; "
                "run again when it ends, or without --no-wait to wait for it)",
                store=str(store),
                holder=int(holder) if holder else None,
            )
        if deadline is not None and time.monotonic() >= deadline:
            raise StoreBusyError(
                f"存储正被另一个构建写入{who}，已等待 {timeout:g} 秒 (gave up waiting for the "
                f"build lock on {store})",
                store=str(store),
                holder=int(holder) if holder else None,
            )
        if not told and on_wait is not None:
            on_wait(
                f"存储正被另一个构建写入{who}，等待其结束… (waiting for the build lock on {store}; "
                "--no-wait fails instead)"
            )
            told = True
        time.sleep(_POLL_SECONDS)
