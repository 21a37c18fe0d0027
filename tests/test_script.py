"""Plans in traditional characters (a 繁体版 page, a mirror site's copy) read as the simplified text
they were converted from; simplified text is never touched (graph/_script.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fenjie.graph import read_table
from fenjie.graph._script import simplified
from tests.fenjie_runs import Cli
from tests.test_readers import needs_soffice, soffice_convert
from tests.test_readers_errors import plain_docx

# one task of a county plan, written by hand in both scripts (the traditional one with Taiwan's
# phrases, as converting sites write it: 最佳化 for 优化, 網際網路 for 互联网)
SIMPLIFIED = """某县2024年深化“放管服”改革优化营商环境工作要点
一、推动审批全链条优化
1.推进“互联网+监管”。建成县级监管平台。
牵头单位：县政府办公室
责任单位：县行政审批服务局、县市场监管局
配合单位：各乡镇人民政府
完成时限：2024年6月底前
"""
TRADITIONAL = """某縣2024年深化“放管服”改革最佳化營商環境工作要點
一、推動審批全鏈條最佳化
1.推進“網際網路+監管”。建成縣級監管平台。
牽頭單位：縣政府辦公室
責任單位：縣行政審批服務局、縣市場監管局
配合單位：各鄉鎮人民政府
完成時限：2024年6月底前
"""

TABLE = [
    ["主要任务", "工作内容", "2024年目标", "牵头单位", "配合单位"],
    [
        "优化营商环境",
        "1、推进互联网+监管",
        "建成县级监管平台",
        "县政府办公室",
        "各乡镇人民政府",
    ],
    [
        "优化营商环境",
        "2、深化审批改革",
        "审批时限压减一半以上",
        "县行政审批服务局",
        "县直有关部门",
    ],
]
TRADITIONAL_TABLE = [
    ["主要任務", "工作內容", "2024年目標", "牽頭單位", "配合單位"],
    [
        "最佳化營商環境",
        "1、推進網際網路+監管",
        "建成縣級監管平台",
        "縣政府辦公室",
        "各鄉鎮人民政府",
    ],
    [
        "最佳化營商環境",
        "2、深化審批改革",
        "審批時限壓減一半以上",
        "縣行政審批服務局",
        "縣直有關部門",
    ],
]


def test_a_plan_in_traditional_characters_reads_as_the_simplified_plan(tmp_path: Path) -> None:
    (tmp_path / "simplified.txt").write_text(SIMPLIFIED, "utf-8")
    (tmp_path / "traditional.txt").write_text(TRADITIONAL, "utf-8")
    plain = read_table(tmp_path / "simplified.txt")
    converted = read_table(tmp_path / "traditional.txt")
    assert converted.reader == plain.reader == "listform"
    assert converted.title == plain.title
    assert [r.cells for r in converted.rows] == [r.cells for r in plain.rows]
    assert plain.encoding == "utf-8"
    assert converted.encoding == "utf-8, 繁体转简体"


# the same plan as some mirror sites copy it: readings after characters (發(fā)), as on the copies
# of 湘政发〔2024〕15号 and 绛政办发〔2023〕14号 the search tool returned
ANNOTATED = """某縣(xiàn)2024年深化“放管服”改革最佳化營商環(huán)境工作要點(diǎn)
一、推動(dòng)審批全鏈條最佳化
1.推進(jìn)“網際網路+監管”。建成縣(xiàn)級監管平台。
牽頭單位(wèi)：縣(xiàn)政府辦公室
責任單位：縣(xiàn)行政審批服務局、縣(xiàn)市場監管局
配合單位：各鄉(xiāng)鎮(zhèn)人民政府
完成時(shí)限：2024年6月底前
"""


def test_readings_a_mirror_wrote_after_characters_are_dropped(tmp_path: Path) -> None:
    (tmp_path / "simplified.txt").write_text(SIMPLIFIED, "utf-8")
    (tmp_path / "annotated.txt").write_text(ANNOTATED, "utf-8")
    plain = read_table(tmp_path / "simplified.txt")
    converted = read_table(tmp_path / "annotated.txt")
    assert converted.title == plain.title
    assert [r.cells for r in converted.rows] == [r.cells for r in plain.rows]
    # a bracket that is no reading stays: (a), (ABC), (管委会)
    text = "各县(市、区)政府(管委会)、A(a)、B(ABC)" + TRADITIONAL
    assert "各县(市、区)政府(管委会)、A(a)、B(ABC)" in simplified(text)[0]


def test_mainland_words_keep_their_reading_while_taiwan_phrases_convert(tmp_path: Path) -> None:
    # a copy converted character by character (广州 2006's mirror) keeps the mainland's words;
    # OpenCC's Taiwan phrase table would turn them into others (执行 → 运行, 新增 → 添加,
    # 文件 → 文档, 档案 → 文件, 核心区 → 内核区, 智慧城市 → 智能城市)
    plan = (
        "2023年重點工作分解方案\n一、產業\n"
        "1.建設以科學城為核心區的智慧城市。新增規模以上企業10家。"
        "（牽頭單位：市檔案局；責任單位：市經貿委）\n"
        "2.推進“放管服”改革最佳化營商環境。發展網際網路經濟。"
        "（牽頭單位：市發改委；責任單位：各區政府按照市政府文件貫徹執行）\n"
    )
    (tmp_path / "plan.txt").write_text(plan, "utf-8")
    rows = [r.cells for r in read_table(tmp_path / "plan.txt").rows]
    assert rows[0][1:4] == ("1、建设以科学城为核心区的智慧城市", "新增规模以上企业10家", "市档案局")
    # Taiwan's coinages still read as the mainland's words
    assert rows[1][1] == "2、推进“放管服”改革优化营商环境"
    assert rows[1][2] == "发展互联网经济"
    assert "按照市政府文件贯彻执行" in "".join(rows[1])


def test_simplified_text_is_never_converted() -> None:
    # t2s would make the given name 乾 into 干: a few traditional-looking characters are no reason
    text = "1.白仙山水库工程政策处理。责任领导：欧乾震；责任单位：乡村振兴办。" * 3
    assert simplified(text) == (text, False)
    assert simplified("市政府辦公室") == ("市政府辦公室", False)  # too little to tell


def test_the_build_says_it_read_traditional_characters(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "plan.txt").write_text(TRADITIONAL, "utf-8")
    store = tmp_path / "store"
    result = cli("build", tmp_path / "plan.txt", store=store)
    assert result.returncode == 0, result.stderr
    assert "原文为繁体字，已转为简体读取" in result.stdout
    duties = cli("obligations", "县政府办公室", "--format", "json", store=store)
    assert duties.returncode == 0, duties.stderr
    assert "推进“互联网+监管”" in duties.stdout


def list_docx(path: Path, text: str) -> Path:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))
    return path


def test_a_word_document_in_traditional_characters(tmp_path: Path) -> None:
    # a list in paragraphs (docx-list) and a table (docx): each read as its simplified original
    plain = read_table(list_docx(tmp_path / "s.docx", SIMPLIFIED))
    converted = read_table(list_docx(tmp_path / "t.docx", TRADITIONAL))
    assert converted.reader == plain.reader == "docx-list"
    assert [r.cells for r in converted.rows] == [r.cells for r in plain.rows]
    assert converted.encoding == "utf-8, 繁体转简体" and plain.encoding == "utf-8"
    plain = read_table(plain_docx(tmp_path / "s2.docx", TABLE))
    converted = read_table(plain_docx(tmp_path / "t2.docx", TRADITIONAL_TABLE))
    assert converted.reader == plain.reader == "docx"
    assert [c.header for c in converted.columns] == [c.header for c in plain.columns]
    assert [r.cells for r in converted.rows] == [r.cells for r in plain.rows]
    assert converted.encoding == "utf-8, 繁体转简体"


def test_a_workbook_in_traditional_characters(tmp_path: Path) -> None:
    import openpyxl

    def workbook(path: Path, rows: list[list[str]]) -> Path:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "分解表"
        for row in rows:
            sheet.append(row)
        book.save(path)
        return path

    plain = read_table(workbook(tmp_path / "s.xlsx", TABLE))
    converted = read_table(workbook(tmp_path / "t.xlsx", TRADITIONAL_TABLE))
    assert converted.reader == plain.reader == "xlsx"
    assert [c.header for c in converted.columns] == [c.header for c in plain.columns]
    assert [r.cells for r in converted.rows] == [r.cells for r in plain.rows]
    assert converted.encoding == "utf-8, 繁体转简体" and plain.encoding == "utf-8"


@pytest.mark.libreoffice
@needs_soffice
def test_a_pdf_in_traditional_characters(tmp_path: Path) -> None:
    plain = read_table(soffice_convert(list_docx(tmp_path / "s.docx", SIMPLIFIED), "pdf", tmp_path))
    pdf = soffice_convert(list_docx(tmp_path / "t.docx", TRADITIONAL), "pdf", tmp_path)
    converted = read_table(pdf)
    assert converted.reader == plain.reader == "pdf-list"
    assert [r.cells for r in converted.rows] == [r.cells for r in plain.rows]
    assert converted.encoding == "utf-8, 繁体转简体"
