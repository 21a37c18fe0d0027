"""Cell splitters: enumerations and unit lists, with examples and property-based tests."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenjie.graph import numbering_gaps, split_enumeration, split_units
from fenjie.graph._documents import (
    BareTitles,
    _Clauses,
    find_bare_mentions,
    find_mentions,
    find_short_names,
)

# Text that never contains an enumerator or a separator: CJK words.
words = st.text(alphabet="创新平台建设完善机制政策推动科技成果转化园区", min_size=1, max_size=12)
markers = st.sampled_from(["{n}、", "{n}.", "{n}．", "（{n}）", "({n})"])
separators = st.sampled_from(["；", ";", "。", "；  ", " ", "。 "])


@given(st.lists(words, min_size=1, max_size=9), markers, separators)
def test_enumeration_round_trips(items, marker, separator):
    cell = separator.join(marker.format(n=i) + text for i, text in enumerate(items, start=1))
    split = split_enumeration(cell + "。")
    assert [i.number for i in split] == list(range(1, len(items) + 1))
    assert [i.text for i in split] == items
    for item in split:  # each item keeps its exact text and where it stands in the cell
        assert cell[item.start :].startswith(item.marker)
        assert item.text in cell


@given(words)
def test_unnumbered_cell_is_one_item(text):
    assert [(i.number, i.text) for i in split_enumeration(f" {text}。")] == [(None, text)]


@given(st.lists(st.integers(min_value=1, max_value=20), min_size=1, max_size=8, unique=True))
def test_gaps_are_the_missing_numbers(numbers):
    numbers = sorted(numbers)
    cell = "；".join(f"{n}、事项" for n in numbers)
    assert numbering_gaps(split_enumeration(cell)) == sorted(
        set(range(1, numbers[-1] + 1)) - set(numbers)
    )


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1、出台《湖南省大众创业万众创新行动计划（2015-2017年）》；2、部署", [1, 2]),
        ("1、新引进30个以上（其中3个以上）；2、建立中心；3、规划", [1, 2, 3]),
        ("1、出台自创区专项管理办法； 2、组织实施年度专项； 3、研究", [1, 2, 3]),
        ("增长1.5倍，2.实施", [None, 2]),
        ("一、总体要求；二、重点任务", [1, 2]),
    ],
)
def test_enumeration_examples(cell, expected):
    assert [i.number for i in split_enumeration(cell)] == expected


unit_names = st.text(alphabet="省市科技财政厅局委办发改人社", min_size=2, max_size=8)


@given(
    st.lists(unit_names, min_size=1, max_size=8),
    st.sampled_from(["、", "，", ",", "；", "、 "]),
    st.booleans(),
    st.lists(st.one_of(st.none(), st.sampled_from(["文化创意", "生物健康，医药"])), max_size=8),
)
def test_unit_split_round_trips(names, separator, trailing, scopes):
    written = [
        f"{name}（{scope}）" if scope else name
        for name, scope in zip(names, scopes + [None] * len(names), strict=False)
    ]
    cell = separator.join(written) + (separator if trailing else "")
    units = split_units(cell)
    assert [u.written for u in units] == written
    assert [u.name for u in units] == names
    assert [u.position for u in units] == list(range(1, len(names) + 1))


@given(st.text(max_size=60))
def test_splitters_never_raise_and_never_invent_text(text):
    for item in split_enumeration(text):
        assert item.text in text
    for unit in split_units(text):
        assert unit.written and "、" not in unit.written.strip("（）()")


def test_short_names_resolve_and_define_only_once():
    cells = ["出台《关于建设示范区的若干意见》（以下简称《意见》）", "落实省委、省政府《意见》"]
    names = find_short_names(cells)
    assert names == {"意见": "关于建设示范区的若干意见"}
    # the definition itself is one mention of the long title, not a second one of the short
    assert [m.title for m in find_mentions(cells[0], names)] == ["关于建设示范区的若干意见"]
    later = find_mentions(cells[1], names)
    assert [(m.title, m.short_name, m.kind) for m in later] == [
        ("关于建设示范区的若干意见", "意见", "refers")
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("编制自创区《空间规划》", "produces"),
        ("制定出台《办法》", "produces"),
        ("组织实施《办法》", "refers"),
        ("推动《条例》出台", "refers"),
        ("按照《纲要》，制定方案", "refers"),
    ],
)
def test_produce_or_refer(text, kind):
    assert find_mentions(text, {})[0].kind == kind


def _kind_rescanning(text: str, start: int) -> str:
    """The rule as it was written first, rescanning the text from its start for each mention."""
    clause_start = max(
        (m.end() for m in re.finditer(r"[，,；;。：:！？]", text[:start])), default=0
    )
    verbs = r"出台|制定|制订|编制|印发|发布|起草|颁布|修订|编写"
    return "produces" if re.search(verbs, text[clause_start:start]) else "refers"


@given(st.text(alphabet="出台制定订编发布印起草修写《》意见，；。：！ 实施方案", max_size=40))
def test_produce_or_refer_as_the_rule_reads(text: str) -> None:
    # the clauses and verbs found once per text give, at every position, what rescanning gave
    clauses = _Clauses(text)
    for start in range(len(text) + 1):
        assert clauses.kind(start) == _kind_rescanning(text, start), (text, start)
    for m in find_mentions(text, {}) + find_bare_mentions(text, ["实施方案", "制定方案"]):
        assert m.kind == _kind_rescanning(text, m.start), (text, m.start)


def _bare_both_ways(titles: list[str], text: str) -> list[tuple[str, int]]:
    by_search = BareTitles(titles, automaton=False).find(text)
    assert BareTitles(titles, automaton=True).find(text) == by_search
    return [(m.title, m.start) for m in by_search]


def test_bare_titles_overlapping() -> None:
    # 乙甲乙 ends inside 甲乙甲乙甲, which the text does not complete
    assert _bare_both_ways(["甲乙甲乙甲", "乙甲乙"], "甲乙甲乙") == [("乙甲乙", 1)]
    # 甲乙甲 at 2 overlaps 乙乙甲, taken first: the search goes on after its end, so 甲乙甲 at 4
    # (overlapping the one at 2) is not found either
    assert _bare_both_ways(["乙乙甲", "甲乙甲"], "乙乙甲乙甲乙甲") == [("乙乙甲", 0)]


@given(
    st.lists(st.text(alphabet="甲乙", min_size=1, max_size=6), min_size=1, max_size=12), st.data()
)
def test_bare_titles_by_automaton_as_by_search(titles: list[str], data: st.DataObject) -> None:
    # one pass of the automaton finds what searching for each title finds: texts made of the
    # titles, their beginnings and ends (two letters: they overlap, nest and repeat)
    pieces = [*titles, *(t[:-1] for t in titles), *(t[1:] for t in titles), "《", "》", "，"]
    _bare_both_ways(titles, "".join(data.draw(st.lists(st.sampled_from(pieces), max_size=16))))


def test_many_mentions_in_one_cell_are_read_once() -> None:
    # 14,000 titles in one cell: each mention's clause was found by rescanning the cell from its
    # start (12 s), and each bare title searched with a pattern compiled for it (5 s)
    text = "制定" + "".join(f"《规划{k:05d}》" for k in range(14_000)) + "，落实《意见》"
    found = find_mentions(text, {})
    assert len(found) == 14_001
    assert {m.kind for m in found[:-1]} == {"produces"} and found[-1].kind == "refers"
    titles = BareTitles(m.title for m in found)
    assert titles.automaton is not None  # 14,000 titles: one pass, not 14,000 searches
    bare = titles.find(text + "，推动规划00001和规划13999实施")
    assert [m.title for m in bare] == ["规划00001", "规划13999"]


def test_bare_mentions_skip_brackets_and_short_titles():
    text = "出台《空间规划》，推动空间规划实施，落实意见"
    found = find_bare_mentions(text, ["空间规划", "意见"])
    assert [(m.title, m.start) for m in found] == [("空间规划", text.index("推动") + 2)]


def _units_by_characters(cell: str) -> list[tuple[str, str, str | None, int]]:
    """split_units as it read every cell before the fast path: a character at a time, keeping
    separators inside brackets and collective addressees (the rule, written out)."""
    from fenjie.graph._cells import _COLLECTIVE_AFTER, _UNIT_SEPARATORS, COLLECTIVE, _tidy_spaces

    kept: set[int] = set()
    for match in COLLECTIVE.finditer(cell):
        if match.start() == 0 or cell[match.start() - 1] in _COLLECTIVE_AFTER:
            kept.update(range(match.start(), match.end()))
    parts, depth, current = [], 0, ""
    for k, ch in enumerate(cell):
        depth += ch in "（("
        depth = max(0, depth - (ch in "）)"))
        if ch in _UNIT_SEPARATORS and depth == 0 and k not in kept:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    out = []
    for part in parts:
        written = _tidy_spaces(part)
        if written:
            scoped = (
                None
                if COLLECTIVE.fullmatch(written)
                else re.match(r"^(?P<name>.+?)\s*[（(](?P<scope>[^（）()]+)[）)]$", written)
            )
            name, scope = (scoped["name"], scoped["scope"]) if scoped else (written, None)
            out.append((written, name, scope, len(out) + 1))
    return out


@given(st.text(alphabet="省市县区各州科技厅局、，,；;/\n （）() \u3000人民政府", max_size=40))
def test_unit_split_fast_path_as_by_characters(cell: str) -> None:
    """Cells without brackets or collective addressees are split on every separator in one
    pass; the units are those the character-by-character reading gives, for every cell."""
    got = [(u.written, u.name, u.scope, u.position) for u in split_units(cell)]
    assert got == _units_by_characters(cell)
