"""Building many sources: folders and glob patterns, unchanged sources skipped, tables built in
worker processes give the same graph as one process (issue 13, "Bounded-memory, atomic builds")."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, RdfFormat, parse

from fenjie.bench.synthetic import write_synthetic
from fenjie.config import DEFAULT_BASE
from fenjie.errors import InputError
from fenjie.graph import FenjieStore, build_sources, table_slug
from fenjie.graph import store as store_module
from fenjie.graph._pipeline import build_one
from fenjie.graph._versions import versions_dir
from tests.fenjie_runs import RunFenjie

pytestmark = pytest.mark.slow  # runs real builds in subprocesses


def iri(source: Path) -> str:
    return f"{DEFAULT_BASE}table/{table_slug(source.name)}"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """Four synthetic tables of 30 rows, one in a subfolder, beside a README that is no table."""
    root = tmp_path_factory.mktemp("plans")
    tables = write_synthetic(root, 90, seed=3, rows_per_table=30)
    nested = write_synthetic(root / "2024", 30, seed=4, rows_per_table=30)
    (root / "README.md").write_text("# 说明\n这里放计划表。\n", "utf-8")
    (root / ".hidden.tsv").write_text("not a plan\n", "utf-8")
    return root, sorted(tables + nested)


def canonical(store: FenjieStore) -> set:
    dataset = Dataset(store.inner)
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def work_items(store_path: Path) -> dict[str, set[tuple[str, str]]]:
    """Each graph's work items with their text: what a reader of the store sees, per table."""
    with FenjieStore.open(store_path, read_only=True) as opened:
        rows = opened.select(
            """PREFIX fj: <https://w3id.org/fenjie/def#>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?g ?item ?label WHERE { GRAPH ?g { ?item a fj:WorkItem ; rdfs:label ?label } }"""
        )
    items: dict[str, set[tuple[str, str]]] = {}
    for row in rows:
        items.setdefault(row["g"].value, set()).add((row["item"].value, row["label"].value))
    return items


def test_workers_build_the_same_graph_as_one_process(folder: tuple[Path, list[Path]]) -> None:
    _, tables = folder
    alone, parallel = FenjieStore.in_memory(), FenjieStore.in_memory()
    build_sources(tables, store=alone, workers=1)
    results = build_sources(tables, store=parallel, workers=2)
    assert [r.source for r in results] == tables
    assert canonical(parallel) == canonical(alone)


def test_a_folder_builds_every_table_in_it(
    run_fenjie: RunFenjie, folder: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    root, tables = folder
    store = tmp_path / "store"
    result = run_fenjie("build", "--store", str(store), str(root))
    assert result.returncode == 0, result.stderr
    assert f"构建 {len(tables)} 张表" in result.stdout
    items = work_items(store)
    assert set(items) == {iri(t) for t in tables}  # not README.md, not .hidden.tsv
    # item level: the parallel build holds each table's work items, as the one-table build does
    for table in tables[:2]:
        one = FenjieStore.in_memory()
        build_sources([table], store=one)
        alone = {
            (r["item"].value, r["label"].value)
            for r in one.select(
                """PREFIX fj: <https://w3id.org/fenjie/def#>
                PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
                SELECT ?item ?label WHERE { ?item a fj:WorkItem ; rdfs:label ?label }"""
            )
        }
        assert items[iri(table)] == alone and len(alone) == 30


def test_unchanged_sources_are_skipped_unless_fresh(
    run_fenjie: RunFenjie, folder: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    root, tables = folder
    copy = tmp_path / "plans"
    copy.mkdir()
    for table in tables:
        (copy / table.name).write_bytes(table.read_bytes())
    store = tmp_path / "store"
    assert run_fenjie("build", "--store", str(store), str(copy)).returncode == 0
    changed = copy / tables[0].name
    text = changed.read_text("utf-8")
    first_item = text.splitlines()[3].split("\t")[1]
    changed.write_text(text.replace(first_item, "1、新增的一项工作任务"), "utf-8")
    again = run_fenjie("build", "--store", str(store), str(copy / "*.tsv"))
    assert again.returncode == 0, again.stderr
    assert f"已构建 {iri(changed)}，来源 {changed}" in again.stdout
    assert again.stdout.count("未变化，跳过") == len(tables) - 1
    assert "构建 1 张表，3 张未变化" in again.stdout
    assert any("新增的一项工作任务" in label for _, label in work_items(store)[iri(changed)])
    fresh = run_fenjie("build", "--fresh", "--store", str(store), str(copy))
    assert fresh.returncode == 0 and "未变化，跳过" not in fresh.stdout
    assert set(work_items(store)) == {iri(copy / t.name) for t in tables}


def test_a_bad_table_among_many_builds_nothing_and_names_its_line(
    run_fenjie: RunFenjie, folder: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    root, tables = folder
    store = tmp_path / "store"
    assert run_fenjie("build", "--store", str(store), str(tables[0])).returncode == 0
    plans = tmp_path / "plans"
    plans.mkdir()
    for table in tables:
        (plans / table.name).write_bytes(table.read_bytes())
    bad = plans / "zz-broken.tsv"
    lines = tables[1].read_text("utf-8").splitlines()
    lines[5] = "\t".join(lines[5].split("\t")[:2])  # a row with two cells under an 8-column header
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    result = run_fenjie("build", "--store", str(store), "--jobs", "2", str(plans))
    assert result.returncode == 65
    assert result.stderr.splitlines()[-1].startswith(f"错误：{bad}:6")
    assert set(work_items(store)) == {iri(tables[0])}


def test_patterns_and_folders_that_hold_nothing_are_input_errors(
    run_fenjie: RunFenjie, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no source tables"):
        build_sources([empty], store_path=":memory:")
    result = run_fenjie("build", "--store", str(tmp_path / "s"), str(tmp_path / "*.docx"))
    assert result.returncode == 65
    assert result.stderr == (
        f"错误：{tmp_path / '*.docx'}: 没有与此模式匹配的文件 (no file matches this pattern)\n"
    )


def test_loader_threads_load_the_same_quads_as_one_loader(
    folder: tuple[Path, list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two bulk loads at a time (threads, graph/store.py) store what one at a time stores: small
    batches make every table several loads, so that loads of different tables overlap."""
    _, tables = folder
    monkeypatch.setattr(store_module, "_BATCH_BYTES", 1 << 16)
    loaded: list[int] = []
    load = store_module._Writer._load

    def counted(writer: store_module._Writer, data: bytes) -> None:
        loaded.append(len(data))
        load(writer, data)

    monkeypatch.setattr(store_module._Writer, "_load", counted)
    one, two = tmp_path / "one", tmp_path / "two"
    build_sources(tables, store_path=one, workers=1)
    single = len(loaded)
    build_sources(tables, store_path=two, workers=2)
    assert single > 2 * len(tables) and len(loaded) == 2 * single
    with FenjieStore.open(one, read_only=True) as a, FenjieStore.open(two, read_only=True) as b:
        assert canonical(b) == canonical(a)
    assert work_items(two) == work_items(one)


def test_a_load_failing_in_a_loader_thread_changes_nothing(
    folder: tuple[Path, list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, tables = folder
    store = tmp_path / "store"
    build_sources(tables[:1], store_path=store)
    before = work_items(store)
    monkeypatch.setattr(store_module, "_BATCH_BYTES", 1 << 16)
    calls: list[int] = []
    load = store_module._Writer._load

    def failing(writer: store_module._Writer, data: bytes) -> None:
        calls.append(len(data))
        if len(calls) == 5:
            raise OSError("disk full (simulated)")
        load(writer, data)

    monkeypatch.setattr(store_module._Writer, "_load", failing)
    with pytest.raises(OSError, match="simulated"):
        build_sources(tables, store_path=store, workers=2, fresh=True)
    assert work_items(store) == before
    beside = [p.name for p in tmp_path.iterdir() if p.name.startswith(".store.")]
    staging = [p.name for p in versions_dir(store).iterdir() if "staging" in p.name]
    assert [n for n in beside if not n.endswith((".lock", ".versions"))] + staging == []


def test_a_build_of_many_pieces_compacts_to_the_same_store(
    folder: tuple[Path, list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that loaded many pieces compacts the staging store once before the levels and the
    switch (graph/_compaction.py); what it holds is what an uncompacted build holds."""
    _, tables = folder
    monkeypatch.setattr(store_module, "_BATCH_BYTES", 1 << 16)
    pieces: list[int] = []
    tidy = store_module._Writer.tidy

    def counted(writer: store_module._Writer) -> None:
        pieces.append(writer.pieces)
        tidy(writer)

    monkeypatch.setattr(store_module._Writer, "tidy", counted)
    monkeypatch.setattr(store_module, "_COMPACT_AFTER_PIECES", 10**9)
    plain, compacted = tmp_path / "plain", tmp_path / "compacted"
    build_sources(tables, store_path=plain, workers=2)
    monkeypatch.setattr(store_module, "_COMPACT_AFTER_PIECES", 5)
    build_sources(tables, store_path=compacted, workers=2)
    assert pieces[1] >= 5  # the second build went through the compaction
    with (
        FenjieStore.open(plain, read_only=True) as a,
        FenjieStore.open(compacted, read_only=True) as b,
    ):
        assert canonical(b) == canonical(a)
    assert work_items(compacted) == work_items(plain)


def test_larger_tables_are_loaded_in_pieces_of_their_own(
    folder: tuple[Path, list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table of a quarter of a batch or more goes to the store in pieces that hold its graph
    alone, and the shared graph's lines in pieces of their own (graph/store.py: their files in
    Oxigraph's graph-first indexes overlap no other table's); smaller tables share a piece. The
    store holds the same either way."""
    _, tables = folder
    shared = f"{DEFAULT_BASE}graph/shared"
    pieces: list[set[str]] = []  # the graphs of each bulk load
    load = store_module._Writer._load

    def seen(writer: store_module._Writer, data: bytes) -> None:
        pieces.append({q.graph_name.value for q in parse(data, format=RdfFormat.N_QUADS)})
        load(writer, data)

    monkeypatch.setattr(store_module._Writer, "_load", seen)
    monkeypatch.setattr(store_module, "_BATCH_BYTES", 1 << 16)  # every table: several pieces
    apart, together = tmp_path / "apart", tmp_path / "together"
    build_sources(tables, store_path=apart, workers=2)
    assert len(pieces) > 2 * len(tables) and all(len(graphs) == 1 for graphs in pieces)
    assert set().union(*pieces) == {iri(t) for t in tables} | {shared}
    pieces.clear()
    monkeypatch.setattr(store_module, "_BATCH_BYTES", 1 << 30)  # every table: small
    build_sources(tables, store_path=together, workers=2)
    assert sorted(pieces, key=len) == [{shared}, {iri(t) for t in tables}]
    with (
        FenjieStore.open(apart, read_only=True) as a,
        FenjieStore.open(together, read_only=True) as b,
    ):
        assert canonical(b) == canonical(a)
    assert work_items(apart) == work_items(together)


def test_own_pieces_are_equal_and_at_most_two_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "_BATCH_BYTES", 100)
    piece = store_module._own_piece_bytes
    assert [piece(size) for size in (25, 199, 200)] == [25, 199, 200]  # one piece
    assert piece(201) == 101 and piece(400) == 200  # two about equal, not 200 and a rest
    assert piece(401) == 134  # three


def test_a_table_up_to_two_batches_is_one_load_of_its_own(
    folder: tuple[Path, list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table of more than a batch but at most two goes to the store in one bulk load of its own
    graph (its graph-first index files then overlap nothing: graph/store.py); a larger one in
    pieces of about equal size, each at most two batches (and the rest of its last line)."""
    _, tables = folder
    spool = tmp_path / "spool"
    spool.mkdir()
    own: dict[str, int] = {}  # each table's own N-Quads, as its worker writes them
    for table in tables:
        _, quads = build_one(table, DEFAULT_BASE, spool=spool)
        own[iri(table)] = quads.own.stat().st_size
        quads.unlink()
    loads: dict[str, list[int]] = {}
    load = store_module._Writer._load

    def seen(writer: store_module._Writer, data: bytes) -> None:
        graphs = {q.graph_name.value for q in parse(data, format=RdfFormat.N_QUADS)}
        if graphs & set(own):
            assert len(graphs) == 1  # a table's piece holds its graph alone
            loads.setdefault(graphs.pop(), []).append(len(data))
        load(writer, data)

    monkeypatch.setattr(store_module._Writer, "_load", seen)
    batch = max(own.values()) // 2 + 1  # every table more than a batch (about), none over two
    assert min(own.values()) > batch // store_module._OWN_PIECES_DIVISOR
    monkeypatch.setattr(store_module, "_BATCH_BYTES", batch)
    build_sources(tables, store_path=tmp_path / "one", workers=2)
    assert {graph: len(sizes) for graph, sizes in loads.items()} == dict.fromkeys(own, 1)
    assert {graph: sizes[0] for graph, sizes in loads.items()} == own
    loads.clear()
    batch = max(own.values()) // 5  # the largest table: three pieces of at most two batches
    monkeypatch.setattr(store_module, "_BATCH_BYTES", batch)
    build_sources(tables, store_path=tmp_path / "pieces", workers=2)
    for graph, sizes in loads.items():
        assert len(sizes) == -(-own[graph] // (2 * batch)) and sum(sizes) == own[graph]
        assert max(sizes) - min(sizes) < 4096  # equal but for whole lines
    assert len(loads[max(own, key=own.__getitem__)]) == 3
    with (
        FenjieStore.open(tmp_path / "one", read_only=True) as a,
        FenjieStore.open(tmp_path / "pieces", read_only=True) as b,
    ):
        assert canonical(b) == canonical(a)
