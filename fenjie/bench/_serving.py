"""Servers the benchmarks start on 127.0.0.1: a free port for each, and waiting until one answers."""

from __future__ import annotations

import socket
import subprocess
import time

__all__ = ["free_port", "stop", "wait_until_answering"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_answering(url: str, proc: subprocess.Popen[bytes], limit: float = 60.0) -> None:
    """Return once ``url`` answers (any HTTP status); ``RuntimeError`` if ``proc``, the server,
    exits first or ``url`` does not answer within ``limit`` seconds."""
    import httpx

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.args!r}")
        try:
            httpx.get(url, timeout=5)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not start within {limit:.0f} s: {proc.args!r}")


def stop(proc: subprocess.Popen[bytes], grace: float = 30.0) -> None:
    """End the server ``proc``: asked to stop, killed if it has not within ``grace`` seconds."""
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
