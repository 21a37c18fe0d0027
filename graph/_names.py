"""The one unit-name normaliser: how two written unit names are compared everywhere in fenjie.

Building (registry and vocabulary look-ups), questions (``fenjie obligations 省 科技厅``) and views
all compare names through :func:`normalize_unit_name`, so a name that finds a unit in one place
finds it in all of them.

>>> normalize_unit_name(" 省文化厅（文化 创意） ")
'省文化厅(文化创意)'
>>> normalize_unit_name("ＨＵＮＡＮ Office") == normalize_unit_name("hunan office")
True
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_unit_name"]

_SPACE = re.compile(r"\s+")


def normalize_unit_name(name: str) -> str:
    """Name as compared: NFKC (full-width brackets and letters made ASCII), no white space, case
    folded. Written forms are kept elsewhere; this is only for comparing."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", name)).casefold()
