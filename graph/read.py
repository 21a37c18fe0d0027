"""Read a source table, choosing the reader by content (not only by extension).

Every format is one :class:`~fenjie.graph._reader.Reader` (``sniff``, ``read``) in its own module,
listed once in :data:`REGISTRY`; the first whose ``sniff`` claims a source reads it, and any other
text goes to the TSV reader, which says why it is not a table. To add a format: a module with a
reader, its line in :data:`REGISTRY`, its row in docs/readers.md's table and its maker in
``tests/test_readers.py`` (whose tests loop over the registry and hold the table's rows to each
reader's ``recognised_by`` and ``provenance``).

Text is UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK. A Word document or PDF
holding a list-form plan instead of a table is read by the list reader (``docx-list``,
``pdf-list``). Anything else, a password-protected or damaged file, or a table without a header
raises :class:`~fenjie.errors.InputError` naming the file.

>>> from fenjie.config import bundled_example
>>> table = read_table(bundled_example())
>>> table.reader, len(table.rows), table.years
('tsv', 14, [2017, 2018, 2019])
>>> sniff_format(b"PK\\x03\\x04...word/document.xml...", "a.bin"), sniff_format(b"%PDF-1.7", "x")
('docx', 'pdf')
>>> [reader.name for reader in REGISTRY]
['pdf', 'docx', 'xlsx', 'doc', 'xls', 'tsv', 'csv', 'webtable', 'listform']
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fenjie.errors import InputError
from fenjie.graph import _csvfile, _docx, _listform, _pdf, _tsv, _webtable, _xlsx
from fenjie.graph._csvfile import csv_rows
from fenjie.graph._limits import DEFAULT_LIMITS, Limits
from fenjie.graph._reader import Reader, Source
from fenjie.graph._table import GridRow, Table
from fenjie.graph._tsv import decode_source, read_tsv_bytes

__all__ = [
    "READERS",
    "REGISTRY",
    "SourceGrid",
    "read_bytes",
    "read_grid",
    "read_table",
    "sniff_format",
]

#: Every reader, in the order they are asked: containers before text, the text readers by how
#: specific their header is.
REGISTRY: tuple[Reader, ...] = (
    _pdf.READER,
    _docx.DOCX_READER,
    _xlsx.XLSX_READER,
    _docx.DOC_READER,
    _xlsx.XLS_READER,
    _tsv.READER,
    _csvfile.READER,
    _webtable.READER,
    _listform.READER,
)
READERS = tuple(reader.name for reader in REGISTRY)
_BY_NAME = {reader.name: reader for reader in REGISTRY}


def _claim(source: Source) -> Reader | str:
    """The reader of ``source``, or what it is when no reader can read it (``"encrypted"``,
    ``"zip"``, ``"ole"``, ``"binary"``)."""
    reader = next((r for r in REGISTRY if r.sniff(source)), None)
    if reader is not None:
        return reader
    if source.encrypted_office:
        return "encrypted"
    if source.is_zip:
        return "zip"
    if source.is_ole:
        return "ole"
    if source.binary_kind:
        return "binary"
    return _tsv.READER  # text without a header, or bytes in no encoding: the TSV reader says so


def sniff_format(data: bytes, name: str) -> str:
    """The format of a source by its content: one of :data:`READERS`, or ``"encrypted"``,
    ``"zip"``, ``"ole"``, ``"binary"`` for what cannot be read."""
    claimed = _claim(Source(data, name))
    return claimed if isinstance(claimed, str) else claimed.name


def read_bytes(data: bytes, *, name: str, limits: Limits = DEFAULT_LIMITS) -> Table:
    """Read a source given as bytes, choosing the reader by content; ``table.reader`` says which.
    Every reader checks ``limits`` before the work they bound."""
    if not data.strip():
        return read_tsv_bytes(
            data, name=name
        )  # says "来源文件是空的 (the source is empty)" at line 1
    source = Source(data, name)
    claimed = _claim(source)
    if isinstance(claimed, str):
        raise InputError(_REFUSALS.get(claimed) or _binary_message(source), file=name)
    return claimed.read(source, limits)


_REFUSALS = {
    "encrypted": "这是有密码保护（加密）的 Office 文档：请在 Word 或 Excel 中去掉密码后重新保存 "
    "(a password-protected Office document)",
    "zip": "这是 ZIP 压缩包，但既不是 Word .docx 也不是 Excel .xlsx 文件 "
    "(a ZIP archive that is neither a Word .docx nor an Excel .xlsx file)",
    "ole": "这是旧式 Office 文件，但既不是 Word .doc 也不是 Excel .xls 文件 "
    "(an old-style Office file that is neither a Word .doc nor an Excel .xls file)",
}


def _binary_message(source: Source) -> str:
    return (
        f"不是表格 (not a table: this is {source.binary_kind or 'a binary file'})；fenjie 读取 "
        "Word（.docx/.doc）、Excel（.xlsx/.xls）、PDF、CSV/制表符分隔文本和列表式方案"
    )


def read_table(source: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> Table:
    """Read one source file into a :class:`~fenjie.graph.Table`, choosing the reader by content."""
    path = Path(source)
    try:
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise InputError(
            "是文件夹，不是表格文件 (is a directory, not a table file)", file=str(path)
        ) from exc
    except OSError as exc:
        raise InputError(f"无法读取 (cannot read)：{exc.strerror}", file=str(path)) from exc
    return read_bytes(data, name=str(path), limits=limits)


@dataclass(frozen=True)
class SourceGrid:
    """A source read as a grid of cell texts, for tables that are not plans (progress tables):
    the same readers, merges resolved, each row with its place (``GridRow.location``)."""

    name: str
    reader: str
    sha256: str
    rows: list[GridRow]


def read_grid(
    source: str | os.PathLike[str], *, is_header: Callable[[Sequence[str]], bool]
) -> SourceGrid:
    """Read any supported file as a grid; workbooks keep the sheets holding an ``is_header`` row.

    Text is split on tabs when a line holds one, else read as CSV. Raises
    :class:`~fenjie.errors.InputError` as :func:`read_table` does.
    """
    path = Path(source)
    name = str(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise InputError(
            "是文件夹，不是表格文件 (is a directory, not a table file)", file=name
        ) from exc
    except OSError as exc:
        raise InputError(f"无法读取 (cannot read)：{exc.strerror}", file=name) from exc
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise InputError("来源文件是空的 (the source is empty)", file=name, line=1, column=1)
    kind = sniff_format(data, name)
    if kind in ("docx", "doc"):
        from fenjie.graph._docx import convert_doc, docx_grid

        docx_data = convert_doc(data, name=name) if kind == "doc" else data
        return SourceGrid(name, kind, digest, docx_grid(docx_data, name=name))
    if kind in ("xlsx", "xls"):
        from fenjie.graph._xlsx import sheets_grid, xls_sheets, xlsx_sheets

        sheets = (xlsx_sheets if kind == "xlsx" else xls_sheets)(data, name=name)
        rows, used = sheets_grid(sheets, is_header)
        if not used:
            raise InputError(
                f"没有工作表含有表头行（工作表：{'、'.join(s.title for s in sheets)}） "
                "(no sheet holds a header row)",
                file=name,
            )
        return SourceGrid(name, kind, digest, rows)
    if kind == "pdf":
        from fenjie.graph._pdf import pdf_grid

        return SourceGrid(name, kind, digest, pdf_grid(data, name=name))
    if kind in ("tsv", "csv", "listform", "webtable"):
        text, _ = decode_source(data, name=name)
        if "\t" in text:
            lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            rows = [
                GridRow(tuple(line.split("\t")), line=k, location=f"line {k}")
                for k, line in enumerate(lines, start=1)
            ]
            return SourceGrid(name, "tsv", digest, rows)
        try:
            return SourceGrid(name, "csv", digest, csv_rows(text))
        except InputError as exc:
            raise InputError(exc.message, file=name, line=exc.line) from exc
    raise InputError(_REFUSALS.get(kind) or _binary_message(Source(data, name)), file=name)
