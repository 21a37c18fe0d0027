"""The coordination-load bar chart for reports: lead / co-responsible / supporting, per unit.

Drawn with matplotlib (Agg) in a CJK font found through ``matplotlib.font_manager`` (Noto Sans CJK
from Debian's ``fonts-noto-cjk``, or Source Han Sans, Microsoft YaHei, PingFang, WenQuanYi,
SimHei); without one the chart is refused with a clear message, never drawn as boxes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from fenjie.errors import FenjieError, ParameterError
from fenjie.roles import Role
from fenjie.viz._data import Backend, load
from fenjie.viz._model import EDGE_STYLES

if TYPE_CHECKING:
    from fenjie.queries import QueryBackend

__all__ = ["CJK_FONTS", "cjk_font", "load_rows", "write_load_chart"]

#: Font families tried in order.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Noto Serif CJK SC",
)
_ROLES = tuple(r.value for r in Role)


def cjk_font() -> str:
    """The path of an installed font with Chinese glyphs; raises if there is none."""
    from matplotlib import font_manager

    by_name: dict[str, str] = {}
    entries = sorted(
        font_manager.fontManager.ttflist, key=lambda e: (abs(_weight(e.weight) - 400), e.fname)
    )
    for entry in entries:
        by_name.setdefault(entry.name, entry.fname)
    for family in CJK_FONTS:
        if family in by_name:
            return by_name[family]
    raise FenjieError(
        "找不到图表所需的中文字体：请安装 fonts-noto-cjk（Debian/Ubuntu：apt-get install "
        "fonts-noto-cjk）或以下之一：" + "、".join(CJK_FONTS) + " (no Chinese (CJK) font found)"
    )


def _weight(value: object) -> int:
    names = {"light": 300, "normal": 400, "regular": 400, "medium": 500, "bold": 700}
    if isinstance(value, (int, float, str)):
        try:
            return int(value)
        except ValueError:
            pass
    return names.get(str(value).lower(), 400)


def load_rows(backend: QueryBackend, *, year: int | None = None) -> list[dict[str, str | int]]:
    """Per unit (busiest first): work items led, co-responsible, supporting.

    The numbers are issue 3's ``coordination_load`` (``responsible`` there is co-responsible);
    the label is the short form the tables use.
    """
    from fenjie.queries import coordination_load

    data = load(backend)
    rows: list[dict[str, str | int]] = []
    for u in coordination_load(backend, year=year, pairs=0)["units"]:
        iri = str(u["unit"]["iri"])
        label = data.units.get(iri, {}).get("label") or u["unit"]["label"]
        rows.append(
            {
                "unit": iri,
                "label": label,
                **{r: int(u[r]) for r in _ROLES},
            }
        )
    rows.sort(key=lambda r: (-sum(int(r[k]) for k in _ROLES), str(r["label"])))
    return rows


def write_load_chart(
    backend: Backend, path: str | os.PathLike[str], *, year: int | None = None
) -> Path:
    """Write the stacked bar chart as PNG or SVG (by the file's suffix)."""
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ParameterError(
            f"图表文件须以 .png 或 .svg 结尾，不能是 {target.name!r} (chart output must end in .png or .svg)",
            parameter="output",
        )
    font_path = cjk_font()
    from fenjie.viz._render import as_backend

    rows = load_rows(as_backend(backend), year=year)
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    font_manager.fontManager.addfont(font_path)
    font = font_manager.FontProperties(fname=font_path)
    fig = Figure(figsize=(9, max(3.0, 0.38 * len(rows) + 1.4)), dpi=150)
    ax = fig.add_subplot()
    labels = [str(r["label"]) for r in rows][::-1]
    left = [0] * len(rows)
    for role in _ROLES:
        values = [int(r[role]) for r in rows][::-1]
        name, color, _ = EDGE_STYLES[role]
        ax.barh(labels, values, left=left, color=color, label=name)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(range(len(labels)), labels, fontproperties=font)
    ax.set_xlabel("工作内容（项）", fontproperties=font)
    title = "协同负担：各单位承担的工作内容" + (f"（{year}年）" if year else "")
    ax.set_title(title, fontproperties=font)
    ax.legend(prop=font, loc="lower right")
    locator = ax.xaxis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # the default AutoLocator: whole work items only
        locator.set_params(integer=True)
    fig.tight_layout()
    fig.savefig(target, format=fmt)
    return target
