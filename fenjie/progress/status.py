"""The progress statuses (a SKOS scheme in ``ontology/fenjie.ttl``) and their common spellings.

The scheme is the single source: each concept's ``skos:prefLabel``, ``skos:altLabel`` and
``skos:hiddenLabel`` in Chinese are the spellings fenjie accepts, compared without white space and
trailing punctuation.

>>> parse_status("序时推进"), parse_status(" 已完成。"), parse_status("滞后于序时进度")
(<Status.IN_PROGRESS: 'InProgress'>, <Status.COMPLETED: 'Completed'>, <Status.LATE: 'Late'>)
>>> parse_status("看情况") is None
True
>>> Status.BASICALLY_COMPLETED.label, Status.BASICALLY_COMPLETED.done
('基本完成', True)
>>> status_from_text("已完成。2017年出台了实施细则")
<Status.COMPLETED: 'Completed'>
"""

from __future__ import annotations

import enum
import re
from functools import cache
from importlib.resources import files

from fenjie.vocab import FJ, FJ_NS

__all__ = ["NOT_REPORTED", "UNMARKED", "Status", "parse_status", "spellings", "status_from_text"]

_SKOS = "http://www.w3.org/2004/02/skos/core#"
NOT_REPORTED = "未报送"  # derived: a target nobody has reported on
UNMARKED = "未标注"  # derived: reported, but no report names a status


class Status(enum.Enum):
    """A status of ``fj:progressStatusScheme``; the value is the concept's local name."""

    COMPLETED = "Completed"
    BASICALLY_COMPLETED = "BasicallyCompleted"
    IN_PROGRESS = "InProgress"
    LATE = "Late"
    NOT_STARTED = "NotStarted"
    CANNOT_COMPLETE = "CannotComplete"

    @property
    def iri(self) -> str:
        return FJ[self.value].value

    @property
    def label(self) -> str:
        """The Chinese preferred label (已完成 …), used in every answer."""
        return _labels()[self][0]

    @property
    def done(self) -> bool:
        """Counts as completed (已完成 and 基本完成)."""
        return self in (Status.COMPLETED, Status.BASICALLY_COMPLETED)

    @classmethod
    def from_iri(cls, iri: str) -> Status:
        return cls(iri.removeprefix(FJ_NS))

    @classmethod
    def from_label(cls, label: str) -> Status | None:
        """The status whose preferred label, notation or spelling is ``label``."""
        found = parse_status(label)
        if found is not None:
            return found
        return next((s for s in cls if _notation(s) == label.strip().lower()), None)


_TRIM = re.compile(r"[\s\u3000]+")
_PUNCT = "。．.，,；;：:！!、"


def _norm(text: str) -> str:
    return _TRIM.sub("", text).strip(_PUNCT)


@cache
def _scheme() -> dict[Status, dict[str, list[str]]]:
    """Per status: its ``prefLabel``, ``altLabel``, ``hiddenLabel`` (zh) and ``notation``."""
    import pyoxigraph

    data = (files("fenjie.ontology") / "fenjie.ttl").read_bytes()
    found: dict[Status, dict[str, list[str]]] = {s: {} for s in Status}
    wanted = {_SKOS + k: k for k in ("prefLabel", "altLabel", "hiddenLabel", "notation")}
    for quad in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE):
        subject, predicate, obj = quad.subject, quad.predicate, quad.object
        if not isinstance(subject, pyoxigraph.NamedNode) or predicate.value not in wanted:
            continue
        if not subject.value.startswith(FJ_NS):
            continue
        try:
            status = Status.from_iri(subject.value)
        except ValueError:
            continue
        kind = wanted[predicate.value]
        if kind != "notation" and getattr(obj, "language", None) != "zh":
            continue
        found[status].setdefault(kind, []).append(obj.value)
    return found


@cache
def _labels() -> dict[Status, list[str]]:
    scheme = _scheme()
    return {
        s: scheme[s].get("prefLabel", [])
        + scheme[s].get("altLabel", [])
        + scheme[s].get("hiddenLabel", [])
        for s in Status
    }


def _notation(status: Status) -> str:
    return (_scheme()[status].get("notation") or [""])[0]


@cache
def _lookup() -> dict[str, Status]:
    table: dict[str, Status] = {}
    for status, labels in _labels().items():
        for label in labels:
            key = _norm(label)
            if table.setdefault(key, status) is not status:
                raise ValueError(f"the spelling {label!r} names two statuses")
    return table


def spellings() -> dict[str, str]:
    """Every accepted spelling → the Chinese preferred label of its status."""
    return {k: v.label for k, v in _lookup().items()}


def parse_status(text: str) -> Status | None:
    """The status a cell names (any spelling of the scheme), or ``None``."""
    return _lookup().get(_norm(text))


def status_from_text(text: str) -> Status | None:
    """The status a progress text opens with (``已完成。…``, ``正在推进，…``), or ``None``.

    Only a spelling standing alone before the first punctuation counts, so ``完成了方案编制`` (did
    the drafting) is not read as 完成.
    """
    head = re.split(r"[。．，,；;：:！!\n（(]", text.strip(), maxsplit=1)[0]
    return parse_status(head) if head else None
