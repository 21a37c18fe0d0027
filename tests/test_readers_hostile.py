"""Hostile input to the readers (issue 15): each case once gave a traceback, ran for minutes or
took gigabytes. Now each is read or refused with one InputError naming the file and the place, and
``fenjie build`` exits 65 with one line on stderr, leaving the store untouched."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fenjie.errors import InputError
from fenjie.graph import build_table
from fenjie.graph._quantities import extract_quantities, parse_chinese_number
from fenjie.graph.read import read_bytes
from tests.hostile import (
    ROW,
    cfb,
    docx_bytes,
    docx_with_xml,
    tsv_bytes,
    xlsx_bytes,
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


def refused(data: bytes, name: str) -> InputError:
    with pytest.raises(InputError) as caught:
        read_bytes(data, name=name)
    assert caught.value.file == name
    assert str(caught.value).startswith(name + ": ")
    assert "\n" not in str(caught.value)
    return caught.value


@pytest.mark.parametrize("tag", ["gridSpan", "gridBefore"])
@pytest.mark.parametrize("value", ["x", "1.5", "-3"])
def test_docx_grid_attribute_not_a_whole_number(tag: str, value: str) -> None:
    data = docx_with_xml(lambda xml: _first_cell_attribute(xml, tag, value))
    error = refused(data, "span.docx")
    assert f"table 1, row 1: w:{tag} is '{value}', not a whole number" in error.message


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


def test_cli_prints_one_line_and_leaves_the_store(tmp_path: Path) -> None:
    from fenjie.config import bundled_example
    from fenjie.graph import FenjieStore, build_sources

    store = tmp_path / "store"
    build_sources([bundled_example()], store_path=store)
    with FenjieStore.open(store, read_only=True) as opened:
        before = set(opened.inner)
    bad = tmp_path / "cut.xls"
    bad.write_bytes(cfb(["Workbook"], cut=240))
    done = subprocess.run(
        [sys.executable, "-m", "fenjie", "build", "--store", str(store), str(bad)],
        capture_output=True,
        text=True,
        env={**os.environ, "RUST_BACKTRACE": "1"},
        timeout=120,
    )
    assert done.returncode == 65
    assert done.stderr.splitlines() == [
        f"error: {bad}: the Excel .xls workbook is damaged: "
        + done.stderr.split("damaged: ", 1)[1].strip()
    ]
    with FenjieStore.open(store, read_only=True) as opened:
        assert set(opened.inner) == before
