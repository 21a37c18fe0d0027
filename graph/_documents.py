"""Find policy documents in cell text: 《titles》, short names, derived documents, bare mentions.

>>> defs = find_short_names(["出台《湖南省关于建设示范区的若干意见》（以下简称《意见》）"])
>>> defs
{'意见': '湖南省关于建设示范区的若干意见'}
>>> [(m.title, m.kind, m.based_on) for m in find_mentions("制定出台《意见》实施细则", defs)]
[('湖南省关于建设示范区的若干意见实施细则', 'produces', '湖南省关于建设示范区的若干意见')]
>>> [(m.title, m.bracketed) for m in find_bare_mentions("推动空间规划实施", ["空间规划"])]
[('空间规划', False)]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "DocumentMention",
    "GENERIC_TITLES",
    "find_bare_mentions",
    "find_mentions",
    "find_short_names",
]

_TITLE = re.compile(r"《(?P<title>[^《》]+)》")
_SHORT_NAME = re.compile(
    r"《(?P<long>[^《》]+)》\s*[（(]\s*以下简称\s*[《“\"](?P<short>[^》”\"]+)[》”\"]\s*[）)]"
)
# A bracketed title followed by one of these names a document of its own, based on the first.
_DERIVED_SUFFIX = re.compile(
    r"(?:的)?(?P<suffix>实施细则|实施办法|实施方案|实施意见|配套政策|配套措施|细则)"
)
# Verbs that issue a document; otherwise a mention refers to it.
_PRODUCE_VERBS = re.compile(r"出台|制定|制订|编制|印发|发布|起草|颁布|修订|编写")
_CLAUSE_BREAK = re.compile(r"[，,；;。：:！？]")
# Titles too generic to name a document unless the table defines them as a short name.
GENERIC_TITLES = frozenset(
    "意见 通知 办法 方案 细则 条例 规定 决定 规划 纲要 计划 实施细则 实施意见 实施方案".split()
)
MIN_BARE_LENGTH = 3  # bare mentions shorter than this (意见, 规划) are too ambiguous to link


@dataclass(frozen=True)
class DocumentMention:
    """A document named in a text: ``title`` resolved, ``written_as`` exactly as in the text."""

    title: str
    written_as: str
    start: int
    bracketed: bool
    kind: str  # "produces" or "refers"
    short_name: str | None = None  # the short name used, when the text used one
    based_on: str | None = None  # for derived documents: the title of the base document


def find_short_names(texts: Iterable[str]) -> dict[str, str]:
    """Short names defined by "（以下简称《X》）" anywhere in the texts: ``{short: long title}``."""
    names: dict[str, str] = {}
    for text in texts:
        for match in _SHORT_NAME.finditer(text):
            names.setdefault(match["short"].strip(), match["long"].strip())
    return names


def _kind(text: str, start: int) -> str:
    clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    return "produces" if _PRODUCE_VERBS.search(text, clause_start, start) else "refers"


def find_mentions(text: str, short_names: dict[str, str]) -> list[DocumentMention]:
    """Every 《title》 in ``text``, with short names resolved and derived documents recognised.

    The short name in its own definition ("（以下简称《意见》）") is not a separate mention.
    """
    definitions = {m.start("short") - 1 for m in _SHORT_NAME.finditer(text)}
    mentions = []
    for match in _TITLE.finditer(text):
        if match.start() in definitions:
            continue
        written = match["title"].strip()
        title = short_names.get(written, written)
        short = written if written in short_names else None
        derived = _DERIVED_SUFFIX.match(text, match.end())
        if derived:
            mentions.append(
                DocumentMention(
                    title=title + derived["suffix"],
                    written_as=text[match.start() : derived.end()],
                    start=match.start(),
                    bracketed=True,
                    kind=_kind(text, match.start()),
                    short_name=(written + derived["suffix"]) if short else None,
                    based_on=title,
                )
            )
            continue
        mentions.append(
            DocumentMention(
                title=title,
                written_as=match.group(0),
                start=match.start(),
                bracketed=True,
                kind=_kind(text, match.start()),
                short_name=short,
            )
        )
    return mentions


def find_bare_mentions(text: str, titles: Iterable[str]) -> list[DocumentMention]:
    """Mentions without brackets of ``titles`` (as written inside 《》 elsewhere in the same row).

    Text inside 《》 is skipped, and titles shorter than three characters are ignored.
    """
    masked = _TITLE.sub(lambda m: "\0" * len(m.group(0)), text)
    found: list[DocumentMention] = []
    taken: set[int] = set()
    for title in sorted(set(titles), key=len, reverse=True):
        if len(title) < MIN_BARE_LENGTH:
            continue
        for match in re.finditer(re.escape(title), masked):
            span = set(range(match.start(), match.end()))
            if span & taken:
                continue
            taken |= span
            found.append(
                DocumentMention(title, title, match.start(), False, _kind(text, match.start()))
            )
    return sorted(found, key=lambda m: m.start)
