"""``fenjie levels``: questions across the levels (a city's plan implementing the province's).

The commands are thin: the answers come from :mod:`fenjie.queries.levels` (the same JSON as the
API's ``/api/levels/*``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fenjie._cli_common import emit_json, format_option
from fenjie._cmd_query import backend_options
from fenjie.roles import Role

if TYPE_CHECKING:
    from fenjie.queries import QueryBackend

__all__ = ["COMMANDS"]


def _role(value: str) -> str:
    return Role(value).zh


def _units(units: list[dict[str, Any]]) -> str:
    return "；".join(f"{u['unit']['label']}（{_role(u['role'])}）" for u in units)


@click.group("levels")
def levels() -> None:
    """上下级方案的分解落实：承接、断档、追溯、成员分解 (questions across the levels)."""


@levels.command("children")
@click.argument("item")
@click.option("--plan", help="The table ITEM is in (name, file or IRI), when labels repeat.")
@format_option("table", "json")
@backend_options
def children(backend: QueryBackend, item: str, plan: str | None, fmt: str) -> None:
    """下级方案中承接某项上级工作的工作与单位（逐级）. ITEM: a work item's IRI or label."""
    from fenjie.queries._format import text_table
    from fenjie.queries.levels import carried_down

    answer = carried_down(backend, item, plan=plan)
    if fmt == "json":
        emit_json(answer)
        return
    click.echo(f"上级工作：{answer['work_item']['label']}")
    rows: list[list[Any]] = []

    def walk(nodes: list[dict[str, Any]], depth: int) -> None:
        for node in nodes:
            rows.append(
                [
                    "　" * depth + node["work_item"]["label"],
                    node["plan"]["title"] or node["plan"]["iri"],
                    f"{node['score']:.1f}",
                    _units(node["units"]),
                ]
            )
            walk(node["children"], depth + 1)

    walk(answer["children"], 0)
    if not rows:
        click.echo("没有下级方案承接这项工作 (no child plan carries it down)")
        return
    click.echo(text_table(["承接工作", "方案", "匹配分", "单位（角色）"], rows))


@levels.command("gaps")
@click.argument("child")
@format_option("table", "json")
@backend_options
def gaps(backend: QueryBackend, child: str, fmt: str) -> None:
    """下级方案未承接的上级工作与目标（断档）. CHILD: the child plan (table name, file or IRI)."""
    from fenjie.queries._format import text_table
    from fenjie.queries.levels import follow_up_gaps

    answer = follow_up_gaps(backend, child)
    if fmt == "json":
        emit_json(answer)
        return
    click.echo(f"下级方案：{answer['child']['title'] or answer['child']['iri']}")
    if not answer["parents"]:
        click.echo("该方案未关联上级方案 (it implements no plan in the store)")
        return
    for parent in answer["parents"]:
        click.echo(f"上级方案：{parent['title'] or parent['iri']}")
    click.echo(
        f"未承接的工作 {len(answer['work_items'])} 项，未承接的目标 {len(answer['targets'])} 项"
    )
    if answer["work_items"]:
        click.echo(
            text_table(
                ["未承接的工作", "所属任务"],
                [[w["work_item"]["label"], w["category"] or ""] for w in answer["work_items"]],
            )
        )
    if answer["targets"]:
        click.echo(
            text_table(
                ["工作", "年份", "未承接的目标", "工作已承接"],
                [
                    [
                        t["work_item"]["label"],
                        t["year"],
                        t["text"],
                        "是" if t["work_item_followed"] else "否",
                    ]
                    for t in answer["targets"]
                ],
                limit=500,
            )
        )


@levels.command("trace")
@click.argument("unit")
@format_option("table", "json")
@backend_options
def trace(backend: QueryBackend, unit: str, fmt: str) -> None:
    """单位任务逐级追溯到上级工作、目标和文件. UNIT: any label or IRI of the unit."""
    from fenjie.queries._format import text_table
    from fenjie.queries.levels import trace_up

    answer = trace_up(backend, unit)
    if fmt == "json":
        emit_json(answer)
        return
    click.echo(f"单位：{answer['unit']['label']}")
    if not answer["obligations"]:
        click.echo("该单位的任务没有承接上级方案的工作 (none of its work items carries one down)")
        return
    rows: list[list[Any]] = []
    for o in answer["obligations"]:
        path = " → ".join(
            [o["work_item"]["label"]]
            + [
                f"{s['work_item']['label']}（{s['plan']['title'] or ''}，{s['score']:.0f}）"
                for s in o["path"]
            ]
        )
        targets = "；".join(
            f"{t['year']} {t['text']} → {t['path'][-1]['text']}" for t in o["targets"] if t["path"]
        )
        documents = "、".join(f"《{d['title'] or d['iri']}》" for d in o["documents"])
        rows.append([path, _role(o["role"]), targets, documents])
    click.echo(text_table(["工作路径（本级 → 上级）", "角色", "目标（本级 → 上级）", "文件"], rows))


@levels.command("group")
@click.argument("group")
@format_option("table", "json")
@backend_options
def group(backend: QueryBackend, group: str, fmt: str) -> None:
    """单位组（如长株潭三市政府）的任务在各成员方案中的分解. GROUP: the group's label or IRI."""
    from fenjie.queries._format import text_table
    from fenjie.queries.levels import group_breakdown

    answer = group_breakdown(backend, group)
    if fmt == "json":
        emit_json(answer)
        return
    click.echo(f"单位组：{answer['group']['label']}")
    rows: list[list[Any]] = []
    for item in answer["work_items"]:
        for member in item["members"]:
            if not member["plans"]:
                assigned = "（无落实方案）"
            elif not member["assigned"]:
                assigned = "（方案未承接：断档）"
            else:
                assigned = "；".join(
                    f"{a['work_item']['label']}：{_units(a['units'])}" for a in member["assigned"]
                )
            rows.append(
                [
                    item["work_item"]["label"],
                    _role(item["role"]),
                    member["member"]["label"],
                    assigned,
                ]
            )
    click.echo(text_table(["上级工作", "角色", "成员", "分解（工作：单位）"], rows, limit=500))


@levels.command("tree")
@click.argument("plan")
@format_option("html", "json", default="html")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file."
)
@backend_options
def tree(backend: QueryBackend, plan: str, fmt: str, output: Path | None) -> None:
    """分解树：上级方案 → 下级方案 → 单位，可折叠，按角色着色（HTML，离线）. PLAN: the plan at the
    top (table name, file or IRI)."""
    import json

    from fenjie.queries.levels import decomposition_tree
    from fenjie.viz import levels_tree_html

    answer = decomposition_tree(backend, plan)
    if fmt == "json":
        if output is None:
            emit_json(answer)
            return
        text = json.dumps(answer, ensure_ascii=False, indent=2)
    else:
        text = levels_tree_html(answer)
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}")


COMMANDS = [levels]
