"""The inputs of ``fenjie bench-inputs`` are what they claim: each under 10 MB, read by the
reader its name says, with the shape its description gives (small versions read quickly; the
full sizes are checked with ``--all``)."""

from __future__ import annotations

import pytest

from fenjie.bench import inputs
from fenjie.graph._table import ColumnKind
from fenjie.graph.read import read_bytes


@pytest.mark.parametrize(
    ("make", "name", "reader", "rows"),
    [
        (lambda: inputs.plan_tsv(rows=40), "p.tsv", "tsv", 40),
        (lambda: inputs.plan_xlsx(rows=40), "p.xlsx", "xlsx", 40),
        (lambda: inputs.plan_docx(rows=40), "p.docx", "docx", 40),
        (lambda: inputs.plan_listform(tasks=40), "p.txt", "listform", 40),
        (lambda: inputs.long_cells(rows=2, chars=5_000), "l.tsv", "tsv", 2),
        (lambda: inputs.many_columns(rows=5, years=12), "c.tsv", "tsv", 5),
        (lambda: inputs.many_units(rows=5, units=30), "u.tsv", "tsv", 5),
        (lambda: inputs.many_titles(titles=50, cells=3, chars=2_000), "t.tsv", "tsv", 1),
        (lambda: inputs.one_long_item(rows=4, items=9), "i.tsv", "tsv", 4),
        (lambda: inputs.wide_xlsx(rows=6, columns=20), "w.xlsx", "xlsx", 6),
    ],
)
def test_small_versions_read_as_described(make, name: str, reader: str, rows: int) -> None:
    table = read_bytes(make(), name=name)
    assert table.reader == reader
    assert len(table.rows) == rows
    if name == "c.tsv":
        assert len(table.columns_of(ColumnKind.TARGET)) == 12
    if name == "u.tsv":
        assert table.rows[0].cells[3].count("、") == 29
    if name == "t.tsv":
        assert len(table.columns_of(ColumnKind.TARGET)) == 4
        assert table.rows[0].cells[2].count("《") == 50
    if name == "w.xlsx":
        assert len(table.columns) == 20
    if name == "i.tsv":
        assert [bool(row.cells[1]) for row in table.rows] == [True, False, False, False]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "what", "make"), inputs.INPUTS)
def test_full_inputs_are_under_10_mb(name: str, what: str, make) -> None:
    data = make()
    assert 100_000 < len(data) < 10 * 2**20, (name, len(data))


def test_the_plan_at_the_limit_fits_closely() -> None:
    data = inputs.plan_at_limit(20_000, rows=300)
    made = inputs._triples(data, "p.tsv")
    assert 19_000 < made <= 20_000
    rows = len(read_bytes(data, name="p.tsv").rows)
    assert data == inputs.plan_tsv(rows)


def test_a_raised_run_shows_its_flags() -> None:
    assert inputs.RAISED == {"plan-5000.tsv": ("--max-triples", "1000000")}
    built = inputs.InputReport("p.tsv", "plan", 2**20, "built", 10.0, 200.0, 9.0, 795_430)
    built.load_seconds, built.load_mb, built.load_cpu_seconds = 5.0, 400.0, 4.5
    built.flags = inputs.RAISED["plan-5000.tsv"]
    refused = inputs.InputReport("p.tsv", "plan", 2**20, "错误：p.tsv: line 3: …", 1.5, 90.0, 1.2)
    table = inputs.format_reports([built, refused]).splitlines()
    assert table[2] == (
        "| plan | 1.0 | `--max-triples 1000000` | built | 795,430 | 10.0 (9.0) | 200 "
        "| 5.0 (4.5) | 400 | 2.00x (2.00x) | 0.50x |"
    )
    assert (
        table[3] == "| plan | 1.0 | default | 错误：p.tsv: line 3: … | | 1.5 (1.2) | 90 | | | | |"
    )
    assert all(line.count("|") == table[0].count("|") for line in table)


@pytest.mark.slow
def test_inputs_are_made_in_a_process_of_their_own(tmp_path) -> None:
    # the measuring process stays small: its peak memory would be every command's (fork, exec)
    [(name, _, path)] = list(inputs.make_inputs(tmp_path, ["one-long-item.tsv"]))
    assert name == "one-long-item.tsv"
    assert path.read_bytes() == inputs.one_long_item()
