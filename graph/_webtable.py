"""Read a table copied from a web page as text: one cell per line.

A plan published as an HTML table, saved or copied as text, loses its grid: every cell stands on
a line of its own, either ending in ``|`` or with blank lines between cells::

    2025年开发区重点工作及责任清单
    序号 |
    重点工作 |
    责任领导 |
    责任单位 |
    完成时限 |
    1 |
    坚持服务跟着项目走，优化工作机 制。 |
    叶林 |
    招商工作部、安商工作部 |
    全年 |

The header is a run of short cells naming known columns (:func:`~fenjie.graph._table.classify_header`);
its length is the table's width. A row starts at a cell holding only its number (序号); a line such
as ``一、…负责事项(共9项)`` between rows is a heading row spanning the table and becomes the
category of the rows below it. Layout spaces inside Chinese text (the page's line breaks) are dropped.

>>> text = "清单\\n序号 |\\n工作任务 |\\n责任单位 |\\n完成时限 |\\n1 |\\n建 园区 |\\n县工信局 |\\n全年 |"
>>> [g.cells for g in webtable_grid(text.splitlines())][1:]
[('序号', '工作任务', '责任单位', '完成时限'), ('1', '建园区', '县工信局', '全年')]
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from fenjie.errors import InputError
from fenjie.graph._limits import Limits
from fenjie.graph._reader import Source
from fenjie.graph._table import (
    ColumnKind,
    GridRow,
    Table,
    _is_header,
    classify_header,
    table_from_grid,
)

__all__ = [
    "READER",
    "WebtableReader",
    "find_webtable_header",
    "regroup_header",
    "webtable_grid",
]

_HEADER_CELL = re.compile(r"^[\u4e00-\u9fff/（）()]{2,10}$")
_NUMBER_HEADER = re.compile(r"^(?:序号|编号|序)$")
_ROW_NUMBER = re.compile(r"^\d{1,4}$")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|第[一二三四五六七八九十]+部分)")
_CJK_GAP = re.compile(
    r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])"
)


def _cells(lines: Sequence[str]) -> tuple[list[tuple[int, str]], bool]:
    """The cells with their first line (1-based), and whether cells end in ``|``."""
    piped = sum(1 for line in lines if line.rstrip().endswith("|")) >= 4
    cells: list[tuple[int, str]] = []
    pending: list[str] = []
    first = 0
    seen_pipe = False  # lines before the first cell ending in | are cells of their own
    for k, line in enumerate(lines, start=1):
        text = line.strip()
        seen_pipe = seen_pipe or text.endswith("|")
        if piped and seen_pipe:
            if not text and not pending:
                continue
            if not pending:
                first = k
            if text.endswith("|") and text.count("|") == 1:
                pending.append(text[:-1].strip())
                cells.append((first, " ".join(p for p in pending if p)))
                pending = []
            elif text:
                pending.append(text)
            continue
        if text:
            cells.append((k, text))
    if pending:
        cells.append((first, " ".join(pending)))
    return cells, piped


def find_webtable_header(lines: Sequence[str]) -> tuple[int, int] | None:
    """Where the header's cells start (index into the cells) and how many there are."""
    cells, _ = _cells(lines)
    k = 0
    while k < len(cells):
        run = 0
        while k + run < len(cells) and _HEADER_CELL.match(cells[k + run][1]):
            run += 1
        texts = [c for _, c in cells[k : k + run]]
        known = [i for i, c in enumerate(texts) if classify_header(c)[0] is not ColumnKind.OTHER]
        if known:
            # the header starts at its first known column, or at 序号 just before it
            lead = (
                known[0] - 1 if known[0] and _NUMBER_HEADER.match(texts[known[0] - 1]) else known[0]
            )
            if run - lead >= 3 and _is_header(texts[lead:]):
                return k + lead, run - lead
        k += max(run, 1)
    return None


# The words a column's name ends in (责任单位, 责任领导, 完成情况 …): a header cell broken over
# lines (``责任`` / ``领导``) leaves a fragment without one.
_HEAD_NOUN = re.compile(
    r"(?:单位|部门|领导|科室|股室|站所|处室|人|任务|内容|情况|时限|时间|目标|措施|举措|安排|工作|"
    r"事项|序号|编号|备注|说明|基础|进度|成效|类别|领域)$"
)
_MAX_FRAGMENTS = 24  # header runs longer than this are not re-grouped (a real header is shorter)


def _row_width(cells: Sequence[tuple[int, str]], start: int) -> int | None:
    """The width of the rows after the header, from where their numbers (1, 2, 3 …) stand: the
    gap between consecutive row numbers when every gap is the same, else ``None``."""
    numbers = [
        (k, int(text))
        for k, (_, text) in enumerate(cells[start:], start)
        if _ROW_NUMBER.match(text)
    ]
    due, positions = 1, []
    for k, n in numbers:
        if n == due:
            positions.append(k)
            due += 1
    gaps = {b - a for a, b in zip(positions, positions[1:], strict=False)}
    return gaps.pop() if len(positions) >= 2 and len(gaps) == 1 else None


def _fragment_score(group: Sequence[str]) -> int | None:
    """How much a run of header fragments looks like one column name; ``None`` when it cannot be
    one cell wrapped over lines (every line but the last is as long as the first, the last no
    longer)."""
    width = len(group[0])
    if any(len(f) != width for f in group[1:-1]) or len(group[-1]) > width:
        return None
    joined = "".join(group)
    known = classify_header(joined)[0] is not ColumnKind.OTHER or bool(_NUMBER_HEADER.match(joined))
    return 2 * known + bool(_HEAD_NOUN.search(joined))


def regroup_header(fragments: Sequence[str], width: int) -> list[str] | None:
    """Header cells broken over lines (``责任`` / ``领导``), joined back into ``width`` column
    names: the grouping that looks most like column names, or ``None`` when two groupings look
    equally good (the header is ambiguous) or none fits.

    >>> regroup_header(["序号", "工作", "责任", "单位", "完成", "时限"], 4)
    ['序号', '工作', '责任单位', '完成时限']
    """
    n = len(fragments)
    if not 0 < width < n <= _MAX_FRAGMENTS:
        return None
    # best[i][g]: (score, number of groupings reaching it, one grouping) for fragments[:i] in g
    # groups
    best: list[list[tuple[int, int, tuple[int, ...]] | None]] = [
        [None] * (width + 1) for _ in range(n + 1)
    ]
    best[0][0] = (0, 1, ())
    for i in range(1, n + 1):
        for g in range(1, min(i, width) + 1):
            for j in range(g - 1, i):
                before = best[j][g - 1]
                score = _fragment_score(fragments[j:i])
                if before is None or score is None:
                    continue
                total = before[0] + score
                here = best[i][g]
                if here is None or total > here[0]:
                    best[i][g] = (total, before[1], (*before[2], i))
                elif total == here[0]:
                    best[i][g] = (total, here[1] + before[1], here[2])
    found = best[n][width]
    if found is None or found[1] > 1:
        return None
    cuts = (0, *found[2])
    return ["".join(fragments[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", _CJK_GAP.sub("", text)).strip()


def webtable_grid(lines: Sequence[str]) -> list[GridRow]:
    """The grid of a web-page table written one cell per line; a category column is added in
    front when heading rows (一、…) divide the table."""
    found = find_webtable_header(lines)
    if found is None:
        raise InputError(
            "一格一行的表中找不到表头行 (no header row found in the one-cell-per-line table)",
            line=1,
            column=1,
        )
    cells, _ = _cells(lines)
    start, width = found
    header = [c for _, c in cells[start : start + width]]
    first_row = start + width
    rows_width = _row_width(cells, first_row)
    if rows_width is not None and rows_width < width:
        # the page broke header cells over lines (责任 / 领导): join them back, or say so
        regrouped = regroup_header(header, rows_width)
        if regrouped is None or not _is_header(regrouped):
            raise InputError(
                f"表头有 {width} 格，而每行有 {rows_width} 格：表头单元格可能被拆成了几行，"
                f"无法确定如何合并 (the header has {width} cells but the rows have {rows_width}: "
                f"header cells broken over lines cannot be joined back unambiguously: "
                f"{' | '.join(header)})",
                line=cells[start][0],
                column=1,
            )
        header, width = regrouped, rows_width
    numbered = classify_header(header[0])[0] is ColumnKind.OTHER  # 序号 first
    preamble = [GridRow((c,), line=k, location=f"line {k}") for k, c in cells[:start]]
    rows: list[tuple[str, int, int, list[str]]] = []  # (category, first line, last line, cells)
    category = ""
    k = first_row
    while k < len(cells):
        line, text = cells[k]
        if _HEADING.match(text) and not _ROW_NUMBER.match(text):
            category = re.sub(r"^[一二三四五六七八九十]{1,3}[、.．]\s*", "", text)
            k += 1
            continue
        if numbered and not _ROW_NUMBER.match(text):
            break  # the table has ended (a signature, a note below it)
        row = [c for _, c in cells[k : k + width]]
        if len(row) < width:
            raise InputError(
                f"表的最后一行有 {len(row)} 个单元格，表头有 {width} 个 "
                f"(the table's last row has {len(row)} cells, the header has {width})",
                line=line,
                column=len(row) + 1,
            )
        last = cells[k + width - 1][0]
        rows.append((category, line, last, [_tidy(c) for c in row]))
        k += width
    with_category = any(r[0] for r in rows)
    head = (("任务类别",) if with_category else ()) + tuple(header)
    grid = [*preamble, GridRow(head, line=cells[start][0], location=f"line {cells[start][0]}")]
    for category, first, last, row in rows:
        location = f"line {first}" if first == last else f"lines {first}–{last}"
        front = (category,) if with_category else ()
        grid.append(GridRow((*front, *row), line=first, location=location))
    return grid


class WebtableReader:
    name = "webtable"
    recognised_by = "text with one table cell per line (a web page's table copied as text)"
    provenance = "`line N`"

    def sniff(self, source: Source) -> bool:
        return source.text is not None and find_webtable_header(source.lines) is not None

    def read(self, source: Source, limits: Limits) -> Table:
        from fenjie.graph._tsv import check_lines, decode_source

        check_lines(source.data, limits, name=source.name)
        text, encoding = decode_source(source.data, name=source.name)
        lines = text.splitlines()
        for k, line in enumerate(lines, start=1):
            limits.check_cell(line, file=source.name, place=f"line {k}")
        try:
            grid = webtable_grid(lines)
        except InputError as error:
            raise InputError(
                error.message, file=source.name, line=error.line, column=error.column
            ) from None
        table = table_from_grid(grid, name=source.name, reader="webtable", encoding=encoding)
        table.sha256 = hashlib.sha256(source.data).hexdigest()
        return table


READER = WebtableReader()
