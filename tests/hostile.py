"""Generated hostile inputs for the readers: damaged, oversized and bomb files, made in memory.

Shared by ``tests/test_readers_hostile.py``, ``tests/test_readers_fuzz.py`` and the longer fuzz
command (``python tests/fuzz_readers.py``). Every maker returns the bytes of one file.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

__all__ = [
    "HEADER",
    "cfb",
    "docx_bytes",
    "docx_with_xml",
    "tsv_bytes",
    "xlsx_bytes",
    "xlsx_with_sheet_xml",
    "zip_version_damaged",
]

HEADER = ["主要任务", "工作内容", "2023年目标", "责任单位"]
ROW = ["平台", "1、网站", "建成", "县科技局"]


def tsv_bytes(rows: list[list[str]] | None = None, *, title: str = "某县任务分解表") -> bytes:
    """A small tab-separated plan: a title, the header and ``rows`` (default: one work item)."""
    lines = [title, "\t".join(HEADER)] + ["\t".join(r) for r in rows or [ROW]]
    return ("\n".join(lines) + "\n").encode("utf-8")


def docx_bytes(rows: list[list[str]] | None = None) -> bytes:
    """A Word document holding one table (header and ``rows``), made with python-docx."""
    import docx

    document = docx.Document()
    document.add_paragraph("某县重点工作任务分解表")
    table_rows = [HEADER] + (rows or [ROW])
    table = document.add_table(rows=len(table_rows), cols=len(HEADER))
    for r, row in enumerate(table_rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _replace_member(data: bytes, member: str, edit: object) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename == member:
                content = edit(content)  # type: ignore[operator]
            zout.writestr(item, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def docx_with_xml(edit: object, data: bytes | None = None) -> bytes:
    """:func:`docx_bytes` with ``word/document.xml`` passed through ``edit(bytes) -> bytes``."""
    return _replace_member(data or docx_bytes(), "word/document.xml", edit)


def xlsx_bytes(rows: list[list[object]] | None = None) -> bytes:
    """An Excel workbook with one sheet 任务表: the header and ``rows``, made with openpyxl."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "任务表"
    for row in [HEADER] + (rows or [ROW]):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_with_sheet_xml(edit: object, data: bytes | None = None) -> bytes:
    """:func:`xlsx_bytes` with its first sheet's XML passed through ``edit(bytes) -> bytes``."""
    return _replace_member(data or xlsx_bytes(), "xl/worksheets/sheet1.xml", edit)


def zip_version_damaged(data: bytes) -> bytes:
    """``data`` (a ZIP) with every central-directory entry claiming ZIP version 15.0, which Python's
    zipfile refuses with NotImplementedError."""
    out = bytearray(data)
    for match in re.finditer(rb"PK\x01\x02", data):
        out[match.start() + 6] = 150  # "version needed to extract": 15.0
    return bytes(out)


def cfb(streams: list[str], *, cut: int | None = None) -> bytes:
    """A minimal OLE compound file (the container of .xls/.doc) whose directory names ``streams``,
    cut to ``cut`` bytes of its directory sector: a truncated file as a broken download leaves it."""
    header = bytearray(512)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 44, 1)  # one FAT sector
    struct.pack_into("<I", header, 48, 1)  # the directory starts at sector 1
    struct.pack_into("<I", header, 56, 4096)
    struct.pack_into("<IIII", header, 60, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 76, 0, *[0xFFFFFFFF] * 108)
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *[0xFFFFFFFF] * 126)
    directory = bytearray(512)
    for i, (name, kind) in enumerate([("Root Entry", 5)] + [(s, 2) for s in streams]):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\0\0"
        entry[0 : len(encoded)] = encoded
        struct.pack_into("<H", entry, 64, len(encoded))
        entry[66] = kind
        struct.pack_into("<III", entry, 68, 0xFFFFFFFF, 0xFFFFFFFF, 1 if i == 0 else 0xFFFFFFFF)
        struct.pack_into("<I", entry, 116, 0xFFFFFFFE)
        directory[i * 128 : (i + 1) * 128] = entry
    return bytes(header) + fat + bytes(directory)[: 512 if cut is None else cut]


# ------------------------------------------------------------------ size and bomb cases
def xlsx_cell_at(coordinate: str) -> bytes:
    """:func:`xlsx_bytes` plus one more cell far away (``A1048576``, ``XFD1048576``)."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes()))
    book.active[coordinate] = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_merged(cells: str) -> bytes:
    """:func:`xlsx_bytes` with the merged range ``cells`` (e.g. ``A1:XFD1048576``) written into the
    sheet XML (openpyxl itself would make every covered cell)."""
    merge = b'<mergeCells count="1"><mergeCell ref="%s"/></mergeCells>' % cells.encode()
    return xlsx_with_sheet_xml(lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + merge, 1))


def docx_grid_span(span: int) -> bytes:
    """:func:`docx_bytes` whose first cell spans ``span`` grid columns."""
    return docx_with_xml(
        lambda xml: xml.replace(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="%d"/>' % span, 1)
    )


def _padded(xml: bytes, size: int) -> bytes:
    """``xml`` grown to about ``size`` bytes by paragraphs of one repeated character before its
    last closing tag: what a ZIP bomb holds (it compresses about 1000 to 1)."""
    paragraph = b"<w:p><w:r><w:t>" + b"\xe5\x85\xab" * 3000 + b"</w:t></w:r></w:p>"
    end = xml.rindex(b"</w:body>")
    return xml[:end] + paragraph * (size // len(paragraph) + 1) + xml[end:]


def docx_bomb(size: int) -> bytes:
    """A .docx whose document.xml inflates to about ``size`` bytes."""
    return docx_with_xml(lambda xml: _padded(xml, size))


def xlsx_bomb(size: int) -> bytes:
    """An .xlsx whose sheet XML inflates to about ``size`` bytes (one long shared cell text)."""
    row = b'<row r="3"><c r="A3" t="inlineStr"><is><t>' + b"x" * size + b"</t></is></c></row>"
    return xlsx_with_sheet_xml(lambda xml: xml.replace(b"</sheetData>", row + b"</sheetData>", 1))


def tsv_rows(count: int) -> bytes:
    """A tab-separated plan of ``count`` work items."""
    rows = [["平台", f"{k}、建设第{k}个平台", "建成3个", "县科技局"] for k in range(1, count + 1)]
    return tsv_bytes(rows)


def tsv_long_cell(chars: int) -> bytes:
    """A tab-separated plan whose one target cell holds about ``chars`` characters of targets."""
    unit = "新引进30个以上高端创新团队（其中3个以上国际顶尖创新团队），培育3个千亿级、两个百亿级产业集群；"
    cell = (unit * (chars // len(unit) + 1))[:chars]
    return tsv_bytes([[ROW[0], ROW[1], cell, ROW[3]]])


def pdf_bytes(content: bytes, *, page_type: bytes = b"/Page") -> bytes:
    """A one-page PDF whose page draws the uncompressed ``content`` stream, with a correct
    cross-reference table; ``page_type`` other than ``/Page`` leaves it without pages."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type " + page_type + b" /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def tsv_one_sentence_cell(chars: int) -> bytes:
    """A plan whose target cell is one sentence of about ``chars`` characters holding a quantity
    every 6 characters (``建设3个平台和5个园区和…``): the worst case of quantity extraction."""
    unit = "建设3个平台和5个园区"
    return tsv_bytes([[ROW[0], ROW[1], (unit * (chars // len(unit) + 1))[:chars], ROW[3]]])
