"""The triples limit: a grid within the reading limits can still make a hundred times the
triples of a plan of its size; the build stops at the row that passes the limit, names it and
the flag, and leaves the store as it was."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from fenjie.errors import LimitError
from fenjie.graph import FenjieStore
from fenjie.graph._limits import Limits
from fenjie.graph.builder import build_table, write_table
from fenjie.graph.read import read_bytes

_HEADER = ["主要任务", "工作内容", *(f"{2000 + y}年目标" for y in range(30)), "责任单位"]


def _wide_plan(rows: int) -> bytes:
    lines = ["某县重点工作任务分解表", "\t".join(_HEADER)]
    for r in range(1, rows + 1):
        lines.append("\t".join(["重点工作", f"{r}、建设项目", *(["建成2个"] * 30), "县发改局"]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_table_over_the_triples_limit_stops_at_the_row() -> None:
    table = read_bytes(_wide_plan(40), name="wide.tsv")
    made = build_table(table).counts["triples"]
    assert isinstance(made, int) and made > 10_000
    with pytest.raises(LimitError) as caught:
        write_table(table, io.BytesIO(), limits=Limits(triples=made // 2))
    error = caught.value
    assert error.details["limit"] == "triples"
    # each row makes about made/40 triples: the limit (half) is passed near row 20 (the count
    # before building, cells and units only, stays under it: the builder's own count stops it)
    row = int(error.message.split(":", 1)[0].removeprefix("line "))
    assert 2 + 18 <= row <= 2 + 22
    assert "at least" not in error.message
    assert "三元组数超过上限" in error.message and "可用 --max-triples 调高" in error.message
    assert "triples by this row, over the limit of" in error.message
    assert str(error).startswith("wide.tsv: line ")
    # at the limit itself the table builds
    assert write_table(table, io.BytesIO(), limits=Limits(triples=made)).counts["triples"] == made


@pytest.mark.slow
def test_cli_refuses_with_one_line_and_keeps_the_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    plan = tmp_path / "wide.tsv"
    plan.write_bytes(_wide_plan(40))

    def build(*flags: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "fenjie", "build", "--store", str(store), *flags]
        return subprocess.run(command, capture_output=True, text=True, timeout=300)

    assert build().returncode == 0  # the bundled example
    with FenjieStore.open(store, read_only=True) as opened:
        before = set(opened.inner)
    refused = build("--max-triples", "2000", str(plan))
    assert refused.returncode == 65
    [line] = refused.stderr.splitlines()
    assert line.startswith(f"错误：{plan}: line ")
    assert "三元组数超过上限 2,000，可用 --max-triples 调高" in line
    assert line.endswith("over the limit of 2,000 triples)")
    with FenjieStore.open(store, read_only=True) as opened:
        assert set(opened.inner) == before
    assert not list(tmp_path.glob(".store.versions/*.spool"))
    assert build("--max-triples", "1000000", str(plan)).returncode == 0


class _Counting:
    """A byte sink that only counts what the builder wrote."""

    def __init__(self) -> None:
        self.written = 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        return len(data)


def test_many_units_per_cell_are_refused_before_building() -> None:
    from fenjie.bench.inputs import many_units

    table = read_bytes(many_units(rows=200, units=100), name="units.tsv")
    sink = _Counting()
    with pytest.raises(LimitError) as caught:
        write_table(table, sink, limits=Limits(triples=50_000))
    message = caught.value.message
    # each row makes at least 4 cells x 6 + 100 assignments x 7 = 724 triples: 50,000 passed at
    # row 70 (line 72), counted before anything was built
    assert message.startswith("line 72: 三元组数超过上限 50,000")
    assert "at least 50,680 triples by this row" in message
    assert sink.written == 0


# the given jurisdiction changes which units resolve, not the count's bound: slow, beside the quick one
@pytest.mark.parametrize("jurisdiction", [None, pytest.param("长沙市", marks=pytest.mark.slow)])
def test_the_count_before_building_never_refuses_a_table_within_the_limit(
    jurisdiction: str | None,
) -> None:
    # the count before building is a lower bound: a table building exactly at the limit passes
    from fenjie.bench.inputs import many_units, plan_tsv
    from fenjie.config import bundled_example
    from fenjie.graph import read_table

    corpus = sorted((Path(__file__).parent / "corpus").glob("*.txt"))
    tables = [read_table(bundled_example()), *(read_table(p) for p in corpus)]
    tables += [read_bytes(plan_tsv(rows=300), name="plan.tsv")]
    tables += [read_bytes(many_units(rows=40, units=100), name="units.tsv")]
    for table in tables:
        made = build_table(table, jurisdiction=jurisdiction).counts["triples"]
        assert isinstance(made, int)
        built = write_table(
            table, _Counting(), limits=Limits(triples=made), jurisdiction=jurisdiction
        )
        assert built.counts["triples"] == made, table.name
