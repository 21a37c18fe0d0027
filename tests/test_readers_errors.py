"""Bad input to the readers: a clear InputError naming the file (and page or sheet), a non-zero exit
from ``fenjie build``, and the store left exactly as it was."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from fenjie.config import bundled_example
from fenjie.errors import HeaderError, InputError
from fenjie.graph import FenjieStore, build_sources, read_table
from tests.fenjie_runs import Cli


def plain_docx(path: Path, rows: list[list[str]] | None = None) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("某县重点工作任务分解表")
    rows = rows or [
        ["主要任务", "工作内容", "2023年目标", "责任单位"],
        ["平台", "1、网站", "建成", "县科技局"],
    ]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph()
    document.save(path)
    return path


def plain_xlsx(path: Path, rows: list[list[object]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "任务表"
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def encrypt(source: Path, target: Path) -> Path:
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    with source.open("rb") as plain, target.open("wb") as out:
        ooxml.OOXMLFile(plain).encrypt("secret", out)
    return target


def scanned_pdf(path: Path) -> Path:
    """A PDF whose only page is an image: no text layer, as a scanner makes it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig = plt.figure(figsize=(4, 3))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(np.random.default_rng(1).random((60, 80)), cmap="gray")
    ax.set_axis_off()
    fig.savefig(path, format="pdf")
    plt.close(fig)
    return path


def corrupt_xml_docx(source: Path, target: Path) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            zout.writestr(item, data)
    return target


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bad-readers")


@pytest.fixture(scope="module")
def bad_files(folder: Path) -> dict[str, tuple[Path, type[InputError], str]]:
    """name → (file, error class, words the message must hold)."""
    good_docx = plain_docx(folder / "good.docx")
    good_xlsx = plain_xlsx(
        folder / "good.xlsx",
        [["主要任务", "工作内容", "责任单位"], ["平台", "1、网站", "县科技局"]],
    )
    png = folder / "photo.docx"  # named like Word, but a PNG image
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    binary = folder / "data.tsv"
    binary.write_bytes(bytes(range(256)) * 8)
    other_zip = folder / "archive.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", "hello")
    other_zip.write_bytes(buffer.getvalue())
    truncated = folder / "truncated.docx"
    truncated.write_bytes(good_docx.read_bytes()[: good_docx.stat().st_size // 2])
    no_header_xlsx = plain_xlsx(folder / "noheader.xlsx", [["名称", "数量"], ["甲", 1]])
    return {
        "png image": (png, InputError, "不是表格 (not a table: this is a PNG image)"),
        "binary": (binary, InputError, "binary file"),
        "zip, not office": (other_zip, InputError, "既不是 Word .docx 也不是 Excel .xlsx"),
        "truncated docx": (truncated, InputError, "已损坏"),
        "damaged docx xml": (
            corrupt_xml_docx(good_docx, folder / "damaged.docx"),
            InputError,
            "Word 文档已损坏",
        ),
        "encrypted docx": (encrypt(good_docx, folder / "locked.docx"), InputError, "密码"),
        "encrypted xlsx": (encrypt(good_xlsx, folder / "locked.xlsx"), InputError, "密码"),
        "docx without header": (
            plain_docx(folder / "noheader.docx", [["名称", "数量"], ["甲", "1"]]),
            HeaderError,
            "找不到表头行",
        ),
        "xlsx without header": (no_header_xlsx, HeaderError, "工作表：任务表"),
        "pdf without text": (scanned_pdf(folder / "scan.pdf"), InputError, "没有文字层"),
        "text without header or tasks": (_text(folder / "notes.txt"), HeaderError, "找不到"),
    }


def _text(path: Path) -> Path:
    path.write_text("会议纪要\n一、会议听取了汇报。\n二、会议要求抓好落实。\n", encoding="utf-8")
    return path


CASES = [
    "png image",
    "binary",
    "zip, not office",
    "truncated docx",
    "damaged docx xml",
    "encrypted docx",
    "encrypted xlsx",
    "docx without header",
    "xlsx without header",
    "pdf without text",
    "text without header or tasks",
]


@pytest.mark.parametrize("case", CASES)
def test_clear_error_naming_the_file(case: str, bad_files) -> None:
    path, error, words = bad_files[case]
    with pytest.raises(error) as caught:
        read_table(path)
    assert caught.value.file == str(path)
    assert words in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_pdf_error_names_the_page(bad_files) -> None:
    with pytest.raises(InputError) as caught:
        read_table(bad_files["pdf without text"][0])
    assert caught.value.details["page"] == 1
    assert "第 1 页" in str(caught.value)


def test_good_files_read(folder: Path) -> None:
    assert read_table(folder / "good.docx").reader == "docx"
    assert read_table(folder / "good.xlsx").reader == "xlsx"


def test_numbers_stored_as_numbers_and_merged_units(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["主要任务", "工作内容", "2023年目标", "牵头单位", "完成时限"])
    ws.append(["产业", "1、招商引资", 15, "县商务局", None])
    ws.append([None, "2、园区建设", 12.5, None, None])
    ws.append([None, "3、税收", 0.08, "县税务局", None])
    ws["C4"].number_format = "0%"
    ws["E2"] = openpyxl.utils.datetime.from_excel(45107)  # 2023-06-30
    ws.merge_cells("A2:A4")
    ws.merge_cells("D2:D3")  # one lead for two work items
    ws.merge_cells("E2:E4")
    path = tmp_path / "numbers.xlsx"
    book.save(path)
    table = read_table(path)
    cells = [r.cells for r in table.rows]
    assert [c[2] for c in cells] == ["15", "12.5", "8%"]
    assert [c[0] for c in cells] == ["产业", "", ""]  # category written once, continued below
    assert [c[3] for c in cells] == ["县商务局", "县商务局", "县税务局"]
    assert [c[4] for c in cells] == ["2023-06-30"] * 3
    assert table.rows[1].location == "sheet Sheet, row 3"


def test_docx_merged_unit_cell_reaches_each_work_item(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    rows = [
        ["主要任务", "工作内容", "2023年目标", "责任单位"],
        ["平台", "1、网站", "建成", "县科技局、县财政局"],
        ["", "", "二期上线", ""],
        ["", "2、数据", "汇聚", ""],
    ]
    table = document.add_table(rows=4, cols=4)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(1, 0).merge(table.cell(3, 0))
    table.cell(1, 1).merge(table.cell(2, 1))  # one work item over two rows
    table.cell(1, 3).merge(table.cell(3, 3))  # one unit cell for both work items
    document.add_paragraph()
    path = tmp_path / "merged.docx"
    document.save(path)
    read = read_table(path)
    assert [r.cells for r in read.rows] == [
        ("平台", "1、网站", "建成", "县科技局、县财政局"),
        ("", "", "二期上线", ""),  # continuation of 1、网站: its units are not repeated
        ("", "2、数据", "汇聚", "县科技局、县财政局"),
    ]


@pytest.fixture(scope="module")
def store(folder: Path) -> Path:
    path = folder / "store"
    build_sources([bundled_example()], store_path=path)
    return path


def snapshot(store: Path) -> set:
    with FenjieStore.open(store, read_only=True) as opened:
        return set(opened.inner)


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
@pytest.mark.parametrize(
    "case", ["png image", "encrypted docx", "pdf without text", "xlsx without header"]
)
def test_build_exits_non_zero_and_leaves_the_store(
    cli: Cli, case: str, bad_files, store: Path
) -> None:
    path = bad_files[case][0]
    before = snapshot(store)
    done = cli("build", bundled_example(), path, env={"FENJIE_STORE": str(store)})
    assert done.returncode == 65
    assert done.stderr.startswith(f"错误：{path}")
    assert "Traceback" not in done.stderr
    assert snapshot(store) == before
