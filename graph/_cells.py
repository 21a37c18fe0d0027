"""Split cells into atomic items: enumerations (``1、…；2、…``) and lists of units.

>>> [(i.number, i.text) for i in split_enumeration("1、召开会议；2、出台《空间规划》。")]
[(1, '召开会议'), (2, '出台《空间规划》')]
>>> [(u.name, u.scope) for u in split_units("省科技厅、省文化厅（文化创意）、")]
[('省科技厅', None), ('省文化厅', '文化创意')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "COLLECTIVE",
    "Item",
    "UnitMention",
    "numbering_gaps",
    "split_enumeration",
    "split_units",
]

_CN_DIGITS = {ch: i for i, ch in enumerate("零一二三四五六七八九十", start=0)}

# An enumerator: "1、" "1." "1．" "（1）" "(1)" "一、" "（一）", at the start of the cell or after a
# separator. "1." must not be a decimal ("1.5万").
_MARKER = re.compile(
    r"(?:(?<=^)|(?<=[；;。！？\s，,]))\s*"
    r"(?P<marker>(?P<arabic>\d{1,2})\s*(?:[、．]|\.(?!\d))"
    r"|[（(]\s*(?P<paren>\d{1,2}|[一二三四五六七八九十]{1,2})\s*[）)]"
    r"|(?P<chinese>[一二三四五六七八九十]{1,2})、)"
)
_TRAILING = "；;。，, \t\u3000"


@dataclass(frozen=True)
class Item:
    """One item of an enumerated cell: its number (None if unnumbered) and exact text."""

    number: int | None
    marker: str  # the enumerator as written, e.g. "1、"; "" when unnumbered
    text: str  # without marker and trailing separator
    start: int  # offset of the item (marker included) in the cell


def _marker_number(match: re.Match[str]) -> int:
    value = match.group("arabic") or match.group("paren") or match.group("chinese")
    if value.isdigit():
        return int(value)
    if len(value) == 1:
        return _CN_DIGITS[value]
    tens, ones = value[0], value[1]  # 十一 … 九十
    return (_CN_DIGITS[tens] if tens != "十" else 1) * 10 + (
        _CN_DIGITS[ones] if ones != "十" else 0
    )


def split_enumeration(cell: str) -> list[Item]:
    """Split an enumerated cell into items that keep their number and exact text.

    A marker counts only when its number is greater than the previous one, so "（2015-2017年）" or a
    stray "3." inside an item do not split it. Text before the first marker is an unnumbered item.

    >>> [(i.number, i.text) for i in split_enumeration("抓好政策落实。")]
    [(None, '抓好政策落实')]
    >>> [i.number for i in split_enumeration("（1）甲；（2）乙; （3）丙")]
    [1, 2, 3]
    >>> split_enumeration("   ")
    []
    """
    accepted: list[tuple[re.Match[str], int]] = []
    last = 0
    for match in _MARKER.finditer(cell):
        number = _marker_number(match)
        if number > last and (accepted or number <= 2 or not cell[: match.start()].strip()):
            accepted.append((match, number))
            last = number
    items: list[Item] = []
    head_end = accepted[0][0].start() if accepted else len(cell)
    head = cell[:head_end].strip().rstrip(_TRAILING).strip()
    if head:
        items.append(Item(None, "", head, cell.index(head[0])))
    for k, (match, number) in enumerate(accepted):
        end = accepted[k + 1][0].start() if k + 1 < len(accepted) else len(cell)
        text = cell[match.end() : end].strip().rstrip(_TRAILING).strip()
        items.append(Item(number, match.group("marker"), text, match.start("marker")))
    return items


def numbering_gaps(items: list[Item]) -> list[int]:
    """Numbers missing from an enumeration: ``1、 2、 4、`` misses 3.

    >>> numbering_gaps(split_enumeration("1、甲；2、乙；4、丁"))
    [3]
    """
    numbers = [i.number for i in items if i.number is not None]
    if not numbers:
        return []
    return sorted(set(range(1, max(numbers) + 1)) - set(numbers))


@dataclass(frozen=True)
class UnitMention:
    """A unit as listed in a cell: ``written`` is the exact text, ``name`` without the scope."""

    written: str
    name: str
    scope: str | None
    position: int  # 1-based among the cell's units


_UNIT_SEPARATORS = set("、，,；;/\n")
_SEPARATOR = re.compile("[、，,；;/\n]")
_BRACKET = re.compile("[（()）]")
_COLLECTIVE_AFTER = _UNIT_SEPARATORS | {" ", "\u3000"}  # where a collective addressee may begin
# A collective addressee: 各 + level words joined by 、 (各市州、县市区人民政府, 各县（市、区）,
# 各街道（乡镇）) is one unit, never split on its 、. It ends where a unit ends, so
# "各县市区、市直各部门" is still two units.
COLLECTIVE = re.compile(
    r"各(?:[省市州盟县区旗乡镇街道（）()、]|自治区|直辖市|县级|地级|设区的?)+"
    r"(?:人民政府|政府|党委|党委和政府|管委会|办事处|有关单位|有关部门|各部门)?"
    r"(?=$|[、，,；;\s/])"
)
# White space between two CJK characters is a layout artefact (省 科技厅); elsewhere it is kept,
# collapsed to one space, so a name such as "Hunan Office" or markup-like text stays as written.
_CJK_GAP = re.compile(
    r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])"
)


def _tidy_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", _CJK_GAP.sub("", text)).strip()


_SCOPE = re.compile(r"^(?P<name>.+?)\s*[（(](?P<scope>[^（）()]+)[）)]$")


def split_units(cell: str) -> list[UnitMention]:
    """Split a cell of units on 、，,；; (not inside brackets); drop empty tails.

    >>> [u.name for u in split_units("省科技厅、省商务厅、")]
    ['省科技厅', '省商务厅']
    >>> [u.written for u in split_units(" 省卫生计生委（生物健康，医药）， 湖南 银监局 ")]
    ['省卫生计生委（生物健康，医药）', '湖南银监局']
    >>> [u.name for u in split_units("<img src=x onerror=alert(1)>、省科技厅")]
    ['<img src=x onerror=alert(1)>', '省科技厅']
    >>> [u.name for u in split_units("各市州、县市区人民政府，各县（市、区）、市直各部门")]
    ['各市州、县市区人民政府', '各县（市、区）', '市直各部门']
    """
    kept: set[int] = set()  # offsets of separators inside a collective addressee
    for match in COLLECTIVE.finditer(cell):
        if match.start() == 0 or cell[match.start() - 1] in _COLLECTIVE_AFTER:
            kept.update(range(match.start(), match.end()))
    parts: list[str]
    if not kept and not _BRACKET.search(cell):
        # no brackets and no collective addressee: every separator splits (one pass in C; the
        # loop below goes through the cell a character at a time)
        parts = _SEPARATOR.split(cell)
    else:
        parts = []
        depth, current = 0, list[str]()
        for k, ch in enumerate(cell):
            if ch in "（(":
                depth += 1
            elif ch in "）)":
                depth = max(0, depth - 1)
            if ch in _UNIT_SEPARATORS and depth == 0 and k not in kept:
                parts.append("".join(current))
                current = []
            else:
                current.append(ch)
        parts.append("".join(current))
    mentions: list[UnitMention] = []
    for part in parts:
        written = _tidy_spaces(part)
        if not written:
            continue
        scoped = None if COLLECTIVE.fullmatch(written) else _SCOPE.match(written)
        name, scope = (scoped["name"], scoped["scope"]) if scoped else (written, None)
        mentions.append(UnitMention(written, name, scope, len(mentions) + 1))
    return mentions
