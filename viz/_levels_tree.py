"""The decomposition tree as one HTML page: a plan's work items, the lower-level work items that
carry each down (province → city → county …) and the units of each, coloured by role (牵头 /
共同负责 / 配合), every branch collapsible (``<details>``), 断档 marked. Chinese, offline (no file,
font or script from elsewhere).

The page takes the answer of :func:`fenjie.queries.levels.decomposition_tree` as it is; every text
from the plans is escaped, so a work item named ``<img src=x onerror=alert(1)>`` shows literally.

>>> html = levels_tree_html({"plan": {"iri": "t", "title": "<b>省表</b>"}, "work_items": []})
>>> "&lt;b&gt;省表&lt;/b&gt;" in html and "<b>省表" not in html
True
"""

from __future__ import annotations

from html import escape
from typing import Any

from fenjie.roles import Role

__all__ = ["ROLE_COLOURS", "levels_tree_html"]

#: role value → colour of its units (the legend says which)
ROLE_COLOURS = {"lead": "#c0392b", "responsible": "#d68910", "supporting": "#2471a3"}

_CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif;
       margin: 1.5em auto; max-width: 70em; color: #222; line-height: 1.6; padding: 0 1em; }
h1 { font-size: 1.4em; margin-bottom: .2em; }
.legend span { display: inline-block; margin-right: 1.2em; }
.legend i { display: inline-block; width: .9em; height: .9em; margin-right: .3em;
            vertical-align: -.1em; border-radius: 2px; }
.tools button { margin: .8em .5em .8em 0; font: inherit; }
details { margin: .15em 0 .15em 1.3em; }
details.level0 { margin-left: 0; }
summary { cursor: pointer; }
summary .label { font-weight: 600; }
summary .plan, summary .score, summary .category { color: #666; font-size: .88em; margin-left: .6em; }
.units { margin: .1em 0 .2em 1.3em; padding: 0; list-style: none; }
.units li { display: inline-block; margin: .1em .4em .1em 0; padding: 0 .45em; border-radius: 3px;
            color: #fff; font-size: .9em; }
.gap { color: #a11; font-size: .88em; margin-left: .6em; border: 1px solid #a11; border-radius: 3px;
       padding: 0 .3em; }
.leaf { color: #888; font-size: .88em; margin-left: 1.3em; }
"""
_CSS += "".join(
    f".role-{role} {{ background: {colour}; }}\n" for role, colour in ROLE_COLOURS.items()
)

# expand or fold every branch at once: two buttons, no data from the plans
_SCRIPT = """
document.getElementById("expand").onclick = function () {
  document.querySelectorAll("details").forEach(function (d) { d.open = true; });
};
document.getElementById("fold").onclick = function () {
  document.querySelectorAll("details").forEach(function (d) { d.open = false; });
};
"""


def _role_zh(role: str) -> str:
    return Role(role).zh


def _node(node: dict[str, Any], depth: int) -> str:
    label = escape(node["work_item"]["label"] or node["work_item"]["iri"])
    parts = [f'<span class="label">{label}</span>']
    if depth == 0 and node.get("category"):
        parts.append(f'<span class="category">{escape(node["category"])}</span>')
    if depth > 0:
        title = node["plan"].get("title") or node["plan"]["iri"]
        parts.append(f'<span class="plan">{escape(title)}</span>')
        if node.get("score") is not None:
            parts.append(f'<span class="score">匹配分 {float(node["score"]):.1f}</span>')
    for plan in node.get("no_follow_up", []):
        title = plan.get("title") or plan["iri"]
        parts.append(
            f'<span class="gap" title="{escape(title)}">断档：{escape(title)}未承接</span>'
        )
    units = "".join(
        f'<li class="unit role-{escape(u["role"])}" data-role="{escape(u["role"])}">'
        f"{escape(u['unit']['label'] or u['unit']['iri'])}（{_role_zh(u['role'])}）</li>"
        for u in node["units"]
    )
    body = f'<ul class="units">{units}</ul>' if units else ""
    body += "".join(_node(child, depth + 1) for child in node["children"])
    if depth == 0 and not node["children"]:
        body += '<div class="leaf">下级方案无承接</div>'
    return (
        f'<details class="level{min(depth, 3)}" open data-iri="{escape(node["work_item"]["iri"])}">'
        f"<summary>{' '.join(parts)}</summary>{body}</details>"
    )


def levels_tree_html(answer: dict[str, Any]) -> str:
    """The page (see the module docs) for ``answer``, a decomposition tree."""
    plan = answer["plan"].get("title") or answer["plan"]["iri"]
    legend = "".join(
        f'<span><i class="role-{role}"></i>{_role_zh(role)}</span>' for role in ROLE_COLOURS
    )
    legend += '<span><i style="border:1px solid #a11"></i>断档（下级方案未承接）</span>'
    items = "".join(_node(node, 0) for node in answer["work_items"])
    if not items:
        items = "<p>该方案没有工作内容。</p>"
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>分解树：{escape(plan)}</title><style>{_CSS}</style></head><body>"
        f"<h1>分解树：{escape(plan)}</h1>"
        "<p>上级方案的工作 → 下级方案承接的工作 → 承担单位；点击各项可折叠或展开。</p>"
        f'<div class="legend">{legend}</div>'
        '<div class="tools"><button id="expand" type="button">全部展开</button>'
        '<button id="fold" type="button">全部折叠</button></div>'
        f'<main id="tree">{items}</main>'
        f"<script>{_SCRIPT}</script></body></html>\n"
    )
