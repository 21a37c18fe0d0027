"""Progress reports (督办): statuses, reading progress tables in two formats, matching, storing,
and the derived answers checked against hand-made gold facts at the item level."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from fenjie.config import bundled_example
from fenjie.graph import FenjieStore, build_sources
from fenjie.progress.derive import progress
from fenjie.progress.ingest import read_reports
from fenjie.progress.record import add_reports
from fenjie.progress.status import Status, parse_status
from fenjie.queries import LocalBackend

sys.path.insert(0, str(Path(__file__).parent))
import progress_table  # noqa: E402

from tests.fenjie_runs import RunFenjie

BASE = "https://w3id.org/fenjie/id/"
T = progress_table.iri

# Where each row of the table goes (hand-checked): 2018 targets, open 2017 targets, whole items.
GOLD_ABOUT = [
    "1-1/2017/3", "1-1/2018/1", "1-1/2018/2", "1-2/2017/1", "1-2/2018/2", "1-3", "1-4/2018/2",
    "1-5/2018/3", "1-5/2018/2", "2-1", "2-2/2018/1", "2-3/2018/1", "2-4/2018/1", "3-1/2018/1",
    "3-2", "3-3/2018/1", "3-4/2018/1", "3-5/2018/2",
]  # fmt: skip


@pytest.mark.parametrize(
    ("spelling", "status"),
    [
        ("完成", Status.COMPLETED),
        ("已完成", Status.COMPLETED),
        ("完成了", Status.COMPLETED),
        ("基本完成", Status.BASICALLY_COMPLETED),
        ("正在推进", Status.IN_PROGRESS),
        ("进行中", Status.IN_PROGRESS),
        ("序时推进", Status.IN_PROGRESS),
        ("未完成", Status.IN_PROGRESS),
        ("滞后于序时进度", Status.LATE),
        ("滞后", Status.LATE),
        ("未启动", Status.NOT_STARTED),
        ("无法完成", Status.CANNOT_COMPLETE),
        (" 已完成。", Status.COMPLETED),
    ],
)
def test_common_spellings_map_to_the_scheme(spelling: str, status: Status) -> None:
    assert parse_status(spelling) is status


def test_unknown_spelling_is_none() -> None:
    assert parse_status("差不多") is None
    assert parse_status("") is None


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("progress")
    return {
        "xlsx": progress_table.write_xlsx(out / "进展情况.xlsx"),
        "docx": progress_table.write_docx(out / "进展情况.docx"),
        "csv": progress_table.write_csv(out / "进展情况.csv"),
    }


@pytest.fixture()
def store() -> Iterator[FenjieStore]:
    store = FenjieStore.in_memory()
    build_sources([bundled_example()], store=store)
    yield store


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "csv"])
def test_rows_match_the_same_targets_in_every_format(
    fmt: str, files: dict[str, Path], store: FenjieStore
) -> None:
    batch = read_reports(files[fmt], LocalBackend(store))
    assert batch.problems == []
    assert [r.about for r in batch.reports] == [T(k) for k in GOLD_ABOUT]
    assert {r.as_of for r in batch.reports} == {date(2018, 6, 30)}  # from the title's 截至
    by_about = {r.about: r for r in batch.reports}
    late = by_about[T("1-2/2017/1")]
    assert late.status is Status.LATE and late.status_written == "滞后于序时进度"
    assert str(late.percent) == "50" and late.problems == "部门意见分歧较大"
    # a member city reports on its group's work item; the unit is the city, not the group
    assert by_about[T("2-1")].unit.endswith("/unit/changsha-municipal-government")


def _answer(store: FenjieStore, files: dict[str, Path], **kwargs: object) -> dict:
    backend = LocalBackend(store)
    add_reports(store, read_reports(files["xlsx"], backend).reports, base=BASE)
    return progress(backend, **kwargs)  # type: ignore[arg-type]


def _unit(answer: dict, label: str) -> dict:
    return next(u for u in answer["units"] if u["unit"]["label"] == label)


def _keys(answer: dict, *, lead: str, flag: str) -> set[str]:
    found = set()
    for t in answer["targets"]:
        leads = [u["label"] for u in t["units"] if u["role"] == "lead"]
        ok = {"completed": t["status"] in ("已完成", "基本完成"), "late": t["status"] == "滞后"}
        if lead in leads and (t[flag] if flag == "overdue" else ok[flag]):
            found.add(t["iri"].split("/item/")[1].replace("/target/", "/"))
    return found


GOLD_2018_06_30 = {  # per lead unit: completed / late / overdue targets (hand-made)
    "湖南省科学技术厅": {
        "completed": {"1-1/2017/3", "1-1/2018/1", "3-1/2018/1", "3-2/2017/1", "3-2/2018/1",
                      "3-3/2018/1"},
        "late": {"1-2/2017/1", "1-5/2018/2"},
        "overdue": {"1-1/2017/1", "1-1/2017/2", "1-2/2017/1", "1-2/2017/2", "1-5/2017/1",
                    "1-5/2017/2", "1-5/2017/3", "1-5/2017/4", "3-1/2017/1", "3-3/2017/1",
                    "3-3/2017/2", "3-3/2017/3", "3-4/2017/1", "3-4/2017/2", "3-5/2017/1",
                    "3-5/2017/2", "3-5/2017/3", "3-5/2017/4"},
    },
    "长株潭三市政府": {
        "completed": set(),
        "late": {"2-4/2018/1"},
        "overdue": {"2-1/2017/1", "2-1/2017/2", "2-1/2017/3", "2-2/2017/1", "2-2/2017/2",
                    "2-2/2017/3", "2-3/2017/1", "2-3/2017/2", "2-3/2017/3", "2-3/2017/4",
                    "2-4/2017/1", "2-4/2017/2"},
    },
    "湖南省财政厅": {
        "completed": {"1-4/2018/2"},
        "late": set(),
        "overdue": {"1-4/2017/1", "1-4/2017/2", "1-4/2017/3"},
    },
    "省绩效办": {"completed": {"1-3/2017/1", "1-3/2018/1"}, "late": set(), "overdue": set()},
}  # fmt: skip


@pytest.mark.parametrize("lead", sorted(GOLD_2018_06_30))
def test_gold_facts_per_lead_unit_as_of_mid_2018(
    lead: str, store: FenjieStore, files: dict[str, Path]
) -> None:
    answer = _answer(store, files, as_of=date(2018, 6, 30))
    for flag, expected in GOLD_2018_06_30[lead].items():
        assert _keys(answer, lead=lead, flag=flag) == expected, flag
    counts = _unit(answer, lead)["lead"]
    gold = GOLD_2018_06_30[lead]
    assert (counts["completed"], counts["late"], counts["overdue"]) == (
        len(gold["completed"]),
        len(gold["late"]),
        len(gold["overdue"]),
    )


def test_done_when_questions(store: FenjieStore, files: dict[str, Path]) -> None:
    end = date(2019, 12, 31)
    answer = _answer(store, files, as_of=end, overdue=True)
    # every 2017 and 2018 target not completed (65 minus 9 completed); 2019 targets fall due today
    assert len(answer["targets"]) == 56
    assert all(t["year"] in (2017, 2018) for t in answer["targets"])
    kjt = _unit(progress(LocalBackend(store), as_of=end), "湖南省科学技术厅")
    assert (kjt["lead"]["targets"], kjt["lead"]["completed"], kjt["lead"]["rate"]) == (50, 6, 0.12)
    late = progress(LocalBackend(store), as_of=end, status="滞后", depends="意见")
    keys = {t["iri"] for t in late["targets"]}
    assert keys == {T("1-2/2017/1"), T("1-5/2018/2")}
    kinds = {t["iri"]: t["depends"]["kind"] for t in late["targets"]}
    assert kinds == {T("1-2/2017/1"): "based_on", T("1-5/2018/2"): "baseline"}


def test_a_newer_report_supersedes_and_history_stays(
    store: FenjieStore, files: dict[str, Path], tmp_path: Path
) -> None:
    backend = LocalBackend(store)
    add_reports(store, read_reports(files["xlsx"], backend).reports, base=BASE)
    later = tmp_path / "年底.csv"
    later.write_text(
        "序号,工作任务,责任单位,进展情况,完成状态,截至日期\n"
        "1,制定出台《意见》实施细则,省科技厅,实施细则已印发。,已完成,2018-12-20\n",
        encoding="utf-8",
    )
    add_reports(store, read_reports(later, backend).reports, base=BASE)
    key = T("1-2/2017/1")
    before = {t["iri"]: t for t in progress(backend, as_of=date(2018, 12, 1))["targets"]}
    after = {t["iri"]: t for t in progress(backend, as_of=date(2018, 12, 31))["targets"]}
    assert before[key]["status"] == "滞后" and before[key]["overdue"]
    assert after[key]["status"] == "已完成" and not after[key]["overdue"]
    assert after[key]["reports"] == 2  # the history is kept
    assert after[key]["latest_report"]["as_of"] == "2018-12-20"


def test_a_target_without_report_is_not_reported_and_overdue_when_due(
    store: FenjieStore,
) -> None:
    answer = progress(LocalBackend(store), as_of=date(2018, 1, 1), year=2017)
    assert {t["status"] for t in answer["targets"]} == {"未报送"}
    assert all(t["overdue"] and t["latest_report"] is None for t in answer["targets"])
    assert not any(
        t["overdue"] for t in progress(LocalBackend(store), as_of=date(2017, 12, 31))["targets"]
    )


def test_bad_rows_are_listed_with_their_place(store: FenjieStore, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "序号,工作任务,责任单位,进展情况,完成状态\n"
        "1,修建高速公路,省科技厅,已通车。,已完成\n"
        "2,召开阶段工作总结会议,省科技厅,已召开。,已完成\n"
        "3,拓展平台功能,省商务厅,已拓展。,已完成\n"
        "4,拓展平台功能,省知识产权局,已拓展。,差不多\n"
        "5,拓展平台功能,省知识产权局,,已完成\n",
        encoding="utf-8",
    )
    # as of 2017, 召开阶段工作总结会议 (a 2018 and a 2019 target) has no year to prefer
    batch = read_reports(bad, LocalBackend(store), as_of=date(2017, 6, 30))
    assert batch.reports == []
    messages = {p.line: p.message for p in batch.problems}
    assert set(messages) == {2, 3, 4, 5, 6}
    assert "no work item or target reads like '修建高速公路'" in messages[2]
    assert "reads like 2 tasks" in messages[3]
    ambiguous = next(p for p in batch.problems if p.line == 3)
    assert [c.split(" <")[1][:-1] for c in ambiguous.candidates] == [
        T("1-1/2018/1"),
        T("1-1/2019/1"),
    ]
    assert "not responsible" in messages[4]
    assert "unknown status '差不多'" in messages[5]
    assert "no progress text" in messages[6]


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_cli_report_is_atomic_idempotent_and_progress_answers(
    run_fenjie: RunFenjie, files: dict[str, Path], tmp_path: Path
) -> None:
    store = tmp_path / "store"
    build_sources([bundled_example()], store_path=store)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "序号,工作任务,责任单位,进展情况,完成状态\n"
        "1,拓展平台功能,省知识产权局,已拓展。,已完成\n"
        "2,修建高速公路,省科技厅,已通车。,已完成\n",
        encoding="utf-8",
    )
    refused = run_fenjie("report", str(bad), "--as-of", "2018-06-30", store=store)
    assert refused.returncode == 65
    assert "bad.csv" in refused.stderr and "line 3" in refused.stderr
    assert "Traceback" not in refused.stderr
    first = run_fenjie("report", str(files["docx"]), "--format", "json", store=store)
    assert first.returncode == 0, first.stderr
    assert len(json.loads(first.stdout)["added"]) == 18
    again = run_fenjie("report", str(files["docx"]), "--format", "json", store=store)
    assert (
        json.loads(again.stdout)["added"] == [] and len(json.loads(again.stdout)["existing"]) == 18
    )
    answer = run_fenjie("progress", "--as-of", "2018-06-30", "--format", "json", store=store)
    assert answer.returncode == 0, answer.stderr
    data = json.loads(answer.stdout)
    assert data["as_of"] == "2018-06-30"
    assert data["summary"]["completed"] == 9 and data["summary"]["late"] == 3
    # the refused file stored nothing: 拓展平台功能 has only the .docx's report
    target = next(t for t in data["targets"] if t["iri"] == T("3-3/2018/1"))
    assert target["reports"] == 1 and target["latest_report"]["source"]["file"] == "进展情况.docx"
    csv_out = run_fenjie(
        "progress", "--as-of", "2018-06-30", "--overdue", "--format", "csv", store=store
    )
    assert csv_out.stdout.splitlines()[0].startswith("year,work_item,target")
    assert len(csv_out.stdout.splitlines()) == 1 + 33
    bad_status = run_fenjie("progress", "--status", "差不多", store=store)
    assert bad_status.returncode != 0 and "unknown status" in bad_status.stderr


def test_views_colour_nodes_by_status(store: FenjieStore, files: dict[str, Path]) -> None:
    from fenjie.viz import build_view
    from fenjie.viz._status import LIGHTS

    backend = LocalBackend(store)
    add_reports(store, read_reports(files["xlsx"], backend).reports, base=BASE)
    view = build_view(backend, "responsibility", as_of="2018-06-30")
    colours = {n: d["color"] for n, d in view.graph.nodes(data=True)}
    # 1-3 and 3-2: 2017 and 2018 completed, 2019 not yet due; 1-2: its 2017 target is overdue
    assert colours[T("1-3")] == colours[T("3-2")] == LIGHTS["yellow"]
    assert colours[T("1-2")] == LIGHTS["red"]
    performance = next(n for n, d in view.graph.nodes(data=True) if d["label"] == "省绩效办")
    assert colours[performance] == LIGHTS["yellow"]
    assert "截至 2018-06-30" in view.subtitle
    plain = build_view(backend, "responsibility")
    assert plain.graph.nodes[T("1-2")]["color"] not in LIGHTS.values()


@pytest.mark.libreoffice
def test_a_pdf_progress_table_matches_the_same_targets(
    files: dict[str, Path], store: FenjieStore, tmp_path: Path
) -> None:
    import os
    import shutil

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (tests/setup.sh installs it)")
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}"]
        + ["--convert-to", "pdf", "--outdir", str(tmp_path), str(files["docx"])],
        check=True,
        capture_output=True,
        timeout=240,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    batch = read_reports(tmp_path / "进展情况.pdf", LocalBackend(store))
    assert batch.table.reader == "pdf"
    assert batch.problems == []
    assert [r.about for r in batch.reports] == [T(k) for k in GOLD_ABOUT]
    assert all(r.origin.location.startswith("page ") for r in batch.reports)  # type: ignore[union-attr]


def _key(iri: str) -> str:
    return iri.split("/item/")[1].replace("/target/", "/")


def test_blocking_lists_what_an_overdue_target_holds_up(store: FenjieStore) -> None:
    answer = progress(LocalBackend(store), as_of=date(2019, 12, 31))
    blocking = {_key(b["target"]["iri"]): b for b in answer["blocking"]}
    # 出台自创区《空间规划》 (2018) is overdue: the targets citing 《空间规划》 wait for it (through the
    # document it issues), and so do the later targets of its work item (fj:precedes)
    plan = blocking["1-1/2018/2"]
    assert plan["status"] == "未报送"
    paths = {
        _key(d["iri"]): [step.get("edge") or step["label"] for step in d["path"]]
        for d in plan["dependents"]
    }
    assert paths == {
        "1-1/2017/3": ["出台自创区《空间规划》", "fj:produces", "空间规划", "fj:produces", "编制自创区空间规划"],
        "1-1/2018/1": ["出台自创区《空间规划》", "fj:produces", "空间规划", "fj:produces", "编制自创区空间规划",
                       "fj:precedes", "召开阶段工作总结会议"],
        "1-1/2019/1": ["出台自创区《空间规划》", "fj:precedes", "召开阶段工作总结会议"],
        "1-1/2019/2": ["出台自创区《空间规划》", "fj:precedes", "推动空间规划实施"],
    }  # fmt: skip
    # a target of the last year holds up nothing
    assert not any(key.split("/")[1] == "2019" for key in blocking)
    without = progress(LocalBackend(store), as_of=date(2019, 12, 31), blocking=False)
    assert without["blocking"] is None
    assert without | {"blocking": answer["blocking"]} == answer


@pytest.mark.parametrize("plan", ["bundled", "synthetic"])
def test_dependents_of_all_issued_documents_at_once_equal_one_by_one(
    plan: str, tmp_path: Path
) -> None:
    from fenjie.bench.synthetic import write_synthetic
    from fenjie.queries.documents import dependents, dependents_of_produced

    store = FenjieStore.in_memory()
    sources = [bundled_example()] if plan == "bundled" else write_synthetic(tmp_path, 60)
    build_sources(sources, store=store)
    backend = LocalBackend(store)
    issued = {
        row["document"].value
        for row in backend.select(
            "PREFIX fj: <https://w3id.org/fenjie/def#> "
            "SELECT ?document WHERE { ?target a fj:Target ; fj:produces ?document }"
        )
    }
    one_by_one = {iri: dependents(backend, iri) for iri in sorted(issued)}
    at_once = dependents_of_produced(backend)
    assert at_once == {iri: answer for iri, answer in one_by_one.items() if answer["targets"]}
    assert at_once  # the plans do issue documents that others depend on
