"""The 督查通报 a programme office circulates, as Word (.docx) or Excel (.xlsx).

Made from a progress answer (:func:`fenjie.progress.derive.progress`): summary counts, completion
by lead unit, and the overdue list with the responsible units. The Word layout follows the usual
official style (GB/T 9704): A4, margins 3.7/3.5/2.8/2.6 cm, title in 小标宋 22 pt, headings in
黑体 16 pt, text in 仿宋 16 pt with 28 pt lines, tables in 仿宋 10.5 pt. Where those fonts are not
installed (most Linux machines), LibreOffice and Word substitute them; each run also names Noto
CJK in its ``w:rFonts`` for the characters outside the East Asian range.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["FONTS", "write_notice", "notice_title"]

FONTS = {"title": "方正小标宋简体", "heading": "黑体", "body": "仿宋", "latin": "Times New Roman"}
_FALLBACK = {
    "title": "Noto Serif CJK SC",
    "heading": "Noto Sans CJK SC",
    "body": "Noto Serif CJK SC",
}


def _cn_date(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.year}年{d.month}月{d.day}日"


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def notice_title(answer: dict[str, Any], plan_title: str | None = None) -> str:
    name = (plan_title or "").split("（")[0].strip()
    for suffix in ("目标任务分解表", "任务分解表", "分解表", "目标任务"):
        name = name.removesuffix(suffix)
    return f"关于{name}目标任务推进情况的通报" if name else "关于目标任务推进情况的通报"


def _summary(answer: dict[str, Any]) -> str:
    s = answer["summary"]
    not_reported = sum(1 for t in answer["targets"] if t["status"] == "未报送")
    return (
        f"截至{_cn_date(answer['as_of'])}，纳入督办的目标任务共{s['targets']}项，"
        f"已完成（含基本完成）{s['completed']}项，完成率{_pct(s['rate'])}；"
        f"报告滞后{s['late']}项，逾期未完成{s['overdue']}项，未报送进展{not_reported}项，"
        f"有延误风险{s['at_risk']}项。"
    )


def _lead_rows(answer: dict[str, Any]) -> list[list[str]]:
    units = [u for u in answer["units"] if u["lead"]["targets"]]
    units.sort(
        key=lambda u: (-u["lead"]["overdue"], u["lead"]["rate"] or 0, u["unit"]["label"] or "")
    )
    return [
        [str(k), u["unit"]["label"] or u["unit"]["iri"], str(u["lead"]["targets"])]
        + [str(u["lead"]["completed"]), str(u["lead"]["late"]), str(u["lead"]["overdue"])]
        + [_pct(u["lead"]["rate"])]
        for k, u in enumerate(units, start=1)
    ]


def _overdue_rows(answer: dict[str, Any]) -> list[list[str]]:
    rows: list[list[str]] = []
    for t in (t for t in answer["targets"] if t["overdue"]):
        units = "、".join(u["label"] or u["iri"] for u in t["units"] if u["role"] != "supporting")
        rows.append(
            [str(len(rows) + 1), str(t["year"] or ""), t["work_item"]["label"], t["text"], units]
            + [t["status"], t["due"] or ""]
        )
    return rows


LEAD_HEADER = ["序号", "牵头单位", "牵头目标", "已完成", "滞后", "逾期", "完成率"]
OVERDUE_HEADER = ["序号", "年度", "工作内容", "目标", "责任单位", "状态", "到期日"]


def write_notice(
    answer: dict[str, Any], path: str | os.PathLike[str], *, plan_title: str | None = None
) -> Path:
    """Write the notice as ``.docx`` or ``.xlsx`` (by the file's suffix), atomically."""
    where = Path(path)
    suffix = where.suffix.lower()
    if suffix not in (".docx", ".xlsx"):
        from fenjie.errors import ParameterError

        raise ParameterError(
            f"通报只能写成 .docx 或 .xlsx，不能是 {where.suffix or '无后缀'!r} (the notice is written as .docx or .xlsx)"
        )
    staging = where.with_name(f".{where.name}.tmp{suffix}")
    title = notice_title(answer, plan_title)
    if suffix == ".docx":
        _docx(answer, staging, title)
    else:
        _xlsx(answer, staging, title)
    os.replace(staging, where)  # a reader never sees half a file
    return where


def _font(run: Any, role: str, size: float, *, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = FONTS["latin"]
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONTS[role])
    fonts.set(qn("w:cs"), _FALLBACK[role])  # complex-script slot: a font every Linux box has


def _paragraph(
    doc: Any,
    text: str,
    role: str,
    size: float,
    *,
    center: bool = False,
    indent: bool = False,
    bold: bool = False,
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28 if size >= 16 else 18)
    fmt.space_after = Pt(0)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if indent:
        fmt.first_line_indent = Pt(size * 2)  # 首行缩进两字
    _font(p.add_run(text), role, size, bold=bold)


def _table(
    doc: Any, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
) -> None:
    from docx.shared import Cm

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), "heading", 10.5)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), "body", 10.5)
    for row in table.rows:  # Word reads the cell widths, LibreOffice the grid: set both
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)


def _docx(answer: dict[str, Any], path: Path, title: str) -> None:
    import docx
    from docx.shared import Cm

    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _paragraph(doc, title, "title", 22, center=True)
    _paragraph(doc, f"（截至{_cn_date(answer['as_of'])}）", "body", 16, center=True)
    _paragraph(doc, "一、总体情况", "heading", 16)
    _paragraph(doc, _summary(answer), "body", 16, indent=True)
    _paragraph(doc, "二、各牵头单位完成情况", "heading", 16)
    _table(doc, LEAD_HEADER, _lead_rows(answer), (1.1, 5.4, 1.9, 1.7, 1.5, 1.5, 2.0))
    overdue = _overdue_rows(answer)
    _paragraph(doc, f"三、逾期未完成目标（{len(overdue)}项）", "heading", 16)
    if overdue:
        _table(doc, OVERDUE_HEADER, overdue, (1.1, 1.3, 2.6, 4.6, 2.8, 1.6, 2.6))
    else:
        _paragraph(doc, "无。", "body", 16, indent=True)
    _paragraph(doc, "四、工作要求", "heading", 16)
    _paragraph(
        doc,
        "请各责任单位对照逾期清单，逐项明确整改措施和完成时限，抓紧推进，并按时报送进展情况。",
        "body",
        16,
        indent=True,
    )
    doc.save(str(path))


def _xlsx(answer: dict[str, Any], path: Path, title: str) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.worksheet import Worksheet

    book = openpyxl.Workbook()
    head = Font(name=FONTS["heading"], bold=True, size=11)
    body = Font(name=FONTS["body"], size=11)
    sheets = [
        (
            "总体情况",
            ["项目", "内容"],
            [["通报", title], ["截至", _cn_date(answer["as_of"])], ["总体情况", _summary(answer)]],
        ),
        ("各牵头单位", LEAD_HEADER, _lead_rows(answer)),
        ("逾期清单", OVERDUE_HEADER, _overdue_rows(answer)),
    ]
    for k, (name, header, rows) in enumerate(sheets):
        sheet = book.active if k == 0 else book.create_sheet()
        assert isinstance(sheet, Worksheet)  # a new workbook opens on a worksheet
        sheet.title = name
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = head
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                cell.font = body
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for column, width in zip("ABCDEFG", (8, 24, 30, 40, 30, 10, 12), strict=False):
            sheet.column_dimensions[column].width = width
    book.save(path)
