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
    AgencyKind = _term("AgencyKind")
    Assignment = _term("Assignment")
    AtLeast = _term("AtLeast")
    AtMost = _term("AtMost")
    BaselineChanged = _term("BaselineChanged")
    BaselineColumn = _term("BaselineColumn")
    BaselineItem = _term("BaselineItem")
    BasicallyCompleted = _term("BasicallyCompleted")
    CannotComplete = _term("CannotComplete")
    Category = _term("Category")
    CategoryColumn = _term("CategoryColumn")
    Cell = _term("Cell")
    ChangeKind = _term("ChangeKind")
    Changed = _term("Changed")
    CityLevel = _term("CityLevel")
    CoResponsibleRole = _term("CoResponsibleRole")
    Column = _term("Column")
    ColumnKind = _term("ColumnKind")
    Comparator = _term("Comparator")
    Completed = _term("Completed")
    CountyLevel = _term("CountyLevel")
    DeadlineColumn = _term("DeadlineColumn")
    Departments = _term("Departments")
    DocumentMention = _term("DocumentMention")
    EditionComparison = _term("EditionComparison")
    EditionMatch = _term("EditionMatch")
    Evidence = _term("Evidence")
    Exactly = _term("Exactly")
    Finding = _term("Finding")
    Governments = _term("Governments")
    InProgress = _term("InProgress")
    Indicator = _term("Indicator")
    Jurisdiction = _term("Jurisdiction")
    Late = _term("Late")
    LeadColumn = _term("LeadColumn")
    LeadRole = _term("LeadRole")
    LeaderColumn = _term("LeaderColumn")
    Level = _term("Level")
    LevelLink = _term("LevelLink")
    MatchKind = _term("MatchKind")
    MentionKind = _term("MentionKind")
    Moved = _term("Moved")
    NationalLevel = _term("NationalLevel")
    NotStarted = _term("NotStarted")
    NoteColumn = _term("NoteColumn")
    Observation = _term("Observation")
    OtherColumn = _term("OtherColumn")
    PlanLink = _term("PlanLink")
    PolicyDocument = _term("PolicyDocument")
    Produces = _term("Produces")
    ProgressReport = _term("ProgressReport")
    ProgressStatus = _term("ProgressStatus")
    ProvinceLevel = _term("ProvinceLevel")
    RefersTo = _term("RefersTo")
    Registered = _term("Registered")
    ReportRequest = _term("ReportRequest")
    ReportSource = _term("ReportSource")
    ResolvedUnit = _term("ResolvedUnit")
    ResponsibleColumn = _term("ResponsibleColumn")
    Reworded = _term("Reworded")
    Role = _term("Role")
    SourceTable = _term("SourceTable")
    SupportingColumn = _term("SupportingColumn")
    SupportingRole = _term("SupportingRole")
    Target = _term("Target")
    TargetColumn = _term("TargetColumn")
    TargetsChanged = _term("TargetsChanged")
    TownshipLevel = _term("TownshipLevel")
    Unchanged = _term("Unchanged")
    Unit = _term("Unit")
    UnitGroup = _term("UnitGroup")
    UnitsChanged = _term("UnitsChanged")
    UnknownJurisdiction = _term("UnknownJurisdiction")
    UnregisteredUnit = _term("UnregisteredUnit")
    UnresolvedUnit = _term("UnresolvedUnit")
    WorkItem = _term("WorkItem")
    WorkItemColumn = _term("WorkItemColumn")
    ZoneLevel = _term("ZoneLevel")
    about = _term("about")
    account = _term("account")
    agencyKind = _term("agencyKind")
    asOf = _term("asOf")
    basedOn = _term("basedOn")
    bodyKind = _term("bodyKind")
    bracketed = _term("bracketed")
    category = _term("category")
    changeKind = _term("changeKind")
    childNode = _term("childNode")
    childPlan = _term("childPlan")
    cityName = _term("cityName")
    column = _term("column")
    columnIndex = _term("columnIndex")
    columnKind = _term("columnKind")
    comparator = _term("comparator")
    countyName = _term("countyName")
    deadline = _term("deadline")
    deadlineDate = _term("deadlineDate")
    declaredImplements = _term("declaredImplements")
    divisionCode = _term("divisionCode")
    document = _term("document")
    documentNumber = _term("documentNumber")
    encoding = _term("encoding")
    evidence = _term("evidence")
    fileName = _term("fileName")
    findingColumn = _term("findingColumn")
    findingCount = _term("findingCount")
    findingDetail = _term("findingDetail")
    findingHeader = _term("findingHeader")
    findingIn = _term("findingIn")
    findingKind = _term("findingKind")
    findingLine = _term("findingLine")
    findingLocation = _term("findingLocation")
    findingMessage = _term("findingMessage")
    findingOrder = _term("findingOrder")
    findingRow = _term("findingRow")
    fullForm = _term("fullForm")
    hasObservation = _term("hasObservation")
    implements = _term("implements")
    implementsItem = _term("implementsItem")
    implementsPlan = _term("implementsPlan")
    implementsTarget = _term("implementsTarget")
    inTable = _term("inTable")
    indicator = _term("indicator")
    itemNumber = _term("itemNumber")
    jurisdiction = _term("jurisdiction")
    jurisdictionEvidence = _term("jurisdictionEvidence")
    jurisdictionLevel = _term("jurisdictionLevel")
    jurisdictionWrittenAs = _term("jurisdictionWrittenAs")
    leads = _term("leads")
    level = _term("level")
    linkEvidence = _term("linkEvidence")
    location = _term("location")
    matchKind = _term("matchKind")
    matchScore = _term("matchScore")
    matchedBy = _term("matchedBy")
    memberKind = _term("memberKind")
    memberLevel = _term("memberLevel")
    membersListed = _term("membersListed")
    mentionKind = _term("mentionKind")
    mentionedIn = _term("mentionedIn")
    nationalName = _term("nationalName")
    nextSteps = _term("nextSteps")
    normalizedUnit = _term("normalizedUnit")
    normalizedValue = _term("normalizedValue")
    note = _term("note")
    order = _term("order")
    parentNode = _term("parentNode")
    parentPlan = _term("parentPlan")
    partOf = _term("partOf")
    percentComplete = _term("percentComplete")
    planDocument = _term("planDocument")
    planLink = _term("planLink")
    position = _term("position")
    preamble = _term("preamble")
    precedes = _term("precedes")
    previousEdition = _term("previousEdition")
    problems = _term("problems")
    produces = _term("produces")
    progressStatusScheme = _term("progressStatusScheme")
    progressText = _term("progressText")
    provinceName = _term("provinceName")
    reader = _term("reader")
    refersTo = _term("refersTo")
    reportSource = _term("reportSource")
    requestKey = _term("requestKey")
    responsibleFor = _term("responsibleFor")
    revisedEdition = _term("revisedEdition")
    revisionOf = _term("revisionOf")
    role = _term("role")
    rowIndex = _term("rowIndex")
    runnerUp = _term("runnerUp")
    runnerUpScore = _term("runnerUpScore")
    scope = _term("scope")
    sha256 = _term("sha256")
    sourceFile = _term("sourceFile")
    sourceLine = _term("sourceLine")
    status = _term("status")
    statusWrittenAs = _term("statusWrittenAs")
    supports = _term("supports")
    text = _term("text")
    threshold = _term("threshold")
    unit = _term("unit")
    unitText = _term("unitText")
    value = _term("value")
    within = _term("within")
    workItem = _term("workItem")
    writtenAs = _term("writtenAs")
    year = _term("year")
    # generated from ontology/fenjie.ttl: end
