"""Progress (督办) commands: report (read a progress table into the store) and progress (ask)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fenjie._cli_common import echo, emit_json, format_option, store_option
from fenjie._cmd_query import backend_options
from fenjie.config import DEFAULT_BASE, SETTINGS

if TYPE_CHECKING:
    from fenjie.queries import QueryBackend

__all__ = ["COMMANDS"]

_BASE = SETTINGS[1]


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"应为日期 YYYY-MM-DD (expected a date)，实为 {value!r}") from exc


@click.command()
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@store_option
@click.option(
    "--base", envvar=_BASE.envvar, default=DEFAULT_BASE, show_default=True, help=_BASE.help
)
@click.option("--as-of", "as_of", help="Date the reports speak for, when the table has none.")
@click.option("--unit", help="The reporting unit, when the table has no unit column.")
@click.option("--partial", is_flag=True, help="Store the rows that match even if others do not.")
@click.option("--dry-run", is_flag=True, help="Match and check the rows; store nothing.")
@format_option("table", "json")
def report(
    source: Path,
    store_path: str,
    base: str,
    as_of: str | None,
    unit: str | None,
    partial: bool,
    dry_run: bool,
    fmt: str,
) -> None:
    """Read the progress table SOURCE (Word, Excel, PDF, CSV) into progress reports.

    Rows are matched to work items and targets by number and text; rows that match nothing, match
    several tasks, name a unit not responsible, or an unknown status are listed with their place.
    Without --partial a single such row stores nothing (exit 65). Reports are only ever added.
    """
    import contextlib

    from fenjie.errors import InputError
    from fenjie.graph.store import MEMORY, FenjieStore, store_lock
    from fenjie.progress.ingest import reports_from_table
    from fenjie.progress.model import FileOrigin
    from fenjie.progress.record import add_reports
    from fenjie.progress.table import read_progress_table
    from fenjie.queries import LocalBackend
    from fenjie.queries._format import text_table

    table = read_progress_table(str(source))
    stored = None
    # the build lock: a build copying the store meanwhile would drop these reports on its switch
    lock = store_lock(Path(store_path)) if store_path != MEMORY else contextlib.nullcontext()
    with lock:
        store = FenjieStore.open(store_path)
        batch = reports_from_table(table, LocalBackend(store), as_of=_date(as_of), unit=unit)
        if not dry_run and (partial or not batch.problems) and batch.reports:
            stored = add_reports(store, batch.reports, base=base)
        store.close()
    if fmt == "json":
        emit_json(
            {
                "source": {"file": str(source), "sha256": table.sha256, "reader": table.reader},
                "reports": [
                    {
                        "iri": r.iri(base),
                        "about": r.about,
                        # reports read from a table come from a file
                        "row": r.origin.location if isinstance(r.origin, FileOrigin) else None,
                    }
                    for r in batch.reports
                ],
                "problems": [p.to_dict() for p in batch.problems],
                "added": stored.added if stored else [],
                "existing": stored.existing if stored else [],
            }
        )
    else:
        echo(f"{source}（{table.reader}）：{len(table.rows)} 行，匹配 {len(batch.reports)} 行")
        if batch.problems:
            echo(f"未能入库的行（{len(batch.problems)}）：", err=True)
            rows = [[p.location, p.message, "；".join(p.candidates)] for p in batch.problems]
            echo(text_table(["位置", "原因", "候选"], rows, limit=80), err=True)
        if stored is not None:
            echo(f"新增报告 {len(stored.added)} 份，已存在 {len(stored.existing)} 份")
        elif dry_run:
            echo("（试运行：未写入）")
    if batch.problems and not partial:
        raise InputError(
            f"{len(batch.problems)} 行未能匹配或校验，未写入任何报告；请修正，或用 --partial 写入其余各行 "
            f"({len(batch.problems)} row(s) could not be matched or checked; nothing was stored)",
            file=str(source),
        )


@click.command()
@click.option("--as-of", "as_of", help="Answer as of this date (default: today).")
@click.option("--year", type=int, help="Only targets of this year.")
@click.option("--unit", help="Only targets of this unit (any role; groups and predecessors too).")
@click.option("--status", help="Only targets with this status (已完成, 滞后, 未报送 …).")
@click.option("--overdue", is_flag=True, help="Only overdue targets.")
@click.option("--depends", help="Only targets that depend on this document (e.g. 意见).")
@click.option("--risk-days", default=30, show_default=True, help="At risk: due within N days.")
@format_option("table", "json", "csv")
@backend_options
def progress(
    backend: QueryBackend,
    as_of: str | None,
    year: int | None,
    unit: str | None,
    status: str | None,
    overdue: bool,
    depends: str | None,
    risk_days: int,
    fmt: str,
) -> None:
    """Progress of every target as of a date: status, due date, overdue, at risk; per unit rates."""
    from fenjie.progress.derive import progress as answer_progress
    from fenjie.queries._format import csv_text, path_text, text_table

    answer = answer_progress(
        backend,
        as_of=_date(as_of),
        year=year,
        unit=unit,
        status=status,
        overdue=overdue,
        depends=depends,
        risk_days=risk_days,
    )
    if fmt == "json":
        emit_json(answer)
        return
    headers = ["year", "work_item", "target", "units", "status", "due", "overdue", "at_risk"]
    rows = [
        [t["year"], t["work_item"]["label"], t["text"]]
        + ["、".join(u["label"] or u["iri"] for u in t["units"] if u["role"] != "supporting")]
        + [t["status"], t["due"], t["overdue"], t["at_risk"]]
        for t in answer["targets"]
    ]
    if fmt == "csv":
        echo(csv_text(headers, rows), nl=False, data=True)
        return
    s = answer["summary"]
    echo(
        f"截至 {answer['as_of']}：{s['targets']} 个目标，已完成 {s['completed']}，滞后 {s['late']}，"
        f"逾期 {s['overdue']}，有风险 {s['at_risk']}"
    )
    zh = ["年份", "工作内容", "目标", "责任单位", "状态", "到期", "逾期", "有风险"]

    def flag(v: object) -> object:
        return "是" if v is True else ("" if v is False else v)

    echo(text_table(zh, [[flag(v) for v in r] for r in rows], limit=40))
    echo("\n各单位完成情况（任何角色；牵头）：")
    unit_rows = [
        [u["unit"]["label"], u["targets"], u["completed"], u["late"], u["overdue"]]
        + [_pct(u["rate"]), u["lead"]["targets"], u["lead"]["completed"], _pct(u["lead"]["rate"])]
        for u in answer["units"]
    ]
    echo(
        text_table(
            [
                "单位",
                "目标",
                "已完成",
                "滞后",
                "逾期",
                "完成率",
                "牵头目标",
                "牵头完成",
                "牵头完成率",
            ],
            unit_rows,
        )
    )
    if answer["blocking"]:
        echo("\n被其他目标依赖的逾期目标：")
        for b in answer["blocking"]:
            echo(f"- {b['target']['year']} {b['target']['text']}（{b['status']}）")
            for d in b["dependents"][:10]:
                echo(f"    {path_text(d['path'])}")


def _pct(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.1f}%"


@click.group("account")
def account() -> None:
    """Report accounts for `fenjie serve --accounts FILE` (tokens are stored hashed)."""


@account.command("add")
@click.argument("name")
@click.option("--accounts", "path", required=True, type=click.Path(dir_okay=False))
@click.option("--unit", help="The unit this account reports for (any label).")
@click.option("--office", is_flag=True, help="The programme office: may report on every item.")
def account_add(name: str, path: str, unit: str | None, office: bool) -> None:
    """Add (or renew) the account NAME and print its token once."""
    from fenjie.progress.accounts import add_account

    if bool(unit) == office:
        raise click.UsageError(
            "--unit U 与 --office 须给出且只给出一个 (give exactly one of --unit U or --office)"
        )
    token = add_account(path, name, unit=unit, office=office)
    click.echo(token)
    click.echo(
        f"账户 {name} 已保存到 {path}；请保管好上面的令牌，文件中不保存它 "
        "(account saved; keep the token above, it is not stored)",
        err=True,
    )


@click.command()
@store_option
@click.option("--audit", "audit_path", help="The audit trail (default: STORE.audit.jsonl).")
@format_option("table", "json")
def audit(store_path: str, audit_path: str | None, fmt: str) -> None:
    """Print the audit trail of report writes: who, when, what, from where."""
    from fenjie.progress.audit import AuditTrail, default_audit_path
    from fenjie.queries._format import text_table

    entries = AuditTrail(audit_path or default_audit_path(store_path)).read()
    if fmt == "json":
        emit_json(entries)
        return
    columns = ["time", "account", "remote", "action", "status", "about", "report", "reason"]
    headers = ["时间", "账户", "来源地址", "操作", "HTTP 状态", "对象", "报告", "原因"]
    click.echo(text_table(headers, [[e.get(c) for c in columns] for e in entries], limit=50))
    click.echo(f"（共 {len(entries)} 条）")


@click.command()
@click.option("--as-of", "as_of", help="The date the notice speaks for (default: today).")
@click.option("--year", type=int, help="Only targets of this year.")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="通报.docx or .xlsx"
)
@backend_options
def notice(backend: QueryBackend, as_of: str | None, year: int | None, output: str) -> None:
    """Write the 督查通报 (.docx or .xlsx): summary, completion by lead unit, the overdue list."""
    from fenjie.progress.derive import progress as answer_progress
    from fenjie.progress.notice import write_notice
    from fenjie.queries import plain
    from fenjie.queries.registry import get_stored

    answer = answer_progress(backend, as_of=_date(as_of), year=year)
    titles = {plain(r.get("tableTitle")) for r in backend.select(get_stored("progress-plan").text)}
    titles.discard(None)
    plan_title = next(iter(titles)) if len(titles) == 1 else None
    written = write_notice(answer, output, plan_title=plan_title)
    s = answer["summary"]
    click.echo(f"{written}：{s['targets']} 个目标，已完成 {s['completed']}，逾期 {s['overdue']}")


COMMANDS = [report, progress, account, audit, notice]
