"""A small pool of query worker processes that can be killed when a query runs too long.

Oxigraph's own timeout does not interrupt every query, so every query runs in a child process
(:mod:`fenjie.server._worker`). When a task runs past the time limit the server kills that
process, answers 503 and starts a fresh worker in the background; the other workers keep serving.

Updates take every worker (so no read runs meanwhile), make them close the store, apply the update
in one of them with the store opened for writing, and bump the generation so that the workers
reopen the store and see the change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import time
from typing import Any

from fenjie.errors import FenjieError, QueryTimeoutError
from fenjie.server._worker import worker_main

__all__ = ["WorkerPool"]

log = logging.getLogger("fenjie.server")
_READY_WAIT = 60.0  # seconds a fresh worker may take to warm up before it is used anyway


class _Proc:
    def __init__(self, ctx: Any, path: str, allow_service: tuple[str, ...]) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=worker_main, args=(child, path, allow_service), daemon=True
        )
        self.process.start()
        child.close()
        # wait for the warm-up (imports, store opened), so the first task's time limit is its own
        with contextlib.suppress(EOFError, OSError):  # a dead worker is noticed at its first task
            if self.conn.poll(_READY_WAIT):
                self.conn.recv()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.kill()


def _rebuild(payload: dict[str, Any]) -> FenjieError:
    if payload.get("log"):  # foreign or internal detail: for the log, never for the client
        reference = payload.get("details", {}).get("reference", "-")
        log.error("query failed, reference %s: %r", reference, payload["log"])
    err = FenjieError(payload["message"], **payload.get("details", {}))
    err.code = payload["code"]
    err.http_status = payload["status"]
    return err


class WorkerPool:
    """``size`` worker processes serving the store at ``path``.

    Use :meth:`run` from the event loop; :meth:`start` and :meth:`close` from the app's lifespan.
    """

    def __init__(
        self,
        path: str,
        *,
        size: int = 4,
        timeout: float = 10.0,
        queue_timeout: float = 30.0,
        allow_service: tuple[str, ...] = (),
    ) -> None:
        self.path = path
        self.allow_service = tuple(allow_service)
        self.size = size
        self.timeout = timeout
        self.queue_timeout = queue_timeout
        self.generation = 0
        self._identity = self._store_identity()
        self.killed = 0
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Proc] | None = None
        self._all: set[_Proc] = set()
        self._update_lock: asyncio.Lock | None = None

    def _store_identity(self) -> tuple[int, int] | None:
        try:
            status = os.stat(self.path)
        except OSError:
            return None
        return status.st_dev, status.st_ino

    def refresh(self) -> int:
        """Notice a rebuild: ``fenjie build`` swaps in a new store directory (a new inode), so
        the generation moves on and every worker reopens the store before its next task."""
        identity = self._store_identity()
        if identity != self._identity:
            self._identity = identity
            self.generation += 1
        return self.generation

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        self._update_lock = asyncio.Lock()
        procs = await asyncio.gather(
            *(
                loop.run_in_executor(None, _Proc, self._ctx, self.path, self.allow_service)
                for _ in range(self.size)
            )
        )
        for proc in procs:
            self._all.add(proc)
            self._idle.put_nowait(proc)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        procs, self._all = list(self._all), set()
        await asyncio.gather(*(loop.run_in_executor(None, p.stop) for p in procs))

    async def _respawn(self, proc: _Proc, pending: asyncio.Future[Any] | None = None) -> None:
        loop = asyncio.get_running_loop()
        self._all.discard(proc)
        self.killed += 1
        await loop.run_in_executor(None, proc.kill)
        if pending is not None:  # the waiting thread sees end-of-file once the process is gone
            await asyncio.gather(pending, return_exceptions=True)
        proc.conn.close()
        fresh = await loop.run_in_executor(None, _Proc, self._ctx, self.path, self.allow_service)
        self._all.add(fresh)
        assert self._idle is not None
        self._idle.put_nowait(fresh)

    async def _acquire(self, deadline: float) -> _Proc:
        assert self._idle is not None, "WorkerPool.start() was not called"
        try:
            return await asyncio.wait_for(self._idle.get(), max(deadline - time.monotonic(), 0))
        except asyncio.TimeoutError:
            raise QueryTimeoutError(
                "服务器繁忙：所有查询进程都在工作 (all query workers are busy); try again later",
                timeout=self.queue_timeout,
            ) from None

    async def _ask(self, proc: _Proc, message: tuple[str, int, Any], deadline: float) -> Any:
        """Send one task and wait for its reply; kill the worker when the deadline passes."""
        loop = asyncio.get_running_loop()

        def wait() -> Any:
            proc.conn.send(message)
            if not proc.conn.poll(max(deadline - time.monotonic(), 0)):
                return _TIMEOUT
            return proc.conn.recv()

        future = loop.run_in_executor(None, wait)
        try:
            reply = await asyncio.shield(future)
        except asyncio.CancelledError:  # the client went away: stop the work too
            asyncio.ensure_future(self._respawn(proc, future))
            raise
        except (EOFError, OSError):
            asyncio.ensure_future(self._respawn(proc))
            err = FenjieError("查询进程意外退出 (a query worker died); try again")
            err.code, err.http_status = "worker_died", 503
            raise err from None
        if reply is _TIMEOUT:
            asyncio.ensure_future(self._respawn(proc))
            raise QueryTimeoutError(
                f"查询超时，已停止 (query stopped after {self.timeout:g} s)", timeout=self.timeout
            )
        return reply

    async def run(self, kind: str, payload: Any, *, timeout: float | None = None) -> Any:
        """Run one task in a worker and return its value, or raise the error it reported.

        The time limit counts from the moment a worker takes the task; waiting for a free worker
        is bounded separately by ``queue_timeout``.
        """
        proc = await self._acquire(time.monotonic() + self.queue_timeout)
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        reply = await self._ask(proc, (kind, self.refresh(), payload), deadline)
        assert self._idle is not None
        self._idle.put_nowait(proc)
        status, value = reply
        if status == "error":
            raise _rebuild(value)
        return value

    async def update(self, payload: dict[str, Any], *, timeout: float | None = None) -> Any:
        """Apply an update with every worker held, then let the workers reopen the store."""
        assert self._update_lock is not None and self._idle is not None
        async with self._update_lock:
            held: list[_Proc] = []
            try:
                while len(held) < self.size:
                    held.append(await self._acquire(time.monotonic() + self.queue_timeout))
                deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
                for proc in held[1:]:
                    await self._held_ask(held, proc, ("close", self.generation, None), deadline)
                message = ("update", self.generation, payload)
                reply = await self._held_ask(held, held[0], message, deadline)
            finally:
                self.generation += 1
                for proc in held:
                    self._idle.put_nowait(proc)
        status, value = reply
        if status == "error":
            raise _rebuild(value)
        return value

    async def _held_ask(
        self, held: list[_Proc], proc: _Proc, message: tuple[str, int, Any], deadline: float
    ) -> Any:
        try:
            return await self._ask(proc, message, deadline)
        except BaseException:
            held.remove(proc)  # it is being replaced by a fresh worker
            raise


_TIMEOUT = object()
