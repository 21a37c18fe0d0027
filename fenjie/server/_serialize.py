"""Query answers serialized by the engine itself, cut at ``--max-rows``.

pyoxigraph serializes whole answers natively but cannot stop after N rows, and handing every row to
Python to count it (then re-encoding it as JSON in Python) cost more than the query on small
stores. So the answer is first written natively in a line-based format, where a line is one row
(SPARQL TSV results: the header line, then one line per solution; N-Triples: one line per triple;
both escape line breaks inside terms), into a sink that counts line breaks chunk by chunk and stops
the engine once the cap is passed. The kept lines are then the answer in that format, or are parsed
and written again natively in the format the client asked for. Nothing is done per row in Python.

>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x\\ny")))
>>> serialize_solutions("application/sparql-results+json", store.query("SELECT ?o { ?s ?p ?o }"), 10)
(b'{"head":{"vars":["o"]},"results":{"bindings":[{"o":{"type":"literal","value":"x\\\\ny"}}]}}', False)
>>> serialize_solutions("text/tab-separated-values", store.query("SELECT ?o { ?s ?p ?o }"), 0)
(b'?o\\n', True)
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

__all__ = ["serialize_graph", "serialize_solutions"]


class _Enough(Exception):
    """Raised by the sink to stop the engine once the cap is passed (not an engine error)."""


class _LineCap:
    """A binary sink for pyoxigraph's serializers that keeps what it is given and stops the
    serializer once more than ``limit`` line breaks have arrived."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines = 0
        self.chunks: list[bytes] = []
        self.cut = False

    def write(self, chunk: bytes) -> int:
        self.chunks.append(bytes(chunk))
        self.lines += chunk.count(b"\n")
        if self.lines > self.limit:
            self.cut = True
            raise _Enough
        return len(chunk)

    def flush(self) -> None:
        pass

    def first_lines(self) -> bytes:
        """The kept text up to and including the ``limit``-th line break."""
        data = b"".join(self.chunks)
        if not self.cut:
            return data
        return b"".join(part + b"\n" for part in data.split(b"\n", self.limit)[: self.limit])


def _capped(serialize: Any, line_format: Any, limit: int) -> tuple[bytes, bool]:
    sink = _LineCap(limit)
    try:
        serialize(sink, format=line_format)
    except _Enough:
        pass
    return sink.first_lines(), sink.cut


def serialize_solutions(media: str, result: ox.QuerySolutions, max_rows: int) -> tuple[bytes, bool]:
    """A SELECT answer in ``media`` (a SPARQL results media type) with at most ``max_rows``
    rows, and whether rows were left out. Errors of the evaluation surface here (it is lazy)."""
    tsv = ox.QueryResultsFormat.TSV
    body, cut = _capped(result.serialize, tsv, max_rows + 1)  # + the header line
    fmt = ox.QueryResultsFormat.from_media_type(media)
    if fmt != tsv:
        body = ox.parse_query_results(body, format=tsv).serialize(format=fmt) or b""
    return body, cut


def serialize_graph(
    media: str, result: ox.QueryTriples, max_triples: int, prefixes: dict[str, str] | None
) -> tuple[bytes, bool]:
    """A CONSTRUCT or DESCRIBE answer in ``media`` (an RDF media type) with at most
    ``max_triples`` triples, and whether triples were left out."""
    nt = ox.RdfFormat.N_TRIPLES
    body, cut = _capped(result.serialize, nt, max_triples)
    fmt = ox.RdfFormat.from_media_type(media)
    if fmt != nt:
        triples = (quad.triple for quad in ox.parse(body, format=nt))
        body = ox.serialize(triples, format=fmt, prefixes=prefixes) or b""
    return body, cut
