"""The graph part's private query catalogue: ``graph/sparql/*.rq``.

The store, the check and the export ask the store themselves (on chosen named graphs, below the
query backends), and ``fenjie.graph`` may not import ``fenjie.queries``; so their queries are a
catalogue of their own, in the same ``.rq`` format, read by the same loader
(:mod:`fenjie.catalogue`). They are not listed by ``fenjie queries``: they answer the code, not users.

>>> sparql("table-graphs").splitlines()[0]
'#+ name: table-graphs'
"""

from __future__ import annotations

from fenjie.catalogue import catalogue_query

__all__ = ["sparql"]


def sparql(name: str) -> str:
    """The text of ``graph/sparql/NAME.rq``."""
    return catalogue_query("fenjie.graph.sparql", name)
