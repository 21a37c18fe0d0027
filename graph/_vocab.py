"""IRIs of the vocabularies fenjie writes (pyoxigraph terms), in one place.

``FJ`` is the closed vocabulary of :mod:`fenjie.vocab` (only the ontology's terms); the other
namespaces are open (their terms are defined elsewhere).

>>> FJ.leads.value
'https://w3id.org/fenjie/def#leads'
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from fenjie.vocab import FJ, FJ_NS

__all__ = ["DCT", "FJ", "FJ_NS", "ORG", "PROV", "QB", "RDF", "RDFS", "SCHEMA", "SKOS", "XSD"]


class Namespace:
    """Attribute access to the IRIs of one namespace: ``FJ.leads``, ``FJ["Target"]``."""

    def __init__(self, iri: str) -> None:
        self.iri = iri

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        return NamedNode(self.iri + name)

    def __getitem__(self, name: str) -> NamedNode:
        return NamedNode(self.iri + name)


RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ORG = Namespace("http://www.w3.org/ns/org#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCT = Namespace("http://purl.org/dc/terms/")
QB = Namespace("http://purl.org/linked-data/cube#")
SCHEMA = Namespace("https://schema.org/")
