"""Abusive clients against a live `fenjie serve`: idle and slow connections are timed out and capped
while the server keeps answering; heavy queries cannot starve a cheap one; a dead worker is a 503."""

from __future__ import annotations

import concurrent.futures
import resource
import selectors
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _address(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


def test_idle_and_slow_clients_are_timed_out_and_capped(
    bundled_store: Path, server_factory
) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2500 <= hard or hard == resource.RLIM_INFINITY:
        resource.setrlimit(resource.RLIMIT_NOFILE, (4096, hard))
    options = ("--workers", "1", "--request-timeout", "2", "--max-connections", "300")
    with server_factory(bundled_store, *options) as base:
        address = _address(base)
        idle = []
        for _ in range(2000):  # connect and send nothing
            sock = socket.create_connection(address, timeout=10)
            idle.append(sock)
        # partial headers on one more connection
        slow = socket.create_connection(address, timeout=30)
        slow.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
        # with 2,001 idle or slow sockets open, a normal request answers
        ask = httpx.get(base + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
        assert ask.status_code == 200 and ask.json()["boolean"] is True
        # the slow client trickles a header byte at a time; the server ends it (408, then close)
        answer = b""
        for _ in range(300):  # 300 bytes would take 60 s; the deadline is 2 s
            try:
                slow.sendall(b"x")
                time.sleep(0.2)
                slow.setblocking(False)
                try:
                    chunk = slow.recv(4096)
                except BlockingIOError:
                    chunk = None
                slow.setblocking(True)
            except OSError:  # reset by the server
                break
            if chunk is not None:
                answer += chunk
                if chunk == b"":
                    break
        else:
            pytest.fail("the server kept a connection that sent headers a byte at a time")
        assert answer == b"" or answer.startswith(b"HTTP/1.1 408")
        # every idle socket is closed by the server (shed by the cap or past the deadline)
        selector = selectors.DefaultSelector()
        for sock in idle:
            selector.register(sock, selectors.EVENT_READ)
        closed = 0
        give_up = time.monotonic() + 120
        while closed < len(idle) and time.monotonic() < give_up:
            for key, _ in selector.select(timeout=1):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                try:
                    data = sock.recv(4096)
                except OSError:
                    data = b""
                if data == b"" or data.startswith(b"HTTP/1.1 408"):
                    selector.unregister(sock)
                    closed += 1
        for sock in idle:
            sock.close()
        slow.close()
        assert closed == len(idle)
        # and the server still answers
        again = httpx.get(base + "/api/health", timeout=60)
        assert again.status_code == 200


def test_cheap_query_answers_while_heavy_ones_run(bundled_store: Path, server_factory) -> None:
    # a generous --cheap-timeout: on a crowded machine a cheap query may take a second
    options = ("--workers", "3", "--reserved-workers", "1", "--timeout", "12")
    options += ("--cheap-timeout", "3")
    with server_factory(bundled_store, *options) as base:
        finished: dict[str, float] = {}

        def heavy(i: int) -> int:
            response = httpx.get(base + "/sparql", params={"query": HEAVY}, timeout=120)
            finished[f"heavy{i}"] = time.monotonic()
            return response.status_code

        def cheap(name: str, path: str, params: dict[str, str]) -> httpx.Response:
            response = httpx.get(base + path, params=params, timeout=120)
            finished[name] = time.monotonic()
            return response

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            heavies = [pool.submit(heavy, i) for i in range(4)]
            time.sleep(1.5)  # let them take the workers
            ask = pool.submit(cheap, "ask", "/sparql", {"query": "ASK { ?s a ?t }"})
            named = pool.submit(cheap, "named", "/api/queries/documents", {})
            assert ask.result().json()["boolean"] is True
            assert named.result().status_code == 200 and named.result().json()["rows"]
            statuses = [h.result() for h in heavies]
        assert statuses == [503] * 4  # each heavy query ran to its time limit
        first_heavy = min(t for name, t in finished.items() if name.startswith("heavy"))
        assert finished["ask"] < first_heavy and finished["named"] < first_heavy


@pytest.mark.slow  # starts worker processes
def test_a_dead_worker_is_a_503_and_is_replaced(bundled_store: Path, run_async: Any) -> None:
    from fenjie.errors import FenjieError
    from fenjie.server._pool import WorkerPool

    async def scenario() -> tuple[FenjieError, object]:
        pool = WorkerPool(str(bundled_store), size=1, reserved=0, timeout=30)
        await pool.start()
        try:
            (proc,) = list(pool._all)
            proc.process.kill()  # as a crash in the engine would
            proc.process.join(10)
            with pytest.raises(FenjieError) as died:
                await pool.run("ping", None)
            return died.value, await pool.run("ping", None)
        finally:
            await pool.close()

    error, after = run_async(scenario())
    assert error.code == "worker_died" and error.http_status == 503
    assert after == "pong"
