"""Stored (named) queries: the ``queries/*.rq`` files, their headers and typed parameters.

Each ``.rq`` file starts with a header of ``#+`` comment lines::

    #+ name: obligations
    #+ title: 单位的任务（牵头、共同负责、配合）
    #+ description: Work items a unit leads, ...
    #+ param: unit (unit, required): the unit, by any label or IRI
    #+ param: year (year): only targets of this year
    #+ param: limit (integer, default 20): at most this many rows

Parameter types: ``string``, ``integer``, ``decimal``, ``boolean``, ``year`` (``xsd:gYear``),
``iri``, ``unit`` (any unit label or IRI, resolved with :func:`~fenjie.queries.resolve_unit`) and
``document`` (a title, short name or IRI, resolved with
:func:`~fenjie.queries.resolve_document`). A parameter becomes an RDF term bound to the projected
variable of the same name; it is never formatted into the query text.

>>> q = stored_queries()["obligations"]
>>> [(p.name, p.type, p.required) for p in q.parameters]
[('unit', 'unit', True), ('year', 'year', False)]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fenjie.catalogue import Parameter, StoredQuery, load_catalogue, parse_stored_query
from fenjie.errors import ParameterError, UnknownQueryError

if TYPE_CHECKING:
    from fenjie.queries.backend import QueryBackend

__all__ = [
    "Parameter",
    "StoredQuery",
    "parse_param",
    "parse_stored_query",
    "result_columns",
    "stored_queries",
]

_XSD = "http://www.w3.org/2001/XMLSchema#"


def stored_queries() -> dict[str, StoredQuery]:
    """All stored queries, by name, read from the package's ``*.rq`` files (the public
    catalogue; see :mod:`fenjie.catalogue` for the format)."""
    return load_catalogue("fenjie.queries")


def result_columns(query: StoredQuery, rows: list[dict[str, Any]]) -> list[str]:
    """The columns of ``rows`` answering ``query``: its projected variables in the written order,
    then any other keys found in the rows (CONSTRUCT answers: subject, predicate, object)."""
    order = list(query.variables)
    found = dict.fromkeys(k for row in rows for k in row)
    return order + [n for n in found if n not in order]


def get_stored(name: str) -> StoredQuery:
    """The stored query ``name``, else :class:`~fenjie.errors.UnknownQueryError`."""
    queries = stored_queries()
    if name not in queries:
        import difflib

        raise UnknownQueryError(
            f"没有名为 {name!r} 的存储查询 (no stored query named {name!r})",
            suggestions=difflib.get_close_matches(name, list(queries), n=3) or None,
        )
    return queries[name]


def parse_param(backend: QueryBackend, param: Parameter, raw: str) -> Any:
    """Turn the text ``raw`` into the RDF term for ``param`` (resolving unit and document names)."""
    from pyoxigraph import Literal, NamedNode

    try:
        if param.type == "string":
            return Literal(raw)
        if param.type == "integer":
            return Literal(str(int(raw.strip())), datatype=NamedNode(_XSD + "integer"))
        if param.type == "decimal":
            from decimal import Decimal, InvalidOperation

            try:
                value = Decimal(raw.strip())
            except InvalidOperation as exc:
                raise ValueError(raw) from exc
            return Literal(str(value), datatype=NamedNode(_XSD + "decimal"))
        if param.type == "boolean":
            lowered = raw.strip().lower()
            if lowered not in {"true", "false", "1", "0", "yes", "no"}:
                raise ValueError(raw)
            value_text = "true" if lowered in {"true", "1", "yes"} else "false"
            return Literal(value_text, datatype=NamedNode(_XSD + "boolean"))
        if param.type == "year":
            return year_term(int(raw.strip()))
        if param.type == "iri":
            return NamedNode(raw.strip())
    except (ValueError, TypeError) as exc:
        raise ParameterError(
            f"参数 {param.name}：{raw!r} 不是有效的 {param.type} (not a valid {param.type})",
            parameter=param.name,
        ) from exc
    if param.type == "unit":
        from fenjie.queries.units import resolve_unit

        return NamedNode(resolve_unit(backend, raw)["iri"])
    from fenjie.queries.documents import resolve_document

    return NamedNode(resolve_document(backend, raw)["iri"])


def year_term(year: int) -> Any:
    """``"2018"^^xsd:gYear`` for 2018."""
    from pyoxigraph import Literal, NamedNode

    if not 0 < year < 10000:
        raise ValueError(f"not a year: {year}")
    return Literal(f"{year:04d}", datatype=NamedNode(_XSD + "gYear"))


def bind_params(
    backend: QueryBackend, query: StoredQuery, params: Mapping[str, str]
) -> dict[str, Any]:
    """Parse ``params`` (name → text) into bindings, checking names, requirements and types."""
    known = {p.name: p for p in query.parameters}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ParameterError(
            f"查询 {query.name} 没有参数 {'、'.join(unknown)}（可用参数：{'、'.join(known) or '无'}） "
            f"(query {query.name} has no parameter {', '.join(unknown)})",
            parameter=unknown[0],
        )
    bindings: dict[str, Any] = {}
    for param in query.parameters:
        raw = params.get(param.name, param.default)
        if raw is None or raw == "":
            if param.required:
                raise ParameterError(
                    f"查询 {query.name} 需要参数 {param.name}（{param.type}） (needs parameter {param.name})",
                    parameter=param.name,
                )
            continue
        bindings[param.name] = parse_param(backend, param, raw)
    return bindings
