"""The triples limit: a grid within the reading limits can still make a hundred times the
triples of a plan of its size; the build stops at the row that passes the limit, names it and
the flag, and leaves the store as it was."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fenjie.errors import LimitError
from fenjie.graph import FenjieStore
from fenjie.graph._cells import split_units
from fenjie.graph._least_triples import LeastTriples
from fenjie.graph._limits import DEFAULT_LIMITS, Limits
from fenjie.graph._table import ColumnKind, Table
from fenjie.graph.builder import build_table, write_table
from fenjie.graph.read import read_bytes

_HEADER = ["主要任务", "工作内容", *(f"{2000 + y}年目标" for y in range(30)), "责任单位"]
# two quantities in one target item: most of what a row makes only building tells
_TARGET = "建成2个平台，新增3个园区"


def _wide_plan(rows: int) -> bytes:
    lines = ["某县重点工作任务分解表", "\t".join(_HEADER)]
    for r in range(1, rows + 1):
        lines.append("\t".join(["重点工作", f"{r}、建设项目", *([_TARGET] * 30), "县发改局"]))
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
    with FenjieStore.open(store, read_only=True) as opened:
        before = set(opened.inner)
    # with the default flags: 400 rows of 60 year columns pass 200,000 triples at row 249,
    # counted before building
    from fenjie.bench.inputs import many_columns

    columns = tmp_path / "columns.tsv"
    columns.write_bytes(many_columns(rows=400, years=60))
    refused = build(str(columns))
    assert refused.returncode == 65
    [line] = refused.stderr.splitlines()
    assert line.startswith(
        f"错误：{columns}: line 251: 三元组数超过上限 200,000，可用 --max-triples 调高"
    )
    assert "at least 200,196 triples by this row (counted before building" in line
    with FenjieStore.open(store, read_only=True) as opened:
        assert set(opened.inner) == before


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
    # each row makes at least 4 cells x 6 + 1 target x 6 + 100 assignments x 7 = 730 triples:
    # 50,000 passed at row 69 (line 71), counted before anything was built
    assert message.startswith("line 71: 三元组数超过上限 50,000")
    assert "at least 50,370 triples by this row (counted before building" in message
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


def _refused_before_building(table_bytes: bytes, name: str, limit: int) -> str:
    """The message of a table refused by the count before building (nothing written)."""
    table = read_bytes(table_bytes, name=name)
    sink = _Counting()
    with pytest.raises(LimitError) as caught:
        write_table(table, sink, limits=Limits(triples=limit))
    assert sink.written == 0
    assert "(counted before building" in caught.value.message
    return caught.value.message


def test_many_year_columns_are_refused_before_building() -> None:
    from fenjie.bench.inputs import many_columns

    # each row, a work item of its own: 63 cells x 6 + 60 target items x 6 + 1 assignment x 7
    # + 59 pairs of targets of consecutive years = 804 at the least
    message = _refused_before_building(many_columns(rows=100, years=60), "cols.tsv", 40_000)
    assert message.startswith("line 52: 三元组数超过上限 40,000")  # row 50: 40,200
    assert "at least 40,200 triples by this row" in message


def _one_work_item(rows: int, target: str, items: int = 99) -> bytes:
    """One work item over ``rows`` rows (continuation rows: empty work-item cell), each row
    adding ``items`` items to both target years."""
    cell = "".join(f"{k}、{target}{k}；" for k in range(1, items + 1))
    lines = ["某县重点工作任务分解表", "主要任务\t工作内容\t2023年目标\t2024年目标\t责任单位"]
    lines.append(f"重点工作\t1、建设项目\t{cell}\t{cell}\t县发改局")
    lines += [f"\t\t{cell}\t{cell}\t" for _ in range(rows - 1)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_pairs_of_targets_of_one_long_work_item_are_counted_before_building() -> None:
    # 20 rows of 99 + 99 targets: 1,980 x 1,980 = 3,920,400 fj:precedes lines from a 27 KB
    # table, written after the last row; counted (exactly) before building instead: by row 3,
    # 15 cells x 6 + 594 target items x 6 + 1 assignment x 7 + 297 x 297 pairs = 91,870
    message = _refused_before_building(_one_work_item(20, "甲"), "pairs.tsv", 80_000)
    assert message.startswith("line 5: 三元组数超过上限 80,000")
    assert "at least 91,870 triples by this row" in message


def test_pairs_of_targets_are_checked_while_building_too() -> None:
    # targets full of quantities: the count before building stays far under what the rows
    # make, and the pairs (written after the last row) pass the limit
    table = read_bytes(_one_work_item(3, "建成2个平台，新增3个园区，引进", 30), name="pairs.tsv")
    written = io.BytesIO()
    made = write_table(table, written).counts["triples"]
    assert isinstance(made, int)
    assert written.getvalue().count(b"#precedes>") == 90 * 90
    # the findings the build records come after the pairs (and count too: checked last)
    lines = written.getvalue().splitlines()
    recorded = sum(1 for line in lines if b"/finding/" in line or b"#findingCount>" in line)
    with pytest.raises(LimitError) as caught:
        write_table(table, _Counting(), limits=Limits(triples=made - recorded - 1))
    message = caught.value.message
    assert message.startswith("line 3: 三元组数超过上限")  # the work item's first row
    pairs = made - recorded
    assert f"makes {pairs:,} triples with the pairs of targets of the work item at this row" in (
        message
    )
    if recorded:
        with pytest.raises(LimitError) as caught:
            write_table(table, _Counting(), limits=Limits(triples=made - 1))
        assert "with its findings recorded" in caught.value.message
    assert write_table(table, _Counting(), limits=Limits(triples=made)).counts["triples"] == made


_COLUMNS = {  # header word: what its cells hold
    "主要任务": "category",
    "工作内容": "item",
    "工作基础": "enumeration",
    "2023年目标": "enumeration",
    "2024年目标": "enumeration",
    "2025年目标": "enumeration",
    "目标": "enumeration",  # a target column without a year of its own
    "牵头单位": "units",
    "责任单位": "units",
    "配合单位": "units",
    "完成时限": "deadline",
    "备注": "note",
}
_PIECES = [
    "建成2个平台",
    "新增3.5亿元",
    "不低于95%",
    "出台《实施意见》",
    "完成",
    "（一）",
    "1.5万",
    "落实《湖南省若干意见》（以下简称《意见》）",
    "《意见》实施细则",
    "推动实施意见落地",
    "落实《实施意见》，执行《实施意见》",
]
_UNITS = ["县发改局", "县财政局", "市科技局", "各乡镇", "省文化厅（文化创意）", "县政府办"]


@st.composite
def _tables(draw: st.DrawFn) -> bytes:
    """Plan-like tables of every column kind, enumerations numbered or not, continuation rows,
    repeated units and years: shapes the count before building must stay under."""
    others = [word for word in _COLUMNS if word not in ("主要任务", "工作内容", "责任单位")]
    extra = draw(st.lists(st.sampled_from(others), max_size=6, unique=True))
    header = ["主要任务", "工作内容", "责任单位", *extra]  # the columns every table needs
    lines = ["某县重点工作任务分解表", "\t".join(header)]
    for r in range(draw(st.integers(min_value=1, max_value=8))):
        row = []
        for word in header:
            kind, empty = _COLUMNS[word], r > 0 and draw(st.booleans())
            if empty:
                row.append("")
            elif kind == "enumeration":
                items = draw(st.lists(st.sampled_from(_PIECES), max_size=5))
                numbered = draw(st.booleans())
                row.append(
                    "；".join(f"{k}、{t}" if numbered else t for k, t in enumerate(items, 1))
                )
            elif kind == "units":
                units = draw(st.lists(st.sampled_from(_UNITS), max_size=4))
                row.append(draw(st.sampled_from(["、", "，", " "])).join(units))
            else:
                row.append(
                    {"category": "重点工作", "item": f"{r + 1}、建设项目"}.get(kind, "年底前")
                )
        lines.append("\t".join(row))
    return ("\n".join(lines) + "\n").encode("utf-8")


# the nodes the count before building counts lines of: cells, baseline and target items and
# the mentions in them, assignments (observations, below the items, are not counted)
_COUNTED = re.compile(
    r"/(cell/\d+-\d+|item/\d+-\d+/((baseline/\d+|target/\d+/\d+)(/mention/\d+)?"
    r"|assignment/\w+/\d+))$"
)


def _least(table: Table) -> int:
    """What the count before building says, by the table's last row."""
    least = LeastTriples(table)
    kinds = (ColumnKind.LEAD, ColumnKind.RESPONSIBLE, ColumnKind.SUPPORTING)
    unit_columns = [c.index for c in table.columns if c.kind in kinds]
    total = 0
    for row in table.rows:
        units = sum(len(split_units(row.cells[i - 1])) for i in unit_columns)
        total = least.add(row, units=units)
    return total


@settings(max_examples=40, deadline=None)
@given(_tables())
def test_the_count_before_building_is_a_lower_bound(data: bytes) -> None:
    # each part of the count is under the lines the builder writes for what it counts
    table = read_bytes(data, name="plan.tsv")
    built = build_table(table)
    precedes = [q for q in built.quads if q.predicate.value.endswith("#precedes")]
    counted = [q for q in built.quads if _COUNTED.search(q.subject.value) and q not in precedes]
    assert _least(table) <= len(counted) + len(precedes)
    # so a table is refused before building only if it makes more than the limit, and the
    # checks while building (each row, each target cell, each work item's pairs) stop no
    # table at exactly what it makes
    made = built.counts["triples"]
    assert isinstance(made, int)
    assert write_table(table, _Counting(), limits=Limits(triples=made)).counts["triples"] == made
    with pytest.raises(LimitError):
        write_table(table, _Counting(), limits=Limits(triples=made - 1))


def test_the_default_triples_limit_lets_the_largest_real_plans_through_many_times_over() -> None:
    # A plan makes its table's own facts (title, source, provenance, the preamble's documents:
    # what the table makes with no rows) plus a cost per work item. Over the bundled example, the
    # corpus of published plans and the plans of the tests' data: 43-146 own triples and at most
    # 216 per work item. The largest real plans we know of list 146-194 work items
    # (docs/robustness.md): 200 work items make about 43,300 triples, and the default lets
    # through more than 4 times that. (Triples over work items alone would count a one-item
    # excerpt's own facts as the cost of an item.)
    import dataclasses

    from fenjie.config import bundled_example
    from fenjie.graph import read_table

    data = Path(__file__).parent
    paths = [bundled_example(), *sorted((data / "corpus").glob("*.txt"))]
    paths += sorted(p for p in (data / "data").rglob("*") if p.suffix in (".tsv", ".txt"))
    own, per_item = {}, {}
    for path in paths:
        table = read_table(path)
        built = write_table(table, _Counting())
        alone = write_table(dataclasses.replace(table, rows=[]), _Counting())
        made, items = built.counts["triples"], built.counts["work_items"]
        fixed = alone.counts["triples"]
        assert isinstance(made, int) and isinstance(items, int) and isinstance(fixed, int)
        assert 0 < fixed < made
        own[path.name] = fixed
        per_item[path.name] = (made - fixed) / items
    assert len(per_item) >= 20
    assert DEFAULT_LIMITS.triples == 200_000
    largest_plan = max(own.values()) + 200 * max(per_item.values())
    assert DEFAULT_LIMITS.triples > 4 * largest_plan


def test_the_default_refusal_names_the_limit_and_the_flag() -> None:
    from fenjie.bench.inputs import many_columns

    table = read_bytes(many_columns(rows=400, years=60), name="columns.tsv")
    with pytest.raises(LimitError) as caught:
        write_table(table, _Counting())
    assert str(caught.value).startswith(
        "columns.tsv: line 251: 三元组数超过上限 200,000，可用 --max-triples 调高 (the table "
    )
    assert caught.value.details["flag"] == "--max-triples"


def test_each_part_of_the_count_is_what_the_builder_writes_at_the_least() -> None:
    # one row whose lines are exactly what the count counts, part by part
    from fenjie.graph._least_triples import (
        PER_ASSIGNMENT,
        PER_CELL,
        PER_MENTION,
        PER_TARGET_ITEM,
    )

    table = read_bytes(
        "某县任务表\n工作内容\t2023年目标\t2024年目标\t责任单位\n"
        "1、建设\t落实《甲方案》，执行《乙方案》\t完成\t县发改局、县财政局\n".encode(),
        name="t.tsv",
    )
    quads = build_table(table).quads
    lines = {
        kind: sum(1 for q in quads if re.search(pattern, q.subject.value))
        for kind, pattern in {
            "cell": r"/cell/\d+-\d+$",
            "target": r"/target/\d+/\d+$",
            "mention": r"/target/\d+/\d+/mention/\d+$",
            "assignment": r"/assignment/\w+/\d+$",
        }.items()
    }
    precedes = sum(1 for q in quads if q.predicate.value.endswith("#precedes"))
    # the target items' lines beyond the count: the mentions' refersTo (one per document) and the
    # pair of targets (2023 precedes 2024), counted apart
    assert lines == {
        "cell": 4 * PER_CELL,
        "target": 2 * PER_TARGET_ITEM + 2 + precedes,
        "mention": 2 * PER_MENTION,
        "assignment": 2 * PER_ASSIGNMENT,
    }
    assert precedes == 1
    assert _least(table) == 4 * PER_CELL + 2 * PER_TARGET_ITEM + 2 * PER_MENTION + 14 + 1
