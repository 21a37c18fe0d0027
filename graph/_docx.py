"""Read Word ``.docx`` (and ``.doc`` through LibreOffice): every table, merged cells, the title.

The document body is walked in order. Paragraphs before the first table are the preamble (the last
one that is not "附件" is the title); every table's rows follow, with merged cells resolved by
:func:`~fenjie.graph._grid.resolve_merges` and the header found wherever it repeats (a table split
over pages, each part with its header, reads as one table). Provenance is ``"table T, row R"``.
A document holding no table but numbered tasks with 牵头单位/责任单位 lines is read as a list-form
plan (:mod:`fenjie.graph._listform`), with ``"paragraph N"`` as provenance.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fenjie.errors import InputError
from fenjie.graph._grid import Covered, RawRow, resolve_merges
from fenjie.graph._limits import DEFAULT_LIMITS, Limits, check_zip
from fenjie.graph._listform import has_role_lines, listform_table
from fenjie.graph._reader import Source
from fenjie.graph._script import CONVERTED, simplified_rows
from fenjie.graph._table import GridRow, Table, table_from_grid

__all__ = [
    "DOCX_READER",
    "DOC_READER",
    "DocReader",
    "DocxReader",
    "convert_doc",
    "docx_grid",
    "read_docx_bytes",
]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: an lxml element of the document (python-docx ships no type information)
Element = Any


def _attr(el: Element | None, name: str) -> str | None:
    return el.get(_W + name) if el is not None else None


def _whole_number(el: Element, name: str, *, file: str, where: str, least: int) -> int:
    """The integer attribute ``w:{name}`` of ``el`` (absent: ``least``), or a clear InputError."""
    text = _attr(el, "val")
    if text is None:
        return least
    try:
        value = int(text)
    except ValueError:
        value = least - 1
    if value < least:
        raise InputError(
            f"{where}: w:{name} 为 {text!r}，应为不小于 {least} 的整数 "
            f"(not a whole number of at least {least})",
            file=file,
        )
    return value


def _paragraph_text(p: Element) -> str:
    parts = []
    for el in p.iter():
        if el.tag == _W + "t":
            parts.append(el.text or "")
        elif el.tag == _W + "tab":
            parts.append("\t")
        elif el.tag in (_W + "br", _W + "cr") and _attr(el, "type") in (None, "textWrapping"):
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc: Element) -> str:
    paragraphs = [_paragraph_text(p) for p in tc.iter(_W + "p")]
    return "\n".join(p.strip() for p in paragraphs if p.strip())


def _children(el: Element, tag: str) -> list[Element]:
    """Direct children with ``tag``, looking through content controls (``w:sdt``)."""
    found = []
    for child in el:
        if child.tag == _W + tag:
            found.append(child)
        elif child.tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                found.extend(_children(content, tag))
    return found


class _Budget:
    """Grid positions and rows counted while a document is read, against the limits: a span is
    checked before the positions it covers are made."""

    def __init__(self, limits: Limits, name: str) -> None:
        self.limits, self.name, self.cells, self.rows = limits, name, 0, 0

    def take(self, cells: int, where: str) -> None:
        self.cells += cells
        self.limits.check(
            "cells",
            self.cells,
            file=self.name,
            place=where,
            what=f"the tables reach {self.cells:,} grid cells",
        )

    def row(self, where: str) -> None:
        self.rows += 1
        self.limits.check(
            "rows", self.rows, file=self.name, place=where, what=f"over {self.rows - 1:,} rows"
        )


def _table_rows(tbl: Element, t: int, first: int, *, name: str, budget: _Budget) -> list[RawRow]:
    """One table's rows; ``first`` is the index its first row will have in the whole grid."""
    rows: list[RawRow] = []
    for r, tr in enumerate(_children(tbl, "tr")):
        where = f"table {t}, row {r + 1}"
        budget.row(where)
        cells: list[str | Covered] = []
        tr_pr = tr.find(_W + "trPr")
        before = tr_pr.find(_W + "gridBefore") if tr_pr is not None else None
        if before is not None:
            skip = _whole_number(before, "gridBefore", file=name, where=where, least=0)
            budget.take(skip, where)
            cells.extend([Covered(first + r, 0)] * skip)
        for tc in _children(tr, "tc"):
            tc_pr = tc.find(_W + "tcPr")
            span = tc_pr.find(_W + "gridSpan") if tc_pr is not None else None
            vmerge = tc_pr.find(_W + "vMerge") if tc_pr is not None else None
            col = len(cells)
            if vmerge is not None and _attr(vmerge, "val") in (None, "continue") and rows:
                above = rows[-1].cells[col] if col < len(rows[-1].cells) else None
                origin = above if isinstance(above, Covered) else Covered(first + r - 1, col)
                cells.append(origin)
            else:
                text = _cell_text(tc)
                budget.limits.check_cell(text, file=name, place=f"{where}, cell {col + 1}")
                cells.append(text)
            budget.take(1, where)
            if span is not None:
                width = _whole_number(span, "gridSpan", file=name, where=where, least=1)
                budget.take(width - 1, where)
                cells.extend([Covered(first + r, col)] * (width - 1))
        rows.append(RawRow(cells, line=first + r + 1, location=where))
    return rows


def _open(data: bytes, name: str, limits: Limits) -> Any:
    import docx  # python-docx

    check_zip(data, limits, file=name)
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, NotImplementedError) as exc:
        raise InputError(
            f"无法读取的 Word 文档（.docx 已损坏？） (not a readable Word document)：{_one_line(exc)}",
            file=name,
        ) from exc
    except Exception as exc:  # lxml's XMLSyntaxError and friends from a damaged part
        raise InputError(
            f"Word 文档已损坏 (the Word document is damaged)：{_one_line(exc)}", file=name
        ) from exc


def _body(document: Any, name: str) -> Element:
    """The document's ``w:body``; a document.xml whose root is not ``w:document`` (python-docx
    then hands a plain element) or that has no body is damaged."""
    body = getattr(document.element, "body", None)
    if body is None:
        raise InputError(
            "Word 文档已损坏：word/document.xml 中没有带 w:body 的 w:document "
            "(the Word document is damaged)",
            file=name,
        )
    return body


def _one_line(exc: BaseException) -> str:
    """An exception's text on one line (lxml's messages can span several)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _body_rows(
    document: Any, name: str, limits: Limits = DEFAULT_LIMITS
) -> tuple[list[RawRow], int]:
    """The preamble paragraphs and every table's rows, in document order; and the table count."""
    body = _body(document, name)
    rows: list[RawRow] = []
    budget = _Budget(limits, name)
    n_tables = n_paragraphs = 0
    for el in _iter_body(body):
        if el.tag == _W + "p":
            n_paragraphs += 1
            text = _paragraph_text(el).strip()
            if text and not n_tables:  # text before the first table: title and preamble
                where = f"paragraph {n_paragraphs}"
                rows.append(RawRow([text], line=len(rows) + 1, location=where))
        else:
            n_tables += 1
            rows.extend(_table_rows(el, n_tables, len(rows), name=name, budget=budget))
    return rows, n_tables


def docx_grid(data: bytes, *, name: str, limits: Limits = DEFAULT_LIMITS) -> list[GridRow]:
    """The document's grid (preamble paragraphs, then every table's rows, merges resolved), for
    tables of any shape (e.g. progress tables); refuses a document without a table."""
    rows, n_tables = _body_rows(_open(data, name, limits), name, limits)
    if not n_tables:
        raise InputError("Word 文档中没有表格 (the Word document holds no table)", file=name)
    return resolve_merges(rows)


def read_docx_bytes(
    data: bytes, *, name: str, reader: str = "docx", limits: Limits = DEFAULT_LIMITS
) -> Table:
    """Read a ``.docx`` given as bytes; ``name`` is used in messages and provenance."""
    document = _open(data, name, limits)
    body = _body(document, name)
    rows, n_tables = _body_rows(document, name, limits)
    if not n_tables:
        lines = [
            GridRow((_paragraph_text(p).strip(),), line=k, location=f"paragraph {k}")
            for k, p in enumerate((e for e in _iter_body(body) if e.tag == _W + "p"), start=1)
        ]
        limits.check("rows", len(lines), file=name, place="", what=f"{len(lines):,} paragraphs")
        for line in lines:
            limits.check_cell(line.cells[0], file=name, place=line.location)
        lines, converted = simplified_rows(lines)  # a copy in traditional characters
        if has_role_lines(r.cells[0] for r in lines):
            table = listform_table(lines, name=name, reader=f"{reader}-list")
            table.sha256 = hashlib.sha256(data).hexdigest()
            table.encoding = f"utf-8, {CONVERTED}" if converted else table.encoding
            return table
        raise InputError(
            "Word 文档中既没有表格，也没有下接 牵头单位/责任单位 行的任务列表 "
            "(the Word document holds no table and no list of tasks with 牵头单位/责任单位 lines)",
            file=name,
        )
    grid, converted = simplified_rows(resolve_merges(rows))  # a copy in traditional characters
    encoding = f"utf-8, {CONVERTED}" if converted else "utf-8"
    table = table_from_grid(grid, name=name, reader=reader, encoding=encoding)
    table.sha256 = hashlib.sha256(data).hexdigest()
    return table


def _iter_body(body: Element) -> Iterator[Element]:
    for child in body:
        if child.tag in (_W + "p", _W + "tbl"):
            yield child
        elif child.tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _iter_body(content)


def convert_doc(data: bytes, *, name: str, timeout: float = 120.0) -> bytes:
    """Convert a legacy ``.doc`` to ``.docx`` bytes with LibreOffice headless.

    Raises :class:`~fenjie.errors.InputError` telling the user how when LibreOffice is missing.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise InputError(
            "这是旧版 Word .doc 文件：请安装 LibreOffice（Debian：apt-get install "
            "libreoffice-writer-nogui）以便 fenjie 转换，或另存为 .docx (a legacy Word .doc file)",
            file=name,
        )
    with tempfile.TemporaryDirectory(prefix="fenjie-doc-") as tmp:
        src = Path(tmp) / "source.doc"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx",
            "--outdir",
            tmp,
            str(src),
        ]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False, env=_env())
        except subprocess.TimeoutExpired as exc:
            raise InputError(
                f"LibreOffice 未能在 {timeout:.0f} 秒内转换该 .doc (the conversion timed out)",
                file=name,
            ) from exc
        out = Path(tmp) / "source.docx"
        if not out.exists():
            raise InputError(
                "LibreOffice 无法转换该 .doc（文件已损坏？） (LibreOffice could not convert this .doc)",
                file=name,
            )
        return out.read_bytes()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("HOME", tempfile.gettempdir())
    return env


class DocxReader:
    name = "docx"
    recognised_by = "a ZIP holding `word/document.xml`"
    provenance = "`table 2, row 3`"

    def sniff(self, source: Source) -> bool:
        return source.zip_holds("word/document.xml")

    def read(self, source: Source, limits: Limits) -> Table:
        return read_docx_bytes(source.data, name=source.name, limits=limits)


class DocReader:
    name = "doc"
    recognised_by = "an OLE file with a `WordDocument` stream"
    provenance = "`table 2, row 3`"

    def sniff(self, source: Source) -> bool:
        return not source.encrypted_office and source.ole_holds("WordDocument")

    def read(self, source: Source, limits: Limits) -> Table:
        converted = convert_doc(source.data, name=source.name)
        return read_docx_bytes(converted, name=source.name, reader="doc", limits=limits)


DOCX_READER, DOC_READER = DocxReader(), DocReader()
