"""Named SPARQL queries and the three questions fenjie answers, on any backend.

- :func:`stored_queries` / :func:`run_stored`: the ``queries/*.rq`` files, with typed parameters.
- :func:`obligations`: what one unit must do (directly, through a group, through predecessors).
- :func:`coordination_load`: work items, partners and centrality per unit.
- :func:`dependents`: which targets depend on a policy document, and why.

Backends: :class:`LocalBackend` (the embedded store) and :class:`RemoteBackend` (a SPARQL 1.1
endpoint through SPARQLWrapper). User input only ever reaches a query as a bound RDF term.

>>> from fenjie.graph import FenjieStore, build_sources
>>> from fenjie.config import bundled_example
>>> store = FenjieStore.in_memory()
>>> _ = build_sources([bundled_example()], store=store)
>>> len(obligations(LocalBackend(store), "省科技厅")["obligations"])
13
"""

from fenjie.queries.backend import LocalBackend, QueryBackend, as_backend, plain, plain_rows
from fenjie.queries.documents import dependents, resolve_document
from fenjie.queries.questions import coordination_load, obligations, run_stored, stored_table
from fenjie.queries.registry import Parameter, StoredQuery, stored_queries
from fenjie.queries.remote import RemoteBackend, push_gsp, push_update
from fenjie.queries.units import find_units, pick_by_name, resolve_unit

__all__ = [
    "LocalBackend",
    "Parameter",
    "QueryBackend",
    "RemoteBackend",
    "StoredQuery",
    "as_backend",
    "coordination_load",
    "dependents",
    "find_units",
    "obligations",
    "pick_by_name",
    "plain",
    "plain_rows",
    "push_gsp",
    "push_update",
    "resolve_document",
    "resolve_unit",
    "run_stored",
    "stored_queries",
    "stored_table",
]
