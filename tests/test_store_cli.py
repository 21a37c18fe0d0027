"""The persistent store and the build/stats/export/check commands, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from pyoxigraph import CanonicalizationAlgorithm, Dataset, NamedNode, RdfFormat

from fenjie.config import bundled_example
from fenjie.graph import FenjieStore, read_table
from tests.fenjie_runs import RunFenjie

SAMPLE = bundled_example()


def dataset(store_dir: Path) -> set:
    with FenjieStore.open(store_dir, read_only=True) as store:
        return set(store.inner)


def canonical(quads: set) -> set:
    """The quads with blank nodes relabelled by RDFC-1.0: equal sets mean isomorphic datasets."""
    ds = Dataset(quads)
    ds.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return set(ds)


@pytest.fixture()
def built(run_fenjie: RunFenjie, tmp_path) -> Path:
    store = tmp_path / "store"
    result = run_fenjie("build", store=store)
    assert result.returncode == 0, result.stderr
    return store


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_build_prints_what_it_built(run_fenjie: RunFenjie, built, tmp_path):
    result = run_fenjie("build", "--fresh", store=built)
    assert "工作内容 14 项" in result.stdout
    assert "目标 {2017: 36, 2018: 29, 2019: 24}" in result.stdout
    again = run_fenjie("build", store=built)  # the same bytes again: nothing to do
    assert again.returncode == 0 and "未变化，跳过" in again.stdout
    assert "构建 0 张表，1 张未变化" in again.stdout


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_stats_json(run_fenjie: RunFenjie, built):
    result = run_fenjie("stats", "--format", "json", store=built)
    data = json.loads(result.stdout)
    assert data["categories"] == 3 and data["work_items"] == 14
    assert data["targets"] == {"2017": 36, "2018": 29, "2019": 24}
    assert data["documents"] == 10 and data["observations"] > 0
    assert data["triples"] > 1000 and data["units"] == 20


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_rebuild_is_isomorphic(run_fenjie: RunFenjie, built, tmp_path):
    first = canonical(dataset(built))
    assert run_fenjie("build", store=built).returncode == 0
    assert canonical(dataset(built)) == first
    other = tmp_path / "other"
    assert run_fenjie("build", "--fresh", str(SAMPLE), store=other).returncode == 0
    assert canonical(dataset(other)) == first


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_building_a_source_again_replaces_only_its_graph(run_fenjie: RunFenjie, built, tmp_path):
    changed = tmp_path / "second-table.tsv"
    text = SAMPLE.read_text("utf-8").replace("省绩效办", "省统计局")
    changed.write_text(text, "utf-8")
    assert run_fenjie("build", str(changed), store=built).returncode == 0
    with FenjieStore.open(built, read_only=True) as store:
        assert len(store.tables()) == 2
    # edit the second table and rebuild it: the first table's graph is untouched
    changed.write_text(text.replace("省统计局", "省审计厅"), "utf-8")

    def first_table(quads: set) -> set:
        return canonical({q for q in quads if "changzhutan" in q.graph_name.value})

    before = first_table(dataset(built))
    assert run_fenjie("build", str(changed), store=built).returncode == 0
    after = dataset(built)
    assert first_table(after) == before
    labels = {q.object.value for q in after if q.predicate.value.endswith("#writtenAs")}
    assert "省审计厅" in labels and "省统计局" not in labels
    # --fresh starts from an empty store
    assert run_fenjie("build", "--fresh", store=built).returncode == 0
    with FenjieStore.open(built, read_only=True) as store:
        assert len(store.tables()) == 1


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_export_table_reproduces_every_cell(run_fenjie: RunFenjie, built):
    result = run_fenjie("export", "--format", "table", store=built)
    assert result.returncode == 0, result.stderr
    exported = [line.split("\t") for line in result.stdout.splitlines() if line]
    table = read_table(SAMPLE)
    assert exported[0] == ["附件"] and exported[1] == [table.title]
    normalize = " ".join
    assert [[normalize(c.split()) for c in r] for r in exported[3:]] == [
        [normalize(c.split()) for c in row.cells] for row in table.rows
    ]


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
@pytest.mark.parametrize(
    ("fmt", "rdflib_format"),
    [("ttl", "turtle"), ("nt", "nt"), ("trig", "trig"), ("nq", "nquads"), ("jsonld", "json-ld")],
)
def test_rdf_exports_parse_back(run_fenjie: RunFenjie, built, fmt, rdflib_format, tmp_path):
    out = tmp_path / f"export.{fmt}"
    assert run_fenjie("export", "--format", fmt, "-o", str(out), store=built).returncode == 0
    quads = dataset(built)
    if fmt in ("ttl", "nt"):
        graph = rdflib.Graph().parse(data=out.read_text("utf-8"), format=rdflib_format)
        assert len(graph) == len({(q.subject, q.predicate, q.object) for q in quads})
    else:
        ds = rdflib.Dataset().parse(data=out.read_text("utf-8"), format=rdflib_format)
        assert len(list(ds.quads((None, None, None, None)))) == len(quads)


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_check_reports_unit_both_responsible_and_supporting(run_fenjie: RunFenjie, built):
    result = run_fenjie("check", "--format", "json", store=built)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["conforms"] is True
    both = [f for f in report["findings"] if f["kind"] == "responsible_and_supporting"]
    assert [(f["unit"], f["work_item"]) for f in both] == [("省商务厅", "对外合作交流平台")]
    assert both[0]["source"]["header"] == "配合/参与单位"
    assert [f["kind"] for f in report["findings"]] == [
        "responsible_and_supporting"
    ]  # the one doubt
    shorts = {n["unit"] for n in report["notes"] if n["kind"] == "short_name"}
    assert {"省科技厅", "湖南银监局", "省发改委"} <= shorts and len(report["notes"]) == 18


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_check_reports_quality_findings_of_a_messy_table(run_fenjie: RunFenjie, tmp_path):
    messy = tmp_path / "messy.tsv"
    messy.write_text(
        "某市创新任务分解表\n"
        "主要任务\t工作内容\t2021年目标\t责任单位\t配合单位\n"
        "平台\t1、网站\t1、建成网站；2、上线；4、推广\t市科技局、某某新设办公室\t市科技局\n"
        "平台\t2、政策\t出台《意见》\t市财政局\t\n",
        "utf-8",
    )
    store = tmp_path / "store"
    assert run_fenjie("build", str(messy), store=store).returncode == 0
    report = json.loads(run_fenjie("check", "--format", "json", store=store).stdout)
    kinds = {f["kind"] for f in report["findings"]}
    assert kinds == {
        "unknown_jurisdiction",  # 某市: no place, so 市科技局 stays as written
        "unresolved_unit",
        "responsible_and_supporting",
        "numbering_gap",
        "unresolved_document",
    }
    gap = next(f for f in report["findings"] if f["kind"] == "numbering_gap")
    assert gap["missing"] == [3] and gap["source"]["line"] == 3 and gap["source"]["column"] == 3


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_check_fails_on_shape_violations(run_fenjie: RunFenjie, built, tmp_path):
    # Damage a copy of the store: a target without a year violates the shapes.
    store = pyoxigraph.Store(str(built))
    year = NamedNode("https://w3id.org/fenjie/def#year")
    victim = next(
        q for q in store.quads_for_pattern(None, year, None) if "/target/" in q.subject.value
    )
    store.remove(victim)
    del store
    result = run_fenjie("check", store=built)
    assert result.returncode == 1
    assert (
        "不符合约束 (does NOT conform)" in result.stdout and victim.subject.value in result.stdout
    )


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_default_store_location_is_used_by_every_command(run_fenjie: RunFenjie, tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "FENJIE_STORE": ""}
    assert run_fenjie("build", env=env).returncode == 0
    assert (tmp_path / "data" / "fenjie" / "store" / "CURRENT").exists()
    result = run_fenjie("stats", "--format", "json", env=env)
    assert json.loads(result.stdout)["work_items"] == 14


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_missing_store_says_to_build_first(run_fenjie: RunFenjie, tmp_path):
    result = run_fenjie("stats", store=tmp_path / "nowhere")
    assert result.returncode != 0
    assert "fenjie build" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_export_ttl_is_loadable_by_pyoxigraph(run_fenjie: RunFenjie, built):
    data = run_fenjie("export", "--format", "ttl", store=built).stdout.encode("utf-8")
    triples = list(pyoxigraph.parse(data, format=RdfFormat.TURTLE))
    assert any(t.predicate.value.endswith("#leads") for t in triples)


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_long_inputs_show_a_progress_bar_on_a_terminal(run_fenjie: RunFenjie, tmp_path):
    import fcntl
    import pty
    import struct
    import termios

    lines = SAMPLE.read_text("utf-8").splitlines()
    header, rows = (
        lines[6],
        [line for line in lines[7:] if line and not line.startswith("主要任务")],
    )
    big = tmp_path / "big.tsv"
    big.write_text("\n".join([header] + rows * 144) + "\n", "utf-8")  # 2,016 rows
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(
        # about 340,000 triples: over the default --max-triples, which this test is not about
        [sys.executable, "-m", "fenjie", "build", "--max-triples", "1000000", str(big)],
        stdout=subprocess.PIPE,
        stderr=secondary,
        env={**os.environ, "FENJIE_STORE": str(tmp_path / "store")},
    )
    os.close(secondary)
    stdout, _ = process.communicate(timeout=300)
    terminal = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        terminal += chunk
    os.close(primary)
    assert process.returncode == 0
    assert b"/2016" in terminal and b"row/s" in terminal
    # without a terminal (as in every other test here) nothing but the summary is printed
    quiet = run_fenjie("build", "--max-triples", "1000000", str(big), store=tmp_path / "store2")
    assert quiet.stderr == ""
