"""Hostile input to the readers (issue 15): each case once gave a traceback, ran for minutes or
took gigabytes. Now each is read or refused with one InputError naming the file and the place, and
``fenjie build`` exits 65 with one line on stderr, leaving the store untouched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fenjie.errors import InputError, LimitError, RowShapeError
from fenjie.graph import build_table
from fenjie.graph._limits import DEFAULT_LIMITS, Limits
from fenjie.graph._quantities import extract_quantities, parse_chinese_number
from fenjie.graph.read import read_bytes
from tests.fenjie_runs import RunFenjie
from tests.hostile import (
    HEADER,
    ROW,
    cfb,
    docx_bomb,
    docx_bytes,
    docx_grid_span,
    docx_with_xml,
    pdf_bytes,
    tsv_bytes,
    tsv_long_cell,
    tsv_rows,
    xlsx_bomb,
    xlsx_bytes,
    xlsx_cell_at,
    xlsx_merged,
    xlsx_with_sheet_xml,
    zip_version_damaged,
)


def _first_cell_attribute(xml: bytes, tag: str, value: str) -> bytes:
    """Give the first table cell a ``w:tcPr/w:{tag}`` (gridSpan) or the first row a
    ``w:trPr/w:{tag}`` (gridBefore) with ``value``."""
    if tag == "gridBefore":
        return re.sub(
            rb"(<w:tr\b[^>]*>)",
            rb'\1<w:trPr><w:gridBefore w:val="%s"/></w:trPr>' % value.encode(),
            xml,
            count=1,
        )
    return xml.replace(b"<w:tcPr>", b'<w:tcPr><w:gridSpan w:val="%s"/>' % value.encode(), 1)


def refused(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> InputError:
    with pytest.raises(InputError) as caught:
        read_bytes(data, name=name, limits=limits)
    assert caught.value.file == name
    assert str(caught.value).startswith(name + ":")
    assert "\n" not in str(caught.value)
    return caught.value


@pytest.mark.parametrize("tag", ["gridSpan", "gridBefore"])
@pytest.mark.parametrize("value", ["x", "1.5", "-3"])
def test_docx_grid_attribute_not_a_whole_number(tag: str, value: str) -> None:
    data = docx_with_xml(lambda xml: _first_cell_attribute(xml, tag, value))
    error = refused(data, "span.docx")
    assert f"table 1, row 1: w:{tag} 为 '{value}'，应为不小于" in error.message
    assert "(not a whole number of at least" in error.message


def test_xlsx_row_past_the_last_excel_row() -> None:
    data = xlsx_with_sheet_xml(
        lambda xml: xml.replace(b'<row r="2"', b'<row r="2000000"').replace(
            b'r="A2"', b'r="A2000000"'
        )
    )
    error = refused(data, "rows.xlsx")
    assert "sheet 任务表" in error.message and "1048576" in error.message.replace(",", "")


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_zip_claiming_an_unknown_version(kind: str) -> None:
    data = zip_version_damaged(docx_bytes() if kind == "docx" else xlsx_bytes())
    error = refused(data, f"damaged.{kind}")
    assert "zip file version 15.0" in error.message


@pytest.mark.parametrize("cut", [200, 240, 300])
def test_truncated_xls_makes_calamine_panic_into_an_input_error(cut: int) -> None:
    error = refused(cfb(["Workbook"], cut=cut), "cut.xls")
    assert "the Excel .xls workbook is damaged" in error.message


@pytest.mark.parametrize(
    "numeral",
    ["一〇" * 2500, "1" * 5000, "一亿" * 2000 + "亿", "三" + "万" * 3000],
    ids=["5000 Chinese digits", "5000 Arabic digits", "2000 亿", "3000 万"],
)
def test_huge_numerals_are_not_quantities(numeral: str) -> None:
    assert parse_chinese_number(numeral) is None
    found = extract_quantities(f"建设{numeral}个平台，新建3个园区")
    assert [(q.indicator, q.value, q.unit_text) for q in found] == [("新建园区", 3, "个")]


def test_huge_numeral_in_a_target_cell_builds() -> None:
    cells = [ROW[0], ROW[1], "建设" + "一亿" * 2000 + "个平台，新建3个园区", ROW[3]]
    table = read_bytes(tsv_bytes([cells]), name="numeral.tsv")
    built = build_table(table)
    assert built.counts["observations"] == 1  # 3个园区 only


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_cli_prints_one_line_and_leaves_the_store(run_fenjie: RunFenjie, tmp_path: Path) -> None:
    from fenjie.config import bundled_example
    from fenjie.graph import FenjieStore, build_sources

    store = tmp_path / "store"
    build_sources([bundled_example()], store_path=store)
    with FenjieStore.open(store, read_only=True) as opened:
        before = set(opened.inner)
    bad = tmp_path / "cut.xls"
    bad.write_bytes(cfb(["Workbook"], cut=240))
    done = run_fenjie("build", "--store", store, bad, env={"RUST_BACKTRACE": "1"})
    assert done.returncode == 65
    assert done.stderr.splitlines() == [
        f"错误：{bad}: Excel .xls 工作簿已损坏 (the Excel .xls workbook is damaged)："
        + done.stderr.split("damaged)：", 1)[1].strip()
    ]
    with FenjieStore.open(store, read_only=True) as opened:
        assert set(opened.inner) == before


# ------------------------------------------------------------------ limits, checked before the work
def over(data: bytes, name: str, limit: str, limits: Limits = DEFAULT_LIMITS) -> LimitError:
    error = refused(data, name, limits)
    assert isinstance(error, LimitError)
    assert error.details["limit"] == limit
    flag = {"cells": "--max-cells", "cell_chars": "--max-cell-chars", "rows": "--max-rows"}
    flag |= {"inflate": "--max-inflate", "pages": "--max-pages"}
    unit = {"cells": "cells", "cell_chars": "characters", "rows": "rows", "inflate": "bytes"}
    unit["pages"] = "pages"
    assert f"超过上限 {getattr(limits, limit):,}，可用 {flag[limit]} 调高 (" in error.message
    assert error.message.endswith(f"over the limit of {getattr(limits, limit):,} {unit[limit]})")
    return error


def test_xlsx_stray_cell_at_the_last_row_costs_one_row() -> None:
    table = read_bytes(xlsx_cell_at("A1048576"), name="far.xlsx")
    assert [r.cells for r in table.rows] == [tuple(ROW), ("x", "", "", "")]
    assert table.rows[-1].location == "sheet 任务表, row 1048576"


def test_xlsx_stray_cell_at_the_last_column_is_a_row_shape_error() -> None:
    with pytest.raises(RowShapeError) as caught:
        read_bytes(xlsx_cell_at("XFD1048576"), name="far.xlsx")
    assert (caught.value.line, caught.value.column) == (1048576, 16384)


def test_xlsx_merge_over_the_whole_sheet_is_clipped_to_the_text() -> None:
    error = refused(xlsx_merged("A1:XFD1048576"), "merged.xlsx")
    assert "no header row" in error.message  # the merge covers the header: decided, not a hang


def test_xlsx_grid_over_the_cells_limit() -> None:
    data = xlsx_cell_at("XFD3")
    error = over(data, "wide.xlsx", "cells", Limits(cells=10_000))
    assert error.message.startswith("sheet 任务表: 单元格数超过上限 10,000，")
    assert "(3 rows with text × 16,384 columns make 49,152 cells," in error.message


def test_docx_grid_span_over_the_cells_limit() -> None:
    error = over(docx_grid_span(999_999_999), "span.docx", "cells")
    assert error.message.startswith("table 1, row 1: 单元格数超过上限 50,000，")
    assert "(the tables reach 999,999,999 grid cells," in error.message


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_zip_bomb_is_refused_from_the_directory(kind: str) -> None:
    data = docx_bomb(4 * 2**20) if kind == "docx" else xlsx_bomb(4 * 2**20)
    assert len(data) < 100_000
    error = over(data, f"bomb.{kind}", "inflate", Limits(inflate=2**20))
    member = "word/document.xml" if kind == "docx" else "xl/worksheets/sheet1.xml"
    assert re.match(
        rf"member {member}: 解压后字节数超过上限 1,048,576，可用 --max-inflate 调高 "
        rf"\(the archive inflates to [45],\d{{3}},\d{{3}} bytes",
        error.message,
    )


def test_docx_bomb_under_a_raised_limit_reads() -> None:
    table = read_bytes(docx_bomb(4 * 2**20), name="big.docx", limits=Limits(inflate=8 * 2**20))
    assert [r.cells for r in table.rows] == [tuple(ROW)]


def test_xlsx_cell_over_the_cell_limit() -> None:
    error = over(xlsx_bomb(200_000), "cell.xlsx", "cell_chars")
    assert error.message.startswith("sheet 任务表, A3: 单元格字符数超过上限 131,072，")
    assert "(a cell holds 200,000 characters," in error.message


def test_tsv_rows_over_the_rows_limit_and_raised() -> None:
    data = tsv_rows(2_500)
    error = over(data, "rows.tsv", "rows", Limits(rows=2_000))
    assert error.message.startswith(
        "行数超过上限 2,000，可用 --max-rows 调高 (the text has 2,503 lines"
    )
    assert "(the text has 5,003 lines," in over(tsv_rows(5_000), "rows.tsv", "rows").message
    table = read_bytes(data, name="rows.tsv", limits=Limits(rows=3_000))
    assert len(table.rows) == 2_500 and table.rows[-1].cells[1] == "2500、建设第2500个平台"


def test_tsv_cell_over_the_cell_limit() -> None:
    error = over(tsv_long_cell(140_000), "cell.tsv", "cell_chars")
    assert error.message.startswith("line 3, column 3: 单元格字符数超过上限 131,072，")
    assert "(a cell holds 140,000 characters," in error.message


def test_csv_cell_over_the_field_limit_says_so() -> None:
    text = ",".join(HEADER) + "\n" + ",".join([ROW[0], ROW[1], "达" * 140_000, ROW[3]]) + "\n"
    error = over(text.encode(), "cell.csv", "cell_chars")
    assert error.message.startswith("line 2: 单元格字符数超过上限 131,072，")
    assert "(a cell holds more characters than allowed," in error.message
    table = read_bytes(text.encode(), name="cell.csv", limits=Limits(cell_chars=200_000))
    assert len(table.rows[0].cells[2]) == 140_000


def test_long_target_cell_builds_every_quantity() -> None:
    table = read_bytes(tsv_long_cell(60_000), name="long.tsv")
    built = build_table(table)
    clauses = table.rows[0].cells[2].count("；")  # each clause: 30个 (with 3个 inside), 3个, 两个
    assert built.counts["observations"] >= 3 * clauses


def test_pdf_without_pages_says_so() -> None:
    error = refused(pdf_bytes(b"BT ET", page_type=b"/Pagx"), "nopages.pdf")
    assert "the PDF's pages cannot be found" in error.message
    assert "1–0" not in error.message


def test_pdf_over_the_pages_limit() -> None:
    error = over(pdf_bytes(b"BT ET"), "one.pdf", "pages", Limits(pages=0))
    assert (
        error.message
        == "页数超过上限 0，可用 --max-pages 调高 (1 pages, over the limit of 0 pages)"
    )


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_pdfminer_warnings_stay_off_the_terminal(run_fenjie: RunFenjie, tmp_path: Path) -> None:
    bad = tmp_path / "matrix.pdf"
    bad.write_bytes(pdf_bytes(b"1 0 0 1 /x 0 cm BT /F1 12 Tf 20 100 Td (Hello) Tj ET"))
    done = run_fenjie("build", "--store", tmp_path / "s", bad)
    assert done.returncode == 65
    assert done.stderr.splitlines() == [
        f"错误：{bad}: PDF 中既没有带表格线的表格，也没有下接 牵头单位/责任单位 行的任务列表 "
        "(the PDF holds no ruled table and no list of tasks with 牵头单位/责任单位 lines)"
    ]


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_cli_flag_sets_a_limit(run_fenjie: RunFenjie, tmp_path: Path) -> None:
    source = tmp_path / "rows.tsv"
    source.write_bytes(tsv_rows(30))
    command = ["build", "--store", str(tmp_path / "s"), str(source)]
    refused_run = run_fenjie(*command, "--max-rows", "20")
    assert refused_run.returncode == 65
    assert refused_run.stderr.splitlines() == [
        f"错误：{source}: 行数超过上限 20，可用 --max-rows 调高 "
        "(the text has 33 lines, over the limit of 20 rows)"
    ]
    assert not (tmp_path / "s").exists()
    built = run_fenjie(*command, "--max-rows", "40")
    assert built.returncode == 0, built.stderr
    assert "工作内容 30 项" in built.stdout


def test_docx_whose_root_is_not_a_document() -> None:
    """Found by the long fuzz (seed 7): python-docx hands a plain element when the root of
    document.xml is not w:document."""
    data = docx_with_xml(
        lambda xml: xml.replace(b"<w:document", b"<w:documenx", 1).replace(
            b"</w:document>", b"</w:documenx>"
        )
    )
    error = refused(data, "root.docx")
    assert (
        error.message == "Word 文档已损坏：word/document.xml 中没有带 w:body 的 w:document "
        "(the Word document is damaged)"
    )
