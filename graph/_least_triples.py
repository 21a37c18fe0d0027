"""The triples a table makes at the least, counted row by row before anything is built.

The triples limit (:attr:`~fenjie.graph._limits.Limits.triples`) is the one limit only building
tells for sure: quantities are known only by extracting them. Most of what a table makes is known
from cheap passes over its cells, though, and a table whose cheap part alone passes the limit is
refused before its first row is built (``FILE: line 673: … (the table makes at least 500,130
triples by this row, counted before building …)``).

The count must never pass the limit for a table the builder would accept: every term below is a
set of lines :class:`~fenjie.graph.builder._Builder` writes, each naming a node of its own, so
that no two of them are one line (the builder drops repeated lines). What it writes at the least:

- per cell: type, table, row, source line, column, value (and its location when the row has
  one) — ``_Builder.cell``;
- per item of an enumerated baseline cell (``1、…；2、…``): type, work item, text, order,
  source cell; a target item adds its year — ``_Builder.enumerated``, ``_Builder.target``;
- per unit named in a unit column: an assignment's type, unit, work item, role, position, as
  written, source cell — ``_Builder.assignments``;
- per 《title》 in an item of a baseline or target cell: a mention's type, document, owner, as
  written, bracketed, kind, source cell — ``_Builder.mention``;
- per work item, one ``fj:precedes`` line for each pair of its targets in consecutive years
  (``_Builder.precedes``): exact, and the one part that grows with the square of the items, as a
  work item collects the targets of all its continuation rows.

Quantities, work items, categories, documents (and mentions without brackets, or in the
category and work-item cells), notes and deadlines are left out.
``tests/test_build_limits.py`` holds the count under what the builder writes, on real plans and
on generated tables (hypothesis).

>>> from fenjie.graph.read import read_bytes
>>> table = read_bytes("某县任务表\\n工作内容\\t2023年目标\\t2024年目标\\t责任单位\\n"
...     "1、建设\\t1、甲；2、乙\\t1、丙\\t县发改局、县财政局\\n".encode(), name="t.tsv")
>>> count = LeastTriples(table)
>>> count.add(table.rows[0], units=2)  # 4 cells x 6 + 3 targets x 6 + 2 units x 7 + 2 pairs
58
"""

from __future__ import annotations

from collections.abc import Callable

from fenjie.graph._cells import Item, split_enumeration
from fenjie.graph._documents import count_mentions
from fenjie.graph._table import ColumnKind, Row, Table

__all__ = [
    "PER_ASSIGNMENT",
    "PER_BASELINE_ITEM",
    "PER_CELL",
    "PER_MENTION",
    "PER_TARGET_ITEM",
    "LeastTriples",
]

#: lines of a cell node (type, table, row, source line, column, value), one more with a location
PER_CELL = 6
#: lines of an item of a baseline cell (type, work item, text, order, source cell)
PER_BASELINE_ITEM = 5
#: lines of an item of a target cell (those of a baseline item and its year)
PER_TARGET_ITEM = 6
#: lines of an assignment (type, unit, work item, role, position, as written, source cell)
PER_ASSIGNMENT = 7
#: lines of a mention of a 《title》 (type, document, owner, as written, bracketed, kind, cell)
PER_MENTION = 7


def _mentions(items: list[Item]) -> int:
    """Mentions of 《titles》 in the items of a cell (each item is a text of its own)."""
    return sum(count_mentions(item.text) for item in items if "《" in item.text)


def _pairs(per_year: dict[int, int]) -> int:
    """``fj:precedes`` lines of one work item: targets of each year times those of the next."""
    counts = [per_year[year] for year in sorted(per_year)]
    return sum(a * b for a, b in zip(counts, counts[1:], strict=False))


class LeastTriples:
    """A running lower bound of the lines the builder writes for a table, one row at a time."""

    def __init__(
        self, table: Table, *, split: Callable[[str], list[Item]] = split_enumeration
    ) -> None:
        self.split = split  # the builder passes its own, which keeps what it splits
        self.columns = len(table.columns)
        self.baseline = [c.index for c in table.columns if c.kind is ColumnKind.BASELINE]
        # the builder keys a work item's targets by year, a target column without one by 0
        self.targets = [
            (c.index, c.year or 0) for c in table.columns if c.kind is ColumnKind.TARGET
        ]
        work_item = [c.index for c in table.columns if c.kind is ColumnKind.WORK_ITEM]
        self.work_item = work_item[0] if work_item else None
        self.done = 0  # lines of the rows counted, the precedes pairs of the open work item aside
        self.per_year: dict[int, int] = {}  # target items of the open work item, by year
        self.started = False

    def add(self, row: Row, *, units: int) -> int:
        """Count ``row`` (which names ``units`` units in its unit columns) and return the lines
        the table makes at the least by this row."""
        cells = row.cells
        # a row whose work-item cell is empty continues the work item above (as in the builder);
        # without a work-item column every row is counted as its own, which only counts fewer
        starts_item = self.work_item is None or bool(cells[self.work_item - 1].strip())
        if starts_item or not self.started:
            self.done += _pairs(self.per_year)
            self.per_year = {}
            self.started = True
        lines = self.columns * (PER_CELL + bool(row.location)) + PER_ASSIGNMENT * units
        for index in self.baseline:
            items = self.split(cells[index - 1])
            lines += PER_BASELINE_ITEM * len(items) + PER_MENTION * _mentions(items)
        for index, year in self.targets:
            items = self.split(cells[index - 1])
            if items:
                lines += PER_TARGET_ITEM * len(items) + PER_MENTION * _mentions(items)
                self.per_year[year] = self.per_year.get(year, 0) + len(items)
        self.done += lines
        return self.done + _pairs(self.per_year)
