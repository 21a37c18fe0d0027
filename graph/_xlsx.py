"""Read Excel workbooks: ``.xlsx`` with openpyxl, legacy ``.xls`` with python-calamine.

The sheets holding a header row are read in order (one table may go on over several sheets, each
with its header); merged ranges are resolved by :func:`~fenjie.graph._grid.resolve_merges`; numbers
stored as numbers are written as people read them (``15``, not ``15.0``; ``12%`` for a percent
format; dates as ``2023-06-30``). Provenance is ``"sheet 名称, row R"``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import sys
import zipfile
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from fenjie.errors import HeaderError, InputError
from fenjie.graph._grid import Covered, RawRow, resolve_merges
from fenjie.graph._limits import DEFAULT_LIMITS, Limits, check_zip
from fenjie.graph._reader import Source
from fenjie.graph._script import CONVERTED, simplified_cells
from fenjie.graph._table import GridRow, Table, _is_header, table_from_grid

__all__ = [
    "XLSX_READER",
    "XLS_READER",
    "XlsReader",
    "XlsxReader",
    "format_number",
    "read_xls_bytes",
    "read_xlsx_bytes",
    "sheets_grid",
    "xls_sheets",
    "xlsx_sheets",
]


def _column_letter(index: int) -> str:
    """Excel's name of a column (1 → A). openpyxl is imported here, not with the module: it takes
    most of a second, and every command that never reads a workbook would pay it."""
    from openpyxl.utils.cell import get_column_letter

    return get_column_letter(index)


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


#: Excel's grid: rows 1–1,048,576, columns A–XFD (16,384).
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384


@dataclass
class _Sheet:
    """A sheet as read: the rows holding something (dense, one width), their row numbers, and the
    merged ranges in row *indices* of ``values`` (0-based, inclusive)."""

    title: str
    values: list[list[str]]
    numbers: list[int]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    def raw_rows(self, first: int, line_offset: int) -> list[RawRow]:
        """The rows with merged positions marked; ``first`` is the index of the sheet's first row
        among all rows, ``line_offset`` the line its row 1 would have."""
        grid: list[list[str | Covered]] = [list(row) for row in self.values]
        for r0, c0, r1, c1 in self.merges:
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0) and c < len(grid[r]):
                        grid[r][c] = Covered(first + r0, c0)
        return [
            RawRow(cells, line=line_offset + n, location=f"sheet {self.title}, row {n}")
            for cells, n in zip(grid, self.numbers, strict=True)
        ]


def _sheet(
    title: str,
    content: dict[int, dict[int, str]],
    merges: Iterable[tuple[int, int, int, int]],
    limits: Limits,
    *,
    name: str,
) -> _Sheet:
    """Lay out a sheet read sparsely (``content[row][column]``, 1-based) with its merged ranges
    (min_row, min_col, max_row, max_col; 1-based): only rows holding text, or starting a merge,
    become grid rows, and merges are clipped to the text's extent, so a stray cell at A1048576 or
    a merge over A1:XFD1048576 costs nothing. The grid is checked against the cells limit first."""
    if not content:
        return _Sheet(title, [], [])
    last_row = max(content)
    width = max(max(cols) for cols in content.values())
    clipped = [
        (r0, c0, min(r1, last_row), min(c1, width))
        for r0, c0, r1, c1 in merges
        if r0 <= last_row and c0 <= width and (r0, c0) != (min(r1, last_row), min(c1, width))
    ]
    numbers = sorted(set(content) | {r0 for r0, _, _, _ in clipped})
    place = f"sheet {title}"
    limits.check(
        "cells",
        len(numbers) * width,
        file=name,
        place=place,
        what=f"{len(numbers):,} rows with text × {width:,} columns make "
        f"{len(numbers) * width:,} cells",
    )
    limits.check("rows", len(numbers), file=name, place=place, what=f"{len(numbers):,} rows")
    index = {n: i for i, n in enumerate(numbers)}
    in_index: list[tuple[int, int, int, int]] = []
    covered = 0
    for r0, c0, r1, c1 in clipped:
        i0, i1 = index[r0], bisect_right(numbers, r1) - 1
        covered += (i1 - i0 + 1) * (c1 - c0 + 1)
        limits.check(
            "cells",
            covered,
            file=name,
            place=f"{place}, merged range {_column_letter(c0)}{r0}:{_column_letter(c1)}{r1}",
            what=f"merged ranges cover {covered:,} cells",
        )
        in_index.append((i0, c0 - 1, i1, c1 - 1))
    values = [[content.get(n, {}).get(c, "") for c in range(1, width + 1)] for n in numbers]
    return _Sheet(title, values, numbers, in_index)


def sheets_grid(
    sheets: list[_Sheet], keep: Callable[[Sequence[str]], bool]
) -> tuple[list[GridRow], list[str]]:
    """The grid of the sheets holding a row ``keep`` accepts (a header), merges resolved; and
    the names of those sheets."""
    rows: list[RawRow] = []
    used = []
    line_offset = 0
    for sheet in sheets:
        if any(keep(row) for row in sheet.values):
            used.append(sheet.title)
            rows.extend(sheet.raw_rows(len(rows), line_offset))
        line_offset += sheet.numbers[-1] if sheet.numbers else 0
    return (resolve_merges(rows) if rows else []), used


def _table(sheets: list[_Sheet], *, name: str, data: bytes, reader: str) -> Table:
    # a workbook in traditional characters: every sheet's cells converted, before any header is
    # looked for (graph/_script.py)
    values, converted = simplified_cells([row for sheet in sheets for row in sheet.values])
    if converted:
        rows = iter(values)
        sheets = [replace(s, values=[next(rows) for _ in s.values]) for s in sheets]
    grid, used = sheets_grid(sheets, _is_header)
    if not used:
        names = "、".join(s.title for s in sheets)
        raise HeaderError(
            "没有工作表含有列出 工作内容/主要任务 和 责任单位/牵头单位 的表头行"
            + (f"（工作表：{names}）" if names else "（工作簿中没有工作表）")
            + " (no sheet holds a header row naming 工作内容/主要任务 and 责任单位/牵头单位)",
            file=name,
            sheet=sheets[0].title if len(sheets) == 1 else None,
        )
    encoding = f"utf-8, {CONVERTED}" if converted else "utf-8"
    table = table_from_grid(grid, name=name, reader=reader, encoding=encoding)
    table.sha256 = hashlib.sha256(data).hexdigest()
    return table


def _one_line(exc: BaseException) -> str:
    """An exception's text on one line (lxml and openpyxl messages can span several)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def read_xlsx_bytes(data: bytes, *, name: str, limits: Limits = DEFAULT_LIMITS) -> Table:
    """Read an ``.xlsx`` workbook given as bytes."""
    return _table(xlsx_sheets(data, name=name, limits=limits), name=name, data=data, reader="xlsx")


def xlsx_sheets(data: bytes, *, name: str, limits: Limits = DEFAULT_LIMITS) -> list[_Sheet]:
    """Every worksheet of an ``.xlsx``, each sheet's rows streamed (openpyxl's read-only parser)
    and empty rows never materialised."""
    import openpyxl

    check_zip(data, limits, file=name)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, NotImplementedError) as exc:
        raise InputError(
            f"无法读取的 Excel 工作簿（.xlsx 已损坏？） (not a readable Excel workbook)：{_one_line(exc)}",
            file=name,
        ) from exc
    except Exception as exc:  # lxml's XMLSyntaxError from a damaged part
        raise InputError(
            f"Excel 工作簿已损坏 (the Excel workbook is damaged)：{_one_line(exc)}", file=name
        ) from exc
    try:
        sheets = [_read_sheet(ws, book, limits, name=name) for ws in book.worksheets]
    except InputError:
        raise
    except Exception as exc:  # a damaged sheet part: XML, ZIP or a value openpyxl cannot convert
        raise InputError(
            f"Excel 工作簿已损坏 (the Excel workbook is damaged)：{_one_line(exc)}", file=name
        ) from exc
    finally:
        book.close()
    return sheets


def _read_sheet(ws: Any, book: Any, limits: Limits, *, name: str) -> _Sheet:
    """One read-only worksheet, parsed row by row: cells kept only when they hold text."""
    from openpyxl.cell.read_only import ReadOnlyCell
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import WorkSheetParser

    content: dict[int, dict[int, str]] = {}
    formats: dict[int, str] = {}
    kept = 0
    with ws._get_source() as source:
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for _, cells in parser.parse():
            for cell in cells:
                row, column, value = cell["row"], cell["column"], cell["value"]
                if not (1 <= row <= EXCEL_ROWS and 1 <= column <= EXCEL_COLUMNS):
                    raise InputError(
                        f"sheet {ws.title}: 第 {row:,} 行第 {column:,} 列的单元格超出 Excel 的表格范围"
                        f"（{EXCEL_ROWS:,} 行 × {EXCEL_COLUMNS:,} 列） (a cell lies outside Excel's grid)",
                        file=name,
                    )
                if value is None:
                    continue
                style = cell["style_id"]
                if style not in formats:
                    formats[style] = ReadOnlyCell(ws, row, column, None, "n", style).number_format
                text = format_number(value, formats[style] or "General")
                if not text:
                    continue
                place = f"sheet {ws.title}, {_column_letter(column)}{row}"
                limits.check_cell(text, file=name, place=place)
                kept += 1
                limits.check(
                    "cells", kept, file=name, place=place, what=f"over {kept - 1:,} cells hold text"
                )
                content.setdefault(row, {})[column] = text
        merged = parser.merged_cells.mergeCell if parser.merged_cells else []
    merges = []
    for merge in merged:
        c0, r0, c1, r1 = range_boundaries(merge.ref)  # None for whole rows or columns (A:A)
        if (
            c0 is None
            or r0 is None
            or c1 is None
            or r1 is None
            or not (1 <= r0 <= r1 <= EXCEL_ROWS and 1 <= c0 <= c1 <= EXCEL_COLUMNS)
        ):
            raise InputError(
                f"sheet {ws.title}: 合并区域 {merge.ref} 无效 (merged range is invalid)", file=name
            )
        merges.append((r0, c0, r1, c1))
    return _sheet(ws.title, content, merges, limits, name=name)


def read_xls_bytes(data: bytes, *, name: str, limits: Limits = DEFAULT_LIMITS) -> Table:
    """Read a legacy ``.xls`` workbook with python-calamine (install it to read .xls)."""
    return _table(xls_sheets(data, name=name, limits=limits), name=name, data=data, reader="xls")


def xls_sheets(data: bytes, *, name: str, limits: Limits = DEFAULT_LIMITS) -> list[_Sheet]:
    """Every worksheet of a legacy ``.xls`` (python-calamine)."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError as exc:
        raise InputError(
            "这是旧版 Excel .xls 文件：请安装 python-calamine（pip install python-calamine），"
            "或另存为 .xlsx (a legacy Excel .xls file)",
            file=name,
        ) from exc
    try:
        with _rust_stderr_silenced():
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            sheets = [
                _read_calamine_sheet(book.get_sheet_by_name(sheet_name), limits, name=name)
                for sheet_name in book.sheet_names
            ]
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InputError(
            f"无法读取的 Excel .xls 工作簿 (not a readable Excel .xls workbook)：{_one_line(exc)}",
            file=name,
        ) from exc
    except BaseException as exc:
        if not _is_rust_panic(exc):
            raise
        raise InputError(
            f"Excel .xls 工作簿已损坏 (the Excel .xls workbook is damaged)：{_one_line(exc)}",
            file=name,
        ) from exc
    return sheets


def _read_calamine_sheet(sheet: Any, limits: Limits, *, name: str) -> _Sheet:
    """One .xls sheet: calamine hands a dense range from A1 to the last used cell, so its size is
    checked first."""
    height, width = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
    limits.check(
        "cells",
        height * width,
        file=name,
        place=f"sheet {sheet.name}",
        what=f"the sheet spans {height:,} rows × {width:,} columns",
    )
    content: dict[int, dict[int, str]] = {}
    for r, row in enumerate(sheet.to_python(skip_empty_area=False), start=1):
        for c, value in enumerate(row, start=1):
            text = format_number(value)
            if text:
                limits.check_cell(
                    text, file=name, place=f"sheet {sheet.name}, {_column_letter(c)}{r}"
                )
                content.setdefault(r, {})[c] = text
    merges = [(a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1) for a, b in (sheet.merged_cell_ranges or [])]
    return _sheet(sheet.name, content, merges, limits, name=name)


def _is_rust_panic(exc: BaseException) -> bool:
    """python-calamine (Rust, through pyo3) reports a panic on a damaged file as
    ``pyo3_runtime.PanicException``, which derives from BaseException so that ``except Exception``
    does not swallow it. pyo3 does not export the class, so it is recognised by its name."""
    kind = type(exc)
    return kind.__name__ == "PanicException" and kind.__module__ == "pyo3_runtime"


@contextlib.contextmanager
def _rust_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null while Rust code runs: a panic prints its message (and,
    with RUST_BACKTRACE set, a backtrace) there, before fenjie's one-line error."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class XlsxReader:
    name = "xlsx"
    recognised_by = "a ZIP holding `xl/workbook.xml`"
    provenance = "`sheet 分解表, row 7`"

    def sniff(self, source: Source) -> bool:
        return source.zip_holds("xl/workbook.xml")

    def read(self, source: Source, limits: Limits) -> Table:
        return read_xlsx_bytes(source.data, name=source.name, limits=limits)


class XlsReader:
    name = "xls"
    recognised_by = "an OLE file with a `Workbook` stream"
    provenance = "`sheet 分解表, row 7`"

    def sniff(self, source: Source) -> bool:
        return not source.encrypted_office and (
            source.ole_holds("Workbook") or source.ole_holds("Book")
        )

    def read(self, source: Source, limits: Limits) -> Table:
        return read_xls_bytes(source.data, name=source.name, limits=limits)


XLSX_READER, XLS_READER = XlsxReader(), XlsReader()
