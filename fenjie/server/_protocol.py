"""SPARQL 1.1 Protocol helpers: the query form, ``FROM``, and content negotiation.

The lexer here only picks the answer's media type and the default dataset; it takes no security
decision (``SERVICE`` and ``LOAD`` are decided on the parsed query: :mod:`._guard`).

>>> query_form('PREFIX ex: <http://e/> # SELECT in a comment\\nASK { ?s ex:p "SELECT" }')
'ASK'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from fenjie.errors import RequestRefusedError

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "Token",
    "has_from",
    "negotiate",
    "query_facts",
    "query_form",
    "tokenize",
]

# media type → pyoxigraph format name; the first entry of each table is the default.
RESULT_FORMATS: dict[str, str] = {
    "application/sparql-results+json": "JSON",
    "application/sparql-results+xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
    "application/json": "JSON",
    "application/xml": "XML",
    "text/xml": "XML",
}
GRAPH_FORMATS: dict[str, str] = {
    "text/turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
    "text/plain": "N_TRIPLES",
    "application/x-turtle": "TURTLE",
    "application/xml": "RDF_XML",
    "application/json": "JSON_LD",
}
# short names accepted in a ``format`` parameter (handy for links and CSV downloads)
FORMAT_ALIASES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
}


@dataclass(frozen=True)
class Token:
    kind: str  # "iri", "pname", "var", "string", "word", "punct"
    text: str


_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"
               |'(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<pname>(?:[^\W\d][\w.-]*)?:(?:[\w:%\\-][\w.:%\\-]*)?)
    | (?P<word>[^\W\d]\w*)
    | (?P<num>\d[\d.eE+-]*)
    | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokenize(text: str) -> list[Token]:
    """Split SPARQL text into tokens, dropping white space and comments.

    >>> [t.text for t in tokenize('SELECT ?x { ?x <http://e/#a> "}" }')]
    ['SELECT', '?x', '{', '?x', '<http://e/#a>', '"}"', '}']
    """
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        if kind == "num":
            kind = "word"
        tokens.append(Token(kind, match.group()))
    return tokens


def query_facts(text: str) -> tuple[str | None, bool]:
    """The query's form (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``: the first keyword
    after the prologue, else ``None``) and whether it names its own dataset (``FROM`` /
    ``FROM NAMED``). This runs per request, so it reads only as far as a dataset clause can
    stand: the grammar puts ``FROM`` between the form's clause and the ``WHERE`` group
    (``CONSTRUCT``: after its template), so reading stops at that group's ``{`` (or ``WHERE``),
    however long the rest of the query is.

    >>> query_facts('PREFIX a: <x:> SELECT * FROM <x:g> { ?s ?p "FROM" }')
    ('SELECT', True)
    >>> query_facts("# SELECT\\nASK { ?s ?p ?o }")
    ('ASK', False)
    >>> query_facts("CONSTRUCT { ?s ?p ?o } FROM NAMED <x:g> WHERE { ?s ?p ?o }")
    ('CONSTRUCT', True)
    >>> query_facts("SELECT * WHERE { ?s <x:from> ?o } # where it came from")
    ('SELECT', False)
    """
    form: str | None = None
    template = 0  # CONSTRUCT: depth inside its template, -1 once the template is read
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("ws", "comment"):
            continue
        token = match.group()
        if form is None:
            if kind not in ("word", "num"):
                continue
            word = token.upper()
            if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                form = word
            elif word not in ("PREFIX", "BASE"):
                return None, False  # not a query's prologue: no form, and no dataset read
            continue
        if form == "CONSTRUCT" and template >= 0 and token in "{}" and kind == "punct":
            template += 1 if token == "{" else -1
            if template == 0:
                template = -1  # the template is closed: the dataset clause may follow
            continue
        if template > 0:
            continue
        if form == "CONSTRUCT":
            template = -1  # no template (CONSTRUCT WHERE): dataset clauses come right away
        if kind == "punct" and token == "{":
            return form, False
        if kind in ("word", "num"):
            word = token.upper()
            if word == "FROM":
                return form, True
            if word == "WHERE":
                return form, False
    return form, False


def query_form(text: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the first form keyword, or ``None``."""
    return query_facts(text)[0]


def has_from(text: str) -> bool:
    """Whether the query names its own dataset (``FROM`` / ``FROM NAMED``)."""
    return query_facts(text)[1]


def _accept_entries(accept: str) -> list[tuple[str, float, int]]:
    entries = []
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        entries.append((media, q, position))
    return entries


def negotiate(accept: str | None, offered: Sequence[str], *, fmt: str | None = None) -> str:
    """Pick the media type to answer with from ``offered`` (default first).

    ``fmt`` (a ``format`` request parameter: a short name or a media type) wins over ``Accept``.
    Raises a 406 :class:`~fenjie.errors.RequestRefusedError` when nothing offered is acceptable.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", list(RESULT_FORMATS))
    'application/sparql-results+xml'
    >>> negotiate(None, list(GRAPH_FORMATS))
    'text/turtle'
    """
    if fmt:
        media = FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
        if media in offered:
            return media
        raise RequestRefusedError(
            f"无法为此请求生成格式 {fmt!r} (cannot produce format {fmt!r} for this request)",
            status=406,
            code="not_acceptable",
            offered=list(dict.fromkeys(offered)),
        )
    if not accept or not accept.strip():
        return offered[0]
    best: tuple[float, int, int, str] | None = None
    for media, q, position in _accept_entries(accept):
        if q <= 0:
            continue
        if media in ("*/*", "*"):
            candidates = [offered[0]]
            specificity = 0
        elif media.endswith("/*"):
            candidates = [o for o in offered if o.startswith(media[:-1])]
            specificity = 1
        else:
            candidates = [o for o in offered if o == media]
            specificity = 2
        if candidates:
            key = (q, specificity, -position, candidates[0])
            if best is None or key[:3] > best[:3]:
                best = key
    if best is None:
        raise RequestRefusedError(
            f"无法生成所要求的任何格式 (cannot produce any of: {accept})",
            status=406,
            code="not_acceptable",
            offered=list(dict.fromkeys(offered)),
        )
    return best[3]
