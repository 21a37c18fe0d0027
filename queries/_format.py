"""Plain-text tables and CSV for the query commands (CJK characters count double)."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from typing import Any

__all__ = ["csv_text", "path_text", "text_table", "width"]


def width(text: str) -> int:
    """Display width: wide and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(value: Any, limit: int) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    if width(text) <= limit:
        return text
    out, used = [], 0
    for c in text:
        w = width(c)
        if used + w > limit - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def text_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, limit: int = 60) -> str:
    """An aligned plain-text table; long cells are cut to ``limit`` columns with an ellipsis.

    >>> print(text_table(["a", "单位"], [[1, "省科技厅"]]))
    a  单位
    -  --------
    1  省科技厅
    """
    cells = [[_cell(v, limit) for v in row] for row in rows]
    heads = [_cell(h, limit) for h in headers]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(heads)]

    def line(values: Sequence[str]) -> str:
        padded = [v + " " * (w - width(v)) for v, w in zip(values, widths, strict=True)]
        return "  ".join(padded).rstrip()

    out = [line(heads), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV with a header row (values as text, ``None`` as empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def path_text(path: Sequence[dict[str, Any]], *, limit: int = 16) -> str:
    """A dependency path as text: ``目标 —fj:workItem→ 工作内容 ←fj:workItem— …``."""
    parts = []
    for step in path:
        if "edge" in step:
            parts.append(f"←{step['edge']}—" if step.get("inverse") else f"—{step['edge']}→")
        else:
            parts.append(_cell(step.get("label") or step.get("iri"), limit))
    return " ".join(parts)
