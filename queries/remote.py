"""Remote SPARQL endpoints: query them through SPARQLWrapper, push built graphs to them.

Parameters reach a remote endpoint as a ``VALUES`` block of RDF terms in N-Triples syntax
(``pyoxigraph`` serializes and escapes them), placed by :func:`with_values`
(:mod:`fenjie.queries._values`); user text is never formatted into the query.

Endpoints disagree on what the default graph is (Oxigraph: only the default graph unless started
with ``--union-default-graph``; Fuseki and Virtuoso: configurable). By default
:class:`RemoteBackend` lists the endpoint's named graphs once and sends them as both
``default-graph-uri`` and ``named-graph-uri``, so that queries see the union of all graphs as they
do in the embedded store. ``union=False`` leaves the dataset to the server.

>>> with_values("SELECT ?u WHERE { ?u ?p ?o }", {"u": "<https://example.org/a>"})
'SELECT ?u WHERE { VALUES ?u { <https://example.org/a> } ?u ?p ?o }'
"""

from __future__ import annotations

import functools
import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from fenjie.config import DEFAULT_BASE
from fenjie.errors import QueryError, QuerySyntaxError, QueryTimeoutError, StoreError
from fenjie.queries._auth import Credentials, Session
from fenjie.queries._results import JSON_MEDIA, TURTLE_MEDIA, ResultsFormatError, read_select
from fenjie.queries._values import serialized, with_values
from fenjie.queries.endpoint import sparql as endpoint_query

__all__ = ["RemoteBackend", "push_gsp", "push_update", "with_values"]

T = TypeVar("T")


@functools.cache
def _wrapper_class() -> type:
    """SPARQLWrapper, imported on first use, whose requests go through a :class:`Session`.

    SPARQLWrapper's own Digest support installs a process-wide opener, which would answer other
    servers' challenges with these credentials too.
    """
    from SPARQLWrapper import SPARQLWrapper

    class SessionWrapper(SPARQLWrapper):
        def __init__(self, endpoint: str, session: Session) -> None:
            super().__init__(endpoint)
            self.session = session

        def _query(self) -> tuple[Any, str]:
            request = self._createRequest()
            return self.session.open(request, timeout=self.timeout), self.returnFormat

    return SessionWrapper


def _allow_headers(echoed: int) -> None:
    """Let Python's HTTP client read an answer with ``echoed`` headers more than usual.

    Virtuoso echoes every ``default-graph-uri`` and ``named-graph-uri`` of a request as a header
    of its answer (``X-SPARQL-default-graph``, ``X-SPARQL-named-graph``), and ``http.client``
    refuses an answer of more than 100 headers: past about 48 of fenjie's graphs every query
    failed ("got more than 100 headers"). The limit is a module setting of ``http.client``; it
    is only ever raised, to what the graphs sent need.
    """
    needed = echoed + 100
    if getattr(http.client, "_MAXHEADERS", 100) < needed:
        vars(http.client)["_MAXHEADERS"] = needed


class RemoteBackend:
    """Queries on a remote SPARQL 1.1 query endpoint (Oxigraph ``/query``, Fuseki, Virtuoso).

    ``user``/``password`` answer the server's challenge (HTTP Digest for Virtuoso's ``/sparql-auth``,
    Basic elsewhere), ``token`` is sent as a bearer token. With ``union`` (the default) the queries
    see the union of the endpoint's named graphs under ``base`` (fenjie's graphs; a shared endpoint
    may hold others, and Virtuoso keeps system graphs of its own); ``base=None`` takes every graph.
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
        base: str | None = DEFAULT_BASE,
    ) -> None:
        self.endpoint = endpoint
        self.credentials = Credentials(user, password, token)
        self.timeout = timeout
        self.union = union
        self.base = base
        self._graphs: list[str] | None = None
        # whether the server is Virtuoso, from its first answer (None: not asked yet)
        self._virtuoso: bool | None = None
        self._session_cache: Session | None = None

    def __repr__(self) -> str:
        return f"RemoteBackend({self.endpoint!r})"

    def _session(self) -> Session:
        """How to reach the endpoint with the credentials (its challenge is asked once)."""
        if self._session_cache is None:
            self._session_cache = Session(self.endpoint, self.credentials, timeout=self.timeout)
        return self._session_cache

    def _wrapper(self, sparql: str, form: str, *, graphs: Iterable[str] = ()) -> Any:
        """A request of the query ``sparql`` of the form ``form`` (SELECT, ASK or CONSTRUCT)."""
        from SPARQLWrapper import POST

        graphs = list(graphs)
        _allow_headers(2 * len(graphs))
        wrapper = _wrapper_class()(self.endpoint, self._session())
        wrapper.setMethod(POST)
        wrapper.setTimeout(int(max(1, self.timeout)))
        for graph in graphs:
            wrapper.addParameter("default-graph-uri", graph)
            wrapper.addParameter("named-graph-uri", graph)
        wrapper.setQuery(sparql)
        # SPARQLWrapper guesses the form from the text, and its comment stripping misses comments
        # after an apostrophe: "# the item's ... load 10" was taken for a LOAD and sent as an
        # update. The caller knows the form.
        wrapper.queryType = form
        return wrapper

    def _run(self, wrapper: Any, read: Callable[[Any], T]) -> T:
        """Send the query and ``read`` the answer, with every failure as one of fenjie's errors
        (reading the answer can fail too: a time-out, a connection cut in the middle)."""
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        try:
            return read(wrapper.query())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            if exc.code == 400:
                raise QuerySyntaxError(
                    f"端点拒绝了该查询 (the endpoint rejected the query)：{detail}"
                ) from exc
            raise QueryError(f"{self.endpoint}: HTTP {exc.code} {exc.reason}: {detail}") from exc
        except SPARQLWrapperException as exc:
            raise QueryError(f"{self.endpoint}: {exc}") from exc
        except TimeoutError as exc:
            raise QueryTimeoutError(
                f"{self.endpoint} 未在 {self.timeout:g} 秒内应答 (did not answer within {self.timeout:g} s)",
                endpoint=self.endpoint,
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(
                f"无法连接 {self.endpoint} (cannot reach it)：{exc}", endpoint=self.endpoint
            ) from exc

    def _graph_names(self, sparql: str) -> list[str]:
        rows = self._select(self._wrapper(sparql, "SELECT"))
        # Virtuoso answers ``GRAPH ?g { }`` with one row that leaves ?g unbound
        return [row["g"].value for row in rows if "g" in row]

    def graphs(self) -> list[str]:
        """IRIs of the endpoint's named graphs under ``base`` (asked once, then remembered)."""
        if self._graphs is None:
            names = self._graph_names(endpoint_query("named-graphs"))
            if not names:
                names = self._graph_names(endpoint_query("named-graphs-with-triples"))
            base = self.base
            self._graphs = sorted(g for g in set(names) if base is None or g.startswith(base))
        return self._graphs

    def _prepare(self, sparql: str, form: str, bindings: Mapping[str, Any] | None) -> Any:
        terms = {name: serialized(term) for name, term in (bindings or {}).items()}
        graphs = self.graphs() if self.union else ()
        return self._wrapper(with_values(sparql, terms), form, graphs=graphs)

    def _answer(self, wrapper: Any, accept: str) -> tuple[bytes, str]:
        """The answer to ``wrapper``'s query asked with ``accept`` (content negotiation only:
        SPARQLWrapper's ``format`` parameter would override the header on Virtuoso): its bytes and
        media type. The first answer tells whether the server is Virtuoso."""
        wrapper.setOnlyConneg(True)
        wrapper.addCustomHttpHeader("Accept", accept)
        body, media, server = self._run(wrapper, _body)
        if self._virtuoso is None:
            self._virtuoso = server.startswith("Virtuoso/")
        return body, media

    def _select(self, wrapper: Any) -> list[dict[str, Any]]:
        """The rows of a SELECT, asked in the format the server writes fastest (Virtuoso: Turtle,
        see :mod:`fenjie.queries._results`), asked again as JSON if that answer does not read."""
        body, media = self._answer(wrapper, _VIRTUOSO_ACCEPT if self._virtuoso else _SELECT_ACCEPT)
        if media == TURTLE_MEDIA:
            try:
                return read_select(body, media)
            except ResultsFormatError as exc:
                if exc.not_select:
                    raise QuerySyntaxError("应为 SELECT 查询 (expected a SELECT query)") from exc
                # a result set Turtle cannot read: the same answer as JSON
                body, media = self._answer(wrapper, _SELECT_ACCEPT)
        try:
            return read_select(body, media)
        except ResultsFormatError as exc:
            if exc.not_select:
                raise QuerySyntaxError("应为 SELECT 查询 (expected a SELECT query)") from exc
            raise QueryError(f"{self.endpoint}: {exc}") from exc

    def select(
        self, sparql: str, *, bindings: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        return self._select(self._prepare(sparql, "SELECT", bindings))

    def ask(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> bool:
        from SPARQLWrapper import JSON

        wrapper = self._prepare(sparql, "ASK", bindings)
        wrapper.setReturnFormat(JSON)
        return bool(self._run(wrapper, _convert).get("boolean"))

    def construct(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> list[Any]:
        from pyoxigraph import RdfFormat, parse
        from SPARQLWrapper import N3

        wrapper = self._prepare(sparql, "CONSTRUCT", bindings)
        wrapper.setReturnFormat(N3)
        # content negotiation only: SPARQLWrapper would also send format=n3, which Virtuoso 7
        # answers with 406; offering Turtle and RDF/XML too suits every server
        wrapper.setOnlyConneg(True)
        wrapper.addCustomHttpHeader("Accept", _GRAPH_ACCEPT)
        body, media, _server = self._run(wrapper, _body)
        fmt = RdfFormat.from_media_type(media) or RdfFormat.N_TRIPLES
        return [quad.triple for quad in parse(body, format=fmt)]


_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_SELECT_ACCEPT = f"{JSON_MEDIA}, application/json;q=0.9"
_VIRTUOSO_ACCEPT = f"{TURTLE_MEDIA}, {JSON_MEDIA};q=0.5"


def _convert(result: Any) -> Any:
    return result.convert()


def _body(result: Any) -> tuple[bytes, str, str]:
    """The answer's bytes, media type and the server's name (its ``Server`` header)."""
    response = result.response
    try:
        body = response.read()
        media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        return body, media, response.headers.get("Server") or ""
    finally:
        response.close()


# -- push ----------------------------------------------------------------------------------------


class _Sender:
    """Sends the requests of one push through one :class:`Session`."""

    def __init__(self, url: str, credentials: Credentials, timeout: float) -> None:
        self.url, self.timeout = url, timeout
        self.session = Session(url, credentials, timeout=timeout)

    def send(self, url: str, data: bytes, headers: dict[str, str], method: str) -> int:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self.session.open(request, timeout=self.timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            raise StoreError(f"{url}: HTTP {exc.code}: {detail}", endpoint=url) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(f"无法连接 {url} (cannot reach it)：{exc}", endpoint=url) from exc


def _graph_quads(store: Any) -> dict[str, list[Any]]:
    graphs: dict[str, list[Any]] = {}
    for quad in store.inner.quads_for_pattern(None, None, None, None):
        name = getattr(quad.graph_name, "value", None)
        if name is not None:
            graphs.setdefault(name, []).append(quad.triple)
    return graphs


def _lines(triples: list[Any]) -> str:
    return "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)


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

    Each remote graph is replaced by the local one; graph names are kept. A graph larger than
    ``GSP_PIECE`` bytes goes as a PUT of its first piece and POSTs (merge) of the others: an
    endpoint asking for HTTP Digest answers the first, unauthenticated try of each request with
    401 without reading a large body, and Virtuoso then drops the connection while the body is
    still being sent (a graph of 556 KB failed with a broken pipe; 520 KB went through). Triples
    with blank nodes stay in one piece (a blank node's label holds within one request). Returns
    graph IRI → number of triples sent.
    """
    from pyoxigraph import RdfFormat, serialize

    sender = _Sender(url, Credentials(user, password, token), timeout)
    headers = {"Content-Type": "application/n-triples"}
    sent = {}
    for graph, triples in sorted(_graph_quads(store).items()):
        sep = "&" if "?" in url else "?"
        target = f"{url}{sep}{urllib.parse.urlencode({'graph': graph})}"
        pieces = _pieces(
            [t for t in triples if _has_bnode(t)], [t for t in triples if not _has_bnode(t)]
        )
        for n, piece in enumerate(pieces):
            body = serialize(piece, format=RdfFormat.N_TRIPLES) or b""
            sender.send(target, body, headers, "PUT" if n == 0 else "POST")
        sent[graph] = len(triples)
    return sent


#: bytes of N-Triples per request of a GSP push (see :func:`push_gsp`)
GSP_PIECE = 256 * 1024


def _pieces(with_bnodes: list[Any], rest: list[Any]) -> list[list[Any]]:
    """The triples of one graph in requests of about ``GSP_PIECE`` bytes each: those with blank
    nodes all in the first, the others split by their size as N-Triples (at least one piece)."""
    pieces: list[list[Any]] = [list(with_bnodes)]
    size = sum(len(str(t)) for t in with_bnodes)
    for triple in rest:
        length = len(str(triple).encode("utf-8")) + 3
        if size + length > GSP_PIECE and pieces[-1]:
            pieces.append([])
            size = 0
        pieces[-1].append(triple)
        size += length
    return pieces


def push_update(
    store: Any,
    url: str,
    *,
    user: str | None = None,
    password: str | None = None,
    token: str | None = None,
    timeout: float = 120.0,
    batch: int = 500,
) -> dict[str, int]:
    """Replace every named graph of ``store`` at a SPARQL Update endpoint (``DROP`` + ``INSERT
    DATA`` in batches of ``batch`` triples: Virtuoso compiles a batch to SQL of at most 10,000 lines,
    which about 1,000 triples fill for a user who is not its administrator). Returns
    graph IRI → number of triples sent."""
    from pyoxigraph import NamedNode

    sender = _Sender(url, Credentials(user, password, token), timeout)
    headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
    sent = {}
    for graph, triples in sorted(_graph_quads(store).items()):
        name = str(NamedNode(graph))
        sender.send(url, f"DROP SILENT GRAPH {name}".encode(), headers, "POST")
        # Blank nodes are local to one request: every triple that has one goes in one template
        # with an empty WHERE (Virtuoso refuses blank nodes in INSERT DATA; one solution makes
        # each blank node once, everywhere), the others in INSERT DATA batches.
        with_bnodes = [t for t in triples if _has_bnode(t)]
        rest = [t for t in triples if not _has_bnode(t)]
        if with_bnodes:
            update = f"INSERT {{ GRAPH {name} {{\n{_lines(with_bnodes)}\n}} }} WHERE {{}}"
            sender.send(url, update.encode("utf-8"), headers, "POST")
        for i in range(0, len(rest), batch):
            update = f"INSERT DATA {{ GRAPH {name} {{\n{_lines(rest[i : i + batch])}\n}} }}"
            sender.send(url, update.encode("utf-8"), headers, "POST")
        sent[graph] = len(triples)
    return sent
