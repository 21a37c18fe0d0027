"""Views as graphs and pages (no browser): counts against the store, escaping, the pyvis defects."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
import networkx as nx
import pytest
from click.testing import CliRunner

from fenjie.cli import main
from fenjie.config import bundled_example
from fenjie.errors import NotFoundError, ParameterError
from fenjie.graph import FenjieStore, build_sources
from fenjie.queries import LocalBackend, coordination_load, dependents
from fenjie.viz import VIEWS, View, build_view, render_view
from fenjie.viz._page import FenjieNetwork, network_from_view, script_json

FJ = "PREFIX fj: <https://w3id.org/fenjie/def#> PREFIX org: <http://www.w3.org/ns/org#> "


@pytest.fixture(scope="module")
def xss_backend(xss_source: tuple[Path, str]) -> LocalBackend:
    store = FenjieStore.in_memory()
    build_sources([xss_source[0]], store=store)
    return LocalBackend(store)


@pytest.fixture(scope="module")
def coordination(backend: LocalBackend) -> View:
    """The coordination view of the bundled table (its layout is the slow part of a view)."""
    return build_view(backend, "coordination")


def _count(backend: LocalBackend, where: str) -> int:
    return int(backend.select(FJ + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"].value)


def test_responsibility_holds_every_unit_item_and_assignment(backend: LocalBackend) -> None:
    view = build_view(backend, "responsibility")
    units = "SELECT DISTINCT ?u WHERE { { ?a fj:unit ?u } UNION { ?a fj:unit ?g . ?g org:hasMember ?u } }"
    expected_nodes = _count(backend, f"{{ {units} }}") + _count(backend, "?i a fj:WorkItem")
    expected_edges = _count(
        backend,
        "{ SELECT DISTINCT ?u ?i ?r WHERE { ?a fj:unit ?u ; fj:workItem ?i ; fj:role ?r } }",
    ) + _count(backend, "{ SELECT DISTINCT ?g ?m WHERE { ?a fj:unit ?g . ?g org:hasMember ?m } }")
    assert view.graph.number_of_nodes() == expected_nodes
    assert view.graph.number_of_edges() == expected_edges
    kinds = {d["kind"] for _, _, d in view.graph.edges(data=True)}
    assert {"lead", "supporting", "member"} <= kinds
    assert all("x" in d and "y" in d for _, d in view.graph.nodes(data=True))
    labels = [e["label"] for e in view.legend]
    assert "牵头" in labels and "配合" in labels  # one term per role (fenjie.roles)


def test_coordination_edges_are_coordination_load_pairs(
    backend: LocalBackend, coordination: View
) -> None:
    view = coordination
    load = coordination_load(backend, pairs=None)
    pairs = {frozenset((p["a"]["iri"], p["b"]["iri"])): p["shared"] for p in load["pairs"]}
    drawn = {frozenset((a, b)): d["weight"] for a, b, d in view.graph.edges(data=True)}
    assert drawn == pairs
    assert set(view.graph) == {u["unit"]["iri"] for u in load["units"]}
    busiest = max(pairs, key=pairs.__getitem__)
    a, b = sorted(busiest)
    widths = [d["width"] for _, _, d in view.graph.edges(data=True)]
    assert view.graph.edges[a, b, "shared"]["width"] == max(widths)


def test_dependency_view_draws_dependents(backend: LocalBackend) -> None:
    doc = backend.select(FJ + "SELECT ?d WHERE { ?x fj:basedOn ?d } LIMIT 1")[0]["d"]
    view = build_view(backend, "dependency", document=doc.value)
    targets = {n for n, d in view.graph.nodes(data=True) if d["kind"] == "target"}
    assert targets == {t["iri"] for t in dependents(backend, doc.value)["targets"]}
    assert any(d["kind"] == "derived" for _, d in view.graph.nodes(data=True))
    kinds = {d["kind"] for _, _, d in view.graph.edges(data=True)}
    assert {"precedes", "based-on"} <= kinds
    # every drawn target is connected: to the document, a baseline or its predecessor
    assert all(view.graph.in_degree(t) + view.graph.out_degree(t) > 0 for t in targets)


def test_unit_view_and_filters(backend: LocalBackend) -> None:
    row = backend.select(
        FJ
        + "SELECT ?u (COUNT(?a) AS ?n) WHERE { ?a fj:unit ?u } GROUP BY ?u ORDER BY DESC(?n) LIMIT 1"
    )[0]
    unit = row["u"].value
    view = build_view(backend, "unit", unit=unit)
    items = {n for n, d in view.graph.nodes(data=True) if d["kind"] == "item"}
    query = FJ + "SELECT DISTINCT ?u ?i WHERE { ?a fj:unit ?u ; fj:workItem ?i }"
    assert items == {r["i"].value for r in backend.select(query, bindings={"u": row["u"]})}
    year = max(
        int(r["y"].value) for r in backend.select(FJ + "SELECT DISTINCT ?y WHERE { ?t fj:year ?y }")
    )
    yearly = build_view(backend, "unit", unit=unit, year=year)
    assert {d["year"] for _, d in yearly.graph.nodes(data=True) if d["kind"] == "target"} == {year}
    leads = build_view(backend, "responsibility", role="lead")
    assert {d["kind"] for _, _, d in leads.graph.edges(data=True)} <= {"lead", "member"}
    with pytest.raises(ParameterError):
        build_view(backend, "responsibility", role="boss")
    with pytest.raises(ParameterError):
        build_view(backend, "responsibility", year=1900)
    with pytest.raises(NotFoundError):
        build_view(backend, "unit", unit="不存在的单位")


def test_large_requests_are_aggregated_with_a_message(backend: LocalBackend) -> None:
    view = build_view(backend, "responsibility", max_nodes=10)
    assert view.messages and "聚合" in view.messages[0]
    assert not any(d["kind"] == "item" for _, d in view.graph.nodes(data=True))
    assert any(d["kind"] == "category" for _, d in view.graph.nodes(data=True))
    html = render_view(backend, "responsibility", max_nodes=10)
    assert "聚合" in html


def test_filters_a_view_does_not_take_are_ignored(backend: LocalBackend) -> None:
    # every view gets the request's one ViewFilters; each reads only the filters it takes
    plain = build_view(backend, "responsibility", year=2018)
    extra = build_view(backend, "responsibility", year=2018, unit="省科技厅", document="不存在")
    assert sorted(extra.graph.edges(keys=True)) == sorted(plain.graph.edges(keys=True))
    assert len(plain.graph) > 0
    doc = backend.select(FJ + "SELECT ?d WHERE { ?x fj:basedOn ?d } LIMIT 1")[0]["d"].value
    dependency = build_view(backend, "dependency", document=doc)
    with_role = build_view(backend, "dependency", document=doc, role="配合", category="不存在")
    assert sorted(with_role.graph.nodes) == sorted(dependency.graph.nodes)


def test_cli_offers_every_view() -> None:
    # fenjie viz keeps its own list (importing the views at start-up would slow every command)
    from fenjie._cmd_viz import viz

    (view,) = (p for p in viz.params if p.name == "view")
    assert isinstance(view.type, click.Choice)
    assert tuple(view.type.choices) == tuple(VIEWS)


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_xss_is_escaped_in_every_view(name: str, xss_backend: LocalBackend) -> None:
    unit = xss_backend.select(
        FJ
        + "SELECT ?u WHERE { ?a fj:unit ?u ; fj:writtenAs ?w FILTER(CONTAINS(?w, 'onerror=window.__xss=1')) } LIMIT 1"
    )[0]["u"].value
    doc = xss_backend.select(FJ + "SELECT ?d WHERE { ?x fj:basedOn ?d } LIMIT 1")[0]["d"].value
    html = render_view(xss_backend, name, unit=unit, document=doc)
    for raw in ("<img", "<script>window", "<a href"):
        assert raw not in html
    # the name is kept as text: escaped in the menu, \u-escaped in the data block
    assert "&lt;img src=x onerror=window.__xss=1&gt;" in html or (
        "\\u003cimg src=x onerror=window.__xss=1\\u003e" in html
    )
    assert html.count("<h1") == 1


def test_page_is_offline_and_escaped_json() -> None:
    assert (
        script_json({"a": "</script><!--\u2028"})
        == '{"a":"\\u003c/script\\u003e\\u003c!--\\u2028"}'
    )
    html = render_view_from_bundled()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html
    assert (
        "Content-Security-Policy" in html
        and "'unsafe-inline'" not in html.split("script-src")[1].split(";")[0]
    )


def render_view_from_bundled() -> str:
    store = FenjieStore.in_memory()
    build_sources([bundled_example()], store=store)
    return render_view(store, "responsibility")


def test_menu_lists_labels_not_ids(backend: LocalBackend, coordination: View) -> None:
    view = coordination
    html = render_view(backend, "coordination")
    options = re.findall(r'<option value="([^"]+)">([^<]*)</option>', html)
    assert len(options) == view.graph.number_of_nodes()
    assert {label for _, label in options} == {d["label"] for _, d in view.graph.nodes(data=True)}
    assert all(value != label for value, label in options)


def test_add_edge_does_not_scan_edges() -> None:
    class CountingList(list):
        scans = 0

        def __iter__(self):  # type: ignore[no-untyped-def]
            CountingList.scans += 1
            return super().__iter__()

    net = FenjieNetwork()
    net.edges = CountingList()
    net.node_ids = CountingList()
    for i in range(200):
        net.add_node(i, label=str(i))
    for i in range(199):
        net.add_edge(i, i + 1)
        net.add_edge(i, i + 1)  # a duplicate is still dropped
    assert CountingList.scans == 0
    assert len(net.edges) == 199


def test_network_from_view_leaves_the_graph_alone(backend: LocalBackend) -> None:
    view = build_view(backend, "responsibility")
    before = (
        copy.deepcopy(dict(view.graph.nodes(data=True))),
        copy.deepcopy(list(view.graph.edges(keys=True, data=True))),
    )
    net = network_from_view(view)
    assert len(net.nodes) == view.graph.number_of_nodes()
    assert len(net.edges) == view.graph.number_of_edges()
    assert (
        dict(view.graph.nodes(data=True)),
        list(view.graph.edges(keys=True, data=True)),
    ) == before
    # the defect worked around: pyvis's own from_nx rewrites the graph it is given
    from pyvis.network import Network

    g = nx.Graph()
    g.add_edge("a", "b", weight=3)
    Network().from_nx(g)
    assert "weight" not in g.edges["a", "b"]


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_utf8_is_written_whatever_the_locale(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import locale, sys
        from fenjie.viz._page import write_html
        assert locale.getpreferredencoding(False).lower() in ("ansi_x3.4-1968", "ascii"), locale.getpreferredencoding(False)
        from pyvis.network import Network
        net = Network(cdn_resources="in_line")
        net.add_node(1, label="a")  # an ASCII graph: the inlined vis-network is not ASCII
        try:
            net.write_html({str(tmp_path / "pyvis.html")!r})
        except UnicodeEncodeError:
            print("pyvis-fails")
        write_html({ascii("<p>责任单位</p>")}, {str(tmp_path / "ours.html")!r})
        """
    )
    env = {
        "LC_ALL": "C",
        "LANG": "C",
        "PYTHONCOERCECLOCALE": "0",
        "PYTHONUTF8": "0",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "pyvis-fails" in result.stdout
    assert (tmp_path / "ours.html").read_bytes() == "<p>责任单位</p>".encode()


@pytest.mark.slow  # draws a chart with matplotlib and writes every export
def test_cli_viz_chart_and_export(bundled_store: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "r.html"
    result = runner.invoke(
        main, ["viz", "responsibility", "--store", str(bundled_store), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    result = runner.invoke(main, ["viz", "unit", "--store", str(bundled_store), "-o", str(out)])
    assert result.exit_code != 0 and "--unit" in result.output
    for fmt in ("graphml", "gexf"):
        target = tmp_path / f"n.{fmt}"
        result = runner.invoke(
            main, ["export", "--store", str(bundled_store), "--format", fmt, "-o", str(target)]
        )
        assert result.exit_code == 0, result.output
        graph = nx.read_graphml(target) if fmt == "graphml" else nx.read_gexf(target)
        store = FenjieStore.open(bundled_store, read_only=True)
        backend = LocalBackend(store)
        resp = build_view(backend, "responsibility", max_nodes=10**6)
        coord = build_view(backend, "coordination")
        assert graph.number_of_nodes() == len(set(resp.graph) | set(coord.graph))
        assert (
            graph.number_of_edges() == resp.graph.number_of_edges() + coord.graph.number_of_edges()
        )
        networks = {d.get("network") for _, _, d in graph.edges(data=True)}
        assert networks == {"unit-work-item", "unit-unit"}
        store.close()


class _Recording(LocalBackend):
    """The bundled store's backend, recording the text of every query the views ask."""

    def __init__(self, inner: LocalBackend) -> None:
        super().__init__(inner.store)
        self.asked: list[str] = []

    def select(
        self, sparql: str, *, bindings: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        self.asked.append(sparql)
        return super().select(sparql, bindings=bindings)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("responsibility", {}),
        ("coordination", {}),
        ("unit", {"unit": "省科技厅", "year": 2018}),
        ("dependency", {"document": "意见"}),
        ("dependency", {"document": "意见", "year": 2018}),
        ("dependency", {"document": "意见", "max_nodes": 12}),
    ],
)
def test_views_read_only_what_they_draw(
    backend: LocalBackend, name: str, params: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No view reads all baselines, the whole precedes chain or every document mention (the
    biggest answers of a large store), and leaving them out changes nothing the others draw."""
    import fenjie.viz._data as view_data
    import fenjie.viz._render as view_render
    from fenjie.queries.registry import get_stored

    recording = _Recording(backend)
    view = build_view(recording, name, **params)
    skipped = {get_stored(q).text for q in ("baselines", "target-sequence", "document-mentions")}
    assert recording.asked and not skipped & set(recording.asked)
    # the same view drawn from everything the views can read
    monkeypatch.setattr(
        view_render, "load", lambda b, documents=True, outline=True: view_data.load(b)
    )
    full = build_view(backend, name, **params)
    monkeypatch.undo()
    assert nx.utils.graphs_equal(view.graph, full.graph)
    assert sorted(view.graph.nodes(data=True), key=str) == sorted(
        full.graph.nodes(data=True), key=str
    )
    whole_outline = {get_stored(q).text for q in ("work-item-outline", "assignments")}
    if name == "dependency":  # the outline of the work items it draws only, the same tooltips
        assert not whole_outline & set(recording.asked)
        around = {get_stored(q).text for q in ("item-outline", "item-assignments")}
        assert around <= set(recording.asked)

    recording = _Recording(backend)
    build_view(recording, "dependency", document="意见")
    assert not skipped & set(recording.asked)
    around = ("dependent-targets", "dependent-targets-baseline", "dependent-texts", "target-next")
    around += ("document-citing",)
    assert {get_stored(q).text for q in around} <= set(recording.asked)


@pytest.mark.parametrize(
    ("document", "year"), [("意见", None), ("意见", 2018), ("意见实施细则", None)]
)
def test_dependency_view_reads_around_its_targets_what_the_whole_graph_says(
    backend: LocalBackend, document: str, year: int | None
) -> None:
    """The dependency view reads texts, precedes edges and citing nodes for what it draws only;
    what it draws is what the whole-graph answers say: the targets of ``dependents`` with their
    texts, the precedes edges of ``target-sequence`` between them, the mentions of
    ``document-mentions`` and the baselines of ``baselines`` citing the documents."""
    from fenjie.queries import dependents, plain, resolve_document
    from fenjie.queries.registry import get_stored

    view = build_view(backend, "dependency", document=document, year=year)
    kinds = dict(view.graph.nodes(data="kind"))
    labels = dict(view.graph.nodes(data="label"))
    answer = dependents(backend, document)["targets"]
    expected = {t["iri"]: t for t in answer if year is None or t["year"] == year}
    drawn = {n for n, k in kinds.items() if k == "target"}
    assert drawn == set(expected) and drawn
    for iri, target in expected.items():
        assert labels[iri].startswith(f"{target['year']}：{target['text'][:5]}")
    sequence = {
        (plain(r["from"]), plain(r["to"]))
        for r in backend.select(get_stored("target-sequence").text)
    }
    precedes = {(a, b) for a, b, k in view.graph.edges(data="kind") if k == "precedes"}
    assert precedes == {(a, b) for a, b in sequence if a in drawn and b in drawn}
    docs = {n for n, k in kinds.items() if k in ("document", "derived")}
    assert resolve_document(backend, document)["iri"] in docs
    mentions = backend.select(get_stored("document-mentions").text)
    baselines = {
        plain(r["baseline"]): plain(r["text"]) for r in backend.select(get_stored("baselines").text)
    }
    citing_baselines = {plain(r["node"]) for r in mentions if plain(r["document"]) in docs} & set(
        baselines
    )
    assert {n for n, k in kinds.items() if k == "baseline"} == citing_baselines
    for node in citing_baselines:
        assert view.graph.nodes[node]["title"].startswith(f"前期工作基础：{baselines[node]}")
    refers = {(a, b) for a, b, k in view.graph.edges(data="kind") if k in ("refers", "produces")}
    assert refers == {
        (plain(r["node"]), plain(r["document"]))
        for r in mentions
        if plain(r["document"]) in docs and plain(r["node"]) in view.graph
    }


@pytest.mark.parametrize(
    ("name", "params"), [("responsibility", {"max_nodes": 30}), ("coordination", {})]
)
def test_whole_graph_views_read_no_targets_and_the_assignments_once(
    backend: LocalBackend, name: str, params: dict[str, Any]
) -> None:
    """Without a year the two whole-graph views draw no target (the coordination view never, the
    responsibility view once aggregated by category, as it is on a large store): they leave out
    the targets (36,424 at 940k triples) and make the load numbers of their tooltips from the
    assignments they read, asking nothing twice."""
    from fenjie.queries.registry import get_stored

    recording = _Recording(backend)
    view = build_view(recording, name, **params)
    assert name == "coordination" or any("聚合" in m for m in view.messages)
    asked = recording.asked
    assert get_stored("targets").text not in asked
    assert get_stored("targets-per-item").text not in asked
    assert asked.count(get_stored("assignments").text) == 1
    recording = _Recording(backend)
    build_view(recording, name, year=2018)  # a year: which work items have targets then
    assert get_stored("targets").text in recording.asked


@pytest.mark.parametrize("year", [None, 2017, 2018])
def test_load_numbers_are_those_of_coordination_load(
    backend: LocalBackend, year: int | None
) -> None:
    from fenjie.queries import coordination_load
    from fenjie.viz._data import load
    from fenjie.viz._tips import load_numbers

    made = load_numbers(backend, load(backend, documents=False), year)
    asked = {u["unit"]["iri"]: u for u in coordination_load(backend, year=year, pairs=0)["units"]}
    assert sorted(made) == sorted(asked) and len(made) > 10
    for unit, numbers in made.items():
        for key in ("lead", "responsible", "supporting", "work_items", "partners", "degree"):
            assert numbers[key] == asked[unit][key], (unit, key)
        assert numbers["betweenness"] == asked[unit]["betweenness"], unit


def test_a_unit_view_too_large_without_its_targets_reads_none(backend: LocalBackend) -> None:
    """The busiest unit of a large store carries thousands of work items: its view is over the
    node limit before any target is drawn, so the targets are left out unread, and it says so."""
    from fenjie.queries.registry import get_stored

    small = build_view(backend, "unit", unit="省科技厅")
    kinds = {d["kind"] for _, d in small.graph.nodes(data=True)}
    assert "target" in kinds
    recording = _Recording(backend)
    limit = sum(1 for _, d in small.graph.nodes(data=True) if d["kind"] != "target") - 1
    cut = build_view(recording, "unit", unit="省科技厅", max_nodes=limit)
    assert get_stored("targets").text not in recording.asked
    assert any("已省略年度目标" in m for m in cut.messages)
    drawn = {n: d["kind"] for n, d in cut.graph.nodes(data=True)}
    assert "target" not in drawn.values()
    # everything else is drawn as before: the unit, its work items and its partners
    expected = {n: d["kind"] for n, d in small.graph.nodes(data=True) if d["kind"] != "target"}
    assert drawn == expected


@pytest.mark.parametrize("max_nodes", [12, 25, 40])
def test_a_cut_dependency_view_counts_every_node_in_its_limit(
    backend: LocalBackend, max_nodes: int
) -> None:
    """Cut by the node limit, the dependency view draws at most that many nodes: the first
    targets by year, each with the baselines of its work item that cite the document, and says
    what it left out."""
    from fenjie.queries import plain, resolve_document
    from fenjie.queries.registry import get_stored

    whole = build_view(backend, "dependency", document="意见")
    kinds = dict(whole.graph.nodes(data="kind"))
    assert len(whole.graph) > max_nodes and not whole.messages
    cut = build_view(backend, "dependency", document="意见", max_nodes=max_nodes)
    drawn = dict(cut.graph.nodes(data="kind"))
    assert len(drawn) <= max_nodes
    docs = {n for n, k in kinds.items() if k in ("document", "derived")}
    assert {n for n, k in drawn.items() if k in ("document", "derived")} == docs
    assert resolve_document(backend, "意见")["iri"] in docs
    answer = dependents(backend, "意见")["targets"]
    ordered = [t["iri"] for t in sorted(answer, key=lambda t: (t["year"], t["iri"]))]
    targets = [n for n, k in drawn.items() if k == "target"]
    assert sorted(targets) == sorted(ordered[: len(targets)])  # a prefix, by year
    assert len(targets) < len(ordered)
    assert any(
        f"共 {len(ordered)} 个依赖目标，只显示前 {len(targets)} 个" in m for m in cut.messages
    )
    item_of = {t["iri"]: t["work_item"]["iri"] for t in answer}
    base_item = {
        plain(r["baseline"]): plain(r["item"]) for r in backend.select(get_stored("baselines").text)
    }
    every_baseline = {n for n, k in kinds.items() if k == "baseline"}
    shown = {n for n, k in drawn.items() if k == "baseline"}
    assert shown == {b for b in every_baseline if base_item[b] in {item_of[t] for t in targets}}
    if max_nodes == 12:  # too few for every baseline of the bundled table's 意见 (7)
        assert shown < every_baseline
    if shown != every_baseline:
        assert any(f"前期工作基础共 {len(every_baseline)} 条" in m for m in cut.messages)
