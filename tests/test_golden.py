"""Golden cases: each folder of tests/golden holds an input table, the graph it must build
(expected.trig, compared by isomorphism) and hand-written facts (facts.json, SPARQL ASKs).

Regenerate expected graphs after a deliberate model change with ``FENJIE_UPDATE_GOLDEN=1`` and
review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import CanonicalizationAlgorithm, Dataset, NamedNode, RdfFormat

from fenjie.graph import FenjieStore, build_sources
from fenjie.graph.builder import SHARED_GRAPH
from fenjie.graph.export import PREFIXES

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "input.tsv").exists())
SPARQL_PREFIXES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


def build(case: str) -> FenjieStore:
    store = FenjieStore.in_memory()
    build_sources([GOLDEN / case / "input.tsv"], store=store)
    return store


def table_quads(store: FenjieStore) -> Dataset:
    """The table's graph and the shared facts it added (ontology and registry left out)."""
    (table,) = store.tables()
    shared = NamedNode(table.value.rsplit("/table/", 1)[0] + "/" + SHARED_GRAPH)
    dataset = Dataset(
        [
            *store.inner.quads_for_pattern(None, None, None, table),
            *store.inner.quads_for_pattern(None, None, None, shared),
        ]
    )
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


@pytest.mark.parametrize("case", CASES)
def test_graph_matches_expected(case):
    expected_path = GOLDEN / case / "expected.trig"
    got = table_quads(build(case))
    if os.environ.get("FENJIE_UPDATE_GOLDEN") or not expected_path.exists():
        expected_path.write_bytes(
            pyoxigraph.serialize(sorted(got, key=str), format=RdfFormat.TRIG, prefixes=PREFIXES)
        )
    expected = Dataset(pyoxigraph.parse(expected_path.read_bytes(), format=RdfFormat.TRIG))
    expected.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    missing, extra = set(expected) - set(got), set(got) - set(expected)
    assert not missing and not extra, (sorted(map(str, missing))[:5], sorted(map(str, extra))[:5])


@pytest.mark.parametrize("case", CASES)
def test_facts_hold(case):
    store = build(case)
    facts = json.loads((GOLDEN / case / "facts.json").read_text("utf-8"))
    failed = [f["says"] for f in facts if not store.ask(SPARQL_PREFIXES + f["ask"])]
    assert failed == []


@pytest.mark.slow  # pyshacl validation of each golden graph
@pytest.mark.parametrize("case", CASES)
def test_graph_conforms_to_the_shapes(case):
    from fenjie.graph.check import shacl_results

    assert shacl_results(build(case)) == []
