"""Turn a :class:`~fenjie.graph.Table` into quads of fenjie's graph model (docs/model.md).

Everything read from one table goes into one named graph, the table's IRI. Units, documents and
indicators have IRIs that do not depend on the table, so graphs of many tables meet on them.

:func:`write_table` writes the quads as N-Quads text to a stream while it goes through the rows
(a plan of 5,000 rows is about a million quads: held as objects they took a gigabyte);
:func:`build_table` is the same, handing the quads back as pyoxigraph objects, for small tables
and tests.

>>> from fenjie.config import bundled_example
>>> from fenjie.graph import read_table
>>> built = build_table(read_table(bundled_example()))
>>> built.counts["work_items"], built.counts["targets"]
(14, {2017: 36, 2018: 29, 2019: 24})
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from fenjie.config import DEFAULT_BASE
from fenjie.graph._cells import Item, UnitMention, split_enumeration, split_units
from fenjie.graph._deadline import parse_deadline, plan_year
from fenjie.graph._documents import (
    BareTitles,
    DocumentMention,
    find_mentions,
    find_short_names,
)
from fenjie.graph._iris import hashed_slug, slugify
from fenjie.graph._jurisdiction import Jurisdiction, detect
from fenjie.graph._least_triples import LeastTriples
from fenjie.graph._limits import DEFAULT_LIMITS, Limits
from fenjie.graph._nquads import ByteSink, NQuadsWriter, Rendered, iri, literal
from fenjie.graph._places import Gazetteer, Level, Place
from fenjie.graph._plan import read_notice
from fenjie.graph._quantities import Quantity, extract_quantities
from fenjie.graph._recorded import finding_quads
from fenjie.graph._registry import UnitRegistry
from fenjie.graph._table import ColumnKind, Row, Table
from fenjie.graph._table_facts import TableFacts
from fenjie.graph._units import ResolvedUnit, UnitResolver
from fenjie.graph._vocab import DCT, FJ, ORG, PROV, QB, RDF, RDFS, SCHEMA, SKOS, XSD
from fenjie.roles import Role

__all__ = ["SHARED_GRAPH", "BuiltTable", "build_table", "table_slug", "write_table"]

SHARED_GRAPH = "graph/shared"  # relative to the base: facts about nodes tables share

_PROGRESS_EVERY = 500
_ITEM_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[、.．]\s*")

# The vocabularies in N-Triples form, each term rendered once.
_DCT, _FJ, _ORG, _PROV, _QB = (
    Rendered(DCT),
    Rendered(FJ),
    Rendered(ORG),
    Rendered(PROV),
    Rendered(QB),
)
_RDF, _RDFS, _SCHEMA, _SKOS = Rendered(RDF), Rendered(RDFS), Rendered(SCHEMA), Rendered(SKOS)
_INTEGER, _GYEAR, _DECIMAL = XSD.integer.value, XSD.gYear.value, XSD.decimal.value
_DATE, _BOOLEAN = XSD.date.value, XSD.boolean.value


def table_slug(name: str) -> str:
    """The table's slug from its file name: ASCII as is, Chinese as pinyin.

    >>> table_slug("/data/changzhutan-innovation-zone-2017-2019.tsv")
    'changzhutan-innovation-zone-2017-2019'
    >>> table_slug("湘潭县重点工作.docx")
    'xiang-tan-xian-zhong-dian-gong-zuo'
    """
    return slugify(PurePath(name).stem, max_syllables=16)


def _zh(text: str) -> str:
    return literal(text, language="zh")


def _int(value: int) -> str:
    return f'"{value}"^^<{_INTEGER}>'


def _year(value: int) -> str:
    return f'"{value}"^^<{_GYEAR}>'


def _child(node: str, path: str) -> str:
    """The IRI ``{node}/{path}`` of a node below ``node`` (both in N-Triples form)."""
    return f"{node[:-1]}/{path}>"


@dataclass
class BuiltTable:
    """The quads built from one table, its graph IRI, counts and unit/document findings.

    :func:`write_table` leaves ``quads`` and ``shared_quads`` empty: its quads went to a stream.
    """

    iri: NamedNode
    quads: list[Quad]
    counts: dict[str, object]
    unregistered_units: list[str] = field(default_factory=list)
    reader: str = "tsv"
    shared_quads: list[Quad] = field(default_factory=list)  # in the graph {base}graph/shared
    jurisdiction: Jurisdiction | None = None
    unresolved_units: list[str] = field(default_factory=list)  # jurisdiction unknown: as written
    # the table's findings (`fenjie check`'s, the levels' left out), from what the builder wrote
    findings: list[dict[str, Any]] = field(default_factory=list)
    facts: TableFacts | None = None  # what the findings were made from (the check queries' rows)
    encoding: str = "utf-8"  # as read: "utf-8, 繁体转简体" when converted (graph/_script.py)


@dataclass
class _WorkItem:
    node: str  # N-Triples form, as every node of the builder
    category: str
    row: Row  # where it begins
    positions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    targets: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


_UNIT_KINDS = (ColumnKind.LEAD, ColumnKind.RESPONSIBLE, ColumnKind.SUPPORTING)


class _CellSplits:
    """A table's cells split into enumerated items and units once: the count before building
    (:func:`_unit_names`) and the building read the same cells (a tenth of a build's time)."""

    def __init__(self) -> None:
        self._items: dict[str, list[Item]] = {}
        self._units: dict[str, list[UnitMention]] = {}

    def enumeration(self, cell: str) -> list[Item]:
        items = self._items.get(cell)
        if items is None:
            items = self._items[cell] = split_enumeration(cell)
        return items

    def units(self, cell: str) -> list[UnitMention]:
        units = self._units.get(cell)
        if units is None:
            units = self._units[cell] = split_units(cell)
        return units


def _unit_names(
    table: Table, limits: Limits = DEFAULT_LIMITS, splits: _CellSplits | None = None
) -> list[str]:
    """Every unit name the table lists, in order (evidence for its jurisdiction).

    On the way, before anything is built, the triples the table makes at the least (its cells,
    enumerated items, unit assignments and target pairs: :mod:`fenjie.graph._least_triples`) are
    held to ``limits.triples``: a table naming a hundred units in every cell, or sixty years of
    targets, is refused at the row where that count passes the limit, without building the rows
    before it.
    """
    splits = splits or _CellSplits()
    columns = [c.index for c in table.columns if c.kind in _UNIT_KINDS]
    names: list[str] = []
    least = LeastTriples(table, split=splits.enumeration)
    for row in table.rows:
        before = len(names)
        names += [u.name for col in columns for u in splits.units(row.cells[col - 1])]
        at_least = least.add(row, units=len(names) - before)
        if at_least > limits.triples:
            limits.check(
                "triples",
                at_least,
                file=table.name,
                place=row.location or f"line {row.line}",
                what=f"the table makes at least {at_least:,} triples by this row (counted before "
                "building: its cells, enumerated items, unit assignments and target pairs alone)",
            )
    return names


class _Builder:
    """Goes through a table's rows once, writing each quad as an N-Quads line.

    Nodes and terms are strings in N-Triples form. A quad is written once: facts about shared
    nodes are remembered (they are few), and the table's own facts within the current work item
    (every quad of a row names the row's cells or its work item, or a node made once per table
    and guarded by a dict), so memory stays flat over the rows.
    """

    def __init__(
        self,
        table: Table,
        out: NQuadsWriter,
        *,
        base: str,
        registry: UnitRegistry,
        shared_out: NQuadsWriter | None = None,
        slug: str,
        jurisdiction: str | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.table, self.base, self.registry, self.out = table, base, registry, out
        # the shared graph's lines: apart when the caller wants them apart (graph/store.py loads
        # a table's own lines in pieces of their own), else among the table's
        self.shared_out = shared_out if shared_out is not None else out
        self.limits = limits
        self.iri = NamedNode(f"{base}table/{slug}")  # checks the base: other IRIs extend it
        self.node = iri(self.iri.value)
        self.facts = TableFacts(self.node, registry)  # what the check queries would ask
        self.graph_suffix = f" {self.node} .\n"
        self.splits = _CellSplits()
        self.jurisdiction = detect(
            title=table.title,
            preamble=table.preamble,
            units=_unit_names(table, limits, self.splits),
            given=jurisdiction,
        )
        self.resolver = UnitResolver.load(
            base, jurisdiction=self.jurisdiction.place, registry=registry, scope=slug
        )
        self.unresolved: list[str] = []
        self.places_written: set[str] = set()
        self.shared_suffix = f" {iri(base + SHARED_GRAPH)} .\n"
        self.item_lines: set[str] = set()  # the table's lines since the current work item began
        self.shared_lines: set[str] = set()
        self.emit = out.append  # every line of the table's graph goes through here, once
        self.emit_shared = self.shared_out.append  # and every line of the shared graph here
        self.units: dict[str, str] = {}
        self.described: set[tuple[str, str]] = set()  # (unit, as written)
        self.unregistered: list[str] = []
        self.documents: dict[str, str] = {}
        self.indicators: dict[str, str] = {}
        self.categories: dict[str, str] = {}
        self.categories_from_table: set[str] = set()  # categories named by the table itself
        self.work_items: list[_WorkItem] = []
        self.items_per_category: dict[str, int] = defaultdict(int)
        self.plan_year = plan_year(table.years, table.title)  # for deadlines without a year
        self.short_names = find_short_names(
            [table.title, *table.preamble, *(c for row in table.rows for c in row.cells)]
        )
        self.mentioned: set[str] = set()  # documents mentioned, and those they are based on
        self.cited_owners: set[str] = set()  # categories and work items already searched
        self.counts: dict[str, int] = defaultdict(int)
        self.target_counts: dict[int, int] = defaultdict(int)
        self.by_kind: dict[ColumnKind, list[int]] = defaultdict(list)
        for column in table.columns:
            self.by_kind[column.kind].append(column.index)
        self.column_nodes = {c.index: self.column_node(c.index) for c in table.columns}

    def add(self, s: str, p: str, o: str) -> None:
        line = f"{s} {p} {o}{self.graph_suffix}"
        seen = self.item_lines
        if line not in seen:
            seen.add(line)
            self.emit(line)

    def add_shared(self, s: str, p: str, o: str) -> None:
        """A fact about a node many tables share (document, indicator, unregistered unit).

        It goes to the one shared graph, so that the union of all graphs holds it once however
        many tables state it (Oxigraph's union default graph keeps duplicates).
        """
        line = f"{s} {p} {o}{self.shared_suffix}"
        if line not in self.shared_lines:
            self.shared_lines.add(line)
            self.emit_shared(line)

    # -- table, columns, cells -------------------------------------------------------------
    def source(self) -> None:
        t, node = self.table, self.node
        self.add(node, _RDF.type, _FJ.SourceTable)
        self.add(node, _DCT.title, _zh(t.title or PurePath(t.name).stem))
        self.add(node, _FJ.sourceFile, literal(PurePath(t.name).name))
        self.facts.source(
            title=t.title or PurePath(t.name).stem,
            file=PurePath(t.name).name,
            unknown_jurisdiction=not self.jurisdiction.place,
        )
        self.add(node, _FJ.reader, literal(t.reader))
        self.add(node, _FJ.encoding, literal(t.encoding))
        if t.sha256:
            self.add(node, _FJ.sha256, literal(t.sha256))
        for k, line in enumerate(t.preamble, start=1):
            self.add(node, _FJ.preamble, literal(f"{k}\t{line}"))
        j = self.jurisdiction
        self.add(
            node, _FJ.jurisdiction, self.place(j.place) if j.place else _FJ.UnknownJurisdiction
        )
        if j.level is not None:
            self.add(node, _FJ.jurisdictionLevel, _FJ[j.level.term])
        if j.evidence:
            self.add(node, _FJ.jurisdictionEvidence, literal(j.evidence))
        if j.written:
            self.add(node, _FJ.jurisdictionWrittenAs, literal(j.written))
        self.plan_document()
        for column in t.columns:
            col = self.column_nodes[column.index]
            self.add(col, _RDF.type, _FJ.Column)
            self.add(col, _FJ.inTable, node)
            self.add(col, _FJ.columnIndex, _int(column.index))
            self.add(col, _RDFS.label, _zh(column.header))
            self.add(col, _FJ.columnKind, _FJ[column.kind.value])
            self.facts.column(
                column.index,
                column.header,
                enumerating=column.kind in (ColumnKind.BASELINE, ColumnKind.TARGET),
            )
            if column.year is not None:
                self.add(col, _FJ.year, _year(column.year))

    def plan_document(self) -> None:
        """The plan is a document: title, 文号, issuer, date, jurisdiction, and the documents its
        notice says it implements (为贯彻落实《X》) or is based on (根据《X》). Titles cited in the
        title or the notice are mentions of the source table."""
        t = self.table
        title = t.title or PurePath(t.name).stem
        notice = read_notice(title, t.preamble)
        doc = self.document(title, None, None)
        self.add(self.node, _FJ.planDocument, doc)
        if notice.doc_number:
            self.add_shared(doc, _FJ.documentNumber, literal(notice.doc_number))
        if notice.date:
            self.add_shared(doc, _DCT.issued, literal(notice.date, datatype=_DATE))
        place = self.jurisdiction.place
        if place is not None:
            self.add_shared(doc, _FJ.jurisdiction, self.place(place))
            if place.level is not Level.NATIONAL:
                government = self.resolver.resolve(place.name + "人民政府")
                self.describe_unit(government)
                self.add_shared(doc, _DCT.creator, str(government.iri))
        if notice.issuer:
            issuer = self.resolver.resolve(notice.issuer)
            self.describe_unit(issuer)
            self.add_shared(doc, _DCT.publisher, str(issuer.iri))
        for link in notice.links:
            target = self.document(link.title, None, None)
            self.add_shared(doc, _FJ.basedOn, target)  # fj:implements is a kind of fj:basedOn
            if link.relation == "implements":
                self.add_shared(doc, _FJ.implements, target)
        texts = [("title", title)] + [
            (f"preamble line {k}", line) for k, line in enumerate(t.preamble, 1)
        ]
        k = 0
        for where, text in texts:
            for m in find_mentions(text, self.short_names):
                k += 1
                self.mention(self.node, k, m, self.node, location=where)

    def column_node(self, index: int) -> str:
        return _child(self.node, f"column/{index}")

    def cell(self, row: Row, index: int) -> str:
        node = _child(self.node, f"cell/{row.index}-{index}")
        self.add(node, _RDF.type, _FJ.Cell)
        self.add(node, _FJ.inTable, self.node)
        self.add(node, _FJ.rowIndex, _int(row.index))
        self.add(node, _FJ.sourceLine, _int(row.line))
        self.add(node, _FJ.column, self.column_nodes[index])
        self.add(node, _PROV.value, literal(row.cells[index - 1]))
        if row.location:
            self.add(node, _FJ.location, literal(row.location))
        self.facts.cell(
            node,
            row=row.index,
            line=row.line,
            column=index,
            location=row.location,
            value=row.cells[index - 1],
        )
        return node

    # -- rows ---------------------------------------------------------------------------------
    def row(self, row: Row) -> None:
        by_kind = self.by_kind
        text = {c.index: row.cells[c.index - 1].strip() for c in self.table.columns}
        work_item_col = by_kind[ColumnKind.WORK_ITEM][0]
        starts_item = bool(text[work_item_col]) or not self.work_items
        if starts_item:  # quads of the work item before are all written: forget them
            self.item_lines.clear()
        cells = {c.index: self.cell(row, c.index) for c in self.table.columns}
        category = self.category(row, text, cells)
        if starts_item:
            item = self.work_item(row, category, text[work_item_col], cells[work_item_col])
        else:  # a continuation row adds to the work item above
            item = self.work_items[-1]
        owners: list[tuple[str, str, str]] = []  # (node, text, cell) citing documents
        # titles in a category's or work item's own text (落实《X》): searched once per node
        for node, cols in ((category, by_kind[ColumnKind.CATEGORY]), (item.node, [work_item_col])):
            if cols and text[cols[0]] and node not in self.cited_owners:
                self.cited_owners.add(node)
                owners.append((node, text[cols[0]], cells[cols[0]]))
        for col in by_kind[ColumnKind.BASELINE]:
            for entry in self.splits.enumeration(row.cells[col - 1]):
                node = self.enumerated(item, "baseline", _FJ.BaselineItem, entry, cells[col])
                owners.append((node, entry.text, cells[col]))
        for column in self.table.columns_of(ColumnKind.TARGET):
            for entry in self.splits.enumeration(row.cells[column.index - 1]):
                node = self.target(item, column.year or 0, entry, cells[column.index])
                owners.append((node, entry.text, cells[column.index]))
            self.check_size(row)  # one row of long target cells can make 100,000s of triples
        for col in by_kind[ColumnKind.DEADLINE]:
            if text[col]:
                self.add(item.node, _FJ.deadline, literal(text[col]))
                if due := parse_deadline(text[col], default_year=self.plan_year):
                    self.add(item.node, _FJ.deadlineDate, literal(due.isoformat(), datatype=_DATE))
        self.assignments(item, row, cells)
        self.document_mentions(row, owners)

    def category(self, row: Row, text: dict[int, str], cells: dict[int, str]) -> str:
        columns = self.by_kind[ColumnKind.CATEGORY]
        label = text[columns[0]] if columns else ""
        if not label:
            if self.work_items:
                return self.work_items[-1].category
            label = self.table.title or "未分类"
        if label not in self.categories:
            node = _child(self.node, f"category/{len(self.categories) + 1}")
            self.categories[label] = node
            self.add(node, _RDF.type, _FJ.Category)
            self.add(node, _RDFS.label, _zh(label))
            self.add(node, _FJ.order, _int(len(self.categories)))
            self.add(node, _DCT.isPartOf, self.node)
        node = self.categories[label]
        if columns and text[columns[0]]:
            self.add(node, _PROV.wasDerivedFrom, cells[columns[0]])
        elif label not in self.categories_from_table:
            # no category column: the category is the table (its title), so it traces back there
            self.categories_from_table.add(label)
            self.add(node, _PROV.wasDerivedFrom, self.node)
        return node

    def work_item(self, row: Row, category: str, text: str, cell: str) -> _WorkItem:
        k = category[:-1].rsplit("/", 1)[1]
        self.items_per_category[category] += 1
        position = self.items_per_category[category]
        node = _child(self.node, f"item/{k}-{position}")
        match = _ITEM_NUMBER.match(text)
        label = text[match.end() :] if match else text
        number = int(match.group(1)) if match else None
        self.add(node, _RDF.type, _FJ.WorkItem)
        self.add(node, _RDFS.label, _zh(label))
        if number is not None:
            self.add(node, _FJ.itemNumber, _int(number))
        self.add(node, _FJ.category, category)
        self.add(node, _FJ.order, _int(row.index))
        self.add(node, _DCT.isPartOf, self.node)
        self.add(node, _PROV.wasDerivedFrom, cell)
        self.facts.work_item(
            node, label, number=number, order=row.index, category=category, cell=cell
        )
        item = _WorkItem(node, category, row)
        self.work_items.append(item)
        self.counts["work_items"] += 1
        return item

    def enumerated(self, item: _WorkItem, kind: str, cls: str, entry: Item, cell: str) -> str:
        item.positions[kind] += 1
        node = _child(item.node, f"{kind}/{item.positions[kind]}")
        self.add(node, _RDF.type, cls)
        self.add(node, _FJ.workItem, item.node)
        self.add(node, _FJ.text, literal(entry.text))
        self.add(node, _FJ.order, _int(item.positions[kind]))
        if entry.number is not None:
            self.add(node, _FJ.itemNumber, _int(entry.number))
        self.add(node, _PROV.wasDerivedFrom, cell)
        return node

    def target(self, item: _WorkItem, year: int, entry: Item, cell: str) -> str:
        node = self.enumerated(item, f"target/{year}", _FJ.Target, entry, cell)
        self.add(node, _FJ.year, _year(year))
        item.targets[year].append(node)
        self.target_counts[year] += 1
        for k, quantity in enumerate(extract_quantities(entry.text), start=1):
            self.observation(node, _child(node, f"observation/{k}"), quantity, year, None)
        return node

    def observation(
        self, target: str, node: str, q: Quantity, year: int, parent: str | None
    ) -> None:
        self.add(node, _RDF.type, _FJ.Observation)
        self.add(node, _RDF.type, _QB.Observation)
        self.add(target, _FJ.hasObservation, node)
        self.add(node, _FJ.indicator, self.indicator(q.indicator))
        self.add(node, _FJ.value, _decimal(q.value))
        self.add(node, _FJ.unitText, literal(q.unit_text))
        self.add(node, _FJ.normalizedValue, _decimal(q.normalized_value))
        self.add(node, _FJ.normalizedUnit, literal(q.normalized_unit))
        self.add(node, _FJ.comparator, _FJ[q.comparator.value])
        self.add(node, _FJ.year, _year(year))
        self.add(node, _FJ.writtenAs, literal(q.written_as))
        self.add(node, _PROV.wasDerivedFrom, target)
        if parent is not None:
            self.add(node, _FJ.partOf, parent)
        self.counts["observations"] += 1
        for k, child in enumerate(q.children, start=1):
            self.observation(target, _child(node, str(k)), child, year, node)

    def indicator(self, label: str) -> str:
        if label not in self.indicators:
            node = iri(f"{self.base}indicator/{hashed_slug(label)}")
            self.indicators[label] = node
            self.add_shared(node, _RDF.type, _FJ.Indicator)
            self.add_shared(node, _RDFS.label, _zh(label))
        return self.indicators[label]

    # -- units and roles ---------------------------------------------------------------------
    def place(self, place: Place) -> str:
        """The jurisdiction's node; its description (and its parents') goes to the shared graph
        unless the registry already holds it."""
        named = NamedNode(f"{self.base}jurisdiction/{place.slug}")
        node = str(named)
        if place.slug in self.places_written or named in self.registry.subjects:
            return node
        self.places_written.add(place.slug)
        self.add_shared(node, _RDF.type, _FJ.Jurisdiction)
        self.add_shared(node, _RDFS.label, _zh(place.name))
        self.add_shared(node, _FJ.level, _FJ[place.level.term])
        if place.code:
            self.add_shared(node, _FJ.divisionCode, literal(place.code))
        parent = Gazetteer.load().parent(place)
        if parent is not None:
            self.add_shared(node, _FJ.within, self.place(parent))
        return node

    def unit(self, name: str) -> str:
        if name not in self.units:
            resolved = self.resolver.resolve(name)
            if resolved.status != "registered":
                self.describe_unit(resolved)
            if resolved.status in ("listed", "unresolved"):
                self.unregistered.append(name)
            if resolved.status == "unresolved":
                self.unresolved.append(name)
            self.units[name] = str(resolved.iri)
        return self.units[name]

    def describe_unit(self, u: ResolvedUnit) -> None:
        """Types, names, jurisdiction and kind of a unit the registry does not hold (once).

        Units of a jurisdiction are shared by every table that names them; a unit kept as written
        because its jurisdiction is unknown belongs to this table alone (its IRI says so).
        """
        node = str(u.iri)
        if (node, u.written) in self.described:  # its facts are written: the table's are not
            return  # remembered past the work item, and the shared ones need not be asked again
        self.described.add((node, u.written))
        add = self.add if u.status == "unresolved" else self.add_shared
        add(node, _RDF.type, _FJ.Unit)
        add(node, _RDF.type, _ORG.Organization)
        add(node, _SKOS.prefLabel, _zh(u.label))
        if u.written != u.label:
            add(node, _SKOS.altLabel, _zh(u.written))
        if u.jurisdiction is not None:
            add(node, _FJ.jurisdiction, self.place(u.jurisdiction))
        if u.status == "resolved":
            add(node, _RDF.type, _FJ.ResolvedUnit)
            if u.kind is not None:
                add(node, _FJ.agencyKind, str(u.kind.iri))
        elif u.status == "group":
            add(node, _RDF.type, _FJ.ResolvedUnit)
            add(node, _RDF.type, _FJ.UnitGroup)
            add(node, _RDF.type, _ORG.OrganizationalCollaboration)
            add(node, _FJ.membersListed, literal("false", datatype=_BOOLEAN))
            for level in u.member_levels:
                add(node, _FJ.memberLevel, _FJ[level.term])
            if u.member_kind:
                add(node, _FJ.memberKind, _FJ[u.member_kind.capitalize()])
        else:
            add(node, _RDF.type, _FJ.UnregisteredUnit)
            if u.status == "unresolved":
                add(node, _RDF.type, _FJ.UnresolvedUnit)
        self.facts.unit(
            node,
            u.label,
            unregistered=u.status not in ("resolved", "group"),
            unresolved=u.status == "unresolved",
        )

    def assignments(self, item: _WorkItem, row: Row, cells: dict[int, str]) -> None:
        by_kind = self.by_kind
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
            literal(line.strip())
            for c in by_kind[ColumnKind.NOTE]
            for line in row.cells[c - 1].splitlines()
            if line.strip()
        ]
        for col, role, slot in plan:
            for mention in self.splits.units(row.cells[col - 1]):
                if role is None:  # Hunan's rule: the first listed responsible unit leads
                    is_first = item.positions["responsible"] == 0
                    effective = Role.LEAD if is_first else Role.CO_RESPONSIBLE
                else:
                    effective = role
                item.positions[slot] += 1
                unit = self.unit(mention.name)
                node = _child(item.node, f"assignment/{slot}/{item.positions[slot]}")
                self.add(node, _RDF.type, _FJ.Assignment)
                self.add(node, _FJ.unit, unit)
                self.add(node, _FJ.workItem, item.node)
                self.add(node, _FJ.role, _ROLE_TERMS[effective])
                self.add(node, _FJ.position, _int(mention.position))
                self.add(node, _FJ.writtenAs, literal(mention.written))
                if mention.scope:
                    self.add(node, _FJ.scope, literal(mention.scope))
                for note in notes:
                    self.add(node, _FJ.note, note)
                self.add(node, _PROV.wasDerivedFrom, cells[col])
                self.facts.assignment(
                    unit,
                    mention.written,
                    supporting=effective is Role.SUPPORTING,
                    item=item.node,
                    cell=cells[col],
                )
                if effective is Role.SUPPORTING:
                    self.add(unit, _FJ.supports, item.node)
                else:
                    self.add(unit, _FJ.responsibleFor, item.node)
                    if effective is Role.LEAD:
                        self.add(unit, _FJ.leads, item.node)

    # -- documents ---------------------------------------------------------------------------
    def document(self, title: str, short: str | None, based_on: str | None) -> str:
        node = self.documents.get(title)
        if node is None:
            node = iri(f"{self.base}doc/{hashed_slug(title)}")
            self.documents[title] = node
            self.add_shared(node, _RDF.type, _FJ.PolicyDocument)
            self.add_shared(node, _RDF.type, _SCHEMA.Legislation)
            self.add_shared(node, _DCT.title, _zh(title))
            self.facts.document(node, title)
        if short and short != title:
            self.add_shared(node, _DCT.alternative, _zh(short))
        if based_on:
            self.add_shared(node, _FJ.basedOn, self.document(based_on, None, None))
        return node

    def document_mentions(self, row: Row, owners: list[tuple[str, str, str]]) -> None:
        found = [find_mentions(text, self.short_names) for _, text, _ in owners]
        # Titles written in brackets anywhere in this row link their bracket-less mentions.
        written = {m.written_as.strip("《》") for ms in found for m in ms if not m.based_on}
        titles = BareTitles(written)  # once per row: many titles are searched for in one pass
        for (owner, text, cell), bracketed in zip(owners, found, strict=True):
            mentions = bracketed + titles.find(text)
            for k, mention in enumerate(sorted(mentions, key=lambda m: m.start), start=1):
                self.mention(owner, k, mention, cell)
            self.check_size(row)  # a row of cells full of 《titles》 makes 100,000s of mentions

    def mention(
        self,
        owner: str,
        k: int,
        m: DocumentMention,
        cell: str,
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
        node = _child(owner, f"mention/{k}")
        if location:
            self.add(node, _FJ.location, literal(location))
        self.add(node, _RDF.type, _FJ.DocumentMention)
        self.add(node, _FJ.document, doc)
        self.add(node, _FJ.mentionedIn, owner)
        self.add(node, _FJ.writtenAs, literal(m.written_as))
        bracketed = str(m.bracketed).lower()
        self.add(node, _FJ.bracketed, literal(bracketed, datatype=_BOOLEAN))
        self.add(node, _FJ.mentionKind, _FJ.Produces if m.kind == "produces" else _FJ.RefersTo)
        self.add(node, _PROV.wasDerivedFrom, cell)
        self.facts.mention(doc, cell)
        self.add(owner, _FJ.refersTo, doc)
        if m.kind == "produces":
            self.add(owner, _FJ.produces, doc)

    # -- whole table -------------------------------------------------------------------------
    def precedes(self) -> None:
        for item in self.work_items:
            self.item_lines.clear()  # pairs of targets of one work item: written once each
            years = sorted(y for y, targets in item.targets.items() if targets)
            for earlier, later in zip(years, years[1:], strict=False):
                for a in item.targets[earlier]:
                    for b in item.targets[later]:
                        self.add(a, _FJ.precedes, b)
            # pairs grow with the square of a work item's targets (its continuation rows' too)
            self.check_size(item.row, by="with the pairs of targets of the work item at this row")

    def check_size(self, row: Row, by: str = "by this row") -> None:
        """Stop at the row where the table's triples pass the limit (checked after each row,
        each target cell and each work item's pairs of targets)."""
        made = self.lines()
        if made > self.limits.triples:
            self.limits.check(
                "triples",
                made,
                file=self.table.name,
                place=row.location or f"line {row.line}",
                what=f"the table makes {made:,} triples {by}",
            )

    def lines(self) -> int:
        """Lines made so far (both graphs), writing out the batches that are full."""
        self.out.flush_if_full()
        if self.shared_out is self.out:
            return self.out.lines
        self.shared_out.flush_if_full()
        return self.out.lines + self.shared_out.lines

    def run(self, on_progress: Callable[[int, int], None] | None = None) -> BuiltTable:
        self.source()
        total = len(self.table.rows)
        for done, row in enumerate(self.table.rows, start=1):
            self.row(row)
            self.check_size(row)
            if on_progress and (done % _PROGRESS_EVERY == 0 or done == total):
                on_progress(done, total)
        self.precedes()
        findings = self.facts.findings()
        self.record_findings([*findings, *self.facts.notes()])
        if self.table.rows:  # findings are lines too: a table of doubtful cells makes many
            self.check_size(self.table.rows[-1], "with its findings recorded")
        self.out.flush()
        self.shared_out.flush()
        counts: dict[str, object] = {
            "categories": len(self.categories),
            "work_items": self.counts["work_items"],
            "targets": dict(sorted(self.target_counts.items())),
            "units": len(set(self.units.values())),
            "documents": len(self.mentioned),
            "observations": self.counts["observations"],
            "triples": self.lines(),
        }
        return BuiltTable(
            self.iri,
            [],
            counts,
            self.unregistered,
            self.table.reader,
            [],
            self.jurisdiction,
            self.unresolved,
            findings,
            self.facts,
            self.table.encoding,
        )

    def record_findings(self, findings: list[dict[str, Any]]) -> None:
        """The table's findings and notes as RDF in its graph (graph/_recorded.py), read by the
        page instead of asking the check queries of the whole store."""
        for q in finding_quads(findings, table=self.iri.value, graph=self.iri):
            self.emit(f"{q.subject} {q.predicate} {q.object}{self.graph_suffix}")


_ROLE_TERMS = {role: str(role.term) for role in Role}


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return literal(text, datatype=_DECIMAL)


def write_table(
    table: Table,
    out: ByteSink,
    *,
    shared: ByteSink | None = None,
    base: str = DEFAULT_BASE,
    slug: str | None = None,
    registry: UnitRegistry | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    jurisdiction: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> BuiltTable:
    """Write the quads of one table, in its own named graph ``{base}table/{slug}`` and the shared
    graph, as N-Quads (UTF-8) to ``out`` while going through the rows; the result has the counts
    and findings, and no quads.

    With ``shared``, the shared graph's lines go there instead of among the table's.
    ``jurisdiction`` (浙江省, 长沙市 …) overrides the one read from the table (title, 文号, issuer,
    units). ``on_progress(rows_done, rows_total)`` is called every 500 rows and at the end.
    A table making more than ``limits.triples`` triples stops with a
    :class:`~fenjie.errors.LimitError` at the row that passes it (what was written is then
    incomplete: the caller discards it).
    """
    registry = registry or UnitRegistry.load(base)
    builder = _Builder(
        table,
        NQuadsWriter(out),
        base=base,
        registry=registry,
        shared_out=NQuadsWriter(shared) if shared is not None else None,
        slug=slug or table_slug(table.name),
        jurisdiction=jurisdiction,
        limits=limits,
    )
    return builder.run(on_progress)


def build_table(
    table: Table,
    *,
    base: str = DEFAULT_BASE,
    slug: str | None = None,
    registry: UnitRegistry | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    jurisdiction: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> BuiltTable:
    """:func:`write_table`, with the quads as pyoxigraph objects: ``quads`` in the table's graph,
    ``shared_quads`` in the shared graph. For tables that fit in memory as objects."""
    buffer = io.BytesIO()
    built = write_table(
        table,
        buffer,
        base=base,
        slug=slug,
        registry=registry,
        on_progress=on_progress,
        jurisdiction=jurisdiction,
        limits=limits,
    )
    for quad in parse(buffer.getvalue(), format=RdfFormat.N_QUADS):
        (built.quads if quad.graph_name == built.iri else built.shared_quads).append(quad)
    return built
