"""Read tab-separated text: decode it (UTF-8, UTF-8 with BOM, UTF-16, GB18030/GBK) and grid it.

>>> table = read_tsv_bytes("主要任务\\t工作内容\\t2020年目标\\t责任单位\\n平台\\t1、网站\\t建成\\t省科技厅\\n"
...                        .encode("gbk"), name="gbk.tsv")
>>> table.encoding, table.rows[0].cells[3]
('gb18030', '省科技厅')
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from fenjie.errors import InputError, SourceEncodingError
from fenjie.graph._limits import DEFAULT_LIMITS, Limits
from fenjie.graph._reader import Source
from fenjie.graph._script import CONVERTED, simplified
from fenjie.graph._table import GridRow, Table, _is_header, table_from_grid

__all__ = ["READER", "TsvReader", "check_lines", "decode_source", "read_tsv", "read_tsv_bytes"]

_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def decode_source(data: bytes, *, name: str) -> tuple[str, str]:
    """Decode a text source; return ``(text, encoding)``.

    UTF-8 is tried first (with or without BOM), then UTF-16 with a BOM, then GB18030 (a superset of
    GBK and GB2312), accepted only when what it decodes is mostly Chinese text. Anything else raises
    :class:`~fenjie.errors.SourceEncodingError` at the line and column of the first bad byte.
    Text written in traditional characters is returned in simplified ones, and its encoding says
    so (``"utf-8, 繁体转简体"``; :mod:`fenjie.graph._script`).
    """
    text, encoding = _decode(data, name=name)
    text, converted = simplified(text)
    return text, f"{encoding}, {CONVERTED}" if converted else encoding


def _decode(data: bytes, *, name: str) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        bad = utf8_error.start
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if non_ascii and sum(bool(_CJK.match(ch)) for ch in non_ascii) / len(non_ascii) >= 0.9:
        return text, "gb18030"
    line = data.count(b"\n", 0, bad) + 1
    line_start = data.rfind(b"\n", 0, bad) + 1
    column = len(data[line_start:bad].decode("utf-8", errors="replace")) + 1
    raise SourceEncodingError(
        f"字节 0x{data[bad]:02x} 不是有效的 UTF-8，文件也不是 GB18030/GBK 文本；请另存为 UTF-8 "
        f"(byte 0x{data[bad]:02x} is not valid UTF-8, and the file is not GB18030/GBK text either)",
        file=name,
        line=line,
        column=column,
    )


def check_lines(data: bytes, limits: Limits, *, name: str) -> None:
    """Refuse text with more lines than :attr:`Limits.rows` before decoding or splitting it."""
    lines = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n") + 1
    limits.check("rows", lines, file=name, place="", what=f"the text has {lines:,} lines")


def _cells(line: str, k: int, limits: Limits, name: str) -> GridRow:
    cells = tuple(line.split("\t"))
    for c, cell in enumerate(cells, start=1):
        limits.check_cell(cell, file=name, place=f"line {k}, column {c}")
    return GridRow(cells, line=k)


def read_tsv_bytes(data: bytes, *, name: str, limits: Limits = DEFAULT_LIMITS) -> Table:
    """Read tab-separated text given as bytes; ``name`` is used in messages and provenance."""
    if not data.strip():
        raise InputError("来源文件是空的 (the source is empty)", file=name, line=1, column=1)
    check_lines(data, limits, name=name)
    text, encoding = decode_source(data, name=name)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    grid = (_cells(line, k, limits, name) for k, line in enumerate(lines, start=1))
    table = table_from_grid(grid, name=name, reader="tsv", encoding=encoding)
    table.sha256 = hashlib.sha256(data).hexdigest()
    return table


def read_tsv(path: str | Path) -> Table:
    """Read a tab-separated table file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取 (cannot read)：{exc.strerror}", file=str(path)) from exc
    return read_tsv_bytes(data, name=str(path))


class TsvReader:
    """Tab-separated text; also the reader of any text no other reader claims (it says why the
    text is not a table: no header, a bad byte …)."""

    name = "tsv"
    recognised_by = "text whose header row is tab-separated"
    provenance = "— (`fj:sourceLine`)"

    def sniff(self, source: Source) -> bool:
        return source.text is not None and any(
            _is_header(line.split("\t")) for line in source.lines if "\t" in line
        )

    def read(self, source: Source, limits: Limits) -> Table:
        return read_tsv_bytes(source.data, name=source.name, limits=limits)


READER = TsvReader()
