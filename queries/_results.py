"""Reading a remote SELECT's answer: SPARQL JSON results, or a result set written as Turtle.

Which format a server is asked for is a question of speed, not of meaning: both give every term
with its kind, datatype and language. Virtuoso writes large answers as SPARQL JSON results slowly
(a 26,056-row, 13-column answer at 940k triples: 20–75 s of writing after about 3 s of
evaluation), and as Turtle in the W3C result-set vocabulary (``res:ResultSet``,
``res:solution``, ``res:binding``) within a few seconds. Its other fast formats lose the terms:
its TSV and CSV write IRIs and literals alike as quoted strings and drop language tags and
datatypes. So :class:`~fenjie.queries.RemoteBackend` asks Virtuoso for Turtle and everything else
for JSON, and reads whichever of the two the server sent (:func:`read_select`).

Virtuoso's Turtle writes numbers in Turtle's short forms: an integral ``xsd:decimal`` as ``85``
(an ``xsd:integer`` when read) and an ``xsd:double`` without exponent as ``85.0`` or ``0.5`` (an
``xsd:decimal``). Its decimals never end in ``.0`` (it writes them canonically), so a short
decimal ending so is read back as the ``xsd:double`` it was; ``0.5`` stays a decimal. The values
fenjie shows and compares (:func:`~fenjie.queries.plain`) are the same as from JSON either way.

>>> rows = read_select(b'''@prefix res: <http://www.w3.org/2005/sparql-results#> .
... _:_ a res:ResultSet ; res:resultVariable "u", "n" .
... _:_ res:solution [ res:binding [ res:variable "u" ; res:value <https://example.org/a> ] ;
...                    res:binding [ res:variable "n" ; res:value 85.0 ] ] .''', "text/turtle")
>>> rows
[{'u': <NamedNode value=https://example.org/a>, 'n': <Literal value=85.0 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#double>>}]
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = [
    "JSON_MEDIA",
    "TURTLE_MEDIA",
    "ResultsFormatError",
    "read_select",
]

JSON_MEDIA = "application/sparql-results+json"
TURTLE_MEDIA = "text/turtle"

# the result-set vocabulary: Virtuoso's namespace, and the one of the DAWG tests (Jena's rs:)
_RESULT_SETS = (
    "http://www.w3.org/2005/sparql-results#",
    "http://www.w3.org/2001/sw/DataAccess/tests/result-set#",
)
_ROLES = {
    ns + name: name
    for ns in _RESULT_SETS
    for name in ("solution", "binding", "variable", "value", "boolean", "ResultSet")
}
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"


class ResultsFormatError(ValueError):
    """An answer that is not a SELECT's result in the format its media type names;
    ``not_select`` when it is a well-formed answer of another query form (an ASK's boolean)."""

    def __init__(self, message: str, *, not_select: bool = False) -> None:
        super().__init__(message)
        self.not_select = not_select


class _JsonTerms:
    """Terms of one JSON answer's bindings, each distinct IRI or literal made once: a large answer
    names the same items, units and years in many rows, and a term costs more to make (its
    syntax is checked) than to look up."""

    def __init__(self) -> None:
        from pyoxigraph import BlankNode, Literal, NamedNode

        self._blank, self._literal, self._named = BlankNode, Literal, NamedNode
        self._iris: dict[str, Any] = {}
        self._literals: dict[tuple[str, str | None, str | None], Any] = {}

    def iri(self, value: str) -> Any:
        node = self._iris.get(value)
        if node is None:
            node = self._iris[value] = self._named(value)
        return node

    def __call__(self, binding: Mapping[str, str]) -> Any:
        kind, value = binding["type"], binding["value"]
        if kind == "uri":
            return self.iri(value)
        if kind == "bnode":
            return self._blank(value)
        language, datatype = binding.get("xml:lang"), binding.get("datatype")
        key = (value, language, datatype)
        literal = self._literals.get(key)
        if literal is None:
            if language is not None:
                literal = self._literal(value, language=language)
            elif datatype is not None:
                literal = self._literal(value, datatype=self.iri(datatype))
            else:
                literal = self._literal(value)
            self._literals[key] = literal
        return literal


def _read_json(body: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ResultsFormatError(f"not JSON: {exc}") from exc
    if isinstance(data, dict) and "boolean" in data:
        raise ResultsFormatError("the answer of an ASK query", not_select=True)
    try:
        bindings = data["results"]["bindings"]
        term = _JsonTerms()
        return [{name: term(value) for name, value in row.items()} for row in bindings]
    except (ValueError, KeyError, TypeError) as exc:
        raise ResultsFormatError(f"not SPARQL JSON results of a SELECT: {exc}") from exc


def _read_turtle(body: bytes) -> list[dict[str, Any]]:
    """The rows of a result set written as Turtle, in the order of its ``res:solution`` triples.

    Blank nodes are keyed by their labels (strings hash faster than pyoxigraph's terms: about
    5 s against 9 s for a million triples).
    """
    from pyoxigraph import Literal, NamedNode, RdfFormat, parse

    variables: dict[str, str] = {}
    values: dict[str, Any] = {}
    owner: dict[str, str] = {}
    solutions: list[str] = []
    roles = _ROLES
    result_set = False
    try:
        for subject, predicate, obj, _graph in parse(body, format=RdfFormat.TURTLE):
            role = roles.get(predicate.value)
            if role == "value":
                values[subject.value] = obj
            elif role == "variable":
                variables[subject.value] = obj.value
            elif role == "binding":
                owner[obj.value] = subject.value
            elif role == "solution":
                solutions.append(obj.value)
            elif role == "boolean":
                raise ResultsFormatError("the answer of an ASK query", not_select=True)
            elif predicate.value == _RDF_TYPE and roles.get(obj.value) == "ResultSet":
                result_set = True
    except SyntaxError as exc:
        raise ResultsFormatError(f"not Turtle: {exc}") from exc
    if not result_set:
        raise ResultsFormatError("Turtle without a result set (res:ResultSet)")
    rows: dict[str, dict[str, Any]] = {solution: {} for solution in solutions}
    double = NamedNode(_XSD + "double")
    try:
        for binding, solution in owner.items():
            value = values[binding]
            if (
                isinstance(value, Literal)
                and value.value.endswith(".0")
                and value.datatype.value == _XSD + "decimal"
            ):
                value = Literal(value.value, datatype=double)
            rows[solution][variables[binding]] = value
    except KeyError as exc:
        raise ResultsFormatError(
            f"a binding without its solution, variable or value: {exc}"
        ) from exc
    return list(rows.values())


def read_select(body: bytes, media: str) -> list[dict[str, Any]]:
    """The rows of a SELECT's answer ``body`` of media type ``media`` (SPARQL JSON results, or a
    result set in Turtle): one dict per solution, variable name → pyoxigraph term, unbound
    variables left out. ``ResultsFormatError`` for another media type or a body that is not
    what it names."""
    if media in (JSON_MEDIA, "application/json"):
        return _read_json(body)
    if media == TURTLE_MEDIA:
        return _read_turtle(body)
    raise ResultsFormatError(f"an answer of media type {media or '(none)'!r}")
