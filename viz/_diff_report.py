"""The edition comparison as a report a programme office can circulate: one HTML file, Chinese,
offline (no script, no font or style from elsewhere), printable on A4.

Every text from the plans is escaped: a work item named ``<img src=x onerror=alert(1)>`` shows
literally. The report takes the answer of :func:`fenjie.queries.editions.diff_editions` as it is.

>>> html = diff_report({"old": {"iri": "a", "title": "旧表"}, "new": {"iri": "b", "title": "<b>"},
...     "threshold": 60, "work_items": {"added": [], "dropped": [], "changed": [], "unchanged": 0,
...     "matches": []}, "units": [], "indicators": [], "documents": {"added": [], "dropped": []}})
>>> "&lt;b&gt;" in html and "<b>" not in html
True
"""

from __future__ import annotations

from html import escape
from typing import Any

from fenjie.roles import Role

__all__ = ["CHANGE_ZH", "diff_report", "role_zh"]
CHANGE_ZH = {
    "reworded": "表述调整",
    "moved": "调整所属任务",
    "targets": "年度目标调整",
    "baseline": "前期工作基础调整",
    "units": "分工调整",
}
_DIRECTION_ZH = {"raised": "提高", "lowered": "降低"}

_CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif;
       margin: 2em auto; max-width: 60em; color: #222; line-height: 1.6; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 2px solid #b22; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; }
th, td { border: 1px solid #bbb; padding: .3em .5em; vertical-align: top; text-align: left; }
th { background: #f3f3f3; }
.summary td { text-align: center; font-size: 1.2em; }
.added { color: #06702e; } .dropped { color: #a11; } .score { color: #666; font-size: .9em; }
ul { margin: 0; padding-left: 1.2em; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
               tr { break-inside: avoid; } @page { size: A4; margin: 15mm; } }
"""


def role_zh(role: str | None) -> str:
    """牵头 / 共同负责 / 配合 for a role value; — for none (the unit had no role there)."""
    return "—" if role is None else Role(role).zh


def _t(value: Any) -> str:
    return escape("" if value is None else str(value))


def _item(ref: dict[str, Any]) -> str:
    number = f"{_t(ref.get('number'))}、" if ref.get("number") else ""
    return f"{number}{_t(ref.get('label'))}"


def _change(change: dict[str, Any]) -> str:
    kind = change["kind"]
    name = CHANGE_ZH.get(kind, kind)
    if kind in ("reworded", "moved"):
        return f"{name}：{_t(change['old'])} → {_t(change['new'])}"
    if kind == "targets":
        before = "；".join(change["old"]) or "（无）"
        after = "；".join(change["new"]) or "（无）"
        return f"{name}（{change['year']}年）：{_t(before)} → {_t(after)}"
    if kind == "baseline":
        before = "；".join(change["old"]) or "（无）"
        after = "；".join(change["new"]) or "（无）"
        return f"{name}：{_t(before)} → {_t(after)}"
    if kind == "units":
        parts = [
            f"{_t(u['unit']['label'])} {role_zh(u['old_role'])} → {role_zh(u['new_role'])}"
            for u in change["units"]
        ]
        return f"{name}：" + "；".join(parts)
    return _t(name)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "<p>无。</p>"
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def diff_report(answer: dict[str, Any]) -> str:
    """The HTML page of one comparison (all text escaped)."""
    old, new = answer["old"], answer["new"]
    items = answer["work_items"]
    title = f"分解表版本比对：{_t(old.get('title') or old['iri'])} → {_t(new.get('title') or new['iri'])}"
    summary = _table(
        ["新增工作内容", "删除工作内容", "有变化", "未变化", "单位分工变化", "量化目标调整"],
        [
            [
                str(len(items["added"])),
                str(len(items["dropped"])),
                str(len(items["changed"])),
                str(items["unchanged"]),
                str(len(answer["units"])),
                str(len(answer["indicators"])),
            ]
        ],
    ).replace("<table>", '<table class="summary">', 1)
    changed_rows = [
        [
            _item(c["old"]),
            _item(c["new"]),
            f'<span class="score">{c["score"]:.1f}</span>',
            "<ul>" + "".join(f"<li>{_change(x)}</li>" for x in c["changes"]) + "</ul>",
        ]
        for c in items["changed"]
    ]
    unit_rows = []
    for u in answer["units"]:
        cells = []
        for key, name in (("gained", "新增"), ("lost", "不再承担")):
            cells.append(
                "<br>".join(
                    f"{name}：{_t(x['work_item']['label'])}（{role_zh(x['role'])}）" for x in u[key]
                )
            )
        cells.append(
            "<br>".join(
                f"{_t(x['work_item']['label'])}：{role_zh(x['old_role'])} → "
                f"{role_zh(x['new_role'])}"
                for x in u["role_changed"]
            )
        )
        cells.append("、".join(_t(r["label"]) for r in u["renamed_from"]))
        unit_rows.append([_t(u["unit"]["label"]), *cells])
    indicator_rows = [
        [
            _t(i["indicator"]["label"]),
            _t(f"{i['old_year']}→{i['year']}" if "old_year" in i else i["year"]),
            f"{_t(i['old'])} {_t(i['unit'])}",
            f"{_t(i['new'])} {_t(i['unit'])}",
            _DIRECTION_ZH.get(i["change"], _t(i["change"])),
        ]
        for i in answer["indicators"]
    ]
    documents = answer["documents"]
    doc_rows = [
        ['<span class="added">新增引用</span>', f"《{_t(d['title'] or d['iri'])}》"]
        for d in documents["added"]
    ]
    doc_rows += [
        ['<span class="dropped">不再引用</span>', f"《{_t(d['title'] or d['iri'])}》"]
        for d in documents["dropped"]
    ]
    match_rows = [
        [
            _item(m["old"]),
            _item(m["new"]),
            f"{m['score']:.1f}",
            "有变化" if m["changed"] else "未变化",
        ]
        for m in items["matches"]
    ]
    body = [
        f"<h1>{title}</h1>",
        f"<p>工作内容按名称、内容和所属任务的相似度一一匹配（0–100 分，{_t(answer['threshold'])} 分以上视为同一工作内容）；"
        "机构改革后更名的单位按承继关系视为同一单位。</p>",
        summary,
        "<h2>新增工作内容</h2>",
        _table(
            ["工作内容", "所属任务"], [[_item(i), _t(i.get("category"))] for i in items["added"]]
        ),
        "<h2>删除工作内容</h2>",
        _table(
            ["工作内容", "所属任务"], [[_item(i), _t(i.get("category"))] for i in items["dropped"]]
        ),
        "<h2>有变化的工作内容</h2>",
        _table(["原工作内容", "现工作内容", "匹配分", "变化"], changed_rows),
        "<h2>单位分工变化</h2>",
        _table(["单位", "新增", "不再承担", "角色变化", "更名自"], unit_rows),
        "<h2>量化目标调整</h2>",
        _table(["指标", "年份", "原目标", "现目标", "调整"], indicator_rows),
        "<h2>引用文件变化</h2>",
        _table(["变化", "文件"], doc_rows),
        "<h2>全部匹配</h2>",
        _table(["原工作内容", "现工作内容", "匹配分", "结果"], match_rows),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
