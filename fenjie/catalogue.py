"""The ``.rq`` query format and its loader: every SPARQL query fenjie runs is a file in a catalogue.

A catalogue is a folder of ``.rq`` files inside a package. Each file starts with a header of
``#+`` comment lines::

    #+ name: obligations
    #+ title: 单位的任务（牵头、共同负责、配合）
    #+ description: Work items a unit leads, ...
    #+ param: unit (unit, required): the unit, by any label or IRI
    #+ param: year (year): only targets of this year

Parameter types: ``string``, ``integer``, ``decimal``, ``boolean``, ``year`` (``xsd:gYear``),
``iri``, ``unit`` and ``document`` (names resolved by ``fenjie.queries``). A parameter is bound
as an RDF term to the projected variable of the same name; it is never formatted into the text.
A ``#+ binding:`` line says how the embedded store receives the terms: ``substitute`` (the default:
Oxigraph's substitution of the variable) or ``values`` (a ``VALUES`` block, as every remote
endpoint gets them). Both give the same answers; which is faster depends on Oxigraph's plan for the query, so a
query declares ``values`` where that was measured faster (docs/queries.md).

The public catalogue is ``queries/*.rq`` (listed by ``fenjie queries``, served at
``/api/queries/NAME``); parts below ``fenjie.queries`` keep private catalogues of their own
(``graph/sparql/*.rq``: the store's, the check's and the export's queries;
``queries/endpoint/*.rq``: what the remote backend asks an endpoint about itself), read by this
same loader. This module sits below every part so that all of them can.

>>> q = parse_stored_query("#+ name: n\\n#+ param: y (year, default 2018): a year\\nSELECT * {}")
>>> q.parameters[0]
Parameter(name='y', type='year', default='2018', required=False, description='a year')
>>> sorted(load_catalogue("fenjie.graph.sparql"))[:2]
['all-triples', 'check-both-roles']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.resources import files
from typing import Any

from fenjie.errors import QueryError, UnknownQueryError

__all__ = [
    "BINDING_FORMS",
    "PARAM_TYPES",
    "Parameter",
    "StoredQuery",
    "binding_form",
    "catalogue_query",
    "load_catalogue",
    "parse_stored_query",
]

PARAM_TYPES = ("string", "integer", "decimal", "boolean", "year", "iri", "unit", "document")
#: how parameters reach the embedded store (the first is the default)
BINDING_FORMS = ("substitute", "values")
_HEADER = re.compile(r"^#\+\s*(\w+)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(r"^(\w+)\s*\(\s*(\w+)\s*((?:,\s*[^,)]+)*)\)\s*(?::\s*(.*))?$")
_FORM = re.compile(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", re.IGNORECASE)
_BINDING = re.compile(r"^#\+\s*binding\s*:\s*(.*?)\s*$", re.MULTILINE | re.IGNORECASE)


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
    """A named SPARQL query read from a catalogue's ``NAME.rq``."""

    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)
    text: str = ""
    binding: str = BINDING_FORMS[0]

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
    """Parse a ``.rq`` file: its ``#+`` header and its query text."""
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
        binding=binding_form(text),
    )


def binding_form(text: str) -> str:
    r"""How the embedded store receives the parameters of the query ``text``: the value of its
    ``#+ binding:`` header, else ``substitute``.

    >>> binding_form("#+ binding: values\nSELECT ?u WHERE { ?u ?p ?o }")
    'values'
    """
    found = _BINDING.search(text)
    if found is None:
        return BINDING_FORMS[0]
    form = found.group(1).lower()
    if form not in BINDING_FORMS:
        raise QueryError(f"binding: {found.group(1)!r} is not one of {', '.join(BINDING_FORMS)}")
    return form


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
def load_catalogue(package: str) -> dict[str, StoredQuery]:
    """The queries of one catalogue, by name: the ``*.rq`` files of ``package`` (a folder)."""
    found: dict[str, StoredQuery] = {}
    for entry in sorted(files(package).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            query = parse_stored_query(entry.read_text(encoding="utf-8"), name=entry.name[:-3])
            found[query.name] = query
    return found


def catalogue_query(package: str, name: str) -> str:
    """The text of query ``name`` in the catalogue ``package``, else
    :class:`~fenjie.errors.UnknownQueryError` (a private catalogue's names are fixed in code: a
    wrong one is a bug, which any test reaching it finds)."""
    queries = load_catalogue(package)
    if name not in queries:
        raise UnknownQueryError(f"no query named {name!r} in {package}")
    return queries[name].text
