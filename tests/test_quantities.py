"""Tests for fenjie.graph._quantities: quantities in target text."""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fenjie.graph._quantities import (
    MEASURE_WORDS,
    SCALES,
    UNSCALED,
    Comparator,
    Quantity,
    extract_quantities,
    parse_chinese_number,
)

TABLE = "changzhutan-innovation-zone-2017-2019.tsv"
AT_LEAST, EXACTLY = Comparator.AT_LEAST, Comparator.EXACTLY


def target_cells() -> dict[tuple[str, int], list[str]]:
    """Every non-empty 年目标 cell of the bundled table, keyed by (work item, year)."""
    text = resources.files("fenjie").joinpath("examples", TABLE).read_text(encoding="utf-8")
    cells: dict[tuple[str, int], list[str]] = {}
    years: dict[int, int] = {}
    for line in text.splitlines():
        row = line.split("\t")
        header = {i: re.fullmatch(r"(\d{4})\s*年目标", c.strip()) for i, c in enumerate(row)}
        if any(header.values()):
            years = {i: int(m.group(1)) for i, m in header.items() if m}
            continue
        for i, year in years.items():
            if i < len(row) and row[i].strip():
                cells.setdefault((row[1].strip(), year), []).append(row[i])
    return cells


def summary(q: Quantity) -> tuple:
    return (q.indicator, q.value, q.unit_text, q.comparator, tuple(map(summary, q.children)))


CLUSTERS = "创新型科技企业孵化器或创新创业园"
EXPECTED: dict[tuple[str, int], list[tuple]] = {
    ("5、营造创新创业环境", 2017): [
        ("每万人发明专利拥有量", 15, "件", EXACTLY, ()),
        ("新建众创空间面积", 200, "万平方米", EXACTLY, ()),
    ],
    ("5、营造创新创业环境", 2018): [
        ("每万人发明专利拥有量", 18, "件", EXACTLY, ()),
        ("新建众创空间面积", 200, "万平方米", EXACTLY, ()),
        ("新建" + CLUSTERS, 3, "个", EXACTLY, ()),
    ],
    ("5、营造创新创业环境", 2019): [
        ("新建众创空间面积", 200, "万平方米", EXACTLY, ()),
        ("每万人发明专利拥有量", 20, "件", EXACTLY, ()),
        ("建好" + CLUSTERS, 5, "个", EXACTLY, ()),
    ],
    **{
        ("1、高层次人才聚集示范", year): [
            (
                "新引进高端创新团队",
                n,
                "个",
                AT_LEAST,
                (("国际顶尖创新团队", k, "个", AT_LEAST, ()),),
            )
        ]
        for year, n, k in ((2017, 30, 3), (2018, 60, 6), (2019, 100, 10))
    },
    **{
        ("4、创新型产业集群培育", year): [
            (verb + "千亿级产业集群", big, "个", EXACTLY, ()),
            (verb + "百亿级产业集群", mid, "个", EXACTLY, ()),
        ]
        for year, verb, big, mid in (
            (2017, "发展培育", 3, 3),
            (2018, "发展培育", 4, 5),
            (2019, "培育发展", 5, 7),
        )
    },
}


def test_every_target_cell_of_the_bundled_table() -> None:
    cells = target_cells()
    assert len(cells) == 42  # 14 work items x 3 years
    for key, texts in cells.items():
        got = [summary(q) for text in texts for q in extract_quantities(text)]
        assert got == EXPECTED.get(key, []), key


def test_patents_per_10000_people_by_year() -> None:
    cells = target_cells()
    patents = {
        year: [
            (q.value, q.unit_text)
            for q in extract_quantities(cells[("5、营造创新创业环境", year)][0])
            if q.indicator == "每万人发明专利拥有量"
        ]
        for year in (2017, 2018, 2019)
    }
    assert patents == {2017: [(15, "件")], 2018: [(18, "件")], 2019: [(20, "件")]}


def test_normalized_area_and_offsets() -> None:
    text = "4、新建众创空间面积200万平方米。"
    (q,) = extract_quantities(text)
    assert (q.normalized_value, q.normalized_unit) == (Decimal(2_000_000), "平方米")
    assert text[q.start : q.start + len(q.written_as)] == q.written_as == "200万平方米"


def test_bracket_is_a_child_only() -> None:
    (team,) = extract_quantities("新引进30个以上高端创新团队（其中3个以上国际顶尖创新团队）")
    assert team.written_as == "30个以上" and team.start == 3
    (child,) = team.children
    assert (child.written_as, child.start, child.comparator) == ("3个以上", 17, AT_LEAST)


@pytest.mark.parametrize(
    "text",
    [
        "定期召开会议",
        "实现各类人才服务“一站式”办理",
        "出台自创区《空间规划》",
        "遴选布局一批军民融合重大项目",
        "推动与京津冀、长三角、泛珠三角的产业与科技对接",
        "明确了自创区“一区三谷多园”的空间布局和“5+5+X”的产业布局",
        "部署落实“6+4”政策",
        "出台《湖南省大众创业万众创新行动计划（2015-2017年）》",
        "在三市高新区设立分平台",
        "第一个",
        "2017年",
        "1、完善工作机制；（2）编制规划；3.建设网站",
        "统一支持政策",
        "实现网站功能多位一体",
    ],
)
def test_no_quantities(text: str) -> None:
    assert extract_quantities(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("引进三个团队", [("引进团队", 3, "个", EXACTLY)]),
        ("新增两家、十二项", [("新增", 2, "家", EXACTLY), ("新增", 12, "项", EXACTLY)]),
        ("研发投入占比提高到60%", [("研发投入占比", 60, "%", EXACTLY)]),
        ("能耗控制在5%以内", [("能耗", 5, "%", Comparator.AT_MOST)]),
        ("投入不少于10亿元", [("投入", 10, "亿元", AT_LEAST)]),
        ("引进30余家企业", [("引进企业", 30, "家", AT_LEAST)]),
        ("力争超过100名博士", [("博士", 100, "名", AT_LEAST)]),
        (
            "新建3个孵化器、5个众创空间",
            [("新建孵化器", 3, "个", EXACTLY), ("新建众创空间", 5, "个", EXACTLY)],
        ),
    ],
)
def test_general_rules(text: str, expected: list[tuple]) -> None:
    got = [(q.indicator, q.value, q.unit_text, q.comparator) for q in extract_quantities(text)]
    assert got == expected


def test_scaled_units() -> None:
    got = [
        (q.normalized_value, q.normalized_unit)
        for q in extract_quantities("投入1,000万元，建设三千亩")
    ]
    assert got == [(Decimal(10_000_000), "元"), (Decimal(3000), "亩")]


def test_parse_chinese_number_examples() -> None:
    cases = {"三": 3, "两": 2, "十二": 12, "一百": 100, "3.5": Decimal("3.5"), "1,000": 1000}
    assert {s: parse_chinese_number(s) for s in cases} == cases
    assert [parse_chinese_number(s) for s in ("", "站", "十十", "百", "一站式", "3+4")] == [
        None
    ] * 6


# ---------------------------------------------------------------- properties
DIGITS = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """Reference formatter: 0 <= n < 10^5 as a Chinese numeral (十二, 一百零五, 一万零五十)."""
    if n == 0:
        return "零"
    out, zero = "", False
    for place, name in ((10**4, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // place % 10
        if digit:
            out += ("零" if zero and out else "") + DIGITS[digit] + name
            zero = False
        else:
            zero = True
    return out[1:] if out.startswith("一十") else out


@given(st.integers(min_value=0, max_value=99_999))
def test_parse_chinese_number_agrees_with_int(n: int) -> None:
    assert parse_chinese_number(to_chinese(n)) == n
    assert parse_chinese_number(str(n)) == n


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(sorted(MEASURE_WORDS)))
def test_number_and_measure_word_round_trip(n: int, unit: str) -> None:
    text = f"新建{n}{unit}示范基地"
    (q,) = extract_quantities(text)
    assert (q.value, q.unit_text, q.indicator) == (n, unit, "新建示范基地")
    assert q.normalized_unit == MEASURE_WORDS[unit] and q.normalized_value == n


@given(
    st.integers(min_value=1, max_value=10**6),
    st.sampled_from(sorted(SCALES)),
    st.sampled_from(sorted(set(MEASURE_WORDS) - UNSCALED - {"米", "瓦"})),
)
def test_scale_prefixes(n: int, scale: str, unit: str) -> None:
    (q,) = extract_quantities(f"新建{n}{scale}{unit}示范基地")
    assert q.unit_text == scale + unit
    assert q.normalized_value == n * SCALES[scale] and q.normalized_unit == MEASURE_WORDS[unit]


PIECES = list("一二两三十百千万亿零0123456789.,+-个件平方米%（）()《》“”、，；。第级 ") + [
    "以上",
    "以内",
    "达到",
    "其中",
    "新建",
    "产业集群",
    "一站式",
]
NOISY = st.lists(st.sampled_from(PIECES) | st.characters(), max_size=40).map("".join)


def walk(quantities: list[Quantity]):
    for q in quantities:
        yield q
        yield from walk(list(q.children))


@given(NOISY)
def test_never_raises_and_offsets_hold(text: str) -> None:
    for q in walk(extract_quantities(text)):
        assert text[q.start : q.start + len(q.written_as)] == q.written_as
        assert q.normalized_value >= 0 and isinstance(q.comparator, Comparator)
