"""What the Word, Excel and PDF readers share: merged cells resolved into a plain grid.

A reader of a ruled table sees *merged cells*: one cell covering several rows or columns. It hands
each row over as :class:`RawRow`, marking a covered position with :class:`Covered` (where the merge
starts). :func:`resolve_merges` then decides what text each covered position gets, by the column's
kind in the table's header:

* a category (主要任务) or work-item (工作内容) cell merged downwards stays written once: the builder
  reads an empty category as "the category above" and an empty work item as a continuation row,
  which is exactly what a merged cell means;
* any other cell merged downwards (units, deadlines, targets shared by several work items) is
  repeated into each row that starts a new work item, so each work item gets its units;
* a cell merged sideways is written in its first column only; grid columns that are covered in
  every row (Word's irregular grids) are dropped.

>>> rows = [
...     RawRow(["主要任务", "工作内容", "2020年目标", "责任单位"], line=1),
...     RawRow(["平台", "1、网站", "建成", "省科技厅"], line=2),
...     RawRow([Covered(1, 0), "2、平台", "上线", Covered(1, 3)], line=3),
... ]
>>> [r.cells for r in resolve_merges(rows)]
[('主要任务', '工作内容', '2020年目标', '责任单位'), ('平台', '1、网站', '建成', '省科技厅'), ('', '2、平台', '上线', '省科技厅')]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from fenjie.graph._table import ColumnKind, GridRow, _is_header, classify_header

__all__ = ["Covered", "RawRow", "join_lines", "resolve_merges"]


@dataclass(frozen=True)
class Covered:
    """A grid position covered by a merged cell whose top-left is at ``(row, column)`` (0-based,
    counted within the same list of rows)."""

    row: int
    column: int


@dataclass
class RawRow:
    """One row as a reader sees it: texts, or :class:`Covered` for positions under a merge."""

    cells: list[str | Covered]
    line: int
    location: str = ""
    extra: dict[str, object] = field(default_factory=dict)


_NO_REPEAT = {ColumnKind.CATEGORY, ColumnKind.WORK_ITEM}
_ASCII_LETTER = re.compile(r"[A-Za-z]")


_CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\u2014\u2018-\u201d"
_LAYOUT_SPACE = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")


def join_lines(text: str) -> str:
    """Rejoin a cell's text that a page broke over lines: Chinese lines join without a space,
    two English words with one; spaces a layout put next to Chinese text go.

    >>> join_lines("出台自创区专项管理\\n办法；Open\\nData 200 万平方米")
    '出台自创区专项管理办法；Open Data 200万平方米'
    """
    text = _LAYOUT_SPACE.sub("", text)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return ""
    out = lines[0]
    for line in lines[1:]:
        sep = " " if _ASCII_LETTER.match(out[-1]) and _ASCII_LETTER.match(line[0]) else ""
        out += sep + line
    return out


def _text(rows: Sequence[RawRow], r: int, c: int) -> str:
    cell = rows[r].cells[c] if c < len(rows[r].cells) else ""
    if isinstance(cell, Covered):
        return _text(rows, cell.row, cell.column) if (cell.row, cell.column) != (r, c) else ""
    return cell


def _drop_covered_columns(rows: Sequence[RawRow]) -> list[int]:
    """Indices of the grid columns to keep: not covered sideways in every row."""
    width = max((len(r.cells) for r in rows), default=0)
    keep = []
    for c in range(width):
        if not all(_covered_sideways(r.cells, c) for r in rows):
            keep.append(c)
    return keep


def _covered_sideways(cells: Sequence[str | Covered], c: int) -> bool:
    """Column ``c`` of this row is missing or covered by a cell to its left."""
    if c >= len(cells):
        return True
    cell = cells[c]
    return isinstance(cell, Covered) and cell.column < c


def resolve_merges(rows: Sequence[RawRow]) -> list[GridRow]:
    """Turn raw rows with merged cells into :class:`~fenjie.graph._table.GridRow` s (see above)."""
    keep = _drop_covered_columns(rows)
    kinds: dict[int, ColumnKind] = {}
    work_col: int | None = None
    out: list[GridRow] = []
    for r, raw in enumerate(rows):
        plain = [_plain(raw.cells, c) for c in keep]
        if _is_header(plain):
            kinds = {c: classify_header(plain[k])[0] for k, c in enumerate(keep)}
            work_col = next((c for c in keep if kinds[c] is ColumnKind.WORK_ITEM), None)
            out.append(GridRow(tuple(plain), line=raw.line, location=raw.location))
            continue
        new_item = (
            work_col is not None
            and work_col < len(raw.cells)
            and not isinstance(raw.cells[work_col], Covered)
            and bool(str(raw.cells[work_col]).strip())
        )
        cells = []
        for c in keep:
            cell = raw.cells[c] if c < len(raw.cells) else ""
            if not isinstance(cell, Covered):
                cells.append(cell)
            elif cell.column == c and cell.row < r and kinds and kinds.get(c) not in _NO_REPEAT:
                cells.append(_text(rows, cell.row, cell.column) if new_item else "")
            else:
                cells.append("")
        out.append(GridRow(tuple(cells), line=raw.line, location=raw.location))
    return out


def _plain(cells: Sequence[str | Covered], c: int) -> str:
    cell = cells[c] if c < len(cells) else ""
    return "" if isinstance(cell, Covered) else cell
