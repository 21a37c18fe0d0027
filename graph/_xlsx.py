"""Read Excel workbooks: ``.xlsx`` with openpyxl, legacy ``.xls`` with python-calamine.

The sheets holding a header row are read in order (one table may go on over several sheets, each
with its header); merged ranges are resolved by :func:`~fenjie.graph._grid.resolve_merges`; numbers
stored as numbers are written as people read them (``15``, not ``15.0``; ``12%`` for a percent
format; dates as ``2023-06-30``). Provenance is ``"sheet 名称, row R"``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence

from fenjie.errors import HeaderError, InputError
from fenjie.graph._grid import Covered, RawRow, resolve_merges
from fenjie.graph._table import GridRow, Table, _is_header, table_from_grid

__all__ = [
    "format_number",
    "read_xls_bytes",
    "read_xlsx_bytes",
    "sheets_grid",
    "xls_sheets",
    "xlsx_sheets",
]


def format_number(value: object, number_format: str = "General") -> str:
    """A cell value as text, the way a reader of the sheet sees it.

    >>> format_number(15.0), format_number(0.125, "0.0%"), format_number(1.5), format_number(True)
    ('15', '12.5%', '1.5', 'TRUE')
    >>> format_number(dt.datetime(2023, 6, 30))
    '2023-06-30'
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if "%" in number_format:
            return _plain(value * 100) + "%"
        return _plain(value)
    return str(value).replace("\r\n", "\n").strip()


def _plain(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return repr(round(float(value), 10)).rstrip("0").rstrip(".")


def _sheet_rows(
    sheet: str,
    values: Sequence[Sequence[str]],
    merges: Iterable[tuple[int, int, int, int]],
    first: int,
) -> list[RawRow]:
    """Rows of one sheet; merges are (min_row, min_col, max_row, max_col), 0-based inclusive."""
    grid: list[list[str | Covered]] = [list(row) for row in values]
    for r0, c0, r1, c1 in merges:
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, c1 + 1):
                if (r, c) == (r0, c0):
                    continue
                while len(grid[r]) <= c:
                    grid[r].append("")
                grid[r][c] = Covered(first + r0, c0)
    return [
        RawRow(cells, line=first + r + 1, location=f"sheet {sheet}, row {r + 1}")
        for r, cells in enumerate(grid)
    ]


def sheets_grid(
    sheets: list[tuple[str, list[list[str]], list]], keep: Callable[[Sequence[str]], bool]
) -> tuple[list[GridRow], list[str]]:
    """The grid of the sheets holding a row ``keep`` accepts (a header), merges resolved; and
    the names of those sheets."""
    rows: list[RawRow] = []
    used = []
    for sheet, values, merges in sheets:
        if not any(keep(row) for row in values):
            continue
        used.append(sheet)
        rows.extend(_sheet_rows(sheet, values, merges, len(rows)))
    return (resolve_merges(rows) if rows else []), used


def _table(
    sheets: list[tuple[str, list[list[str]], list]], *, name: str, data: bytes, reader: str
) -> Table:
    grid, used = sheets_grid(sheets, _is_header)
    if not used:
        names = "、".join(s for s, _, _ in sheets)
        raise HeaderError(
            "no sheet holds a header row naming 工作内容/主要任务 and 责任单位/牵头单位 "
            f"(sheets: {names})",
            file=name,
            sheet=sheets[0][0] if len(sheets) == 1 else None,
        )
    table = table_from_grid(grid, name=name, reader=reader, encoding="utf-8")
    table.sha256 = hashlib.sha256(data).hexdigest()
    return table


def xlsx_sheets(data: bytes, *, name: str) -> list[tuple[str, list[list[str]], list]]:
    """Every worksheet of an ``.xlsx`` as (name, cell texts, merges)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(
            f"not a readable Excel workbook (corrupt .xlsx?): {exc}", file=name
        ) from exc
    except Exception as exc:  # lxml's XMLSyntaxError from a damaged part
        raise InputError(f"the Excel workbook is damaged: {exc}", file=name) from exc
    sheets = []
    for ws in book.worksheets:
        values = [
            [format_number(c.value, c.number_format or "General") for c in row]
            for row in ws.iter_rows()
        ]
        merges = [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
            for m in ws.merged_cells.ranges
        ]
        sheets.append((ws.title, values, merges))
    return sheets


def read_xlsx_bytes(data: bytes, *, name: str) -> Table:
    """Read an ``.xlsx`` workbook given as bytes."""
    return _table(xlsx_sheets(data, name=name), name=name, data=data, reader="xlsx")


def xls_sheets(data: bytes, *, name: str) -> list[tuple[str, list[list[str]], list]]:
    """Every worksheet of a legacy ``.xls`` (python-calamine) as (name, cell texts, merges)."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError as exc:
        raise InputError(
            "this is a legacy Excel .xls file; install python-calamine "
            "(pip install python-calamine) or save it as .xlsx",
            file=name,
        ) from exc
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for sheet_name in book.sheet_names:
            sheet = book.get_sheet_by_name(sheet_name)
            values = [
                [format_number(v) for v in row] for row in sheet.to_python(skip_empty_area=False)
            ]
            merges = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
            sheets.append((sheet_name, values, merges))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InputError(f"not a readable Excel .xls workbook: {exc}", file=name) from exc
    return sheets


def read_xls_bytes(data: bytes, *, name: str) -> Table:
    """Read a legacy ``.xls`` workbook with python-calamine (install it to read .xls)."""
    return _table(xls_sheets(data, name=name), name=name, data=data, reader="xls")
