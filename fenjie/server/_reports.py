"""Progress reports over HTTP: ``POST /api/reports`` (report accounts only), the history of a
target (``GET /api/reports?about=IRI``) and the audit trail (``GET /api/audit``, office only).

Without ``--accounts`` the server stays read-only: a POST gets 403. A write is checked in a worker
(:func:`fenjie.progress.submit.prepare_report`), then added by the pool's update path (every
worker held, one transaction, flushed) before the answer: ``201`` for a new report, ``200`` when
the same account sent the same ``Idempotency-Key`` before. Every attempt, refused ones included,
is appended to the audit trail (never the token).
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fenjie.errors import FenjieError, ParameterError, RequestRefusedError
from fenjie.server._api import JSON as _JSON
from fenjie.server._api import Params

__all__ = ["ReportWriter", "audit", "reconcile_audit", "reports"]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _account(request: Request, *, office: bool = False) -> Any:
    accounts = request.app.state.accounts
    if accounts is None:
        raise RequestRefusedError(
            "本服务只读：以 --accounts 启动才接受报告 (this server is read-only: start it with --accounts)",
            status=403,
            code="read_only",
        )
    account = accounts.authenticate(_bearer(request))
    if account is None:
        raise RequestRefusedError(
            "需要报告账户的令牌（Authorization: Bearer TOKEN） (a report account's token is needed)",
            status=401,
            code="unauthorized",
        )
    if office and not account.office:
        raise RequestRefusedError(
            "只有督办账户可以查看审计记录 (only the programme office account may read the audit trail)",
            status=403,
            code="forbidden",
        )
    return account


class ReportWriter:
    """Group commit: reports arriving while a write is under way go together in the next one.

    Each write holds every query worker and reopens the store afterwards, so one write per report
    would cost the same for 1 or 100 reports; batching keeps many clients fast. Every report is
    acknowledged only after the transaction holding it is flushed.
    """

    def __init__(self, pool: Any, *, batch: int = 256) -> None:
        self.pool = pool
        self.batch = batch
        self._queue: asyncio.Queue[tuple[str, str, asyncio.Future[bool]]] | None = None
        self._task: asyncio.Task[None] | None = None

    async def write(self, iri: str, nquads: str) -> bool:
        """Add the report graph ``iri``; ``True`` if new, ``False`` if it was there already."""
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._task = asyncio.ensure_future(self._run())
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        await self._queue.put((iri, nquads, future))
        return await future

    async def _run(self) -> None:
        assert self._queue is not None
        while True:
            pending = [await self._queue.get()]
            while len(pending) < self.batch and not self._queue.empty():
                pending.append(self._queue.get_nowait())
            try:
                batch = [[iri, nquads] for iri, nquads, _ in pending]
                # generous: a batch must not be cut short by the query time limit
                created = await self.pool.update({"report_batch": batch}, timeout=300)
            except BaseException as exc:  # every waiter hears of the failure
                for *_, future in pending:
                    if not future.done():
                        future.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise
                continue
            for (*_, future), new in zip(pending, created, strict=True):
                if not future.done():
                    future.set_result(bool(new))

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()


async def _audit(request: Request, entry: dict[str, Any]) -> None:
    trail = request.app.state.audit
    await asyncio.get_running_loop().run_in_executor(None, trail.append, entry)


async def post_report(request: Request) -> Response:
    account = _account(request)
    received = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    key = request.headers.get("idempotency-key", "").strip()
    entry: dict[str, Any] = {
        "time": received,
        "account": account.name,
        "unit": account.unit,
        "remote": request.client.host if request.client else None,
        "key": key or None,
    }
    try:
        limit = request.app.state.settings.max_body
        body = await request.body()
        if len(body) > limit:
            raise RequestRefusedError(
                f"报告超过 {limit} 字节 (the report is larger than {limit} bytes)",
                status=413,
                code="too_large",
            )
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ParameterError(f"请求正文不是 JSON (the body is not JSON)：{exc}") from None
        from fenjie.progress import submit  # imported on first use: the server starts light

        pool = request.app.state.pool
        payload = {
            "function": submit.prepare_report,
            "args": [data],
            "kwargs": {
                "account": account.name,
                "account_unit": account.unit,
                "office": account.office,
                "key": key,
                "received": received,
                "base": request.app.state.base,
            },
        }
        prepared = await pool.run("call", payload)
        created = await request.app.state.report_writer.write(prepared["iri"], prepared["nquads"])
    except FenjieError as exc:
        await _audit(
            request,
            entry | {"action": "refused", "status": exc.http_status, "reason": exc.message},
        )
        raise
    entry |= {
        "action": "created" if created else "existing",
        "report": prepared["iri"],
        "about": prepared["about"],
        "reported_unit": prepared["unit"]["iri"],
        "status": 201 if created else 200,
    }
    await _audit(request, entry)
    answer = {
        "report": prepared["iri"],
        "about": prepared["about"],
        "unit": prepared["unit"],
        "created": created,
    }
    return _JSON(answer, status_code=201 if created else 200)


async def get_reports(request: Request, about: str | None) -> Response:
    if not about:
        raise ParameterError("缺少参数 about (missing parameter 'about')", parameter="about")
    from fenjie.progress import derive

    pool = request.app.state.pool
    payload = {"function": derive.report_history, "args": [about], "kwargs": {}}
    return _JSON(await pool.run("call", payload))


async def reports(request: Request, params: Params) -> Response:
    if request.method == "POST":
        return await post_report(request)
    return await get_reports(request, params["about"])


async def audit(request: Request, params: Params) -> Response:
    _account(request, office=True)
    trail = request.app.state.audit
    entries = await asyncio.get_running_loop().run_in_executor(None, trail.read)
    return _JSON({"entries": entries})


async def reconcile_audit(app: Any) -> int:
    """After a crash between a commit and its audit line: add a ``recovered`` line for every
    API report in the store that the trail does not name. Returns how many were added."""
    if app.state.accounts is None:
        return 0
    from fenjie.progress import derive

    trail = app.state.audit
    named = {e.get("report") for e in trail.read() if e.get("action") in ("created", "recovered")}
    stored = await app.state.pool.run(
        "call", {"function": derive.api_requests, "args": [], "kwargs": {}}
    )
    added = 0
    for row in stored:
        if row["report"] in named:
            continue
        trail.append(
            {
                "time": row["received"],
                "account": row["account"],
                "key": row["key"],
                "action": "recovered",
                "report": row["report"],
                "about": row["about"],
                "status": 201,
            }
        )
        added += 1
    return added
