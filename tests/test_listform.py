"""List-form plans (numbered tasks with 牵头单位/责任单位 lines): read, built, and asked the three
questions through fenjie.queries."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal

from fenjie.graph import FenjieStore, build_sources, build_table, read_table
from fenjie.graph._vocab import FJ, PROV, XSD
from fenjie.queries import LocalBackend, coordination_load, dependents, obligations

PLAN = Path(__file__).parent / "data" / "qingshan-county-2023-plan.txt"
PROVENANCE = {
    *(FJ.location, FJ.sourceLine, FJ.sourceFile, FJ.reader, FJ.encoding, FJ.sha256),
    *(FJ.findingLocation, FJ.findingLine),  # where a recorded finding is, as the reader tells
}
# 青山县 is not a real county: the user says where it is, so its 省科技厅 is Hunan's.
WHERE = "湖南省青山县"


@pytest.fixture(scope="module")
def backend() -> LocalBackend:
    store = FenjieStore.in_memory()
    build_sources([PLAN], store=store, jurisdiction=WHERE)
    return LocalBackend(store)


def by_label(result: dict) -> dict[str, str]:
    return {o["work_item"]["label"]: o["role"] for o in result["obligations"]}


def test_plan_is_read_as_a_list_with_a_synthesized_header() -> None:
    table = read_table(PLAN)
    assert table.reader == "listform"
    assert table.title == "青山县2023年重点工作任务分解方案"
    assert [c.kind.name for c in table.columns] == [
        "CATEGORY", "WORK_ITEM", "TARGET", "LEAD", "RESPONSIBLE", "SUPPORTING", "DEADLINE",
    ]  # fmt: skip
    assert table.years == [2023]
    assert len(table.rows) == 7
    categories = [r.cells[0] for r in table.rows]
    assert categories[:3] == ["推动产业转型升级"] * 3
    assert categories[3:5] == ["深化“放管服”改革"] * 2  # the nearest heading: （一）
    assert categories[5] == "加强市场监管"
    # provenance: the lines the task and its role lines stand on
    lines = PLAN.read_text("utf-8").splitlines()
    first = next(k for k, line in enumerate(lines, start=1) if line.startswith("1．"))
    assert table.rows[0].location == f"lines {first}–{first + 4}"
    assert table.rows[0].line == first
    inline = next(k for k, line in enumerate(lines, start=1) if line.startswith("3．"))
    assert table.rows[2].location == f"line {inline}"


def test_roles_from_full_width_ascii_and_bracketed_lines(backend: LocalBackend) -> None:
    # ASCII colons and commas: 县科技局 leads, 县工信局 shares, 省科技厅 supports
    assert by_label(obligations(backend, "县科技局")) == {"推进科技创新平台建设": "lead"}
    assert by_label(obligations(backend, "省科技厅")) == {"推进科技创新平台建设": "supporting"}
    # roles in brackets at the end of the task line
    assert by_label(obligations(backend, "县农业农村局")) == {"培育壮大农业龙头企业": "lead"}
    # 牵头 leads and 责任 units are co-responsible; "（牵头）" marks a lead inside 责任单位
    assert by_label(obligations(backend, "县发改局")) == {
        "加快工业园区建设": "responsible",
        "完善营商环境政策体系": "lead",
        "开展信用监管试点": "responsible",
    }
    assert by_label(obligations(backend, "县市场监管局")) == {
        "完善营商环境政策体系": "supporting",
        "开展信用监管试点": "lead",
        "加强食品药品安全监管": "lead",
    }
    # 责任单位 only: the first listed leads (湘政发〔2016〕1号)
    assert by_label(obligations(backend, "县政务服务中心")) == {
        "完善营商环境政策体系": "responsible",
        "推行“一件事一次办”": "lead",
    }
    # units separated by 、 ， and ；
    supporting = by_label(obligations(backend, "县税务局"))
    assert supporting == {"加快工业园区建设": "supporting", "开展信用监管试点": "supporting"}


def test_targets_carry_the_year_and_quantities(backend: LocalBackend) -> None:
    result = obligations(backend, "县工信局", role="lead")
    (entry,) = result["obligations"]
    assert [t["year"] for t in entry["targets"]] == [2023]
    assert "新增规模以上工业企业10家以上" in entry["targets"][0]["text"]


def test_coordination_load(backend: LocalBackend) -> None:
    load = coordination_load(backend)
    units = {u["unit"]["label"]: u for u in load["units"]}  # full names in the county
    market = units["青山县市场监督管理局"]
    assert (market["lead"], market["supporting"]) == (2, 1)
    assert units["青山县发展和改革局"]["work_items"] == 3
    assert load["units"][0]["work_items"] == max(u["work_items"] for u in load["units"])
    top = load["pairs"][0]
    assert top["shared"] == 2


def test_dependencies_on_a_document_defined_in_the_plan(backend: LocalBackend) -> None:
    result = dependents(backend, "实施方案")
    assert result["document"]["title"] == "青山县优化营商环境实施方案"
    labels = {t["work_item"]["label"] for t in result["targets"]}
    assert labels == {"完善营商环境政策体系", "推行“一件事一次办”", "开展信用监管试点"}
    assert all(t["path"] for t in result["targets"])


def test_deadlines_as_dates_or_text(backend: LocalBackend) -> None:
    rows = backend.store.select(
        """PREFIX fj: <https://w3id.org/fenjie/def#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?label ?text ?date WHERE {
          ?item a fj:WorkItem ; rdfs:label ?label ; fj:deadline ?text .
          OPTIONAL { ?item fj:deadlineDate ?date }
        }"""
    )
    found = {r["label"].value: (r["text"].value, r.get("date")) for r in rows}
    assert found["加快工业园区建设"][1] == Literal("2023-12-31", datatype=XSD.date)
    assert found["培育壮大农业龙头企业"][1].value == "2023-09-30"
    assert found["加强食品药品安全监管"][1].value == "2023-11-30"
    assert found["开展信用监管试点"] == ("长期坚持", None)


def test_plan_in_a_word_document_gives_the_same_graph(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in PLAN.read_text("utf-8").splitlines():
        document.add_paragraph(line)
    path = tmp_path / "plan.docx"
    document.save(path)
    table = read_table(path)
    assert table.reader == "docx-list"
    lines = PLAN.read_text("utf-8").splitlines()
    first = next(k for k, line in enumerate(lines, start=1) if line.startswith("1．"))
    assert table.rows[0].location == f"paragraphs {first}–{first + 4}"

    def comparable(t):
        return {
            (q.subject, q.predicate, q.object)
            for q in build_table(t, slug="plan").quads
            if q.predicate not in PROVENANCE and q.predicate != PROV.value
        }

    assert comparable(table) == comparable(read_table(PLAN))


def test_plan_without_year_keeps_the_whole_task_beside_its_work_item(tmp_path: Path) -> None:
    text = "重点工作分解\n一、安全生产\n1.开展隐患排查整治。建立台账。\n责任单位：县应急局、县消防救援大队\n完成时限：长期坚持\n"
    path = tmp_path / "plan.txt"
    path.write_text(text, encoding="utf-8")
    table = read_table(path)
    assert table.years == []
    # the first sentence names the work item; the whole task is kept in 任务全文
    assert [c.header for c in table.columns][-1] == "任务全文"
    assert table.rows[0].cells[:4] == (
        "安全生产",
        "1、开展隐患排查整治",
        "县应急局",
        "县消防救援大队",
    )
    assert table.rows[0].cells[-1] == "开展隐患排查整治。建立台账"


@pytest.mark.parametrize(
    "first", ["许政 [2020] 20号", "鞍立政发〔2023〕2号", "各县(市、区)人民政府,市人民政府各部门:"]
)
def test_a_notice_without_a_title_is_named_by_its_file_never_by_its_number(
    tmp_path: Path, first: str
) -> None:
    # the page kept the notice's 文号 and addressee line but not its title (tests/corpus/xuchang-…)
    path = tmp_path / "xuchang-2020.txt"
    path.write_text(
        f"{first}\n现将重点工作任务予以分解，请认真落实。\n一、稳增长\n1.抓项目。\n责任单位：市发展改革委\n",
        "utf-8",
    )
    assert read_table(path).title == ""
    store = FenjieStore.in_memory()
    build_sources([path], store=store)
    titles = [
        r["t"].value
        for r in store.select(
            "SELECT ?t WHERE { GRAPH ?g { ?s a <https://w3id.org/fenjie/def#SourceTable> ; "
            "<http://purl.org/dc/terms/title> ?t } }"
        )
    ]
    assert titles == ["xuchang-2020"]


def test_a_site_name_above_the_title_is_no_part_of_it(tmp_path: Path) -> None:
    # 中国政府网 above the State Council's title (tests/corpus/guowuyuan-…); a title wrapped after
    # 工业互联网 is still joined
    for first, second, title in [
        (
            "中国政府网",
            "国务院关于落实重点工作部门分工的意见",
            "国务院关于落实重点工作部门分工的意见",
        ),
        (
            "某市推进5G网络和工业互联网",
            "融合发展实施方案",
            "某市推进5G网络和工业互联网融合发展实施方案",
        ),
    ]:
        path = tmp_path / "plan.txt"
        path.write_text(
            f"{first}\n{second}\n一、稳增长\n1.抓项目。\n责任单位：市发展改革委\n", "utf-8"
        )
        assert read_table(path).title == title
