"""Parameters as a ``VALUES`` block: the binding form every remote endpoint gets, and the one the
embedded store gets for the named queries that declare ``#+ binding: values``.

Terms arrive serialized in N-Triples syntax (``pyoxigraph`` serializes and escapes them) and are
placed by a small SPARQL-aware scanner at the start of the query's outermost ``WHERE`` group and of
every sub-select that projects the variable; user text is never formatted into the query.

>>> with_values("SELECT ?u WHERE { ?u ?p ?o }", {"u": "<https://example.org/a>"})
'SELECT ?u WHERE { VALUES ?u { <https://example.org/a> } ?u ?p ?o }'

A binding may also be several terms (a list or tuple: the rows of a page), one row each:

>>> from pyoxigraph import NamedNode
>>> serialized([NamedNode("https://example.org/a"), NamedNode("https://example.org/b")])
'<https://example.org/a> <https://example.org/b>'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode

from fenjie.errors import QueryError, QuerySyntaxError

__all__ = ["serialized", "with_values"]

_WORD = re.compile(r"[A-Za-z_]+")
_VAR = re.compile(r"[?$]([A-Za-z_0-9]+)")


def _tokens(sparql: str) -> list[tuple[str, int, int]]:
    """The tokens that matter for placing ``VALUES``: ``(kind, position, brace depth)``.

    Kinds are ``{``, ``(``, ``)``, the words ``WHERE``, ``SELECT`` and ``AS`` in upper case, and
    variables as ``?name``. Comments, strings (all four quote forms) and IRIs are skipped, so
    braces, keywords or variables inside them do not count.
    """
    found: list[tuple[str, int, int]] = []
    depth, i, n = 0, 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c == "#":
            end = sparql.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "\"'":
            quote = c * 3 if sparql.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not sparql.startswith(quote, j):
                j += 2 if sparql[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "<":
            iri_ref = re.match(r"<[^<>\"{}|^`\\\s]*>", sparql[i:])
            if iri_ref:
                i += iri_ref.end()
                continue
        if c == "{":
            found.append(("{", i, depth))
            depth += 1
        elif c == "}":
            depth -= 1
        elif c in "()":
            found.append((c, i, depth))
        elif c in "?$":
            var = _VAR.match(sparql, i)
            if var:
                found.append(("?" + var.group(1), i, depth))
                i = var.end()
                continue
        elif c.isalpha() or c == "_":
            word = _WORD.match(sparql, i)
            assert word is not None
            if word.group().upper() in ("WHERE", "SELECT", "AS"):
                found.append((word.group().upper(), i, depth))
            i = word.end()
            continue
        i += 1
    return found


def _subselect_groups(tokens: list[tuple[str, int, int]]) -> list[tuple[int, set[str]]]:
    """``(brace position, projected variables)`` of every sub-select's WHERE group.

    ``*`` stands for a sub-select that projects every variable in scope.
    """
    groups = []
    for k, (kind, _, depth) in enumerate(tokens):
        if kind != "SELECT" or depth == 0:
            continue
        projected: set[str] = set()
        parens, after_as = 0, False
        for kind2, pos2, depth2 in tokens[k + 1 :]:
            if depth2 != depth:
                continue
            if kind2 == "{":
                groups.append((pos2, projected))
                break
            if kind2 == "(":
                parens += 1
            elif kind2 == ")":
                parens -= 1
            elif kind2 == "AS":
                after_as = True
            elif kind2.startswith("?") and (parens == 0 or after_as):
                projected.add(kind2[1:])
                after_as = False
    return groups


def _outer_group(sparql: str, tokens: list[tuple[str, int, int]]) -> int:
    top = [(kind, pos) for kind, pos, depth in tokens if depth == 0]
    for k, (kind, _) in enumerate(top):
        if kind == "WHERE":
            brace = next((p for t, p in top[k + 1 :] if t == "{"), None)
            if brace is not None:
                return brace
            break
    braces = [p for t, p in top if t == "{"]
    form = re.search(r"\b(CONSTRUCT|SELECT|ASK|DESCRIBE)\b", sparql, re.IGNORECASE)
    index = 1 if form and form.group(1).upper() == "CONSTRUCT" else 0
    if len(braces) <= index:
        raise QuerySyntaxError(
            "找不到可绑定参数的 WHERE 子句 (cannot find the WHERE clause to bind parameters in)"
        )
    return braces[index]


def with_values(sparql: str, terms: Mapping[str, str]) -> str:
    """``sparql`` with ``VALUES ?name { term }`` for each binding at the start of its WHERE group.

    The block also opens every sub-select that projects the variable: joining the sub-select's
    answers with the block, or binding the variable inside it, gives the same answers, and stores
    that evaluate sub-selects first (Virtuoso, which cannot start a ``fj:basedOn*`` path from two
    unbound ends) then see the bound value. ``terms`` maps variable names to terms already
    serialized in N-Triples syntax.

    >>> with_values("SELECT ?d ?t WHERE { { SELECT ?d ?t WHERE { ?t ?p ?d } } }", {"d": "<a:b>"})
    'SELECT ?d ?t WHERE { VALUES ?d { <a:b> } { SELECT ?d ?t WHERE { VALUES ?d { <a:b> } ?t ?p ?d } } }'
    """
    if not terms:
        return sparql
    for name in terms:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"不是变量名 (not a variable name)：{name!r}")
    tokens = _tokens(sparql)
    inserts = {_outer_group(sparql, tokens): list(terms)}
    for brace, projected in _subselect_groups(tokens):
        names = [name for name in terms if name in projected]
        if names:
            inserts[brace] = names
    out, last = [], 0
    for brace in sorted(inserts):
        block = " ".join(f"VALUES ?{name} {{ {terms[name]} }}" for name in inserts[brace])
        out += [sparql[last : brace + 1], f" {block}"]
        last = brace + 1
    out.append(sparql[last:])
    return "".join(out)


def serialized(value: Any) -> str:
    """A binding in N-Triples syntax for a ``VALUES`` block: one term, or several terms (a list or
    tuple) separated by spaces, one row of the block each. Only pyoxigraph terms are accepted in a
    list, so no text of any other kind can reach the query."""
    if isinstance(value, (list, tuple)):
        for term in value:
            if not isinstance(term, (NamedNode, Literal, BlankNode)):
                raise QueryError(f"绑定值不是 RDF 项 (a bound value is not an RDF term)：{term!r}")
        return " ".join(str(term) for term in value)
    return str(value)
