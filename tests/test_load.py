"""A bounded load test: 2,000 requests from 32 concurrent clients, named queries and raw SPARQL
mixed, with a heavy query timing out in the middle. No timing assertions: it must finish with zero
errors (speed is measured by ``fenjie bench-serve``)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools

import httpx
import pytest

pytestmark = pytest.mark.slow

FJ = "PREFIX fj: <https://w3id.org/fenjie/def#> "
REQUESTS = 2_000
CLIENTS = 32


def _requests(base: str) -> list[tuple[str, dict]]:
    return [
        ("/api/units", {"q": "省"}),
        ("/api/obligations", {"unit": "省科技厅"}),
        ("/api/coordination", {}),
        ("/api/dependents", {"document": "意见"}),
        ("/api/queries/documents", {}),
        ("/sparql", {"query": FJ + "SELECT ?t ?y WHERE { ?t a fj:Target ; fj:year ?y } LIMIT 50"}),
        ("/sparql", {"query": FJ + "ASK { ?u fj:leads ?i }"}),
        (
            "/sparql",
            {
                "query": FJ + "SELECT ?y (COUNT(?t) AS ?n) WHERE { ?t fj:year ?y } GROUP BY ?y",
                "format": "csv",
            },
        ),
    ]


async def _run(base: str) -> tuple[dict[int, int], list[str], httpx.Response]:
    mix = itertools.cycle(_requests(base))
    todo: asyncio.Queue[tuple[str, dict]] = asyncio.Queue()
    for _ in range(REQUESTS):
        todo.put_nowait(next(mix))
    statuses: dict[int, int] = {}
    failures: list[str] = []
    limits = httpx.Limits(max_connections=CLIENTS + 2)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def worker() -> None:
            while not todo.empty():
                path, params = todo.get_nowait()
                try:
                    response = await client.get(path, params=params)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    if response.status_code != 200:
                        failures.append(f"{path} {response.status_code} {response.text[:200]}")
                except httpx.HTTPError as exc:
                    failures.append(f"{path} {type(exc).__name__}: {exc}")

        heavy_query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
        heavy = asyncio.create_task(client.get("/sparql", params={"query": heavy_query}))
        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
        heavy_response = await heavy
    return statuses, failures, heavy_response


def test_load_mixed_requests_zero_errors(bundled_store, server_factory) -> None:
    # a generous limit (shared CI machines are slow) that the heavy query still runs past
    with server_factory(bundled_store, "--workers", "2", "--timeout", "6") as base:
        # in a thread of its own: Playwright's sync API may hold this thread's event loop
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            statuses, failures, heavy = pool.submit(asyncio.run, _run(base)).result()
        assert httpx.get(base + "/api/health").status_code == 200
    assert failures == []
    assert statuses == {200: REQUESTS}
    assert heavy.status_code == 503 and heavy.json()["error"]["code"] == "timeout"
