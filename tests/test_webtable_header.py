"""A web page's table copied as text whose header cells the page broke over lines (责任 / 领导):
the header is joined back to the rows' width, or, when that cannot be done one way only, the build
stops with a message naming the file and line (never a silent misreading).

The case comes from a real township plan (tests/corpus/sizhoutou-2024-zhongdian.txt), whose
header has 11 lines for 7 columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from fenjie.errors import InputError
from fenjie.graph import read_table
from fenjie.graph._webtable import regroup_header


def page(tmp_path: Path, header: list[str], rows: list[list[str]]) -> Path:
    lines = ["某县2024年重点工作任务清单", ""]
    for cell in header + [c for row in rows for c in row]:
        lines += [cell, ""]
    path = tmp_path / "page.txt"
    path.write_text("\n".join(lines), "utf-8")
    return path


def test_header_cells_broken_over_lines_are_joined_back(tmp_path: Path) -> None:
    header = ["序号", "工作任务", "牵头", "单位", "配合", "单位", "完成", "时限"]
    rows = [
        ["1", "建设园区", "县工信局", "县财政局", "2024年6月底前"],
        ["2", "培育企业", "县科技局", "县商务局", "2024年底前"],
    ]
    table = read_table(page(tmp_path, header, rows))
    assert [c.header for c in table.columns] == [
        "序号",
        "工作任务",
        "牵头单位",
        "配合单位",
        "完成时限",
    ]
    assert [r.cells for r in table.rows] == [tuple(r) for r in rows]


def test_a_header_as_wide_as_its_rows_is_left_alone(tmp_path: Path) -> None:
    header = ["序号", "工作任务", "牵头单位", "完成时限"]
    rows = [["1", "建设园区", "县工信局", "2024年6月底前"], ["2", "培育企业", "县科技局", "全年"]]
    table = read_table(page(tmp_path, header, rows))
    assert [c.header for c in table.columns] == header
    assert len(table.rows) == 2


def test_the_grouping_that_looks_most_like_column_names() -> None:
    fragments = ["序号", "重点工作", "责任", "领导", "责任", "科室", "攻坚目标", "任务"]
    assert regroup_header(fragments, 5) == [
        "序号",
        "重点工作",
        "责任领导",
        "责任科室",
        "攻坚目标任务",
    ]
    # a line after the first is never longer than it: 任务 + 工作任务安排 is no wrapped cell
    assert regroup_header(["序号", "任务", "工作任务安排", "责任单位"], 3) is None


def test_an_ambiguous_header_stops_the_build_with_its_line(tmp_path: Path) -> None:
    # four whole column names over rows of three cells: which two were one cell cannot be told
    header = ["序号", "工作内容", "责任单位", "配合单位"]
    rows = [["1", "建设园区", "县工信局"], ["2", "培育企业", "县科技局"]]
    with pytest.raises(InputError) as caught:
        read_table(page(tmp_path, header, rows))
    assert caught.value.line == 3
    assert "表头有 4 格，而每行有 3 格" in caught.value.message
