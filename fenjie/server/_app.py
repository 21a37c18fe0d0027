"""``fenjie serve``: one ASGI app with the SPARQL endpoint, the JSON API and the web page.

Routes (the one table is :data:`fenjie.server._routes.ENDPOINTS`, which also makes
``/openapi.json``): ``/sparql`` (SPARQL 1.1 Protocol), ``/store`` (Graph Store read access),
``/api/...`` (JSON over the named queries), ``/views/{name}`` (the network views), ``/`` and
``/static/...`` (the web page, served by fenjie itself; nothing from a CDN).

Every query runs in a worker process that is killed when it passes the time limit.

>>> app = create_app(ServerSettings(store="/nonexistent"))
>>> {"/sparql", "/api/obligations", "/openapi.json"} <= {r.path for r in app.routes}
True
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response

from fenjie.config import DEFAULT_BASE
from fenjie.errors import FenjieError, StoreError
from fenjie.printable import printable
from fenjie.server._answers import AnswerCache
from fenjie.server._connections import guarded_protocol, raise_file_limit
from fenjie.server._direct import DirectSparql
from fenjie.server._pool import WorkerPool
from fenjie.server._reports import ReportWriter, reconcile_audit
from fenjie.server._routes import routes

__all__ = ["ServerSettings", "create_app", "serve"]

log = logging.getLogger("fenjie.server")


@dataclass(frozen=True)
class ServerSettings:
    """Everything ``fenjie serve`` can be told; the defaults are the safe ones."""

    store: str
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 4
    timeout: float = 10.0
    queue_timeout: float = 30.0
    reserved_workers: int = 1
    cheap_timeout: float = 1.0
    request_timeout: float = 10.0
    max_connections: int = 1000
    max_rows: int = 10_000
    max_body: int = 1_000_000
    update_token: str | None = None
    allow_service: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    accounts: str | None = None  # report accounts (JSON); without, reports are refused
    audit: str | None = None  # the audit trail of report writes; default STORE.audit.jsonl
    base: str = DEFAULT_BASE


def _error_body(err: FenjieError) -> bytes:
    return json.dumps(err.to_dict(), ensure_ascii=False).encode()


def error_response(err: FenjieError) -> Response:
    """The one JSON error shape, with the error's HTTP status."""
    headers = {"WWW-Authenticate": "Bearer"} if err.http_status == 401 else None
    return Response(
        _error_body(err),
        status_code=err.http_status,
        media_type="application/json",
        headers=headers,
    )


async def _fenjie_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FenjieError)
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    codes = {404: "not_found", 405: "method"}
    said = {404: "找不到该地址", 405: "该地址不接受此请求方法"}.get(exc.status_code, "请求有误")
    err = FenjieError(f"{said} ({exc.detail})" if exc.detail else said, path=request.url.path)
    err.code = codes.get(exc.status_code, "http")
    err.http_status = exc.status_code
    return error_response(err)


async def _server_error(request: Request, exc: Exception) -> Response:
    reference = secrets.token_hex(4)
    path = printable(request.url.path, keep_newlines=False)  # a request's path is not ours to obey
    log.exception("unexpected error on %s, reference %s", path, reference)
    err = FenjieError(
        f"内部错误，编号 {reference} (internal error, reference {reference})", reference=reference
    )
    err.code = "internal"
    return error_response(err)


def create_app(settings: ServerSettings, *, pool: WorkerPool | None = None) -> Starlette:
    """Build the ASGI app; the worker pool starts and stops with the app's lifespan."""
    store = Path(settings.store)
    pool = pool or WorkerPool(
        str(store),
        size=settings.workers,
        timeout=settings.timeout,
        queue_timeout=settings.queue_timeout,
        allow_service=settings.allow_service,
        reserved=settings.reserved_workers,
        cheap_timeout=settings.cheap_timeout,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not (store / "CURRENT").exists():
            raise StoreError(
                f"{store} 处没有 fenjie 存储：请先运行 fenjie build（或用 --store 指定） "
                "(no fenjie store: run `fenjie build` first, or pass --store)"
            )
        await pool.start()
        try:
            replayed = await app.state.report_writer.recover()
            if replayed:
                log.warning("report journal: %d report(s) added after a restart", replayed)
            recovered = await reconcile_audit(app)
            if recovered:
                log.warning("audit trail: %d report(s) written before a crash recovered", recovered)
            yield
        finally:
            await app.state.report_writer.close()
            await pool.close()

    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "HEAD", "POST"],
                allow_headers=["Accept", "Content-Type", "Authorization"],
            )
        )
    app = Starlette(
        routes=routes(),
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={
            FenjieError: _fenjie_error,
            HTTPException: _http_error,
            Exception: _server_error,
        },
    )
    app.state.settings = settings
    app.state.pool = pool
    app.state.base = settings.base
    from fenjie.progress.journal import ReportJournal, default_journal_path

    app.state.report_writer = ReportWriter(pool, ReportJournal(default_journal_path(store)))
    pool.before_read = app.state.report_writer.settle
    app.state.accounts = None
    if settings.accounts:
        from fenjie.progress.accounts import load_accounts

        app.state.accounts = load_accounts(settings.accounts)
    from fenjie.progress.audit import AuditTrail, default_audit_path

    app.state.audit = AuditTrail(settings.audit or default_audit_path(store))
    app.state.answers = AnswerCache()  # /sparql answers per store generation
    return app


def serve(
    settings: ServerSettings, *, log_level: str = "info", sock: socket.socket | None = None
) -> None:
    """Run the app on uvicorn until interrupted.

    ``sock`` is a socket already bound to the address (the CLI binds it first, so that a busy port
    is reported before anything starts, and ``--port 0`` can print the port it got).
    """
    import uvicorn

    app = create_app(settings)
    # /sparql past Starlette's layers, except when CORS middleware must see every request
    asgi: Any = (
        app
        if settings.cors_origins
        else DirectSparql(app, on_error=error_response, on_unexpected=_server_error)
    )
    # room for the connection cap, the workers' pipes and the store's files
    raise_file_limit(settings.max_connections + 64 * settings.workers + 256)
    config = uvicorn.Config(
        asgi,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        lifespan="on",
        # uvloop when installed (the package requires it where it exists: an event loop in C);
        # the pool reads its workers' sockets as protocols, never blocking, so either loop works
        loop="auto",
        http=guarded_protocol(
            request_timeout=settings.request_timeout,
            max_connections=settings.max_connections,
        ),
    )
    uvicorn.Server(config).run(sockets=[sock] if sock is not None else None)
