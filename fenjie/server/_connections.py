"""Slow and idle clients: every request must arrive whole within a deadline, and open connections
are capped.

uvicorn closes a connection that stays idle *after* a response (its keep-alive timeout), but not one
that never sends a request, nor one that sends its headers a byte at a time: a thousand of those
used to exhaust the file limit and the server stopped answering. :func:`guarded_protocol` makes
uvicorn's HTTP protocol class with two rules:

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


class _GuardedH11(H11Protocol):
    request_timeout: float = 10.0
    max_connections: int = 1000
    waiting: OrderedDict[_GuardedH11, None]  # connections whose request has not arrived yet

    # uvicorn's H11Protocol narrows asyncio's BaseTransport to Transport (and ignores it so too)
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
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

    def _close(self, answer: bytes) -> None:
        self._disarm()
        if not self.transport.is_closing():
            if answer and self.conn.our_state is h11.IDLE:
                self.transport.write(answer)
            self.transport.close()

    def _too_slow(self) -> None:
        self._deadline = None
        self._close(_TIMEOUT_RESPONSE)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR):
            self._disarm()  # the whole request is in

    def on_response_complete(self) -> None:
        super().on_response_complete()  # may already have read a pipelined request whole
        if not self.transport.is_closing() and self.conn.their_state is not h11.DONE:
            self._arm()  # the next request on this connection gets its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def guarded_protocol(*, request_timeout: float, max_connections: int) -> type[Any]:
    """uvicorn's h11 protocol with a request deadline and a connection cap (one per server)."""
    return type(
        "GuardedH11Protocol",
        (_GuardedH11,),
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
