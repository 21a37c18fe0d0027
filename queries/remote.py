"""Remote SPARQL endpoints: query them through SPARQLWrapper, push built graphs to them.

Parameters reach a remote endpoint as a ``VALUES`` block of RDF terms in N-Triples syntax
(``pyoxigraph`` serializes and escapes them), inserted at the start of the query's outermost
``WHERE`` group by a small SPARQL-aware scanner; user text is never formatted into the query.

Endpoints disagree on what the default graph is (Oxigraph: only the default graph unless started
with ``--union-default-graph``; Fuseki and Virtuoso: configurable). By default
:class:`RemoteBackend` lists the endpoint's named graphs once and sends them as both
``default-graph-uri`` and ``named-graph-uri``, so that queries see the union of all graphs as they
do in the embedded store. ``union=False`` leaves the dataset to the server.

>>> with_values("SELECT ?u WHERE { ?u ?p ?o }", {"u": "<https://example.org/a>"})
'SELECT ?u WHERE { VALUES ?u { <https://example.org/a> } ?u ?p ?o }'
"""

from __future__ import annotations

import base64
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any

from fenjie.errors import QueryError, QuerySyntaxError, StoreError

__all__ = ["RemoteBackend", "push_gsp", "push_update", "with_values"]

_WORD = re.compile(r"[A-Za-z_]+")


def _scan_groups(sparql: str) -> list[tuple[str, int]]:
    """Top-level tokens that matter: ``("WHERE", pos)`` keywords and ``("{", pos)`` openings.

    Skips comments, strings (all four quote forms) and IRIs, so braces or keywords inside them
    do not count.
    """
    found: list[tuple[str, int]] = []
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
            end = re.match(r"<[^<>\"{}|^`\\\s]*>", sparql[i:])
            if end:
                i += end.end()
                continue
        if c == "{":
            if depth == 0:
                found.append(("{", i))
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and (c.isalpha() or c == "_"):
            word = _WORD.match(sparql, i)
            assert word is not None
            if word.group().upper() == "WHERE":
                found.append(("WHERE", i))
            i = word.end()
            continue
        i += 1
    return found


def with_values(sparql: str, terms: Mapping[str, str]) -> str:
    """``sparql`` with ``VALUES ?name { term }`` for each binding at the start of its WHERE group.

    ``terms`` maps variable names to terms already serialized in N-Triples syntax.
    """
    if not terms:
        return sparql
    for name in terms:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"not a variable name: {name!r}")
    tokens = _scan_groups(sparql)
    brace = None
    for k, (kind, _) in enumerate(tokens):
        if kind == "WHERE":
            brace = next((p for t, p in tokens[k + 1 :] if t == "{"), None)
            break
    if brace is None:
        braces = [p for t, p in tokens if t == "{"]
        form = re.search(r"\b(CONSTRUCT|SELECT|ASK|DESCRIBE)\b", sparql, re.IGNORECASE)
        index = 1 if form and form.group(1).upper() == "CONSTRUCT" else 0
        if len(braces) <= index:
            raise QuerySyntaxError("cannot find the WHERE clause to bind parameters in")
        brace = braces[index]
    block = " ".join(f"VALUES ?{name} {{ {term} }}" for name, term in terms.items())
    return f"{sparql[: brace + 1]} {block}{sparql[brace + 1 :]}"


def _term(binding: Mapping[str, str]) -> Any:
    from pyoxigraph import BlankNode, Literal, NamedNode

    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return NamedNode(value)
    if kind == "bnode":
        return BlankNode(value)
    if "xml:lang" in binding:
        return Literal(value, language=binding["xml:lang"])
    if "datatype" in binding:
        return Literal(value, datatype=NamedNode(binding["datatype"]))
    return Literal(value)


class RemoteBackend:
    """Queries on a remote SPARQL 1.1 query endpoint (Oxigraph ``/query``, Fuseki, Virtuoso).

    ``user``/``password`` give HTTP basic authentication, ``token`` a bearer token.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float = 30.0,
        union: bool = True,
    ) -> None:
        self.endpoint = endpoint
        self.user, self.password, self.token = user, password, token
        self.timeout = timeout
        self.union = union
        self._graphs: list[str] | None = None

    def __repr__(self) -> str:
        return f"RemoteBackend({self.endpoint!r})"

    def _wrapper(self, sparql: str, *, graphs: Iterable[str] = ()) -> Any:
        from SPARQLWrapper import BASIC, POST, SPARQLWrapper

        wrapper = SPARQLWrapper(self.endpoint)
        wrapper.setMethod(POST)
        wrapper.setTimeout(int(max(1, self.timeout)))
        if self.user is not None:
            wrapper.setHTTPAuth(BASIC)
            wrapper.setCredentials(self.user, self.password or "")
        if self.token is not None:
            wrapper.addCustomHttpHeader("Authorization", f"Bearer {self.token}")
        for graph in graphs:
            wrapper.addParameter("default-graph-uri", graph)
            wrapper.addParameter("named-graph-uri", graph)
        wrapper.setQuery(sparql)
        return wrapper

    def _run(self, wrapper: Any) -> Any:
        from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

        try:
            return wrapper.query()
        except QueryBadFormed as exc:
            raise QuerySyntaxError(f"the endpoint rejected the query: {exc}") from exc
        except SPARQLWrapperException as exc:
            raise QueryError(f"{self.endpoint}: {exc}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(
                f"cannot reach {self.endpoint}: {exc}", endpoint=self.endpoint
            ) from exc

    def graphs(self) -> list[str]:
        """IRIs of the endpoint's named graphs (asked once, then remembered)."""
        if self._graphs is None:
            from SPARQLWrapper import JSON

            wrapper = self._wrapper("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
            wrapper.setReturnFormat(JSON)
            data = self._run(wrapper).convert()
            self._graphs = sorted(b["g"]["value"] for b in data["results"]["bindings"])
        return self._graphs

    def _prepare(self, sparql: str, bindings: Mapping[str, Any] | None) -> Any:
        terms = {name: str(term) for name, term in (bindings or {}).items()}
        return self._wrapper(with_values(sparql, terms), graphs=self.graphs() if self.union else ())

    def select(
        self, sparql: str, *, bindings: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        from SPARQLWrapper import JSON

        wrapper = self._prepare(sparql, bindings)
        wrapper.setReturnFormat(JSON)
        data = self._run(wrapper).convert()
        if not isinstance(data, dict) or "results" not in data:
            raise QuerySyntaxError("expected a SELECT query")
        return [
            {name: _term(value) for name, value in row.items()}
            for row in data["results"]["bindings"]
        ]

    def ask(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> bool:
        from SPARQLWrapper import JSON

        wrapper = self._prepare(sparql, bindings)
        wrapper.setReturnFormat(JSON)
        return bool(self._run(wrapper).convert().get("boolean"))

    def construct(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> list[Any]:
        from pyoxigraph import RdfFormat, parse
        from SPARQLWrapper import N3

        wrapper = self._prepare(sparql, bindings)
        wrapper.setReturnFormat(N3)
        wrapper.addCustomHttpHeader("Accept", "application/n-triples")
        response = self._run(wrapper).response
        try:
            body = response.read()
        finally:
            response.close()
        return [quad.triple for quad in parse(body, format=RdfFormat.N_TRIPLES)]


# -- push ----------------------------------------------------------------------------------------


def _auth_headers(user: str | None, password: str | None, token: str | None) -> dict[str, str]:
    if token is not None:
        return {"Authorization": f"Bearer {token}"}
    if user is not None:
        raw = f"{user}:{password or ''}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}
    return {}


def _send(url: str, data: bytes, headers: dict[str, str], method: str, timeout: float) -> int:
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:500]
        raise StoreError(f"{url}: HTTP {exc.code}: {detail}", endpoint=url) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise StoreError(f"cannot reach {url}: {exc}", endpoint=url) from exc


def _graph_quads(store: Any) -> dict[str, list[Any]]:
    graphs: dict[str, list[Any]] = {}
    for quad in store.inner.quads_for_pattern(None, None, None, None):
        name = getattr(quad.graph_name, "value", None)
        if name is not None:
            graphs.setdefault(name, []).append(quad.triple)
    return graphs


def _has_bnode(triple: Any) -> bool:
    from pyoxigraph import BlankNode

    return isinstance(triple.subject, BlankNode) or isinstance(triple.object, BlankNode)


def push_gsp(
    store: Any,
    url: str,
    *,
    user: str | None = None,
    password: str | None = None,
    token: str | None = None,
    timeout: float = 120.0,
) -> dict[str, int]:
    """PUT every named graph of ``store`` to a Graph Store Protocol endpoint (``?graph=IRI``).

    Each remote graph is replaced by the local one; graph names are kept. Returns graph IRI →
    number of triples sent.
    """
    from pyoxigraph import RdfFormat, serialize

    headers = {"Content-Type": "application/n-triples", **_auth_headers(user, password, token)}
    sent = {}
    for graph, triples in sorted(_graph_quads(store).items()):
        body = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
        sep = "&" if "?" in url else "?"
        target = f"{url}{sep}{urllib.parse.urlencode({'graph': graph})}"
        _send(target, body, headers, "PUT", timeout)
        sent[graph] = len(triples)
    return sent


def push_update(
    store: Any,
    url: str,
    *,
    user: str | None = None,
    password: str | None = None,
    token: str | None = None,
    timeout: float = 120.0,
    batch: int = 20000,
) -> dict[str, int]:
    """Replace every named graph of ``store`` at a SPARQL Update endpoint (``DROP`` + ``INSERT
    DATA`` in batches of ``batch`` triples). Returns graph IRI → number of triples sent."""
    from pyoxigraph import NamedNode

    headers = {
        "Content-Type": "application/sparql-update; charset=utf-8",
        **_auth_headers(user, password, token),
    }
    sent = {}
    for graph, triples in sorted(_graph_quads(store).items()):
        name = str(NamedNode(graph))
        _send(url, f"DROP SILENT GRAPH {name}".encode(), headers, "POST", timeout)
        # Blank nodes are local to one INSERT DATA: send every triple that has one in the first.
        with_bnodes = [t for t in triples if _has_bnode(t)]
        rest = [t for t in triples if not _has_bnode(t)]
        first = max(batch, len(with_bnodes))
        ordered = with_bnodes + rest
        chunks = [ordered[:first]] + [
            ordered[i : i + batch] for i in range(first, len(ordered), batch)
        ]
        for chunk in chunks:
            if not chunk:
                continue
            lines = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in chunk)
            update = f"INSERT DATA {{ GRAPH {name} {{\n{lines}\n}} }}"
            _send(url, update.encode("utf-8"), headers, "POST", timeout)
        sent[graph] = len(triples)
    return sent
