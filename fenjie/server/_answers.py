"""Answers of ``/sparql`` kept per store generation, so a repeated query costs no worker round trip.

The store only changes through an update (the pool's generation moves on) or a rebuild (a new store
directory: :meth:`~fenjie.server._pool.WorkerPool.refresh` notices it), so an answer computed for
one generation stays right until the generation moves. Not kept: answers that differ from run to run
(``NOW()``, ``RAND()``, ``UUID()``, ``STRUUID()``, ``BNODE()``), anything that mentions ``SERVICE``
(another host's data changes on its own), and answers larger than an eighth of the budget.

>>> cache = AnswerCache(budget=1000)
>>> key = AnswerCache.key(1, "ASK {}", "application/sparql-results+json", [], [], False, 10)
>>> cache.put(key, "ASK {}", ("application/sparql-results+json", b'{"boolean":true}', False))
>>> cache.get(key)[1]
b'{"boolean":true}'
>>> cache.get(AnswerCache.key(2, "ASK {}", "application/sparql-results+json", [], [], False, 10))
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

__all__ = ["AnswerCache"]

_VOLATILE = re.compile(r"(?i)\b(?:now|rand|uuid|struuid|bnode)\s*\(|service")
_HINTS = ("now", "rand", "uuid", "bnode", "service")  # letters every volatile text holds


def _volatile(text: str) -> bool:
    """Whether ``text`` may answer differently from run to run. The regular expression (which
    cannot skip ahead to a fixed string) runs only on texts that hold one of the words' letters:
    the engine reads keywords in ASCII, so a real one always leaves them in the lower-cased text.
    """
    lowered = text.lower()
    return any(hint in lowered for hint in _HINTS) and _VOLATILE.search(text) is not None


Answer = tuple[str, bytes, bool]


class AnswerCache:
    """An LRU of answers bounded by their total size in bytes."""

    def __init__(self, budget: int = 64 * 1024 * 1024) -> None:
        self.budget = budget
        self.size = 0
        self._entries: OrderedDict[tuple[Any, ...], Answer] = OrderedDict()

    @staticmethod
    def key(
        generation: int,
        text: str,
        media: str | None,
        default_graphs: list[str],
        named_graphs: list[str],
        has_from: bool,
        max_rows: int,
    ) -> tuple[Any, ...]:
        return (
            generation,
            text,
            media,
            tuple(default_graphs),
            tuple(named_graphs),
            has_from,
            max_rows,
        )

    def get(self, key: tuple[Any, ...]) -> Answer | None:
        answer = self._entries.get(key)
        if answer is not None:
            self._entries.move_to_end(key)
        return answer

    def put(self, key: tuple[Any, ...], text: str, answer: Answer) -> None:
        cost = len(answer[1]) + len(text)
        if cost > self.budget // 8 or _volatile(text):
            return
        if key in self._entries:
            return
        self._entries[key] = answer
        self.size += cost
        while self.size > self.budget and self._entries:
            old_key, old = self._entries.popitem(last=False)
            self.size -= len(old[1]) + len(old_key[1])
