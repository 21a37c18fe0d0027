"""Role text as list-form plans write it: labels, units, and clauses that are not units.

Plans name who does a task in several ways::

    牵头单位：县工信局；责任单位：县发改局、县财政局
    协同责任单位：省发展改革委、省财政厅、省税务局等。
    部门分工：省发展改革委牵头，各地、各部门配合。
    （省发展改革委牵头，省财政厅、省商务厅按职责分工负责）
    〔责任单位：省发展改革委、商务厅按职责分工负责。具体任务均涉及相关市(州)人民政府，不再做分工，下同。〕

This module finds the role labels (:data:`LABEL`), splits a role's value into units, and keeps
what is not a unit (按职责分工负责, 分别牵头, 下同, 不再列出, 具体任务涉及…, a trailing 等) as notes.

>>> split_role_value("省发展改革委、省市场监管局按职责分工负责。具体任务均涉及相关市(州)人民政府,不再做分工,下同。")
(['省发展改革委', '省市场监管局'], ['按职责分工负责', '具体任务均涉及相关市(州)人民政府,不再做分工,下同'])
>>> split_role_value("市税务局、人行阜阳中心支行等。")
(['市税务局', '人行阜阳中心支行'], ['等'])
>>> split_role_value("市经信局、中新苏滁高新区管委会等,各县、市、区政府。")
(['市经信局', '中新苏滁高新区管委会', '各县、市、区政府'], ['等'])
>>> verb_clause("省发展改革委牵头,各地、各部门配合。")
({'lead': ['省发展改革委'], 'supporting': ['各地', '各部门']}, [])
>>> verb_clause("市审改领导小组办公室牵头,分管副市长负责")
({'lead': ['市审改领导小组办公室']}, [])
"""

from __future__ import annotations

import re

from fenjie.graph._cells import split_units

__all__ = [
    "LABEL",
    "ROLE_KINDS",
    "each_leads",
    "find_verb_bracket",
    "label_kind",
    "split_role_value",
    "verb_clause",
]

# Role words by kind; longer words first, so 牵头责任单位 is a lead and 协同责任单位 supports.
_WORDS: dict[str, tuple[str, ...]] = {
    "lead": (
        "牵头责任单位", "牵头责任部门", "主要责任单位", "主要责任部门", "牵头单位", "牵头部门",
        "主办单位", "牵头",
    ),
    "responsible": ("责任单位", "责任部门", "主责单位", "承办单位", "实施单位", "落实单位"),
    "supporting": (
        "协同责任单位", "其他责任单位", "配合责任单位", "配合单位", "配合部门", "协办单位",
        "参与单位", "参与部门", "协助单位", "协同单位", "协作单位",
    ),
    "deadline": ("完成时限", "完成时间", "时间节点", "时限要求", "完成期限", "时限"),
    "division": ("部门分工", "责任分工", "任务分工", "分工"),
}  # fmt: skip
ROLE_KINDS = ("lead", "responsible", "supporting")
# Lines about people (分管省领导：林克庆, 牵头负责领导：刘惠。) are not roles of units.
_PEOPLE = r"(?:牵头|分管|责任|联系|协管|包保)?(?:负责)?(?:省|市|州|县|区)?级?领导|责任人|联系人"
_ALL = sorted(((w, k) for k, ws in _WORDS.items() for w in ws), key=lambda wk: -len(wk[0]))
LABEL = re.compile(
    r"(?P<label>(?P<people>" + _PEOPLE + r")|" + "|".join(re.escape(w) for w, _ in _ALL) + r")"
    r"\s*[:：]\s*"
)
_KIND_OF = dict(_ALL)


def label_kind(match: re.Match[str]) -> str:
    """The kind of a :data:`LABEL` match: a role, ``deadline``, ``division`` or ``people``."""
    if match["people"]:
        return "people"
    return _KIND_OF[re.sub(r"\s", "", match["label"].rstrip(":： \t"))]


# Clauses that say how roles are shared, never units.
_CLAUSE = re.compile(
    r"按职责分工负责|按职责负责|按职责分工落实|按职能职责分工负责|分别牵头|分别负责|按职责分工|"
    r"(?:排在|排名|列)第一位?的?(?:单位)?为牵头|第一责任单位为牵头单位|"
    r"下同|不再列出|不再做分工|具体任务(?:均)?涉及|以下均需|各自负责"
)
_VERBS = {
    "lead": r"分别牵头|牵头负责|牵头",
    "supporting": r"配合|参与|协助|协办|协同|协作",
    "responsible": r"按职责分工负责|按职责负责|按职责分工落实|分别负责|共同负责|负责|落实",
}
_VERB_END = re.compile(
    r"(?P<verb>" + "|".join(f"(?P<{k}>{v})" for k, v in _VERBS.items()) + r")(?:[。.；;，,]*)$"
)
# A deadline written as the last segment of a role bracket, as the State Council's 分工意见 do:
# （国家发展改革委牵头，有关部门按职责分工负责，年内持续推进）, （财政部牵头，6月底前出台）.
_DEADLINE_SEGMENT = re.compile(
    r"^(?P<time>(?:\d{4}年)?(?:年内|年底前?|底前|内|\d{1,2}月(?:底|上旬|中旬|下旬|份)?(?:底前|前)?|"
    r"上半年|下半年|第?[一二三四]季度末?前?))?"
    r"(?P<manner>持续|长期|逐步|分步|分阶段|陆续)?"
    r"(?:推进|完成|出台|落实|坚持|实施|印发|制定|启动|建成|见效|开展|部署)?$"
)


def _deadline_segment(segment: str) -> bool:
    m = _DEADLINE_SEGMENT.match(segment)
    return m is not None and bool(m["time"] or m["manner"]) and len(segment) <= 16


# A person (分管副省长、协管副秘书长负责) is not a unit; a body named after its leaders
# (市行政审批制度改革工作领导小组办公室) is.
_PERSON = re.compile(r"省长|市长|县长|区长|州长|秘书长|书记|主任负责|领导")
_BODY_END = re.compile(r"(?:办公室|办|小组|委员会|委|局|厅|中心|政府|管委会|部门|单位)$")


def _is_person(name: str) -> bool:
    return bool(_PERSON.search(name)) and not _BODY_END.search(name)


_TRAIL = "；;。，,、 \t\u3000"


def _units(text: str) -> tuple[list[str], list[str]]:
    """Units of a list (、，,；; outside brackets); a trailing 等 is a note, not part of a name."""
    units: list[str] = []
    notes: list[str] = []
    for mention in split_units(text):
        name = mention.written
        if name.endswith("等") and len(name) > 2:
            name = name[:-1].rstrip()
            if "等" not in notes:
                notes.append("等")
        if name:
            units.append(name)
    return units, notes


def _clause_notes(text: str) -> tuple[str, list[str]]:
    """Split off clauses that are not units: sentences after the first, a suffix such as
    按职责分工负责, and a trailing bracket holding such a clause."""
    notes: list[str] = []
    text = text.strip().strip(_TRAIL)
    bracket = re.search(r"[（(〔\[【](?P<inner>[^（）()〔〕\[\]【】]*)[）)〕\]】]$", text)
    if bracket and _CLAUSE.search(bracket["inner"]):
        notes.append(bracket["inner"].strip(_TRAIL))
        text = text[: bracket.start()].strip(_TRAIL)
    head, _, rest = text.partition("。")
    rest = rest.strip(_TRAIL)
    suffix = _CLAUSE.search(head)
    if suffix and suffix.start() > 0:
        notes.insert(0, head[suffix.start() :].strip(_TRAIL))
        head = head[: suffix.start()]
    if rest:
        notes.append(rest)
    return head.strip(_TRAIL), notes


def split_role_value(value: str) -> tuple[list[str], list[str]]:
    """The units named by one role's value and the notes (clauses that are not units).

    >>> split_role_value("市人力社保局、市农业农村局分别牵头")
    (['市人力社保局', '市农业农村局'], ['分别牵头'])
    """
    head, notes = _clause_notes(value)
    units, more = _units(head)
    return units, notes + [n for n in more if n not in notes]


def each_leads(notes: list[str]) -> bool:
    """Whether a role value's notes say that each unit it names leads (``A、B分别牵头``), whatever
    its label: ``责任单位：A、B分别牵头`` makes both lead, not only the first listed."""
    return "分别牵头" in notes


def verb_clause(text: str) -> tuple[dict[str, list[str]], list[str]] | None:
    """Roles written with verbs: ``A牵头，B、C配合``; ``None`` when ``text`` is not such a clause.

    Segments about people (分管副省长负责) are dropped; 分别牵头 and 按职责分工负责 stay as notes. A
    deadline after the roles (``…，年内持续推进``) is given under the key ``"deadline"``.

    >>> verb_clause("国务院各部门分别负责,年内持续推进")
    ({'responsible': ['国务院各部门'], 'deadline': ['年内持续推进']}, ['分别负责'])
    """
    roles: dict[str, list[str]] = {}
    notes: list[str] = []
    pieces = re.split(r"([，,；;。])", text)
    segments = [(s.strip(_TRAIL), pieces[k + 1] if k + 1 < len(pieces) else "")
                for k, s in enumerate(pieces) if k % 2 == 0 and s.strip(_TRAIL)]  # fmt: skip
    if not segments:
        return None
    joiner = ""  # a clause goes on over commas (具体任务涉及各乡镇，不再列出): its separator
    for segment, separator in segments:
        if roles and _deadline_segment(segment):  # after the roles: 年内持续推进, 6月底前出台
            roles.setdefault("deadline", []).append(segment)
            joiner = ""
            continue
        match = _VERB_END.search(segment)
        if match is None:
            if joiner:
                notes[-1] += joiner + segment
            elif _CLAUSE.search(segment):
                notes.append(segment)
            else:
                return None
            joiner = separator if separator in "，," else ""
            continue
        joiner = ""
        who = segment[: match.start()].strip(_TRAIL)
        if not who:
            return None
        if all(_is_person(name) for name in _units(who)[0]):
            continue
        kind = next(k for k in _VERBS if match[k])
        if match["verb"] not in ("牵头", "负责", "配合", "参与", "协助", "协办", "协同", "协作"):
            notes.append(match["verb"])
        parts = re.split(r"(?<=[\u4e00-\u9fff）)])及(?=[各省市县区州])", who)
        for part in parts:
            units, more = _units(part)
            roles.setdefault(kind, []).extend(u for u in units if not _is_person(u))
            notes += [n for n in more if n not in notes]
    if not roles:
        return None
    return roles, notes


_VERB_BRACKET = re.compile(
    r"[（(〔\[【](?P<inner>[^（）()〔〕\[\]【】]{2,200})[）)〕\]】][。；;]?\s*$"
)


def find_verb_bracket(line: str) -> tuple[int, dict[str, list[str]], list[str]] | None:
    """A bracket at the end of a task line that assigns roles with verbs: where it starts, the
    roles and the notes.

    >>> start, roles, notes = find_verb_bracket("1.建园区。(县工信局牵头,县财政局配合)")
    >>> start, roles
    (6, {'lead': ['县工信局'], 'supporting': ['县财政局']})
    """
    match = _VERB_BRACKET.search(line)
    if match is None:
        return None
    parsed = verb_clause(match["inner"])
    if parsed is None:
        return None
    return match.start(), parsed[0], parsed[1]
