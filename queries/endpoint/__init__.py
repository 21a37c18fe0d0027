"""What the remote backend asks an endpoint about itself: ``queries/endpoint/*.rq``.

These run on the endpoint's own dataset (no ``default-graph-uri``), before fenjie knows which
graphs are its own, and answer differently per server (Virtuoso answers ``GRAPH ?g { }`` with one
unbound row); so they are not named queries of the catalogue, whose answers are the same everywhere.

>>> sparql("named-graphs").splitlines()[0]
'#+ name: named-graphs'
"""

from __future__ import annotations

from fenjie.catalogue import catalogue_query

__all__ = ["sparql"]


def sparql(name: str) -> str:
    """The text of ``queries/endpoint/NAME.rq``."""
    return catalogue_query("fenjie.queries.endpoint", name)
