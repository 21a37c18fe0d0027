"""What the views draw, read from the store through SPARQL (works on a local store or an endpoint).

The queries are named queries of the catalogue (``queries/*.rq``): ``assignments``,
``documents`` and ``tables`` as the questions and the API use them, and those only the views need
so far (``work-item-outline``, ``plan-units``, ``group-members``, ``assignment-scopes``,
``targets``, ``baselines``, ``target-sequence``, ``document-mentions``). Only
``backend.select(sparql, *, bindings=None)`` is used, so a ``fenjie.queries`` backend
(``LocalBackend`` / ``RemoteBackend``) or a :class:`~fenjie.graph.FenjieStore` will do. The queries
take no user input: filters (year, role, category, unit, document) are applied to the rows in
Python, so nothing typed by a user is ever formatted into query text.

>>> from fenjie.graph import FenjieStore, build_sources
>>> from fenjie.config import bundled_example
>>> store = FenjieStore.in_memory()
>>> _ = build_sources([bundled_example()], store=store)
>>> data = load(store)
>>> len(data.items) > 0 and len(data.assignments) > 0
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

__all__ = ["Backend", "GraphData", "ROLES", "load", "read_outline"]

from fenjie.queries.registry import get_stored
from fenjie.roles import Role
from fenjie.vocab import FJ_NS

#: role IRI local name → (key used by the views, Chinese label)
ROLES: dict[str, tuple[str, str]] = {
    r.term.value.removeprefix(FJ_NS): (r.value, r.zh) for r in Role
}


class Backend(Protocol):
    """Anything that runs a SELECT query and returns rows of RDF terms."""

    def select(self, sparql: str, *, bindings: Any = None) -> list[dict[str, Any]]: ...


def _v(row: dict[str, Any], key: str, default: Any = None) -> Any:
    term = row.get(key)
    return default if term is None else term.value


def _int(row: dict[str, Any], key: str, default: int = 0) -> int:
    try:
        return int(_v(row, key, default))
    except (TypeError, ValueError):
        return default


@dataclass
class GraphData:
    """Plain Python records of the graph parts the views draw (IRIs are strings)."""

    units: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    categories: dict[str, dict[str, Any]] = field(default_factory=dict)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    members: dict[str, list[str]] = field(default_factory=dict)
    #: reads the targets the first time they are asked for (:func:`load` sets it)
    read_targets: Callable[[], dict[str, dict[str, Any]]] | None = field(
        default=None, repr=False, compare=False
    )
    baselines: dict[str, dict[str, Any]] = field(default_factory=dict)
    precedes: list[tuple[str, str]] = field(default_factory=list)
    refers: list[tuple[str, str, bool]] = field(default_factory=list)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)

    @cached_property
    def targets(self) -> dict[str, dict[str, Any]]:
        """Every target (``iri``, ``item``, ``year``, ``text``, ``order``), read on first use:
        the biggest answer the views read (36,424 targets at 940k triples, 2-11 s), needed only
        by views that draw targets, tooltips that list them and the year filter."""
        return self.read_targets() if self.read_targets is not None else {}

    # -- derived look-ups ------------------------------------------------------------------------
    @cached_property
    def _targets_by_item(self) -> dict[str, list[dict[str, Any]]]:
        index: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for t in sorted(self.targets.values(), key=lambda t: (t["year"], t["order"], t["iri"])):
            index[t["item"]].append(t)
        return index

    @cached_property
    def _roles_by_item(self) -> dict[str, list[tuple[str, str]]]:
        index: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for a in self.assignments:
            index[a["item"]].add((a["unit"], a["role"]))
        return {k: sorted(v) for k, v in index.items()}

    def targets_of(self, item: str, *, year: int | None = None) -> list[dict[str, Any]]:
        found = self._targets_by_item.get(item, [])
        return [t for t in found if year is None or t["year"] == year]

    def years(self) -> list[int]:
        return sorted({t["year"] for t in self.targets.values()})

    def items_in_year(self, year: int) -> set[str]:
        return {t["item"] for t in self.targets.values() if t["year"] == year}

    def roles_on(self, item: str) -> list[tuple[str, str]]:
        """(unit, role key) pairs on a work item, in a stable order."""
        return self._roles_by_item.get(item, [])


def _unit_label(pref: str | None, alts: list[str], iri: str) -> str:
    """The short form people write (the shortest alternative label), else the full name."""
    if alts:
        return min(alts, key=lambda a: (len(a), a))
    return pref or iri.rsplit("/", 1)[-1]


def _truth(row: dict[str, Any], key: str) -> bool:
    """A boolean column (``"1"^^xsd:boolean`` from Virtuoso reads as true)."""
    return _v(row, key) in (True, "true", "1")


def _select(backend: Backend, name: str) -> list[dict[str, Any]]:
    return backend.select(get_stored(name).text)


def _targets(backend: Backend) -> dict[str, dict[str, Any]]:
    targets: dict[str, dict[str, Any]] = {}
    for r in _select(backend, "targets"):
        iri = _v(r, "target")
        targets[iri] = {
            "iri": iri,
            "item": _v(r, "item"),
            "year": _int(r, "year"),
            "text": _v(r, "text", ""),
            "order": _int(r, "order"),
        }
    return targets


def _add_assignments(
    data: GraphData, rows: list[dict[str, Any]], scopes: dict[tuple[str, str], str]
) -> None:
    """``data.assignments`` from rows of ``assignments`` (or ``item-assignments``)."""
    keys = {role.value for role in Role}
    for r in rows:
        role = _v(r, "role", "")
        if role not in keys:
            continue
        unit, item = _v(r, "unit"), _v(r, "item")
        data.assignments.append(
            {"unit": unit, "item": item, "role": role, "scope": scopes.get((unit, item))}
        )


def _add_outline(data: GraphData, rows: list[dict[str, Any]]) -> None:
    """``data.items`` and ``data.categories`` from rows of ``work-item-outline`` (or
    ``item-outline``)."""
    for r in rows:
        iri = _v(r, "item")
        cat = _v(r, "category")
        data.items[iri] = {
            "iri": iri,
            "label": _v(r, "label", ""),
            "number": _int(r, "number"),
            "order": _int(r, "order"),
            "category": cat,
            "table": _v(r, "table"),
        }
        if cat and cat not in data.categories:
            data.categories[cat] = {
                "iri": cat,
                "label": _v(r, "categoryLabel", ""),
                "order": _int(r, "categoryOrder"),
            }


def read_outline(backend: Backend, data: GraphData, items: list[str]) -> None:
    """The outline and the assignments of ``items`` alone, into ``data`` (loaded with
    ``outline=False``): a view that draws a few hundred work items of a province's archive reads
    those (``item-outline``, ``item-assignments``, the work items bound as one ``VALUES`` block),
    not all of them. Scopes (``assignment-scopes``) are not read: the view shows none."""
    from pyoxigraph import NamedNode

    if not items:
        return
    bound = {"item": [NamedNode(i) for i in sorted(set(items))]}
    _add_assignments(data, backend.select(get_stored("item-assignments").text, bindings=bound), {})
    _add_outline(data, backend.select(get_stored("item-outline").text, bindings=bound))


def load(backend: Backend, *, documents: bool = True, outline: bool = True) -> GraphData:
    """Read everything the views need with a handful of named queries.

    ``documents=False`` leaves out the baselines, the precedes chain between targets and the
    document mentions: on a province's archive these are the biggest answers (62,289 precedes
    edges at 940k triples). The views load without them; the dependency view reads them around
    the targets it draws only (:mod:`fenjie.viz._views_focus`). ``outline=False`` leaves out the
    work items, their categories and the assignments (4,642 work items and 16,197 assignments at
    940k triples): the dependency view reads those of the work items it draws
    (:func:`read_outline`). The targets are read when a view first asks for them
    (:attr:`GraphData.targets`).
    """
    data = GraphData()
    if outline:
        scopes = {
            (_v(r, "unit"), _v(r, "item")): _v(r, "scope")
            for r in _select(backend, "assignment-scopes")
        }
        _add_assignments(data, _select(backend, "assignments"), scopes)
        _add_outline(data, _select(backend, "work-item-outline"))
    prefs: dict[str, str] = {}
    alts: dict[str, set[str]] = defaultdict(set)
    groups: set[str] = set()
    for r in _select(backend, "plan-units"):
        iri = _v(r, "unit")
        if "pref" in r:
            prefs[iri] = _v(r, "pref")
        if "alt" in r:
            alts[iri].add(_v(r, "alt"))
        alts.setdefault(iri, set())
        if _truth(r, "group"):
            groups.add(iri)
    for iri in alts:
        data.units[iri] = {
            "iri": iri,
            "label": _unit_label(prefs.get(iri), sorted(alts[iri]), iri),
            "name": prefs.get(iri) or _unit_label(None, sorted(alts[iri]), iri),
            "alt": sorted(alts[iri]),
            "group": iri in groups,
        }
    for r in _select(backend, "group-members"):
        data.members.setdefault(_v(r, "group"), []).append(_v(r, "member"))
    for members in data.members.values():
        members.sort()
    data.read_targets = lambda: _targets(backend)
    if documents:
        for r in _select(backend, "baselines"):
            iri = _v(r, "baseline")
            data.baselines[iri] = {
                "iri": iri,
                "item": _v(r, "item"),
                "text": _v(r, "text", ""),
                "order": _int(r, "order"),
            }
        data.precedes = sorted(
            {(_v(r, "from"), _v(r, "to")) for r in _select(backend, "target-sequence")}
        )
        data.refers = sorted(
            {
                (_v(r, "node"), _v(r, "document"), _truth(r, "produces"))
                for r in _select(backend, "document-mentions")
            }
        )
    for r in _select(backend, "documents"):
        iri = _v(r, "document")
        doc = data.documents.setdefault(
            iri, {"iri": iri, "title": _v(r, "title", ""), "alt": set(), "based_on": set()}
        )
        if "alternative" in r:
            doc["alt"].add(_v(r, "alternative"))
        if "basedOn" in r:
            doc["based_on"].add(_v(r, "basedOn"))
    for r in _select(backend, "tables"):
        data.tables[_v(r, "table")] = _v(r, "title", "")
    for doc in data.documents.values():
        doc["alt"] = sorted(doc["alt"])
        doc["based_on"] = sorted(doc["based_on"])
    return data
