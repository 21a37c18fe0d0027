"""Quantitative targets in Chinese government task text (目标任务分解表 cells).

A target such as "新引进30个以上高端创新团队（其中3个以上国际顶尖创新团队）" holds numbers
with a measure word. :func:`extract_quantities` finds them and returns :class:`Quantity`
records (indicator, value, unit as written, normalized value and unit, comparator), the
raw material of ``fj:Observation``. Numbers need a measure word from ``MEASURE_WORDS`` (so
"2017年", "“6+4”", "1、" and "一站式" are not quantities); text inside 《》 is ignored; a
bracket with quantities nests them under the quantity before it; "3个千亿级、3个百亿级产业集群"
is two quantities sharing the leading verb and the trailing noun.
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import accumulate, compress

__all__ = ["Quantity", "Comparator", "extract_quantities", "parse_chinese_number"]


class Comparator(enum.Enum):
    """How a target value bounds the indicator (``fj:AtLeast``, ``fj:Exactly``, ``fj:AtMost``)."""

    AT_LEAST = "AtLeast"
    EXACTLY = "Exactly"
    AT_MOST = "AtMost"


# ---------------------------------------------------------------- data tables
#: Measure words and units that make a number a quantity (written form -> normalized form).
MEASURE_WORDS: dict[str, str] = {
    **{w: w for w in "个 件 家 项 所 名 人 人次 位 户 台 套 辆 艘 架 本 册 篇 种 类 支 只".split()},
    **{w: w for w in "次 场 条 座 处 栋 间 张 株 个月 天 小时 个百分点 百分点".split()},
    **{w: w for w in "亩 公顷 平方米 平方公里 立方米 米 千米 公里 元 美元 吨 千克 公斤".split()},
    **{w: w for w in "千瓦 千瓦时 瓦 % ‰ 倍".split()},
    "％": "%",
    "平方千米": "平方公里",
}
#: Units that take no scale prefix.
UNSCALED = frozenset({"%", "％", "‰", "倍", "个百分点", "百分点", "个月", "天", "小时"})
#: Scale prefixes of a unit: 万平方米 = 10^4 平方米, 亿元 = 10^8 元.
SCALES: dict[str, int] = {
    **{
        small + big: n * m
        for small, n in (("", 1), ("十", 10), ("百", 100), ("千", 1000))
        for big, m in (("", 1), ("万", 10**4), ("亿", 10**8))
    },
    "万亿": 10**12,
}
del SCALES[""]
#: Comparator words written before the number.
PREFIX_COMPARATORS: dict[str, Comparator] = {
    **dict.fromkeys("不少于 不低于 至少 超过 大于 多于 突破 高于".split(), Comparator.AT_LEAST),
    **dict.fromkeys("不超过 不高于 不多于 少于 低于 控制在 小于".split(), Comparator.AT_MOST),
    **dict.fromkeys(
        "达到 达 提高到 提高至 提升到 提升至 增加到 增至 约".split(), Comparator.EXACTLY
    ),
}
#: Words between number and unit ("30余个"): more than the number.
APPROX_MARKERS: dict[str, Comparator] = {"余": Comparator.AT_LEAST, "多": Comparator.AT_LEAST}
#: Comparator words written after the unit.
SUFFIX_COMPARATORS: dict[str, Comparator] = {
    **dict.fromkeys("以上 及以上 之上".split(), Comparator.AT_LEAST),
    **dict.fromkeys("以下 及以下 以内 之内".split(), Comparator.AT_MOST),
    "左右": Comparator.EXACTLY,
}
#: Words dropped from the front of an indicator.
FILLERS = ("其中", "力争", "确保")
#: Fixed expressions whose numerals are not quantities.
IDIOMS = (
    "一站式 一次性 一条龙 一揽子 一把手 一体化 一元化 一张图 一张网 一批 一系列 一带一路 "
    "三位一体 多位一体 一区三谷多园 两个维护 四个意识 一盘棋 一件事 一部分 "
    "二次开发 二次创业 三次产业"
).split()
#: A measure word followed by one of these characters is part of a word (项目, 支持, 名单 ...).
WORD_CONTINUATIONS: dict[str, str] = {
    "项": "目",
    "条": "件例",
    "支": "持付撑",
    "台": "账",
    "名": "单称",
    "人": "才民",
    "所": "有属",
    "本": "地土级",
    "处": "理置",
    "场": "所景",
    "种": "子植",
    "间": "隔",
}
#: Endings of a modifier borrowing the noun of the last coordinated item (千亿级、百亿级产业集群).
MODIFIER_ENDINGS = "级型类性式"
CLAUSE_BREAKS = "，,；;。！!？?\n"
OPENERS, CLOSERS = "（(“‘《【「〔[", "）)”’》】」〕]"
_STRIP = " \t\u3000：:，,、；;。.！!？?" + OPENERS + CLOSERS

# ------------------------------------------------------------------ patterns
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_PLACES = {"十": 10, "百": 100, "千": 1000}
_WIDE = str.maketrans("０１２３４５６７８９．", "0123456789.")
_UNITS: dict[str, tuple[int, str]] = {w: (1, n) for w, n in MEASURE_WORDS.items()}
for _p, _s in SCALES.items():
    for _w, _n in MEASURE_WORDS.items():
        if _w not in UNSCALED:
            _UNITS.setdefault(_p + _w, (_s, _n))  # a base unit (千米) wins over 千 + 米


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_ARABIC = r"[0-9０-９]+(?:,[0-9]{3}(?![0-9]))*(?:[.．][0-9０-９]+)?"
_CHINESE = (
    r"(?<![统唯之同单逐划合归])"  # 统一, 唯一 ... end in a numeral
    r"[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*(?:点[零〇一二三四五六七八九]+)?"
)
_QUANTITY_RE = re.compile(
    rf"(?P<pre>{_alt(PREFIX_COMPARATORS)})?"
    r"(?<![0-9０-９.．,A-Za-z第+\-~～—–/零〇一二两三四五六七八九十百千万亿])"
    rf"(?P<num>{_ARABIC}|{_CHINESE})[ \t\u3000]?"
    rf"(?P<approx>{_alt(APPROX_MARKERS)})?"
    rf"(?P<unit>{_alt(_UNITS)})(?P<post>{_alt(SUFFIX_COMPARATORS)})?"
)
_ENUMERATOR_RE = re.compile(
    r"\s*(?:[0-9０-９]+[、.．](?![0-9])|[（(][0-9一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、|[①-⑳])\s*"
)
_ARABIC_RE = re.compile(_ARABIC)


@dataclass(frozen=True)
class Quantity:
    """One quantitative observation of a target, e.g. "30个以上高端创新团队"."""

    indicator: str
    value: Decimal
    unit_text: str
    normalized_value: Decimal
    normalized_unit: str
    comparator: Comparator
    written_as: str
    start: int
    children: tuple[Quantity, ...] = ()


#: A numeral longer than this is not a count or an amount (the largest, 一万亿, has 3 characters;
#: "1,000,000,000,000.00" 20); longer ones would meet Python's limit on converting digits to int and
#: recurse once per 亿/万.
MAX_NUMERAL_LENGTH = 32


def _section(s: str) -> int | None:
    """Value of a numeral below 10^4 (no 万/亿), or None when malformed."""
    total, digit, last_place, zero = 0, None, 10**4, False
    for ch in s:
        if ch in _DIGITS:
            if digit is not None:
                return None
            if _DIGITS[ch] == 0:
                zero = True
            else:
                digit = _DIGITS[ch]
        else:
            place = _PLACES[ch]
            if place >= last_place:
                return None
            if digit is None:
                if place != 10 or (total and not zero):
                    return None
                digit = 1
            total, digit, last_place, zero = total + digit * place, None, place, False
    if digit is not None:  # "三百五" = 350 colloquially; "三百零五" = 305
        total += digit * (last_place // 10 if 100 <= last_place < 10**4 and not zero else 1)
    elif zero and total:
        return None
    return total


def _integer(s: str) -> int | None:
    for big, scale in (("亿", 10**8), ("万", 10**4)):
        if big in s:
            i = s.index(big)
            left, right = _integer(s[:i]) if i else None, s[i + 1 :]
            if len(right) == 1 and right in _DIGITS and right not in "零〇":  # 一万五 = 15000
                right_value: int | None = _DIGITS[right] * scale // 10
            else:
                right_value = _integer(right) if right else 0
            if not left or right_value is None or right_value >= scale:
                return None
            return left * scale + right_value
    if not s or any(ch not in _DIGITS and ch not in _PLACES for ch in s):
        return None
    if len(s) > 1 and all(ch in _DIGITS for ch in s):  # 二〇一七 read digit by digit
        return int("".join(str(_DIGITS[ch]) for ch in s)) if set(s) & {"零", "〇"} else None
    return _section(s)


def parse_chinese_number(s: str) -> Decimal | None:
    """Read an Arabic or Chinese numeral.

    Parameters
    ----------
    s : str
        The numeral alone, e.g. "三", "十二", "一百零五", "3.5", "1,000".

    Returns
    -------
    Decimal or None
        Its value, or None if `s` is not a numeral.

    Examples
    --------
    >>> [parse_chinese_number(s) for s in ("三", "两", "十二", "一百", "3.5", "1,000")]
    [Decimal('3'), Decimal('2'), Decimal('12'), Decimal('100'), Decimal('3.5'), Decimal('1000')]
    >>> parse_chinese_number("一万零五十"), parse_chinese_number("三点五")
    (Decimal('10050'), Decimal('3.5'))
    >>> parse_chinese_number("一站式") is None, parse_chinese_number("一〇" * 2500) is None
    (True, True)
    """
    s = s.strip()
    if len(s) > MAX_NUMERAL_LENGTH:
        return None
    if _ARABIC_RE.fullmatch(s):
        return Decimal(s.replace(",", "").translate(_WIDE))
    whole, dot, fraction = s.partition("点")
    value = _integer(whole)
    if value is None or (dot and not (fraction and all(c in _DIGITS for c in fraction))):
        return None
    return Decimal(f"{value}.{''.join(str(_DIGITS[c]) for c in fraction)}" if dot else value)


@dataclass
class _Match:
    start: int
    end: int
    value: Decimal
    unit: str
    comparator: Comparator


_BLOCKED_RE = re.compile(r"《[^《》]*》?|" + _alt(IDIOMS))
#: Brackets nested deeper than this are read as plain text: no plan nests sub-targets that deep,
#: and a cell of thousands of nested brackets must not recurse thousands of times.
_MAX_NESTING = 8


def _candidates(text: str) -> list[_Match]:
    """Numbers with a measure word, in order, outside 《titles》 and idioms."""
    matches = list(_QUANTITY_RE.finditer(text))
    if not matches:  # most texts: nothing to hold against titles and idioms
        return []
    blocked = bytearray(len(text) + 1)
    for m in _BLOCKED_RE.finditer(text):
        blocked[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    # prefix sums: whether a span touches a blocked character costs O(1), not O(blocked spans)
    touched = list(accumulate(blocked, initial=0))
    found = []
    for m in matches:
        num, unit = m["num"], m["unit"]
        if num[-1] in "万亿" and len(num) > 1 and not m["approx"] and num[-1] + unit in _UNITS:
            num, unit = num[:-1], num[-1] + unit  # 三百万平方米 = 300 万平方米
        value = parse_chinese_number(num)
        follows = text[m.end() : m.end() + 1] if not m["post"] else ""
        if follows and follows in WORD_CONTINUATIONS.get(m["unit"], ""):
            continue
        if value is None or touched[m.end()] - touched[m.start()]:
            continue
        comparator = Comparator.EXACTLY
        for word, table in ((m["pre"], PREFIX_COMPARATORS), (m["approx"], APPROX_MARKERS)):
            comparator = table[word] if word else comparator
        comparator = SUFFIX_COMPARATORS[m["post"]] if m["post"] else comparator
        found.append(_Match(m.start(), m.end(), value, unit, comparator))
    return found


class _Cell:
    """A cell's text and its candidate quantities, indexed so that every step below costs time
    linear in the text (a cell of 200 KB must not take minutes)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found = _candidates(text)
        self.starts = [q.start for q in self.found]
        self.in_quantity = bytearray(len(text))
        for q in self.found:
            self.in_quantity[q.start : q.end] = b"\x01" * (q.end - q.start)

    def within(self, lo: int, hi: int) -> list[_Match]:
        """The quantities lying wholly in text[lo:hi], in order."""
        i, j = bisect_left(self.starts, lo), bisect_left(self.starts, hi)
        return [q for q in self.found[i:j] if q.end <= hi]


def _spans(
    text: str, lo: int, hi: int, breaks: str, in_quantity: bytearray | None = None
) -> list[tuple[int, int]]:
    """Split text[lo:hi] at top-level `breaks` (not in brackets nor inside a quantity)."""
    out, depth, begin = [], 0, lo
    for i in range(lo, hi):
        ch = text[i]
        depth += ch in OPENERS
        depth -= ch in CLOSERS and depth > 0
        if not depth and ch in breaks and not (in_quantity and in_quantity[i]):
            out.append((begin, i))
            begin = i + 1
    return out + [(begin, hi)]


def _brackets(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Top-level bracket spans (opener to after closer) in text[lo:hi]."""
    out, depth, begin = [], 0, lo
    for i in range(lo, hi):
        if text[i] in OPENERS:
            begin, depth = (i if not depth else begin), depth + 1
        elif text[i] in CLOSERS and depth:
            depth -= 1
            if not depth:
                out.append((begin, i + 1))
    return out + ([(begin, hi)] if depth else [])


def _strip_space(match: re.Match[str]) -> str:
    """What stays of a run of white space: exactly what the substitution
    ``(?<=[^\\x00-\\x7f])\\s+|\\s+(?=[^\\x00-\\x7f])`` leaves (space next to non-ASCII text is a
    layout artefact), computed in one pass over the run; the regular expression itself backtracks
    quadratically over a long run of spaces."""
    s, a, b = match.string, match.start(), match.end()
    if a and ord(s[a - 1]) > 127:
        return ""
    for j in range(b if b < len(s) else b - 1, a, -1):  # the last non-ASCII character after a
        if ord(s[j]) > 127:
            return "" if j == b or ord(s[j - 1]) > 127 else s[j]
    return s[a] if ord(s[a]) > 127 else match.group()


_SPACE_RUN = re.compile(r"\s+")


def _clean(s: str) -> str:
    spaced = _SPACE_RUN.search(s) is not None  # most pieces have none: skip both passes
    if spaced:
        s = _SPACE_RUN.sub(_strip_space, s)
    s = s.strip(_STRIP)
    while s.startswith(FILLERS):
        s = s[next(len(f) for f in FILLERS if s.startswith(f)) :].strip(_STRIP)
    return _SPACE_RUN.sub(" ", s) if spaced else s


def _process(cell: _Cell, lo: int, hi: int, nesting: int = 0) -> list[Quantity]:
    out: list[Quantity] = []
    for c_lo, c_hi in _spans(cell.text, lo, hi, CLAUSE_BREAKS, cell.in_quantity):
        enumerator = _ENUMERATOR_RE.match(cell.text, c_lo, c_hi)
        out += _clause(cell, enumerator.end() if enumerator else c_lo, c_hi, nesting)
    return out


def _top_level(
    mine: list[_Match], brackets: list[tuple[int, int]]
) -> tuple[list[_Match], list[tuple[int, int]]]:
    """Split a clause's quantities (in order) from its top-level brackets (in order, disjoint):
    the quantities outside every bracket, and the brackets holding a quantity."""
    top: list[_Match] = []
    holding: list[tuple[int, int]] = []
    k = 0
    for q in mine:
        while k < len(brackets) and brackets[k][1] <= q.start:
            k += 1
        if k < len(brackets) and brackets[k][0] < q.start:
            if not holding or holding[-1] != brackets[k]:
                holding.append(brackets[k])
        else:
            top.append(q)
    return top, holding


def _clause(cell: _Cell, lo: int, hi: int, nesting: int) -> list[Quantity]:
    text = cell.text
    mine = cell.within(lo, hi)
    if not mine:  # nothing to find, in its brackets neither (they are searched for quantities)
        return []
    top, brackets = _top_level(mine, _brackets(text, lo, hi) if mine else [])
    inner = [(a + 1, b - 1 if text[b - 1] in CLOSERS else b) for a, b in brackets]
    if nesting >= _MAX_NESTING:
        inner = []
    kept = bytearray(b"\x01") * (hi - lo)  # the clause's characters not in a quantity or bracket
    for x, y in [(q.start, q.end) for q in top] + brackets:
        kept[x - lo : y - lo] = bytes(y - x)

    def piece(a: int, b: int) -> str:
        return _clean("".join(compress(text[a:b], kept[a - lo : b - lo])))

    if not top:  # "建设孵化器（3个）": the text outside the bracket names what is counted
        outside = piece(lo, hi)
        found_inside = [q for a, b in inner for q in _process(cell, a, b, nesting + 1)]
        return [replace(q, indicator=q.indicator or outside) for q in found_inside]

    cuts = [lo - 1]
    for a, b in zip(top, top[1:], strict=False):
        commas = [s for s, _ in _spans(text, a.end, b.start, "、")[1:]]
        cuts += [commas[-1] - 1] if commas else []
    segments = list(zip([c + 1 for c in cuts], cuts[1:] + [hi], strict=True))
    groups: list[list[_Match]] = [[] for _ in segments]
    k = 0
    for q in top:  # segments are in order and cover the clause: one sweep assigns each quantity
        while k < len(segments) and q.start >= segments[k][1]:
            k += 1
        if k < len(segments) and segments[k][0] <= q.start:
            groups[k].append(q)
    names: dict[int, str] = {}
    single = all(len(g) == 1 for g in groups)
    heads = [piece(s, g[0].start) for (s, _), g in zip(segments, groups, strict=True)]
    tails = [
        re.sub("^的", "", piece(g[-1].end, e)) for (_, e), g in zip(segments, groups, strict=True)
    ]
    for i, ((s, e), g) in enumerate(zip(segments, groups, strict=True)):
        if not single:  # "从3个增加到5个": one indicator for all
            whole = piece(s, e)
            names.update({id(q): whole for q in g})
            continue
        head, tail, last = heads[i] or heads[0], tails[i], tails[-1]
        if not tail and i < len(groups) - 1:
            tail = last
        elif tail and tail[-1] in MODIFIER_ENDINGS and 0 <= last.find(tail[-1]) < len(last) - 1:
            tail += last[last.find(tail[-1]) + 1 :]
        names[id(g[0])] = _clean(head + tail)
    children: dict[int, list[Quantity]] = {id(q): [] for q in top}
    top_starts = [q.start for q in top]
    for inner_lo, inner_hi in inner:
        # the quantity before the bracket owns what the bracket holds
        parent = top[max(bisect_left(top_starts, inner_lo) - 1, 0)]
        children[id(parent)] += _process(cell, inner_lo, inner_hi, nesting + 1)
    return [
        Quantity(
            indicator=names[id(q)],
            value=q.value,
            unit_text=q.unit,
            normalized_value=q.value * _UNITS[q.unit][0],
            normalized_unit=_UNITS[q.unit][1],
            comparator=q.comparator,
            written_as=text[q.start : q.end],
            start=q.start,
            children=tuple(children[id(q)]),
        )
        for q in top
    ]


def extract_quantities(text: str) -> list[Quantity]:
    """Find the quantitative targets in a cell of a task-decomposition table.

    Parameters
    ----------
    text : str
        A target cell, e.g. "1、完善工作机制；2、每万人发明专利拥有量达到15件。".

    Returns
    -------
    list of Quantity
        Top-level quantities in reading order; bracketed sub-targets
        ("（其中3个以上…）") are in the ``children`` of the quantity before them.

    Examples
    --------
    >>> for q in extract_quantities("3、每万人发明专利拥有量达到15件；4、新建面积200万平方米"):
    ...     print(q.indicator, q.value, q.unit_text, q.comparator.name)
    每万人发明专利拥有量 15 件 EXACTLY
    新建面积 200 万平方米 EXACTLY
    >>> extract_quantities("新建众创空间面积200万平方米")[0].normalized_value
    Decimal('2000000')
    >>> team, = extract_quantities("新引进30个以上高端创新团队（其中3个以上国际顶尖创新团队）")
    >>> team.indicator, team.value, team.comparator.name, team.written_as
    ('新引进高端创新团队', Decimal('30'), 'AT_LEAST', '30个以上')
    >>> [(c.indicator, c.value, c.start) for c in team.children]
    [('国际顶尖创新团队', Decimal('3'), 17)]
    >>> [(q.indicator, q.value) for q in extract_quantities("培育3个千亿级、两个百亿级产业集群")]
    [('培育千亿级产业集群', Decimal('3')), ('培育百亿级产业集群', Decimal('2'))]
    >>> extract_quantities("实现各类人才服务“一站式”办理；出台《行动计划（2015-2017年）》")
    []
    """
    cell = _Cell(text)
    # a clause without a candidate yields nothing: a cell without one need not be split at all
    return _process(cell, 0, len(text)) if cell.found else []
