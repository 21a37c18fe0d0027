"""Levels: a city's plan implementing the province's, checked against hand-written gold facts.

tests/data/levels/changsha-innovation-zone-2017-2019.tsv is a 长沙市 implementation plan of the
bundled provincial table, written by hand (read here from a Word document made of it, so the two
plans come through different readers). Its notice says 为贯彻落实《长株潭…分解表（2017—2019年）》;
its bureaus take on eight of the ten provincial work items that name 长株潭三市政府 (one of them
split into two city items), add one of their own (岳麓山国家大学科技城建设), and leave two without
follow-up (军民融合创新示范, 科技金融服务平台) and 29 provincial targets in all. The gold facts
are in the .gold.json next to it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fenjie.bench.commands import oxigraph_command
from fenjie.config import bundled_example
from fenjie.graph import FenjieStore, build_sources
from fenjie.queries import LocalBackend

DATA = Path(__file__).parent / "data" / "levels"
CITY = DATA / "changsha-innovation-zone-2017-2019.tsv"
GOLD: dict[str, Any] = json.loads(
    (DATA / "changsha-innovation-zone-2017-2019.gold.json").read_text(encoding="utf-8")
)
BASE = "https://w3id.org/fenjie/id/"
PARENT = f"{BASE}table/{GOLD['parent']}"
CHILD = f"{BASE}table/{GOLD['child']}"
FJ = "https://w3id.org/fenjie/def#"


def as_docx(tsv: Path, out: Path) -> Path:
    """The plan as a Word document: notice paragraphs, then one ruled table."""
    import docx

    lines = tsv.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("主要任务\t"))
    document = docx.Document()
    for line in lines[:header]:
        if line.strip():
            document.add_paragraph(line)
    rows = [line.split("\t") for line in lines[header:] if line.strip()]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph()
    document.save(out)
    return out


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The provincial table and the city's plan (as .docx) built into one persistent store."""
    folder = tmp_path_factory.mktemp("levels")
    city = as_docx(CITY, folder / f"{GOLD['child']}.docx")
    build_sources([bundled_example(), city], store_path=folder / "store")
    return folder / "store"


@pytest.fixture(scope="module")
def store(store_path: Path) -> FenjieStore:
    return FenjieStore.open(store_path, read_only=True)


@pytest.fixture(scope="module")
def backend(store: FenjieStore) -> LocalBackend:
    return LocalBackend(store)


def _tail(iri: str) -> str:
    return iri.rsplit("/item/", 1)[1]


def _target_key(iri: str, store: FenjieStore) -> list[Any]:
    """[work item tail, year, position] of a target IRI (…/item/1-5/target/2017/2)."""
    item, rest = iri.rsplit("/item/", 1)[1].split("/target/")
    year, position = rest.split("/")
    return [item, int(year), int(position)]


def test_plan_link_read_from_the_notice(store: FenjieStore) -> None:
    rows = store.select(
        f"SELECT ?child ?parent ?evidence ?written WHERE {{ ?l a <{FJ}PlanLink> ; "
        f"<{FJ}childPlan> ?child ; <{FJ}parentPlan> ?parent ; <{FJ}linkEvidence> ?evidence ; "
        f"<{FJ}writtenAs> ?written }}"
    )
    assert [(r["child"].value, r["parent"].value, r["evidence"].value) for r in rows] == [
        (CHILD, PARENT, GOLD["plan_link"]["evidence"])
    ]
    assert rows[0]["written"].value == GOLD["plan_link"]["cited"]


def test_work_items_link_exactly_as_gold(store: FenjieStore) -> None:
    rows = store.select(f"SELECT ?c ?p WHERE {{ ?c <{FJ}implementsItem> ?p }}")
    found = {_tail(r["c"].value): _tail(r["p"].value) for r in rows}
    assert all(r["c"].value.startswith(CHILD) and r["p"].value.startswith(PARENT) for r in rows)
    gold = {k: v["parent"] for k, v in GOLD["work_items"].items() if v["parent"]}
    assert found == gold


def test_targets_link_exactly_as_gold(store: FenjieStore) -> None:
    rows = store.select(f"SELECT ?c ?p WHERE {{ ?c <{FJ}implementsTarget> ?p }}")
    found = sorted(
        (_target_key(r["c"].value, store), _target_key(r["p"].value, store)) for r in rows
    )
    gold = sorted((g["child"], g["parent"]) for g in GOLD["targets"])
    assert found == gold


def test_links_carry_score_and_provenance(store: FenjieStore) -> None:
    rows = store.select(
        f"SELECT ?link ?score ?plan ?from WHERE {{ ?link a <{FJ}LevelLink> ; "
        f"<{FJ}matchScore> ?score ; <{FJ}planLink> ?plan ; "
        "<http://www.w3.org/ns/prov#wasDerivedFrom> ?from }"
    )
    assert rows and all(60 <= float(r["score"].value) <= 100 for r in rows)
    assert {r["plan"].value for r in rows} == {f"{CHILD}/implements/{GOLD['parent']}"}
    # each link derives from its two ends
    assert len(rows) == 2 * (len(GOLD["targets"]) + 9)


def test_the_city_own_item_is_a_finding(store: FenjieStore) -> None:
    from fenjie.graph.check import quality_findings

    levels = [f for f in quality_findings(store) if f["kind"] == "unlinked_work_item"]
    assert [f["work_item"] for f in levels] == ["岳麓山国家大学科技城建设"]
    assert levels[0]["source"]["table"] == CHILD and levels[0]["source"]["row"] == 8


# -- the questions ------------------------------------------------------------------------------


def _key(iri: str) -> str:
    return iri.rsplit("/item/", 1)[1].split("/")[0]


def test_no_follow_up_in_changsha_exactly_as_gold(backend: LocalBackend) -> None:
    """Which provincial targets have no follow-up in 长沙: exactly the hand-written list."""
    from fenjie.queries.levels import follow_up_gaps

    answer = follow_up_gaps(backend, "长沙")
    assert answer["child"]["iri"] == CHILD
    assert [p["iri"] for p in answer["parents"]] == [PARENT]
    assert [
        [_key(w["work_item"]["iri"]), w["work_item"]["label"]] for w in answer["work_items"]
    ] == (GOLD["gaps"]["work_items"])
    found = [
        [_key(t["iri"]), t["year"], int(t["iri"].rsplit("/", 1)[1]), t["text"]]
        for t in answer["targets"]
    ]
    assert found == GOLD["gaps"]["targets"]
    unfollowed = {key for key, _ in GOLD["gaps"]["work_items"]}
    assert all(
        t["work_item_followed"] == (_key(t["iri"]) not in unfollowed) for t in answer["targets"]
    )


def test_children_of_a_provincial_item_with_their_units(backend: LocalBackend) -> None:
    from fenjie.queries.levels import carried_down

    answer = carried_down(backend, f"{PARENT}/item/1-5")
    assert answer["work_item"]["label"] == "营造创新创业环境"
    children = {c["work_item"]["iri"].rsplit("/item/", 1)[1]: c for c in answer["children"]}
    assert set(children) == {k for k, v in GOLD["work_items"].items() if v["parent"] == "1-5"}
    lead = {
        k: [u["unit"]["label"] for u in c["units"] if u["role"] == "lead"]
        for k, c in children.items()
    }
    assert lead == {"1-3": ["长沙市科学技术局"], "1-4": ["长沙市知识产权局"]}
    assert all(c["plan"]["iri"] == CHILD and c["children"] == [] for c in children.values())
    # by label, within the provincial plan
    assert carried_down(backend, "营造创新创业环境", plan=GOLD["parent"]) == answer


def test_a_city_bureau_traced_up_to_provincial_targets_and_documents(
    backend: LocalBackend,
) -> None:
    from fenjie.queries.levels import trace_up

    gold = GOLD["bureau_trace"]
    answer = trace_up(backend, gold["unit"])
    got = [
        {
            "child": _key(o["work_item"]["iri"]),
            "role": o["role"],
            "parent": _key(o["path"][-1]["work_item"]["iri"]),
        }
        for o in answer["obligations"]
    ]
    assert got == gold["obligations"]
    targets = {
        (_key(t["iri"]), t["year"], int(t["iri"].rsplit("/", 1)[1])): t["path"]
        for o in answer["obligations"]
        for t in o["targets"]
    }
    expected = {
        tuple(g["child"]): tuple(g["parent"])
        for g in GOLD["targets"]
        if g["child"][0] in {o["child"] for o in gold["obligations"]}
    }
    assert {
        k: (
            _key(p[-1]["iri"]),
            int(p[-1]["iri"].split("/target/")[1].split("/")[0]),
            int(p[-1]["iri"].rsplit("/", 1)[1]),
        )
        for k, p in targets.items()
    } == expected
    titles = {d["title"] for o in answer["obligations"] for d in o["documents"]}
    assert (
        "长株潭国家自主创新示范区建设目标任务分解表（2017—2019年）" in titles
    )  # the plan it serves
    assert "湖南省众创空间管理办法（试行）" in titles  # a document the provincial targets cite


def test_group_broken_down_by_member(backend: LocalBackend) -> None:
    from fenjie.queries.levels import group_breakdown

    answer = group_breakdown(backend, GOLD["group"])
    items = {_key(i["work_item"]["iri"]): i for i in answer["work_items"]}
    assert sorted(items) == sorted(GOLD["assigned_parent_items"])
    by_parent: dict[str, set[str]] = {}
    for key, v in GOLD["work_items"].items():
        if v["parent"]:
            by_parent.setdefault(v["parent"], set()).add(key)
    for key, item in items.items():
        members = {m["member"]["label"]: m for m in item["members"]}
        assert set(members) == {"长沙市人民政府", *GOLD["group_breakdown"]["members_without_plans"]}
        for name in GOLD["group_breakdown"]["members_without_plans"]:
            assert members[name]["plans"] == [] and members[name]["assigned"] == []
        changsha = members["长沙市人民政府"]
        assert [p["iri"] for p in changsha["plans"]] == [CHILD]
        assert {_key(a["work_item"]["iri"]) for a in changsha["assigned"]} == by_parent.get(
            key, set()
        )
        assert all(a["units"] for a in changsha["assigned"])


@pytest.mark.slow  # runs fenjie in fresh processes and a server
def test_cli_and_api_answer_as_the_library(
    store_path: Path, backend: LocalBackend, server_factory: Any
) -> None:
    import subprocess
    import sys

    import httpx

    from fenjie.queries.levels import (
        carried_down,
        decomposition_tree,
        follow_up_gaps,
        group_breakdown,
        trace_up,
    )

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "fenjie", "levels", *args, "--store", str(store_path)]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    answer = follow_up_gaps(backend, "长沙")
    assert json.loads(cli("gaps", "长沙", "--format", "json").stdout) == answer
    table = cli("gaps", "长沙").stdout
    assert "未承接的工作 2 项，未承接的目标 29 项" in table and "军民融合创新示范" in table
    unknown = cli("trace", "不存在的局")
    assert unknown.returncode != 0 and "Traceback" not in unknown.stderr
    item = f"{PARENT}/item/1-5"
    with server_factory(store_path) as base:
        cases = [
            ("/api/levels/gaps", {"child": "长沙"}, answer),
            ("/api/levels/children", {"item": item}, carried_down(backend, item)),
            (
                "/api/levels/trace",
                {"unit": "长沙市知识产权局"},
                trace_up(backend, "长沙市知识产权局"),
            ),
            (
                "/api/levels/group",
                {"group": "长株潭三市政府"},
                group_breakdown(backend, "长株潭三市政府"),
            ),
            ("/api/levels/tree", {"plan": GOLD["parent"]}, decomposition_tree(backend, PARENT)),
        ]
        for path, params, expected in cases:
            response = httpx.get(base + path, params=params, timeout=60)
            assert response.status_code == 200, response.text
            assert response.json() == expected
        missing = httpx.get(base + "/api/levels/gaps", timeout=60)
        assert missing.status_code == 400
        page = httpx.get(base + "/reports/levels", params={"plan": GOLD["parent"]}, timeout=60)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "分解树" in page.text and "长沙市知识产权局（牵头）" in page.text


# -- the decomposition tree ---------------------------------------------------------------------


def test_tree_below_the_province(backend: LocalBackend) -> None:
    from fenjie.queries.levels import decomposition_tree

    tree = decomposition_tree(backend, PARENT)
    roots = {_key(n["work_item"]["iri"]): n for n in tree["work_items"]}
    assert len(roots) == 14
    for key, node in roots.items():
        children = {c["work_item"]["iri"].rsplit("/item/", 1)[1] for c in node["children"]}
        assert children == {k for k, v in GOLD["work_items"].items() if v["parent"] == key}
        gap = [p["iri"] for p in node["no_follow_up"]]
        assert gap == (
            [CHILD] if [key, node["work_item"]["label"]] in GOLD["gaps"]["work_items"] else []
        )
    lead = [u["unit"]["label"] for u in roots["1-5"]["children"][1]["units"] if u["role"] == "lead"]
    assert lead == ["长沙市知识产权局"]


@pytest.mark.browser
def test_tree_page_offline_collapsible_coloured_by_role(
    backend: LocalBackend, chromium: Any, tmp_path: Path, xss_source: tuple[Path, str]
) -> None:
    from fenjie.queries.levels import decomposition_tree
    from fenjie.viz import levels_tree_html
    from fenjie.viz._browser import offline_page
    from fenjie.viz._levels_tree import ROLE_COLOURS

    path = tmp_path / "tree.html"
    path.write_text(levels_tree_html(decomposition_tree(backend, PARENT)), encoding="utf-8")
    with offline_page(chromium) as record:
        page = record.page
        page.goto(path.as_uri())
        assert page.locator("details").count() == 14 + 9
        assert page.locator("details details").count() == 9
        # colours by role, as the legend says
        for role, colour in ROLE_COLOURS.items():
            unit = page.locator(f"li.role-{role}").first
            rgb = unit.evaluate("e => getComputedStyle(e).backgroundColor")
            r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
            assert rgb == f"rgb({r}, {g}, {b})"
        leads = page.locator("details details li.role-lead").all_inner_texts()
        assert "长沙市知识产权局（牵头）" in leads
        # 断档 marked on the two provincial items 长沙 leaves without follow-up
        gaps = page.locator("details.level0:has(> summary .gap) > summary .label").all_inner_texts()
        assert gaps == [label for _, label in GOLD["gaps"]["work_items"]]
        # a branch folds and unfolds; the buttons fold and unfold everything
        branch = page.locator(f'details[data-iri="{PARENT}/item/1-5"]')
        child = branch.locator("details").first
        assert child.is_visible()
        branch.locator("> summary").click()
        assert not child.is_visible()
        page.click("#expand")
        assert child.is_visible()
        page.click("#fold")
        assert page.locator("details[open]").count() == 0
        assert record.blocked == [] and record.console_errors == []
    # text from the plans is text: a poisoned table's tree runs nothing
    store = FenjieStore.in_memory()
    build_sources([xss_source[0]], store=store)
    poisoned = tmp_path / "xss.html"
    poisoned.write_text(
        levels_tree_html(decomposition_tree(LocalBackend(store), xss_source[0].stem)),
        encoding="utf-8",
    )
    with offline_page(chromium) as record:
        record.page.goto(poisoned.as_uri())
        assert record.page.evaluate("window.__xss") is None
        assert xss_source[1] in record.page.inner_text("body")
        assert record.dialogs == []


# -- declaring and detecting the parent plan -------------------------------------------------------

CITED = "为贯彻落实《长株潭国家自主创新示范区建设目标任务分解表（2017—2019年）》，"


def _variant(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = CITY.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _plan_links(store: FenjieStore) -> list[tuple[str, str, str]]:
    rows = store.select(
        f"SELECT ?c ?p ?e WHERE {{ ?l a <{FJ}PlanLink> ; <{FJ}childPlan> ?c ; "
        f"<{FJ}parentPlan> ?p ; <{FJ}linkEvidence> ?e }}"
    )
    return [
        (r["c"].value.rsplit("/", 1)[1], r["p"].value.rsplit("/", 1)[1], r["e"].value) for r in rows
    ]


def _item_links(store: FenjieStore) -> dict[str, str]:
    rows = store.select(f"SELECT ?c ?p WHERE {{ ?c <{FJ}implementsItem> ?p }}")
    return {_tail(r["c"].value): _tail(r["p"].value) for r in rows}


GOLD_ITEMS = {k: v["parent"] for k, v in GOLD["work_items"].items() if v["parent"]}


def _kinds(store: FenjieStore) -> list[str]:
    from fenjie.graph.check import quality_findings

    levels = {
        "unresolved_parent_plan",
        "unsure_parent_plan",
        "ambiguous_parent_plan",
        "parent_plan_not_above",
        "unknown_child_government",
        "ambiguous_level_link",
        "implements_unassigned_item",
    }
    return sorted(f["kind"] for f in quality_findings(store) if f["kind"] in levels)


def test_declared_with_implements_when_the_notice_cites_nothing(tmp_path: Path) -> None:
    silent = _variant(tmp_path, "silent-city.tsv", CITED, "")
    store = FenjieStore.in_memory()
    build_sources([bundled_example()], store=store)
    build_sources([silent], store=store)
    assert _plan_links(store) == []  # nothing cited, nothing guessed
    build_sources([silent], store=store, implements="2017-2019")
    assert _plan_links(store) == [("silent-city", GOLD["parent"], "user")]
    assert _item_links(store) == GOLD_ITEMS
    # the parent built with its children under one declaration declares nothing about itself
    both = FenjieStore.in_memory()
    build_sources([bundled_example(), silent], store=both, implements=GOLD["parent"])
    assert _plan_links(both) == [("silent-city", GOLD["parent"], "user")]
    assert _kinds(both) == []


def test_a_declaration_naming_no_table_or_a_lower_plan_is_a_finding(tmp_path: Path) -> None:
    silent = _variant(tmp_path, "silent-city.tsv", CITED, "")
    store = FenjieStore.in_memory()
    build_sources([bundled_example(), silent], store=store)
    build_sources([silent], store=store, implements="没有这张表")
    assert _plan_links(store) == [] and _kinds(store) == ["unresolved_parent_plan"]
    build_sources([bundled_example()], store=store, implements="silent-city")
    assert "parent_plan_not_above" in _kinds(store)
    assert ("changzhutan-innovation-zone-2017-2019", "silent-city", "user") not in _plan_links(
        store
    )


def test_parent_built_after_its_child_links_too(tmp_path: Path) -> None:
    store = FenjieStore.in_memory()
    build_sources([CITY], store=store)
    assert _plan_links(store) == []
    build_sources([bundled_example()], store=store)
    assert _plan_links(store) == [(GOLD["child"], GOLD["parent"], "notice")]
    assert _item_links(store) == GOLD_ITEMS


def test_title_written_without_brackets_after_an_implementing_word(tmp_path: Path) -> None:
    bare = _variant(
        tmp_path,
        "bare-city.tsv",
        CITED,
        "根据省人民政府办公厅印发的长株潭国家自主创新示范区建设目标任务分解表（2017-2019年），",
    )
    store = FenjieStore.in_memory()
    build_sources([bundled_example(), bare], store=store)
    assert _plan_links(store) == [("bare-city", GOLD["parent"], "notice")]


def test_a_title_only_like_the_stored_one_is_reported_not_linked(tmp_path: Path) -> None:
    near = _variant(
        tmp_path,
        "near-city.tsv",
        CITED,
        "为贯彻落实《长株潭国家自主创新示范区建设目标任务分解表》，",
    )
    store = FenjieStore.in_memory()
    build_sources([bundled_example(), near], store=store)
    assert _plan_links(store) == [] and _item_links(store) == {}
    assert _kinds(store) == ["unsure_parent_plan"]


def test_a_plan_of_the_same_level_citing_it_is_not_its_child(tmp_path: Path) -> None:
    revised = tmp_path / "revised.tsv"
    text = (
        DATA.parent / "editions" / "changzhutan-innovation-zone-2018-2020-revised.tsv"
    ).read_text(encoding="utf-8")
    revised.write_text(f"{CITED}特制定本修订版。\n{text}", encoding="utf-8")
    store = FenjieStore.in_memory()
    build_sources([bundled_example(), revised], store=store)
    assert _plan_links(store) == []
    assert _kinds(store) == ["parent_plan_not_above"]


# -- the same answers from remote SPARQL stores ---------------------------------------------------

REMOTES = ["oxigraph", "virtuoso"]


@pytest.fixture(scope="module", params=REMOTES)
def endpoint(
    request: pytest.FixtureRequest, store: FenjieStore, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """A live SPARQL store holding the levels store's graphs: ``oxigraph serve`` (union default
    graph) or Virtuoso (filled through the Graph Store Protocol)."""
    import socket
    import subprocess
    import time
    import urllib.request

    from fenjie.queries import push_gsp

    if request.param == "virtuoso":
        from fenjie.bench.virtuoso import available, virtuoso

        if not available():
            pytest.skip("Virtuoso is not installed (tests/setup.sh installs it)")
        with virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
            server.add_user("fenjie", "pw-fenjie")
            push_gsp(
                store, server.base + "/sparql-graph-crud-auth", user="fenjie", password="pw-fenjie"
            )
            yield server.base + "/sparql"
        return
    binary = oxigraph_command()
    if binary is None:
        pytest.skip("the oxigraph server is not installed (tests/setup.sh installs it)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    location = tmp_path_factory.mktemp("oxigraph")
    command = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    proc = subprocess.Popen([*command, "--union-default-graph"], stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
        push_gsp(store, base + "/store")
        yield base + "/query"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.slow  # live SPARQL servers
def test_remote_answers_equal_embedded(endpoint: str, backend: LocalBackend) -> None:
    from fenjie.queries import RemoteBackend, plain_rows, run_stored
    from fenjie.queries.levels import (
        carried_down,
        decomposition_tree,
        follow_up_gaps,
        group_breakdown,
        trace_up,
    )

    remote = RemoteBackend(endpoint)
    params = {
        "level-children": {"item": f"{PARENT}/item/1-5"},
        "level-gaps": {"child": CHILD},
        "level-trace": {"unit": "长沙市知识产权局"},
        "level-group": {"unit": GOLD["group"]},
        "level-tree": {"plan": PARENT},
        "level-steps": {},
    }
    for name, values in params.items():
        key = lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False)  # noqa: E731
        ours = sorted(map(key, plain_rows(run_stored(backend, name, values))))
        assert ours, name
        assert sorted(map(key, plain_rows(run_stored(remote, name, values)))) == ours, name
    gaps = follow_up_gaps(remote, "长沙")
    assert gaps == follow_up_gaps(backend, "长沙")
    assert len(gaps["targets"]) == len(GOLD["gaps"]["targets"])
    item = f"{PARENT}/item/1-5"
    assert carried_down(remote, item) == carried_down(backend, item)
    assert trace_up(remote, "长沙市知识产权局") == trace_up(backend, "长沙市知识产权局")
    assert group_breakdown(remote, GOLD["group"]) == group_breakdown(backend, GOLD["group"])
    assert decomposition_tree(remote, PARENT) == decomposition_tree(backend, PARENT)


def test_a_work_item_close_to_two_parent_items_is_ambiguous(tmp_path: Path) -> None:
    """科技服务平台 is as near 科技公共服务平台 as 科技金融服务平台 (both assigned to 长沙): linked to
    one, the other recorded as the runner-up, and reported."""
    near = _variant(
        tmp_path,
        "near-items.tsv",
        "9、科技公共服务平台\t建成开通长株潭科技公共服务平台长沙分平台。\t完善长沙分平台运行机制。"
        "\t拓展分平台服务范围。",
        "9、科技服务平台\t建设长沙科技服务平台。\t完善平台运行。\t提升服务水平。",
    )
    store = FenjieStore.in_memory()
    build_sources([bundled_example(), near], store=store)
    assert _kinds(store) == ["ambiguous_level_link"]
    rows = store.select(
        f"SELECT ?c ?p ?r WHERE {{ ?l <{FJ}childNode> ?c ; <{FJ}parentNode> ?p ; <{FJ}runnerUp> ?r }}"
    )
    assert [(_tail(r["c"].value), {_tail(r["p"].value), _tail(r["r"].value)}) for r in rows] == [
        ("3-1", {"3-1", "3-2"})
    ]


def test_build_summary_names_the_plan_link(store: FenjieStore) -> None:
    from fenjie.graph._levels import levels_summary

    assert levels_summary(store.inner, [CHILD]) == [
        "分解落实：《长沙市落实长株潭国家自主创新示范区建设目标任务分解方案（2017—2019年）》→"
        "《长株潭国家自主创新示范区建设目标任务分解表（2017—2019年）》（依据：通知所引标题；"
        f"承接工作 {sum(1 for v in GOLD['work_items'].values() if v['parent'])} 项，"
        f"承接目标 {len(GOLD['targets'])} 项） (implements)"
    ]
    assert levels_summary(store.inner, ["https://example.org/other"]) == []
