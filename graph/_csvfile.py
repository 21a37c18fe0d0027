"""Read comma-separated tables (UTF-8, UTF-8 with BOM, GB18030/GBK), as Excel saves them.

>>> data = '主要任务,工作内容,2020年目标,责任单位\\n平台,"1、网站,二期",建成,省科技厅\\n'.encode("gbk")
>>> table = read_csv_bytes(data, name="t.csv")
>>> table.reader, table.encoding, table.rows[0].cells[1], table.rows[0].line
('csv', 'gb18030', '1、网站,二期', 2)
"""

from __future__ import annotations

import csv
import hashlib
import io

from fenjie.errors import InputError, LimitError
from fenjie.graph._limits import DEFAULT_LIMITS, Limits
from fenjie.graph._reader import Source
from fenjie.graph._table import GridRow, Table, _is_header, table_from_grid
from fenjie.graph._tsv import check_lines, decode_source

__all__ = ["READER", "CsvReader", "csv_rows", "read_csv_bytes"]


def csv_rows(
    text: str, limits: Limits = DEFAULT_LIMITS, *, name: str | None = None
) -> list[GridRow]:
    """Rows of comma-separated text, each with the line it starts on (quoted cells may span lines).

    A cell longer than :attr:`Limits.cell_chars` is a :class:`~fenjie.errors.LimitError`.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=",", quotechar='"')
    rows, start = [], 1
    previous = csv.field_size_limit(limits.cell_chars)  # the module's limit is process-wide
    try:
        for cells in reader:
            rows.append(GridRow(tuple(cells), line=start, location=f"line {start}"))
            start = reader.line_num + 1
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            limits.check(
                "cell_chars",
                limits.cell_chars + 1,
                file=name,
                place=f"line {start}",
                what="a cell holds more characters than allowed",
            )
        raise InputError(
            f"CSV 格式有误 (malformed CSV)：{exc}", file=name, line=reader.line_num
        ) from exc
    finally:
        csv.field_size_limit(previous)
    return rows


def read_csv_bytes(data: bytes, *, name: str, limits: Limits = DEFAULT_LIMITS) -> Table:
    """Read comma-separated text given as bytes; ``name`` is used in messages and provenance."""
    if not data.strip():
        raise InputError("来源文件是空的 (the source is empty)", file=name, line=1, column=1)
    check_lines(data, limits, name=name)
    text, encoding = decode_source(data, name=name)
    rows = csv_rows(text, limits, name=name)
    table = table_from_grid(rows, name=name, reader="csv", encoding=encoding)
    table.sha256 = hashlib.sha256(data).hexdigest()
    return table


def _prose(cells: tuple[str, ...]) -> bool:
    """Whether a "row" is a sentence cut at its commas (a notice's paragraph written with ASCII
    commas: ``细化工作方案和计划,明确时间节点,落实责任,…。``): a header cell ends no sentence."""
    return any(c.rstrip().endswith(("。", "！", "？")) for c in cells)


class CsvReader:
    name = "csv"
    recognised_by = "text whose header row is comma-separated"
    provenance = "`line N`"

    def sniff(self, source: Source) -> bool:
        if source.text is None or not any("," in line for line in source.lines):
            return False
        try:
            return any(
                _is_header(row.cells) and not _prose(row.cells) for row in csv_rows(source.text)
            )
        except LimitError:
            return True  # the reader says which cell is too long
        except InputError:
            return False

    def read(self, source: Source, limits: Limits) -> Table:
        return read_csv_bytes(source.data, name=source.name, limits=limits)


READER = CsvReader()
