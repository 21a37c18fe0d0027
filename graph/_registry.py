"""The bundled ontology and unit registry, loaded from ``fenjie.ontology`` as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from fenjie.graph._names import normalize_unit_name
from fenjie.graph._vocab import FJ, RDF, SKOS

__all__ = ["UnitRegistry", "agency_quads", "normalize_unit_name", "ontology_quads"]


def _read(resource: str, *, base: str, graph: NamedNode) -> list[Quad]:
    data = (files("fenjie.ontology") / resource).read_bytes()
    return [
        Quad(t.subject, t.predicate, t.object, graph)
        for t in parse(data, format=RdfFormat.TURTLE, base_iri=base)
    ]


@lru_cache(maxsize=8)
def ontology_quads(base: str) -> tuple[Quad, ...]:
    """The ontology in graph ``{base}graph/ontology``."""
    return tuple(_read("fenjie.ttl", base=base, graph=NamedNode(base + "graph/ontology")))


@lru_cache(maxsize=8)
def agency_quads(base: str) -> tuple[Quad, ...]:
    """The national vocabulary of agency kinds in graph ``{base}graph/agencies``."""
    return tuple(_read("agencies.ttl", base=base, graph=NamedNode(base + "graph/agencies")))


@dataclass
class UnitRegistry:
    """Registered units by every label (prefLabel, altLabel, hiddenLabel), groups and members."""

    base: str
    quads: tuple[Quad, ...]
    by_label: dict[str, NamedNode] = field(default_factory=dict)
    #: unit → the local name of its jurisdiction's IRI (``430000-hu-nan-sheng``)
    jurisdiction: dict[NamedNode, str] = field(default_factory=dict)
    subjects: frozenset[NamedNode] = frozenset()  # every node the registry describes

    @classmethod
    @lru_cache(maxsize=8)
    def load(cls, base: str) -> UnitRegistry:
        graph = NamedNode(base + "graph/registry")
        quads = tuple(_read("units.ttl", base=base, graph=graph))
        registry = cls(base, quads)
        label_predicates = {SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel}
        units = {q.subject for q in quads if q.predicate == RDF.type and q.object == FJ.Unit}
        for q in quads:
            subject, value = q.subject, q.object
            if not isinstance(subject, NamedNode):  # units.ttl names every unit with an IRI
                continue
            if q.predicate in label_predicates and subject in units and isinstance(value, Literal):
                registry.by_label.setdefault(normalize_unit_name(value.value), subject)
            elif q.predicate == FJ.jurisdiction and isinstance(value, NamedNode):
                registry.jurisdiction[subject] = value.value.rsplit("/", 1)[-1]
        registry.subjects = frozenset(q.subject for q in quads if isinstance(q.subject, NamedNode))
        return registry

    def lookup(self, name: str) -> NamedNode | None:
        """The registered unit with this label, or None."""
        return self.by_label.get(normalize_unit_name(name))
