"""A realistic progress table (进展情况表) for the bundled plan, as of 2018-06-30, written as .xlsx,
.docx or .csv by this script (``python tests/progress_table.py OUT_DIR``) and by the tests.

The rows are what a programme office collects in mid-2018: some name a 2018 target, some a 2017
target still open, some a work item as a whole (by its number and name); units as written in the
plan (省科技厅, 长株潭三市政府, a member city); statuses in the spellings offices use.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

TITLE = "长株潭国家自主创新示范区建设目标任务2018年上半年进展情况表（截至2018年6月30日）"
HEADER = (
    "序号",
    "主要任务",
    "工作任务",
    "责任单位",
    "进展情况",
    "完成状态",
    "完成比例",
    "存在问题",
    "下一步工作打算",
)

# 序号, 主要任务, 工作任务, 责任单位, 进展情况, 完成状态, 完成比例, 存在问题, 下一步工作打算
ROWS: tuple[tuple[str, ...], ...] = (
    (
        "1",
        "体系建设与组织协调",
        "编制自创区空间规划",
        "省科技厅",
        "自创区空间规划已编制完成并通过专家评审。",
        "已完成",
        "100%",
        "",
        "",
    ),
    (
        "2",
        "",
        "召开阶段工作总结会议",
        "省科技厅",
        "2018年1月召开自创区建设阶段工作总结会议。",
        "完成",
        "100%",
        "",
        "",
    ),
    (
        "3",
        "",
        "出台自创区《空间规划》",
        "省科技厅",
        "《空间规划》已完成征求意见，正按程序报批。",
        "序时推进",
        "70%",
        "涉及三市规划衔接，协调难度较大",
        "力争三季度印发",
    ),
    (
        "4",
        "",
        "制定出台《意见》实施细则",
        "省科技厅",
        "实施细则初稿已形成，尚在征求相关部门意见。",
        "滞后于序时进度",
        "50%",
        "部门意见分歧较大",
        "加快协调，尽快出台",
    ),
    (
        "5",
        "",
        "推动《长株潭国家自主创新示范区条例》出台",
        "省科技厅",
        "条例草案已提请省人大常委会一审。",
        "正在推进",
        "",
        "",
        "",
    ),
    (
        "6",
        "",
        "3、绩效考核体系",
        "省绩效办",
        "已将自创区建设纳入市州绩效考核指标体系并完成考核。",
        "完成了",
        "",
        "",
        "",
    ),
    (
        "7",
        "",
        "组织实施年度专项",
        "省财政厅",
        "2018年度自创区专项资金已下达。",
        "已完成",
        "100%",
        "",
        "",
    ),
    (
        "8",
        "",
        "新建众创空间面积200万平方米",
        "省科技厅",
        "上半年新增众创空间面积85万平方米。",
        "进行中",
        "42.5%",
        "",
        "加大推进力度",
    ),
    (
        "9",
        "",
        "每万人发明专利拥有量达到18件",
        "省知识产权局",
        "截至6月底每万人发明专利拥有量为15.2件。",
        "滞后",
        "",
        "增速放缓",
        "开展专利质押融资",
    ),
    (
        "10",
        "创新示范工程",
        "1、高层次人才聚集示范",
        "长沙市人民政府",
        "长沙市上半年新引进高端创新团队22个。",
        "推进中",
        "",
        "",
        "",
    ),
    (
        "11",
        "",
        "统筹利用军民融合协同创新专项资金，继续遴选布局一批军民融合重大项目，遴选支持一批科技成果转化与产业化项目",
        "长株潭三市政府",
        "遴选军民融合重大项目12个。",
        "序时推进",
        "",
        "",
        "",
    ),
    (
        "12",
        "",
        "举办“科技成果转化交易会”",
        "长株潭三市政府",
        "交易会拟于2018年11月举办，筹备工作尚未启动。",
        "未启动",
        "0",
        "",
        "",
    ),
    (
        "13",
        "",
        "发展培育4个千亿级、5个百亿级产业集群",
        "长株潭三市政府",
        "已形成3个千亿级产业集群。",
        "滞后",
        "",
        "",
        "",
    ),
    (
        "14",
        "平台建设",
        "完善长株潭科技公共服务平台运行机制",
        "省科技厅",
        "平台运行管理办法已印发实施。",
        "已完成",
        "100%",
        "",
        "",
    ),
    (
        "15",
        "",
        "2、科技金融服务平台",
        "省政府金融办",
        "科技金融服务平台已上线试运行。",
        "基本完成",
        "90%",
        "",
        "",
    ),
    (
        "16",
        "",
        "拓展平台功能",
        "省知识产权局",
        "平台新增在线评估、挂牌交易功能。",
        "已完成",
        "",
        "",
        "",
    ),
    (
        "17",
        "",
        "推动与京津冀、长三角、泛珠三角的产业与科技对接",
        "省商务厅",
        "组织参加产业与科技对接活动2次。",
        "序时推进",
        "",
        "",
        "",
    ),
    (
        "18",
        "",
        "启动自创区科技成果展示馆暨公共服务中心建设",
        "省科技厅",
        "选址尚未确定。",
        "未启动",
        "",
        "用地未落实",
        "协调落实用地",
    ),
)

SLUG = "changzhutan-innovation-zone-2017-2019"
_ITEM = f"https://w3id.org/fenjie/id/table/{SLUG}/item/"


def iri(key: str) -> str:
    """``"1-1/2017/3"`` → the target's IRI; ``"1-3"`` → the work item's."""
    return _ITEM + (key if "/" not in key else key.replace("/", "/target/", 1))


def write_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([TITLE])
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


def write_xlsx(path: Path) -> Path:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "进展情况"
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(HEADER))
    for row in ROWS:
        sheet.append([int(c) if k == 0 else c for k, c in enumerate(row)])
    # 主要任务 merged down its rows, as offices do
    start = 3
    for k in range(1, len(ROWS) + 1):
        last = k == len(ROWS) or ROWS[k][1]
        if last:
            end = 2 + k
            if end > start:
                sheet.merge_cells(start_row=start, start_column=2, end_row=end, end_column=2)
            start = end + 1
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    book.save(path)
    return path


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("附件")
    document.add_paragraph(TITLE)
    table = document.add_table(rows=1, cols=len(HEADER))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
        cell.text = text
    first = None
    for k, row in enumerate(ROWS, start=1):
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
        if row[1]:
            first = k
        elif first is not None:  # 主要任务 merged down
            table.cell(first, 1).merge(table.cell(k, 1))
    # merging concatenates texts; keep the category once
    for k, row in enumerate(ROWS, start=1):
        if row[1]:
            table.cell(k, 1).text = row[1]
    document.save(str(path))
    return path


if __name__ == "__main__":  # pragma: no cover
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    for writer, name in ((write_xlsx, "progress.xlsx"), (write_docx, "progress.docx")):
        print(writer(out / name))
