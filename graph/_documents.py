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

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ahocorasick

__all__ = [
    "BareTitles",
    "DocumentMention",
    "GENERIC_TITLES",
    "count_mentions",
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
_PRODUCE_VERB_WORDS = (
    "出台",
    "制定",
    "制订",
    "编制",
    "印发",
    "发布",
    "起草",
    "颁布",
    "修订",
    "编写",
)
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


class _Clauses:
    """Whether the clause before a position issues a document (one of :data:`_PRODUCE_VERB_WORDS`
    between the clause's start and the position), for any position of one text.

    The clause breaks and the verbs are found once per text, so that a text of many mentions is
    read once: rescanning it from its start for each mention was quadratic (a cell of 14,000
    《titles》 took 12 s)."""

    def __init__(self, text: str) -> None:
        self.breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text)]
        # every place a verb begins (overlapping ones too), with the end of its shortest match
        ends: dict[int, int] = {}
        for word in _PRODUCE_VERB_WORDS:
            at = text.find(word)
            while at != -1:
                ends[at] = min(ends.get(at, at + len(word)), at + len(word))
                at = text.find(word, at + 1)
        self.verb_starts = sorted(ends)
        # the least end of a verb beginning at or after each of them
        self.least_end = [ends[at] for at in self.verb_starts]
        for k in range(len(self.least_end) - 2, -1, -1):
            self.least_end[k] = min(self.least_end[k], self.least_end[k + 1])

    def kind(self, start: int) -> str:
        """ "produces" when a verb lies wholly between the clause's start and ``start``."""
        clause = bisect.bisect_right(self.breaks, start)
        clause_start = self.breaks[clause - 1] if clause else 0
        first = bisect.bisect_left(self.verb_starts, clause_start)
        issued = first < len(self.verb_starts) and self.least_end[first] <= start
        return "produces" if issued else "refers"


def _bracketed(text: str) -> Iterator[re.Match[str]]:
    """The 《titles》 of a text that are mentions: all but the short name in its own definition
    ("（以下简称《意见》）")."""
    definitions = {m.start("short") - 1 for m in _SHORT_NAME.finditer(text)}
    return (m for m in _TITLE.finditer(text) if m.start() not in definitions)


def count_mentions(text: str) -> int:
    """How many mentions :func:`find_mentions` finds in ``text`` (whatever the short names),
    without resolving them: for counting what a table makes before building it.

    >>> count_mentions("出台《湖南省若干意见》（以下简称《意见》），落实《意见》")
    2
    """
    return sum(1 for _ in _bracketed(text))


def find_mentions(text: str, short_names: dict[str, str]) -> list[DocumentMention]:
    """Every 《title》 in ``text``, with short names resolved and derived documents recognised.

    The short name in its own definition ("（以下简称《意见》）") is not a separate mention.
    """
    mentions: list[DocumentMention] = []
    if "《" not in text:  # most texts cite nothing: skip finding their clauses
        return mentions
    clauses = _Clauses(text)
    for match in _bracketed(text):
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
                    kind=clauses.kind(match.start()),
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
                kind=clauses.kind(match.start()),
                short_name=short,
            )
        )
    return mentions


def find_bare_mentions(text: str, titles: Iterable[str]) -> list[DocumentMention]:
    """Mentions without brackets of ``titles`` (as written inside 《》 elsewhere in the same row).

    Text inside 《》 is skipped, and titles shorter than three characters are ignored.
    """
    return BareTitles(titles).find(text)


def _automaton(words: list[str]) -> ahocorasick.Automaton:
    """An Aho–Corasick automaton (pyahocorasick, in C) finding every occurrence of every word,
    overlapping ones too, in one pass over a text; each match's value is the word's index."""
    automaton = ahocorasick.Automaton()
    for k, word in enumerate(words):
        automaton.add_word(word, k)
    automaton.make_automaton()
    return automaton


class BareTitles:
    """The titles a row writes in 《》, to find where its texts name them without brackets.

    Longer titles are taken first and an occurrence overlapping one taken is skipped. With few
    titles each is searched for (``str.find``); with many, one pass of an Aho–Corasick automaton
    finds them all: searching for each cost the number of titles times the text's length (a row
    of 16,000 titles and 4 MB of text: 12 s).

    >>> [(m.title, m.start) for m in BareTitles(["空间规划", "示范区空间规划"]).find(
    ...     "推动示范区空间规划和空间规划实施")]
    [('示范区空间规划', 2), ('空间规划', 10)]
    """

    #: above this many titles, the automaton
    AUTOMATON_FROM = 32

    def __init__(self, titles: Iterable[str], *, automaton: bool | None = None) -> None:
        long_enough = {t for t in titles if len(t) >= MIN_BARE_LENGTH}
        self.titles = sorted(long_enough, key=lambda t: (-len(t), t))  # the longest first
        if automaton is None:
            automaton = len(self.titles) > self.AUTOMATON_FROM
        self.automaton = _automaton(self.titles) if automaton else None

    def _starts(self, masked: str) -> list[list[int]]:
        """Where each title occurs, left to right, each occurrence after the end of the one
        before (as ``re.finditer`` finds them)."""
        starts: list[list[int]] = [[] for _ in self.titles]
        if self.automaton is None:
            for k, title in enumerate(self.titles):
                at = masked.find(title)
                while at != -1:
                    starts[k].append(at)
                    at = masked.find(title, at + len(title))
            return starts
        for last, k in self.automaton.iter(masked):  # by the index of each match's last character
            begin, found = last + 1 - len(self.titles[k]), starts[k]
            if not found or begin >= found[-1] + len(self.titles[k]):
                found.append(begin)
        return starts

    def find(self, text: str) -> list[DocumentMention]:
        """Mentions of the titles in ``text`` outside brackets, by position."""
        if not self.titles:
            return []
        masked = _TITLE.sub(lambda m: "\0" * len(m.group(0)), text)
        clauses: _Clauses | None = None
        found: list[DocumentMention] = []
        taken: set[int] = set()
        for title, starts in zip(self.titles, self._starts(masked), strict=True):
            for start in starts:
                span = set(range(start, start + len(title)))
                if span & taken:
                    continue
                taken |= span
                clauses = clauses or _Clauses(text)
                found.append(DocumentMention(title, title, start, False, clauses.kind(start)))
        return sorted(found, key=lambda m: m.start)
