"""Query answers serialized by the engine itself, cut at ``--max-rows``.

pyoxigraph serializes whole answers natively but cannot stop after N rows, and handing every row to
Python to count it cost more than the query on small stores. So a SELECT answer is written natively
in the format the client asked for, into a sink that keeps, chunk by chunk, an **upper bound** of
the rows written so far, read off bytes that every row must produce (a cheap ``bytes.count``):

- SPARQL JSON: every ``{`` opens an object; the answer's three fixed objects (the document, its
  ``head`` and its ``results``) and the binding values (``{"type":…``, a key that cannot occur
  inside a JSON string, where ``"`` is escaped) are not rows; every other ``{`` may be one.
  Braces inside strings only raise the bound.
- SPARQL XML: ``<result>`` opens a row (``<`` is escaped in text, so the count is exact).
- CSV: one line break ends each row (quoted line breaks only raise the bound).
- TSV: one line break ends each row (line breaks in terms are escaped: exact).

While the bound stays within the cap the answer is what the engine writes for the whole result,
byte for byte, with no second pass. Once the bound passes the cap the engine is stopped, and the
rows are counted exactly: the engine's streaming parser reads the rows back from what was written
(it yields whole rows until it meets the cut end) and they are written as SPARQL TSV, one line per
row, into a sink that stops past the cap; the kept lines are parsed and written again natively
in the requested format. Only when that prefix holds too few whole rows (braces in strings raised
the bound) or the format has no parser (CSV) does the query run again, written as TSV directly.
CONSTRUCT/DESCRIBE answers are counted the exact way as N-Triples (one line per triple).
Nothing is done per row in Python.

>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x\\ny")))
>>> ask = lambda: store.query("SELECT ?o { ?s ?p ?o }")
>>> serialize_solutions("application/sparql-results+json", ask, 10)
(b'{"head":{"vars":["o"]},"results":{"bindings":[{"o":{"type":"literal","value":"x\\\\ny"}}]}}', False)
>>> serialize_solutions("text/tab-separated-values", ask, 0)
(b'?o\\n', True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

__all__ = ["serialize_graph", "serialize_solutions"]

Evaluate = Callable[[], Any]
"""Runs the query again (a fresh, lazy answer): the exact fallback needs a second pass."""


class _Enough(Exception):
    """Raised by a sink to stop the engine once its count passes the cap (not an engine error)."""


class _RowBound:
    """A binary sink for pyoxigraph's result serializers that keeps what it is given and stops
    the serializer once an upper bound of the rows written so far passes ``limit``.

    ``opens`` is the byte string each row writes at least once, ``not_rows`` (if any) one that
    marks an occurrence of ``opens`` that is certainly not a row, and ``fixed`` how many
    occurrences every answer has outside its rows."""

    def __init__(self, limit: int, opens: bytes, not_rows: bytes | None, fixed: int) -> None:
        self.limit = limit + fixed
        self.fixed = fixed
        self.stopped = False
        self.opens = opens
        self.not_rows = not_rows
        self.overlap = len(opens) - 1  # a marker split across two chunks is still counted
        self.tail = b""
        self.bound = 0
        self.chunks: list[bytes] = []

    def write(self, chunk: bytes) -> int:
        if self.stopped:  # the serializer's buffer, flushed again as it is dropped
            raise _Enough
        data = bytes(chunk)
        self.chunks.append(data)
        if self.overlap:
            joined = self.tail + data
            self.bound += joined.count(self.opens) - self.tail.count(self.opens)
            self.tail = joined[-self.overlap :]
        else:
            self.bound += data.count(self.opens)
        if self.not_rows is not None:  # a split marker is missed: the bound only grows
            self.bound -= data.count(self.not_rows)
        if self.bound > self.limit:
            self.stopped = True
            raise _Enough
        return len(data)

    def rows(self) -> int:
        """The upper bound of the rows written so far."""
        return self.bound - self.fixed

    def flush(self) -> None:
        pass


class _LineCap:
    """A binary sink that keeps what it is given and stops the serializer once more than
    ``limit`` line breaks have arrived (exact for SPARQL TSV and N-Triples)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines = 0
        self.chunks: list[bytes] = []
        self.cut = False

    def write(self, chunk: bytes) -> int:
        if self.cut:  # the serializer's buffer, flushed again as it is dropped
            raise _Enough
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


def _bound_sink(fmt: Any, result: ox.QuerySolutions, max_rows: int) -> _RowBound:
    if fmt == ox.QueryResultsFormat.JSON:
        # a variable named "type" would make a row's object start with {"type": too
        named_type = any(v.value == "type" for v in result.variables)
        return _RowBound(max_rows, b"{", None if named_type else b'{"type":', 3)
    if fmt == ox.QueryResultsFormat.XML:  # <results> once, then <result> or <result/> a row
        return _RowBound(max_rows, b"<result", None, 1)
    return _RowBound(max_rows, b"\n", None, 1)  # CSV: the header line, then a line a row


def _read_back(written: bytes, fmt: Any, max_rows: int) -> tuple[bytes, bool] | None:
    """The rows of ``written`` (JSON or XML, whole or cut short) read back with the engine's
    streaming parser, which yields whole rows until it meets a cut end, and written as SPARQL TSV
    into a sink that stops past ``max_rows``: ``(the first max_rows rows as TSV, True)`` when
    there were more, ``(b"", False)`` when ``written`` is a whole answer within the cap, ``None``
    when it is cut short before row ``max_rows + 1`` (braces in strings raised the bound)."""
    exact = _LineCap(max_rows + 1)  # + the header line
    parsed: Any = ox.parse_query_results(written, format=fmt)  # lazy: rows as they are read
    try:
        parsed.serialize(exact, format=ox.QueryResultsFormat.TSV)  # any binary sink will do
    except _Enough:
        pass
    except (SyntaxError, ValueError, OSError):  # the cut end (rows before it were kept)
        return (exact.first_lines(), True) if exact.cut else None
    return (exact.first_lines(), True) if exact.cut else (b"", False)


def serialize_solutions(media: str, evaluate: Evaluate, max_rows: int) -> tuple[bytes, bool]:
    """A SELECT answer in ``media`` (a SPARQL results media type) with at most ``max_rows``
    rows, and whether rows were left out. ``evaluate`` runs the query (lazily: errors of the
    evaluation surface here); it is called a second time only when the rows of an interrupted
    answer cannot be read back from what was written (CSV, or strings full of braces)."""
    tsv = ox.QueryResultsFormat.TSV
    fmt = ox.QueryResultsFormat.from_media_type(media)
    result = evaluate()
    if fmt == tsv:  # a line a row: exact in one pass
        return _capped(result.serialize, tsv, max_rows + 1)  # + the header line
    # stopped once row max_rows + 2 has begun, so that row max_rows + 1 is whole in what is kept
    sink = _bound_sink(fmt, result, max_rows + 1)
    try:
        result.serialize(sink, format=fmt)
    except _Enough:
        pass
    written = b"".join(sink.chunks)
    if not sink.stopped and sink.rows() <= max_rows:
        return written, False  # the whole answer, as the engine wrote it
    if fmt != ox.QueryResultsFormat.CSV:  # (pyoxigraph has no CSV results parser)
        back = _read_back(written, fmt, max_rows)
        if back is not None and (back[1] or not sink.stopped):
            rows, cut = back
            if not cut:
                return written, False
            return ox.parse_query_results(rows, format=tsv).serialize(format=fmt) or b"", True
    # counted exactly, from a fresh evaluation: TSV lines, written again in the requested format
    body, cut = _capped(evaluate().serialize, tsv, max_rows + 1)
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
