"""The issuing jurisdiction of a plan: 国家, a province, a city, a county or district, or a zone.

Evidence, strongest first: the user (``fenjie build --jurisdiction 浙江省``), the plan's own 文号 on a
line of its own (浙政办发〔2022〕12号 → 浙江省), the issuer of the notice (浙江省人民政府办公厅关于印发…),
the title (杭州市…方案), and last the places the plan's units are named after (湖南银监局, 长沙市人民
政府) together with the level of its short names (省科技厅 → a province). The addressee line of the
notice (各市州人民政府，省政府各厅委 → a province) gives the level when nothing names the place.
A 文号 cited inside the text ("根据《…》（国发〔2015〕1号）") is not the plan's own and is ignored.

>>> detect(title="浙江省数字经济发展工作要点", preamble=["浙政办发〔2022〕12号"]).place.name
'浙江省'
>>> detect(title="重点工作任务分解方案", preamble=["各区县（市）人民政府，市政府各部门："]).describe()
'未知（市级，依据：主送单位）：简称单位保持原文，不作解析'
>>> detect(title="青山县2023年重点工作任务分解方案").describe()
'青山县（县区级，依据：标题；不在行政区划表中）'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fenjie.errors import ParameterError
from fenjie.graph._places import NATIONAL, Gazetteer, Level, Place

__all__ = ["Jurisdiction", "detect", "parse_place"]

# A 文号: issuer code, year in brackets, number, 号.
_DOC_NUMBER = re.compile(
    r"(?P<code>[\u4e00-\u9fff]{1,8})\s*[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*\d{1,4}\s*号"
)
# The plan's own 文号 stands on a line of its own, or after a 文号 label (a web page's metadata)
_OWN_DOC_NUMBER = re.compile(r"(?:^|文\s*号\s*[:：]?\s*)(?=[\u4e00-\u9fff]{1,8}\s*[〔\[［(（【])")
_NATIONAL_CODES = ("国发", "国办发", "国函", "国办函", "中发", "中办发")
# City governments whose 文号 prefixes use a character no other place's does (甬 宁波, 穗 广州, 榕
# 福州, 筑 贵阳 …). Prefixes such as 长政 (长沙, and 长兴县 too) or 昆政 (昆明, and 昆山) are not here.
_CITY_CODES = {
    "甬政": "330200",
    "穗府": "440100",
    "深府": "440300",
    "成府": "510100",
    "榕政": "350100",
    "厦府": "350200",
    "筑府": "520100",
    "郑政": "410100",
}
# Province prefixes a city shares (宁政发: 宁夏 and 南京; 青政发: 青海 and 青岛): not evidence alone.
_AMBIGUOUS_PROVINCE_CODES = {"宁", "青"}
_ISSUER = re.compile(r"^(?:中共)?(?P<issuer>[\u4e00-\u9fff]{2,30}?)关于印发")
_ISSUER_LINE = re.compile(
    r"^(?:中共)?[\u4e00-\u9fff]{2,20}(?:人民政府|人民政府办公厅|人民政府办公室|委员会|委办公厅|委办公室|管委会|管理委员会)$"
)
_LEADING_NOISE = re.compile(r"^(?:附件\s*\d*[:：]?\s*|关于印发|中共|(?:19|20)\d{2}年(?:度)?)+")
_OFF_LIST = re.compile(r"^(?P<name>[\u4e00-\u9fff]{1,4}?(?:县|旗|自治县))(?=[\u4e00-\u9fff\d]|$)")
_ZONE = re.compile(
    r"^(?P<name>[\u4e00-\u9fff]{0,12}?(?:经济技术开发区|高新技术产业开发区|开发区|高新区|经开区|新区))"
)
_ZONE_NAMED = re.compile(
    r"^(?P<stem>[\u4e00-\u9fff]{2,3}?)"
    r"(?P<zone>经济技术开发区|高新技术产业开发区|经济开发区|高新区|经开区|开发区)"
)
_LEVEL_WORD = re.compile(r"(?:省|市|县|区|自治州|地区)$")
_ADDRESSEE_LEVELS = (
    (re.compile(r"各省、自治区、直辖市|国务院各部委|国务院各"), Level.NATIONAL),
    (
        re.compile(
            r"各市州|各市、县|各设区市|各地级市|各市人民政府|各市（州）|省直|省政府各|省级各"
        ),
        Level.PROVINCE,
    ),
    (
        re.compile(r"各区县|各县（市、区）|各县\(市、区\)|各区、县|各县市区|市直|市政府各|市级各"),
        Level.CITY,
    ),
    (re.compile(r"各乡镇|各街道|县直|区直|县政府各|区政府各|各乡、镇"), Level.COUNTY),
)
_LEVEL_PREFIX = {
    "省": Level.PROVINCE,
    "市": Level.CITY,
    "州": Level.CITY,
    "县": Level.COUNTY,
    "区": Level.COUNTY,
}


@dataclass(frozen=True)
class Jurisdiction:
    """Where a plan was issued: ``place`` is None when unknown (``level`` may still be known)."""

    place: Place | None
    level: Level | None
    evidence: str  # user, docnumber, issuer, title, units, addressee, "" (unknown)
    written: str = ""  # the text that gave it

    @property
    def known(self) -> bool:
        return self.place is not None

    def describe(self) -> str:
        """One line for the build summary (Chinese first, as users read it)."""
        source = {
            "user": "--jurisdiction",
            "docnumber": f"文号 {self.written}",
            "issuer": f"发文机关 {self.written}",
            "title": "标题",
            "units": f"单位名称 {self.written}",
            "addressee": "主送单位",
        }.get(self.evidence, "")
        if self.place is None:
            level = f"（{self.level.zh}级，依据：{source}）" if self.level else ""
            return "未知" + level + "：简称单位保持原文，不作解析"
        off_list = "" if self.place.code else "；不在行政区划表中"
        return f"{self.place.name}（{self.place.level.zh}级，依据：{source}{off_list}）"


UNKNOWN = Jurisdiction(None, None, "")


def parse_place(text: str, *, gazetteer: Gazetteer | None = None) -> Place | None:
    """A place as written at the start of ``text``: 浙江省杭州市西湖区 → 西湖区 (inside 杭州市), a zone
    after a place (杭州高新区), a county off the list (青山县2023年…). None if nothing fits.

    >>> parse_place("浙江省杭州市西湖区").name, parse_place("杭州高新区工作要点").parent
    ('西湖区', '330100')
    >>> parse_place("国家") is None
    True
    >>> p = parse_place("湖南省青山县"); p.name, p.parent
    ('青山县', '430000')
    """
    g = gazetteer or Gazetteer.load()
    text = _LEADING_NOISE.sub("", text.strip())
    place: Place | None = None
    rest = text
    while (hit := g.at_start(rest, inside=place)) is not None:
        place, rest = hit[0], rest[hit[1] :]
    if place is not None:
        zone = _ZONE.match(rest)
        if zone:  # zones are named by the place without its level word: 霍山经济开发区
            stem = _LEVEL_WORD.sub("", place.name) if len(place.name) > 2 else place.name
            return Place("", stem + zone["name"], Level.ZONE, place.code)
        off = _OFF_LIST.fullmatch(rest) or _OFF_LIST.match(rest)
        if off and place.level is not Level.COUNTY:  # a county the list does not have, inside it
            return Place("", off["name"], Level.COUNTY, place.code)
        return place
    zone = _ZONE_NAMED.match(text)  # 霍山经济开发区: the place 霍山县 without its level word
    if zone:
        for word in ("县", "市", "区"):
            home = g.named(zone["stem"] + word)
            if home is not None:
                return Place("", zone["stem"] + zone["zone"], Level.ZONE, home.code)
    off = _OFF_LIST.match(text)
    if off and not off["name"].startswith(("某", "各", "全")):
        return Place("", off["name"], Level.COUNTY)
    return None


def _own_doc_number(line: str) -> re.Match[str] | None:
    """The 文号 starting the line or following a 文号 label (not one cited in the text)."""
    for start in _OWN_DOC_NUMBER.finditer(line.strip()):
        if m := _DOC_NUMBER.match(line.strip(), start.end()):
            return m
    return None


def _from_doc_number(lines: Sequence[str], g: Gazetteer) -> tuple[Place, str] | None:
    """The plan's own 文号: on a line of its own or starting the line (not cited in the text)."""
    for line in lines:
        m = _own_doc_number(line)
        if not m:
            continue
        code, written = m["code"], m.group(0)
        if code.startswith(_NATIONAL_CODES):
            return NATIONAL, written
        for prefix, city in _CITY_CODES.items():
            if code.startswith(prefix):
                return g.by_code[city], written
        if code[0] in _AMBIGUOUS_PROVINCE_CODES:
            continue
        for place in g.by_code.values():
            if place.docprefix and code.startswith(place.docprefix) and len(code) > 1:
                return place, written
    return None


def _from_doc_number_initial(
    lines: Sequence[str], level: Level | None, units: Sequence[str], g: Gazetteer
) -> tuple[Place, str] | None:
    """A county's or city's own 文号 begins with its first character (蔡政办 for 蔡甸区): taken only
    when the level is known (addressee line) and exactly one place of that level, of the kind its
    units name (区发改局: a district), begins so."""
    if level not in (Level.CITY, Level.COUNTY):
        return None
    written = Counter(u[:1] for u in units if u[:1] in ("区", "县"))
    suffix = written.most_common(1)[0][0] if written else ""
    for line in lines:
        m = _own_doc_number(line)
        if not m:
            continue
        initial = m["code"][0]
        found = [
            p
            for p in g.by_code.values()
            if p.level is level and p.name.startswith(initial) and p.name.endswith(suffix)
        ]
        if len(found) == 1:
            return found[0], m.group(0)
    return None


def _from_issuer(lines: Sequence[str], g: Gazetteer) -> tuple[Place, str] | None:
    """The issuer of the notice (浙江省人民政府办公厅关于印发…), or its signature line (蔡甸区人民
    政府办公室, on a line of its own)."""
    for line in lines:
        text = line.strip()
        m = _ISSUER.match(text)
        issuer = m["issuer"] if m else text if _ISSUER_LINE.match(text) else ""
        if not issuer:
            continue
        if issuer.startswith(("国务院", "国家")):
            return NATIONAL, issuer
        place = parse_place(issuer, gazetteer=g)
        if place is not None:
            return place, issuer
    return None


def _level_from_addressees(lines: Sequence[str]) -> Level | None:
    for line in lines:
        text = line.strip()
        if not text.startswith("各") or not text.endswith(("：", ":")):
            continue
        for pattern, level in _ADDRESSEE_LEVELS:
            if pattern.search(text):
                return level
    return None


def _from_units(units: Iterable[str], g: Gazetteer) -> tuple[Place, str] | None:
    """The place the plan's units share, at the level their short names say (省科技厅 → 省)."""
    named: list[tuple[str, Place]] = []
    prefixes: Counter[Level] = Counter()
    for unit in units:
        name = unit.removeprefix("中共")
        hit = g.at_start(name)
        if hit is not None:
            named.append((unit, hit[0]))
        elif name[:1] in _LEVEL_PREFIX:
            prefixes[_LEVEL_PREFIX[name[:1]]] += 1
    if not named or not prefixes:
        return None
    level = prefixes.most_common(1)[0][0]
    places = {g.ancestor_at(p, level) for _, p in named}
    if len(places) != 1 or None in places:
        return None
    (place,) = places
    assert place is not None
    return place, "、".join(dict.fromkeys(u for u, _ in named))


def detect(
    *,
    title: str,
    preamble: Sequence[str] = (),
    units: Iterable[str] = (),
    given: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> Jurisdiction:
    """The plan's jurisdiction from the strongest evidence available (see the module docs).

    ``given`` (the user's ``--jurisdiction``) must name a place; a name that does not raises
    :class:`~fenjie.errors.ParameterError`.
    """
    g = gazetteer or Gazetteer.load()
    if given:
        place = (
            NATIONAL
            if given.strip() in ("国家", "全国", "中央")
            else parse_place(given, gazetteer=g)
        )
        if place is None:
            raise ParameterError(
                f"--jurisdiction {given!r} 不是已知的省、市、县区或园区 "
                "(names no province, city, county or zone)",
                parameter="jurisdiction",
            )
        return Jurisdiction(place, place.level, "user", given)
    lines = [title, *preamble]
    if found := _from_doc_number(lines, g):
        return Jurisdiction(found[0], found[0].level, "docnumber", found[1])
    if found := _from_issuer(lines, g):
        return Jurisdiction(found[0], found[0].level, "issuer", found[1])
    if title and (place := parse_place(title, gazetteer=g)) is not None:
        return Jurisdiction(place, place.level, "title", title)
    names = list(units)
    if found := _from_units(names, g):
        return Jurisdiction(found[0], found[0].level, "units", found[1])
    level = _level_from_addressees(preamble)
    if found := _from_doc_number_initial(lines, level, names, g):
        return Jurisdiction(found[0], found[0].level, "docnumber", found[1])
    return Jurisdiction(None, level, "addressee" if level else "")
