"""``fenjie diff``: compare two editions of a plan (work items, duties, targets, documents).

The command is thin: the comparison comes from :mod:`fenjie.queries.editions`, the HTML report from
:mod:`fenjie.viz`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fenjie._cli_common import echo, emit_json, format_option
from fenjie._cmd_query import backend_options

if TYPE_CHECKING:
    from fenjie.queries import QueryBackend

__all__ = ["COMMANDS"]


def _item(ref: dict[str, Any]) -> str:
    number = f"{ref['number']}、" if ref.get("number") else ""
    return f"{number}{ref['label']}"


def _print_table(answer: dict[str, Any]) -> None:
    from fenjie.queries._format import text_table
    from fenjie.viz._diff_report import CHANGE_ZH, role_zh

    items = answer["work_items"]
    click.echo(f"原版本：{answer['old'].get('title') or answer['old']['iri']}")
    click.echo(f"新版本：{answer['new'].get('title') or answer['new']['iri']}")
    click.echo(
        f"工作内容：新增 {len(items['added'])}，删除 {len(items['dropped'])}，"
        f"有变化 {len(items['changed'])}，未变化 {items['unchanged']}"
    )
    rows: list[list[Any]] = [["新增", "", _item(i), ""] for i in items["added"]]
    rows += [["删除", _item(i), "", ""] for i in items["dropped"]]
    rows += [
        [
            "变化",
            _item(c["old"]),
            _item(c["new"]),
            f"{c['score']:.1f} "
            + "、".join(dict.fromkeys(CHANGE_ZH[x["kind"]] for x in c["changes"])),
        ]
        for c in items["changed"]
    ]
    click.echo(text_table(["结果", "原工作内容", "现工作内容", "匹配分与变化"], rows))
    unit_rows = []
    for u in answer["units"]:
        for x in u["gained"]:
            unit_rows.append(
                [u["unit"]["label"], "新增", x["work_item"]["label"], role_zh(x["role"])]
            )
        for x in u["lost"]:
            unit_rows.append(
                [u["unit"]["label"], "不再承担", x["work_item"]["label"], role_zh(x["role"])]
            )
        for x in u["role_changed"]:
            unit_rows.append(
                [
                    u["unit"]["label"],
                    "角色变化",
                    x["work_item"]["label"],
                    f"{role_zh(x['old_role'])} → {role_zh(x['new_role'])}",
                ]
            )
        for r in u["renamed_from"]:
            unit_rows.append([u["unit"]["label"], "更名自", r["label"], ""])
    if unit_rows:
        click.echo("")
        click.echo(text_table(["单位", "变化", "工作内容或原名称", "角色"], unit_rows))
    if answer["indicators"]:
        click.echo("")
        direction = {"raised": "提高", "lowered": "降低"}
        click.echo(
            text_table(
                ["指标", "年份", "原目标", "现目标", "调整"],
                [
                    [
                        i["indicator"]["label"],
                        f"{i['old_year']}→{i['year']}" if "old_year" in i else i["year"],
                        f"{i['old']}{i['unit'] or ''}",
                        f"{i['new']}{i['unit'] or ''}",
                        direction[i["change"]],
                    ]
                    for i in answer["indicators"]
                ],
            )
        )
    documents = answer["documents"]
    if documents["added"] or documents["dropped"]:
        click.echo("")
        rows = [["新增引用", f"《{d['title'] or d['iri']}》"] for d in documents["added"]]
        rows += [["不再引用", f"《{d['title'] or d['iri']}》"] for d in documents["dropped"]]
        click.echo(text_table(["变化", "文件"], rows))


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 100),
    default=60.0,
    show_default=True,
    help="Lowest match score (0–100) at which two work items are the same item.",
)
@format_option("table", "json", "html")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file."
)
@click.option(
    "--record",
    is_flag=True,
    help="Also store the matches in the store (NEW prov:wasRevisionOf OLD, one match per work "
    "item), replacing an earlier record of the pair; `fenjie obligations` then says what is new.",
)
@backend_options
def diff(
    backend: QueryBackend,
    old: str,
    new: str,
    threshold: float,
    fmt: str,
    output: Path | None,
    record: bool,
) -> None:
    """Compare two editions of a plan (OLD, NEW: table names, file names or IRIs in the store)."""
    from fenjie.queries.editions import diff_editions

    if record:
        answer = _diff_and_record(backend, old, new, threshold)
    else:
        answer = diff_editions(backend, old, new, threshold=threshold)
    if fmt == "html" or (output is not None and output.suffix.lower() in (".html", ".htm")):
        from fenjie.viz import diff_report

        html = diff_report(answer)
        if output is None:
            click.echo(html, nl=False)
        else:
            output.write_text(html, encoding="utf-8")
            click.echo(f"已写入 {output}")
        return
    if fmt == "json":
        if output is not None:
            import json

            output.write_text(json.dumps(answer, ensure_ascii=False, indent=2), encoding="utf-8")
            click.echo(f"已写入 {output}")
        else:
            emit_json(answer)
        return
    _print_table(answer)


def _diff_and_record(backend: QueryBackend, old: str, new: str, threshold: float) -> dict[str, Any]:
    """Compare and record under the store's lock (a build switching versions meanwhile would
    drop the record), on the store opened for writing."""
    from fenjie.errors import ParameterError
    from fenjie.graph.store import FenjieStore, store_lock
    from fenjie.queries import LocalBackend
    from fenjie.queries.editions import diff_editions
    from fenjie.queries.revisions import record_revision

    if not isinstance(backend, LocalBackend) or backend.store.path is None:
        raise ParameterError(
            "--record 只写入本机磁盘上的存储（--store）；如需共享，请在本地构建并记录后用 "
            "fenjie push 上传",
            parameter="record",
        )
    path = backend.store.path
    backend.store.close()
    with store_lock(path):
        store = FenjieStore.open(path)
        try:
            answer = diff_editions(LocalBackend(store), old, new, threshold=threshold)
            recorded = record_revision(store, answer)
        finally:
            store.close()
    echo(
        f"已记录版本匹配：{recorded.matches} 项（有变化 {recorded.changed}），"
        f"新增工作内容 {recorded.added} 项"
        + ("，已替换此前的记录" if recorded.replaced else "")
        + f" → <{recorded.graph}>",
        err=True,
    )
    return answer


COMMANDS = [diff]
