"""Bad input: a clear message with file, line and column, a non-zero exit, the store untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from fenjie.config import bundled_example
from fenjie.errors import HeaderError, InputError, RowShapeError, SourceEncodingError
from fenjie.graph import FenjieStore, build_sources, read_table
from fenjie.graph import store as store_module
from tests.fenjie_runs import RunFenjie

SAMPLE_TEXT = bundled_example().read_text("utf-8")
HEADER = "主要任务\t工作内容\t2020年目标\t责任单位\t配合单位"


def leftovers(store: Path) -> list[str]:
    """Staging directories and other build leftovers beside the store (its lock file and its
    versions folder belong to it)."""
    beside = [p.name for p in store.parent.glob(f".{store.name}.*")]
    versions = store.parent / f".{store.name}.versions"
    staging = [p.name for p in versions.glob("*staging*")]
    return [n for n in beside if not n.endswith((".lock", ".versions"))] + staging


def snapshot(store: Path) -> set:
    with FenjieStore.open(store, read_only=True) as opened:
        return {q for q in opened.inner if q.graph_name.value.endswith("2017-2019")}


@pytest.fixture(scope="module")
def existing_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("bad") / "store"
    build_sources([bundled_example()], store_path=store)
    return store


CASES = {
    # name: (file bytes, error class, line, column, words in the message)
    "empty": (b"", InputError, 1, 1, "empty"),
    "blank lines only": (b"\n \n\t\n", InputError, 1, 1, "empty"),
    "no header": ("附件\n一些文字\t没有表头\n".encode(), HeaderError, 1, 1, "no header row"),
    "missing responsible column": (
        "标题\n主要任务\t工作内容\t2020年目标\t备注\n平台\t1、网站\t建成\t无\n".encode(),
        HeaderError,
        2,
        5,
        "责任单位",
    ),
    "row too short": (
        f"{HEADER}\n平台\t1、网站\t建成\t省科技厅\t\n平台\t2、政策\t出台\n".encode(),
        RowShapeError,
        3,
        4,
        "3 cells, the header has 5",
    ),
    "row too long": (
        f"{HEADER}\n平台\t1、网站\t建成\t省科技厅\t\t多余\n".encode(),
        RowShapeError,
        2,
        6,
        "6 cells, the header has 5",
    ),
    "not UTF-8 nor GBK": (
        f"{HEADER}\n平台\t1、网站\t".encode() + b"\xff\xfe\xfd caf\xe9\t\xe9\n",
        SourceEncodingError,
        2,
        9,  # 平 台 \t 1 、 网 站 \t are columns 1–8
        "not valid UTF-8",
    ),
    "header only": (f"{HEADER}\n".encode(), InputError, 1, None, "no data rows"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_reader_errors_name_file_line_and_column(case, tmp_path):
    data, error, line, column, words = CASES[case]
    path = tmp_path / "bad.tsv"
    path.write_bytes(data)
    with pytest.raises(error) as info:
        read_table(path)
    assert info.value.file == str(path)
    assert (info.value.line, info.value.column) == (line, column)
    assert words in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}")


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
@pytest.mark.parametrize("case", ["empty", "row too short", "not UTF-8 nor GBK", "no header"])
def test_cli_exits_non_zero_and_leaves_the_store_untouched(
    run_fenjie: RunFenjie, case, existing_store, tmp_path
):
    before = snapshot(existing_store)
    path = tmp_path / "bad.tsv"
    path.write_bytes(CASES[case][0])
    result = run_fenjie("build", path, env={"FENJIE_STORE": str(existing_store)})
    assert result.returncode == 65
    assert result.stderr.startswith(f"错误：{path}:{CASES[case][2]}")
    assert "Traceback" not in result.stderr
    assert snapshot(existing_store) == before
    assert leftovers(existing_store) == [], "no staging directory left behind"


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_one_bad_source_among_good_ones_builds_nothing(
    run_fenjie: RunFenjie, existing_store, tmp_path
):
    before = snapshot(existing_store)
    good = tmp_path / "good.tsv"
    good.write_text(SAMPLE_TEXT, "utf-8")
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"")
    result = run_fenjie("build", good, bad, env={"FENJIE_STORE": str(existing_store)})
    assert result.returncode != 0
    with FenjieStore.open(existing_store, read_only=True) as opened:
        assert [t.value.rsplit("/", 1)[1] for t in opened.tables()] == [
            "changzhutan-innovation-zone-2017-2019"
        ]
    assert snapshot(existing_store) == before


def test_failure_while_writing_keeps_the_previous_store(existing_store, monkeypatch):
    before = snapshot(existing_store)

    def broken_write(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(store_module._Writer, "flush", broken_write)
    with pytest.raises(OSError, match="simulated"):
        build_sources([bundled_example()], store_path=existing_store, fresh=True)
    assert snapshot(existing_store) == before
    assert leftovers(existing_store) == []


def test_gbk_file_is_read_correctly(tmp_path):
    utf8_dir, gbk_dir = tmp_path / "utf8", tmp_path / "gbk"
    utf8_dir.mkdir()
    gbk_dir.mkdir()
    name = "changzhutan-innovation-zone-2017-2019.tsv"
    (utf8_dir / name).write_text(SAMPLE_TEXT, "utf-8")
    (gbk_dir / name).write_bytes(SAMPLE_TEXT.encode("gbk"))
    table = read_table(gbk_dir / name)
    assert table.encoding == "gb18030"
    assert table.rows[0].cells[6] == "省科技厅、长株潭三市政府"

    def quads(path: Path) -> set:
        store = FenjieStore.in_memory()
        build_sources([path], store=store)
        # only the byte-level facts may differ
        return {q for q in store.inner if not q.predicate.value.endswith(("#sha256", "#encoding"))}

    assert quads(gbk_dir / name) == quads(utf8_dir / name)


def test_utf8_with_bom_and_crlf(tmp_path):
    path = tmp_path / "bom.tsv"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE_TEXT.replace("\n", "\r\n").encode("utf-8"))
    table = read_table(path)
    assert table.encoding == "utf-8" and len(table.rows) == 14
    assert table.rows[-1].cells[-1] == "省财政厅、省国土资源厅"


def test_a_directory_or_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="directory"):
        read_table(tmp_path)
    with pytest.raises(InputError, match="cannot read"):
        read_table(tmp_path / "missing.tsv")


def test_refuses_to_overwrite_a_folder_that_is_not_a_store(tmp_path):
    folder = tmp_path / "precious"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", "utf-8")
    with pytest.raises(Exception, match="not an Oxigraph store"):
        build_sources([bundled_example()], store_path=folder)
    assert (folder / "notes.txt").read_text("utf-8") == "keep me"


def test_two_sources_with_the_same_graph_name_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "plan.tsv").write_text(SAMPLE_TEXT, "utf-8")
    with pytest.raises(InputError, match="share the graph"):
        build_sources(
            [tmp_path / "a" / "plan.tsv", tmp_path / "b" / "plan.tsv"], store_path=":memory:"
        )
