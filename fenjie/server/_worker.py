"""The query worker: a child process that opens the store read-only and runs one task at a time.

The server talks to it through a :func:`multiprocessing.Pipe`. A task that runs past its time limit
is stopped by killing the process (see :mod:`fenjie.server._pool`); nothing in here needs to
cooperate. Messages are ``(kind, generation, payload)``; replies are ``("ok", value)`` or
``("error", {"code", "message", "status", "details"})``. When ``generation`` changes (after an
update) the worker reopens the store to see the new data.
"""

from __future__ import annotations

import gc
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from fenjie.errors import FenjieError, NotFoundError, QueryError, QuerySyntaxError
from fenjie.server._guard import check_fetches
from fenjie.server._serialize import serialize_graph, serialize_solutions
from fenjie.vocab import FJ_NS

__all__ = ["PREFIXES", "Worker", "failure", "worker_main"]

PREFIXES = {
    "fj": FJ_NS,
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dct": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_WHERE = re.compile(r"at (\d+):(\d+)")


def failure(what: str, exc: BaseException) -> QueryError:
    """An error for the client that names no foreign detail: the engine's message may quote what
    another host sent (a SERVICE answer) or the server's internals. The server logs ``log`` under
    the reference it gives the client."""
    reference = secrets.token_hex(4)
    err = QueryError(
        f"{what}；详情见服务器日志，编号 {reference} (details are in the server log, reference {reference})",
        reference=reference,
    )
    err.code = "query_failed"
    err.http_status = 500
    err.log = f"{type(exc).__name__}: {exc}"
    return err


def _syntax_error(exc: SyntaxError) -> QuerySyntaxError:
    message = str(exc)
    where = _WHERE.search(message)
    line, column = (int(where.group(1)), int(where.group(2))) if where else (None, None)
    return QuerySyntaxError(
        f"SPARQL 语法错误 (SPARQL syntax error)：{message}", line=line, column=column
    )


class Worker:
    """The state of one worker process: the store and the generation it was opened at."""

    def __init__(self, path: str, allow_service: tuple[str, ...] = ()) -> None:
        self.path = path
        self.allow_service = allow_service
        self.store: ox.Store | None = None
        self.generation = -1

    def _open(self, generation: int) -> ox.Store:
        if self.store is None or generation != self.generation:
            self.store = None
            gc.collect()
            self.store = ox.Store.read_only(self.path)
            self.generation = generation
        return self.store

    def close(self) -> None:
        self.store = None
        gc.collect()

    # -- tasks -----------------------------------------------------------------------------------
    def sparql(self, generation: int, payload: dict[str, Any]) -> tuple[str, bytes, bool]:
        # the one place a protocol query reaches the engine: nothing runs unchecked
        check_fetches(payload["query"], "query", self.allow_service)
        store = self._open(generation)
        query, dataset = payload["query"], _dataset(payload)
        try:
            result = store.query(query, **dataset)
        except SyntaxError as exc:
            raise _syntax_error(exc) from None
        try:  # answers are computed lazily: evaluation errors surface while reading them
            return self._answer(result, payload, lambda: store.query(query, **dataset))
        except (OSError, RuntimeError, ValueError) as exc:
            raise failure("查询失败 (the query failed)", exc) from None

    def _answer(
        self, result: Any, payload: dict[str, Any], again: Callable[[], Any]
    ) -> tuple[str, bytes, bool]:
        media = payload.get("media")
        max_rows = int(payload["max_rows"])
        if isinstance(result, ox.QuerySolutions):
            media = media or "application/sparql-results+json"
            first = [result]  # the evaluation made, then fresh ones if counted exactly

            def evaluate() -> Any:
                return first.pop() if first else again()

            return (media, *serialize_solutions(media, evaluate, max_rows))
        if isinstance(result, ox.QueryBoolean):
            media = media or "application/sparql-results+json"
            fmt = ox.QueryResultsFormat.from_media_type(media)
            return media, result.serialize(format=fmt) or b"", False
        media = media or "text/turtle"
        prefixes = _prefixes_for(ox.RdfFormat.from_media_type(media))
        return (media, *serialize_graph(media, result, max_rows, prefixes))

    def graph(self, generation: int, payload: dict[str, Any]) -> tuple[str, bytes]:
        store = self._open(generation)
        iri = payload.get("graph")
        if iri is None:
            from fenjie.graph._sparql import sparql  # only dumps need it; workers start light

            everything = store.query(sparql("all-triples"), use_default_graph_as_union=True)
            assert isinstance(everything, ox.QueryTriples)  # a CONSTRUCT answers triples
            triples = list(everything)
        else:
            node = ox.NamedNode(iri)
            if not store.contains_named_graph(node):
                raise NotFoundError(
                    f"存储中没有图 <{iri}> (no graph <{iri}> in the store)", graph=iri
                )
            triples = [q.triple for q in store.quads_for_pattern(None, None, None, node)]
        fmt = ox.RdfFormat.from_media_type(payload["media"])
        body = ox.serialize(triples, format=fmt, prefixes=_prefixes_for(fmt)) or b""
        return payload["media"], body

    def update(self, payload: dict[str, Any]) -> Any:
        if "update" in payload:
            check_fetches(payload["update"], "update", self.allow_service)
        self.close()
        # the build lock: a build copying the store meanwhile would drop this update on its switch
        # (imported here: fenjie.graph is slow to import, and workers must start fast)
        from fenjie.graph.store import store_lock

        with store_lock(Path(self.path), wait=False):
            return self._update_locked(payload)

    def _update_locked(self, payload: dict[str, Any]) -> Any:
        store = ox.Store(self.path)
        try:
            if "report_batch" in payload:
                # progress reports, each its own graph, added once (a retry with the same key
                # finds it); the batch is one transaction, flushed before the server answers 201
                created: list[bool] = []
                quads: list[Any] = []
                seen: set[str] = set()
                for iri, nquads in payload["report_batch"]:
                    new = iri not in seen and not store.contains_named_graph(ox.NamedNode(iri))
                    seen.add(iri)
                    created.append(new)
                    if new:
                        quads += ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
                store.extend(quads)
                store.flush()
                return created
            if "update" in payload:
                try:
                    store.update(payload["update"])
                except SyntaxError as exc:
                    raise _syntax_error(exc) from None
                except (OSError, RuntimeError, ValueError) as exc:
                    raise failure("更新失败 (the update failed)", exc) from None
            store.flush()
            return len(store)
        finally:
            del store
            gc.collect()

    def call(self, generation: int, payload: dict[str, Any]) -> Any:
        """Run ``payload["function"]`` (a function of :mod:`fenjie.queries`, or a view) on a
        local backend over the store."""
        from fenjie.graph import FenjieStore
        from fenjie.queries import LocalBackend

        backend = LocalBackend(FenjieStore(self._open(generation), None))
        return payload["function"](backend, *payload["args"], **payload["kwargs"])


def _dataset(payload: dict[str, Any]) -> dict[str, Any]:
    """Query options for the protocol's ``default-graph-uri`` / ``named-graph-uri``."""
    options: dict[str, Any] = {}
    if payload.get("default_graphs"):
        options["default_graph"] = [ox.NamedNode(g) for g in payload["default_graphs"]]
    elif not payload.get("has_from"):
        options["use_default_graph_as_union"] = True
    if payload.get("named_graphs"):
        options["named_graphs"] = [ox.NamedNode(g) for g in payload["named_graphs"]]
    return options


def _prefixes_for(fmt: Any) -> dict[str, str] | None:
    return PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None


def _error_payload(exc: BaseException) -> dict[str, Any]:
    if not isinstance(exc, FenjieError):
        exc = failure("内部错误 (internal error)", exc)
        exc.code = "internal"
    payload = {
        "code": exc.code,
        "message": str(exc),
        "status": exc.http_status,
        "details": dict(exc.details),
    }
    if exc.log:
        payload["log"] = exc.log
    return payload


def worker_main(conn: Any, path: str, allow_service: tuple[str, ...] = ()) -> None:
    """Serve tasks from ``conn`` until it closes."""
    worker = Worker(path, allow_service)
    try:  # warm up: open the store and load what `call` needs before the first request
        worker._open(0)
        import fenjie.graph  # noqa: F401
        import fenjie.queries  # noqa: F401
        import fenjie.viz  # noqa: F401
    except Exception:  # reported when a task needs them
        worker.close()
    try:  # the pool hands out a worker only once it is warm (a cold one would time out)
        conn.send(("ready", None))
    except (BrokenPipeError, OSError):
        return
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message is None:
            return
        kind, generation, payload = message
        try:
            if kind == "sparql":
                value: Any = worker.sparql(generation, payload)
            elif kind == "graph":
                value = worker.graph(generation, payload)
            elif kind == "call":
                value = worker.call(generation, payload)
            elif kind == "update":
                value = worker.update(payload)
            elif kind == "close":
                worker.close()
                value = None
            else:
                value = "pong"
            reply: tuple[str, Any] = ("ok", value)
        except Exception as exc:  # every failure goes back to the server as one error shape
            reply = ("error", _error_payload(exc))
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return
