"""The shapes plans are written in (issue 9 §2 and §4), each read, built and asked at the item level.

List form: role brackets of every kind, role words and colons, clauses kept as notes, numbering at
every level (also a title beginning with a digit), a role line after a group of sub-items, titles
wrapped over lines and notices with numbered paragraphs. Tables: header words, 责任领导, tables of
targets only, a two-level header and a row broken across a page boundary.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fenjie.graph import FenjieStore, build_sources, read_table
from fenjie.graph._table import ColumnKind, GridRow, table_from_grid
from fenjie.queries import LocalBackend, obligations


def build(tmp_path: Path, text: str, name: str = "plan.txt") -> LocalBackend:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    store = FenjieStore.in_memory()
    build_sources([path], store=store)
    return LocalBackend(store)


def duties(backend: LocalBackend, unit: str) -> dict[str, str]:
    return {o["work_item"]["label"]: o["role"] for o in obligations(backend, unit)["obligations"]}


def notes(backend: LocalBackend) -> dict[str, set[str]]:
    rows = backend.select(
        """PREFIX fj: <https://w3id.org/fenjie/def#>
           PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
           SELECT ?label ?note WHERE { ?a fj:note ?note ; fj:workItem/rdfs:label ?label }"""
    )
    found: dict[str, set[str]] = {}
    for r in rows:
        found.setdefault(r["label"].value, set()).add(r["note"].value)
    return found


def units(backend: LocalBackend) -> set[str]:
    rows = backend.select(
        """PREFIX fj: <https://w3id.org/fenjie/def#>
           PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
           SELECT ?l WHERE { ?u a fj:Unit ; skos:prefLabel ?l }"""
    )
    return {r["l"].value for r in rows}


@pytest.mark.parametrize(
    ("opening", "closing"), [("（", "）"), ("(", ")"), ("〔", "〕"), ("[", "]"), ("【", "】")]
)
def test_role_brackets_of_every_kind(tmp_path: Path, opening: str, closing: str) -> None:
    text = (
        "某市重点任务分工方案\n一、产业\n"
        f"1.建设园区。{opening}牵头单位：市工信局；配合单位:市财政局，市税务局{closing}\n"
        f"2.培育企业。{opening}责任单位：市科技局、市商务局按职责分工负责{closing}\n"
    )
    backend = build(tmp_path, text)
    assert duties(backend, "市工信局") == {"建设园区": "lead"}
    assert duties(backend, "市税务局") == {"建设园区": "supporting"}
    assert duties(backend, "市科技局") == {"培育企业": "lead"}  # the first listed leads
    assert duties(backend, "市商务局") == {"培育企业": "responsible"}
    assert notes(backend) == {"培育企业": {"按职责分工负责"}}


def test_role_words_verbs_and_clauses(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "某县2024年重点工作责任分工",
            "一、重点工作",
            "1.抓项目。新开工项目10个。",
            "主要责任单位：县发改局",
            "参与单位：县自然资源局、县住建局等",
            "2.稳就业。新增就业500人。",
            "责任单位：县人社局、县财政局(排在第一位的为牵头单位，下同)",
            "协办单位：各乡镇人民政府",
            "3.促消费。（县商务局、县文旅局分别牵头，县市场监管局配合）",
            "4.优环境。（县政务服务中心牵头，县直各有关单位按职责分工负责。具体任务涉及各乡镇，不再列出）",
            "5.强监管。",
            "部门分工：县市场监管局牵头，各乡镇配合。",
            "分管县领导：王某",
            "6.保民生。",
            "责任单位：县民政局、县卫健局分别牵头",
            "7.优审批。（县审改领导小组办公室牵头，分管副县长负责）",
        ]
    )
    backend = build(tmp_path, text)
    assert duties(backend, "县发改局") == {"抓项目": "lead"}  # 主要责任单位 leads
    assert duties(backend, "县住建局") == {"抓项目": "supporting"}  # a trailing 等 is no name
    assert duties(backend, "县人社局") == {"稳就业": "lead"}
    assert duties(backend, "县财政局") == {"稳就业": "responsible"}
    assert duties(backend, "各乡镇人民政府") == {"稳就业": "supporting"}
    assert duties(backend, "县商务局") == {"促消费": "lead"}
    assert duties(backend, "县文旅局") == {"促消费": "lead"}  # 分别牵头: each leads
    assert duties(backend, "县市场监管局") == {"促消费": "supporting", "强监管": "lead"}
    assert duties(backend, "县政务服务中心") == {"优环境": "lead"}
    assert duties(backend, "县直各有关单位") == {"优环境": "responsible"}
    # 分别牵头 after a 责任单位 label too: each leads, not only the first listed
    assert duties(backend, "县民政局") == duties(backend, "县卫健局") == {"保民生": "lead"}
    # a body named after its 领导小组 is a unit; the 分管副县长 beside it is a person
    assert duties(backend, "县审改领导小组办公室") == {"优审批": "lead"}
    assert notes(backend) == {
        "抓项目": {"等"},
        "稳就业": {"排在第一位的为牵头单位，下同"},
        "促消费": {"分别牵头"},
        "优环境": {"按职责分工负责", "具体任务涉及各乡镇，不再列出"},
        "保民生": {"分别牵头"},
    }
    found = units(backend)
    assert "王某" not in found
    assert not [u for u in found if any(w in u for w in ("按职责", "下同", "不再", "牵头"))]


def test_a_deadline_after_the_roles_in_their_bracket(tmp_path: Path) -> None:
    # the State Council's 分工意见 write the deadline as the bracket's last segment
    text = "\n".join(
        [
            "某县落实政府工作报告重点工作分工的意见",
            "一、稳增长",
            "1.稳外资。（县商务局牵头，县直有关部门按职责分工负责，2024年6月底前完成）",
            "2.保运转。（县直各部门分别负责，年内持续推进）",
            "3.抓项目。（县发改局牵头，长期坚持）",
        ]
    )
    backend = build(tmp_path, text)
    rows = backend.select(
        """PREFIX fj: <https://w3id.org/fenjie/def#>
           PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
           SELECT ?label ?d ?date WHERE {
             ?i fj:deadline ?d ; rdfs:label ?label . OPTIONAL { ?i fj:deadlineDate ?date } }"""
    )
    found = {
        r["label"].value: (r["d"].value, r["date"].value if r.get("date") else None) for r in rows
    }
    assert found == {
        "稳外资": ("2024年6月底前完成", "2024-06-30"),
        "保运转": ("年内持续推进", None),
        "抓项目": ("长期坚持", None),
    }
    assert duties(backend, "县商务局") == {"稳外资": "lead"}
    assert duties(backend, "县发改局") == {"抓项目": "lead"}
    # 分别负责: each is responsible for its own part, so no one leads (not the first listed)
    assert duties(backend, "县直各部门") == {"保运转": "responsible"}
    assert not [u for u in units(backend) if "推进" in u or "完成" in u or "坚持" in u]


def test_numbering_at_every_level_and_titles_beginning_with_a_digit(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "某市数字经济工作要点",
            "第一部分 基础设施",
            "一、网络",
            "（一）移动网络",
            "1.推进千兆光网。牵头单位：市通信办",
            "2.扩大覆盖。牵头单位：市通信办",
            "3.5G网络全覆盖。牵头单位：市工信局",
            "4、建设基站。",
            "⑴城区基站。牵头单位：市住建局",
            "⑵乡镇基站。牵头单位：市农业农村局",
            "（1）铁塔共享。牵头单位：市铁塔办",
            "① 管线共享。牵头单位：市城管局",
            "5．实施工程。",
            "12.100个重点项目。牵头单位：市发改委",
        ]
    )
    backend = build(tmp_path, text)
    assert duties(backend, "市工信局") == {"5G网络全覆盖": "lead"}
    assert duties(backend, "市住建局") == {"城区基站": "lead"}
    assert duties(backend, "市农业农村局") == {"乡镇基站": "lead"}
    assert duties(backend, "市铁塔办") == {"铁塔共享": "lead"}
    assert duties(backend, "市城管局") == {"管线共享": "lead"}
    # 12.100个…: the number due next is 6, so "12.1…" is no decimal: still task 12
    assert duties(backend, "市发改委") == {"100个重点项目": "lead"}
    table = read_table(tmp_path / "plan.txt")
    categories = {r.cells[1]: r.cells[0] for r in table.rows}
    assert categories["3、5G网络全覆盖"] == "移动网络"
    assert categories["1、城区基站"] == "建设基站"  # a sub-item's heading is its parent


def test_a_role_line_after_sub_items_applies_to_each(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "某市规划责任分解",
            "1.完善预案体系",
            "(1)加强预案管理。",
            "(2)推进预案精编化。",
            "(3)加强预案演练。",
            "（责任单位：市应急局、市直各有关单位）",
            "2.健全体制",
            "(1)建设指挥平台。",
            "牵头单位：市应急局",
            "(2)充实基层力量。",
            "牵头单位：市委编办",
        ]
    )
    backend = build(tmp_path, text)
    assert duties(backend, "市应急局") == {
        "加强预案管理": "lead",
        "推进预案精编化": "lead",
        "加强预案演练": "lead",
        "建设指挥平台": "lead",
    }
    assert duties(backend, "市委编办") == {"充实基层力量": "lead"}
    assert len(read_table(tmp_path / "plan.txt").rows) == 5  # no sub-item thrown away


def test_wrapped_title_and_a_notice_with_numbered_paragraphs(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "区人民政府办公室关于印发2023年重点工作",
            "责任分解方案的通知",
            "各街道办事处：",
            "一、各责任单位要高度重视，制订工作方案。",
            "二、各单位每季度报送进展情况。",
            "某区人民政府办公室",
            "2023年1月3日",
            "2023年重点工作",
            "责任分解方案",
            "一、主要预期目标",
            "(一)地区生产总值增长7%以上",
            "责任单位：区发展和改革局",
        ]
    )
    backend = build(tmp_path, text)
    table = read_table(tmp_path / "plan.txt")
    assert table.title == "2023年重点工作责任分解方案"
    assert [r.cells[0] for r in table.rows] == ["主要预期目标"]
    assert duties(backend, "区发展和改革局") == {"地区生产总值增长7%以上": "lead"}


def test_a_task_whose_number_cannot_be_read_keeps_its_own_roles(tmp_path: Path) -> None:
    # a page's mojibake ate "（二）": the line is a task of its own, never part of the task above
    # (whose roles it used to join, its text dropped)
    text = (
        "某市重点工作事项\n一、产业\n"
        "（一）建设汽车基地。（牵头单位：市经贸委；配合单位：市规划局）\n"
        "?。ǘ┩推进石化基地建设。（牵头单位：市发改委；配合单位：市经贸委）\n"
        "（三）建设物流园区。（牵头单位：市交委）\n"
    )
    backend = build(tmp_path, text)
    assert duties(backend, "市经贸委") == {
        "建设汽车基地": "lead",
        "?。ǘ┩推进石化基地建设": "supporting",
    }
    assert duties(backend, "市发改委") == {"?。ǘ┩推进石化基地建设": "lead"}
    assert duties(backend, "市交委") == {"建设物流园区": "lead"}


def test_a_title_with_its_count_of_tasks(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "关于印发《2023年区政府工作报告重点工作分工方案》的通知",
            "各镇人民政府，区政府各委、办、局：",
            "一、提高政治站位，强化担当意识。",
            "二、狠抓工作落实，确保任务完成。",
            "某区人民政府办公室",
            "2023年区政府工作报告重点工作分工方案(共计121项)",
            "一、主要预期目标",
            "1.地区生产总值比上年增长4.5%以上。",
            "牵头领导:常务副区长",
            "主要责任单位:区发展改革委",
        ]
    )
    backend = build(tmp_path, text)
    table = read_table(tmp_path / "plan.txt")
    assert table.title == "2023年区政府工作报告重点工作分工方案"
    assert [r.cells[0] for r in table.rows] == ["主要预期目标"]
    assert duties(backend, "区发展改革委") == {"地区生产总值比上年增长4.5%以上": "lead"}


def test_a_notice_written_with_ascii_commas_is_no_csv_table(tmp_path: Path) -> None:
    # cut at its commas, the sentence has cells naming 工作, 责任 and 时间节点, like a CSV header
    text = "\n".join(
        [
            "宝府办〔2008〕18号",
            "各镇人民政府,各街道办事处,区政府各委、办、局:",
            "现将《2008年政府工作目标任务分解》印发给你们。请各部门、各单位认真对照分解的任务,"
            "细化工作方案和计划,明确时间节点,落实责任,落实措施,确保目标任务的圆满完成。",
            "2008年政府工作目标任务分解",
            "一、促进经济又好又快发展。",
            "1、加强经济运行分析,确保完成主要指标。(牵头单位:发改委、统计局)",
        ]
    )
    backend = build(tmp_path, text)
    assert read_table(tmp_path / "plan.txt").reader == "listform"
    assert duties(backend, "发改委") == {"加强经济运行分析,确保完成主要指标": "lead"}
    assert duties(backend, "统计局") == {"加强经济运行分析,确保完成主要指标": "lead"}
    # a real comma-separated table is still one
    (tmp_path / "t.csv").write_text(
        "序号,工作内容,责任单位,完成时限\n1,建园区,县工信局,全年\n", "utf-8"
    )
    assert read_table(tmp_path / "t.csv").reader == "csv"


def test_a_role_line_wrapped_by_the_page_goes_on_in_the_next_line(tmp_path: Path) -> None:
    # a printed page's text: every line broken at the same width, a role line's last unit too
    body = [
        "一、提高城市基层党建工作水平，加强党对基层治理的全面",
        "领导",
        "1.完善街道党工委对地区治理重大工作的领导体制机制，优",
        "化决策程序，涉及基层治理的重大事项、重点工作、重要问题由",
        "街道党工委讨论决定，全面提升街道抓党建、抓治理、抓服务的",
        "领导能力。加强街道社区党组织对地区各类组织和各项工作的领",
        "导，街道党工委可吸纳优秀社区党组织书记担任兼职党工委委员。",
        "牵头单位:区委组织部",
        "协办单位:区委编办、区民政局(区委社会工委)、园区党工",
        "委、各街道党工委",
        "— — — 3 —",
        "2.以区域化党建为重点，构建市、区、街道、社区党组织四级上下",
        "贯通的基层党建工作体系。",
        "牵头单位:区委组织部",
        "协办单位:各街道党工委、区民政局、区委编办、园区党工委、区委社会工委",
        "— — — 4 —",
    ]
    backend = build(tmp_path, "某区任务分解方案\n" + "\n".join(body))
    first = read_table(tmp_path / "plan.txt").rows[0].cells
    assert "园区党工委、各街道党工委" in "、".join(first)
    found = units(backend)
    assert {"园区党工委", "各街道党工委"} <= found and "园区党工" not in found
    # a page number after a full role line is no part of it
    assert not [u for u in found if "—" in u]


# -- tables ----------------------------------------------------------------------------------


def grid(*rows: tuple[str, ...]) -> list[GridRow]:
    return [GridRow(cells, line=k) for k, cells in enumerate(rows, start=1)]


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("重点任务", ColumnKind.CATEGORY),
        ("具体措施", ColumnKind.WORK_ITEM),
        ("工作措施", ColumnKind.WORK_ITEM),
        ("任务内容", ColumnKind.WORK_ITEM),
        ("具体任务", ColumnKind.WORK_ITEM),
        ("时间节点", ColumnKind.DEADLINE),
        ("完成时间", ColumnKind.DEADLINE),
        ("责任领导", ColumnKind.LEADER),
        ("牵头领导", ColumnKind.LEADER),
        ("2022年预期目标", ColumnKind.TARGET),
        ("2022年目标任务", ColumnKind.TARGET),
        ("2022年工作目标", ColumnKind.TARGET),
    ],
)
def test_header_words(header: str, kind: ColumnKind) -> None:
    from fenjie.graph._table import classify_header

    assert classify_header(header)[0] is kind


def test_lone_task_column_names_the_work_items_and_leaders_are_no_units(tmp_path: Path) -> None:
    text = "序号\t重点任务\t责任领导\t责任单位\t完成时间\n1\t建设园区\t张三\t市工信局、市财政局\t2023年底\n"
    backend = build(tmp_path, text, "table.tsv")
    assert duties(backend, "市工信局") == {"建设园区": "lead"}
    assert "张三" not in units(backend)


def test_a_table_of_targets_only(tmp_path: Path) -> None:
    text = "某县2022年主要目标分解表\n序号\t2022年预期目标\t责任单位\n1\t地区生产总值增长7%\t县发改局\n2\t新增就业1000人\t县人社局、县财政局\n"
    backend = build(tmp_path, text, "targets.tsv")
    table = read_table(tmp_path / "targets.tsv")
    assert table.years == [2022]
    assert duties(backend, "县发改局") == {"地区生产总值增长7%": "lead"}
    result = obligations(backend, "县人社局")
    assert [
        (o["work_item"]["label"], [t["text"] for t in o["targets"]]) for o in result["obligations"]
    ] == [("新增就业1000人", ["新增就业1000人"])]


def test_yearless_target_column_takes_the_title_year() -> None:
    table = table_from_grid(
        grid(
            ("某县2024年工作方案",),
            ("序号", "工作任务", "主要目标", "牵头单位"),
            ("1", "建园区", "建成", "县工信局"),
        ),
        name="t.tsv",
    )
    assert table.years == [2024]


def test_two_level_header_gives_one_target_column_per_year() -> None:
    table = table_from_grid(
        grid(
            ("序号", "重点任务", "年度目标", "", "", "牵头单位"),
            ("", "", "2023年", "2024年", "2025年", ""),
            ("1", "建园区", "开工", "建成", "投产", "县工信局"),
            ("序号", "重点任务", "年度目标", "", "", "牵头单位"),  # repeated on the next page
            ("", "", "2023年", "2024年", "2025年", ""),
            ("2", "引项目", "签约", "落地", "达产", "县商务局"),
        ),
        name="t.docx",
    )
    assert table.years == [2023, 2024, 2025]
    assert [r.cells[1] for r in table.rows] == ["建园区", "引项目"]


def test_a_row_broken_across_a_page_boundary_is_joined() -> None:
    header = ("序号", "工作内容", "2023年目标", "责任单位")
    table = table_from_grid(
        grid(
            header,
            ("1", "建设产业园区，完善道路", "新增企业", "县工信局、"),
            header,  # the page breaks inside row 1
            ("", "", "10家", "县财政局"),
            ("2", "引进项目", "签约5个", "县商务局"),
        ),
        name="t.pdf",
    )
    assert [r.cells for r in table.rows] == [
        ("1", "建设产业园区，完善道路", "新增企业10家", "县工信局、县财政局"),
        ("2", "引进项目", "签约5个", "县商务局"),
    ]
