"""``fenjie bench-stores``: every named query on each store, the same answers, and a time limit
that stops a pathological query without hiding it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from fenjie.bench import stores as bench
from fenjie.bench.commands import oxigraph_command
from fenjie.queries import stored_queries

# a three-way cross product of every triple: far past any limit on a few thousand triples
_CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"

needs_oxigraph = pytest.mark.skipif(
    oxigraph_command() is None, reason="the oxigraph command is not installed"
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench-stores")
    bench.build_graph(4_000, folder)
    return folder


def test_build_is_reused(workdir: Path) -> None:
    """A second run of the same size finds the store built by the first (10M takes long)."""
    marker = (workdir / "graph.json").read_text(encoding="utf-8")
    version = (workdir / "store").resolve()
    assert bench.build_graph(4_000, workdir) == workdir / "store"
    assert (workdir / "store").resolve() == version
    assert (workdir / "graph.json").read_text(encoding="utf-8") == marker


@pytest.mark.slow
def test_embedded_run_is_stopped_at_the_limit_and_the_next_run_answers(workdir: Path) -> None:
    runner = bench._Embedded(workdir / "store")
    try:
        result = bench._measure(runner, _CROSS, {}, repeat=3, budget=0.5)
        assert result == {"over_budget": True, "runs": 0}
        after = runner.run(_COUNT, {}, 60)  # a fresh query process took the killed one's place
        assert after.rows == 1
        # a query the store refuses is reported as failed, and the next one still answers
        failed = bench._measure(runner, "SELECT ?x WHERE { ?x", {}, repeat=3, budget=30)
        assert set(failed) == {"error", "runs"} and "SyntaxError" in failed["error"]
        assert runner.run(_COUNT, {}, 60).rows == 1
    finally:
        runner.stop()


@pytest.mark.slow
@needs_oxigraph
def test_every_query_same_answer_on_both_stores_and_over_budget_reported(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one pathological named query among the real ones: it must be reported, not dropped
    real = stored_queries()
    cross = dataclasses.replace(real["units"], name="zz-cross", text=_CROSS)
    monkeypatch.setattr(
        "fenjie.queries.stored_queries", lambda: {**real, "zz-cross": cross}, raising=True
    )
    report = bench.bench_stores(
        4_000, repeat=2, budget=3, stores=("embedded", "oxigraph"), workdir=workdir
    )
    selects = {n for n, q in real.items() if q.form == "SELECT"}
    assert set(report["queries"]) == selects | {"zz-cross"}
    for name in selects:
        embedded, oxigraph = (
            report["queries"][name]["embedded"],
            report["queries"][name]["oxigraph"],
        )
        if embedded.get("over_budget") or oxigraph.get("over_budget"):
            continue  # a loaded machine may push a heavy query past 3 s; reported, not compared
        assert embedded["digest"] == oxigraph["digest"], name
        assert embedded["rows"] == oxigraph["rows"], name
    assert report["queries"]["zz-cross"]["embedded"]["over_budget"]
    assert report["queries"]["zz-cross"]["oxigraph"]["over_budget"]
    text = bench.format_report(report)
    assert "| zz-cross | – | over budget (> 3 s) | – | – | over budget (> 3 s) | – | – |" in text
    # the embedded store's CPU time beside its wall time, a figure for each answered query
    units = report["queries"]["units"]["embedded"]
    cells = (
        f"| {bench._ms(units['median'])} | {bench._ms(units['p95'])} | {bench._ms(units['cpu'])} |"
    )
    assert 0 < units["cpu"] and cells in text
    assert "differ" not in text
    assert (workdir / "report.md").read_text(encoding="utf-8") == text + "\n"


@pytest.mark.slow  # a query process of its own
def test_queries_option_measures_only_the_named_ones(workdir: Path) -> None:
    report = bench.bench_stores(
        4_000, repeat=1, budget=30, stores=("embedded",), workdir=workdir, names=("units",)
    )
    assert set(report["queries"]) == {"units"}
    assert report["queries"]["units"]["embedded"]["rows"] > 0


def test_queries_option_refuses_an_unknown_name() -> None:
    from click.testing import CliRunner

    from fenjie.cli import main

    result = CliRunner().invoke(main, ["bench-stores", "--queries", "units,no-such-query"])
    assert result.exit_code == 2
    assert "no-such-query" in result.output and "units" not in result.output.split("：")[-1]
