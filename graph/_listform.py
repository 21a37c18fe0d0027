"""Read list-form plans: numbered tasks with 牵头单位 / 责任单位 / 配合单位 / 完成时限 lines.

Many plans (重点工作任务分解) are written as lists instead of tables::

    一、推动产业转型升级
    1. 加快工业园区建设。完成园区道路、供水管网建设，新增规模以上工业企业10家。
    牵头单位：县工信局
    责任单位：县发改局、县财政局
    完成时限：2023年12月底前

This module turns such text into the same grid a table gives, with a synthesized header
(主要任务 / 工作内容 / {year}年目标 / 牵头单位 / 责任单位 / 配合单位 / 完成时限), so the builder treats
both alike. A task is a numbered line followed (on its own lines or in brackets at its end) by role
lines; its category is the nearest heading of a higher level above it ("一、", "（一）", …). The task's
first sentence is the work item and the rest, when the plan names one year, its target for that year.
Within one task, 牵头 leads and 责任 units are co-responsible; a task with 责任 units only follows
Hunan's rule (the first listed leads), as do units marked "（牵头）". Provenance is ``"lines a–b"``.

>>> lines = ["2023年重点工作", "一、产业", "1.建园区。新增企业10家。", "牵头单位：县工信局",
...          "责任单位：县发改局、县财政局", "完成时限：2023年6月底前"]
>>> table = listform_table([GridRow((t,), line=k) for k, t in enumerate(lines, 1)], name="p.txt")
>>> [c.header for c in table.columns]
['主要任务', '工作内容', '2023年目标', '牵头单位', '责任单位', '完成时限']
>>> table.rows[0].cells
('产业', '1、建园区', '新增企业10家', '县工信局', '县发改局、县财政局', '2023年6月底前')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fenjie.errors import HeaderError
from fenjie.graph._cells import split_units
from fenjie.graph._deadline import plan_year
from fenjie.graph._table import GridRow, Table, table_from_grid

__all__ = ["has_role_lines", "listform_table", "parse_plan"]

_CN = "一二三四五六七八九十"
# Heading/task markers by level: 第一部分 (0), 一、 (1), （一） (2), 1. / 1、 (3), （1） (4), ① (5).
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = tuple(
    (level, re.compile(p))
    for level, p in (
        (0, rf"^第[{_CN}]+(?:部分|章|篇)\s*"),
        (1, rf"^[{_CN}]{{1,3}}\s*[、.．]\s*"),
        (2, rf"^[（(]\s*[{_CN}]{{1,3}}\s*[）)]\s*"),
        (3, r"^(?P<n>\d{1,3})\s*(?:[、．]|\.(?!\d))\s*"),
        (4, r"^[（(]\s*(?P<n>\d{1,3})\s*[）)]\s*"),
        (5, r"^(?P<c>[①-⑳])\s*"),
    )
)
_ROLE_WORDS = {
    "lead": r"牵头单位|牵头部门|牵头责任单位|主办单位|牵头",
    "responsible": r"责任单位|责任部门|主责单位|承办单位",
    "supporting": r"配合单位|配合部门|协办单位|参与单位|协助单位|协同单位",
    "deadline": r"完成时限|完成时间|时间节点|时限要求|完成期限|时限",
    "ignored": r"责任领导|牵头领导|分管领导|县级领导|责任人|联系人",
}
_LABEL = re.compile(
    r"(?P<label>" + "|".join(f"(?P<{k}>{v})" for k, v in _ROLE_WORDS.items()) + r")\s*[:：]\s*"
)
_OPEN_ROLE = re.compile(r"[（(]\s*(?=(?:" + "|".join(_ROLE_WORDS.values()) + r")\s*[:：])")
_SEP_SPACE = re.compile(r"(?<=[\u4e00-\u9fff）)])\s+(?=[\u4e00-\u9fff])")
_TRAIL = "；;。，,、 \t\u3000）)"


def has_role_lines(lines: Iterable[str]) -> bool:
    """Whether text holds role lines (牵头单位：… / 责任单位：…), the mark of a list-form plan."""
    return any(
        (m := _LABEL.search(line)) and (m["lead"] or m["responsible"] or m["supporting"])
        for line in lines
    )


@dataclass
class _Task:
    category: str
    number: int | None
    text: str
    first: int  # source line of the task
    last: int
    where: tuple[str, str] = ("", "")  # locations of its first and last line
    roles: dict[str, list[str]] = field(default_factory=dict)


def _marker(text: str) -> tuple[int, re.Match[str]] | None:
    for level, pattern in _MARKERS:
        m = pattern.match(text)
        if m:
            return level, m
    return None


def _roles(text: str) -> tuple[str, dict[str, list[str]]]:
    """Split a line into its text before any role label and the role values found in it."""
    first = _LABEL.search(text)
    if first is None:
        return text, {}
    open_bracket = _OPEN_ROLE.search(text)
    head_end = (
        open_bracket.start()
        if open_bracket and open_bracket.start() < first.start()
        else first.start()
    )
    roles: dict[str, list[str]] = {}
    labels = list(_LABEL.finditer(text))
    for k, m in enumerate(labels):
        end = labels[k + 1].start() if k + 1 < len(labels) else len(text)
        value = _strip_value(text[m.end() : end])
        kind = next(n for n in _ROLE_WORDS if m[n])
        roles.setdefault(kind, []).append(value)
    return text[:head_end], roles


def _strip_value(value: str) -> str:
    """A role value without trailing separators, or a closing bracket that it does not open."""
    value = value.strip()
    while value and value[-1] in _TRAIL:
        opened = value.count("（") + value.count("(") - value.count("）") - value.count(")")
        if value[-1] in "）)" and opened >= 0:
            break
        value = value[:-1].rstrip()
    return value


_TITLE_WORDS = re.compile(r"(?:方案|分解表|分解|清单|计划|安排|要点|台账|任务表)$")


def _title(preamble: list[tuple[int, str, str]]) -> str:
    """The plan's title: a preamble line ending like a title (方案, 分解表 …), else the first
    line that is not "附件"."""
    lines = [t for _, t, _ in preamble if not re.fullmatch(r"附件\s*\d*[:：]?", t)]
    return next(
        (t for t in lines if _TITLE_WORDS.search(t) and len(t) <= 60), lines[0] if lines else ""
    )


def parse_plan(lines: Sequence[GridRow]) -> tuple[list[tuple[int, str, str]], list[_Task]]:
    """Preamble lines (before the first heading or task) and the tasks of a list-form plan."""
    preamble: list[tuple[int, str, str]] = []
    headings: list[tuple[int, str]] = []  # (level, text) of the open headings
    tasks: list[_Task] = []
    current: tuple[int, _Task] | None = None  # the numbered item roles would attach to
    started = False
    for row in lines:
        text = re.sub(r"\s+", " ", " ".join(row.cells)).strip()
        if not text:
            continue
        head, roles = _roles(text)
        head = head.strip()
        found = _marker(head) if head else None
        if found:
            started = True
            level, m = found
            body = head[m.end() :].strip()
            number = int(m["n"]) if "n" in m.groupdict() and m["n"] else None
            if number is None and "c" in m.groupdict() and m["c"]:
                number = ord(m["c"]) - ord("①") + 1
            if current and current[1].roles and current[1] not in tasks:
                tasks.append(current[1])
            if current and not current[1].roles:  # the item above had no roles: a heading
                headings = [h for h in headings if h[0] < current[0]] + [
                    (current[0], current[1].text)
                ]
            headings = [h for h in headings if h[0] < level]
            category = headings[-1][1] if headings else ""
            task = _Task(category, number, body, row.line, row.line, (row.location, row.location))
            current = (level, task)
        elif head and current is not None and not roles and not current[1].roles:
            current[1].text += head  # the task's text goes on
            current[1].last = row.line
            current[1].where = (current[1].where[0], row.location)
        elif head and not started:
            preamble.append((row.line, head, row.location))
        if roles and current is not None:
            for kind, values in roles.items():
                current[1].roles.setdefault(kind, []).extend(values)
            current[1].last = row.line
            current[1].where = (current[1].where[0], row.location)
    if current and current[1].roles and current[1] not in tasks:
        tasks.append(current[1])
    return preamble, tasks


def _heading_label(text: str) -> str:
    return re.split(r"[。；;]", text, maxsplit=1)[0].strip().rstrip(_TRAIL)


def _split_task(text: str) -> tuple[str, str]:
    """The work item (first sentence or the words before a colon) and the rest."""
    m = re.match(r"^(?P<head>[^。：:；;]{2,60})[。：:；;]\s*(?P<rest>.+)$", text)
    if m and m["rest"].strip().rstrip(_TRAIL):
        return m["head"].strip(), m["rest"].strip().rstrip("。").strip()
    return text.strip().rstrip("。").strip(), ""


def _units(values: list[str]) -> list[str]:
    return [u.written for v in values for u in split_units(_SEP_SPACE.sub("、", v))]


def listform_table(
    lines: Sequence[GridRow], *, name: str, reader: str = "listform", encoding: str = "utf-8"
) -> Table:
    """Read a list-form plan (lines with their provenance) into a :class:`Table`."""
    preamble, tasks = parse_plan(lines)
    if not tasks:
        raise HeaderError(
            "no numbered task followed by 牵头单位/责任单位 lines was found", file=name, line=1
        )
    title = _title(preamble)
    year = plan_year([], title)
    split = [_split_task(t.text) for t in tasks]
    with_target = year is not None and any(rest for _, rest in split)
    columns = [("category", "主要任务"), ("work", "工作内容")]
    if with_target:
        columns.append(("target", f"{year}年目标"))
    columns += [("lead", "牵头单位"), ("responsible", "责任单位")]
    rows = [
        _row(task, parts, with_target=with_target) for task, parts in zip(tasks, split, strict=True)
    ]
    columns += [
        (k, h)
        for k, h in (("supporting", "配合单位"), ("deadline", "完成时限"))
        if any(r[k] for r in rows)
    ]
    grid = [GridRow((text,), line=line, location=where) for line, text, where in preamble]
    header = tuple(h for _, h in columns)
    grid.append(GridRow(header, line=tasks[0].first, location="synthesized header"))
    for task, r in zip(tasks, rows, strict=True):
        where = _span(*task.where) if task.where[0] else f"line {task.first}"
        grid.append(GridRow(tuple(r[k] for k, _ in columns), line=task.first, location=where))
    table = table_from_grid(grid, name=name, reader=reader, encoding=encoding)
    table.title = title or table.title
    return table


def _row(task: _Task, parts: tuple[str, str], *, with_target: bool) -> dict[str, str]:
    work, rest = parts if with_target else (task.text.strip().rstrip("。").strip(), "")
    lead = _units(task.roles.get("lead", []))
    responsible = _units(task.roles.get("responsible", []))
    marked = [u for u in responsible if _MARKED_LEAD.search(u)]
    lead += [_MARKED_LEAD.sub("", u) for u in marked]
    responsible = [u for u in responsible if u not in marked]
    if not lead and responsible:  # Hunan's rule: the first listed leads
        lead, responsible = responsible[:1], responsible[1:]
    return {
        "category": _heading_label(task.category),
        "work": f"{task.number}、{work}" if task.number is not None else work,
        "target": rest,
        "lead": "、".join(lead),
        "responsible": "、".join(responsible),
        "supporting": "、".join(_units(task.roles.get("supporting", []))),
        "deadline": "；".join(task.roles.get("deadline", [])),
    }


_LAST_NUMBER = re.compile(r"^(?P<prefix>.*?)(?P<word>[a-z]+) (?P<n>\d+)$")


def _span(first: str, last: str) -> str:
    """One location for a task's lines: "line 9" to "line 13" is "lines 9–13".

    >>> _span("page 1, line 5", "page 1, line 9"), _span("paragraph 3", "paragraph 3")
    ('page 1, lines 5–9', 'paragraph 3')
    """
    if first == last:
        return first
    a, b = _LAST_NUMBER.match(first), _LAST_NUMBER.match(last)
    if a and b and (a["prefix"], a["word"]) == (b["prefix"], b["word"]):
        return f"{a['prefix']}{a['word']}s {a['n']}–{b['n']}"
    return f"{first} – {last}"


_MARKED_LEAD = re.compile(r"[（(]\s*牵头\s*[）)]$")
