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


@pytest.mark.slow
@pytest.mark.parametrize(("name", "what", "make"), inputs.INPUTS)
def test_full_inputs_are_under_10_mb(name: str, what: str, make) -> None:
    data = make()
    assert 100_000 < len(data) < 10 * 2**20, (name, len(data))
