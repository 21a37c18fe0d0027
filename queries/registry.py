"""Stored (named) queries: the ``queries/*.rq`` files, their headers and typed parameters.

Each ``.rq`` file starts with a header of ``#+`` comment lines::

    #+ name: obligations
    #+ title: 单位的任务（牵头、负责、配合）
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

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from fenjie.errors import ParameterError, QueryError, UnknownQueryError

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

PARAM_TYPES = ("string", "integer", "decimal", "boolean", "year", "iri", "unit", "document")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_HEADER = re.compile(r"^#\+\s*(\w+)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(r"^(\w+)\s*\(\s*(\w+)\s*((?:,\s*[^,)]+)*)\)\s*(?::\s*(.*))?$")
_FORM = re.compile(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Parameter:
    """One typed parameter of a stored query."""

    name: str
    type: str
    default: str | None = None
    required: bool = False
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "default": self.default,
            "required": self.required,
            "description": self.description,
        }


@dataclass(frozen=True)
class StoredQuery:
    """A named SPARQL query read from ``queries/NAME.rq``."""

    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)
    text: str = ""

    @property
    def form(self) -> str:
        """``SELECT``, ``CONSTRUCT``, ``ASK`` or ``DESCRIBE``."""
        body = "\n".join(
            line for line in self.text.splitlines() if not line.lstrip().startswith("#")
        )
        found = _FORM.search(body)
        return found.group(1).upper() if found else "SELECT"

    @cached_property
    def variables(self) -> tuple[str, ...]:
        """The projected variables of a SELECT query, in order (empty for other forms).

        Read from the parsed query, so an empty answer still has its columns.

        >>> text = "SELECT ?b (COUNT(?x) AS ?a) {?b ?p ?x} GROUP BY ?b"
        >>> parse_stored_query(text, name="n").variables
        ('b', 'a')
        """
        if self.form != "SELECT":
            return ()
        from pyparsing import ParseException
        from rdflib.plugins.sparql import prepareQuery

        try:
            algebra = prepareQuery(self.text).algebra
        except (ParseException, ValueError, TypeError):  # a dialect rdflib does not read
            return ()
        return tuple(str(v) for v in algebra.get("PV") or ())

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "form": self.form,
            "parameters": [p.to_dict() for p in self.parameters],
        }


def parse_stored_query(text: str, *, name: str | None = None) -> StoredQuery:
    """Parse a ``.rq`` file: its ``#+`` header and its query text.

    >>> q = parse_stored_query("#+ name: n\\n#+ param: y (year, default 2018): a year\\nSELECT * {}")
    >>> q.parameters[0]
    Parameter(name='y', type='year', default='2018', required=False, description='a year')
    """
    meta: dict[str, str] = {}
    params: list[Parameter] = []
    for line in text.splitlines():
        found = _HEADER.match(line)
        if not found:
            continue
        key, value = found.group(1).lower(), found.group(2)
        if key == "param":
            params.append(_parse_param_line(value))
        else:
            meta[key] = value
    query_name = meta.get("name") or name
    if not query_name:
        raise QueryError("a stored query needs a '#+ name:' header")
    return StoredQuery(
        name=query_name,
        title=meta.get("title", query_name),
        description=meta.get("description", ""),
        parameters=tuple(params),
        text=text,
    )


def _parse_param_line(value: str) -> Parameter:
    found = _PARAM.match(value)
    if not found:
        raise QueryError(f"cannot read parameter header {value!r}")
    name, ptype, options, description = found.groups()
    if ptype not in PARAM_TYPES:
        raise QueryError(f"parameter {name}: unknown type {ptype!r}")
    required, default = False, None
    for option in (o.strip() for o in (options or "").split(",") if o.strip()):
        if option == "required":
            required = True
        elif option.startswith("default "):
            default = option[len("default ") :].strip()
        else:
            raise QueryError(f"parameter {name}: unknown option {option!r}")
    return Parameter(name, ptype, default, required, description or "")


@cache
def stored_queries() -> dict[str, StoredQuery]:
    """All stored queries, by name, read from the package's ``*.rq`` files."""
    found: dict[str, StoredQuery] = {}
    for entry in sorted(files("fenjie.queries").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            query = parse_stored_query(entry.read_text(encoding="utf-8"), name=entry.name[:-3])
            found[query.name] = query
    return found


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
            f"no stored query named {name!r}",
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
            f"parameter {param.name}: {raw!r} is not a valid {param.type}", parameter=param.name
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
            f"query {query.name} has no parameter {', '.join(unknown)}"
            f" (it takes: {', '.join(known) or 'none'})",
            parameter=unknown[0],
        )
    bindings: dict[str, Any] = {}
    for param in query.parameters:
        raw = params.get(param.name, param.default)
        if raw is None or raw == "":
            if param.required:
                raise ParameterError(
                    f"query {query.name} needs parameter {param.name} ({param.type})",
                    parameter=param.name,
                )
            continue
        bindings[param.name] = parse_param(backend, param, raw)
    return bindings
