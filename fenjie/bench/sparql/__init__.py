"""The benchmarks' own queries: ``fenjie/bench/sparql/*.rq`` (how samples for the named queries'
parameters are picked from a store). Read by the catalogue loader (:mod:`fenjie.catalogue`).

>>> sparql("sample-target").splitlines()[0]
'#+ name: sample-target'
"""

from __future__ import annotations

from fenjie.catalogue import catalogue_query

__all__ = ["sparql"]


def sparql(name: str) -> str:
    """The text of ``fenjie/bench/sparql/NAME.rq``."""
    return catalogue_query("fenjie.bench.sparql", name)
