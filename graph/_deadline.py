"""Deadlines as written (完成时限) and as dates: "2023年6月底前" is 2023-06-30.

A deadline that names no date ("长期坚持", "持续推进") stays text only. Several dates in one text
give the latest ("2023年6月底前完成方案，9月底前建成" ends 2023-09-30); a month without a year takes
the year written before it, else the plan's year.

>>> parse_deadline("2023年6月底前")
datetime.date(2023, 6, 30)
>>> parse_deadline("长期坚持") is None
True
>>> parse_deadline("6月底前", default_year=2024), parse_deadline("2023年底前")
(datetime.date(2024, 6, 30), datetime.date(2023, 12, 31))
"""

from __future__ import annotations

import calendar
import re
from datetime import date

__all__ = ["parse_deadline", "plan_year"]

_CN_NUM = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_CN_NUM.update({"十一": 11, "十二": 12})
_QUARTER = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}
_MONTH = r"(?P<month>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_PATTERN = re.compile(
    r"(?:(?P<year>(?:19|20)\d{2})\s*(?:年|[-./](?=\s*\d)))?\s*"
    r"(?:"
    rf"{_MONTH}\s*(?:月|[-./](?=\s*\d))\s*(?:(?P<day>[0-3]?\d)\s*日?|(?P<part>上旬|中旬|下旬|底|末|中)?)"
    r"|(?P<half>上半年|下半年)"
    r"|第?(?P<quarter>[一二三四1-4])季度(?:末|底)?"
    r"|(?P<yearend>年底|年末|底|末|全年|年内|内)"
    r")"
)


def _month(text: str) -> int:
    return int(text) if text.isdigit() else _CN_NUM[text]


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(text: str, *, default_year: int | None = None) -> date | None:
    """The date a deadline text names (the latest, if several), or ``None`` (see above)."""
    found: list[date] = []
    year = default_year
    for m in _PATTERN.finditer(text):
        if m["year"]:
            year = int(m["year"])
        if year is None:
            continue
        if not m["year"] and m["yearend"] and not m["yearend"].startswith("年"):
            continue  # a bare 底/内 with no year before it names nothing
        try:
            if m["month"]:
                month = _month(m["month"])
                if m["day"]:
                    found.append(date(year, month, int(m["day"])))
                elif m["part"] == "上旬":
                    found.append(date(year, month, 10))
                elif m["part"] in ("中旬", "中"):
                    found.append(date(year, month, 20))
                else:
                    found.append(_last_day(year, month))
            elif m["half"]:
                found.append(_last_day(year, 6 if m["half"] == "上半年" else 12))
            elif m["quarter"]:
                found.append(_last_day(year, _QUARTER[m["quarter"]]))
            elif m["yearend"] or m["year"]:
                found.append(date(year, 12, 31))
        except ValueError:  # 2月30日 and the like: not a date
            continue
    if not found:  # "2023年" alone: within that year
        found = [date(int(y), 12, 31) for y in _BARE_YEAR.findall(text)]
    return max(found) if found else None


_BARE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?!\s*[\d一二三四五六七八九十上下第])")
_YEAR = re.compile(r"(?:19|20)\d{2}(?=\s*年)")


def plan_year(years: list[int], title: str) -> int | None:
    """The one year a plan is about: its only target year, else the only year in its title.

    >>> plan_year([], "湘潭县2023年重点工作任务分解方案"), plan_year([2017, 2018], "")
    (2023, None)
    """
    if len(set(years)) == 1:
        return years[0]
    in_title = set(_YEAR.findall(title))
    return int(in_title.pop()) if len(in_title) == 1 else None
