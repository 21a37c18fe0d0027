"""The bundled ontology and unit registry, loaded from ``fenjie.ontology`` as data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from fenjie.graph._vocab import FJ, RDF, SKOS

__all__ = ["UnitRegistry", "normalize_unit_name", "ontology_quads"]

_SPACE = re.compile(r"\s+")


def normalize_unit_name(name: str) -> str:
    """Unit name as compared: no white space, ASCII brackets.

    >>> normalize_unit_name(" 省文化厅（文化 创意） ")
    '省文化厅(文化创意)'
    """
    return _SPACE.sub("", name).replace("（", "(").replace("）", ")")


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


@dataclass
class UnitRegistry:
    """Registered units by every label (prefLabel, altLabel, hiddenLabel), groups and members."""

    base: str
    quads: tuple[Quad, ...]
    by_label: dict[str, NamedNode] = field(default_factory=dict)

    @classmethod
    @lru_cache(maxsize=8)
    def load(cls, base: str) -> UnitRegistry:
        graph = NamedNode(base + "graph/registry")
        quads = tuple(_read("units.ttl", base=base, graph=graph))
        registry = cls(base, quads)
        label_predicates = {SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel}
        units = {q.subject for q in quads if q.predicate == RDF.type and q.object == FJ.Unit}
        for q in quads:
            if q.predicate in label_predicates and q.subject in units:
                registry.by_label.setdefault(normalize_unit_name(q.object.value), q.subject)
        return registry

    def lookup(self, name: str) -> NamedNode | None:
        """The registered unit with this label, or None."""
        return self.by_label.get(normalize_unit_name(name))
