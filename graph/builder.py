"""Turn a :class:`~fenjie.graph.Table` into quads of fenjie's graph model (docs/model.md).

Everything read from one table goes into one named graph, the table's IRI. Units, documents and
indicators have IRIs that do not depend on the table, so graphs of many tables meet on them.

>>> from fenjie.config import bundled_example
>>> from fenjie.graph import read_table
>>> built = build_table(read_table(bundled_example()))
>>> built.counts["work_items"], built.counts["targets"]
(14, {2017: 36, 2018: 29, 2019: 24})
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from fenjie.config import DEFAULT_BASE
from fenjie.graph._cells import Item, split_enumeration, split_units
from fenjie.graph._deadline import parse_deadline, plan_year
from fenjie.graph._documents import (
    DocumentMention,
    find_bare_mentions,
    find_mentions,
    find_short_names,
)
from fenjie.graph._iris import hashed_slug, slugify
from fenjie.graph._jurisdiction import Jurisdiction, detect
from fenjie.graph._places import Gazetteer, Level, Place
from fenjie.graph._plan import read_notice
from fenjie.graph._quantities import Quantity, extract_quantities
from fenjie.graph._registry import UnitRegistry
from fenjie.graph._table import ColumnKind, Row, Table
from fenjie.graph._units import ResolvedUnit, UnitResolver
from fenjie.graph._vocab import DCT, FJ, ORG, PROV, QB, RDF, RDFS, SCHEMA, SKOS, XSD
from fenjie.roles import Role

__all__ = ["SHARED_GRAPH", "BuiltTable", "build_table", "table_slug"]

SHARED_GRAPH = "graph/shared"  # relative to the base: facts about nodes tables share

_PROGRESS_EVERY = 500
_ITEM_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[、.．]\s*")


def table_slug(name: str) -> str:
    """The table's slug from its file name: ASCII as is, Chinese as pinyin.

    >>> table_slug("/data/changzhutan-innovation-zone-2017-2019.tsv")
    'changzhutan-innovation-zone-2017-2019'
    >>> table_slug("湘潭县重点工作.docx")
    'xiang-tan-xian-zhong-dian-gong-zuo'
    """
    return slugify(PurePath(name).stem, max_syllables=16)


def _zh(text: str) -> Literal:
    return Literal(text, language="zh")


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


def _year(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.gYear)


@dataclass
class BuiltTable:
    """The quads built from one table, its graph IRI, counts and unit/document findings."""

    iri: NamedNode
    quads: list[Quad]
    counts: dict[str, object]
    unregistered_units: list[str] = field(default_factory=list)
    reader: str = "tsv"
    shared_quads: list[Quad] = field(default_factory=list)  # in the graph {base}graph/shared
    jurisdiction: Jurisdiction | None = None
    unresolved_units: list[str] = field(default_factory=list)  # jurisdiction unknown: as written


@dataclass
class _WorkItem:
    iri: NamedNode
    category: NamedNode
    positions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    targets: dict[int, list[NamedNode]] = field(default_factory=lambda: defaultdict(list))


_UNIT_KINDS = (ColumnKind.LEAD, ColumnKind.RESPONSIBLE, ColumnKind.SUPPORTING)


def _unit_names(table: Table) -> list[str]:
    """Every unit name the table lists, in order (evidence for its jurisdiction)."""
    columns = [c.index for c in table.columns if c.kind in _UNIT_KINDS]
    return [
        u.name for row in table.rows for col in columns for u in split_units(row.cells[col - 1])
    ]


class _Builder:
    def __init__(
        self,
        table: Table,
        *,
        base: str,
        registry: UnitRegistry,
        slug: str,
        jurisdiction: str | None = None,
    ) -> None:
        self.table, self.base, self.registry = table, base, registry
        self.iri = NamedNode(f"{base}table/{slug}")
        self.jurisdiction = detect(
            title=table.title, preamble=table.preamble, units=_unit_names(table), given=jurisdiction
        )
        self.resolver = UnitResolver.load(
            base, jurisdiction=self.jurisdiction.place, registry=registry, scope=slug
        )
        self.unresolved: list[str] = []
        self.places_written: set[str] = set()
        self.quads: list[Quad] = []
        self.shared_graph = NamedNode(base + SHARED_GRAPH)
        self.shared_quads: list[Quad] = []
        self.units: dict[str, NamedNode] = {}
        self.unregistered: list[str] = []
        self.documents: dict[str, NamedNode] = {}
        self.indicators: dict[str, NamedNode] = {}
        self.categories: dict[str, NamedNode] = {}
        self.work_items: list[_WorkItem] = []
        self.items_per_category: dict[NamedNode, int] = defaultdict(int)
        self.plan_year = plan_year(table.years, table.title)  # for deadlines without a year
        self.short_names = find_short_names(
            [table.title, *table.preamble, *(c for row in table.rows for c in row.cells)]
        )
        self.mentioned: set[NamedNode] = set()  # documents mentioned, and those they are based on
        self.cited_owners: set[NamedNode] = set()  # categories and work items already searched
        self.counts: dict[str, int] = defaultdict(int)
        self.target_counts: dict[int, int] = defaultdict(int)

    def add(self, s: NamedNode | BlankNode, p: NamedNode, o: NamedNode | Literal) -> None:
        self.quads.append(Quad(s, p, o, self.iri))

    def add_shared(self, s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        """A fact about a node many tables share (document, indicator, unregistered unit).

        It goes to the one shared graph, so that the union of all graphs holds it once however
        many tables state it (Oxigraph's union default graph keeps duplicates).
        """
        self.shared_quads.append(Quad(s, p, o, self.shared_graph))

    # -- table, columns, cells -------------------------------------------------------------
    def source(self) -> None:
        t, iri = self.table, self.iri
        self.add(iri, RDF.type, FJ.SourceTable)
        self.add(iri, DCT.title, _zh(t.title or PurePath(t.name).stem))
        self.add(iri, FJ.sourceFile, Literal(PurePath(t.name).name))
        self.add(iri, FJ.reader, Literal(t.reader))
        self.add(iri, FJ.encoding, Literal(t.encoding))
        if t.sha256:
            self.add(iri, FJ.sha256, Literal(t.sha256))
        for k, line in enumerate(t.preamble, start=1):
            self.add(iri, FJ.preamble, Literal(f"{k}\t{line}"))
        j = self.jurisdiction
        self.add(iri, FJ.jurisdiction, self.place(j.place) if j.place else FJ.UnknownJurisdiction)
        if j.level is not None:
            self.add(iri, FJ.jurisdictionLevel, FJ[j.level.term])
        if j.evidence:
            self.add(iri, FJ.jurisdictionEvidence, Literal(j.evidence))
        if j.written:
            self.add(iri, FJ.jurisdictionWrittenAs, Literal(j.written))
        self.plan_document()
        for column in t.columns:
            node = self.column_iri(column.index)
            self.add(node, RDF.type, FJ.Column)
            self.add(node, FJ.inTable, iri)
            self.add(node, FJ.columnIndex, _int(column.index))
            self.add(node, RDFS.label, _zh(column.header))
            self.add(node, FJ.columnKind, FJ[column.kind.value])
            if column.year is not None:
                self.add(node, FJ.year, _year(column.year))

    def plan_document(self) -> None:
        """The plan is a document: title, 文号, issuer, date, jurisdiction, and the documents its
        notice says it implements (为贯彻落实《X》) or is based on (根据《X》). Titles cited in the
        title or the notice are mentions of the source table."""
        t = self.table
        title = t.title or PurePath(t.name).stem
        notice = read_notice(title, t.preamble)
        doc = self.document(title, None, None)
        self.add(self.iri, FJ.planDocument, doc)
        if notice.doc_number:
            self.add_shared(doc, FJ.documentNumber, Literal(notice.doc_number))
        if notice.date:
            self.add_shared(doc, DCT.issued, Literal(notice.date, datatype=XSD.date))
        place = self.jurisdiction.place
        if place is not None:
            self.add_shared(doc, FJ.jurisdiction, self.place(place))
            if place.level is not Level.NATIONAL:
                government = self.resolver.resolve(place.name + "人民政府")
                self.describe_unit(government)
                self.add_shared(doc, DCT.creator, government.iri)
        if notice.issuer:
            issuer = self.resolver.resolve(notice.issuer)
            self.describe_unit(issuer)
            self.add_shared(doc, DCT.publisher, issuer.iri)
        for link in notice.links:
            target = self.document(link.title, None, None)
            self.add_shared(doc, FJ.basedOn, target)  # fj:implements is a kind of fj:basedOn
            if link.relation == "implements":
                self.add_shared(doc, FJ.implements, target)
        texts = [("title", title)] + [
            (f"preamble line {k}", line) for k, line in enumerate(t.preamble, 1)
        ]
        k = 0
        for where, text in texts:
            for m in find_mentions(text, self.short_names):
                k += 1
                self.mention(self.iri, k, m, self.iri, location=where)

    def column_iri(self, index: int) -> NamedNode:
        return NamedNode(f"{self.iri.value}/column/{index}")

    def cell(self, row: Row, index: int) -> NamedNode:
        node = NamedNode(f"{self.iri.value}/cell/{row.index}-{index}")
        self.add(node, RDF.type, FJ.Cell)
        self.add(node, FJ.inTable, self.iri)
        self.add(node, FJ.rowIndex, _int(row.index))
        self.add(node, FJ.sourceLine, _int(row.line))
        self.add(node, FJ.column, self.column_iri(index))
        self.add(node, PROV.value, Literal(row.cells[index - 1]))
        if row.location:
            self.add(node, FJ.location, Literal(row.location))
        return node

    # -- rows ---------------------------------------------------------------------------------
    def row(self, row: Row) -> None:
        cells = {c.index: self.cell(row, c.index) for c in self.table.columns}
        by_kind: dict[ColumnKind, list[int]] = defaultdict(list)
        for column in self.table.columns:
            by_kind[column.kind].append(column.index)
        text = {c.index: row.cells[c.index - 1].strip() for c in self.table.columns}
        category = self.category(row, by_kind, text, cells)
        work_item_col = by_kind[ColumnKind.WORK_ITEM][0]
        if text[work_item_col] or not self.work_items:
            item = self.work_item(row, category, text[work_item_col], cells[work_item_col])
        else:  # a continuation row adds to the work item above
            item = self.work_items[-1]
        owners: list[tuple[NamedNode, str, NamedNode]] = []  # (node, text, cell) citing documents
        # titles in a category's or work item's own text (落实《X》): searched once per node
        for node, cols in ((category, by_kind[ColumnKind.CATEGORY]), (item.iri, [work_item_col])):
            if cols and text[cols[0]] and node not in self.cited_owners:
                self.cited_owners.add(node)
                owners.append((node, text[cols[0]], cells[cols[0]]))
        for col in by_kind[ColumnKind.BASELINE]:
            for entry in split_enumeration(row.cells[col - 1]):
                node = self.enumerated(item, "baseline", FJ.BaselineItem, entry, cells[col])
                owners.append((node, entry.text, cells[col]))
        for column in self.table.columns_of(ColumnKind.TARGET):
            for entry in split_enumeration(row.cells[column.index - 1]):
                node = self.target(item, column.year or 0, entry, cells[column.index])
                owners.append((node, entry.text, cells[column.index]))
        for col in by_kind[ColumnKind.DEADLINE]:
            if text[col]:
                self.add(item.iri, FJ.deadline, Literal(text[col]))
                if due := parse_deadline(text[col], default_year=self.plan_year):
                    self.add(item.iri, FJ.deadlineDate, Literal(due.isoformat(), datatype=XSD.date))
        self.assignments(item, by_kind, row, cells)
        self.document_mentions(owners)

    def category(
        self,
        row: Row,
        by_kind: dict[ColumnKind, list[int]],
        text: dict[int, str],
        cells: dict[int, NamedNode],
    ) -> NamedNode:
        columns = by_kind[ColumnKind.CATEGORY]
        label = text[columns[0]] if columns else ""
        if not label:
            if self.work_items:
                return self.work_items[-1].category
            label = self.table.title or "未分类"
        if label not in self.categories:
            node = NamedNode(f"{self.iri.value}/category/{len(self.categories) + 1}")
            self.categories[label] = node
            self.add(node, RDF.type, FJ.Category)
            self.add(node, RDFS.label, _zh(label))
            self.add(node, FJ.order, _int(len(self.categories)))
            self.add(node, DCT.isPartOf, self.iri)
        node = self.categories[label]
        if columns and text[columns[0]]:
            self.add(node, PROV.wasDerivedFrom, cells[columns[0]])
        return node

    def work_item(self, row: Row, category: NamedNode, text: str, cell: NamedNode) -> _WorkItem:
        k = category.value.rsplit("/", 1)[1]
        self.items_per_category[category] += 1
        position = self.items_per_category[category]
        node = NamedNode(f"{self.iri.value}/item/{k}-{position}")
        match = _ITEM_NUMBER.match(text)
        self.add(node, RDF.type, FJ.WorkItem)
        self.add(node, RDFS.label, _zh(text[match.end() :] if match else text))
        if match:
            self.add(node, FJ.itemNumber, _int(int(match.group(1))))
        self.add(node, FJ.category, category)
        self.add(node, FJ.order, _int(row.index))
        self.add(node, DCT.isPartOf, self.iri)
        self.add(node, PROV.wasDerivedFrom, cell)
        item = _WorkItem(node, category)
        self.work_items.append(item)
        self.counts["work_items"] += 1
        return item

    def enumerated(
        self, item: _WorkItem, kind: str, cls: NamedNode, entry: Item, cell: NamedNode
    ) -> NamedNode:
        item.positions[kind] += 1
        node = NamedNode(f"{item.iri.value}/{kind}/{item.positions[kind]}")
        self.add(node, RDF.type, cls)
        self.add(node, FJ.workItem, item.iri)
        self.add(node, FJ.text, Literal(entry.text))
        self.add(node, FJ.order, _int(item.positions[kind]))
        if entry.number is not None:
            self.add(node, FJ.itemNumber, _int(entry.number))
        self.add(node, PROV.wasDerivedFrom, cell)
        return node

    def target(self, item: _WorkItem, year: int, entry: Item, cell: NamedNode) -> NamedNode:
        node = self.enumerated(item, f"target/{year}", FJ.Target, entry, cell)
        self.add(node, FJ.year, _year(year))
        item.targets[year].append(node)
        self.target_counts[year] += 1
        for k, quantity in enumerate(extract_quantities(entry.text), start=1):
            self.observation(node, f"{node.value}/observation/{k}", quantity, year, None)
        return node

    def observation(
        self, target: NamedNode, iri: str, q: Quantity, year: int, parent: NamedNode | None
    ) -> None:
        node = NamedNode(iri)
        self.add(node, RDF.type, FJ.Observation)
        self.add(node, RDF.type, QB.Observation)
        self.add(target, FJ.hasObservation, node)
        self.add(node, FJ.indicator, self.indicator(q.indicator))
        self.add(node, FJ.value, _decimal(q.value))
        self.add(node, FJ.unitText, Literal(q.unit_text))
        self.add(node, FJ.normalizedValue, _decimal(q.normalized_value))
        self.add(node, FJ.normalizedUnit, Literal(q.normalized_unit))
        self.add(node, FJ.comparator, FJ[q.comparator.value])
        self.add(node, FJ.year, _year(year))
        self.add(node, FJ.writtenAs, Literal(q.written_as))
        self.add(node, PROV.wasDerivedFrom, target)
        if parent is not None:
            self.add(node, FJ.partOf, parent)
        self.counts["observations"] += 1
        for k, child in enumerate(q.children, start=1):
            self.observation(target, f"{iri}/{k}", child, year, node)

    def indicator(self, label: str) -> NamedNode:
        if label not in self.indicators:
            node = NamedNode(f"{self.base}indicator/{hashed_slug(label)}")
            self.indicators[label] = node
            self.add_shared(node, RDF.type, FJ.Indicator)
            self.add_shared(node, RDFS.label, _zh(label))
        return self.indicators[label]

    # -- units and roles ---------------------------------------------------------------------
    def place(self, place: Place) -> NamedNode:
        """The jurisdiction's node; its description (and its parents') goes to the shared graph
        unless the registry already holds it."""
        node = NamedNode(f"{self.base}jurisdiction/{place.slug}")
        if place.slug in self.places_written or node in self.registry.subjects:
            return node
        self.places_written.add(place.slug)
        self.add_shared(node, RDF.type, FJ.Jurisdiction)
        self.add_shared(node, RDFS.label, _zh(place.name))
        self.add_shared(node, FJ.level, FJ[place.level.term])
        if place.code:
            self.add_shared(node, FJ.divisionCode, Literal(place.code))
        parent = Gazetteer.load().parent(place)
        if parent is not None:
            self.add_shared(node, FJ.within, self.place(parent))
        return node

    def unit(self, name: str) -> NamedNode:
        if name not in self.units:
            resolved = self.resolver.resolve(name)
            if resolved.status != "registered":
                self.describe_unit(resolved)
            if resolved.status in ("listed", "unresolved"):
                self.unregistered.append(name)
            if resolved.status == "unresolved":
                self.unresolved.append(name)
            self.units[name] = resolved.iri
        return self.units[name]

    def describe_unit(self, u: ResolvedUnit) -> None:
        """Types, names, jurisdiction and kind of a unit the registry does not hold.

        Units of a jurisdiction are shared by every table that names them; a unit kept as written
        because its jurisdiction is unknown belongs to this table alone (its IRI says so).
        """
        node = u.iri
        add = self.add if u.status == "unresolved" else self.add_shared
        add(node, RDF.type, FJ.Unit)
        add(node, RDF.type, ORG.Organization)
        add(node, SKOS.prefLabel, _zh(u.label))
        if u.written != u.label:
            add(node, SKOS.altLabel, _zh(u.written))
        if u.jurisdiction is not None:
            add(node, FJ.jurisdiction, self.place(u.jurisdiction))
        if u.status == "resolved":
            add(node, RDF.type, FJ.ResolvedUnit)
            if u.kind is not None:
                add(node, FJ.agencyKind, u.kind.iri)
        elif u.status == "group":
            add(node, RDF.type, FJ.ResolvedUnit)
            add(node, RDF.type, FJ.UnitGroup)
            add(node, RDF.type, ORG.OrganizationalCollaboration)
            add(node, FJ.membersListed, Literal("false", datatype=XSD.boolean))
            for level in u.member_levels:
                add(node, FJ.memberLevel, FJ[level.term])
            if u.member_kind:
                add(node, FJ.memberKind, FJ[u.member_kind.capitalize()])
        else:
            add(node, RDF.type, FJ.UnregisteredUnit)
            if u.status == "unresolved":
                add(node, RDF.type, FJ.UnresolvedUnit)

    def assignments(
        self,
        item: _WorkItem,
        by_kind: dict[ColumnKind, list[int]],
        row: Row,
        cells: dict[int, NamedNode],
    ) -> None:
        has_lead_column = bool(by_kind[ColumnKind.LEAD])
        # (column, role or None for "the first listed leads", assignment slot)
        plan: list[tuple[int, Role | None, str]] = [
            (c, Role.LEAD, "responsible") for c in by_kind[ColumnKind.LEAD]
        ]
        plan += [
            (c, Role.CO_RESPONSIBLE if has_lead_column else None, "responsible")
            for c in by_kind[ColumnKind.RESPONSIBLE]
        ]
        plan += [(c, Role.SUPPORTING, "supporting") for c in by_kind[ColumnKind.SUPPORTING]]
        notes = [
            line.strip()
            for c in by_kind[ColumnKind.NOTE]
            for line in row.cells[c - 1].splitlines()
            if line.strip()
        ]
        for col, role, slot in plan:
            for mention in split_units(row.cells[col - 1]):
                if role is None:  # Hunan's rule: the first listed responsible unit leads
                    is_first = item.positions["responsible"] == 0
                    effective = Role.LEAD if is_first else Role.CO_RESPONSIBLE
                else:
                    effective = role
                item.positions[slot] += 1
                unit = self.unit(mention.name)
                node = NamedNode(f"{item.iri.value}/assignment/{slot}/{item.positions[slot]}")
                self.add(node, RDF.type, FJ.Assignment)
                self.add(node, FJ.unit, unit)
                self.add(node, FJ.workItem, item.iri)
                self.add(node, FJ.role, effective.term)
                self.add(node, FJ.position, _int(mention.position))
                self.add(node, FJ.writtenAs, Literal(mention.written))
                if mention.scope:
                    self.add(node, FJ.scope, Literal(mention.scope))
                for note in notes:
                    self.add(node, FJ.note, Literal(note))
                self.add(node, PROV.wasDerivedFrom, cells[col])
                if effective is Role.SUPPORTING:
                    self.add(unit, FJ.supports, item.iri)
                else:
                    self.add(unit, FJ.responsibleFor, item.iri)
                    if effective is Role.LEAD:
                        self.add(unit, FJ.leads, item.iri)

    # -- documents ---------------------------------------------------------------------------
    def document(self, title: str, short: str | None, based_on: str | None) -> NamedNode:
        node = self.documents.get(title)
        if node is None:
            node = NamedNode(f"{self.base}doc/{hashed_slug(title)}")
            self.documents[title] = node
            self.add_shared(node, RDF.type, FJ.PolicyDocument)
            self.add_shared(node, RDF.type, SCHEMA.Legislation)
            self.add_shared(node, DCT.title, _zh(title))
        if short and short != title:
            self.add_shared(node, DCT.alternative, _zh(short))
        if based_on:
            self.add_shared(node, FJ.basedOn, self.document(based_on, None, None))
        return node

    def document_mentions(self, owners: list[tuple[NamedNode, str, NamedNode]]) -> None:
        found = [(o, find_mentions(text, self.short_names), cell) for o, text, cell in owners]
        # Titles written in brackets anywhere in this row link their bracket-less mentions.
        written = {m.written_as.strip("《》") for _, ms, _ in found for m in ms if not m.based_on}
        for owner, text, cell in owners:
            bare = find_bare_mentions(text, written)
            mentions = next(ms for o, ms, _ in found if o == owner) + bare
            for k, mention in enumerate(sorted(mentions, key=lambda m: m.start), start=1):
                self.mention(owner, k, mention, cell)

    def mention(
        self,
        owner: NamedNode,
        k: int,
        m: DocumentMention,
        cell: NamedNode,
        *,
        location: str | None = None,
    ) -> None:
        """A mention of a document in ``owner``'s text, derived from ``cell`` (or, for the title
        and the notice, from the source table itself, with ``location`` saying where)."""
        title = self.short_names.get(m.title, m.title)
        short = m.short_name or (m.title if m.title != title else None)
        doc = self.document(title, short, m.based_on)
        self.mentioned.add(doc)
        if m.based_on:
            self.mentioned.add(self.document(m.based_on, None, None))
        node = NamedNode(f"{owner.value}/mention/{k}")
        if location:
            self.add(node, FJ.location, Literal(location))
        self.add(node, RDF.type, FJ.DocumentMention)
        self.add(node, FJ.document, doc)
        self.add(node, FJ.mentionedIn, owner)
        self.add(node, FJ.writtenAs, Literal(m.written_as))
        self.add(node, FJ.bracketed, Literal(str(m.bracketed).lower(), datatype=XSD.boolean))
        self.add(node, FJ.mentionKind, FJ.Produces if m.kind == "produces" else FJ.RefersTo)
        self.add(node, PROV.wasDerivedFrom, cell)
        self.add(owner, FJ.refersTo, doc)
        if m.kind == "produces":
            self.add(owner, FJ.produces, doc)

    # -- whole table -------------------------------------------------------------------------
    def precedes(self) -> None:
        for item in self.work_items:
            years = sorted(y for y, targets in item.targets.items() if targets)
            for earlier, later in zip(years, years[1:], strict=False):
                for a in item.targets[earlier]:
                    for b in item.targets[later]:
                        self.add(a, FJ.precedes, b)

    def run(self, on_progress: Callable[[int, int], None] | None = None) -> BuiltTable:
        self.source()
        total = len(self.table.rows)
        for done, row in enumerate(self.table.rows, start=1):
            self.row(row)
            if on_progress and (done % _PROGRESS_EVERY == 0 or done == total):
                on_progress(done, total)
        self.precedes()
        self.quads = list(dict.fromkeys(self.quads))  # drop repeats, keep order
        self.shared_quads = list(dict.fromkeys(self.shared_quads))
        counts: dict[str, object] = {
            "categories": len(self.categories),
            "work_items": self.counts["work_items"],
            "targets": dict(sorted(self.target_counts.items())),
            "units": len(set(self.units.values())),
            "documents": len(self.mentioned),
            "observations": self.counts["observations"],
            "triples": len(self.quads) + len(self.shared_quads),
        }
        return BuiltTable(
            self.iri,
            self.quads,
            counts,
            self.unregistered,
            self.table.reader,
            self.shared_quads,
            self.jurisdiction,
            self.unresolved,
        )


def _decimal(value: Decimal) -> Literal:
    text = format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return Literal(text, datatype=XSD.decimal)


def build_table(
    table: Table,
    *,
    base: str = DEFAULT_BASE,
    slug: str | None = None,
    registry: UnitRegistry | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    jurisdiction: str | None = None,
) -> BuiltTable:
    """Build the quads of one table in its own named graph ``{base}table/{slug}``.

    ``jurisdiction`` (浙江省, 长沙市 …) overrides the one read from the table (title, 文号, issuer,
    units). ``on_progress(rows_done, rows_total)`` is called every few thousand rows and at the end.
    """
    registry = registry or UnitRegistry.load(base)
    builder = _Builder(
        table,
        base=base,
        registry=registry,
        slug=slug or table_slug(table.name),
        jurisdiction=jurisdiction,
    )
    return builder.run(on_progress)
