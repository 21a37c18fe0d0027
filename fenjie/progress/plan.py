"""What progress is reported on: the plan's work items and targets, with their units and due dates.

Loaded once per answer from the stored queries ``progress-plan`` and ``assignments``, so it works
on the embedded store and on a remote endpoint alike.

Due dates: a target is due at the end of its year; a work item without targets is due on its
``fj:deadlineDate`` (完成时限), else it has no due date and is never overdue.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fenjie.queries.backend import QueryBackend, plain
from fenjie.queries.registry import get_stored
from fenjie.roles import Role

__all__ = ["PlanIndex", "PlanItem", "Tracked"]


@dataclass
class PlanItem:
    iri: str
    label: str | None  # None when loaded without texts
    number: int | None
    order: int
    category: str | None
    category_order: int
    table: str
    table_title: str | None
    deadline: str | None
    deadline_date: date | None
    targets: list[Tracked] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)  # unit IRI → lead|responsible|supporting


@dataclass
class Tracked:
    """A target, or a work item without targets: one line of the progress answer."""

    iri: str
    item: PlanItem
    year: int | None
    number: int | None
    text: str | None  # None when loaded without texts
    order: int

    @property
    def is_item(self) -> bool:
        return self.iri == self.item.iri

    @property
    def due(self) -> date | None:
        if self.year is not None:
            return date(self.year, 12, 31)
        return self.item.deadline_date


@dataclass
class PlanIndex:
    items: dict[str, PlanItem]
    tracked: dict[str, Tracked]
    unit_labels: dict[str, str]

    @classmethod
    def load(cls, backend: QueryBackend, *, texts: bool = True) -> PlanIndex:
        """The plan's work items and targets. ``texts=False`` reads them without their texts,
        labels and numbers (``progress-plan-order``: ``None`` in their place), all that ordering,
        filtering and counting need: a page of the answer reads the texts of its targets only."""
        items: dict[str, PlanItem] = {}
        tracked: dict[str, Tracked] = {}
        query = "progress-plan" if texts else "progress-plan-order"
        for row in backend.select(get_stored(query).text):
            iri = plain(row["item"])
            item = items.get(iri)
            if item is None:
                deadline_date = plain(row.get("deadlineDate"))
                item = items[iri] = PlanItem(
                    iri=iri,
                    label=plain(row.get("itemLabel")),
                    number=plain(row.get("itemNumber")),
                    order=plain(row["itemOrder"]),
                    category=plain(row.get("category")),
                    category_order=plain(row.get("categoryOrder")) or 0,
                    table=plain(row["table"]),
                    table_title=plain(row.get("tableTitle")),
                    deadline=plain(row.get("deadline")),
                    deadline_date=date.fromisoformat(deadline_date) if deadline_date else None,
                )
            if "target" in row and plain(row["target"]) not in tracked:
                target = Tracked(
                    iri=plain(row["target"]),
                    item=item,
                    year=plain(row["year"]),
                    number=plain(row.get("targetNumber")),
                    text=plain(row.get("text")),
                    order=plain(row["targetOrder"]),
                )
                item.targets.append(target)
                tracked[target.iri] = target
        for item in items.values():
            item.targets.sort(key=lambda t: (t.year or 0, t.order, t.iri))
            if not item.targets:
                tracked[item.iri] = Tracked(item.iri, item, None, item.number, item.label, 0)
        labels: dict[str, str] = {}
        for row in backend.select(get_stored("assignments").text):
            unit, iri = plain(row["unit"]), plain(row["item"])
            labels[unit] = plain(row.get("unitLabel")) or unit
            if iri in items:
                role = plain(row["role"])
                current = items[iri].units.get(unit)
                if current is None or Role(role).rank < Role(current).rank:
                    items[iri].units[unit] = role
        return cls(items, tracked, labels)

    def ordered(self) -> list[Tracked]:
        """Tracked nodes in plan order: table, category, work item, year, position."""

        def key(t: Tracked) -> tuple[Any, ...]:
            i = t.item
            return (i.table, i.category_order, i.order, t.year or 0, t.order, t.iri)

        return sorted(self.tracked.values(), key=key)

    def targets_of(self, about: str) -> list[Tracked]:
        """The tracked nodes a report about ``about`` (a target or a work item) speaks for."""
        if about in self.tracked:
            return [self.tracked[about]]
        item = self.items.get(about)
        return list(item.targets) if item else []

    def items_by_unit(self) -> dict[str, dict[str, str]]:
        by_unit: dict[str, dict[str, str]] = defaultdict(dict)
        for item in self.items.values():
            for unit, role in item.units.items():
                by_unit[unit][item.iri] = role
        return by_unit
