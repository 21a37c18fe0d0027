"""Read a source table, choosing the reader by content (not only by extension).

=============  ==========================================  ============================
reader         recognised by                               provenance (``fj:location``)
=============  ==========================================  ============================
``tsv``        text whose header row is tab-separated      line
``csv``        text whose header row is comma-separated    line
``listform``   text with numbered tasks and 牵头单位 lines   line(s)
``webtable``   text with one table cell per line           line(s)
``docx``       a ZIP holding ``word/document.xml``         table, row
``doc``        an OLE file with a ``WordDocument`` stream  table, row (via LibreOffice)
``xlsx``       a ZIP holding ``xl/workbook.xml``           sheet, row
``xls``        an OLE file with a ``Workbook`` stream      sheet, row
``pdf``        ``%PDF``                                     page, table, row
=============  ==========================================  ============================

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
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fenjie.errors import InputError, LimitError
from fenjie.graph._csvfile import csv_rows, read_csv_bytes
from fenjie.graph._limits import DEFAULT_LIMITS, Limits
from fenjie.graph._listform import has_role_lines, listform_table
from fenjie.graph._table import GridRow, Table, _is_header, table_from_grid
from fenjie.graph._tsv import check_lines, decode_source, read_tsv_bytes
from fenjie.graph._webtable import find_webtable_header, webtable_grid

__all__ = ["READERS", "SourceGrid", "read_bytes", "read_grid", "read_table", "sniff_format"]

READERS = ("tsv", "csv", "listform", "webtable", "docx", "doc", "xlsx", "xls", "pdf")

_BINARY = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"{\\rtf": "an RTF document (save it as .docx)",
    b"\x7fELF": "a program",
}


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _sniff_zip(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        # NotImplementedError: zipfile's answer to a header claiming an unknown ZIP version
        # a damaged archive: guess from the member names its local headers still show
        if b"word/document.xml" in data:
            return "docx"
        if b"xl/workbook.xml" in data:
            return "xlsx"
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def _sniff_ole(data: bytes) -> str:
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        return "encrypted"
    if _utf16("WordDocument") in data:
        return "doc"
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return "xls"
    return "ole"


def sniff_text(text: str) -> str:
    """``"tsv"``, ``"csv"``, ``"webtable"`` or ``"listform"`` for decoded text, by where its
    header is."""
    lines = text.splitlines()
    if any(_is_header(line.split("\t")) for line in lines if "\t" in line):
        return "tsv"
    if any("," in line for line in lines):
        try:
            if any(_is_header(row.cells) for row in csv_rows(text)):
                return "csv"
        except LimitError:
            return "csv"  # the CSV reader says which cell is too long
        except InputError:
            pass
    if find_webtable_header(lines) is not None:
        return "webtable"
    if has_role_lines(lines):
        return "listform"
    return "tsv"


def sniff_format(data: bytes, name: str) -> str:
    """The format of a source by its content: one of :data:`READERS`, or ``"encrypted"``,
    ``"zip"``, ``"ole"``, ``"binary"`` for what cannot be read."""
    if data.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _sniff_ole(data)
    if any(data.startswith(magic) for magic in _BINARY):
        return "binary"
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    try:
        text, _ = decode_source(data, name=name)
    except InputError:
        return "tsv"  # the TSV reader reports where the bytes go wrong
    return sniff_text(text)


def read_bytes(data: bytes, *, name: str, limits: Limits = DEFAULT_LIMITS) -> Table:
    """Read a source given as bytes, choosing the reader by content; ``table.reader`` says which.
    Every reader checks ``limits`` before the work they bound."""
    if not data.strip():
        return read_tsv_bytes(data, name=name)  # says "the source is empty" at line 1
    kind = sniff_format(data, name)
    if kind == "tsv":
        return read_tsv_bytes(data, name=name, limits=limits)
    if kind == "csv":
        return read_csv_bytes(data, name=name, limits=limits)
    if kind == "webtable":
        import hashlib

        check_lines(data, limits, name=name)
        text, encoding = decode_source(data, name=name)
        try:
            grid = webtable_grid(text.splitlines())
        except InputError as error:
            raise InputError(
                error.message, file=name, line=error.line, column=error.column
            ) from None
        table = table_from_grid(grid, name=name, reader="webtable", encoding=encoding)
        table.sha256 = hashlib.sha256(data).hexdigest()
        return table
    if kind == "listform":
        import hashlib

        check_lines(data, limits, name=name)
        text, encoding = decode_source(data, name=name)
        lines = [
            GridRow((line,), line=k, location=f"line {k}")
            for k, line in enumerate(text.splitlines(), start=1)
        ]
        for line in lines:
            limits.check_cell(line.cells[0], file=name, place=line.location)
        table = listform_table(lines, name=name, reader="listform", encoding=encoding)
        table.sha256 = hashlib.sha256(data).hexdigest()
        return table
    if kind in ("docx", "doc"):
        from fenjie.graph._docx import convert_doc, read_docx_bytes

        if kind == "doc":
            converted = convert_doc(data, name=name)
            return read_docx_bytes(converted, name=name, reader="doc", limits=limits)
        return read_docx_bytes(data, name=name, limits=limits)
    if kind == "xlsx":
        from fenjie.graph._xlsx import read_xlsx_bytes

        return read_xlsx_bytes(data, name=name, limits=limits)
    if kind == "xls":
        from fenjie.graph._xlsx import read_xls_bytes

        return read_xls_bytes(data, name=name, limits=limits)
    if kind == "pdf":
        from fenjie.graph._pdf import read_pdf_bytes

        return read_pdf_bytes(data, name=name, limits=limits)
    raise InputError(_REFUSALS.get(kind) or _binary_message(data), file=name)


_REFUSALS = {
    "encrypted": "the file is a password-protected (encrypted) Office document; "
    "remove the password in Word or Excel and save it again",
    "zip": "a ZIP archive that is neither a Word .docx nor an Excel .xlsx file",
    "ole": "an old-style Office file that is neither a Word .doc nor an Excel .xls file",
}


def _binary_message(data: bytes) -> str:
    what = next((v for k, v in _BINARY.items() if data.startswith(k)), "a binary file")
    return (
        f"not a table: this is {what}; fenjie reads Word (.docx/.doc), Excel (.xlsx/.xls), PDF, "
        "CSV/tab-separated text and list-form plans"
    )


def read_table(source: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> Table:
    """Read one source file into a :class:`~fenjie.graph.Table`, choosing the reader by content."""
    path = Path(source)
    try:
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise InputError("is a directory, not a table file", file=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from exc
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
        raise InputError("is a directory, not a table file", file=name) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=name) from exc
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise InputError("the source is empty", file=name, line=1, column=1)
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
                f"no sheet holds a header row (sheets: {'、'.join(s.title for s in sheets)})",
                file=name,
            )
        return SourceGrid(name, kind, digest, rows)
    if kind == "pdf":
        from fenjie.graph._pdf import pdf_grid

        return SourceGrid(name, kind, digest, pdf_grid(data, name=name))
    if kind in ("tsv", "csv", "listform"):
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
    raise InputError(_REFUSALS.get(kind) or _binary_message(data), file=name)
