"""Read PDF tables with pdfplumber: ruled tables across pages, merged cells, broken lines rejoined.

Every ruled table on every page is read in order; a header repeated on each page is dropped by the
header logic, a cell's text broken over lines is rejoined (:func:`~fenjie.graph._grid.join_lines`),
and a cell that a merge covers is found by its rectangle. Provenance is ``"page P, table T, row R"``.
A PDF without ruled tables but with numbered tasks and 牵头单位/责任单位 lines is read as a list-form
plan, line by line. A PDF with no text layer (a scan) is refused with a message saying so.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import warnings
from collections.abc import Iterator
from typing import Any

from fenjie.errors import InputError
from fenjie.graph._grid import Covered, RawRow, join_lines, resolve_merges
from fenjie.graph._limits import DEFAULT_LIMITS, Limits
from fenjie.graph._listform import has_role_lines, listform_table
from fenjie.graph._reader import Source
from fenjie.graph._script import CONVERTED, simplified_rows
from fenjie.graph._table import GridRow, Table, table_from_grid

__all__ = ["READER", "PdfReader", "pdf_grid", "read_pdf_bytes"]

_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def _inside(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    x, y = point
    return box[0] - 1 <= x <= box[2] + 1 and box[1] - 1 <= y <= box[3] + 1


@contextlib.contextmanager
def _pdfminer_quiet() -> Iterator[None]:
    """pdfminer logs what it repairs in a damaged file (and pdfplumber may warn); the reader says
    what matters in its own one-line error, so nothing else reaches the terminal meanwhile."""
    logger = logging.getLogger("pdfminer")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _table_rows(
    table: Any, page_no: int, t: int, first: int, *, name: str, limits: Limits
) -> list[RawRow]:
    texts = table.extract(x_tolerance=1.5, y_tolerance=3)
    origins: dict[tuple[float, float, float, float], tuple[int, int]] = {}
    for r, row in enumerate(table.rows):
        for c, box in enumerate(row.cells):
            if box is not None:
                x0, top, x1, bottom = box
                origins.setdefault((x0, top, x1, bottom), (r, c))
    xs = [col.bbox for col in table.columns]
    rows = []
    for r, row in enumerate(table.rows):
        cells: list[str | Covered] = []
        for c, box in enumerate(row.cells):
            if box is not None:
                text = join_lines(texts[r][c] or "")
                place = f"page {page_no}, table {t}, row {r + 1}, cell {c + 1}"
                limits.check_cell(text, file=name, place=place)
                cells.append(text)
                continue
            centre = ((xs[c][0] + xs[c][2]) / 2, (row.bbox[1] + row.bbox[3]) / 2)
            cover = next((o for b, o in origins.items() if _inside(centre, b)), None)
            cells.append(Covered(first + cover[0], cover[1]) if cover else "")
        where = f"page {page_no}, table {t}, row {r + 1}"
        rows.append(RawRow(cells, line=first + r + 1, location=where))
    return rows


def _open(data: bytes, name: str, limits: Limits) -> Any:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        _ = pdf.pages  # parses the page tree
    except PDFPasswordIncorrect as exc:
        raise InputError(
            "PDF 有密码保护：请先去掉密码 (the PDF is password-protected)", file=name
        ) from exc
    except (PDFSyntaxError, Exception) as exc:
        if "password" in str(exc).lower() or "PDFPassword" in type(exc).__name__:
            raise InputError(
                "PDF 有密码保护：请先去掉密码 (the PDF is password-protected)", file=name
            ) from exc
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise InputError(
            f"无法读取的 PDF（已损坏？） (not a readable PDF)：{message}", file=name
        ) from exc
    if not pdf.pages:  # no page tree was found, e.g. behind a broken cross-reference table
        pdf.close()
        raise InputError(
            "找不到 PDF 的页面（交叉引用表或页面树已损坏？）：请重新保存或打印为 PDF "
            "(the PDF's pages cannot be found)",
            file=name,
        )
    limits.check("pages", len(pdf.pages), file=name, place="", what=f"{len(pdf.pages):,} pages")
    return pdf


def _pages(
    data: bytes, name: str, limits: Limits
) -> tuple[list[RawRow], list[GridRow], list[int], int, int]:
    """Preamble lines and ruled tables' rows; text lines of table-less pages; blank pages; the
    page count; the table count."""
    with _pdfminer_quiet():
        return _read_pages(data, name, limits)


def _read_pages(
    data: bytes, name: str, limits: Limits
) -> tuple[list[RawRow], list[GridRow], list[int], int, int]:
    pdf = _open(data, name, limits)
    with pdf:
        rows: list[RawRow] = []
        lines: list[GridRow] = []
        blank_pages: list[int] = []
        t = 0
        try:
            for page_no, page in enumerate(pdf.pages, start=1):
                if not page.chars:
                    blank_pages.append(page_no)
                    continue
                tables = sorted(page.find_tables(_SETTINGS), key=lambda tb: tb.bbox[1])
                if not tables:
                    text_lines = (page.extract_text() or "").splitlines()
                else:
                    top = max(tables[0].bbox[1], 1)
                    text_lines = (
                        page.crop((0, 0, page.width, top)).extract_text() or ""
                    ).splitlines()
                for k, line in enumerate(text_lines, start=1):
                    if not line.strip():
                        continue
                    where = f"page {page_no}, line {k}"
                    if not tables:
                        lines.append(GridRow((line,), line=len(lines) + 1, location=where))
                    if t == 0:  # text above the first table: title and preamble
                        rows.append(RawRow([line.strip()], line=len(rows) + 1, location=where))
                for tb in tables:
                    t += 1
                    rows.extend(_table_rows(tb, page_no, t, len(rows), name=name, limits=limits))
                    limits.check(
                        "rows",
                        len(rows),
                        file=name,
                        place=f"page {page_no}, table {t}",
                        what=f"{len(rows):,} rows",
                    )
        except InputError:
            raise
        except Exception as exc:  # pdfminer errors inside a damaged page
            message = " ".join(str(exc).split()) or type(exc).__name__
            raise InputError(
                f"无法读取 PDF 的页面 (cannot read the PDF's pages)：{message}", file=name
            ) from exc
        n_pages = len(pdf.pages)
    return rows, lines, blank_pages, n_pages, t


def _no_text_layer(blank_pages: list[int], n_pages: int, name: str) -> InputError:
    pages = "第 1 页没有文字" if n_pages == 1 else f"第 1–{n_pages} 页都没有文字"
    return InputError(
        f"PDF 没有文字层（{pages}：扫描件？）：请先做文字识别（OCR），"
        "或使用原始 Word 或 Excel 文件 (the PDF has no text layer)",
        file=name,
        page=1,
    )


def pdf_grid(data: bytes, *, name: str, limits: Limits = DEFAULT_LIMITS) -> list[GridRow]:
    """The PDF's grid (preamble lines, then every ruled table's rows, merges resolved), for
    tables of any shape (e.g. progress tables)."""
    rows, _, blank_pages, n_pages, t = _pages(data, name, limits)
    if len(blank_pages) == n_pages:
        raise _no_text_layer(blank_pages, n_pages, name)
    if t == 0:
        raise InputError("PDF 中没有带表格线的表格 (the PDF holds no ruled table)", file=name)
    return resolve_merges(rows)


def read_pdf_bytes(data: bytes, *, name: str, limits: Limits = DEFAULT_LIMITS) -> Table:
    """Read a PDF given as bytes; ``name`` is used in messages and provenance."""
    rows, lines, blank_pages, n_pages, t = _pages(data, name, limits)
    if len(blank_pages) == n_pages:
        raise _no_text_layer(blank_pages, n_pages, name)
    if t == 0:
        lines, converted = simplified_rows(lines)  # a copy in traditional characters
        if has_role_lines(g.cells[0] for g in lines):
            table = listform_table(lines, name=name, reader="pdf-list")
            table.sha256 = hashlib.sha256(data).hexdigest()
            table.encoding = f"utf-8, {CONVERTED}" if converted else table.encoding
            return table
        where = f"（第 {'、'.join(map(str, blank_pages))} 页没有文字层）" if blank_pages else ""
        raise InputError(
            f"PDF 中既没有带表格线的表格，也没有下接 牵头单位/责任单位 行的任务列表{where} "
            "(the PDF holds no ruled table and no list of tasks with 牵头单位/责任单位 lines)",
            file=name,
            page=blank_pages[0] if blank_pages else None,
        )
    grid, converted = simplified_rows(resolve_merges(rows))  # a copy in traditional characters
    encoding = f"utf-8, {CONVERTED}" if converted else "utf-8"
    table = table_from_grid(grid, name=name, reader="pdf", encoding=encoding)
    table.sha256 = hashlib.sha256(data).hexdigest()
    return table


class PdfReader:
    name = "pdf"
    recognised_by = "`%PDF`"
    provenance = "`page 2, table 1, row 4`"

    def sniff(self, source: Source) -> bool:
        return source.data.startswith(b"%PDF") or b"%PDF-" in source.data[:1024]

    def read(self, source: Source, limits: Limits) -> Table:
        return read_pdf_bytes(source.data, name=source.name, limits=limits)


READER = PdfReader()
