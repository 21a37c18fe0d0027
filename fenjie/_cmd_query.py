"""Query commands: queries, query, obligations, load, depends, push.

Every query command runs on the embedded store (``--store``) or, with ``--endpoint URL``, on a
remote SPARQL 1.1 endpoint. The commands are thin: the answers come from :mod:`fenjie.queries`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from fenjie._cli_common import echo, emit_json, format_option, store_option
from fenjie.roles import Role

if TYPE_CHECKING:
    from fenjie.catalogue import StoredQuery
    from fenjie.queries import QueryBackend

__all__ = ["COMMANDS"]


def backend_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--store`` plus ``--endpoint`` and its credentials; passes ``backend`` to the command."""

    @store_option
    @click.option(
        "--endpoint",
        envvar="FENJIE_ENDPOINT",
        help="Query this SPARQL 1.1 endpoint (e.g. http://host:7878/query) instead of the store.",
    )
    @click.option(
        "--user",
        envvar="FENJIE_USER",
        help="User name; answers the endpoint's challenge (HTTP Digest or Basic).",
    )
    @click.option("--password", envvar="FENJIE_PASSWORD", help="Password for --user.")
    @click.option("--token", envvar="FENJIE_TOKEN", help="Bearer token for the endpoint.")
    @click.option(
        "--server-default-graph",
        is_flag=True,
        help="Use the endpoint's own default graph instead of the union of its named graphs.",
    )
    @functools.wraps(func)
    def wrapper(
        store_path: str,
        endpoint: str | None,
        user: str | None,
        password: str | None,
        token: str | None,
        server_default_graph: bool,
        **kwargs: Any,
    ) -> Any:
        if endpoint:
            from fenjie.config import SETTINGS
            from fenjie.queries import RemoteBackend

            base = next(s for s in SETTINGS if s.name == "base")
            backend: QueryBackend = RemoteBackend(
                endpoint,
                user=user,
                password=password,
                token=token,
                union=not server_default_graph,
                base=os.environ.get(base.envvar) or base.default,
            )
        else:
            from fenjie.graph.store import FenjieStore
            from fenjie.queries import LocalBackend

            backend = LocalBackend(FenjieStore.open(store_path, read_only=True))
        return func(backend=backend, **kwargs)

    return wrapper


def _params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(
                f"应为 名称=值 (expected NAME=VALUE)，实为 {value!r}", param_hint="--param"
            )
        params[name.strip()] = text
    return params


@click.command("queries")
@format_option("table", "json")
def list_queries(fmt: str) -> None:
    """List the stored (named) queries and their parameters."""
    from fenjie.queries import stored_queries
    from fenjie.queries._format import text_table

    queries = stored_queries()
    if fmt == "json":
        emit_json([q.to_dict() for q in queries.values()])
        return
    rows = []
    for q in queries.values():
        params = ", ".join(
            f"{p.name}:{p.type}"
            + ("!" if p.required else "")
            + (f"={p.default}" if p.default else "")
            for p in q.parameters
        )
        rows.append([q.name, q.form, params, q.title])
    echo(text_table(["名称 (name)", "形式 (form)", "参数（! 为必填）", "标题 (title)"], rows))


@click.command("query")
@click.argument("name", required=False)
@click.option("--param", "-p", "param_values", multiple=True, metavar="NAME=VALUE")
@click.option("--sparql", help="Run this SPARQL query instead of a stored one.")
@click.option(
    "--file", "query_file", type=click.File(encoding="utf-8"), help="Run the query in this file."
)
@format_option("table", "json", "csv", "ttl", "nt", "jsonld")
@backend_options
def query(
    backend: QueryBackend,
    name: str | None,
    param_values: tuple[str, ...],
    sparql: str | None,
    query_file: Any,
    fmt: str,
) -> None:
    """Run the stored query NAME (see `fenjie queries`), or any query with --sparql / --file.

    Parameters are typed (unit and document names are resolved) and bound as RDF terms.
    """
    from fenjie.errors import ParameterError, QueryError, QuerySyntaxError
    from fenjie.queries.registry import get_stored, parse_stored_query

    chosen = [x for x in (name, sparql, query_file) if x]
    if len(chosen) != 1:
        raise click.UsageError(
            "NAME、--sparql、--file 三者须给出且只给出一个 (give exactly one of NAME, --sparql or --file)"
        )
    if name:
        stored = get_stored(name)
    else:
        from fenjie.server._guard import prepare

        text = sparql if sparql else query_file.read()
        # a query nested thousands deep crashes the engine's parser: refuse it before parsing
        stored = parse_stored_query(prepare(text), name="query")
    if param_values and not stored.parameters:
        raise ParameterError(f"查询 {stored.name} 不接受参数 (takes no parameters)")
    try:
        _run(backend, stored, _params(param_values), fmt)
    except QuerySyntaxError:
        if not name and _is_update(stored.text):
            raise QueryError(
                "这是 SPARQL 更新（INSERT、DELETE、LOAD …），fenjie query 只运行查询。"
                "更新数据请用 fenjie push 上传构建好的图，或把更新发送到服务的更新端点"
                "（fenjie serve --update-token TOKEN，POST /sparql）。"
                " (this is a SPARQL update: fenjie query runs queries only;"
                " use fenjie push, or the server's update endpoint)"
            ) from None
        raise


def _run(backend: QueryBackend, stored: StoredQuery, params: dict[str, str], fmt: str) -> None:
    from fenjie.queries.registry import bind_params

    bindings = bind_params(backend, stored, params)
    if stored.form in ("CONSTRUCT", "DESCRIBE"):
        _emit_graph(backend.construct(stored.text, bindings=bindings), fmt)
    elif stored.form == "ASK":
        answer = backend.ask(stored.text, bindings=bindings)
        emit_json({"boolean": answer}) if fmt == "json" else echo(str(answer).lower())
    else:
        _emit_rows(backend.select(stored.text, bindings=bindings), stored, fmt)


def _is_update(text: str) -> bool:
    """Whether ``text`` parses as a SPARQL update (parsed only, never run)."""
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:  # any parse failure: not an update either
        return False
    return True


def _emit_rows(rows: list[dict[str, Any]], stored: StoredQuery, fmt: str) -> None:
    from fenjie.queries import plain_rows
    from fenjie.queries._format import csv_text, text_table
    from fenjie.queries.registry import result_columns

    if fmt in ("ttl", "nt", "jsonld"):
        raise click.UsageError(
            f"--format {fmt} 只用于 CONSTRUCT/DESCRIBE 查询 (is for CONSTRUCT/DESCRIBE queries)"
        )
    columns = result_columns(stored, rows)
    values = plain_rows(rows)
    if fmt == "json":
        emit_json({"columns": columns, "rows": values})
    elif fmt == "csv":
        echo(csv_text(columns, [[r.get(c) for c in columns] for r in values]), nl=False, data=True)
    else:
        echo(text_table(columns, [[r.get(c) for c in columns] for r in values], limit=50))
        echo(f"（共 {len(values)} 行）")


def _emit_graph(triples: list[Any], fmt: str) -> None:
    from pyoxigraph import RdfFormat, serialize

    formats = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD}
    if fmt not in formats:
        fmt = "ttl"
    out = serialize(triples, format=formats[fmt]) or b""
    echo(out.decode("utf-8"), nl=False, data=True)


#: what a work item of a revised edition is against the previous edition (one term each)
EDITION_ZH = {"new": "新增", "changed": "有变化", "unchanged": "未变化"}


def _edition_text(edition: dict[str, Any] | None) -> str:
    """新增 / 有变化（表述调整、…）/ 未变化 for the terminal; empty outside revised editions."""
    if not edition:
        return ""
    from fenjie.viz._diff_report import CHANGE_ZH

    changes = "、".join(CHANGE_ZH.get(c, c) for c in edition["changes"])
    return EDITION_ZH[edition["status"]] + (f"（{changes}）" if changes else "")


@click.command()
@click.argument("unit")
@click.option("--year", type=int, help="Only targets of this year.")
@click.option("--role", type=click.Choice([r.value for r in Role]))
@click.option(
    "--edition",
    type=click.Choice(list(EDITION_ZH)),
    help="Only work items that are new, changed or unchanged in their edition "
    "(tables recorded as revisions with `fenjie diff --record`).",
)
@format_option("table", "json", "csv")
@backend_options
def obligations(
    backend: QueryBackend,
    unit: str,
    year: int | None,
    role: str | None,
    edition: str | None,
    fmt: str,
) -> None:
    """What UNIT must do: work items it leads, shares or supports, with targets per year.

    UNIT may be a full name, short form or variant; obligations of groups it belongs to and of
    predecessor agencies are included, each saying how (via). In a revised edition each work
    item says whether it is new, changed or unchanged against the previous edition.
    """
    from fenjie.queries import obligations as answer_obligations
    from fenjie.queries._format import csv_text, text_table

    answer = answer_obligations(backend, unit, year=year, role=role, edition=edition)
    if fmt == "json":
        emit_json(answer)
        return

    def via(e: dict[str, Any]) -> str:
        return " → ".join(s["unit"]["label"] or s["unit"]["iri"] for s in e["via"])

    def was(e: dict[str, Any]) -> list[Any]:
        edition = e["edition"] or {}
        return [edition.get("status"), (edition.get("previous_item") or {}).get("label")]

    if fmt == "csv":
        headers = ["unit", "role", "work_item", "category", "via", "year", "target", "table"]
        headers += ["edition", "previous_item"]
        rows = [
            [answer["unit"]["label"], e["role"], e["work_item"]["label"], e["category"], via(e)]
            + [t["year"], t["text"], e["source"]["title"], *was(e)]
            for e in answer["obligations"]
            for t in e["targets"] or [{"year": None, "text": None}]
        ]
        echo(csv_text(headers, rows), nl=False, data=True)
        return
    has_via = any(e["via"] for e in answer["obligations"])
    has_edition = any(e["edition"] for e in answer["obligations"])
    rows = []
    for e in answer["obligations"]:
        years = sorted({t["year"] for t in e["targets"]})
        targets = "\n".join(
            f"{y}年：" + "；".join(t["text"] for t in e["targets"] if t["year"] == y) for y in years
        )
        item = e["work_item"]["label"] + (f"\n（{e['category']}）" if e["category"] else "")
        rows.append(
            [Role(e["role"]).zh, item, *([via(e)] if has_via else [])]
            + ([_edition_text(e["edition"])] if has_edition else [])
            + [targets]
        )
    counts = answer["counts"]
    line = (
        f"{answer['unit']['label']}：{len(answer['obligations'])} 项"
        f"（{'，'.join(f'{r.zh} {counts[r.value]}' for r in Role)}）"
    )
    if has_edition:
        statuses = answer["edition_counts"]
        line += "；修订版中" + "，".join(f"{EDITION_ZH[s]} {n}" for s, n in statuses.items())
    echo(line)
    headers = ["角色", "工作内容（主要任务）", *(["经由"] if has_via else [])]
    headers += [*(["与上一版相比"] if has_edition else []), "目标"]
    echo(text_table(headers, rows, no_wrap=[0]))


@click.command()
@click.option("--year", type=int, help="Only work items with targets in this year.")
@click.option("--pairs", default=20, show_default=True, help="How many unit pairs to list.")
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of the table headers.",
)
@format_option("table", "json", "csv")
@backend_options
def load(backend: QueryBackend, year: int | None, pairs: int, lang: str, fmt: str) -> None:
    """Coordination load per unit (busiest first) and the pairs that share most work items."""
    from fenjie.queries import coordination_load
    from fenjie.queries._format import csv_text, text_table

    answer = coordination_load(backend, year=year, pairs=pairs)
    if fmt == "json":
        emit_json(answer)
        return
    headers = ["unit", "lead", "responsible", "supporting", "work_items", "targets"]
    headers += ["partners", "degree", "betweenness"]
    rows = [
        [u["unit"]["label"], u["lead"], u["responsible"], u["supporting"], u["work_items"]]
        + ["\n".join(f"{y}:{n}" for y, n in u["targets"].items()), u["partners"]]
        + [f"{u['degree']:.3f}", f"{u['betweenness']:.3f}"]
        for u in answer["units"]
    ]
    if fmt == "csv":
        echo(csv_text(headers, rows), nl=False, data=True)
        return
    zh = ["单位", *(r.zh for r in Role), "工作内容", "目标", "协同单位", "度中心性", "介数中心性"]
    # the numbers take the room of their values (their headers wrap), the names get the rest
    numbers = [1, 2, 3, 4, 5, 6, 7, 8]
    echo(text_table(zh if lang == "zh" else headers, rows, narrow=numbers))
    echo("\n共同承担工作内容最多的单位对：" if lang == "zh" else "\nPairs sharing most work items:")
    echo(
        text_table(
            ["单位甲", "单位乙", "共同工作内容"]
            if lang == "zh"
            else ["unit a", "unit b", "shared"],
            [[p["a"]["label"], p["b"]["label"], p["shared"]] for p in answer["pairs"]],
            narrow=[2],
        )
    )


@click.command()
@click.argument("document")
@format_option("table", "json")
@backend_options
def depends(backend: QueryBackend, document: str, fmt: str) -> None:
    """Targets that depend on DOCUMENT (《意见》, 意见 or the full title), each with its path."""
    from fenjie.queries import dependents
    from fenjie.queries._format import path_text, text_table

    answer = dependents(backend, document)
    if fmt == "json":
        emit_json(answer)
        return
    kind_zh = {
        "direct": "直接引用",
        "based_on": "依据文件",
        "work_item": "工作内容引用",
        "category": "主要任务引用",
        "earlier_target": "前期目标",
        "baseline": "前期基础",
        "plan": "所属方案贯彻落实",
    }
    shorts = _short_names(backend)
    title = shorts.get(answer["document"]["iri"]) or answer["document"]["title"]
    echo(f"《{title}》：{len(answer['targets'])} 个目标依赖此文件")
    if title != answer["document"]["title"]:
        echo(f"（全称：《{answer['document']['title']}》）")
    rows = [
        [t["year"], t["work_item"]["label"], t["text"], kind_zh[t["kind"]]]
        + [path_text(t["path"], short_names=shorts, skip_first=True)]
        for t in answer["targets"]
    ]
    echo(text_table(["年份", "工作内容", "目标", "依赖方式", "路径"], rows, limit=200, no_wrap=[0]))


def _short_names(backend: QueryBackend) -> dict[str, str]:
    """Document IRI → its shortest short name (简称), for paths that tell documents apart."""
    from fenjie.queries import plain_rows
    from fenjie.queries.registry import get_stored

    shorts: dict[str, str] = {}
    for row in plain_rows(backend.select(get_stored("documents").text)):
        short = row.get("alternative")
        if short and (row["document"] not in shorts or len(short) < len(shorts[row["document"]])):
            shorts[row["document"]] = short
    return shorts


@click.command()
@store_option
@click.option("--gsp", help="Graph Store Protocol endpoint (e.g. http://host:7878/store).")
@click.option(
    "--update", "update_url", help="SPARQL Update endpoint (e.g. http://host:7878/update)."
)
@click.option(
    "--user", envvar="FENJIE_USER", help="User name (answers a Digest or Basic challenge)."
)
@click.option("--password", envvar="FENJIE_PASSWORD", help="Password for --user.")
@click.option("--token", envvar="FENJIE_TOKEN", help="Bearer token.")
def push(
    store_path: str,
    gsp: str | None,
    update_url: str | None,
    user: str | None,
    password: str | None,
    token: str | None,
) -> None:
    """Upload every named graph of the store to a remote store, replacing graphs of the same name."""
    from fenjie.graph.store import FenjieStore
    from fenjie.queries import push_gsp, push_update

    if gsp and not update_url:
        url, push_to = gsp, push_gsp
    elif update_url and not gsp:
        url, push_to = update_url, push_update
    else:
        raise click.UsageError(
            "--gsp URL 与 --update URL 须给出且只给出一个 (give exactly one of --gsp URL or --update URL)"
        )
    store = FenjieStore.open(store_path, read_only=True)
    sent = push_to(store, url, user=user, password=password, token=token)
    for graph, count in sent.items():
        echo(f"已上传 {count} 个三元组到 <{graph}> (pushed)")
    echo(f"共 {len(sent)} 个图、{sum(sent.values())} 个三元组 → {url}")


COMMANDS = [list_queries, query, obligations, load, depends, push]
