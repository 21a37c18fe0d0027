"""Two editions of a plan compared: the bundled 2017—2019 table and a revised 2018—2020 edition.

The revised edition (tests/data/editions/, read here from an .xlsx made of it, so the two editions
come through different readers) was written by hand from the bundled table with these changes,
which are the gold facts below:

- 绩效考核体系 dropped; 科技创新大数据平台 added (省科技厅 leads, 省政务服务和大数据中心 shares,
  省财政厅 supports); the items after the dropped one renumbered, otherwise equal (unchanged);
- 营造创新创业环境 re-worded to 优化创新创业生态环境, its 2018 and 2019 targets raised and a
  document dropped from its baseline; 规划展示平台 moved from 平台建设 to 体系建设与组织协调;
  高层次人才聚集示范's 2019 target lowered (100 → 80 teams, 10 → 8 top teams);
- 科技成果(知识产权)交易平台: 省知识产权局 now leads, 省科技厅 shares; 省财政厅 now supports
  科技公共服务平台;
- units renamed by the 2018 reform: 省工商局 and 省质监局 → 省市场监督管理局, 省经信委 →
  省工业和信息化厅, 省国土资源厅 → 省自然资源厅, 湖南银监局 → 湖南银保监局; 省发改委 written
  省发展改革委 (the same unit).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fenjie.cli import main
from fenjie.config import bundled_example
from fenjie.errors import NotFoundError, ParameterError
from fenjie.graph import FenjieStore, build_sources
from fenjie.queries import LocalBackend
from fenjie.queries.editions import diff_editions
from fenjie.viz import diff_report

REVISED = (
    Path(__file__).parent
    / "data"
    / "editions"
    / "changzhutan-innovation-zone-2018-2020-revised.tsv"
)
OLD, NEW = "2017-2019", "2018-2020"


def _as_xlsx(tsv: Path, out: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "分解表"
    for line in tsv.read_text(encoding="utf-8").splitlines():
        sheet.append(line.split("\t") if line else [None])
    book.save(out)
    return out


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("editions")
    revised = _as_xlsx(REVISED, folder / "changzhutan-innovation-zone-2018-2020-revised.xlsx")
    path = folder / "store"
    build_sources([bundled_example(), revised], store_path=path)
    return path


@pytest.fixture(scope="module")
def answer(store_path: Path) -> dict[str, Any]:
    store = FenjieStore.open(store_path, read_only=True)
    return diff_editions(LocalBackend(store), OLD, NEW)


def _labels(refs: list[dict[str, Any]]) -> list[str]:
    return [r["label"] for r in refs]


def test_work_items_added_dropped_changed(answer: dict[str, Any]) -> None:
    items = answer["work_items"]
    assert _labels(items["added"]) == ["科技创新大数据平台"]
    assert _labels(items["dropped"]) == ["绩效考核体系"]
    changed = {
        (c["old"]["label"], c["new"]["label"]): sorted({x["kind"] for x in c["changes"]})
        for c in items["changed"]
    }
    assert changed == {
        ("营造创新创业环境", "优化创新创业生态环境"): ["baseline", "reworded", "targets"],
        ("规划展示平台", "规划展示平台"): ["moved"],
        ("高层次人才聚集示范", "高层次人才聚集示范"): ["targets"],
        ("科技公共服务平台", "科技公共服务平台"): ["units"],
        ("科技成果(知识产权)交易平台", "科技成果(知识产权)交易平台"): ["units"],
    }
    assert items["unchanged"] == 8
    assert len(items["matches"]) == 13


def test_details_of_changes(answer: dict[str, Any]) -> None:
    by_new = {c["new"]["label"]: c for c in answer["work_items"]["changed"]}
    moved = by_new["规划展示平台"]["changes"]
    assert moved == [{"kind": "moved", "old": "平台建设", "new": "体系建设与组织协调"}]
    targets = [x for x in by_new["高层次人才聚集示范"]["changes"] if x["kind"] == "targets"]
    assert targets == [
        {
            "kind": "targets",
            "year": 2019,
            "old": ["新引进100个以上高端创新团队（其中10个以上国际顶尖创新团队）"],
            "new": ["新引进80个以上高端创新团队（其中8个以上国际顶尖创新团队）"],
        }
    ]
    units = by_new["科技成果(知识产权)交易平台"]["changes"][0]["units"]
    assert {(u["unit"]["label"], u["old_role"], u["new_role"]) for u in units} == {
        ("湖南省知识产权局", "responsible", "lead"),
        ("湖南省科学技术厅", "lead", "responsible"),
    }


def test_renumbered_but_equal_items_are_unchanged(answer: dict[str, Any]) -> None:
    matches = {m["new"]["label"]: m for m in answer["work_items"]["matches"]}
    funds = matches["调整资金投入方式"]
    assert (funds["old"]["number"], funds["new"]["number"]) == ("4", "3")
    assert funds["changed"] is False
    # 省发改委 and 省发展改革委 are one unit; renamed units are no change of duty either
    for label in ("调整资金投入方式", "军民融合创新示范", "对外合作交流平台", "科技金融服务平台"):
        assert matches[label]["changed"] is False, label


def test_duties_per_unit(answer: dict[str, Any]) -> None:
    def summary(entry: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("gained", "lost"):
            if entry[key]:
                out[key] = sorted((x["work_item"]["label"], x["role"]) for x in entry[key])
        if entry["role_changed"]:
            out["role_changed"] = sorted(
                (x["work_item"]["label"], x["old_role"], x["new_role"])
                for x in entry["role_changed"]
            )
        if entry["renamed_from"]:
            out["renamed_from"] = sorted(r["label"] for r in entry["renamed_from"])
        return out

    units = {u["unit"]["label"]: summary(u) for u in answer["units"]}
    assert units == {
        "湖南省科学技术厅": {
            "gained": [("科技创新大数据平台", "lead")],
            "role_changed": [("科技成果(知识产权)交易平台", "lead", "responsible")],
        },
        "湖南省知识产权局": {
            "role_changed": [("科技成果(知识产权)交易平台", "responsible", "lead")]
        },
        "湖南省财政厅": {
            "gained": [("科技公共服务平台", "supporting"), ("科技创新大数据平台", "supporting")]
        },
        # not in the Hunan registry; resolved in the plan's province by the national vocabulary
        "湖南省政务服务和大数据中心": {"gained": [("科技创新大数据平台", "responsible")]},
        "省绩效办": {"lost": [("绩效考核体系", "lead")]},
        "长株潭国家自主创新示范区建设领导小组成员单位": {"lost": [("绩效考核体系", "supporting")]},
        "湖南省市场监督管理局": {"renamed_from": ["湖南省工商行政管理局", "湖南省质量技术监督局"]},
        "湖南省工业和信息化厅": {"renamed_from": ["湖南省经济和信息化委员会"]},
        "湖南省自然资源厅": {"renamed_from": ["湖南省国土资源厅"]},
        "中国银行保险监督管理委员会湖南监管局": {
            "renamed_from": ["中国银行业监督管理委员会湖南监管局"]
        },
    }


def test_quantitative_targets_raised_or_lowered(answer: dict[str, Any]) -> None:
    found = {
        (i["indicator"]["label"], i["year"], i["old"], i["new"], i["unit"], i["change"])
        for i in answer["indicators"]
    }
    assert found == {
        ("每万人发明专利拥有量", 2018, 18, 19, "件", "raised"),
        ("每万人发明专利拥有量", 2019, 20, 22, "件", "raised"),
        ("新建众创空间面积", 2019, 200, 250, "万平方米", "raised"),
        ("新引进高端创新团队", 2019, 100, 80, "个", "lowered"),
        ("国际顶尖创新团队", 2019, 10, 8, "个", "lowered"),
    }


def test_documents_newly_cited_or_no_longer(answer: dict[str, Any]) -> None:
    documents = answer["documents"]
    assert [d["title"] for d in documents["added"]] == [
        "关于深化科技体制改革加快创新型省份建设的实施意见"
    ]
    assert sorted(d["title"] for d in documents["dropped"]) == [
        "中共湖南省委、省人民政府关于建设长株潭国家自主创新示范区的若干意见实施细则",
        "湖南省大众创业万众创新行动计划（2015-2017年）",
    ]


def test_threshold_decides_what_is_the_same_item(store_path: Path) -> None:
    backend = LocalBackend(FenjieStore.open(store_path, read_only=True))
    strict = diff_editions(backend, OLD, NEW, threshold=80)
    assert "优化创新创业生态环境" in _labels(strict["work_items"]["added"])
    assert "营造创新创业环境" in _labels(strict["work_items"]["dropped"])
    assert strict["work_items"]["unchanged"] == 8
    same = diff_editions(backend, OLD, OLD)
    assert same["work_items"]["unchanged"] == 14
    assert not (same["units"] or same["indicators"] or same["work_items"]["changed"])


def test_tables_are_named_unambiguously(store_path: Path) -> None:
    backend = LocalBackend(FenjieStore.open(store_path, read_only=True))
    with pytest.raises(NotFoundError) as caught:
        diff_editions(backend, "长株潭", NEW)  # both titles hold it
    assert "several tables" in str(caught.value)
    with pytest.raises(NotFoundError):
        diff_editions(backend, "no such plan", NEW)


def test_edition_query_reads_one_table_item_by_item(store_path: Path) -> None:
    """The named query ``edition`` (each kind of fact read from the table's own work items) gives
    the facts of the asked table only, and all of them for a work item."""
    from fenjie.queries import plain_rows, run_stored

    backend = LocalBackend(FenjieStore.open(store_path, read_only=True))
    tables = {t.value.rsplit("/", 1)[-1]: t.value for t in backend.store.tables()}
    new = tables["changzhutan-innovation-zone-2018-2020-revised"]
    rows = plain_rows(run_stored(backend, "edition", {"table": new}))
    assert {r["item"].rsplit("/item/", 1)[0] for r in rows} == {new}
    assert sum(r["kind"] == "item" for r in rows) == 14
    added = new + "/item/3-5"  # 科技创新大数据平台, the added work item
    facts = [{k: v for k, v in r.items() if k not in ("table", "item")} for r in rows]
    by_text = lambda f: json.dumps(f, ensure_ascii=False, sort_keys=True)  # noqa: E731
    mine = [f for f, r in zip(facts, rows, strict=True) if r["item"] == added]
    assert sorted(mine, key=by_text) == sorted(
        [
            {
                "kind": "item",
                "label": "科技创新大数据平台",
                "number": 5,
                "order": 14,
                "category": "平台建设",
            },
            {"kind": "target", "year": 2018, "text": "制定科技创新大数据平台建设方案"},
            {"kind": "target", "year": 2019, "text": "建成科技创新大数据平台"},
            {"kind": "target", "year": 2020, "text": "平台数据覆盖全省科技项目"},
            {
                "kind": "baseline",
                "text": "出台《关于深化科技体制改革加快创新型省份建设的实施意见》，明确“建设科技大数据中心”",
            },
            {
                "kind": "document",
                "document": "https://w3id.org/fenjie/id/doc/guan-yu-shen-hua-ke-ji-ti-zhi-gai-ge-jia-kuai-5aa4ab",
                "title": "关于深化科技体制改革加快创新型省份建设的实施意见",
            },
            {
                "kind": "assignment",
                "unit": "https://w3id.org/fenjie/id/unit/hunan-department-of-science-and-technology",
                "unitLabel": "湖南省科学技术厅",
                "role": "lead",
            },
            {
                "kind": "assignment",
                "unit": "https://w3id.org/fenjie/id/unit/430000-hu-nan-sheng/hu-nan-sheng-zheng-wu-fu-wu-he-da-shu-ju-zhong-796677",
                "unitLabel": "湖南省政务服务和大数据中心",
                "role": "responsible",
            },
            {
                "kind": "assignment",
                "unit": "https://w3id.org/fenjie/id/unit/hunan-department-of-finance",
                "unitLabel": "湖南省财政厅",
                "role": "supporting",
            },
        ],
        key=by_text,
    )
    old = plain_rows(
        run_stored(backend, "edition", {"table": tables[f"changzhutan-innovation-zone-{OLD}"]})
    )
    assert not {r["item"] for r in old} & {r["item"] for r in rows}


def test_cli_json_table_and_html(store_path: Path, answer: dict[str, Any], tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["diff", OLD, NEW, "--store", str(store_path)]
    as_json = runner.invoke(main, [*base, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output) == json.loads(json.dumps(answer, ensure_ascii=False))
    table = runner.invoke(main, base)
    assert table.exit_code == 0, table.output
    assert "工作内容：新增 1，删除 1，有变化 5，未变化 8" in table.output
    assert "湖南省知识产权局" in table.output and "共同负责 → 牵头" in table.output
    report = tmp_path / "比对.html"
    written = runner.invoke(main, [*base, "-o", str(report)])
    assert written.exit_code == 0, written.output
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "分解表版本比对" in html
    assert "<script" not in html and "http" not in html.split("</style>")[0]


def test_api_diff_and_report(store_path: Path, answer: dict[str, Any], server_factory: Any) -> None:
    import httpx

    # generous limits: the test is about the answers, and a loaded machine starts slowly
    with server_factory(store_path, "--timeout", "120", startup=120) as base:
        got = httpx.get(base + "/api/diff", params={"old": OLD, "new": NEW}, timeout=60)
        assert got.status_code == 200
        assert got.json() == json.loads(json.dumps(answer, ensure_ascii=False))
        strict = httpx.get(
            base + "/api/diff", params={"old": OLD, "new": NEW, "threshold": 80}, timeout=60
        ).json()
        assert "优化创新创业生态环境" in _labels(strict["work_items"]["added"])
        report = httpx.get(base + "/reports/diff", params={"old": OLD, "new": NEW}, timeout=60)
        assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
        assert "分解表版本比对" in report.text and "优化创新创业生态环境" in report.text
        missing = httpx.get(base + "/api/diff", params={"old": "nope", "new": NEW}, timeout=60)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        bad = httpx.get(
            base + "/api/diff", params={"old": OLD, "new": NEW, "threshold": 200}, timeout=60
        )
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "parameter"
        paths = httpx.get(base + "/openapi.json", timeout=30).json()["paths"]
        assert {"/api/diff", "/reports/diff"} <= set(paths)


@pytest.mark.browser
def test_report_renders_offline_and_runs_no_markup(
    chromium: Any, xss_source: tuple[Path, str], tmp_path: Path
) -> None:
    """The report of a comparison with a poisoned edition, opened in Chromium with the network
    cut off: everything shows as text, nothing runs, nothing is fetched."""
    store = FenjieStore.in_memory()
    build_sources([bundled_example(), xss_source[0]], store=store)
    answer = diff_editions(LocalBackend(store), OLD, "xss")
    assert answer["work_items"]["changed"], "the poisoned edition differs"
    path = tmp_path / "report.html"
    path.write_text(diff_report(answer), encoding="utf-8")
    page = chromium.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.route("http*://**", lambda route: route.abort())
    page.goto(path.as_uri())
    assert page.evaluate("window.__xss") is None
    text = page.inner_text("body")
    assert xss_source[1] in text  # the unit's name as text
    assert "<script>window.__xss=2</script>" in text
    assert [u for u in requests if not u.startswith("file:")] == []
    page.close()


# -- matches recorded in the graph (fenjie diff --record) ---------------------------------------

# the gold matches: (new work item, old work item) → the kinds of change (none: unchanged)
GOLD_MATCHES = {
    ("协同创新体系", "协同创新体系"): [],
    ("政策支撑体系", "政策支撑体系"): [],
    ("调整资金投入方式", "调整资金投入方式"): [],
    ("优化创新创业生态环境", "营造创新创业环境"): ["reworded", "targets", "baseline"],
    ("规划展示平台", "规划展示平台"): ["moved"],
    ("高层次人才聚集示范", "高层次人才聚集示范"): ["targets"],
    ("军民融合创新示范", "军民融合创新示范"): [],
    ("科技成果转化及产业化示范", "科技成果转化及产业化示范"): [],
    ("创新型产业集群培育", "创新型产业集群培育"): [],
    ("科技公共服务平台", "科技公共服务平台"): ["units"],
    ("科技金融服务平台", "科技金融服务平台"): [],
    ("科技成果(知识产权)交易平台", "科技成果(知识产权)交易平台"): ["units"],
    ("对外合作交流平台", "对外合作交流平台"): [],
}
NEW_IN_REVISION = {"科技创新大数据平台"}

_STORED_MATCHES = """
PREFIX fj: <https://w3id.org/fenjie/def#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?newLabel ?oldLabel ?score ?kind ?change ?g WHERE {
  GRAPH ?g {
    ?new fj:revisionOf ?old ; prov:qualifiedRevision ?m .
    ?m prov:entity ?old ; fj:matchScore ?score ; fj:matchKind ?kind .
    OPTIONAL { ?m fj:changeKind ?change }
  }
  ?new rdfs:label ?newLabel . ?old rdfs:label ?oldLabel .
}"""


def _stored_matches(store: FenjieStore) -> dict[tuple[str, str], list[str]]:
    from fenjie.queries.revisions import CHANGE_KINDS

    kinds = {t.value: k for k, t in CHANGE_KINDS.items()}
    found: dict[tuple[str, str], list[str]] = {}
    for row in store.select(_STORED_MATCHES):
        key = (row["newLabel"].value, row["oldLabel"].value)
        changes = found.setdefault(key, [])
        assert float(row["score"].value) >= 60
        assert row["kind"].value.endswith("#Changed" if "change" in row else "#Unchanged")
        if "change" in row:
            changes.append(kinds[row["change"].value])
    return {k: sorted(v) for k, v in found.items()}


@pytest.fixture
def writable(store_path: Path, tmp_path: Path) -> Path:
    """A copy of the two-edition store that a test may write to."""
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(store_path.resolve(), copy)
    return copy


def test_record_stores_every_match_once_and_replaces_itself(writable: Path) -> None:
    from fenjie.queries.revisions import record_revision

    store = FenjieStore.open(writable)
    answer = diff_editions(LocalBackend(store), OLD, NEW)
    first = record_revision(store, answer)
    assert (first.matches, first.changed, first.added, first.replaced) == (13, 5, 1, False)
    assert _stored_matches(store) == {k: sorted(v) for k, v in GOLD_MATCHES.items()}
    # the tables, and the plans they are the text of, each the revision of the other
    revision = store.select(
        "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dct: <http://purl.org/dc/terms/> "
        "SELECT ?new ?old ?g WHERE { GRAPH ?g { ?new prov:wasRevisionOf ?old } "
        "OPTIONAL { ?new dct:title ?title } } ORDER BY ?title"
    )
    assert sorted((r["new"].value, r["old"].value, r["g"].value) for r in revision) == sorted(
        [
            (answer["new"]["iri"], answer["old"]["iri"], first.graph),
            (
                "https://w3id.org/fenjie/id/doc/zhang-zhu-tan-guo-jia-zi-zhu-chuang-xin-shi-fan-qu-13820d",
                "https://w3id.org/fenjie/id/doc/zhang-zhu-tan-guo-jia-zi-zhu-chuang-xin-shi-fan-qu-7749aa",
                first.graph,
            ),
        ]
    )
    size = len(store)
    # again, with a stricter threshold: the pair's record is replaced, not added to
    strict = diff_editions(LocalBackend(store), OLD, NEW, threshold=80)
    second = record_revision(store, strict)
    assert second.replaced and second.graph == first.graph
    matches = _stored_matches(store)
    assert ("优化创新创业生态环境", "营造创新创业环境") not in matches
    assert len(matches) == 12
    comparisons = store.select(
        "PREFIX fj: <https://w3id.org/fenjie/def#> SELECT ?c ?t WHERE "
        "{ ?c a fj:EditionComparison ; fj:threshold ?t }"
    )
    assert [float(r["t"].value) for r in comparisons] == [80.0]
    # the one match less: its 7 triples and its 3 change kinds
    assert len(store) == size - 10
    again = record_revision(store, strict)
    assert again.replaced and len(store) == size - 10
    # the pair the other way round, or a table with itself, is refused and nothing is written
    with pytest.raises(ParameterError, match="反向记录"):
        record_revision(store, diff_editions(LocalBackend(store), NEW, OLD))
    with pytest.raises(ParameterError, match="自身的修订版"):
        record_revision(store, diff_editions(LocalBackend(store), OLD, OLD))
    assert len(store) == size - 10


@pytest.mark.slow  # pyshacl is slow; what is recorded is checked term by term above
def test_recorded_graph_conforms_to_the_shapes(writable: Path) -> None:
    """The edition shapes of ontology/shapes.ttl hold on the recorded graph (with the types of
    the tables and work items it names; the other shapes are left out: they are slow on a whole
    store and tested elsewhere), and catch a record that lost its prov:wasRevisionOf."""
    import pyshacl
    from pyoxigraph import NamedNode
    from rdflib import Graph, Namespace, URIRef

    from fenjie.queries.revisions import record_revision
    from tests.ontology_files import parse_ttl

    store = FenjieStore.open(writable)
    recorded = record_revision(store, diff_editions(LocalBackend(store), OLD, NEW))
    data = Graph()
    for quad in store.inner.quads_for_pattern(None, None, None, NamedNode(recorded.graph)):
        data.add(tuple(_rdflib(t) for t in (quad.subject, quad.predicate, quad.object)))
    rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for quad in store.inner.quads_for_pattern(None, rdf_type, None, None):
        if isinstance(quad.subject, NamedNode):
            data.add(tuple(_rdflib(t) for t in (quad.subject, quad.predicate, quad.object)))
    assert len(data) > 200
    shapes = parse_ttl("shapes.ttl")
    sh, fjsh = (
        Namespace("http://www.w3.org/ns/shacl#"),
        Namespace("https://w3id.org/fenjie/def/shapes#"),
    )
    for shape in list(shapes.subjects(sh.targetClass, None)):
        if shape not in (fjsh.EditionComparisonShape, fjsh.EditionMatchShape):
            shapes.remove((shape, sh.targetClass, None))
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    assert conforms, text
    # a broken record is caught: the revised table no longer a revision of the previous one
    data.remove((None, URIRef("http://www.w3.org/ns/prov#wasRevisionOf"), None))
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    assert not conforms and "EditionComparisonShape" in text and recorded.graph in text


def _rdflib(term: Any) -> Any:
    from pyoxigraph import Literal, NamedNode
    from rdflib import Literal as RLiteral
    from rdflib import URIRef

    if isinstance(term, NamedNode):
        return URIRef(term.value)
    assert isinstance(term, Literal)
    datatype = None if term.language else URIRef(term.datatype.value)
    return RLiteral(term.value, lang=term.language, datatype=datatype)


def test_cli_record(writable: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["diff", OLD, NEW, "--store", str(writable), "--record"])
    assert done.exit_code == 0, done.output
    assert "已记录版本匹配：13 项（有变化 5），新增工作内容 1 项" in done.output
    with FenjieStore.open(writable, read_only=True) as store:
        assert _stored_matches(store) == {k: sorted(v) for k, v in GOLD_MATCHES.items()}
    again = runner.invoke(
        main, ["diff", OLD, NEW, "--store", str(writable), "--record", "--format", "json"]
    )
    assert again.exit_code == 0, again.output
    assert "已替换此前的记录" in again.output
    remote = runner.invoke(
        main, ["diff", OLD, NEW, "--endpoint", "http://127.0.0.1:9/sparql", "--record"]
    )
    assert remote.exit_code != 0 and "fenjie push" in remote.output


def _gold_edition(label: str) -> tuple[str, str | None, list[str]]:
    """(status, earlier work item, kinds of change) of a work item of the revised edition."""
    if label in NEW_IN_REVISION:
        return ("new", None, [])
    (old, changes), *rest = [(o, c) for (n, o), c in GOLD_MATCHES.items() if n == label]
    assert not rest
    return ("changed" if changes else "unchanged", old, sorted(changes))


def _editions(answer: dict[str, Any]) -> dict[str, tuple[str, str | None, list[str]]]:
    found = {}
    for entry in answer["obligations"]:
        edition = entry["edition"]
        if entry["source"]["iri"].endswith("2017-2019"):
            assert edition is None, entry["work_item"]  # the first edition revises nothing
            continue
        assert edition["previous"]["iri"].endswith("2017-2019")
        previous = edition["previous_item"]
        found[entry["work_item"]["label"]] = (
            edition["status"],
            previous["label"] if previous else None,
            sorted(edition["changes"]),
        )
    return found


def test_obligations_say_what_is_new_in_the_edition(writable: Path) -> None:
    from fenjie.queries import obligations
    from fenjie.queries.revisions import record_revision

    store = FenjieStore.open(writable)
    before = obligations(LocalBackend(store), "省科技厅")
    assert all(e["edition"] is None for e in before["obligations"])  # nothing recorded yet
    record_revision(store, diff_editions(LocalBackend(store), OLD, NEW))
    backend = LocalBackend(store)
    answer = obligations(backend, "省科技厅")
    found = _editions(answer)
    # 省科技厅 has a part in every work item of the revised edition
    assert found == {label: _gold_edition(label) for label, _ in GOLD_MATCHES} | {
        label: _gold_edition(label) for label in NEW_IN_REVISION
    }
    assert answer["edition_counts"] == {"new": 1, "changed": 5, "unchanged": 8}
    # 省财政厅's work items in the revised table (its rows there, read by hand)
    finance = _editions(obligations(backend, "省财政厅"))
    mine = ["调整资金投入方式", "规划展示平台", "科技公共服务平台", "科技金融服务平台"]
    assert finance == {label: _gold_edition(label) for label in [*mine, "科技创新大数据平台"]}
    assert finance["科技公共服务平台"] == ("changed", "科技公共服务平台", ["units"])
    new = obligations(backend, "省科技厅", edition="new")
    assert [e["work_item"]["label"] for e in new["obligations"]] == ["科技创新大数据平台"]
    assert new["edition_counts"] == {"new": 1, "changed": 0, "unchanged": 0}
    changed = obligations(backend, "省科技厅", edition="changed", role="lead")
    assert sorted(e["work_item"]["label"] for e in changed["obligations"]) == [
        "优化创新创业生态环境",
        "科技公共服务平台",
        "规划展示平台",
    ]
    with pytest.raises(ParameterError):
        obligations(backend, "省科技厅", edition="added")


def test_cli_obligations_new_in_edition(writable: Path) -> None:
    runner = CliRunner()
    assert (
        runner.invoke(main, ["diff", OLD, NEW, "--store", str(writable), "--record"]).exit_code == 0
    )
    table = runner.invoke(main, ["obligations", "省财政厅", "--store", str(writable)])
    assert table.exit_code == 0, table.output
    assert "与上一版相比" in table.output and "修订版中新增 1，有变化 2，未变化 2" in table.output
    assert "有变化（分工调整）" in table.output
    new = runner.invoke(
        main,
        [
            "obligations",
            "省科技厅",
            "--store",
            str(writable),
            "--edition",
            "new",
            "--format",
            "csv",
        ],
    )
    assert new.exit_code == 0, new.output
    rows = new.output.strip().splitlines()
    assert rows[0].endswith(",edition,previous_item")
    assert {r.split(",")[2] for r in rows[1:]} == {"科技创新大数据平台"}
    assert all(r.endswith(",new,") for r in rows[1:])


@pytest.fixture(scope="module")
def page_store(tmp_path_factory: pytest.TempPathFactory, xss_source: tuple[Path, str]) -> Path:
    """Both editions and the poisoned copy of the first, built into one store; the two editions
    recorded as revision and previous edition."""
    folder = tmp_path_factory.mktemp("editions-page")
    revised = _as_xlsx(REVISED, folder / "changzhutan-innovation-zone-2018-2020-revised.xlsx")
    path = folder / "store"
    build_sources([bundled_example(), revised, xss_source[0]], store_path=path)
    recorded = CliRunner().invoke(main, ["diff", OLD, NEW, "--store", str(path), "--record"])
    assert recorded.exit_code == 0, recorded.output
    return path


def test_page_compares_editions_and_marks_new_work_items(
    page_store: Path, server_factory: Any, chromium: Any, xss_source: tuple[Path, str]
) -> None:
    """The 比较版本 tab in headless Chromium: pick two tables, the diff as /api/diff says, the
    report link; the 单位任务 tab marks what is new in the revised edition; a poisoned edition's
    text shows as text, and nothing leaves the server."""
    from urllib.parse import parse_qs, urlsplit

    import httpx
    from playwright.sync_api import expect

    with server_factory(page_store, "--timeout", "120", startup=120) as base:
        tables = {
            r["file"]: r["table"]
            for r in httpx.get(base + "/api/queries/tables", timeout=60).json()["rows"]
        }
        old, new = (
            tables["changzhutan-innovation-zone-2017-2019.tsv"],
            tables["changzhutan-innovation-zone-2018-2020-revised.xlsx"],
        )
        context = chromium.new_context(locale="zh-CN")
        page = context.new_page()
        foreign: list[str] = []
        errors: list[str] = []
        page.on(
            "request",
            lambda r: (
                foreign.append(r.url) if not r.url.startswith((base, "data:", "blob:")) else None
            ),
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(base + "/#editions")
            page.wait_for_selector("#editions-old option", state="attached")
            assert page.locator("#editions-old option").count() == 3
            page.select_option("#editions-old", old)
            page.select_option("#editions-new", new)
            page.click("#editions-form button[type=submit]")
            page.wait_for_selector("#editions-items tbody tr")
            summary = page.locator("#editions-summary").inner_text()
            assert "工作内容：新增 1，删除 1，有变化 5，未变化 8" in summary
            answer = httpx.get(
                base + "/api/diff", params={"old": old, "new": new}, timeout=60
            ).json()
            shown = {
                (kind, before, after)
                for kind, before, after in (
                    row.split("\t")[:3]
                    for row in page.locator("#editions-items tbody tr").evaluate_all(
                        "rows => rows.map(r => [...r.cells].map(c => c.textContent).join('\\t'))"
                    )
                )
            }
            item = lambda ref: (f"{ref['number']}、" if ref.get("number") else "") + ref["label"]  # noqa: E731
            assert shown == (
                {("新增", "", item(i)) for i in answer["work_items"]["added"]}
                | {("删除", item(i), "") for i in answer["work_items"]["dropped"]}
                | {
                    ("有变化", item(c["old"]), item(c["new"]))
                    for c in answer["work_items"]["changed"]
                }
            )
            assert ("有变化", "5、营造创新创业环境", "4、优化创新创业生态环境") in shown
            units = page.locator("#editions-units").inner_text()
            assert "湖南省知识产权局" in units and "共同负责 → 牵头" in units
            assert "每万人发明专利拥有量" in page.locator("#editions-indicators").inner_text()
            # the report link names the same two tables; the report opens and says the same
            href = page.locator("#editions-report").get_attribute("href")
            assert href is not None and href.startswith("/reports/diff?")
            given = parse_qs(urlsplit(href).query)
            assert (given["old"], given["new"]) == ([old], [new])
            report = context.new_page()
            report.goto(base + href)
            assert "分解表版本比对" in report.inner_text("body")
            assert "优化创新创业生态环境" in report.inner_text("body")
            report.close()

            # the poisoned edition: its markup is text in the tab
            page.select_option("#editions-new", tables["xss.tsv"])
            page.click("#editions-form button[type=submit]")
            # (the page's policy forbids evaluated strings: wait with locators)
            page.locator("#editions-units", has_text=xss_source[1]).wait_for()
            assert xss_source[1] in page.locator("#editions-units").inner_text()
            assert "<script>window.__xss=2</script>" in page.locator("#editions-items").inner_text()
            assert page.evaluate("typeof window.__xss") == "undefined"

            # 单位任务: the revised edition's work items are marked; the filter keeps the new one
            page.click("button[data-tab=unit]")
            page.fill("#unit-input", "省科技厅")
            page.click("#unit-form button[type=submit]")
            page.wait_for_selector(".obligation")
            marks = {
                card.get_attribute("data-iri"): card.locator(".edition-badge").get_attribute(
                    "data-edition"
                )
                for card in page.locator(".obligation").all()
                if card.locator(".edition-badge").count()
            }
            expected = {
                o["work_item"]["iri"]: o["edition"]["status"]
                for o in httpx.get(
                    base + "/api/obligations", params={"unit": "省科技厅"}, timeout=60
                ).json()["obligations"]
                if o["edition"]
            }
            assert marks == expected and len(marks) == 14
            assert sorted(marks.values()).count("new") == 1
            assert (
                "修订版中新增 1，有变化 5，未变化 8" in page.locator("#unit-summary").inner_text()
            )
            page.select_option("#unit-edition", "new")
            page.click("#unit-form button[type=submit]")
            expect(page.locator(".obligation")).to_have_count(1)
            card = page.locator(".obligation")
            assert "科技创新大数据平台" in card.inner_text()
            assert card.locator(".edition-badge").inner_text() == "新增"
            assert errors == [] and foreign == []
        finally:
            context.close()
