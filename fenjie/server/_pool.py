"""A small pool of query worker processes that can be killed when a query runs too long.

Oxigraph's own timeout does not interrupt every query, so every query runs in a child process
(:mod:`fenjie.server._worker`). When a task runs past the time limit the server kills that
process, answers 503 and starts a fresh worker in the background; the other workers keep serving.

**Reserved capacity.** Heavy queries must not starve cheap ones, and nothing tells them apart before
they run. So ``reserved`` workers are kept for work that proves itself cheap: a task takes a general
worker when one is free; when all general workers are busy it may take a reserved one, for at most
``cheap_timeout`` seconds. A task that overruns there is stopped, remembered as heavy (by its text),
and queued again for a general worker with its full time limit; the next time it waits for a
general worker straight away. Heavy queries thus hold at most ``size - reserved`` workers, while
cheap queries and named queries keep answering on the rest.

Updates take every worker (so no read runs meanwhile), make them close the store, apply the update
in one of them with the store opened for writing, and bump the generation so that the workers
reopen the store and see the change.

The server talks to each worker over a socket pair kept open on the event loop as an asyncio
protocol (:class:`_Channel`): a task is one framed pickle written, the answer one framed pickle read
as it arrives, never a blocking read, so the loop may be uvloop. No thread per query, and no
watching to set up or tear down per query.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import multiprocessing
import os
import pickle
import socket
import struct
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, cast

from fenjie.errors import FenjieError, QueryTimeoutError
from fenjie.server._worker import worker_main

__all__ = ["WorkerPool"]

log = logging.getLogger("fenjie.server")
_READY_WAIT = 60.0  # seconds a fresh worker may take to warm up before it is used anyway
_TIMEOUT = object()  # a task's deadline passed before its reply
_LOST = object()  # a worker's connection ended (the worker died)


def _frame(message: Any) -> bytes:
    """``message`` pickled and framed as :class:`multiprocessing.connection.Connection` frames
    it (a signed 4-byte length, or -1 and an 8-byte one), so the worker reads it with ``recv``.
    Tasks hold plain data and functions named by reference, which need none of the reducers of
    multiprocessing's own pickler (whose Python-level set-up cost 6 µs of the 8 per task)."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    size = len(data)
    header = struct.pack("!i", size) if size <= 0x7FFFFFFF else struct.pack("!iQ", -1, size)
    return header + data


class _Channel(asyncio.Protocol):
    """The server's end of one worker's socket pair, on the event loop: at most one task is
    outstanding, and its reply (or the connection's end, or the deadline) settles ``waiter``."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[Any] | None = None
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= 4:
            (size,) = struct.unpack_from("!i", self.buffer)
            start = 4
            if size == -1:
                if len(self.buffer) < 12:
                    return
                (size,) = struct.unpack_from("!Q", self.buffer, 4)
                start = 12
            if len(self.buffer) < start + size:
                return
            message = pickle.loads(self.buffer[start : start + size])
            del self.buffer[: start + size]
            if isinstance(message, tuple) and message[:1] == ("ready",):
                continue  # a warm-up notice that came after the spawner stopped waiting
            self._settle(message)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self._settle(_LOST)

    def _settle(self, value: Any) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(value)

    def expire(self) -> None:
        self._settle(_TIMEOUT)

    def request(self, message: Any) -> asyncio.Future[Any]:
        """Send one task; the future gets its reply, ``_LOST`` or (see :meth:`expire`)
        ``_TIMEOUT``."""
        if self.lost or self.transport is None or self.transport.is_closing():
            raise OSError("the worker's connection is closed")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(_frame(message))
        return self.waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class _Proc:
    def __init__(self, ctx: Any, path: str, allow_service: tuple[str, ...]) -> None:
        self.sock, child = socket.socketpair()
        child_end = Connection(child.detach())
        self.process = ctx.Process(
            target=worker_main, args=(child_end, path, allow_service), daemon=True
        )
        self.process.start()
        child_end.close()
        self.channel: _Channel | None = None
        # wait for the warm-up (imports, store opened), so the first task's time limit is its own;
        # read with the standard framing on a duplicate, before the socket joins the event loop
        handshake = Connection(os.dup(self.sock.fileno()))
        with contextlib.suppress(EOFError, OSError):  # a dead worker is noticed at its first task
            if handshake.poll(_READY_WAIT):
                handshake.recv()
        handshake.close()

    async def attach(self) -> None:
        """Put the socket on the running event loop (once, before the first task)."""
        if self.channel is None:
            loop = asyncio.get_running_loop()
            _, self.channel = await loop.create_unix_connection(_Channel, sock=self.sock)

    def detach(self) -> None:
        """Close the server's end (on the loop's thread): the worker reads EOF and exits."""
        if self.channel is not None:
            self.channel.close()
        else:
            self.sock.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)

    def stop(self) -> None:
        """Wait for a worker (its end detached) to exit; kill it if it does not."""
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


def _context() -> Any:
    """Workers are forked from a fork server that has imported the engine and fenjie already:
    a replacement for a killed worker then starts in milliseconds, not the seconds a fresh
    interpreter needs (which heavy queries on every core stretch further)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(
        [
            "fenjie.server._worker",
            "fenjie.graph",
            "fenjie.queries",
            "fenjie.viz",
            "scipy.optimize",  # the views' Kamada-Kawai layout (0.6 s on a worker's first view)
            "rdflib.plugins.sparql.parser",  # the SERVICE check's parser (a second to import)
            "rdflib.plugins.sparql.algebra",
        ]
    )
    return ctx


def _spawn(ctx: Any, path: str, allow_service: tuple[str, ...]) -> _Proc:
    return _Proc(ctx, path, allow_service)  # returns once the worker is warm


@dataclass(eq=False)  # found by identity: a waiter is removed from a queue of them
class _Waiter:
    """A task waiting for a worker: it is handed ``(worker, lane)`` through ``future``."""

    future: asyncio.Future[tuple[_Proc, str]]
    lanes: tuple[str, ...]
    key: bytes | None
    queued: bool = True  # still in the pool's queue of waiters


def _worker_died() -> FenjieError:
    err = FenjieError("查询进程意外退出，请重试 (a query worker died; try again)")
    err.code, err.http_status = "worker_died", 503
    return err


class WorkerPool:
    """``size`` worker processes serving the store at ``path``, ``reserved`` of them kept for
    work that finishes within ``cheap_timeout`` seconds.

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
        reserved: int = 1,
        cheap_timeout: float = 1.0,
    ) -> None:
        self.path = path
        self.allow_service = tuple(allow_service)
        self.size = size
        self.reserved = max(0, min(reserved, size - 1))
        self.timeout = timeout
        self.cheap_timeout = cheap_timeout
        self.queue_timeout = queue_timeout
        self.generation = 0
        self._identity = self._store_identity()
        self.killed = 0
        self._ctx = _context()
        self._idle: deque[_Proc] = deque()
        self._busy = {"general": 0, "reserved": 0, "any": 0}
        self._heavy: OrderedDict[bytes, None] = OrderedDict()
        self._waiters: deque[_Waiter] = deque()  # tasks waiting for a worker, oldest first
        self._all: set[_Proc] = set()
        self._spare: asyncio.Future[_Proc] | None = None  # a started worker, ready to replace one
        self._update_lock: asyncio.Lock | None = None
        # awaited before every read: writes acknowledged but not yet in the store get there first
        self.before_read: Callable[[], Awaitable[None]] | None = None

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
        self._update_lock = asyncio.Lock()
        procs = await asyncio.gather(
            *(
                loop.run_in_executor(None, _spawn, self._ctx, self.path, self.allow_service)
                for _ in range(self.size)
            )
        )
        for proc in procs:
            await proc.attach()
            self._all.add(proc)
            self._idle.append(proc)
        self._start_spare()

    def _start_spare(self) -> None:
        loop = asyncio.get_running_loop()
        self._spare = asyncio.ensure_future(
            loop.run_in_executor(None, _spawn, self._ctx, self.path, self.allow_service)
        )

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        procs: list[_Proc | BaseException] = list(self._all)
        self._all = set()
        if self._spare is not None:  # a spare that failed to start is an exception here
            procs += await asyncio.gather(self._spare, return_exceptions=True)
            self._spare = None
        live = [p for p in procs if isinstance(p, _Proc)]
        for proc in live:
            proc.detach()
        await asyncio.gather(*(loop.run_in_executor(None, p.stop) for p in live))

    async def _respawn(self, proc: _Proc) -> None:
        """Replace a killed or dead worker: with the spare (started and ready: no wait for a
        process to start and open the store), then start the next spare."""
        loop = asyncio.get_running_loop()
        self._all.discard(proc)
        self.killed += 1
        await loop.run_in_executor(None, proc.kill)
        proc.detach()
        spare, self._spare = self._spare, None
        fresh = await spare if spare is not None else None
        if fresh is None or not fresh.process.is_alive():
            if fresh is not None:
                fresh.detach()
            fresh = await loop.run_in_executor(
                None, _spawn, self._ctx, self.path, self.allow_service
            )
        self._start_spare()
        await fresh.attach()
        self._all.add(fresh)
        self._release(fresh, None)

    # -- lanes -----------------------------------------------------------------------------------
    def _free(self, lane: str) -> bool:
        if not self._idle:
            return False
        if lane == "general":
            return self._busy["general"] < self.size - self.reserved
        if lane == "reserved":
            return self._busy["reserved"] < self.reserved
        return True  # "any": an update collecting every worker

    async def _acquire(
        self, deadline: float, lanes: tuple[str, ...], key: bytes | None = None
    ) -> tuple[_Proc, str]:
        """A free worker in one of ``lanes``; waiting, in arrival order, until ``deadline``.

        A released worker is handed straight to the first waiter it suits (no wake-up of every
        waiter to let them race for it, which cost more than the query on small answers)."""
        assert self._update_lock is not None, "WorkerPool.start() was not called"
        taken = self._take(lanes, key)
        if taken is not None:
            return taken
        loop = asyncio.get_running_loop()
        waiter = _Waiter(loop.create_future(), lanes, key)
        self._waiters.append(waiter)

        def expire() -> None:
            if not waiter.future.done():
                waiter.future.set_exception(
                    QueryTimeoutError(
                        "服务器繁忙：所有查询进程都在工作，请稍后重试 "
                        "(all query workers are busy; try again later)",
                        timeout=self.queue_timeout,
                    )
                )

        timer = loop.call_at(loop.time() + max(deadline - time.monotonic(), 0), expire)
        try:
            return await waiter.future
        except BaseException:
            if waiter.future.done() and not waiter.future.cancelled():
                if waiter.future.exception() is None:  # handed a worker, but the caller left
                    proc, lane = waiter.future.result()
                    self._release(proc, lane)
            raise
        finally:
            timer.cancel()
            if waiter.queued:  # it expired, or its caller left, before a worker was handed over
                self._waiters.remove(waiter)

    def _take(self, lanes: tuple[str, ...], key: bytes | None) -> tuple[_Proc, str] | None:
        if key is not None and key in self._heavy:  # learnt while waiting
            lanes = tuple(lane for lane in lanes if lane != "reserved")
        for lane in lanes:
            if self._free(lane):
                self._busy[lane] += 1
                return self._idle.popleft(), lane
        return None

    def _release(self, proc: _Proc | None, lane: str | None) -> None:
        """Give back a lane (and the worker, unless it is being replaced), then hand free
        workers to the waiters they suit, first come first served."""
        if lane is not None:
            self._busy[lane] -= 1
        if proc is not None:
            self._idle.append(proc)
        handed: list[_Waiter] = []
        for waiter in self._waiters:
            if not self._idle:
                break
            if waiter.future.done():
                continue
            taken = self._take(waiter.lanes, waiter.key)
            if taken is not None:
                waiter.future.set_result(taken)  # its callbacks run later, on the loop
                handed.append(waiter)
        for waiter in handed:  # usually the first in the queue
            waiter.queued = False
            self._waiters.remove(waiter)

    def _key(self, kind: str, payload: Any) -> bytes:
        """The task's identity for remembering heavy ones: a digest of its fields (payloads are
        dicts of text, numbers, lists and functions; the order of keys is fixed here). Text goes
        in as UTF-8, the rest as its ``repr``, each tagged and length-prefixed so that no two
        payloads feed the digest the same bytes; ``repr`` of a long non-ASCII query cost more
        (50–90 µs) than the rest of the pool's work per task."""
        digest = hashlib.blake2b(kind.encode(), digest_size=16)
        fields = sorted(payload.items()) if isinstance(payload, dict) else [("", payload)]
        for name, value in fields:
            tag, part = (
                (b"s", value.encode("utf-8", "surrogatepass"))
                if isinstance(value, str)
                else (b"r", repr(value).encode("utf-8", "surrogatepass"))
            )
            digest.update(b"%s%d:%s=%d:" % (tag, len(name), name.encode(), len(part)))
            digest.update(part)
        return digest.digest()

    def _mark_heavy(self, key: bytes) -> None:
        self._heavy[key] = None
        self._heavy.move_to_end(key)
        while len(self._heavy) > 4096:
            self._heavy.popitem(last=False)

    # -- tasks -----------------------------------------------------------------------------------
    async def _ask(self, proc: _Proc, message: tuple[str, int, Any], deadline: float) -> Any:
        """Send one task and wait for its reply (``_TIMEOUT`` past the deadline); the worker is
        killed and replaced when it overruns, dies, or the client goes away."""
        loop = asyncio.get_running_loop()
        assert proc.channel is not None, "a worker is attached before it is handed out"
        try:
            reply = proc.channel.request(message)
        except OSError:
            asyncio.ensure_future(self._respawn(proc))
            raise _worker_died() from None
        timer = loop.call_at(loop.time() + max(deadline - time.monotonic(), 0), proc.channel.expire)
        try:
            answer = await reply
        except asyncio.CancelledError:  # the client went away: stop the work too
            asyncio.ensure_future(self._respawn(proc))
            raise
        finally:
            timer.cancel()
        if answer is _TIMEOUT:
            asyncio.ensure_future(self._respawn(proc))
            return _TIMEOUT
        if answer is _LOST:
            asyncio.ensure_future(self._respawn(proc))
            raise _worker_died() from None
        return answer

    async def settle(self) -> None:
        """Return once the writes acknowledged so far are in the store (``before_read``)."""
        if self.before_read is not None:
            await self.before_read()

    async def run(
        self, kind: str, payload: Any, *, timeout: float | None = None, settle: bool = True
    ) -> Any:
        """Run one task in a worker and return its value, or raise the error it reported.

        The time limit counts from the moment a worker takes the task; waiting for a free worker
        is bounded separately by ``queue_timeout``. A read first awaits ``before_read`` (the
        report writer adding acknowledged reports to the store) unless ``settle`` is false.
        """
        if settle and kind != "ping":
            await self.settle()
        limit = timeout if timeout is not None else self.timeout
        key = self._key(kind, payload)
        queue_deadline = time.monotonic() + self.queue_timeout
        heavy = key in self._heavy or not self.reserved
        lanes = ("general",) if heavy else ("general", "reserved")
        while True:
            proc, lane = await self._acquire(queue_deadline, lanes, key)
            budget = min(limit, self.cheap_timeout) if lane == "reserved" else limit
            try:
                reply = await self._ask(
                    proc, (kind, self.refresh(), payload), time.monotonic() + budget
                )
            except BaseException:
                self._release(None, lane)  # the worker is being replaced
                raise
            if reply is _TIMEOUT:
                self._release(None, lane)
                if budget < limit:  # it overran the reserved lane: a general worker, full limit
                    self._mark_heavy(key)
                    lanes = ("general",)
                    continue
                raise QueryTimeoutError(
                    f"查询超时，已停止 (query stopped after {limit:g} s)", timeout=limit
                )
            self._release(proc, lane)
            status, value = reply
            if status == "error":
                raise _rebuild(value)
            return value

    async def update(self, payload: dict[str, Any], *, timeout: float | None = None) -> Any:
        """Apply an update with every worker held, then let the workers reopen the store."""
        assert self._update_lock is not None
        limit = timeout if timeout is not None else self.timeout
        async with self._update_lock:
            held: list[_Proc] = []
            acquired = 0
            try:
                while acquired < self.size:
                    proc, _ = await self._acquire(time.monotonic() + self.queue_timeout, ("any",))
                    held.append(proc)
                    acquired += 1
                deadline = time.monotonic() + limit
                for proc in held[1:]:
                    await self._held_ask(held, proc, ("close", self.generation, None), deadline)
                message = ("update", self.generation, payload)
                reply = await self._held_ask(held, held[0], message, deadline)
            finally:
                self.generation += 1
                for proc in held:
                    self._release(proc, "any")
                for _ in range(acquired - len(held)):  # those being replaced
                    self._release(None, "any")
        if reply is _TIMEOUT:
            raise QueryTimeoutError(f"更新超时 (update stopped after {limit:g} s)", timeout=limit)
        status, value = reply
        if status == "error":
            raise _rebuild(value)
        return value

    async def _held_ask(
        self, held: list[_Proc], proc: _Proc, message: tuple[str, int, Any], deadline: float
    ) -> Any:
        try:
            reply = await self._ask(proc, message, deadline)
        except BaseException:
            held.remove(proc)  # it is being replaced by a fresh worker
            raise
        if reply is _TIMEOUT:
            held.remove(proc)
        return reply
