"""A running server sees a rebuilt store: `fenjie build` swaps the store directory underneath it."""

from __future__ import annotations

from pathlib import Path

import httpx

from fenjie.config import bundled_example

TABLES = (
    "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a <https://w3id.org/fenjie/def#SourceTable> }"
)


def count_tables(base: str) -> int:
    reply = httpx.get(base + "/sparql", params={"query": TABLES}, timeout=30)
    reply.raise_for_status()
    return int(reply.json()["results"]["bindings"][0]["n"]["value"])


def test_server_answers_from_the_rebuilt_store(tmp_path: Path, server_factory, store_builder):
    store = store_builder(tmp_path / "store")
    second = tmp_path / "second-table.tsv"
    second.write_text(bundled_example().read_text("utf-8").replace("省绩效办", "省统计局"), "utf-8")
    with server_factory(store, "--workers", "2") as base:
        assert count_tables(base) == 1
        units = httpx.get(base + "/api/units", params={"q": "省统计局"}, timeout=30).json()
        store_builder(store, [second])  # a second table, built while the server runs
        assert count_tables(base) == 2
        # cached API answers are dropped too
        again = httpx.get(base + "/api/units", params={"q": "省统计局"}, timeout=30).json()
        assert again != units and any("省统计局" in str(u) for u in again)
