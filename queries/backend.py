"""Where queries run: the embedded store (:class:`LocalBackend`) or a remote endpoint.

Both backends take parameters as RDF terms (``bindings``), never as text spliced into a query, and
both answer over the union of all named graphs, so a question has the same answer everywhere.

>>> from fenjie.graph import FenjieStore, build_sources
>>> from fenjie.config import bundled_example
>>> store = FenjieStore.in_memory()
>>> _ = build_sources([bundled_example()], store=store)
>>> backend = LocalBackend(store)
>>> from pyoxigraph import Literal
>>> rows = backend.select(
...     "SELECT ?name ?u WHERE { ?u <http://www.w3.org/2004/02/skos/core#altLabel> ?l "
...     "FILTER(STR(?l) = ?name) }", bindings={"name": Literal("省科技厅")})
>>> rows[0]["u"].value
'https://w3id.org/fenjie/id/unit/hunan-department-of-science-and-technology'
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pyoxigraph import BlankNode, Literal, NamedNode

from fenjie.catalogue import binding_form
from fenjie.errors import QueryError
from fenjie.queries._values import serialized, with_values

if TYPE_CHECKING:
    from pyoxigraph import Triple

    from fenjie.graph.store import FenjieStore

__all__ = ["LocalBackend", "QueryBackend", "as_backend", "bound_query", "plain", "plain_rows"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_STRING = _XSD + "string"
_INTEGERS = {
    _XSD + name
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
        "gYear",
    )
}


@runtime_checkable
class QueryBackend(Protocol):
    """Anything that answers SPARQL over fenjie's graphs (union of all named graphs)."""

    def select(
        self, sparql: str, *, bindings: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """SELECT rows: dicts of variable name → pyoxigraph term (unbound variables left out)."""
        ...

    def construct(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> list[Triple]:
        """CONSTRUCT / DESCRIBE triples as pyoxigraph ``Triple`` objects."""
        ...

    def ask(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> bool:
        """The answer of an ASK query."""
        ...


class LocalBackend:
    """Queries on an embedded :class:`~fenjie.graph.store.FenjieStore`.

    Bindings use Oxigraph's substitutions (the variable must be projected by the query), unless
    the query's header says ``#+ binding: values``: then they arrive as a ``VALUES`` block, the
    text a remote endpoint gets (:func:`~fenjie.queries.remote.with_values`). Oxigraph plans some
    queries far better one way, some the other (docs/queries.md).
    """

    def __init__(self, store: FenjieStore) -> None:
        self.store = store

    def select(
        self, sparql: str, *, bindings: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        text, terms = bound_query(sparql, bindings)
        return self.store.select(text, bindings=terms)

    def construct(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> list[Triple]:
        text, terms = bound_query(sparql, bindings)
        return list(self.store.construct(text, bindings=terms))

    def ask(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> bool:
        text, terms = bound_query(sparql, bindings)
        return self.store.ask(text, bindings=terms)

    def __repr__(self) -> str:
        return f"LocalBackend({self.store.path or ':memory:'})"


def bound_query(
    sparql: str, bindings: Mapping[str, Any] | None
) -> tuple[str, Mapping[str, Any] | None]:
    r"""The query text and the substitutions the embedded store gets for ``sparql`` with ``bindings``.

    >>> from pyoxigraph import NamedNode
    >>> bound_query("#+ binding: values\nSELECT ?u { ?u ?p ?o }", {"u": NamedNode("http://x/a")})
    ('#+ binding: values\nSELECT ?u { VALUES ?u { <http://x/a> } ?u ?p ?o }', None)
    """
    if bindings and binding_form(sparql) == "values":
        return with_values(
            sparql, {name: serialized(term) for name, term in bindings.items()}
        ), None
    if bindings and any(isinstance(term, (list, tuple)) for term in bindings.values()):
        # Oxigraph substitutes one term per variable; several need the query's VALUES form
        raise QueryError("多个绑定值需要 VALUES 绑定 (several values need `#+ binding: values`)")
    return sparql, bindings


def as_backend(source: QueryBackend | FenjieStore) -> QueryBackend:
    """``source`` as a backend: a bare :class:`~fenjie.graph.store.FenjieStore` is wrapped."""
    from fenjie.graph.store import FenjieStore

    if isinstance(source, FenjieStore):
        return LocalBackend(source)
    return source


def plain(term: Any) -> Any:
    """A JSON-friendly value for a term: IRI string, number for numeric literals, else text.

    >>> from pyoxigraph import Literal, NamedNode
    >>> plain(Literal("2018", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#gYear")))
    2018
    >>> plain(NamedNode("https://example.org/x"))
    'https://example.org/x'
    """
    # by exact type, the common kinds first: a large answer has millions of cells, and
    # pyoxigraph's term classes cannot be subclassed
    kind = type(term)
    if kind is NamedNode:
        return term.value
    if kind is Literal:
        return _plain_literal(term)
    if term is None or isinstance(term, (str, int, float)):
        return term  # a value already plain (bool is an int)
    if kind is BlankNode:
        return f"_:{term.value}"
    return str(term)


def _plain_literal(term: Literal) -> Any:
    """:func:`plain` of a literal: a number for the numeric datatypes, a boolean, else its text."""
    datatype = term.datatype.value
    if datatype == _STRING:
        return term.value
    try:
        if datatype in _INTEGERS:
            return int(term.value)
        if datatype == _XSD + "decimal":
            number = Decimal(term.value)
            return int(number) if number == number.to_integral_value() else float(number)
        if datatype in (_XSD + "double", _XSD + "float"):
            return float(term.value)
    except (ValueError, ArithmeticError):
        return term.value
    if datatype == _XSD + "boolean":
        return term.value in ("true", "1")
    return term.value


def plain_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`plain` applied to every value of every row."""
    return [{k: plain(v) for k, v in row.items()} for row in rows]
