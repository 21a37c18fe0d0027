"""Text in traditional characters (繁体字), read as the simplified text it was converted from.

Plans of the mainland are written in simplified characters. A copy in traditional ones comes from a
government site's 繁体版 button or from a site that converts what it mirrors, often with Taiwan's
phrases as well (优化 → 最佳化, 互联网 → 網際網路, 程序 → 程式). fenjie's role words (牵头单位), unit
names and vocabularies are simplified, so such a text would read as nothing at all, or as units
nobody can find. It is converted back with OpenCC's ``tw2sp`` (traditional characters and Taiwan's
phrases to the mainland's) before it is read; the source's SHA-256 stays that of the bytes as
published, and its recorded encoding says that it was converted.

Some mirror sites also write a character's reading after it, in brackets (``印發(fā)``,
``縣市區(qū)``): where a traditional text holds such readings (at least 3), they are dropped, so that
``各鄉(xiāng)(鎮(zhèn))人民政府`` reads as 各乡(镇)人民政府. A reading is a bracket right after a Chinese
character holding a syllable with a tone mark; ``(a)`` or ``(ABC)`` are never readings.

Only text that is clearly traditional is converted: converting simplified text is not harmless
(``t2s`` turns the given name 乾 into 干), so a text converts when at least 5 % of its Chinese
characters, and at least 10, are traditional forms.

>>> simplified("（市政府辦公室牽頭，市級各有關部門按職責分工負責）")
('（市政府办公室牵头，市级各有关部门按职责分工负责）', True)
>>> simplified("市政府办公室牵头，欧乾震负责")
('市政府办公室牵头，欧乾震负责', False)
>>> simplified("各鄉(xiāng)(鎮(zhèn))人民政府,縣直各有關單位:現(xiàn)將方案印發(fā)給你們。")[0]
'各乡(镇)人民政府,县直各有关单位:现将方案印发给你们。'
"""

from __future__ import annotations

import re
from functools import cache

import opencc

__all__ = ["CONVERTED", "simplified"]

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


def simplified(text: str) -> tuple[str, bool]:
    """The text in simplified characters when it is written in traditional ones (readings a
    mirror site wrote after characters dropped), and whether it was converted."""
    chinese = _CJK.findall(text)
    if len(chinese) < _AT_LEAST:
        return text, False
    sample = "".join(chinese)
    changed = sum(a != b for a, b in zip(sample, _converter("t2s").convert(sample), strict=False))
    if changed < _AT_LEAST or changed < _SHARE * len(chinese):
        return text, False  # simplified text, readings or not, is read as written
    if len(_READING.findall(text)) >= _READINGS_AT_LEAST:
        text = _READING.sub("", text)
    return _converter("tw2sp").convert(text), True
