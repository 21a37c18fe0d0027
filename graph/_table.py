"""The table model every reader produces, and the header logic they share.

A reader (tab-separated text, Word, Excel, PDF …) turns its source into a *grid*: rows of cell texts,
each row with its position in the source. :func:`table_from_grid` then finds the header wherever it
repeats, maps header words to column kinds, checks every row's shape and returns a :class:`Table`.

>>> grid = [
...     GridRow(("附件",), line=1),
...     GridRow(("示例任务分解表",), line=2),
...     GridRow(("主要任务", "工作内容", "2020 年目标", "责任单位", "配合/ 参与单位"), line=3),
...     GridRow(("平台", "1、网站", "建成网站", "省科技厅", ""), line=4),
... ]
>>> table = table_from_grid(grid, name="demo.tsv")
>>> table.title, [c.kind.name for c in table.columns], table.columns[2].year
('示例任务分解表', ['CATEGORY', 'WORK_ITEM', 'TARGET', 'RESPONSIBLE', 'SUPPORTING'], 2020)
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fenjie.errors import HeaderError, InputError, RowShapeError
from fenjie.graph._deadline import plan_year

__all__ = [
    "Column",
    "ColumnKind",
    "GridRow",
    "Row",
    "Table",
    "classify_header",
    "normalize_header",
    "table_from_grid",
]


class ColumnKind(enum.Enum):
    """What a column holds; the value is the ontology's local name."""

    CATEGORY = "CategoryColumn"
    WORK_ITEM = "WorkItemColumn"
    BASELINE = "BaselineColumn"
    TARGET = "TargetColumn"
    LEAD = "LeadColumn"
    RESPONSIBLE = "ResponsibleColumn"
    SUPPORTING = "SupportingColumn"
    DEADLINE = "DeadlineColumn"
    NOTE = "NoteColumn"
    LEADER = "LeaderColumn"
    OTHER = "OtherColumn"


# Header words → kind, tried in order (so 牵头单位 is a lead column before 单位 matches anything).
_HEADER_PATTERNS: tuple[tuple[re.Pattern[str], ColumnKind], ...] = tuple(
    (re.compile(p), kind)
    for p, kind in (
        (r"^(\d{4})年?(?:度)?(?:预期|工作)?目标(?:任务)?$", ColumnKind.TARGET),
        # people answerable for an item are kept, never taken for units
        (
            r"^(?:责任|牵头|分管|包保|联系|协管)?(?:省|市|县|区)?级?领导$|^责任人$",
            ColumnKind.LEADER,
        ),
        (r"分工说明|备注", ColumnKind.NOTE),
        (r"牵头|主办|主责", ColumnKind.LEAD),
        (r"配合|参与|协办|协助|协同", ColumnKind.SUPPORTING),
        (r"责任", ColumnKind.RESPONSIBLE),
        (r"主要任务|任务类别|重点任务|任务分类|类别|领域|板块", ColumnKind.CATEGORY),
        (
            r"工作内容|工作任务|具体任务|任务内容|重点工作|工作事项|任务名称|具体工作|"
            r"工作措施|具体措施|主要措施|工作举措|具体举措|重点举措",
            ColumnKind.WORK_ITEM,
        ),
        # no year: the title's
        (r"^(?:主要|具体|年度|预期|工作|攻坚)?目标(?:任务)?$", ColumnKind.TARGET),
        (r"基础|现状", ColumnKind.BASELINE),
        (r"时限|完成时间|时间节点|进度", ColumnKind.DEADLINE),
    )
)
_SPACE = re.compile(r"\s+")


def normalize_header(text: str) -> str:
    """Header text without white space, with full-width slashes and brackets made ASCII.

    >>> normalize_header("配合/ 参与单位"), normalize_header("2017 年目标")
    ('配合/参与单位', '2017年目标')
    """
    return _SPACE.sub("", text).replace("／", "/").replace("（", "(").replace("）", ")")


def classify_header(text: str) -> tuple[ColumnKind, int | None]:
    """Map one header cell to its column kind and, for target columns, the year.

    >>> classify_header("2018 年目标")
    (<ColumnKind.TARGET: 'TargetColumn'>, 2018)
    >>> classify_header("配合/ 参与单位")[0], classify_header("牵头单位")[0]
    (<ColumnKind.SUPPORTING: 'SupportingColumn'>, <ColumnKind.LEAD: 'LeadColumn'>)
    """
    norm = normalize_header(text)
    for pattern, kind in _HEADER_PATTERNS:
        match = pattern.search(norm)
        if match:
            year = match.group(1) if kind is ColumnKind.TARGET and match.groups() else None
            return kind, int(year) if year else None
    return ColumnKind.OTHER, None


@dataclass(frozen=True)
class GridRow:
    """One row of a reader's grid; ``line`` (1-based) says where it stands in the source."""

    cells: tuple[str, ...]
    line: int
    location: str = ""  # reader's own terms, e.g. "page 2, table 1"


@dataclass(frozen=True)
class Column:
    index: int  # 1-based
    header: str  # as first written
    kind: ColumnKind
    year: int | None = None


@dataclass(frozen=True)
class Row:
    index: int  # 1-based among data rows
    line: int  # 1-based in the source
    cells: tuple[str, ...]
    location: str = ""


@dataclass
class Table:
    """A decomposition table as read: title, columns and data rows (headers removed)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[Row]
    preamble: tuple[str, ...] = ()
    reader: str = "tsv"
    encoding: str = "utf-8"
    sha256: str = ""
    header_lines: tuple[int, ...] = field(default=())

    def columns_of(self, kind: ColumnKind) -> list[Column]:
        return [c for c in self.columns if c.kind is kind]

    @property
    def years(self) -> list[int]:
        return [c.year for c in self.columns_of(ColumnKind.TARGET) if c.year is not None]


_HEADER_CELL_MAX = 20  # header cells are words, not sentences that happen to hold one


def _header_kinds(cells: Sequence[str]) -> set[ColumnKind]:
    return {
        classify_header(c)[0]
        for c in cells
        if c.strip() and len(normalize_header(c)) <= _HEADER_CELL_MAX
    } - {ColumnKind.OTHER}


def _is_header(cells: Sequence[str]) -> bool:
    """A header names a task column (工作内容 or 主要任务) and at least two other known columns,
    or, in a table of targets only, a target column and a unit column."""
    known = _header_kinds(cells)
    if known & {ColumnKind.WORK_ITEM, ColumnKind.CATEGORY}:
        return len(known) >= 3
    return ColumnKind.TARGET in known and bool(known & {ColumnKind.LEAD, ColumnKind.RESPONSIBLE})


_YEAR_CELL = re.compile(r"^(\d{4})\s*年?(?:度)?(?:目标)?$")


def _year_row(cells: Sequence[str]) -> dict[int, int] | None:
    """The second row of a two-level header (年度目标 above 2023 / 2024 / 2025): position → year."""
    years = {}
    for i, cell in enumerate(cells):
        text = normalize_header(cell)
        if not text:
            continue
        match = _YEAR_CELL.match(text)
        if match is None:
            return None
        years[i] = int(match.group(1))
    return years or None


def _merge_year_row(header: Sequence[str], years: dict[int, int]) -> tuple[str, ...] | None:
    """The header with each year under a target heading (or under the empty cells a heading
    merged sideways leaves) made one target column: "2023年目标"."""
    cells = list(header) + [""] * max(0, max(years) + 1 - len(header))
    for i, year in years.items():
        above = normalize_header(cells[i])
        heading = next((normalize_header(c) for c in reversed(cells[: i + 1]) if c.strip()), "")
        if above and classify_header(above)[0] is not ColumnKind.TARGET:
            return None
        if not above and classify_header(heading)[0] is not ColumnKind.TARGET:
            return None
        cells[i] = f"{year}年目标"
    return tuple(cells)


def _header_signature(cells: Sequence[str]) -> tuple[tuple[ColumnKind, int | None], ...]:
    return tuple(classify_header(c) for c in cells)


def table_from_grid(
    grid: Iterable[GridRow], *, name: str, reader: str = "tsv", encoding: str = "utf-8"
) -> Table:
    """Find the header, drop its repetitions, check row shapes and build a :class:`Table`.

    Raises :class:`~fenjie.errors.HeaderError` when no header is found or required columns are
    missing, and :class:`~fenjie.errors.RowShapeError` for a row with more or fewer cells than the
    header (empty trailing cells are forgiven).
    """
    preamble: list[str] = []
    columns: tuple[Column, ...] = ()
    signature: tuple[tuple[ColumnKind, int | None], ...] = ()
    rows: list[Row] = []
    header_lines: list[int] = []
    first_line = None
    after_header = False  # the row just after a repeated header may continue the row before
    year_row: dict[int, int] | None = None
    grid = [g for g in grid]
    for k, grid_row in enumerate(grid):
        cells = grid_row.cells
        if first_line is None:
            first_line = grid_row.line
        if not any(c.strip() for c in cells):
            continue
        if year_row is not None and _year_row(cells) == year_row:
            continue  # the second header row, repeated after a page break
        if _is_header(cells) or (not columns and _two_level(cells, grid, k)):
            following = next(
                (g.cells for g in grid[k + 1 :] if any(c.strip() for c in g.cells)), ()
            )
            years = _year_row(following)
            merged = _merge_year_row(cells, years) if years else None
            if merged is not None:
                cells, year_row = merged, years
            trimmed = _trim_trailing(cells)
            if not columns:
                columns = _columns_from(trimmed, name=name, line=grid_row.line)
                signature = _header_signature(trimmed)
            elif _header_signature(trimmed) != signature:
                raise HeaderError(
                    f"表头行与第一个表头（第 {header_lines[0]} 行）不同 "
                    f"(header row differs from the first header)：{' | '.join(trimmed)}",
                    file=name,
                    line=grid_row.line,
                    column=1,
                )
            else:
                after_header = True
            header_lines.append(grid_row.line)
            continue
        if not columns:
            preamble.extend(c.strip() for c in cells if c.strip())
            continue
        if after_header and rows and _continues(cells, columns):
            rows[-1] = _joined(rows[-1], cells)  # a row broken across a page boundary
            after_header = False
            continue
        after_header = False
        rows.append(_data_row(cells, len(columns), len(rows) + 1, grid_row, name))
    if first_line is None:
        raise InputError("来源文件是空的 (the source is empty)", file=name, line=1, column=1)
    if not columns:
        raise HeaderError(
            "找不到表头行：应有一行列出 工作内容/主要任务 和 责任单位/牵头单位 列 (no header row found)",
            file=name,
            line=first_line,
            column=1,
        )
    if not rows:
        raise InputError(
            "表有表头但没有数据行 (the table has a header but no data rows)",
            file=name,
            line=header_lines[-1],
        )
    title = next((p for p in reversed(preamble) if not re.fullmatch(r"附件\s*\d*[:：]?", p)), "")
    columns, rows = _complete(columns, rows, title)
    return Table(
        name=name,
        title=title,
        columns=columns,
        rows=rows,
        preamble=tuple(preamble),
        reader=reader,
        encoding=encoding,
        header_lines=tuple(header_lines),
    )


def _two_level(cells: Sequence[str], grid: Sequence[GridRow], k: int) -> bool:
    """Whether ``cells`` is the first row of a two-level header (年度目标 over years)."""
    following = next((g.cells for g in grid[k + 1 :] if any(c.strip() for c in g.cells)), ())
    years = _year_row(following)
    merged = _merge_year_row(cells, years) if years else None
    return merged is not None and _is_header(merged)


def _continues(cells: Sequence[str], columns: Sequence[Column]) -> bool:
    """A row whose task cells and first cell (序号) are empty continues the row above."""
    task = [c.index for c in columns if c.kind in (ColumnKind.WORK_ITEM, ColumnKind.CATEGORY)]
    return not cells[0].strip() and all(i > len(cells) or not cells[i - 1].strip() for i in task)


def _joined(row: Row, cells: Sequence[str]) -> Row:
    """The row with the text of its continuation appended cell by cell."""
    merged = []
    for i, text in enumerate(row.cells):
        more = cells[i].strip() if i < len(cells) else ""
        merged.append(_join_text(text, more) if more else text)
    return Row(row.index, row.line, tuple(merged), row.location)


def _join_text(a: str, b: str) -> str:
    """Two pieces of one cell: Chinese joins without a space, other words with one."""
    a = a.rstrip()
    if not a:
        return b
    cjk = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    return a + ("" if cjk.match(a[-1]) or cjk.match(b[0]) else " ") + b


def _complete(
    columns: tuple[Column, ...], rows: list[Row], title: str
) -> tuple[tuple[Column, ...], list[Row]]:
    """Target columns without a year take the plan's year (the title's); a table of targets
    only gets a work-item column repeating each row's target: each row is a target."""
    year = plan_year([c.year for c in columns if c.year is not None], title)
    columns = tuple(
        Column(c.index, c.header, c.kind, year)
        if c.kind is ColumnKind.TARGET and c.year is None and year is not None
        else Column(c.index, c.header, ColumnKind.OTHER)
        if c.kind is ColumnKind.TARGET and c.year is None
        else c
        for c in columns
    )
    if any(c.kind is ColumnKind.WORK_ITEM for c in columns):
        return columns, rows
    targets = [c.index for c in columns if c.kind is ColumnKind.TARGET]
    extra = Column(len(columns) + 1, "工作内容", ColumnKind.WORK_ITEM)
    rows = [
        Row(
            r.index,
            r.line,
            (*r.cells, next((r.cells[i - 1] for i in targets if r.cells[i - 1].strip()), "")),
            r.location,
        )
        for r in rows
    ]
    return (*columns, extra), rows


def _trim_trailing(cells: Sequence[str]) -> tuple[str, ...]:
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return tuple(cells[:end])


def _columns_from(cells: Sequence[str], *, name: str, line: int) -> tuple[Column, ...]:
    columns = []
    for i, text in enumerate(cells, start=1):
        kind, year = classify_header(text)
        columns.append(Column(i, _SPACE.sub(" ", text).strip(), kind, year))
    kinds = {c.kind for c in columns}
    if ColumnKind.WORK_ITEM not in kinds and ColumnKind.CATEGORY in kinds:
        # 重点任务 / 主要任务 alone names the work items, not their category
        last = max(c.index for c in columns if c.kind is ColumnKind.CATEGORY)
        columns = [
            Column(c.index, c.header, ColumnKind.WORK_ITEM) if c.index == last else c
            for c in columns
        ]
        kinds = {c.kind for c in columns}
    missing = []
    if ColumnKind.WORK_ITEM not in kinds and ColumnKind.TARGET not in kinds:
        missing.append("工作内容 (work item)")
    if not kinds & {ColumnKind.RESPONSIBLE, ColumnKind.LEAD}:
        missing.append("责任单位或牵头单位 (responsible units)")
    if missing:
        raise HeaderError(
            f"表头缺少列 (missing column(s) in the header)：{'；'.join(missing)}",
            file=name,
            line=line,
            column=len(cells) + 1,
        )
    years = [c.year for c in columns if c.year is not None]
    if len(years) != len(set(years)):
        dup = next(c for c in columns if c.year is not None and years.count(c.year) > 1)
        raise HeaderError(
            f"{dup.year} 年有两个目标列 (year {dup.year} has two target columns)",
            file=name,
            line=line,
            column=dup.index,
        )
    return tuple(columns)


def _data_row(cells: Sequence[str], width: int, index: int, grid_row: GridRow, name: str) -> Row:
    if len(cells) > width:
        extra = cells[width:]
        if any(c.strip() for c in extra):
            column = width + 1 + next(i for i, c in enumerate(extra) if c.strip())
            raise RowShapeError(
                f"该行有 {len(_trim_trailing(cells))} 个单元格，表头有 {width} 个 "
                f"(row has {len(_trim_trailing(cells))} cells, the header has {width})",
                file=name,
                line=grid_row.line,
                column=column,
            )
        cells = cells[:width]
    elif len(cells) < width:
        raise RowShapeError(
            f"该行有 {len(cells)} 个单元格，表头有 {width} 个 (row has {len(cells)} cells, the header has {width})",
            file=name,
            line=grid_row.line,
            column=len(cells) + 1,
        )
    return Row(index, grid_row.line, tuple(cells), grid_row.location)
