"""Say when unsure (issue 9 §5): every doubtful parse is reported with its place in the source, by
`fenjie check` and the build summary; `fenjie build --strict` fails on any and leaves the store
as it was; on the real corpus nothing false is reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from fenjie.graph import FenjieStore, build_sources
from fenjie.graph._script import simplified
from fenjie.graph.check import quality_findings, resolution_notes
from tests.fenjie_runs import RunFenjie

CORPUS = Path(__file__).parent / "corpus"
DOUBTFUL = (
    "长沙市2023年重点工作分解表\n"
    "主要任务\t工作内容\t2023年目标\t责任单位\t配合单位\n"
    "产业\t1、建园区\t1、开工；2、建成；4、投产\t市工信局按职责分工负责\t\n"
    "产业\t2、引项目\t签约5个\t\t市商务局\n"
    "产业\t5、强招商\t落实《意见》\t省科技厅\t\n"
    "产业\t4、育企业\t新增10家\t市科技局\t\n"
)


@pytest.fixture(scope="module")
def doubtful(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("doubt") / "doubtful.tsv"
    path.write_text(DOUBTFUL, encoding="utf-8")
    return path


def test_every_kind_of_doubt_is_found_where_it_is(doubtful: Path) -> None:
    store = FenjieStore.in_memory()
    build_sources([doubtful], store=store)
    findings = quality_findings(store)
    found = {(f["kind"], f["source"].get("line"), f["source"].get("column")) for f in findings}
    assert ("numbering_gap", 3, 3) in found  # 1、2、4、 in one target cell
    assert ("leftover_role_text", 3, 4) in found  # 按职责分工负责 left in a unit's name
    assert ("no_responsible_unit", 4, 2) in found  # only a supporting unit
    assert ("unresolved_document", 5, 3) in found  # 《意见》 never defined
    assert ("numbering_gap", 5, 2) in found  # work items 1, 2, 5: 3 and 4 missing
    assert ("numbering_jump", 6, 2) in found  # then 4 after 5
    assert ("unregistered_unit", 3, 4) in found  # the leftover "unit" is in no vocabulary
    gap = next(f for f in findings if f["kind"] == "numbering_gap")
    assert gap["source"]["file"] == "doubtful.tsv"
    assert "short_name" not in {f["kind"] for f in findings}  # a reading, not a doubt


def test_short_names_are_notes_with_their_place(doubtful: Path) -> None:
    store = FenjieStore.in_memory()
    build_sources([doubtful], store=store)
    notes = resolution_notes(store)
    found = {
        (f["kind"], f["unit"], f["source"].get("line"), f["source"].get("column")) for f in notes
    }
    assert found == {
        ("short_name", "省科技厅", 5, 4),  # 省科技厅 → 湖南省科学技术厅 by its short name
        ("short_name", "市科技局", 6, 4),  # 市科技局 → the 长沙 bureau, by its short name
        ("short_name", "市商务局", 4, 5),
    }
    short = next(f for f in notes if f["unit"] == "省科技厅")
    assert "湖南省科学技术厅" in short["message"]


@pytest.mark.slow  # runs fenjie in a fresh process
def test_check_and_build_summary_list_them_with_their_place(
    run_fenjie: RunFenjie, doubtful: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    built = run_fenjie("build", str(doubtful), store=store)
    assert built.returncode == 0, built.stderr
    assert "存疑" in built.stdout
    assert "[leftover_role_text]" in built.stdout and "doubtful.tsv line 3" in built.stdout
    report = json.loads(run_fenjie("check", "--format", "json", store=store).stdout)
    kinds = {f["kind"] for f in report["findings"]}
    assert {"leftover_role_text", "no_responsible_unit", "numbering_jump"} <= kinds
    assert {(n["kind"], n["unit"]) for n in report["notes"]} >= {("short_name", "省科技厅")}
    text = run_fenjie("check", store=store).stdout
    assert "[numbering_jump]" in text and "doubtful.tsv line 6 (row 4, column 2 工作内容)" in text


@pytest.mark.slow  # runs fenjie in a fresh process
def test_strict_build_fails_and_leaves_the_store_as_it_was(
    run_fenjie: RunFenjie, doubtful: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    clean = CORPUS / "caidian-2023-gzbg.txt"
    first = run_fenjie("build", str(clean), store=store)
    assert first.returncode == 0, first.stderr
    before = json.loads(run_fenjie("stats", "--format", "json", store=store).stdout)
    strict = run_fenjie("build", "--strict", str(doubtful), store=store)
    assert strict.returncode == 1
    assert "--strict" in strict.stderr and "Traceback" not in strict.stderr
    assert "[no_responsible_unit]" in strict.stderr
    assert json.loads(run_fenjie("stats", "--format", "json", store=store).stdout) == before


@pytest.mark.parametrize("slug", sorted(p.stem for p in CORPUS.glob("*.json")))
def test_nothing_false_is_reported_on_the_corpus(slug: str) -> None:
    gold = json.loads((CORPUS / f"{slug}.json").read_text("utf-8"))
    store = FenjieStore.in_memory()
    given = gold.get("given_jurisdiction")  # a plan naming no place, built as a user would
    build_sources([CORPUS / gold["text"]], store=store, jurisdiction=given)
    findings = quality_findings(store)
    # a plan in traditional characters is read as simplified: its units are written so there
    text = simplified((CORPUS / gold["text"]).read_text("utf-8"))[0]
    # the corpus plans are well numbered, every work item has a responsible unit, every unit is a
    # name and every document a title: only facts about names can be reported, and what the
    # plan's gold says must be (a township's plan: its place unknown, its units as written; a
    # page whose mojibake ate item numbers: those items unnumbered, a gap)
    expected = {kind for kind, _ in gold.get("findings", [])}
    assert {f["kind"] for f in findings} <= {"unregistered_unit", "short_name"} | expected
    for f in findings:
        assert f["source"]["file"] == gold["text"]
        if f["kind"] in ("unknown_jurisdiction", "unnumbered_item", "numbering_gap"):
            continue  # about the source or the numbering of its work items, not a unit
        written = store.select(
            "SELECT ?u ?w WHERE { ?a <https://w3id.org/fenjie/def#unit> ?u ; "
            "<https://w3id.org/fenjie/def#writtenAs> ?w }",
            bindings={"u": NamedNode(f["iri"])},
        )
        # the unit as the plan writes it (a printed page may break it over two lines)
        assert any(w["w"].value in text.replace("\n", "") for w in written), f


@pytest.mark.browser
@pytest.mark.slow
def test_the_page_shows_the_findings_per_table(
    doubtful: Path, tmp_path: Path, chromium, server_factory, store_builder
) -> None:
    import httpx

    xss = tmp_path / "xss.tsv"
    xss.write_text(DOUBTFUL.replace("市工信局", "<img src=x onerror=window.__xss=1>"), "utf-8")
    store = store_builder(tmp_path / "store", [doubtful, xss])
    with server_factory(store, "--timeout", "120", startup=120) as base:  # a dozen queries
        response = httpx.get(base + "/api/findings", timeout=150)
        assert response.status_code == 200, response.text
        api = response.json()
        assert sorted(t["file"] for t in api) == ["doubtful.tsv", "xss.tsv"]
        expected = {t["file"]: len(t["findings"]) for t in api}
        assert all(n >= 7 for n in expected.values())
        notes = {t["file"]: len(t["notes"]) for t in api}
        assert notes == {"doubtful.tsv": 3, "xss.tsv": 3}
        page = chromium.new_page()
        try:
            page.goto(base + "/#findings")
            page.wait_for_selector(".findings-table")
            sections = page.locator(".findings-table")
            assert sections.count() == 2
            shown = [s.locator("ul.findings > li").count() for s in sections.all()]
            assert sorted(shown) == sorted(expected.values())
            folded = [s.locator("details ul.notes > li").count() for s in sections.all()]
            assert folded == [3, 3]  # notes are shown folded, apart from the doubts
            text = page.locator("#findings-result").inner_text()
            assert "doubtful.tsv line 3 (row 1, column 4 责任单位)" in text
            assert "<img src=x onerror=window.__xss=1>" in text  # shown as text, never markup
            assert page.evaluate("window.__xss") is None
        finally:
            page.close()


def test_findings_of_chosen_tables_equal_those_of_the_whole_store(doubtful: Path) -> None:
    # builds ask table by table (linear in the store's size); the answer must not change
    from fenjie.config import DEFAULT_BASE
    from fenjie.graph.builder import SHARED_GRAPH

    store = FenjieStore.in_memory()
    built = build_sources([doubtful, CORPUS / "caidian-2023-gzbg.txt"], store=store, workers=1)
    shared = [
        NamedNode(DEFAULT_BASE + g) for g in (SHARED_GRAPH, "graph/registry", "graph/agencies")
    ]
    chosen = quality_findings(store, graphs=[*(b.iri for b in built), *shared])
    whole = quality_findings(store)

    def key(f: dict[str, object]) -> str:
        return json.dumps(f, sort_keys=True, ensure_ascii=False)

    assert len(whole) >= 7 and sorted(map(key, chosen)) == sorted(map(key, whole))
    only_first = quality_findings(store, graphs=[built[0].iri, *shared])
    assert {f["source"]["file"] for f in only_first} == {"doubtful.tsv"}


def _sources(tmp: Path) -> list[tuple[Path, str | None]]:
    """Plans of every shape the findings know: the doubtful one, the bundled example, the corpus
    (with the jurisdiction a user would give), a synthetic plan of 300 rows."""
    from fenjie.bench.synthetic import synthetic_tables
    from fenjie.config import bundled_example

    doubtful = tmp / "doubtful.tsv"
    doubtful.write_text(DOUBTFUL, encoding="utf-8")
    synthetic = tmp / "synthetic.tsv"
    synthetic.write_text(next(iter(synthetic_tables(300, seed=3, rows_per_table=300)))[1], "utf-8")
    sources: list[tuple[Path, str | None]] = [(doubtful, None), (bundled_example(), None)]
    for gold in sorted(CORPUS.glob("*.json")):
        plan = json.loads(gold.read_text("utf-8"))
        sources.append((CORPUS / plan["text"], plan.get("given_jurisdiction")))
        if plan.get("given_jurisdiction"):  # and as it is: its short unit names stay as written
            copy = tmp / f"as-is-{plan['text']}"
            copy.write_bytes((CORPUS / plan["text"]).read_bytes())
            sources.append((copy, None))
    return [*sources, (synthetic, None)]


def _key(finding: dict[str, object]) -> str:
    return json.dumps(finding, sort_keys=True, ensure_ascii=False)


def test_the_builders_rows_are_the_check_queries_rows(tmp_path: Path) -> None:
    # the build reports a table's findings from what its builder saw (graph/_table_facts.py),
    # never asking the store: every check query must give the same rows over the table's graphs
    from collections import Counter

    from fenjie.config import DEFAULT_BASE
    from fenjie.graph import read_table
    from fenjie.graph._findings import CHECK_QUERIES, plain_rows
    from fenjie.graph._registry import UnitRegistry
    from fenjie.graph._sparql import sparql
    from fenjie.graph.builder import SHARED_GRAPH, build_table

    seen: Counter[str] = Counter()
    for source, jurisdiction in _sources(tmp_path):
        built = build_table(read_table(source), jurisdiction=jurisdiction)
        assert built.facts is not None
        store = FenjieStore.in_memory()
        store.inner.extend([*built.quads, *built.shared_quads])
        store.inner.extend(UnitRegistry.load(DEFAULT_BASE).quads)
        graphs = [
            built.iri,
            *(NamedNode(DEFAULT_BASE + g) for g in (SHARED_GRAPH, "graph/registry")),
        ]
        for name in CHECK_QUERIES:
            asked = plain_rows(store.select(sparql(name), graphs=graphs))
            told = built.facts.select(name)
            assert Counter(map(_key, told)) == Counter(map(_key, asked)), (source.name, name)
            # in the query's order (rows in one cell may come in either order)
            order = [(r.get("row"), r.get("column"), r.get("order")) for r in asked]
            assert [(r.get("row"), r.get("column"), r.get("order")) for r in told] == order
            seen[name] += len(asked)
    # every query answered something somewhere, so each comparison compared rows
    assert all(seen[name] > 0 for name in CHECK_QUERIES), seen


def test_build_findings_equal_the_store_findings_of_those_tables(tmp_path: Path) -> None:
    # what `fenjie build` prints (each table's findings from its builder, the levels' from the
    # store) equals what the check queries find over those tables in a store holding them all
    from fenjie.config import DEFAULT_BASE
    from fenjie.graph.builder import SHARED_GRAPH
    from fenjie.graph.check import build_findings

    store = FenjieStore.in_memory()
    built = []
    for source, jurisdiction in _sources(tmp_path):
        built += build_sources([source], store=store, workers=1, jurisdiction=jurisdiction)
    shared = [
        NamedNode(DEFAULT_BASE + g) for g in (SHARED_GRAPH, "graph/registry", "graph/agencies")
    ]
    told = build_findings(store, built, base=DEFAULT_BASE)
    asked = quality_findings(store, graphs=[*(b.iri for b in built), *shared])
    assert len(asked) >= 20 and sorted(map(_key, told)) == sorted(map(_key, asked))
    kinds = {f["kind"] for f in told}
    assert {"numbering_gap", "responsible_and_supporting", "unregistered_unit"} <= kinds


def test_a_table_skipped_as_unchanged_has_its_findings_from_the_store(tmp_path: Path) -> None:
    from fenjie.config import DEFAULT_BASE
    from fenjie.graph.check import build_findings

    doubtful = tmp_path / "doubtful.tsv"
    doubtful.write_text(DOUBTFUL, encoding="utf-8")
    path = tmp_path / "store"
    first = build_sources([doubtful], store_path=path, workers=1)
    again = build_sources([doubtful], store_path=path, workers=1)
    assert again[0].skipped and not again[0].findings and len(first[0].findings) >= 7
    with FenjieStore.open(path, read_only=True) as store:
        told = build_findings(store, again, base=DEFAULT_BASE)
        assert sorted(map(_key, told)) == sorted(map(_key, first[0].findings))


@pytest.fixture(scope="module")
def recorded_store(doubtful: Path) -> FenjieStore:
    """The bundled table, a corpus plan, the doubtful table and a city plan implementing the
    bundled one (whose levels' findings are recorded in the levels graph), in one store."""
    from fenjie.config import bundled_example

    city = Path(__file__).parent / "data" / "levels" / "changsha-innovation-zone-2017-2019.tsv"
    store = FenjieStore.in_memory()
    sources = [bundled_example(), CORPUS / "caidian-2023-gzbg.txt", doubtful, city]
    build_sources(sources, store=store, workers=1)
    return store


def test_recorded_findings_equal_those_check_finds_table_by_table(
    recorded_store: FenjieStore,
) -> None:
    from fenjie.graph.check import findings_by_table
    from fenjie.queries import LocalBackend
    from fenjie.queries.findings import recorded_findings

    checked = {t["table"]: t for t in findings_by_table(recorded_store)}
    recorded = {t["table"]: t for t in recorded_findings(LocalBackend(recorded_store))}
    assert sorted(recorded) == sorted(checked) and len(recorded) == 4
    for table, group in recorded.items():
        assert group.pop("recorded") is True
        # finding by finding, every field (kind, message, unit, IRIs, the place) and the order
        assert group["findings"] == checked[table]["findings"], table
        assert group["notes"] == checked[table]["notes"], table
        assert group == checked[table]
    kinds = {f["kind"] for t in recorded.values() for f in t["findings"]}
    # the builder's (doubtful table, bundled table) and the levels' (the city plan) are all there
    assert {"numbering_jump", "responsible_and_supporting", "unlinked_work_item"} <= kinds
    by_file = {t["file"]: t for t in recorded.values()}
    bundled = by_file["changzhutan-innovation-zone-2017-2019.tsv"]
    assert [(f["kind"], f["unit"], f["work_item"]) for f in bundled["findings"]] == [
        ("responsible_and_supporting", "省商务厅", "对外合作交流平台")
    ]
    assert (
        by_file["caidian-2023-gzbg.txt"]["findings"]
        == checked[by_file["caidian-2023-gzbg.txt"]["table"]]["findings"]
    )


def test_the_build_summary_the_record_and_check_count_alike(recorded_store: FenjieStore) -> None:
    # 存疑 N 处 of the build summary = the findings recorded = fenjie check's findings
    from fenjie.graph.check import quality_findings
    from fenjie.queries import LocalBackend
    from fenjie.queries.findings import recorded_findings

    recorded = recorded_findings(LocalBackend(recorded_store))
    assert sum(len(t["findings"]) for t in recorded) == len(quality_findings(recorded_store))


def test_a_table_built_before_findings_were_recorded_says_so(doubtful: Path) -> None:
    from pyoxigraph import Quad

    from fenjie.queries import LocalBackend
    from fenjie.queries.findings import recorded_findings
    from fenjie.vocab import FJ

    store = FenjieStore.in_memory()
    build_sources([doubtful], store=store)
    # what a build of an earlier fenjie left: no finding nodes, no count
    nodes = {q.subject for q in store.inner.quads_for_pattern(None, FJ.findingIn, None)}
    old = [q for q in store.inner if q.subject in nodes or q.predicate == FJ.findingCount]
    assert len(nodes) >= 7
    for q in old:
        store.inner.remove(Quad(q.subject, q.predicate, q.object, q.graph_name))
    (table,) = recorded_findings(LocalBackend(store))
    assert table["recorded"] is False and table["findings"] == [] and table["notes"] == []
    assert table["file"] == "doubtful.tsv"
