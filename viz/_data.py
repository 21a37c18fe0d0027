"""What the views draw, read from the store through SPARQL (works on a local store or an endpoint).

Only ``backend.select(sparql, *, bindings=None)`` is used, so a ``fenjie.queries`` backend
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
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

__all__ = ["Backend", "GraphData", "ROLES", "load"]

from fenjie.roles import Role
from fenjie.vocab import FJ_NS as FJ

_PREFIXES = f"""PREFIX fj: <{FJ}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dct: <http://purl.org/dc/terms/>
"""

#: role IRI local name → (key used by the views, Chinese label)
ROLES: dict[str, tuple[str, str]] = {r.term.value.removeprefix(FJ): (r.value, r.zh) for r in Role}

_ASSIGNMENTS = (
    _PREFIXES
    + """SELECT ?unit ?item ?role ?scope WHERE {
  ?a a fj:Assignment ; fj:unit ?unit ; fj:workItem ?item ; fj:role ?role .
  OPTIONAL { ?a fj:scope ?scope }
}"""
)
_ITEMS = (
    _PREFIXES
    + """SELECT ?item ?label ?number ?order ?category ?categoryLabel ?categoryOrder ?table WHERE {
  ?item a fj:WorkItem ; rdfs:label ?label .
  OPTIONAL { ?item fj:itemNumber ?number }
  OPTIONAL { ?item fj:order ?order }
  OPTIONAL { ?item dct:isPartOf ?table }
  OPTIONAL { ?item fj:category ?category .
             OPTIONAL { ?category rdfs:label ?categoryLabel }
             OPTIONAL { ?category fj:order ?categoryOrder } }
}"""
)
_UNITS = (
    _PREFIXES
    + """SELECT ?unit ?pref ?alt ?group WHERE {
  { ?a fj:unit ?unit } UNION { ?unit a fj:UnitGroup } UNION { ?g org:hasMember ?unit }
  OPTIONAL { ?unit skos:prefLabel ?pref }
  OPTIONAL { ?unit skos:altLabel ?alt }
  OPTIONAL { ?unit a fj:UnitGroup . BIND(true AS ?group) }
}"""
)
_MEMBERS = (
    _PREFIXES + "SELECT ?group ?member WHERE { ?group a fj:UnitGroup ; org:hasMember ?member }"
)
_TARGETS = (
    _PREFIXES
    + """SELECT ?target ?item ?year ?text ?order WHERE {
  ?target a fj:Target ; fj:workItem ?item ; fj:year ?year ; fj:text ?text .
  OPTIONAL { ?target fj:order ?order }
}"""
)
_BASELINES = (
    _PREFIXES
    + """SELECT ?baseline ?item ?text ?order WHERE {
  ?baseline a fj:BaselineItem ; fj:workItem ?item ; fj:text ?text .
  OPTIONAL { ?baseline fj:order ?order }
}"""
)
_TABLES = (
    _PREFIXES
    + """SELECT ?table ?title WHERE {
  ?table a fj:SourceTable . OPTIONAL { ?table dct:title ?title }
}"""
)
_PRECEDES = _PREFIXES + "SELECT ?from ?to WHERE { ?from fj:precedes ?to }"
_REFERS = (
    _PREFIXES
    + """SELECT ?node ?doc ?produces WHERE {
  ?node fj:refersTo ?doc .
  BIND(EXISTS { ?node fj:produces ?doc } AS ?produces)
}"""
)
_DOCUMENTS = (
    _PREFIXES
    + """SELECT ?doc ?title ?alt ?basedOn WHERE {
  ?doc a fj:PolicyDocument .
  OPTIONAL { ?doc dct:title ?title }
  OPTIONAL { ?doc dct:alternative ?alt }
  OPTIONAL { ?doc fj:basedOn ?basedOn }
}"""
)


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
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    baselines: dict[str, dict[str, Any]] = field(default_factory=dict)
    precedes: list[tuple[str, str]] = field(default_factory=list)
    refers: list[tuple[str, str, bool]] = field(default_factory=list)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)

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


def load(backend: Backend) -> GraphData:
    """Read everything the views need with a handful of SELECT queries."""
    data = GraphData()
    for r in backend.select(_ASSIGNMENTS):
        role = _v(r, "role", "").rsplit("#", 1)[-1]
        if role not in ROLES:
            continue
        data.assignments.append(
            {
                "unit": _v(r, "unit"),
                "item": _v(r, "item"),
                "role": ROLES[role][0],
                "scope": _v(r, "scope"),
            }
        )
    for r in backend.select(_ITEMS):
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
    prefs: dict[str, str] = {}
    alts: dict[str, set[str]] = defaultdict(set)
    groups: set[str] = set()
    for r in backend.select(_UNITS):
        iri = _v(r, "unit")
        if "pref" in r:
            prefs[iri] = _v(r, "pref")
        if "alt" in r:
            alts[iri].add(_v(r, "alt"))
        alts.setdefault(iri, set())
        if _v(r, "group") in (True, "true", "1"):
            groups.add(iri)
    for iri in alts:
        data.units[iri] = {
            "iri": iri,
            "label": _unit_label(prefs.get(iri), sorted(alts[iri]), iri),
            "name": prefs.get(iri) or _unit_label(None, sorted(alts[iri]), iri),
            "alt": sorted(alts[iri]),
            "group": iri in groups,
        }
    for r in backend.select(_MEMBERS):
        data.members.setdefault(_v(r, "group"), []).append(_v(r, "member"))
    for members in data.members.values():
        members.sort()
    for r in backend.select(_TARGETS):
        iri = _v(r, "target")
        data.targets[iri] = {
            "iri": iri,
            "item": _v(r, "item"),
            "year": _int(r, "year"),
            "text": _v(r, "text", ""),
            "order": _int(r, "order"),
        }
    for r in backend.select(_BASELINES):
        iri = _v(r, "baseline")
        data.baselines[iri] = {
            "iri": iri,
            "item": _v(r, "item"),
            "text": _v(r, "text", ""),
            "order": _int(r, "order"),
        }
    data.precedes = sorted({(_v(r, "from"), _v(r, "to")) for r in backend.select(_PRECEDES)})
    data.refers = sorted(
        {
            (_v(r, "node"), _v(r, "doc"), _v(r, "produces") in (True, "true", "1"))
            for r in backend.select(_REFERS)
        }
    )
    for r in backend.select(_DOCUMENTS):
        iri = _v(r, "doc")
        doc = data.documents.setdefault(
            iri, {"iri": iri, "title": _v(r, "title", ""), "alt": set(), "based_on": set()}
        )
        if "alt" in r:
            doc["alt"].add(_v(r, "alt"))
        if "basedOn" in r:
            doc["based_on"].add(_v(r, "basedOn"))
    for r in backend.select(_TABLES):
        data.tables[_v(r, "table")] = _v(r, "title", "")
    for doc in data.documents.values():
        doc["alt"] = sorted(doc["alt"])
        doc["based_on"] = sorted(doc["based_on"])
    return data
