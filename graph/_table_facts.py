"""What the check queries ask of one table, gathered by the builder while it writes the table.

``fenjie build`` used to report a table's findings by running the check queries
(``graph/sparql/check-*.rq``) over the store after loading it: 44 s of a 62 s build of a
5,000-row plan, because every answer row joins a handful of index lookups on the on-disk store.
The builder already holds every fact those queries join (a cell's row, line and column, the unit
and item of an assignment, a work item's number), so it hands them here as it writes them, and
:meth:`TableFacts.select` answers each check query with the rows the query would give over the
table's graph, the shared graph and the registry (``DISTINCT`` and ``ORDER BY`` included). The
rows become findings by the same code as the store's rows (:mod:`graph._findings`);
``tests/test_findings.py`` holds the two equal, query by query, on real and synthetic plans.

Only this table's facts are seen: what other tables say about a shared node (another label of a
unit) reaches ``fenjie check``, which asks the whole store, and not the build summary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pyoxigraph import Literal, NamedNode

from fenjie.graph._findings import NOTE_KINDS, Row, source_findings, written_unit_findings
from fenjie.graph._registry import UnitRegistry
from fenjie.graph._vocab import FJ, RDF, SKOS

__all__ = ["TableFacts"]


def _distinct(rows: Iterable[Row]) -> list[Row]:
    """The rows without repeats, first seen first (a query's ``DISTINCT``)."""
    return list({tuple(r.items()): r for r in rows}.values())


def _iri(node: str) -> str:
    """The IRI of a node in N-Triples form (``<…>``), as a query answer gives it."""
    return node[1:-1]


class TableFacts:
    """Facts of one table, told by the builder as it writes the quads that state them.

    Nodes are in N-Triples form, as the builder has them. The methods are called once per fact
    written (a fact stated twice is told twice; the rows are made ``DISTINCT`` as the queries'
    are). Memory is a few small tuples per cell, assignment, work item and mention.
    """

    def __init__(self, table: str, registry: UnitRegistry) -> None:
        self.table = _iri(table)
        self.title = ""
        self.file = ""
        self.unknown_jurisdiction = False
        self.headers: dict[int, str] = {}
        self.enumerating: set[int] = set()  # baseline and target columns
        # cell node → (row index, line, column, location), and values of enumerating cells
        self.cells: dict[str, tuple[int, int, int, str | None]] = {}
        self.enumerated: list[tuple[str, str]] = []  # (cell, value)
        self.labels: dict[str, list[str]] = defaultdict(list)  # unit → prefLabels
        self.unregistered: set[str] = set()  # units typed fj:UnregisteredUnit
        self.unresolved: set[str] = set()  # units typed fj:UnresolvedUnit
        self._registry(registry)
        # (unit, written, supporting, item, cell) of every assignment
        self.assignments: list[tuple[str, str, bool, str, str]] = []
        self.responsible: set[tuple[str, str]] = set()  # (unit, item)
        # (item, label, number or None, order, category, cell)
        self.items: list[tuple[str, str, int | None, int, str, str]] = []
        self.titles: dict[str, str] = {}  # document → title
        self.mentions: list[tuple[str, str]] = []  # (document, cell)

    def _registry(self, registry: UnitRegistry) -> None:
        """Labels and types the registry graph gives units (registered units are described
        there, not by the builder)."""
        for q in registry.quads:
            subject, value = q.subject, q.object
            if not isinstance(subject, NamedNode):  # units.ttl names every unit with an IRI
                continue
            if q.predicate == SKOS.prefLabel and isinstance(value, Literal):
                self.labels[subject.value].append(value.value)
            elif q.predicate == RDF.type and value == FJ.UnregisteredUnit:
                self.unregistered.add(subject.value)
            elif q.predicate == RDF.type and value == FJ.UnresolvedUnit:
                self.unresolved.add(subject.value)

    # -- told by the builder ---------------------------------------------------------------------
    def source(self, *, title: str, file: str, unknown_jurisdiction: bool) -> None:
        self.title, self.file = title, file
        self.unknown_jurisdiction = unknown_jurisdiction

    def column(self, index: int, header: str, *, enumerating: bool) -> None:
        self.headers[index] = header
        if enumerating:
            self.enumerating.add(index)

    def cell(
        self, node: str, *, row: int, line: int, column: int, location: str, value: str
    ) -> None:
        self.cells[node] = (row, line, column, location or None)
        if column in self.enumerating:
            self.enumerated.append((node, value))

    def unit(self, node: str, label: str, *, unregistered: bool, unresolved: bool) -> None:
        """A unit described by the builder: its prefLabel and whether it is typed unregistered
        (in no vocabulary) or unresolved (its jurisdiction unknown)."""
        unit = _iri(node)
        if label not in self.labels[unit]:
            self.labels[unit].append(label)
        if unregistered:
            self.unregistered.add(unit)
        if unresolved:
            self.unresolved.add(unit)

    def assignment(
        self, unit: str, written: str, *, supporting: bool, item: str, cell: str
    ) -> None:
        self.assignments.append((_iri(unit), written, supporting, item, cell))
        if not supporting:
            self.responsible.add((_iri(unit), item))

    def work_item(
        self, node: str, label: str, *, number: int | None, order: int, category: str, cell: str
    ) -> None:
        self.items.append((node, label, number, order, category, cell))

    def document(self, node: str, title: str) -> None:
        self.titles.setdefault(node, title)

    def mention(self, document: str, cell: str) -> None:
        """A mention derived from a cell (mentions in the title or the notice are derived from the
        table itself, and the check queries, which join cells, leave them out)."""
        if cell in self.cells:
            self.mentions.append((document, cell))

    # -- the check queries' rows ---------------------------------------------------------------
    def findings(self) -> list[dict[str, Any]]:
        """The table's findings, as :func:`fenjie.graph.check.quality_findings` gives them for
        this table (the levels' findings, made across tables, left out)."""
        return source_findings(self.select)

    def notes(self) -> list[dict[str, Any]]:
        """The table's notes (units read through a registered short name), as
        :func:`fenjie.graph.check.resolution_notes` gives them for this table."""
        rows = self.select("check-written-units")
        return [f for f in written_unit_findings(rows) if f["kind"] in NOTE_KINDS]

    def select(self, name: str) -> list[Row]:
        """The rows the check query ``name`` gives over this table's graphs."""
        return _QUERIES[name](self)

    def _where(self, cell: str) -> Row:
        row, line, column, location = self.cells[cell]
        where = {
            "cell": _iri(cell),
            "table": self.table,
            "row": str(row),
            "line": str(line),
            "column": str(column),
            "header": self.headers[column],
        }
        if location is not None:
            where["location"] = location
        where["file"] = self.file  # the builder always writes fj:sourceFile
        return where

    def _by_cell(self, rows: Iterable[Row]) -> list[Row]:
        """``DISTINCT`` rows ``ORDER BY ?table ?row ?column`` (ties in the order written)."""
        return sorted(_distinct(rows), key=lambda r: (int(r["row"]), int(r["column"])))

    def _unknown_jurisdiction(self) -> list[Row]:
        if not self.unknown_jurisdiction:
            return []
        return [{"table": self.table, "title": self.title, "file": self.file}]

    def _unregistered_units(self) -> list[Row]:
        return self._by_cell(
            {
                "unit": unit,
                "label": label,
                "unresolved": "true" if unit in self.unresolved else "false",
                **self._where(cell),
            }
            for unit, _, _, _, cell in self.assignments
            if unit in self.unregistered
            for label in self.labels.get(unit, ())
        )

    def _written_units(self) -> list[Row]:
        rows = []
        for unit, written, _, _, cell in self.assignments:
            registered = "false" if unit in self.unregistered else "true"
            base = {"unit": unit, "written": written, "registered": registered}
            labels: list[str | None] = [*self.labels.get(unit, ())] or [None]
            for full in labels:
                rows.append({**base, **({"full": full} if full is not None else {})})
                rows[-1].update(self._where(cell))
        return self._by_cell(rows)

    def _both_roles(self) -> list[Row]:
        labels = {item: label for item, label, *_ in self.items}
        rows = [
            {
                "unit": unit,
                "label": written,
                "item": _iri(item),
                "itemLabel": labels[item],
                **self._where(cell),
            }
            for unit, written, supporting, item, cell in self.assignments
            if supporting and (unit, item) in self.responsible
        ]
        return sorted(_distinct(rows), key=lambda r: int(r["row"]))

    def _no_responsible(self) -> list[Row]:
        led = {item for _, item in self.responsible}
        rows = [
            {"item": _iri(item), "label": label, **self._where(cell)}
            for item, label, _, _, _, cell in self.items
            if item not in led
        ]
        return sorted(rows, key=lambda r: int(r["row"]))

    def _documents(self) -> list[Row]:
        return self._by_cell(
            {"doc": _iri(doc), "title": self.titles[doc], **self._where(cell)}
            for doc, cell in self.mentions
        )

    def _enumerated_cells(self) -> list[Row]:
        rows = [{"value": value, **self._where(cell)} for cell, value in self.enumerated]
        return sorted(rows, key=lambda r: (int(r["row"]), int(r["column"])))

    def _item_numbers(self) -> list[Row]:
        rows = [
            {
                "item": _iri(item),
                "label": label,
                **({"number": str(number)} if number is not None else {}),
                "order": str(order),
                "category": _iri(category),
                **self._where(cell),
            }
            for item, label, number, order, category, cell in self.items
        ]
        return sorted(rows, key=lambda r: int(r["order"]))


_QUERIES = {
    "check-unknown-jurisdiction": TableFacts._unknown_jurisdiction,
    "check-unregistered-units": TableFacts._unregistered_units,
    "check-written-units": TableFacts._written_units,
    "check-both-roles": TableFacts._both_roles,
    "check-no-responsible": TableFacts._no_responsible,
    "check-documents": TableFacts._documents,
    "check-enumerated-cells": TableFacts._enumerated_cells,
    "check-item-numbers": TableFacts._item_numbers,
}
