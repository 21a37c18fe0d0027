"""Progress tables as offices publish them: find the header, name the columns, read the rows.

Any reader fenjie has (Word, Excel, PDF, CSV, tab-separated text) gives the grid
(:func:`fenjie.graph.read.read_grid`); this module only knows what progress tables look like.
A header names the progress (进展情况 / 完成情况 / 工作进展 / 推进情况 / 落实情况) and the task
(its number 序号 and/or its text 工作任务 / 工作内容 / 目标任务 …). Optional columns: the unit,
status, percentage, problems (存在问题), next steps (下一步打算), date (截至日期) and evidence.
Headers repeated after page breaks are dropped; a category column is carried down blank cells.

>>> classify_progress_header("工作进展情况"), classify_progress_header("任务完成情况")
(<ProgressColumn.PROGRESS: 'progress'>, <ProgressColumn.PROGRESS: 'progress'>)
>>> classify_progress_header("完成状态"), classify_progress_header("下步工作打算")
(<ProgressColumn.STATUS: 'status'>, <ProgressColumn.NEXT_STEPS: 'next_steps'>)
>>> is_progress_header(["序号", "工作任务", "责任单位", "进展情况", "存在问题"])
True
>>> is_progress_header(["主要任务", "工作内容", "2018年目标", "责任单位"])
False
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from fenjie.errors import HeaderError, InputError
from fenjie.graph._table import GridRow, normalize_header
from fenjie.graph.read import SourceGrid, read_grid

__all__ = [
    "ProgressColumn",
    "ProgressRow",
    "ProgressTable",
    "classify_progress_header",
    "is_progress_header",
    "read_progress_table",
]


class ProgressColumn(enum.Enum):
    NUMBER = "number"
    CATEGORY = "category"
    TASK = "task"
    UNIT = "unit"
    PROGRESS = "progress"
    STATUS = "status"
    PERCENT = "percent"
    PROBLEMS = "problems"
    NEXT_STEPS = "next_steps"
    DATE = "date"
    EVIDENCE = "evidence"
    OTHER = "other"


# Tried in order: the more specific words first (任务完成情况 is progress, not a task; 完成状态 a
# status, not progress; 完成比例 a percentage).
_PATTERNS: tuple[tuple[re.Pattern[str], ProgressColumn], ...] = tuple(
    (re.compile(p), kind)
    for p, kind in (
        (r"^(序号|编号|任务编号|工作编号|项目编号|No\.?)$", ProgressColumn.NUMBER),
        (r"状态|是否完成|完成等级|评价|进度评定", ProgressColumn.STATUS),
        (r"比例|百分比|完成率|%|％", ProgressColumn.PERCENT),
        (r"存在.*问题|问题|困难", ProgressColumn.PROBLEMS),
        (r"下一?步|打算|工作计划", ProgressColumn.NEXT_STEPS),
        (r"佐证|证明材料|附件|材料", ProgressColumn.EVIDENCE),
        (r"进展|完成情况|推进情况|落实情况|进度情况|执行情况|工作成效", ProgressColumn.PROGRESS),
        (r"截至|日期|报送时间|填报时间|时间", ProgressColumn.DATE),
        (r"单位|部门", ProgressColumn.UNIT),
        (r"主要任务|任务类别|任务分类|类别|领域|板块", ProgressColumn.CATEGORY),
        (r"任务|工作内容|目标|事项|项目", ProgressColumn.TASK),
    )
)


def classify_progress_header(text: str) -> ProgressColumn:
    """The kind of one header cell of a progress table."""
    norm = normalize_header(text)
    if not norm:
        return ProgressColumn.OTHER
    for pattern, kind in _PATTERNS:
        if pattern.search(norm):
            return kind
    return ProgressColumn.OTHER


def is_progress_header(cells: Sequence[str]) -> bool:
    """A header names the progress and the task (by number or text), each once."""
    kinds = [classify_progress_header(c) for c in cells if c.strip()]
    return ProgressColumn.PROGRESS in kinds and bool(
        {ProgressColumn.TASK, ProgressColumn.NUMBER} & set(kinds)
    )


@dataclass(frozen=True)
class ProgressRow:
    """One data row: cell texts by column kind (first column of each kind), and its place."""

    line: int
    location: str
    cells: dict[ProgressColumn, str]

    def get(self, kind: ProgressColumn) -> str:
        return self.cells.get(kind, "").strip()


@dataclass(frozen=True)
class ProgressTable:
    name: str
    reader: str
    sha256: str
    title: str
    preamble: tuple[str, ...]
    columns: tuple[tuple[str, ProgressColumn], ...]
    rows: list[ProgressRow]

    def has(self, kind: ProgressColumn) -> bool:
        return any(k is kind for _, k in self.columns)


def read_progress_table(source: str) -> ProgressTable:
    """Read a progress table file (any format fenjie reads)."""
    grid = read_grid(source, is_header=is_progress_header)
    return progress_table_from_grid(grid)


def progress_table_from_grid(grid: SourceGrid) -> ProgressTable:
    columns: tuple[tuple[str, ProgressColumn], ...] = ()
    header_line = 0
    preamble: list[str] = []
    rows: list[ProgressRow] = []
    kinds: set[ProgressColumn] = set()
    category = ""
    for grid_row in grid.rows:
        cells = grid_row.cells
        if not any(c.strip() for c in cells):
            continue
        if is_progress_header(cells):
            if not columns:
                columns = _columns(cells, grid.name, grid_row)
                kinds = {kind for _, kind in columns}
                header_line = grid_row.line
            continue  # a header repeated after a page break
        if not columns:
            preamble.extend(c.strip() for c in cells if c.strip())
            continue
        by_kind: dict[ProgressColumn, str] = {}
        for (_, kind), text in zip(columns, cells, strict=False):
            if kind is not ProgressColumn.OTHER and kind not in by_kind:
                by_kind[kind] = text
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            raise InputError(
                f"该行有 {len(cells)} 个单元格，表头有 {len(columns)} 个 (row has {len(cells)} cells, the header has {len(columns)})",
                file=grid.name,
                line=grid_row.line,
                column=len(columns) + 1,
                location=grid_row.location or None,
            )
        if rows and _continues(by_kind, numbered=ProgressColumn.NUMBER in kinds):
            rows[-1] = _continued(rows[-1], by_kind)  # the row above, broken over a page
            continue
        if by_kind.get(ProgressColumn.CATEGORY, "").strip():
            category = by_kind[ProgressColumn.CATEGORY].strip()
        elif category:
            by_kind[ProgressColumn.CATEGORY] = category
        rows.append(
            ProgressRow(grid_row.line, grid_row.location or f"line {grid_row.line}", by_kind)
        )
    if not columns:
        raise HeaderError(
            "找不到表头行：应有一行列出进展（进展情况/完成情况/工作进展/推进情况）"
            "和任务（序号或工作任务/工作内容） (no header row found)",
            file=grid.name,
            line=grid.rows[0].line if grid.rows else 1,
            column=1,
        )
    if not rows:
        raise InputError(
            "表有表头但没有数据行 (the table has a header but no data rows)",
            file=grid.name,
            line=header_line,
        )
    title = next((p for p in reversed(preamble) if not re.fullmatch(r"附件\s*\d*[:：]?", p)), "")
    return ProgressTable(grid.name, grid.reader, grid.sha256, title, tuple(preamble), columns, rows)


def _continues(cells: dict[ProgressColumn, str], *, numbered: bool) -> bool:
    """A row that cannot stand alone: no number, task or category at all; or, in a numbered
    table, no number and no task or no progress (a row broken over a page break)."""
    has = {k for k, v in cells.items() if v.strip()}
    identity = {ProgressColumn.NUMBER, ProgressColumn.TASK, ProgressColumn.CATEGORY}
    if not has & identity:
        return True
    return (
        numbered
        and ProgressColumn.NUMBER not in has
        and not {ProgressColumn.TASK, ProgressColumn.PROGRESS} <= has
    )


def _continued(row: ProgressRow, more: dict[ProgressColumn, str]) -> ProgressRow:
    cells = dict(row.cells)
    for kind, text in more.items():
        if text.strip():
            cells[kind] = cells.get(kind, "").rstrip() + text.strip()
    return ProgressRow(row.line, row.location, cells)


def _columns(
    cells: Sequence[str], name: str, row: GridRow
) -> tuple[tuple[str, ProgressColumn], ...]:
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    columns = tuple((c.strip(), classify_progress_header(c)) for c in cells[:end])
    seen: dict[ProgressColumn, int] = {}
    for index, (_, kind) in enumerate(columns, start=1):
        if kind in (ProgressColumn.PROGRESS, ProgressColumn.STATUS, ProgressColumn.UNIT):
            if kind in seen:
                raise HeaderError(
                    f"有两个 {kind.value} 列（第 {seen[kind]} 与第 {index} 列），不知该用哪一个 (two {kind.value} columns)",
                    file=name,
                    line=row.line,
                    column=index,
                )
            seen[kind] = index
    return columns
