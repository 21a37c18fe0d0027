"""The three questions on a real Oxigraph store: obligations, coordination load, dependents."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from fenjie.cli import main
from fenjie.config import bundled_example
from fenjie.errors import AmbiguousNameError, NotFoundError, ParameterError
from fenjie.graph import FenjieStore, build_sources
from fenjie.queries import (
    LocalBackend,
    coordination_load,
    dependents,
    find_units,
    obligations,
    resolve_document,
    resolve_unit,
)

FJ = "https://w3id.org/fenjie/def#"

# A second, different table: other years, units, documents and headers.
OTHER_TABLE = """\
某市数字经济发展目标任务分解表（2021—2022年）

重点任务\t具体工作\t工作基础\t2021年目标\t2022年目标\t牵头单位\t责任单位\t协办单位
数字基础\t1、网络建设\t出台《数字经济发展规划》。\t1、制定《规划》实施方案；2、建成基站100个。\t建成基站200个。\t湖南银保监局\t湖南银保监局、省工信厅\t省质监局、长株潭三市政府
\t2、数据开放\t无\t推动数据共享。\t1、出台《数据开放办法》；2、完善平台。\t省工信厅\t省工信厅\t湖南银保监局
"""


@pytest.fixture(scope="module")
def two_tables(tmp_path_factory: pytest.TempPathFactory) -> LocalBackend:
    path = tmp_path_factory.mktemp("other") / "digital-economy-2021-2022.tsv"
    path.write_text(OTHER_TABLE, encoding="utf-8")
    store = FenjieStore.in_memory()
    build_sources([bundled_example(), path], store=store)
    return LocalBackend(store)


def _assignments(backend: LocalBackend, unit_iri: str) -> Counter[str]:
    """Roles of a unit counted straight from the edges, independently of the obligations query."""
    counts: Counter[str] = Counter()
    for prop, role in (
        ("leads", "lead"),
        ("responsibleFor", "responsible"),
        ("supports", "supporting"),
    ):
        rows = backend.store.select(
            f"SELECT ?u ?item WHERE {{ ?u <{FJ}{prop}> ?item }}", bindings={"u": _nn(unit_iri)}
        )
        counts[role] += len(rows)
    counts["responsible"] -= counts["lead"]
    return counts


def _nn(iri: str):  # noqa: ANN202
    from pyoxigraph import NamedNode

    return NamedNode(iri)


# -- obligations ---------------------------------------------------------------------------------


def test_obligations_of_science_department(backend: LocalBackend) -> None:
    answer = obligations(backend, "省科技厅")
    entries = answer["obligations"]
    assert len(entries) == 13
    assert Counter(e["role"] for e in entries) == {"lead": 8, "responsible": 1, "supporting": 4}
    assert answer["counts"] == dict(_assignments(backend, answer["unit"]["iri"]))
    assert answer["unit"]["label"] == "湖南省科学技术厅"
    assert len({(e["work_item"]["iri"], e["role"]) for e in entries}) == 13
    for entry in entries:
        assert entry["via"] == []
        assert entry["source"]["title"].startswith("长株潭国家自主创新示范区")
        assert entry["targets"], entry["work_item"]
        # the targets are exactly those of the work item in the graph
        rows = backend.store.select(
            f"SELECT ?item ?t WHERE {{ ?t a <{FJ}Target> ; <{FJ}workItem> ?item }}",
            bindings={"item": _nn(entry["work_item"]["iri"])},
        )
        assert {t["iri"] for t in entry["targets"]} == {r["t"].value for r in rows}
        years = [t["year"] for t in entry["targets"]]
        assert years == sorted(years) and set(years) <= {2017, 2018, 2019}


@pytest.mark.parametrize("name", ["省科技厅", "湖南省科学技术厅", "湖南省科技厅", " 省科学技术厅 "])
def test_any_label_names_the_same_unit(backend: LocalBackend, name: str) -> None:
    assert resolve_unit(backend, name)["iri"].endswith(
        "/unit/hunan-department-of-science-and-technology"
    )


def test_year_and_role_filters(backend: LocalBackend) -> None:
    full = obligations(backend, "省科技厅")
    in_2019 = obligations(backend, "省科技厅", year=2019)
    for entry in in_2019["obligations"]:
        assert {t["year"] for t in entry["targets"]} == {2019}
    expected = sum(1 for e in full["obligations"] if any(t["year"] == 2019 for t in e["targets"]))
    assert len(in_2019["obligations"]) == expected
    assert obligations(backend, "省科技厅", year=1990)["obligations"] == []
    leads = obligations(backend, "省科技厅", role="supporting")["obligations"]
    assert len(leads) == 4 and {e["role"] for e in leads} == {"supporting"}
    with pytest.raises(ParameterError):
        obligations(backend, "省科技厅", role="boss")


def test_group_members_inherit_with_via(backend: LocalBackend) -> None:
    group = obligations(backend, "长株潭三市政府")
    member = obligations(backend, "长沙市人民政府")
    assert group["obligations"]
    assert {(e["work_item"]["iri"], e["role"]) for e in member["obligations"]} == {
        (e["work_item"]["iri"], e["role"]) for e in group["obligations"]
    }
    for entry in member["obligations"]:
        assert [s["relation"] for s in entry["via"]] == ["member_of"]
        assert entry["via"][0]["unit"]["label"] == "长株潭三市政府"


def test_successor_inherits_from_predecessors(backend: LocalBackend) -> None:
    answer = obligations(backend, "省市场监督管理局")
    sources = {e["via"][0]["unit"]["label"] for e in answer["obligations"]}
    assert sources == {"湖南省工商行政管理局", "湖南省质量技术监督局"}
    for entry in answer["obligations"]:
        assert entry["via"][0]["relation"] == "successor_of"
        assert entry["via"][0]["event"]["iri"]
    predecessor = obligations(backend, "省工商局")
    assert {e["work_item"]["iri"] for e in predecessor["obligations"]} <= {
        e["work_item"]["iri"] for e in answer["obligations"]
    }


def test_chained_successors(backend: LocalBackend) -> None:
    answer = obligations(backend, "湖南金融监管局")
    assert answer["obligations"]
    chain = [s["unit"]["label"] for s in answer["obligations"][0]["via"]]
    assert chain == ["中国银行保险监督管理委员会湖南监管局", "中国银行业监督管理委员会湖南监管局"]


def test_unknown_partial_and_misspelled_units(backend: LocalBackend) -> None:
    # a part of exactly one unit's names answers, as the autocomplete shows it alone
    for part, full in (
        ("科技厅", "湖南省科学技术厅"),
        ("科技", "湖南省科学技术厅"),
        ("财政", "湖南省财政厅"),
    ):
        assert resolve_unit(backend, part)["label"] == full
    # a part of several units' names does not pick one: it lists them
    with pytest.raises(NotFoundError) as shared:
        resolve_unit(backend, "湖南")
    assert not isinstance(shared.value, AmbiguousNameError)
    assert {"湖南省财政厅", "湖南省商务厅"} <= set(shared.value.details["suggestions"])
    with pytest.raises(NotFoundError) as typo:
        resolve_unit(backend, "省科枝厅")
    assert "湖南省科学技术厅" in typo.value.details["suggestions"]
    with pytest.raises(NotFoundError) as unknown:
        resolve_unit(backend, "火星移民局")
    assert not isinstance(unknown.value, AmbiguousNameError)
    assert "suggestions" not in unknown.value.details


def test_find_units_ranks_exact_then_prefix_then_substring(backend: LocalBackend) -> None:
    found = find_units(backend, "省科技厅")
    assert found[0]["label"] == "湖南省科学技术厅" and "省科技厅" in found[0]["labels"]
    many = find_units(backend, "省", limit=5)
    assert len(many) == 5
    assert find_units(backend, "市人民政府", limit=50)
    assert all("市人民政府" in "".join(u["labels"]) for u in find_units(backend, "市人民政府"))


def test_ambiguous_unit_lists_candidates(backend: LocalBackend) -> None:
    store = FenjieStore.in_memory()
    build_sources([bundled_example()], store=store)
    from pyoxigraph import Literal, NamedNode, Quad

    skos = "http://www.w3.org/2004/02/skos/core#"
    other = NamedNode("https://w3id.org/fenjie/id/unit/another-science-office")
    store.inner.add(Quad(other, NamedNode(skos + "altLabel"), Literal("省科技厅", language="zh")))
    store.inner.add(
        Quad(
            other,
            NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            NamedNode(FJ + "Unit"),
        )
    )
    # both are used by a table (a name fitting a used and an unused unit means the used one)
    item = next(iter(store.inner.quads_for_pattern(None, NamedNode(FJ + "leads"), None))).object
    store.inner.add(Quad(other, NamedNode(FJ + "supports"), item))
    with pytest.raises(AmbiguousNameError) as err:
        resolve_unit(LocalBackend(store), "省科技厅")
    assert len(err.value.details["candidates"]) == 2


def test_questions_on_another_table(two_tables: LocalBackend) -> None:
    industry = obligations(two_tables, "省工业和信息化厅")
    roles = {(e["work_item"]["label"], e["role"]) for e in industry["obligations"]}
    assert ("数据开放", "lead") in roles and ("网络建设", "responsible") in roles
    years = {t["year"] for e in industry["obligations"] if not e["via"] for t in e["targets"]}
    assert years == {2021, 2022}
    # 省经信委's obligations reach its successor too, from the other table's period
    assert any(e["via"] for e in industry["obligations"])
    successor = obligations(two_tables, "湖南金融监管局")
    assert {e["source"]["title"] for e in successor["obligations"]} == {
        "长株潭国家自主创新示范区建设目标任务分解表（2017—2019年）",
        "某市数字经济发展目标任务分解表（2021—2022年）",
    }
    plan = dependents(two_tables, "数字经济发展规划")
    assert {t["kind"] for t in plan["targets"]} >= {"baseline"}
    assert {t["work_item"]["label"] for t in plan["targets"]} == {"网络建设"}


# -- coordination load ---------------------------------------------------------------------------


def test_load_ranks_science_department_first(backend: LocalBackend) -> None:
    answer = coordination_load(backend)
    first = answer["units"][0]
    assert first["unit"]["label"] == "湖南省科学技术厅"
    assert (first["lead"], first["responsible"], first["supporting"]) == (8, 1, 4)
    assert first["work_items"] == 13
    assert all(first["work_items"] >= u["work_items"] for u in answer["units"])
    betweenness = max(answer["units"], key=lambda u: u["betweenness"])
    assert betweenness["unit"]["label"] == "湖南省科学技术厅"
    shared = [p["shared"] for p in answer["pairs"]]
    assert shared == sorted(shared, reverse=True)
    top = answer["pairs"][0]
    assert {top["a"]["label"], top["b"]["label"]} == {"湖南省科学技术厅", "长株潭三市政府"}
    # the partners of a unit are the other units on its work items
    for unit in answer["units"][:3]:
        degree_pairs = [
            p
            for p in coordination_load(backend, pairs=None)["pairs"]
            if unit["unit"] in (p["a"], p["b"])
        ]
        assert unit["partners"] == len(degree_pairs)


def test_load_by_year_counts_only_that_year(backend: LocalBackend) -> None:
    answer = coordination_load(backend, year=2018)
    assert all(set(u["targets"]) <= {"2018"} for u in answer["units"])
    assert answer["units"][0]["unit"]["label"] == "湖南省科学技术厅"


# -- dependents ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["意见", "《意见》", "中共湖南省委、省人民政府关于建设长株潭国家自主创新示范区的若干意见"],
)
def test_document_names(backend: LocalBackend, name: str) -> None:
    doc = resolve_document(backend, name)
    assert doc["title"] == "中共湖南省委、省人民政府关于建设长株潭国家自主创新示范区的若干意见"


def test_dependents_explain_each_target(backend: LocalBackend) -> None:
    answer = dependents(backend, "意见")
    doc = answer["document"]["iri"]
    kinds = Counter(t["kind"] for t in answer["targets"])
    assert set(kinds) == {"based_on", "earlier_target", "baseline"}
    for target in answer["targets"]:
        path = target["path"]
        assert path[0]["iri"] == target["iri"] and path[-1]["iri"] == doc
        assert all(("edge" in step) == (i % 2 == 1) for i, step in enumerate(path))
        # every edge of the path is in the graph, in the stated direction
        for i in range(1, len(path), 2):
            left, edge, right = path[i - 1], path[i], path[i + 1]
            s, o = (right, left) if edge["inverse"] else (left, right)
            assert backend.store.ask(f"ASK {{ <{s['iri']}> <{edge['iri']}> <{o['iri']}> }}"), (
                s,
                edge,
                o,
            )
    based = [t for t in answer["targets"] if t["kind"] == "based_on"]
    assert [t["text"] for t in based] == ["制定出台《意见》实施细则"]
    assert [s.get("edge") for s in based[0]["path"][1::2]] == ["fj:produces", "fj:basedOn"]
    earlier = [t for t in answer["targets"] if t["kind"] == "earlier_target"]
    assert earlier and all(t["work_item"] == based[0]["work_item"] for t in earlier)
    assert all(t["year"] > based[0]["year"] for t in earlier)


def test_dependents_of_a_directly_cited_document(backend: LocalBackend) -> None:
    answer = dependents(backend, "长株潭国家自主创新示范区条例")
    direct = [t for t in answer["targets"] if t["kind"] == "direct"]
    assert {t["year"] for t in direct} == {2017, 2018}
    assert all(len(t["path"]) == 3 for t in direct)


def test_unknown_document(backend: LocalBackend) -> None:
    with pytest.raises(NotFoundError) as err:
        resolve_document(backend, "意")
    assert any("意见" in s for s in err.value.details["suggestions"])


# -- injection: user text is data ---------------------------------------------------------------

ATTACKS = [
    '" } ; DROP ALL ; #',
    '省科技厅" . ?s ?p ?o . #',
    "} UNION { ?unit a ?x } #",
    "省科技厅'\n}\nSELECT * WHERE { ?s ?p ?o }",
    "DELETE WHERE { ?s ?p ?o }",
    "<https://w3id.org/fenjie/id/unit/hunan-department-of-science-and-technology>",
    '\\" ) FILTER(true) #',
]


@pytest.mark.parametrize("text", ATTACKS)
def test_injection_is_text(backend: LocalBackend, text: str) -> None:
    before = len(backend.store)
    with pytest.raises(NotFoundError) as unit:
        obligations(backend, text)
    assert not isinstance(unit.value, AmbiguousNameError)
    with pytest.raises(NotFoundError):
        dependents(backend, text)
    assert find_units(backend, text) == []
    assert len(backend.store) == before


# -- commands ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "store"
    build_sources([bundled_example()], store_path=path)
    return path


def test_obligations_command(store_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["obligations", "省科技厅", "--store", str(store_path), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["obligations"]) == 13
    assert set(data["obligations"][0]) >= {
        "work_item",
        "category",
        "role",
        "via",
        "targets",
        "source",
    }
    table = runner.invoke(main, ["obligations", "省科技厅", "--store", str(store_path)])
    assert table.exit_code == 0 and "协同创新体系" in table.output
    csv_out = runner.invoke(
        main, ["obligations", "省科技厅", "--store", str(store_path), "--format", "csv"]
    )
    assert csv_out.output.splitlines()[0].startswith("unit,role,work_item")


def test_unknown_unit_command_exits_nonzero(store_path: Path) -> None:
    result = CliRunner().invoke(main, ["obligations", "省科枝厅", "--store", str(store_path)])
    assert result.exit_code == 1
    assert "您是否要找：湖南省科学技术厅" in result.output


def test_usage_errors_are_framed_like_fenjie_errors(store_path: Path) -> None:
    result = CliRunner().invoke(main, ["query", "--store", str(store_path)], prog_name="fenjie")
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0].startswith("用法：fenjie query ") and "fenjie query --help" in lines[1]
    assert lines[-1].startswith("错误：NAME、--sparql、--file 三者须给出且只给出一个 (give exactly")
    unknown = CliRunner().invoke(main, ["no-such-command"], prog_name="fenjie")
    assert unknown.exit_code == 2 and unknown.output.splitlines()[-1].startswith("错误：")
    assert "Error:" not in result.output + unknown.output


def test_unique_partial_unit_name_answers_in_the_command(store_path: Path) -> None:
    partial = CliRunner().invoke(main, ["obligations", "科技", "--store", str(store_path)])
    full = CliRunner().invoke(main, ["obligations", "省科技厅", "--store", str(store_path)])
    assert partial.exit_code == 0 and partial.output == full.output


def test_load_and_depends_commands(store_path: Path) -> None:
    runner = CliRunner()
    load = runner.invoke(main, ["load", "--store", str(store_path), "--format", "json"])
    assert json.loads(load.output)["units"][0]["unit"]["label"] == "湖南省科学技术厅"
    table = runner.invoke(main, ["load", "--store", str(store_path)])
    assert table.output.splitlines()[2].startswith("湖南省科学技术厅")
    dep = runner.invoke(main, ["depends", "意见", "--store", str(store_path)])
    assert dep.exit_code == 0 and "—依据→ 《意见》" in dep.output  # paths in words


def test_obligations_name_the_other_units_baseline_and_deadline(backend: LocalBackend) -> None:
    prefix = "PREFIX fj: <https://w3id.org/fenjie/def#> "
    leads: dict[str, set[str]] = {}
    for row in backend.select(prefix + "SELECT ?u ?i WHERE { ?u fj:leads ?i }"):
        leads.setdefault(row["i"].value, set()).add(row["u"].value)
    baselines = Counter(
        row["i"].value
        for row in backend.select(
            prefix + "SELECT ?b ?i WHERE { ?b a fj:BaselineItem ; fj:workItem ?i }"
        )
    )
    answer = obligations(backend, "省科技厅")
    me = answer["unit"]["iri"]
    for entry in answer["obligations"]:
        item = entry["work_item"]["iri"]
        named = {p["iri"] for p in entry["parties"]["lead"]}
        assert named == leads.get(item, set()) - {me}, entry["work_item"]["label"]
        assert len(entry["baseline"]) == baselines[item]
        everyone = [p["iri"] for role in entry["parties"].values() for p in role]
        assert me not in everyone
    supporting = {
        e["work_item"]["label"]: e for e in answer["obligations"] if e["role"] == "supporting"
    }
    talent = next(e for label, e in supporting.items() if "高层次人才" in label)
    assert [p["label"] for p in talent["parties"]["lead"]] == ["长株潭三市政府"]
    assert [p["label"] for p in talent["parties"]["supporting"]] == [
        "中共湖南省委组织部",
        "湖南省发展和改革委员会",
        "湖南省人力资源和社会保障厅",
    ]
    # a group's member is told who leads, and not that its own group shares the item
    member = obligations(backend, "长沙市人民政府")["obligations"][0]
    assert member["via"][0]["unit"]["label"] == "长株潭三市政府"
    assert "长株潭三市政府" not in [p["label"] for r in member["parties"].values() for p in r]


def test_obligations_carry_the_deadline_column(tmp_path: Path) -> None:
    table = tmp_path / "deadline.tsv"
    table.write_text(
        "测试方案\n\n工作任务\t牵头单位\t责任单位\t完成时限\n"
        "1、建设平台\t市发改委\t市财政局\t2023年6月底前\n"
        "2、完善机制\t市财政局\t市发改委\t长期坚持\n",
        encoding="utf-8",
    )
    store = FenjieStore.in_memory()
    build_sources([table], store=store)
    answer = obligations(LocalBackend(store), "市财政局")
    deadlines = {e["work_item"]["label"]: e["deadline"] for e in answer["obligations"]}
    assert deadlines == {"建设平台": "2023年6月底前", "完善机制": "长期坚持"}


REPEATED_BASELINE = """\
某市科技创新目标任务分解表（2021—2022年）

重点任务\t具体工作\t工作基础\t2021年目标\t2022年目标\t牵头单位\t责任单位\t协办单位
科技创新\t1、平台建设\t1、出台《平台建设方案》；2、成立工作专班；3、出台《平台建设方案》\t建成平台。\t完善平台。\t省科技厅\t省科技厅\t省工信厅
"""


class _RowsReversed:
    """A backend answering every SELECT with its rows in the opposite order."""

    def __init__(self, backend: LocalBackend) -> None:
        self.backend = backend

    def select(self, sparql: str, *, bindings: object = None) -> list[dict[str, object]]:
        return self.backend.select(sparql, bindings=bindings)[::-1]  # type: ignore[arg-type]


def test_a_baseline_text_written_twice_is_shown_once_at_its_first_place(tmp_path: Path) -> None:
    # the answer must not depend on the order a store returns rows in (stores differ, and so do
    # the plans of one store for two forms of a query)
    path = tmp_path / "science-platform-2021-2022.tsv"
    path.write_text(REPEATED_BASELINE, encoding="utf-8")
    store = FenjieStore.in_memory()
    build_sources([path], store=store)
    backend = LocalBackend(store)
    answer = obligations(backend, "省科技厅")
    [entry] = [e for e in answer["obligations"] if e["work_item"]["label"].endswith("平台建设")]
    assert entry["baseline"] == ["出台《平台建设方案》", "成立工作专班"]
    assert obligations(_RowsReversed(backend), "省科技厅") == answer  # type: ignore[arg-type]
