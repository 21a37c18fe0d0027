"""A build records where its time goes when FENJIE_BUILD_PHASES names a file (graph/_phases.py),
and ``fenjie bench-build`` prints it as a table: the phases in order, the workers' CPU in the
loading phase, the final merge's compaction apart with the bytes it wrote."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fenjie.bench.build import format_phases
from fenjie.bench.synthetic import write_synthetic
from fenjie.graph import build_sources
from fenjie.graph import store as store_module
from fenjie.graph._phases import PHASES_ENV, Phase, PhaseClock, read_phases

PHASES = ["tables built and loaded", "final merge", "levels", "close"]


@pytest.mark.skipif(sys.platform != "linux", reason="compaction threads are found in /proc")
def test_a_build_writes_its_phases_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = write_synthetic(tmp_path / "plans", 60, seed=5, rows_per_table=30)
    monkeypatch.setattr(store_module, "_BATCH_BYTES", 1 << 16)  # many loads, then a merge
    monkeypatch.setattr(store_module, "_COMPACT_AFTER_PIECES", 5)
    built = tmp_path / "phases.json"
    monkeypatch.setenv(PHASES_ENV, str(built))
    build_sources(tables, store_path=tmp_path / "store", workers=2)
    phases = read_phases(built)
    assert [p.name for p in phases] == PHASES
    by_name = {p.name: p for p in phases}
    assert all(p.wall_s >= 0 and p.cpu_s >= 0 for p in phases)
    assert by_name["tables built and loaded"].workers_cpu_s > 0  # the workers ended there
    assert sum(p.workers_cpu_s for p in phases) == by_name["tables built and loaded"].workers_cpu_s
    merge = by_name["final merge"]
    assert merge.compaction_mb > 0  # the merge wrote the store's files anew
    assert merge.compaction_cpu_s <= merge.cpu_s + 0.05  # part of the writer's CPU (clock ticks)


def test_nothing_is_recorded_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PHASES_ENV, raising=False)
    clock = PhaseClock()
    clock.mark("tables built and loaded")
    clock.write()
    assert clock.path is None and clock.phases == []
    assert read_phases(tmp_path / "none.json") == []


def test_the_phase_table_sums_the_phases() -> None:
    phases = [
        Phase("tables built and loaded", 60.0, 70.5, 9.0, 1200.0, 56.25),
        Phase("final merge", 33.0, 33.0, 32.5, 2500.0, 0.0),
    ]
    table = format_phases(10_143_555, phases).splitlines()
    assert table[0] == "fenjie build of 10,143,555 triples, by phase:"
    assert table[4] == "| tables built and loaded | 60.0 | 70.5 | 9.0 | 1,200 | 56.2 |"
    assert table[5] == "| final merge | 33.0 | 33.0 | 32.5 | 2,500 | 0.0 |"
    assert table[6] == "| **all** | 93.0 | 103.5 | 41.5 | 3,700 | 56.2 |"
