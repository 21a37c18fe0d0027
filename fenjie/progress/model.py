"""A progress report as data, and the quads of its own named graph.

Each report is one named graph whose IRI is the report's IRI; reports are only ever added. Its IRI
is derived from where it came from (the file's SHA-256 and row, or the account and idempotency
key of an API request), so reading the same file twice or retrying a request stores nothing new.

>>> from datetime import date, datetime, timezone
>>> r = ProgressReport(
...     about="https://w3id.org/fenjie/id/table/t/item/1-1/target/2018/1",
...     unit="https://w3id.org/fenjie/id/unit/u", as_of=date(2018, 6, 30),
...     generated=datetime(2018, 7, 5, tzinfo=timezone.utc), status=Status.IN_PROGRESS,
...     status_written="序时推进", text="已召开总结会议",
...     origin=FileOrigin("p.xlsx", "ab" * 32, "xlsx", "sheet 1, row 3", 3, "number", 92.0))
>>> r.iri("https://w3id.org/fenjie/id/")
'https://w3id.org/fenjie/id/report/f-abababababababab-3'
>>> len(report_quads(r, "https://w3id.org/fenjie/id/"))
13
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from pyoxigraph import Literal, NamedNode, Quad

from fenjie.progress.status import Status
from fenjie.vocab import FJ

__all__ = [
    "Evidence",
    "FileOrigin",
    "ProgressReport",
    "RequestOrigin",
    "report_quads",
    "source_iri",
    "source_quads",
]

_RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SCHEMA_URL = NamedNode("https://schema.org/url")


def _prov(name: str) -> NamedNode:
    return NamedNode("http://www.w3.org/ns/prov#" + name)


@dataclass(frozen=True)
class Evidence:
    """A link, or a file name with the SHA-256 of its bytes."""

    url: str | None = None
    file_name: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class FileOrigin:
    """A row of a progress table file: where it is and how it was matched to the plan."""

    file: str
    sha256: str
    reader: str
    location: str
    line: int
    matched_by: str
    score: float | None = None


@dataclass(frozen=True)
class RequestOrigin:
    """An API request: the account (never its token), its idempotency key, when it arrived."""

    account: str
    key: str
    received: datetime


@dataclass(frozen=True)
class ProgressReport:
    """One unit's statement of progress on one target or work item, as of a date."""

    about: str
    unit: str
    as_of: date
    generated: datetime
    status: Status | None
    text: str
    origin: FileOrigin | RequestOrigin
    status_written: str | None = None
    percent: Decimal | float | None = None
    problems: str | None = None
    next_steps: str | None = None
    evidence: tuple[Evidence, ...] = field(default=())

    def iri(self, base: str) -> str:
        """``{base}report/f-{sha}-{line}`` for a file row, ``{base}report/a-{hash}`` for a request."""
        if isinstance(self.origin, FileOrigin):
            return f"{base}report/f-{self.origin.sha256[:16]}-{self.origin.line}"
        key = f"{self.origin.account}\x00{self.origin.key}".encode()
        return f"{base}report/a-{hashlib.sha256(key).hexdigest()[:24]}"


def source_iri(base: str, sha256: str) -> str:
    return f"{base}reportsource/{sha256[:16]}"


def _lit(value: str) -> Literal:
    return Literal(value)


def _typed(value: str, datatype: str) -> Literal:
    return Literal(value, datatype=NamedNode(_XSD + datatype))


def report_quads(report: ProgressReport, base: str) -> list[Quad]:
    """The quads of the report's own named graph (graph IRI = report IRI)."""
    me = NamedNode(report.iri(base))
    out: list[Quad] = []

    def add(s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        out.append(Quad(s, p, o, me))

    add(me, _RDF_TYPE, FJ.ProgressReport)
    add(me, FJ.about, NamedNode(report.about))
    add(me, _prov("wasAttributedTo"), NamedNode(report.unit))
    add(me, FJ.asOf, _typed(report.as_of.isoformat(), "date"))
    add(me, _prov("generatedAtTime"), _typed(report.generated.isoformat(), "dateTime"))
    if report.status is not None:
        add(me, FJ.status, NamedNode(report.status.iri))
    if report.status_written:
        add(me, FJ.statusWrittenAs, _lit(report.status_written))
    add(me, FJ.progressText, _lit(report.text))
    if report.percent is not None:
        add(me, FJ.percentComplete, _typed(str(Decimal(str(report.percent))), "decimal"))
    if report.problems:
        add(me, FJ.problems, _lit(report.problems))
    if report.next_steps:
        add(me, FJ.nextSteps, _lit(report.next_steps))
    for k, ev in enumerate(report.evidence, start=1):
        node = NamedNode(f"{me.value}/evidence/{k}")
        add(me, FJ.evidence, node)
        add(node, _RDF_TYPE, FJ.Evidence)
        if ev.url:
            out.append(Quad(node, _SCHEMA_URL, _lit(ev.url), me))
        if ev.file_name:
            add(node, FJ.fileName, _lit(ev.file_name))
        if ev.sha256:
            add(node, FJ.sha256, _lit(ev.sha256))
    origin = report.origin
    if isinstance(origin, FileOrigin):
        add(me, FJ.reportSource, NamedNode(source_iri(base, origin.sha256)))
        add(me, FJ.location, _lit(origin.location))
        add(me, FJ.sourceLine, _typed(str(origin.line), "integer"))
        add(me, FJ.matchedBy, _lit(origin.matched_by))
        if origin.score is not None:
            add(me, FJ.matchScore, _typed(f"{origin.score:.1f}", "decimal"))
    else:
        request = NamedNode(f"{me.value}/request")
        add(me, _prov("wasGeneratedBy"), request)
        add(request, _RDF_TYPE, FJ.ReportRequest)
        add(request, FJ.account, _lit(origin.account))
        add(request, FJ.requestKey, _lit(origin.key))
        add(request, _prov("startedAtTime"), _typed(origin.received.isoformat(), "dateTime"))
    return out


def source_quads(base: str, *, file: str, sha256: str, reader: str) -> list[Quad]:
    """The description of a progress table file, in its own graph ``{base}reportsource/{sha}``."""
    me = NamedNode(source_iri(base, sha256))
    return [
        Quad(me, _RDF_TYPE, FJ.ReportSource, me),
        Quad(me, FJ.sourceFile, _lit(file), me),
        Quad(me, FJ.sha256, _lit(sha256), me),
        Quad(me, FJ.reader, _lit(reader), me),
    ]
