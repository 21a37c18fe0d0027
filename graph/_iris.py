"""Deterministic, readable ASCII IRIs.

>>> slugify("省科技厅")
'sheng-ke-ji-ting'
>>> slugify("湖南省众创空间管理办法（试行）", max_syllables=4)
'hu-nan-sheng-zhong'
>>> hashed_slug("省科技厅")
'sheng-ke-ji-ting-80185a'
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from pypinyin import lazy_pinyin

__all__ = ["hashed_slug", "slugify"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)  # pinyin conversion dominates building; names repeat across rows
def slugify(text: str, *, max_syllables: int = 12) -> str:
    """Lower-case ASCII slug of ``text``: Chinese as toneless pinyin, words joined by hyphens."""
    words: list[str] = []
    for token in lazy_pinyin(text, errors="default"):
        words.extend(w for w in _NON_ALNUM.split(token.lower()) if w)
    return "-".join(words[:max_syllables]) or "x"


def hashed_slug(text: str, *, max_syllables: int = 12) -> str:
    """:func:`slugify` plus six hex digits of the text's SHA-1, so distinct texts never collide."""
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]
    return f"{slugify(text, max_syllables=max_syllables)}-{digest}"
