"""Turn a progress table file into progress reports, and add them to the store.

Every row is matched to a work item or target (:mod:`fenjie.progress.match`), attributed to the
unit it names (which must be responsible for or support the work item, directly, through a group
or as a successor agency), dated (its date column, else ``as_of``, else a 截至… date in the title)
and checked (status spelling, percentage). A row that fails any of this becomes a
:class:`RowProblem` naming its place; nothing about it is guessed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

from fenjie.errors import FenjieError
from fenjie.graph._cells import split_units
from fenjie.graph._deadline import parse_deadline
from fenjie.progress.match import match_row
from fenjie.progress.model import Evidence, FileOrigin, ProgressReport
from fenjie.progress.plan import PlanIndex
from fenjie.progress.status import Status, parse_status, spellings, status_from_text
from fenjie.progress.table import ProgressColumn, ProgressRow, ProgressTable, read_progress_table
from fenjie.queries.backend import QueryBackend
from fenjie.queries.units import resolve_unit, unit_routes

__all__ = ["ReportBatch", "RowProblem", "parse_percent", "read_reports", "reports_from_table"]

_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class RowProblem:
    """A row that became no report, and why."""

    location: str
    line: int
    message: str
    candidates: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "location": self.location,
            "line": self.line,
            "message": self.message,
            "candidates": list(self.candidates),
        }


@dataclass
class ReportBatch:
    table: ProgressTable
    reports: list[ProgressReport] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def parse_percent(text: str) -> Decimal | None:
    """``60%``, ``60％``, ``60`` → 60; raises ``ValueError`` outside 0–100 or for non-numbers.

    >>> parse_percent("85%"), parse_percent(" 100 "), parse_percent("")
    (Decimal('85'), Decimal('100'), None)
    """
    text = text.strip().rstrip("%％").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"不是百分比 (not a percentage)：{text!r}") from exc
    if not 0 <= value <= 100:
        raise ValueError(
            f"百分比应在 0 到 100 之间，实为 {text} (a percentage lies between 0 and 100)"
        )
    return value


def read_reports(
    source: str | Path,
    backend: QueryBackend,
    *,
    as_of: date | None = None,
    unit: str | None = None,
    now: datetime | None = None,
) -> ReportBatch:
    """Read ``source`` (any format fenjie reads) into reports about the plans in ``backend``."""
    table = read_progress_table(str(source))
    return reports_from_table(table, backend, as_of=as_of, unit=unit, now=now)


def _title_date(table: ProgressTable) -> date | None:
    for line in (table.title, *table.preamble):
        if "截至" in line or "截止" in line or re.search(r"\d{4}\s*年", line):
            found = parse_deadline(line)
            if found:
                return found
    return None


def reports_from_table(
    table: ProgressTable,
    backend: QueryBackend,
    *,
    as_of: date | None = None,
    unit: str | None = None,
    now: datetime | None = None,
) -> ReportBatch:
    plan = PlanIndex.load(backend)
    batch = ReportBatch(table)
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    default_date = as_of or _title_date(table)
    units: dict[str, str | FenjieError] = {}
    routes: dict[str, set[str]] = {}

    def problem(row: ProgressRow, message: str, candidates: tuple[str, ...] = ()) -> None:
        batch.problems.append(RowProblem(row.location, row.line, message, candidates))

    for row in table.rows:
        text = row.get(ProgressColumn.PROGRESS)
        if not text:
            problem(row, "没有进展情况 (no progress text: 进展情况 is empty)")
            continue
        written_date = row.get(ProgressColumn.DATE)
        day = parse_deadline(written_date) if written_date else default_date
        if day is None:
            problem(
                row,
                f"没有日期：{written_date!r} 不是某一天 (no date: the date names no day)"
                if written_date
                else "没有日期：请加 截至日期 列、截至… 标题或用 --as-of 指定 (no date)",
            )
            continue
        found = match_row(
            plan,
            number_cell=row.get(ProgressColumn.NUMBER),
            category=row.get(ProgressColumn.CATEGORY),
            task=row.get(ProgressColumn.TASK),
            year=day.year,
        )
        if found.about is None:
            problem(row, found.problem or "未匹配 (not matched)", found.candidates)
            continue
        item = plan.items.get(found.about) or plan.tracked[found.about].item
        written_units = [u.name for u in split_units(row.get(ProgressColumn.UNIT))]
        name = written_units[0] if written_units else unit
        if not name:
            problem(row, "没有单位：请加 责任单位 列或用 --unit 指定 (no unit)")
            continue
        if name not in units:
            try:
                units[name] = resolve_unit(backend, name)["iri"]
            except FenjieError as exc:
                units[name] = exc
        who = units[name]
        if isinstance(who, FenjieError):
            problem(row, f"单位 {name!r}：{who.message}")
            continue
        if who not in routes:
            routes[who] = set(unit_routes(backend, who))
        if not routes[who] & set(item.units):
            problem(
                row,
                f"{name}对「{item.label}」既不负责也不配合 ({name} is not responsible for and does not support it)",
            )
            continue
        status_cell = row.get(ProgressColumn.STATUS)
        status: Status | None
        if status_cell:
            status = parse_status(status_cell)
            if status is None:
                known = "、".join(dict.fromkeys(spellings().values()))
                problem(
                    row,
                    f"未知状态 {status_cell!r}（可用状态：{known}） (unknown status {status_cell!r})",
                )
                continue
            status_written = status_cell
        else:
            status = status_from_text(text)
            status_written = None
        try:
            percent = parse_percent(row.get(ProgressColumn.PERCENT))
        except ValueError as exc:
            problem(row, str(exc))
            continue
        batch.reports.append(
            ProgressReport(
                about=found.about,
                unit=who,
                as_of=day,
                generated=now,
                status=status,
                status_written=status_written,
                text=text,
                percent=percent,
                problems=row.get(ProgressColumn.PROBLEMS) or None,
                next_steps=row.get(ProgressColumn.NEXT_STEPS) or None,
                evidence=_evidence(row.get(ProgressColumn.EVIDENCE), Path(table.name).parent),
                origin=FileOrigin(
                    file=Path(table.name).name,
                    sha256=table.sha256,
                    reader=table.reader,
                    location=row.location,
                    line=row.line,
                    matched_by=found.matched_by,
                    score=found.score,
                ),
            )
        )
    return batch


def _evidence(cell: str, folder: Path) -> tuple[Evidence, ...]:
    """Links and file names in an evidence cell; a file found next to the table is hashed."""
    found = []
    for part in re.split(r"[；;\n]+", cell):
        part = part.strip()
        if not part:
            continue
        if _URL.match(part):
            found.append(Evidence(url=part))
            continue
        path = folder / part
        digest = None
        if path.is_file() and path.resolve().parent == folder.resolve():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        found.append(Evidence(file_name=part, sha256=digest))
    return tuple(found)
