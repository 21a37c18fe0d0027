"""Text in traditional characters (繁体字), read as the simplified text it was converted from.

Plans of the mainland are written in simplified characters. A copy in traditional ones comes from a
government site's 繁体版 button or from a site that converts what it mirrors, often with Taiwan's
phrases as well (优化 → 最佳化, 互联网 → 網際網路, 程序 → 程式). fenjie's role words (牵头单位), unit
names and vocabularies are simplified, so such a text would read as nothing at all, or as units
nobody can find. It is converted back with OpenCC's ``tw2sp`` (traditional characters and Taiwan's
phrases to the mainland's) before it is read, except words mainland plans use every day that the
Taiwan phrase table would turn into others (執行 stays 执行, not 运行; 新增 stays 新增, not 添加); the source's SHA-256 stays that of the bytes as
published, and its recorded encoding says that it was converted.

Some mirror sites also write a character's reading after it, in brackets (``印發(fā)``,
``縣市區(qū)``): where a traditional text holds such readings (at least 3), they are dropped, so that
``各鄉(xiāng)(鎮(zhèn))人民政府`` reads as 各乡(镇)人民政府. A reading is a bracket right after a Chinese
character holding a syllable with a tone mark; ``(a)`` or ``(ABC)`` are never readings.

Only text that is clearly traditional is converted: converting simplified text is not harmless
(``t2s`` turns the given name 乾 into 干), so a text converts when at least 5 % of its Chinese
characters, and at least 10, are traditional forms. Its first 20,000 characters tell (a copy is
converted throughout), so a simplified source costs a few milliseconds, whatever its size.

>>> simplified("（市政府辦公室牽頭，市級各有關部門按職責分工負責）")
('（市政府办公室牵头，市级各有关部门按职责分工负责）', True)
>>> simplified("縣檔案館貫徹執行。新增規模以上工業企業10家，建設智慧城市核心區")[0]
'县档案馆贯彻执行。新增规模以上工业企业10家，建设智慧城市核心区'
>>> simplified("市政府办公室牵头，欧乾震负责")
('市政府办公室牵头，欧乾震负责', False)
>>> simplified("各鄉(xiāng)(鎮(zhèn))人民政府,縣直各有關單位:現(xiàn)將方案印發(fā)給你們。")[0]
'各乡(镇)人民政府,县直各有关单位:现将方案印发给你们。'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import opencc

from fenjie.graph._table import GridRow

__all__ = ["CONVERTED", "simplified", "simplified_cells", "simplified_rows"]

CONVERTED = "繁体转简体"  # added to a source's recorded encoding: "utf-8, 繁体转简体"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SHARE = 0.05
_AT_LEAST = 10


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


# a reading in brackets after a character: a syllable of Latin letters with one tone mark
_READING = re.compile(
    r"(?<=[\u4e00-\u9fff])\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]{1,6}\)"
)
_READINGS_AT_LEAST = 3


_SAMPLE = 20_000  # characters looked at: a copy is converted throughout, so its start tells


def _traditional(text: str) -> bool:
    chinese = _CJK.findall(text, 0, _SAMPLE)
    if len(chinese) < _AT_LEAST:
        return False
    sample = "".join(chinese)
    converted = str(_converter("t2s").convert(sample))
    changed = sum(a != b for a, b in zip(sample, converted, strict=False))
    return changed >= _AT_LEAST and changed >= _SHARE * len(chinese)


# Words mainland plans use every day that OpenCC's Taiwan phrase table turns into other words
# (执行 → 运行, 新增 → 添加, 文件 → 文档, 档案局 → 文件局, 核心区 → 内核区, 智慧城市 → 智能城市):
# a plan is a mainland text, so these keep their characters' reading.
_MAINLAND_WORDS = ("执行", "新增", "文件", "档案", "核心", "智慧", "设定", "专案", "影片")


@cache
def _kept() -> re.Pattern[str]:
    forms = {
        str(_converter(config).convert(word))
        for word in _MAINLAND_WORDS
        for config in ("s2t", "s2tw")
    }
    return re.compile("|".join(sorted(map(re.escape, forms), key=len, reverse=True)))


def _convert(text: str, *, readings: bool) -> str:
    if readings:
        text = _READING.sub("", text)
    phrases, characters = _converter("tw2sp"), _converter("t2s")
    out: list[str] = []
    at = 0
    for m in _kept().finditer(text):
        out += [str(phrases.convert(text[at : m.start()])), str(characters.convert(m.group()))]
        at = m.end()
    out.append(str(phrases.convert(text[at:])))
    return "".join(out)


def simplified(text: str) -> tuple[str, bool]:
    """The text in simplified characters when it is written in traditional ones (readings a
    mirror site wrote after characters dropped), and whether it was converted."""
    if not _traditional(text):
        return text, False  # simplified text, readings or not, is read as written
    return _convert(text, readings=len(_READING.findall(text)) >= _READINGS_AT_LEAST), True


def simplified_rows(rows: Sequence[GridRow]) -> tuple[list[GridRow], bool]:
    """A Word document's or PDF's rows (paragraphs or table rows) in simplified characters when
    their text, taken together, is traditional; and whether they were converted.

    >>> rows, converted = simplified_rows([GridRow(("牽頭單位", "責任單位：縣財政局、縣稅務局"), 1)])
    >>> rows[0].cells, converted
    (('牵头单位', '责任单位：县财政局、县税务局'), True)
    """
    cells, converted = simplified_cells([row.cells for row in rows])
    if not converted:
        return list(rows), False
    return [
        GridRow(tuple(c), row.line, row.location) for c, row in zip(cells, rows, strict=True)
    ], True


def simplified_cells(rows: Sequence[Sequence[str]]) -> tuple[list[list[str]], bool]:
    """Rows of cells (a workbook's sheets) in simplified characters when their text, taken
    together, is traditional; and whether they were converted."""
    text = "\n".join(c for row in rows for c in row)
    if not _traditional(text):
        return [list(row) for row in rows], False
    readings = len(_READING.findall(text)) >= _READINGS_AT_LEAST
    return [[_convert(c, readings=readings) for c in row] for row in rows], True
