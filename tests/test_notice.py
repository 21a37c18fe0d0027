"""The 督查通报: .docx opens in LibreOffice and renders Chinese (converted to PDF and read back);
.xlsx holds the same overdue list; fonts are the official ones (仿宋/黑体) by name."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from fenjie.config import bundled_example
from fenjie.graph import FenjieStore, build_sources
from fenjie.progress.derive import progress
from fenjie.progress.ingest import read_reports
from fenjie.progress.notice import write_notice
from fenjie.progress.record import add_reports
from fenjie.queries import LocalBackend

sys.path.insert(0, str(Path(__file__).parent))
import progress_table  # noqa: E402

TITLE = "长株潭国家自主创新示范区建设目标任务分解表（2017—2019年）"


@pytest.fixture(scope="module")
def answer(tmp_path_factory: pytest.TempPathFactory) -> dict:
    store = FenjieStore.in_memory()
    build_sources([bundled_example()], store=store)
    table = progress_table.write_xlsx(tmp_path_factory.mktemp("notice") / "进展.xlsx")
    batch = read_reports(table, LocalBackend(store))
    add_reports(store, batch.reports, base="https://w3id.org/fenjie/id/")
    return progress(LocalBackend(store), as_of=date(2019, 12, 31))


@pytest.mark.libreoffice  # prints the notice to PDF with LibreOffice
def test_docx_renders_chinese_in_libreoffice(answer: dict, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (tests/setup.sh installs it)")
    import pdfplumber

    docx_path = write_notice(answer, tmp_path / "通报.docx", plan_title=TITLE)
    profile = tmp_path / "lo-profile"
    env = {**os.environ, "HOME": str(tmp_path)}
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}"]
        + ["--convert-to", "pdf", "--outdir", str(tmp_path), str(docx_path)],
        check=True,
        capture_output=True,
        timeout=240,
        env=env,
    )
    with pdfplumber.open(tmp_path / "通报.pdf") as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
        fonts = {c["fontname"] for page in pdf.pages for c in page.chars}
    flat = re.sub(r"\s+", "", text)
    assert "关于长株潭国家自主创新示范区建设目标任务推进情况的通报" in flat
    assert "（截至2019年12月31日）" in flat
    overdue = sum(t["overdue"] for t in answer["targets"])
    assert overdue == 56
    assert f"三、逾期未完成目标（{overdue}项）" in flat
    assert f"纳入督办的目标任务共{len(answer['targets'])}项" in flat
    assert "省绩效办" in flat and "66.7%" in flat
    assert any("CJK" in f for f in fonts), fonts  # the Chinese came out as glyphs, not boxes


def test_docx_names_official_fonts_and_layout(answer: dict, tmp_path: Path) -> None:
    import docx
    from docx.oxml.ns import qn

    path = write_notice(answer, tmp_path / "通报.docx", plan_title=TITLE)
    document = docx.Document(str(path))
    section = document.sections[0]
    assert round(section.top_margin.cm, 1) == 3.7 and round(section.left_margin.cm, 1) == 2.8
    east = {
        run._element.rPr.rFonts.get(qn("w:eastAsia")) for p in document.paragraphs for run in p.runs
    }
    assert east == {"方正小标宋简体", "黑体", "仿宋"}
    overdue_table = document.tables[1]
    assert len(overdue_table.rows) == 1 + 56
    assert [c.text for c in overdue_table.rows[0].cells][:4] == ["序号", "年度", "工作内容", "目标"]


def test_xlsx_holds_the_same_lists(answer: dict, tmp_path: Path) -> None:
    import openpyxl

    path = write_notice(answer, tmp_path / "通报.xlsx", plan_title=TITLE)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["总体情况", "各牵头单位", "逾期清单"]
    rows = list(book["逾期清单"].iter_rows(min_row=2, values_only=True))
    expected = [t for t in answer["targets"] if t["overdue"]]
    assert [r[3] for r in rows] == [t["text"] for t in expected]
    leads = {r[1]: r for r in book["各牵头单位"].iter_rows(min_row=2, values_only=True)}
    assert leads["湖南省科学技术厅"][2:] == ("50", "6", "2", "30", "12.0%")
    assert book["逾期清单"]["A1"].font.name == "黑体"


def test_bad_suffix_is_refused_and_writes_nothing(answer: dict, tmp_path: Path) -> None:
    from fenjie.errors import ParameterError

    with pytest.raises(ParameterError):
        write_notice(answer, tmp_path / "通报.pdf")
    assert list(tmp_path.iterdir()) == []
