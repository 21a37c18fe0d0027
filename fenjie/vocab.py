"""The closed ``fj:`` vocabulary: every term that ontology/fenjie.ttl declares, and no other.

``FJ.leads`` is the pyoxigraph IRI of ``fj:leads``; a term the ontology does not declare is an
error (as with rdflib's ``DefinedNamespace``), so a typo cannot silently mint a new IRI. The list
below is generated from the ontology: tests/test_vocab.py holds it equal to ontology/fenjie.ttl,
and ``FENJIE_UPDATE_VOCAB=1 python -m pytest tests/test_vocab.py`` rewrites it after the ontology
changes.

>>> FJ.leads.value
'https://w3id.org/fenjie/def#leads'
>>> FJ["LeadRole"] == FJ.LeadRole
True
>>> FJ.lead
Traceback (most recent call last):
...
AttributeError: fj:lead is not a term of the fenjie ontology (ontology/fenjie.ttl)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyoxigraph import NamedNode

__all__ = ["FJ", "FJ_NS"]

#: the namespace IRI of the fenjie ontology
FJ_NS = "https://w3id.org/fenjie/def#"


def _unknown(name: str) -> str:
    return f"fj:{name} is not a term of the fenjie ontology (ontology/fenjie.ttl)"


class _Closed(type):
    """The metaclass that closes :class:`FJ`: lookups of undeclared names fail, nothing is set."""

    def __getattr__(cls, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(_unknown(name))

    def __getitem__(cls, name: str) -> NamedNode:
        """``FJ[name]`` for a name computed at run time (a column kind, a comparator)."""
        term = vars(cls).get(name)
        if not isinstance(term, NamedNode):
            raise KeyError(_unknown(name))
        return term

    def __contains__(cls, term: object) -> bool:
        """Whether ``term`` (an IRI or a local name) is a declared ``fj:`` term."""
        name = term.value if isinstance(term, NamedNode) else str(term)
        return isinstance(vars(cls).get(name.removeprefix(FJ_NS)), NamedNode)

    def __iter__(cls) -> Iterator[NamedNode]:
        return (v for v in vars(cls).values() if isinstance(v, NamedNode))

    def __setattr__(cls, name: str, value: Any) -> None:
        raise AttributeError(f"the fj: vocabulary is closed: add fj:{name} to ontology/fenjie.ttl")


def _term(name: str) -> NamedNode:
    return NamedNode(FJ_NS + name)


class FJ(metaclass=_Closed):
    """The ``fj:`` terms, as pyoxigraph :class:`~pyoxigraph.NamedNode` class attributes."""

    # generated from ontology/fenjie.ttl: begin
    Assignment = _term("Assignment")
    AtLeast = _term("AtLeast")
    AtMost = _term("AtMost")
    BaselineColumn = _term("BaselineColumn")
    BaselineItem = _term("BaselineItem")
    BasicallyCompleted = _term("BasicallyCompleted")
    CannotComplete = _term("CannotComplete")
    Category = _term("Category")
    CategoryColumn = _term("CategoryColumn")
    Cell = _term("Cell")
    CoResponsibleRole = _term("CoResponsibleRole")
    Column = _term("Column")
    ColumnKind = _term("ColumnKind")
    Comparator = _term("Comparator")
    Completed = _term("Completed")
    DeadlineColumn = _term("DeadlineColumn")
    DocumentMention = _term("DocumentMention")
    Evidence = _term("Evidence")
    Exactly = _term("Exactly")
    InProgress = _term("InProgress")
    Indicator = _term("Indicator")
    Late = _term("Late")
    LeadColumn = _term("LeadColumn")
    LeadRole = _term("LeadRole")
    LeaderColumn = _term("LeaderColumn")
    MentionKind = _term("MentionKind")
    NotStarted = _term("NotStarted")
    NoteColumn = _term("NoteColumn")
    Observation = _term("Observation")
    OtherColumn = _term("OtherColumn")
    PolicyDocument = _term("PolicyDocument")
    Produces = _term("Produces")
    ProgressReport = _term("ProgressReport")
    ProgressStatus = _term("ProgressStatus")
    RefersTo = _term("RefersTo")
    Registered = _term("Registered")
    ReportRequest = _term("ReportRequest")
    ReportSource = _term("ReportSource")
    ResponsibleColumn = _term("ResponsibleColumn")
    Role = _term("Role")
    SourceTable = _term("SourceTable")
    SupportingColumn = _term("SupportingColumn")
    SupportingRole = _term("SupportingRole")
    Target = _term("Target")
    TargetColumn = _term("TargetColumn")
    Unit = _term("Unit")
    UnitGroup = _term("UnitGroup")
    UnregisteredUnit = _term("UnregisteredUnit")
    WorkItem = _term("WorkItem")
    WorkItemColumn = _term("WorkItemColumn")
    about = _term("about")
    account = _term("account")
    asOf = _term("asOf")
    basedOn = _term("basedOn")
    bracketed = _term("bracketed")
    category = _term("category")
    column = _term("column")
    columnIndex = _term("columnIndex")
    columnKind = _term("columnKind")
    comparator = _term("comparator")
    deadline = _term("deadline")
    deadlineDate = _term("deadlineDate")
    document = _term("document")
    encoding = _term("encoding")
    evidence = _term("evidence")
    fileName = _term("fileName")
    hasObservation = _term("hasObservation")
    inTable = _term("inTable")
    indicator = _term("indicator")
    itemNumber = _term("itemNumber")
    leads = _term("leads")
    location = _term("location")
    matchScore = _term("matchScore")
    matchedBy = _term("matchedBy")
    membersListed = _term("membersListed")
    mentionKind = _term("mentionKind")
    mentionedIn = _term("mentionedIn")
    nextSteps = _term("nextSteps")
    normalizedUnit = _term("normalizedUnit")
    normalizedValue = _term("normalizedValue")
    note = _term("note")
    order = _term("order")
    partOf = _term("partOf")
    percentComplete = _term("percentComplete")
    position = _term("position")
    preamble = _term("preamble")
    precedes = _term("precedes")
    problems = _term("problems")
    produces = _term("produces")
    progressStatusScheme = _term("progressStatusScheme")
    progressText = _term("progressText")
    reader = _term("reader")
    refersTo = _term("refersTo")
    reportSource = _term("reportSource")
    requestKey = _term("requestKey")
    responsibleFor = _term("responsibleFor")
    role = _term("role")
    rowIndex = _term("rowIndex")
    scope = _term("scope")
    sha256 = _term("sha256")
    sourceFile = _term("sourceFile")
    sourceLine = _term("sourceLine")
    status = _term("status")
    statusWrittenAs = _term("statusWrittenAs")
    supports = _term("supports")
    text = _term("text")
    unit = _term("unit")
    unitText = _term("unitText")
    value = _term("value")
    workItem = _term("workItem")
    writtenAs = _term("writtenAs")
    year = _term("year")
    # generated from ontology/fenjie.ttl: end
