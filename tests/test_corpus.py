"""Real published plans (tests/corpus/): each is built and compared with gold facts read by hand.

Every ``tests/corpus/<slug>.txt`` is a plan as the search tool's pages corpus returned it (see the
sidecar's ``coverage``), and ``<slug>.json`` holds its source address and the facts read by hand:
the work items in order, for three units the work items they lead, share (``responsible``) and
support, notes kept on assignments, deadlines, and the jurisdiction-dependent facts (cited
documents, full unit names) that juris's work (issue 9 §1, §3) turns on.

The comparison is at the item level: which work items a unit leads, shares, supports.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from fenjie.graph import FenjieStore, build_sources, read_table
from fenjie.queries import LocalBackend, obligations

CORPUS = Path(__file__).parent / "corpus"
PLANS = sorted(p.stem for p in CORPUS.glob("*.json"))
ROLES = ("lead", "responsible", "supporting")
_PREFIXES = """
PREFIX fj: <https://w3id.org/fenjie/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
"""


def gold(slug: str) -> dict[str, Any]:
    return json.loads((CORPUS / f"{slug}.json").read_text("utf-8"))


@cache
def backend(slug: str) -> LocalBackend:
    """Each plan in a store of its own: units written alike in two plans are not the same body."""
    store = FenjieStore.in_memory()
    # a plan whose text names no place is built as a user would: with --jurisdiction
    given = gold(slug).get("given_jurisdiction")
    build_sources([CORPUS / gold(slug)["text"]], store=store, jurisdiction=given)
    return LocalBackend(store)


def select(slug: str, query: str) -> list[dict[str, Any]]:
    rows = backend(slug).select(_PREFIXES + query)
    return [{k: v.value for k, v in row.items() if v is not None} for row in rows]


def work_items(slug: str) -> list[dict[str, Any]]:
    rows = select(
        slug,
        """SELECT ?item ?label ?order ?category WHERE {
             ?item a fj:WorkItem ; rdfs:label ?label ; fj:order ?order .
             OPTIONAL { ?item fj:category/rdfs:label ?category } }""",
    )
    return sorted(rows, key=lambda r: int(r["order"]))


def test_the_corpus_spans_provinces_levels_and_shapes() -> None:
    plans = [gold(slug) for slug in PLANS]
    assert len(plans) >= 12
    assert len({p["province"] for p in plans}) >= 5
    assert {"省", "市", "县区"} <= {p["level"] for p in plans}
    assert {"list", "table"} <= {p["shape"] for p in plans}
    for p in plans:
        assert p["source"].startswith("http"), p
        assert (CORPUS / p["text"]).is_file()
        assert p["tasks"] == len(p["work_items"]) > 0
        assert len(p["units"]) >= 1 and p["coverage"]


@pytest.mark.parametrize("slug", PLANS)
def test_shape_title_and_work_items(slug: str) -> None:
    expected = gold(slug)
    table = read_table(CORPUS / expected["text"])
    assert (table.reader == "listform") == (expected["shape"] == "list"), table.reader
    if expected["title"]:
        assert table.title == expected["title"]
    items = work_items(slug)
    assert [i["label"] for i in items] == expected["work_items"]
    categories = list(dict.fromkeys(i["category"] for i in items if "category" in i))
    if expected["categories"]:
        assert categories == expected["categories"]


@pytest.mark.parametrize("slug", PLANS)
def test_units_lead_share_and_support_the_right_work_items(slug: str) -> None:
    expected = gold(slug)
    labels = expected["work_items"]
    for unit, roles in expected["units"].items():
        result = obligations(backend(slug), unit)
        found: dict[str, list[str]] = {role: [] for role in ROLES}
        for o in result["obligations"]:
            found[o["role"]].append(o["work_item"]["label"])
        wanted = {role: [labels[k - 1] for k in roles[role]] for role in ROLES}
        assert {r: sorted(v) for r, v in found.items()} == {
            r: sorted(v) for r, v in wanted.items()
        }, unit


@pytest.mark.parametrize("slug", PLANS)
def test_clauses_are_notes_never_units(slug: str) -> None:
    expected = gold(slug)
    units = {
        r["label"]
        for r in select(slug, "SELECT ?label WHERE { ?u a fj:Unit ; skos:prefLabel ?label }")
    }
    clause_words = ("按职责", "分工负责", "下同", "不再", "牵头单位", "具体任务", "负责领导")
    assert not [u for u in units if any(w in u for w in clause_words)], units
    assert not set(expected.get("not_units", [])) & units
    notes: dict[str, set[str]] = {}
    for r in select(
        slug,
        """SELECT ?label ?note WHERE {
             ?a fj:note ?note ; fj:workItem/rdfs:label ?label }""",
    ):
        notes.setdefault(r["label"], set()).add(r["note"])
    labels = expected["work_items"]
    wanted = {labels[int(k) - 1]: set(v) for k, v in expected.get("notes", {}).items()}
    assert notes == wanted


@pytest.mark.parametrize("slug", [s for s in PLANS if "deadlines" in gold(s)])
def test_deadlines(slug: str) -> None:
    expected = gold(slug)
    rows = select(slug, "SELECT ?label ?d WHERE { ?i fj:deadline ?d ; rdfs:label ?label }")
    labels = expected["work_items"]
    assert {r["label"]: r["d"] for r in rows} == {
        labels[int(k) - 1]: v for k, v in expected["deadlines"].items()
    }


@pytest.mark.parametrize("slug", [s for s in PLANS if "targets" in gold(s)])
def test_targets_per_year(slug: str) -> None:
    expected = gold(slug)
    rows = select(
        slug,
        """SELECT ?label ?year ?text WHERE {
             ?t a fj:Target ; fj:workItem/rdfs:label ?label ; fj:year ?year ; fj:text ?text }""",
    )
    found: dict[str, dict[str, list[str]]] = {}
    for r in rows:
        found.setdefault(r["label"], {}).setdefault(str(r["year"]), []).append(r["text"])
    labels = expected["work_items"]
    wanted = {labels[int(k) - 1]: v for k, v in expected["targets"].items()}
    assert {k: {y: sorted(t) for y, t in v.items()} for k, v in found.items()} == wanted


@pytest.mark.parametrize("slug", [s for s in PLANS if "findings" in gold(s)])
def test_check_says_what_is_doubtful(slug: str) -> None:
    """What fenjie cannot read for sure is reported (存疑), with the unit it concerns."""
    from fenjie.graph.check import quality_findings

    found = {(f["kind"], f.get("unit")) for f in quality_findings(backend(slug).store)}
    assert {(kind, unit) for kind, unit in gold(slug)["findings"]} <= found


# -- jurisdiction-dependent gold facts (issue 9 §1 and §3, owned by juris) ---------------------
# They turn on by themselves once the graph records a plan's jurisdiction on its source.


def _jurisdiction(slug: str) -> list[str]:
    rows = select(
        slug,
        """SELECT ?o ?label WHERE {
             ?t a fj:SourceTable ; ?p ?o .
             FILTER(CONTAINS(LCASE(STR(?p)), "jurisdiction"))
             OPTIONAL { ?o fj:within* ?place . ?place skos:prefLabel|rdfs:label ?label } }""",
    )
    return [r.get("label", r["o"]) for r in rows]  # a zone's places too (霍山经济开发区 in 霍山县)


juris = pytest.mark.skipif(
    not _jurisdiction(PLANS[0]),
    reason="jurisdiction-dependent gold facts (issue 9 §1/§3, juris): on once plans get one",
)


@juris
@pytest.mark.parametrize("slug", PLANS)
def test_jurisdiction_documents_and_full_names(slug: str) -> None:
    expected = gold(slug)
    place = expected["jurisdiction"]
    if place is None:  # a place fenjie does not know (a township): recorded as unknown
        unknown = "SELECT ?t WHERE { ?t a fj:SourceTable ; fj:jurisdiction fj:UnknownJurisdiction }"
        assert select(slug, unknown)
    else:
        assert any(place.endswith(j) or j.endswith(place) for j in _jurisdiction(slug))
    titles = {
        r["title"]
        for r in select(slug, "SELECT ?title WHERE { ?d a fj:PolicyDocument ; dct:title ?title }")
    }
    assert set(expected["documents"]) <= titles
    for written, full in expected["juris"].get("full_names", {}).items():
        assert obligations(backend(slug), written)["unit"]["label"] == full


@pytest.mark.slow  # SHACL over each plan
@pytest.mark.parametrize("slug", sorted(p.stem for p in CORPUS.glob("*.json")))
def test_every_corpus_plan_conforms_to_the_shapes(slug: str) -> None:
    # real plans have columns the bundled table lacks (分工说明, 责任领导) and tables with no
    # category column: the shapes must hold for them too, or `fenjie check` fails on real plans
    from fenjie.graph.check import shacl_results

    gold = json.loads((CORPUS / f"{slug}.json").read_text("utf-8"))
    store = FenjieStore.in_memory()
    build_sources([CORPUS / gold["text"]], store=store, jurisdiction=gold.get("given_jurisdiction"))
    assert shacl_results(store) == []
