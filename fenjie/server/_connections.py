"""Slow and idle clients: every request must arrive whole within a deadline, and open connections
are capped.

uvicorn closes a connection that stays idle *after* a response (its keep-alive timeout), but not one
that never sends a request, nor one that sends its headers a byte at a time: a thousand of those
used to exhaust the file limit and the server stopped answering. :func:`guarded_protocol` makes
uvicorn's HTTP protocol class (on httptools) with two rules:

- **Deadline.** From the moment a connection opens (or its previous response is sent) the whole
  next request, headers and body, must arrive within ``request_timeout`` seconds; otherwise the
  server answers ``408`` and closes the connection.
- **Cap.** At most ``max_connections`` connections are kept; past that, the oldest connection that
  is still waiting for its request is closed to make room, so a crowd of idle sockets cannot lock
  out real clients.

:func:`raise_file_limit` lifts the soft limit on open files to the hard one, so the cap (not the
operating system) is what bounds connections.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["guarded_protocol", "raise_file_limit"]

log = logging.getLogger("fenjie.server")
_TIMEOUT_BODY = (
    '{"error": {"code": "request_timeout", "message": '
    '"请求未能及时到达 (the request did not arrive in time)"}}'.encode()
)
_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
    + f"content-length: {len(_TIMEOUT_BODY)}\r\n\r\n".encode()
    + _TIMEOUT_BODY
)


class _Guard(asyncio.Protocol):
    """The deadline and the cap, over either of uvicorn's HTTP protocols (mixed in first)."""

    request_timeout: float = 10.0
    max_connections: int = 1000
    waiting: OrderedDict[_Guard, None]  # connections whose request has not arrived yet
    connections: set[Any]
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._unanswered = 0  # requests read whole and not answered yet (pipelining)
        self._arm()
        crowd = len(self.connections) - self.max_connections
        while crowd > 0 and self.waiting:
            oldest = next(iter(self.waiting))
            if oldest is self:
                break
            oldest._close(b"")  # shed the oldest idle connection, keep the new one
            crowd -= 1

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_timeout, self._too_slow)
        self.waiting[self] = None

    def _disarm(self) -> None:
        if getattr(self, "_deadline", None) is not None:
            assert self._deadline is not None
            self._deadline.cancel()
            self._deadline = None
        self.waiting.pop(self, None)

    def _between_requests(self) -> bool:
        """No response is under way (a 408 may be written without corrupting the stream)."""
        raise NotImplementedError

    def _close(self, answer: bytes) -> None:
        self._disarm()
        if not self.transport.is_closing():
            if answer and self._between_requests():
                self.transport.write(answer)
            self.transport.close()

    def _too_slow(self) -> None:
        self._deadline = None
        self._close(_TIMEOUT_RESPONSE)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


class _GuardedHttpTools(_Guard):
    """On uvicorn's httptools protocol (the llhttp parser, in C: several times cheaper per
    request than h11, which is pure Python); used when httptools is installed."""

    cycle: Any

    def _between_requests(self) -> bool:
        # a request whose headers are in already has the app answering it
        return self.cycle is None or bool(self.cycle.response_complete)

    def on_message_complete(self) -> None:
        # answered before its body ended (a 413, say): the next request's deadline runs already
        early = self.cycle is not None and self.cycle.response_complete
        super().on_message_complete()  # type: ignore[misc]
        if not early:
            self._unanswered += 1
            self._disarm()  # the whole request is in

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        self._unanswered = max(self._unanswered - 1, 0)
        if not self.transport.is_closing() and not self._unanswered:
            self._arm()  # the next request on this connection gets its own deadline


class _GuardedH11(_Guard, H11Protocol):
    """On uvicorn's h11 protocol (pure Python), when httptools is not installed."""

    def _between_requests(self) -> bool:
        return self.conn.our_state is h11.IDLE

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR):
            self._disarm()  # the whole request is in

    def on_response_complete(self) -> None:
        super().on_response_complete()  # may already have read a pipelined request whole
        if not self.transport.is_closing() and self.conn.their_state is not h11.DONE:
            self._arm()  # the next request on this connection gets its own deadline


def _base() -> type[_Guard]:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools is not installed
        return _GuardedH11
    return type("_GuardedHttpToolsProtocol", (_GuardedHttpTools, HttpToolsProtocol), {})


def guarded_protocol(*, request_timeout: float, max_connections: int) -> type[Any]:
    """uvicorn's HTTP protocol with a request deadline and a connection cap (one per server):
    on httptools when it is installed, else on h11."""
    return type(
        "GuardedHttpProtocol",
        (_base(),),
        {
            "request_timeout": request_timeout,
            "max_connections": max_connections,
            "waiting": OrderedDict(),
        },
    )


def raise_file_limit(wanted: int) -> int:
    """Lift the soft limit on open files towards ``wanted`` (at most the hard limit); returns the
    soft limit now in force."""
    try:
        import resource
    except ImportError:  # not on this platform
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            log.warning("could not raise the open-file limit from %d to %d", soft, target)
    return soft
