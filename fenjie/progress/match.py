"""Match a progress table row to the work item or target it is about: by number, by text, or both.

Text similarity is rapidfuzz's ``WRatio`` (0–100) between the row's task text and each work item's
label and each target's text, numbering stripped. A row is matched only when one node is clearly
best; otherwise it is *unmatched* (nothing close) or *ambiguous* (several close), and the caller
lists it with its place: nothing is guessed silently. A tie between the same text in several
years (召开阶段工作总结会议 in 2018 and 2019) goes to the year the report speaks for.

>>> strip_number("2、政策支撑体系"), strip_number("（3）新建众创空间"), strip_number("协同创新")
((2, '政策支撑体系'), (3, '新建众创空间'), (None, '协同创新'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from fenjie.progress.plan import PlanIndex, PlanItem, Tracked

__all__ = ["Match", "match_row", "strip_number", "MATCH_THRESHOLD", "MATCH_MARGIN"]

MATCH_THRESHOLD = 85.0  # below this, a text is not the same task
MATCH_MARGIN = 4.0  # the best must beat the next node by this much

_NUMBER = re.compile(
    r"^\s*(?:[（(]\s*(\d+)\s*[)）]|(\d+)\s*[、.．)）]|([一二三四五六七八九十]+)\s*、)\s*"
)
_CN = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
_SPACE = re.compile(r"\s+")


def _cn_number(text: str) -> int | None:
    if text in _CN:
        return _CN[text]
    if len(text) == 2 and text[0] == "十" and text[1] in _CN:
        return 10 + _CN[text[1]]
    return None


def strip_number(text: str) -> tuple[int | None, str]:
    """The leading number of a task text (``2、``, ``（3）``, ``4.``, ``一、``) and the rest."""
    text = text.strip()
    found = _NUMBER.match(text)
    if not found:
        return None, _SPACE.sub("", text)
    arabic = found.group(1) or found.group(2)
    number = int(arabic) if arabic else _cn_number(found.group(3))
    return number, _SPACE.sub("", text[found.end() :])


@dataclass(frozen=True)
class Match:
    """Where a row goes: ``about`` (a target or work item IRI) or a ``problem`` saying why not."""

    about: str | None
    matched_by: str = ""
    score: float | None = None
    problem: str | None = None
    candidates: tuple[str, ...] = field(default=())


def _parse_number(cell: str) -> tuple[int | None, int | None]:
    """(category number, item number) from a number cell: ``3``, ``2-3``, ``二.3``, ``1.2``."""
    cell = cell.strip()
    found = re.fullmatch(r"(\d+|[一二三四五六七八九十]+)\s*[-—.．、]\s*(\d+)", cell)
    if found:
        head = found.group(1)
        return (int(head) if head.isdigit() else _cn_number(head)), int(found.group(2))
    if cell.isdigit():
        return None, int(cell)
    return None, strip_number(cell)[0]


def _as_tracked(item: PlanItem) -> Tracked:
    """The work item as a whole, as a node a report may be about."""
    return Tracked(item.iri, item, None, item.number, item.label, 0)


def _describe(node: Tracked) -> str:
    if node.is_item:
        return f"工作内容 {node.item.number or ''}、{node.item.label} <{node.iri}>"
    return f"{node.year}年目标：{node.text} <{node.iri}>"


def match_row(
    plan: PlanIndex,
    *,
    number_cell: str = "",
    category: str = "",
    task: str = "",
    year: int | None = None,
) -> Match:
    """Match one row; ``year`` is the year the report speaks for (breaks ties between years)."""
    categories = _category_numbers(plan)
    cat_no, cell_no = _parse_number(number_cell) if number_cell.strip() else (None, None)
    text_no, text = strip_number(task)
    # A number written before the task's name (3、绩效考核体系) is the work item's number. A 序号
    # column is often just a running count, so it decides only when the row names no task.
    number = text_no if text else cell_no
    items = list(plan.items.values())
    if category:
        close = [i for i in items if i.category and _same_category(i.category, category)]
        items = close or items
    if cat_no is not None and not text:
        items = [i for i in items if categories.get(i.category or "") == cat_no] or items
    if number is not None:
        numbered = [i for i in items if i.number == number]
        if not numbered and not text:
            return Match(
                None, problem=f"没有编号为 {number} 的工作内容 (no work item is numbered {number})"
            )
        items = numbered or items
    if not text:
        if len(items) == 1:
            return Match(items[0].iri, matched_by="number")
        return Match(
            None,
            problem=f"编号 {number} 对应 {len(items)} 项工作内容，请写明任务 (the number {number} fits {len(items)} work items; name the task)",
            candidates=tuple(_describe(_as_tracked(i)) for i in items),
        )
    nodes: dict[str, Tracked] = {}
    choices: dict[str, str] = {}
    for item in items:
        key = item.iri
        nodes[key] = _as_tracked(item)
        choices[key] = _SPACE.sub("", item.label or "")  # the plan is read with its texts
        for target in item.targets:
            nodes[target.iri] = target
            choices[target.iri] = _SPACE.sub("", strip_number(target.text or "")[1])
    scored = process.extract(text, choices, scorer=fuzz.WRatio, limit=8)
    ranked = sorted(((s, k) for _, s, k in scored), key=lambda p: (-p[0], p[1]))
    good = [(s, k) for s, k in ranked if s >= MATCH_THRESHOLD]
    how = "number+text" if number is not None and any(i.number == number for i in items) else "text"
    if not good:
        best = ranked[0] if ranked else None
        hint = f"（最接近：{_describe(nodes[best[1]])}，{best[0]:.0f} 分）" if best else ""
        return Match(
            None,
            problem=f"没有与 {text!r} 相符的工作内容或目标{hint} (no work item or target reads like {text!r})",
        )
    top = good[0][0]
    tied = [k for s, k in good if s > top - MATCH_MARGIN]
    if len(tied) > 1 and year is not None:
        same_year = [k for k in tied if nodes[k].year == year]
        # the same text in several years: the year reported on; a work item beats its targets
        if len(same_year) == 1 and all(
            nodes[k].year != year and choices[k] == choices[same_year[0]]
            for k in tied
            if k != same_year[0]
        ):
            tied = same_year
    if len(tied) > 1:
        exact = [k for k in tied if choices[k] == text]
        if len(exact) == 1:
            tied = exact
    if len(tied) == 1:
        return Match(tied[0], matched_by=how, score=round(float(good[0][0]), 1))
    return Match(
        None,
        problem=f"{text!r} 与 {len(tied)} 项任务都相符 ({text!r} reads like {len(tied)} tasks)",
        candidates=tuple(_describe(nodes[k]) for k in tied),
    )


def _same_category(a: str, b: str) -> bool:
    a, b = _SPACE.sub("", strip_number(a)[1]), _SPACE.sub("", strip_number(b)[1])
    return a == b or fuzz.WRatio(a, b) >= MATCH_THRESHOLD


def _category_numbers(plan: PlanIndex) -> dict[str, int]:
    """Category label → its 1-based position in its table (for numbers such as ``2-3``)."""
    orders: dict[str, set[tuple[int, str]]] = {}
    for item in plan.items.values():
        if item.category:
            orders.setdefault(item.table, set()).add((item.category_order, item.category))
    numbers: dict[str, int] = {}
    for found in orders.values():
        for k, (_, label) in enumerate(sorted(found), start=1):
            numbers.setdefault(label, k)
    return numbers
