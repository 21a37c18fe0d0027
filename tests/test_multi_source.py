"""Several sources in one store: each its own named graph, units and documents shared, obligations
answered across all of them with the source of each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fenjie.config import DEFAULT_BASE, bundled_example
from fenjie.graph import FenjieStore, build_sources, table_slug
from tests.fenjie_runs import RunFenjie

PLAN = Path(__file__).parent / "data" / "qingshan-county-2023-plan.txt"
SHARED_DOC_TITLE = "中共湖南省委、省人民政府关于建设长株潭国家自主创新示范区的若干意见"
WHERE = "湖南省青山县"  # the plan's county is made up: the user says it lies in Hunan


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("multi") / "store"
    build_sources([bundled_example()], store_path=path)
    build_sources([PLAN], store_path=path, jurisdiction=WHERE)  # adds its graph, keeps the first
    return path


def graph_iri(source: Path) -> str:
    return f"{DEFAULT_BASE}table/{table_slug(source.name)}"


def test_each_source_is_its_own_named_graph(store: Path) -> None:
    with FenjieStore.open(store, read_only=True) as opened:
        tables = {t.value for t in opened.tables()}
        assert tables == {graph_iri(bundled_example()), graph_iri(PLAN)}
        rows = opened.select(
            """PREFIX fj: <https://w3id.org/fenjie/def#>
            SELECT ?g (COUNT(?item) AS ?n) WHERE { GRAPH ?g { ?item a fj:WorkItem } } GROUP BY ?g"""
        )
    counts = {r["g"].value: int(r["n"].value) for r in rows}
    assert counts == {graph_iri(bundled_example()): 14, graph_iri(PLAN): 7}


def test_units_and_documents_are_shared_across_graphs(store: Path) -> None:
    with FenjieStore.open(store, read_only=True) as opened:
        rows = opened.select(
            """PREFIX fj: <https://w3id.org/fenjie/def#>
            SELECT DISTINCT ?doc ?g WHERE { GRAPH ?g { ?owner fj:refersTo ?doc } }"""
        )
        by_doc: dict[str, set[str]] = {}
        for r in rows:
            by_doc.setdefault(r["doc"].value, set()).add(r["g"].value)
        titles = {
            r["doc"].value: r["title"].value
            for r in opened.select(
                """PREFIX dct: <http://purl.org/dc/terms/>
                PREFIX fj: <https://w3id.org/fenjie/def#>
                SELECT ?doc ?title WHERE { ?doc a fj:PolicyDocument ; dct:title ?title }"""
            )
        }
        shared_docs = [d for d, graphs in by_doc.items() if len(graphs) == 2]
        assert [titles[d] for d in shared_docs] == [SHARED_DOC_TITLE]
        units = opened.select(
            """PREFIX fj: <https://w3id.org/fenjie/def#>
            SELECT ?unit (COUNT(DISTINCT ?g) AS ?n) WHERE {
              GRAPH ?g { ?a a fj:Assignment ; fj:unit ?unit }
            } GROUP BY ?unit HAVING (COUNT(DISTINCT ?g) > 1)"""
        )
    assert [u["unit"].value for u in units] == [
        f"{DEFAULT_BASE}unit/hunan-department-of-science-and-technology"
    ]


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_obligations_span_sources_and_name_each_source(run_fenjie: RunFenjie, store: Path) -> None:
    done = run_fenjie(
        "obligations", "省科技厅", "--format", "json", env={"FENJIE_STORE": str(store)}
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    sources = {o["source"]["iri"] for o in result["obligations"]}
    assert sources == {graph_iri(bundled_example()), graph_iri(PLAN)}
    from_plan = [o for o in result["obligations"] if o["source"]["iri"] == graph_iri(PLAN)]
    assert [(o["work_item"]["label"], o["role"]) for o in from_plan] == [
        ("推进科技创新平台建设", "supporting")
    ]
    assert from_plan[0]["source"]["title"] == "青山县2023年重点工作任务分解方案"
    assert len(result["obligations"]) == 14  # 13 from the bundled table, 1 from the plan


def test_rebuilding_one_source_leaves_the_other(store: Path) -> None:
    with FenjieStore.open(store, read_only=True) as opened:
        before = len(opened)
    build_sources([PLAN], store_path=store, jurisdiction=WHERE)
    with FenjieStore.open(store, read_only=True) as opened:
        assert len(opened) == before
        assert len(opened.tables()) == 2
