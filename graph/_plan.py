"""The plan as a document: its title, 文号, issuer, date, and the documents it implements or is
based on, read from the notice that publishes it (the lines before the plan's body).

A notice says why the plan exists: "为贯彻落实《X》" (the plan implements X), "根据《X》" / "依据《X》"
/ "按照《X》" (it is based on X). Other titles in the notice are plain references; the notice's own
"现将《本方案》印发给你们" names the plan itself.

>>> notice = read_notice("长兴县2023年重点工作任务分解方案", [
...     "长兴县人民政府办公室关于印发长兴县2023年重点工作任务分解方案的通知",
...     "长政办发〔2023〕8号",
...     "为贯彻落实《浙江省数字经济发展2022年工作要点》，根据《长兴县国民经济和社会发展规划》，现将"
...     "《长兴县2023年重点工作任务分解方案》印发给你们。",
...     "2023年2月10日",
... ])
>>> notice.doc_number, notice.issuer, notice.date
('长政办发〔2023〕8号', '长兴县人民政府办公室', '2023-02-10')
>>> [(link.relation, link.title) for link in notice.links]
[('implements', '浙江省数字经济发展2022年工作要点'), ('based_on', '长兴县国民经济和社会发展规划')]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

__all__ = ["NoticeLink", "PlanNotice", "bracketed_titles", "read_notice"]

_DOC_NUMBER = re.compile(
    r"^[\u4e00-\u9fff]{1,8}\s*[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*\d{1,4}\s*号$"
)
_ISSUER_TITLE = re.compile(r"^(?P<issuer>[\u4e00-\u9fff、]{2,40}?)关于印发")
_ISSUER_LINE = re.compile(
    r"^[\u4e00-\u9fff]{2,30}(?:人民政府|办公厅|办公室|委员会|管委会|领导小组|工作组|指挥部|局|厅)$"
)
_DATE = re.compile(r"^(?P<y>(?:19|20)\d{2})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$")
_TITLE = re.compile(r"《(?P<title>(?:[^《》]|《[^《》]*》)+)》")
_VERBS = re.compile(r"(?P<implements>贯彻落实|贯彻|落实)|(?P<based_on>根据|依据|按照|依照)")
# A verb reaches the titles of its clause: "为贯彻落实《A》和《B》，根据《C》，现将《D》印发"
_CLAUSE = re.compile(r"[^。；;！？，,]+")


@dataclass(frozen=True)
class NoticeLink:
    """A document the plan implements (``implements``) or is based on (``based_on``)."""

    relation: str
    title: str
    written_as: str
    line: int  # 0 for the title, k for preamble line k


@dataclass
class PlanNotice:
    title: str
    doc_number: str = ""
    issuer: str = ""
    date: str = ""  # ISO date when the notice states one
    links: list[NoticeLink] = field(default_factory=list)


def _iso(match: re.Match[str]) -> str:
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"])).isoformat()
    except ValueError:  # 2月30日: not a date
        return ""


def bracketed_titles(text: str) -> list[tuple[int, str, str]]:
    """Every 《title》 in ``text`` with nested 〈〉 or 《》 kept: (start, title, as written).

    >>> bracketed_titles("落实《关于印发〈X方案〉的通知》")
    [(2, '关于印发〈X方案〉的通知', '《关于印发〈X方案〉的通知》')]
    """
    return [(m.start(), m["title"].strip(), m.group(0)) for m in _TITLE.finditer(text)]


def read_notice(title: str, preamble: Sequence[str]) -> PlanNotice:
    """What the notice before a plan says about it (see the module docs)."""
    notice = PlanNotice(title)
    for k, line in enumerate(preamble, start=1):
        text = line.strip()
        if not notice.doc_number and _DOC_NUMBER.match(text):
            notice.doc_number = re.sub(r"\s+", "", text)
        elif not notice.issuer and (m := _ISSUER_TITLE.match(text)):
            notice.issuer = m["issuer"]
        elif not notice.issuer and _ISSUER_LINE.match(text) and text != title:
            notice.issuer = text
        elif not notice.date and (d := _DATE.match(text)):
            notice.date = _iso(d)
        for clause in _CLAUSE.finditer(text):
            notice.links.extend(_links(clause.group(0), k, title))
    return notice


def _links(clause: str, line: int, plan_title: str) -> list[NoticeLink]:
    """Titles that follow 贯彻落实 / 根据 in one clause (the nearest verb before each title)."""
    links = []
    for start, title, written in bracketed_titles(clause):
        if title == plan_title:
            continue
        verbs = list(_VERBS.finditer(clause, 0, start))
        if not verbs:
            continue
        relation = "implements" if verbs[-1]["implements"] else "based_on"
        links.append(NoticeLink(relation, title, written, line))
    return links
