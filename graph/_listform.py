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

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fenjie.errors import HeaderError
from fenjie.graph._deadline import plan_year
from fenjie.graph._limits import Limits
from fenjie.graph._reader import Source
from fenjie.graph._roles import (
    LABEL,
    ROLE_KINDS,
    each_leads,
    find_verb_bracket,
    label_kind,
    split_role_value,
    verb_clause,
)
from fenjie.graph._table import GridRow, Table, table_from_grid

__all__ = ["READER", "ListformReader", "has_role_lines", "listform_table", "parse_plan"]

_CN = "一二三四五六七八九十"
_CN_VALUE = {c: k for k, c in enumerate(_CN, start=1)}
# Heading/task markers by level: 第一部分 (0), 一、 (1), （一） (2), 1. / 1、 (3), （1） ⑴ (4), ① (5).
# "1﹒" (U+FE52) is a full stop too; "3.5G网络全覆盖" is task 3 titled 5G… when 3 is due next.
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = tuple(
    (level, re.compile(p))
    for level, p in (
        (0, rf"^第(?P<cn>[{_CN}]+)(?:部分|章|篇)\s*"),
        (1, rf"^(?P<cn>[{_CN}]{{1,3}})\s*[、.．]\s*"),
        (2, rf"^[（(]\s*(?P<cn>[{_CN}]{{1,3}})\s*[）)]\s*"),
        (3, r"^(?P<n>\d{1,3})\s*(?:[、．﹒]|\.(?!\d))\s*"),
        (3, r"^(?P<n>\d{1,3})\.(?P<decimal>)(?=\d)"),
        (4, r"^[（(]\s*(?P<n>\d{1,3})\s*[）)]\s*"),
        (4, r"^(?P<p>[⑴-⒇])\s*"),
        (5, r"^(?P<c>[①-⑳])\s*"),
    )
)
_OPEN = "（([〔【"
_CLOSE = "）)]〕】"
_TRAIL = "；;。，,、 \t\u3000" + _CLOSE


def has_role_lines(lines: Iterable[str]) -> bool:
    """Whether text holds role lines (牵头单位：… / 部门分工：X牵头 / （X牵头，Y配合）), the mark
    of a list-form plan."""
    for line in lines:
        for m in LABEL.finditer(line):
            if label_kind(m) in (*ROLE_KINDS, "division"):
                return True
        if find_verb_bracket(line):
            return True
    return False


@dataclass
class _Node:
    """A numbered line: a task when roles are given for it, else a heading."""

    level: int
    number: int | None
    text: str
    first: int  # source line
    last: int
    parent: _Node | None
    where: tuple[str, str] = ("", "")  # locations of its first and last line
    roles: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    deadlines: list[str] = field(default_factory=list)
    lines: list[tuple[int, str, str]] = field(default_factory=list)  # as read: (line, text, where)

    @property
    def assigned(self) -> bool:
        return bool(self.roles or self.deadlines)

    @property
    def category(self) -> str:
        return self.parent.text if self.parent else ""


@dataclass
class _Found:
    """What one line says about roles."""

    roles: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    deadlines: list[str] = field(default_factory=list)
    labelled: bool = False  # some role, deadline or people label was found (people are dropped)

    @property
    def assigns(self) -> bool:
        return bool(self.roles or self.deadlines)

    def add(self, kind: str, units: list[str], notes: list[str]) -> None:
        self.roles.setdefault(kind, []).extend(units)
        self.notes += [n for n in notes if n not in self.notes]


def _marker(text: str) -> tuple[int, int | None, re.Match[str]] | None:
    for level, pattern in _MARKERS:
        m = pattern.match(text)
        if m:
            return level, _number(m), m
    return None


def _number(m: re.Match[str]) -> int | None:
    groups = m.groupdict()
    if groups.get("n"):
        return int(groups["n"])
    if groups.get("c"):
        return ord(groups["c"]) - ord("①") + 1
    if groups.get("p"):
        return ord(groups["p"]) - ord("⑴") + 1
    if groups.get("cn"):
        cn = groups["cn"]
        if len(cn) == 1:
            return _CN_VALUE.get(cn)
        tens, _, ones = cn.partition("十")
        return (_CN_VALUE.get(tens, 1) if tens else 1) * 10 + (
            _CN_VALUE.get(ones, 0) if ones else 0
        )
    return None


def _roles(text: str) -> tuple[str, _Found]:
    """Split a line into its text before any role label or role bracket, and what it says about
    roles."""
    found = _Found()
    labels = list(LABEL.finditer(text))
    if not labels:
        verb = find_verb_bracket(text)
        if verb is None:
            return text, found
        start, roles, notes = verb
        found.deadlines += roles.pop("deadline", [])
        for kind, units in roles.items():
            found.add(kind, units, [])
        found.notes += notes
        found.labelled = True
        return text[:start], found
    head_end = labels[0].start()
    before = text[:head_end].rstrip()
    if before and before[-1] in _OPEN:  # （牵头单位：…）
        head_end = len(before) - 1
    found.labelled = True
    for k, m in enumerate(labels):
        end = labels[k + 1].start() if k + 1 < len(labels) else len(text)
        value = _strip_value(text[m.end() : end])
        kind = label_kind(m)
        if kind in ROLE_KINDS:
            units, notes = split_role_value(value)
            found.add("lead" if each_leads(notes) else kind, units, notes)
        elif kind == "division":
            parsed = verb_clause(value)
            if parsed is not None:
                found.deadlines += parsed[0].pop("deadline", [])
                for role, units in parsed[0].items():
                    found.add(role, units, [])
                found.notes += [n for n in parsed[1] if n not in found.notes]
        elif kind == "deadline" and value:
            found.deadlines.append(value)
    return text[:head_end], found


def _strip_value(value: str) -> str:
    """A role value without trailing separators, or a closing bracket that it does not open."""
    value = value.strip()
    while value and value[-1] in _TRAIL:
        opened = sum(value.count(c) for c in _OPEN) - sum(value.count(c) for c in _CLOSE)
        if value[-1] in _CLOSE and opened >= 0:
            break
        value = value[:-1].rstrip()
    return value


_TITLE_WORDS = re.compile(
    r"(?:方案|分解表|分解|清单|计划|安排|要点|台账|任务表|分工|措施|意见|细则|事项|通知)$"
)
_NOT_TITLE_PART = re.compile(
    r"[。，,：:；;！？|〔]|^[（(【〔]|此件公开发布|^\d{4}年\d{1,2}月\d{1,2}日$|"
    r"^[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日$|"
    r"(?:人民政府|办公室|办公厅|委员会|政府|政府网|门户网站?|网站|人民网|新华网|新闻网)$"  # issuer, site
)
_SITE_TAG = re.compile(r"^【[^】]{1,30}】")
# a count after a title: 2023年区政府工作报告重点工作分工方案(共计121项)
_COUNT_TAIL = re.compile(r"\s*[（(]\s*共(?:计)?\s*\d+\s*(?:项|条|个方面)\s*[）)]$")
_NOT_A_TITLE = re.compile(
    r"^[\u4e00-\u9fff]{1,8}\s*[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*\d{1,4}\s*号$|[:：]$"
)


def _title(preamble: list[tuple[int, str, str]]) -> str:
    """The plan's title: the last line ending like a plan title (方案, 分解表, 措施 …; a title
    wrapped over lines is joined), else the notice's title (…的通知), else the first line."""
    lines = [t.strip() for _, t, _ in preamble if not re.fullmatch(r"附件\s*\d*[:：]?", t.strip())]
    candidates: list[str] = []
    for k, line in enumerate(lines):
        line = _COUNT_TAIL.sub("", _SITE_TAG.sub("", line))
        if not _TITLE_WORDS.search(line) or len(line) > 60 or re.search(r"[。：:]", line):
            continue
        parts = [line]
        j = k - 1
        while j >= 0 and len(parts) < 3 and _title_part(lines[j]):
            parts.insert(0, lines[j])
            j -= 1
        candidates.append("".join(parts))
    plans = [c for c in candidates if not c.endswith("通知")]
    if plans:
        return plans[-1]
    if candidates:
        return candidates[0]
    # no line reads as a title: the first line, unless it is the notice's 文号 (许政 [2020] 20号)
    # or its addressee line (各县(市、区)人民政府,…:), which name no plan (the file's name does)
    return next((line for line in lines[:1] if not _NOT_A_TITLE.search(line)), "")


def _title_part(line: str) -> bool:
    """Whether a line can be the first part of a title wrapped over lines."""
    return (
        len(line) <= 25
        and len(re.findall(r"[\u4e00-\u9fff]", line)) >= 2
        and not _NOT_TITLE_PART.search(line)
        and not _TITLE_WORDS.search(line)
    )


def _looks_like_title(text: str) -> bool:
    text = _COUNT_TAIL.sub("", text)
    return bool(_TITLE_WORDS.search(text)) and len(text) <= 60 and not re.search(r"[。：:]", text)


def parse_plan(lines: Sequence[GridRow]) -> tuple[list[tuple[int, str, str]], list[_Node]]:
    """Preamble lines (before the first heading or task) and the tasks of a list-form plan.

    A role line after a group of sub-items that have none applies to each of them; a notice
    with numbered paragraphs and no roles, followed by the plan's title, is preamble.
    """
    preamble: list[tuple[int, str, str]] = []
    nodes: list[_Node] = []
    current: _Node | None = None
    for row in _join_wrapped_roles(lines):
        text = re.sub(r"\s+", " ", " ".join(row.cells)).strip()
        if not text:
            continue
        head, found = _roles(text)
        head = head.strip()
        marked = _marker(head) if head else None
        if marked and marked[2].groupdict().get("decimal") is not None:
            due = _next_number(nodes, current, marked[0])
            rest = head[marked[2].end() :]
            if marked[1] != due and (marked[1] or 0) < due or _QUANTITY.match(rest):
                marked = None  # "1.5万亩…": a decimal, not a marker
        if marked:
            level, number, m = marked
            parent = current
            while parent is not None and parent.level >= level:
                parent = parent.parent
            node = _Node(level, number, head[m.end() :].strip(), row.line, row.line, parent)
            node.where = (row.location, row.location)
            node.lines.append((row.line, head, row.location))
            nodes.append(node)
            current = node
            targets = [node]
        elif head and not found.labelled and current is not None and not current.assigned:
            if _looks_like_title(head) and not any(n.assigned for n in nodes):
                # the numbered paragraphs so far were the notice's; the plan starts here
                preamble += [line for n in nodes for line in n.lines]
                preamble.append((row.line, head, row.location))
                nodes, current = [], None
                continue
            current.text += head  # the task's text goes on
            current.lines.append((row.line, head, row.location))
            targets = [current]
        elif head and found.assigns and current is not None and current.assigned:
            # a task of its own whose number cannot be read (a page's mojibake ate "（二）"): its
            # roles are its own, never the task above's, which has its roles already
            node = _Node(current.level, None, head, row.line, row.line, current.parent)
            node.where = (row.location, row.location)
            node.lines.append((row.line, head, row.location))
            nodes.append(node)
            current = node
            targets = [node]
        elif head and current is None:
            preamble.append((row.line, head, row.location))
            targets = []
        else:
            targets = _group(nodes, current) if current is not None else []
        if found.assigns:
            for node in targets:
                for kind, units in found.roles.items():
                    node.roles.setdefault(kind, []).extend(units)
                node.notes += [n for n in found.notes if n not in node.notes]
                node.deadlines += found.deadlines
                node.last = row.line
                node.where = (node.where[0], row.location)
        elif found.labelled and current is not None:
            current.last = row.line
    return preamble, [n for n in nodes if n.assigned]


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _wrap_width(texts: Sequence[str]) -> int | None:
    """The width a hard-wrapped text (a PDF's or a printed page's lines) breaks its lines at: the
    most common length of its long lines, when at least five lines are within two characters of
    it; ``None`` for text whose lines are paragraphs."""
    counts = Counter(len(t) for t in texts if len(t) >= 20)
    if not counts:
        return None
    near = {n: sum(counts[m] for m in range(n - 2, n + 3)) for n in counts}  # linear in lines
    width = max(near, key=lambda n: (near[n], counts[n], -n))
    return width if near[width] >= 5 else None


def _join_wrapped_roles(lines: Sequence[GridRow]) -> list[GridRow]:
    """Rows with a role line broken by the page's wrapping joined back (``协办单位：区委编办、园区党工``
    / ``委、各街道党工委``): a role line as long as the text's wrapped lines goes on in the line after
    it when that line has no number, no label and Chinese text (not a page number)."""
    texts = [re.sub(r"\s+", " ", " ".join(r.cells)).strip() for r in lines]
    width = _wrap_width(texts)
    if width is None:
        return list(lines)
    joined: list[GridRow] = []
    k = 0
    while k < len(lines):
        row, text, first = lines[k], texts[k], k
        while (
            k + 1 < len(lines)
            and len(texts[k]) >= width - 2
            and _roles(text)[1].labelled
            and (after := texts[k + 1])
            and _CJK.search(after)
            and not _marker(after)
            and not _roles(after)[1].labelled
        ):
            text += after
            k += 1
        joined.append(row if k == first else GridRow((text,), line=row.line, location=row.location))
        k += 1
    return joined


_QUANTITY = re.compile(r"^\d+(?:%|％|万|亿|倍|个百分点|元|米|平方|公里|吨|小时|天)")


def _next_number(nodes: list[_Node], current: _Node | None, level: int) -> int:
    """The number a new item at ``level`` would take after the items above."""
    parent = current
    while parent is not None and parent.level >= level:
        parent = parent.parent
    siblings = [n for n in nodes if n.level == level and n.parent is parent]
    last = siblings[-1].number if siblings and siblings[-1].number else 0
    return last + 1


def _group(nodes: list[_Node], current: _Node) -> list[_Node]:
    """The items a role line standing on its own applies to: the current item, and the siblings
    just before it that have no roles yet (a group of sub-items with one role line after it)."""
    if current.assigned:
        return [current]
    group = [current]
    for node in reversed(nodes[: nodes.index(current)]):
        if node.parent is current.parent and node.level == current.level and not node.assigned:
            group.insert(0, node)
        elif node.parent is current.parent and node.level == current.level:
            break
        elif node.level <= current.level:
            break
    return group


def _heading_label(text: str) -> str:
    return re.split(r"[。；;]", text, maxsplit=1)[0].strip().rstrip(_TRAIL)


def _split_task(text: str) -> tuple[str, str]:
    """The work item (first sentence or the words before a colon) and the rest."""
    m = re.match(r"^(?P<head>[^。：:；;]{2,60})[。：:；;]\s*(?P<rest>.+)$", text)
    if m and m["rest"].strip().rstrip(_TRAIL):
        return m["head"].strip(), m["rest"].strip().rstrip("。").strip()
    return text.strip().rstrip("。").strip(), ""


def listform_table(
    lines: Sequence[GridRow], *, name: str, reader: str = "listform", encoding: str = "utf-8"
) -> Table:
    """Read a list-form plan (lines with their provenance) into a :class:`Table`."""
    preamble, tasks = parse_plan(lines)
    if not tasks:
        raise HeaderError(
            "找不到带编号、下接 牵头单位/责任单位 行的任务 "
            "(no numbered task followed by 牵头单位/责任单位 lines was found)",
            file=name,
            line=1,
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
        for k, h in (
            ("supporting", "配合单位"),
            ("deadline", "完成时限"),
            ("note", "分工说明"),
            ("text", "任务全文"),
        )
        if any(r[k] for r in rows)
    ]
    grid = [GridRow((text,), line=line, location=where) for line, text, where in preamble]
    header = tuple(h for _, h in columns)
    grid.append(GridRow(header, line=tasks[0].first, location="synthesized header"))
    for task, r in zip(tasks, rows, strict=True):
        where = _span(*task.where) if task.where[0] else f"line {task.first}"
        grid.append(GridRow(tuple(r[k] for k, _ in columns), line=task.first, location=where))
    table = table_from_grid(grid, name=name, reader=reader, encoding=encoding)
    table.title = title  # "" when no line names the plan: the builder takes the file's name
    return table


def _row(task: _Node, parts: tuple[str, str], *, with_target: bool) -> dict[str, str]:
    work, rest = parts
    lead = list(task.roles.get("lead", []))
    responsible = list(task.roles.get("responsible", []))
    marked = [u for u in responsible if _MARKED_LEAD.search(u)]
    lead += [_MARKED_LEAD.sub("", u) for u in marked]
    responsible = [u for u in responsible if u not in marked]
    # Hunan's rule: the first listed leads; not when each is responsible for its own part
    # (国务院各部门分别负责): then no one leads
    if not lead and responsible and "分别负责" not in task.notes:
        lead, responsible = responsible[:1], responsible[1:]
    full = task.text.strip().rstrip("。").strip()
    return {
        "category": _heading_label(task.category),
        "work": f"{task.number}、{work}" if task.number is not None else work,
        "target": rest if with_target else "",
        "lead": "、".join(dict.fromkeys(lead)),
        "responsible": "、".join(dict.fromkeys(responsible)),
        "supporting": "、".join(dict.fromkeys(task.roles.get("supporting", []))),
        "deadline": "；".join(task.deadlines),
        "note": "\n".join(task.notes),
        "text": full if rest and not with_target else "",
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


class ListformReader:
    """A plan written as a list (numbered tasks with role lines) in a text file; Word documents
    and PDFs holding one are read by their own readers (``docx-list``, ``pdf-list``)."""

    name = "listform"
    recognised_by = "text with numbered tasks and 牵头单位/责任单位 lines"
    provenance = "`lines 9–13`"

    def sniff(self, source: Source) -> bool:
        return source.text is not None and has_role_lines(source.lines)

    def read(self, source: Source, limits: Limits) -> Table:
        from fenjie.graph._tsv import check_lines, decode_source

        check_lines(source.data, limits, name=source.name)
        text, encoding = decode_source(source.data, name=source.name)
        lines = [
            GridRow((line,), line=k, location=f"line {k}")
            for k, line in enumerate(text.splitlines(), start=1)
        ]
        for line in lines:
            limits.check_cell(line.cells[0], file=source.name, place=line.location)
        table = listform_table(lines, name=source.name, reader="listform", encoding=encoding)
        table.sha256 = hashlib.sha256(source.data).hexdigest()
        return table


READER = ListformReader()
