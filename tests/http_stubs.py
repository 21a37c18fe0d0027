"""A stand-in HTTP server on 127.0.0.1 for the tests of clients (what a remote store sends)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["StubHandler", "serving"]


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free port in a thread; yield ``http://127.0.0.1:PORT``. Threads
    of requests still running (a stalling handler) do not hold the shutdown."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class StubHandler(BaseHTTPRequestHandler):
    """A stand-in server's request handler: :meth:`reply` sends a whole answer, and nothing is
    logged (the tests' output stays the tests')."""

    def reply(self, body: bytes, media: str, headers: Iterable[tuple[str, str]] = ()) -> None:
        """Answer 200 with ``body`` of type ``media``, and ``headers`` before the fixed ones."""
        self.send_response(200)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass
