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
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fenjie.errors import FenjieError, ParameterError, RequestRefusedError
from fenjie.progress.journal import ReportJournal
from fenjie.server._api import JSON as _JSON
from fenjie.server._api import Params

__all__ = ["ReportWriter", "audit", "reconcile_audit", "reports", "scope"]

log = logging.getLogger("fenjie.server")


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
    """Reports are acknowledged once journaled, and added to the store in batches.

    Opening the store for writing holds every query worker and costs about a second, whatever the
    number of reports. So :meth:`write` appends the report to the journal
    (:class:`~fenjie.progress.journal.ReportJournal`; reports arriving together share one
    ``fsync``: group commit) and returns; a background task adds journaled reports to the store
    in one transaction when ``batch`` are waiting, when no report has been under way for
    ``quiet`` seconds, ``max_wait`` seconds after the oldest waiting one, or as soon
    as a read needs them (:meth:`settle`: every read waits, so an answer always includes every
    acknowledged report). At start :meth:`recover` adds what a crash left in the journal.
    """

    def __init__(
        self,
        pool: Any,
        journal: ReportJournal,
        *,
        batch: int = 2000,
        quiet: float = 0.5,
        max_wait: float = 10.0,
    ) -> None:
        self.pool = pool
        self.journal = journal
        self.batch = batch
        # while reports keep coming, adding them would hold every worker and stall the checks
        # of the next ones: wait for a pause in the requests (or a read, or a full batch). A
        # pause is counted from the end of the last request, not from its start: a loaded
        # machine checks slowly, and that is no pause
        self.quiet = quiet
        self.max_wait = max_wait
        self._last_activity = 0.0
        self._under_way = 0  # report requests being checked or journaled
        # report IRI -> journaled (a retry waits for the first to be on disk, then answers 200)
        self._seen: dict[str, asyncio.Future[None]] = {}
        self._to_journal: list[tuple[str, str, asyncio.Future[None]]] = []
        self._journaled = 0  # reports journaled since start (a running count)
        self._applied = 0  # of those, reports the store has
        self._first_waiting: float | None = None  # when the oldest unapplied report was journaled
        self._urgent = False
        self._attempts = 0  # finished attempts to apply
        self._changed: asyncio.Condition | None = None
        self._file_lock: asyncio.Lock | None = None  # appending and sealing never overlap
        self._tasks: list[asyncio.Task[None]] = []

    def _start(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
            self._file_lock = asyncio.Lock()
            self._tasks = [
                asyncio.ensure_future(self._journal_loop()),
                asyncio.ensure_future(self._apply_loop()),
            ]
        return self._changed

    async def recover(self) -> int:
        """Add to the store what the journal holds (reports acknowledged before a crash);
        returns how many were found."""
        pending = len(self.journal.pending())
        if pending:
            self._journaled += pending
            self._first_waiting = time.monotonic()
            await self.settle()
        return pending

    async def write(self, iri: str, nquads: str, *, stored: bool) -> bool:
        """Journal the report graph ``iri``: ``True`` if new, ``False`` if the store has it
        (``stored``) or it was sent before."""
        changed = self._start()
        if stored:
            return False
        earlier = self._seen.get(iri)
        if earlier is not None:
            await asyncio.shield(earlier)  # raises if that write failed
            return False
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._seen[iri] = done
        self._to_journal.append((iri, nquads, done))
        async with changed:
            changed.notify_all()
        await asyncio.shield(done)
        return True

    async def settle(self) -> None:
        """Return once every report journaled so far is in the store (or an attempt to add them
        failed: a build holds the store; the answer then lacks them, as it would have before)."""
        changed = self._start()
        wanted, attempts = self._journaled, self._attempts
        if self._applied >= wanted:
            return
        async with changed:
            self._urgent = True
            changed.notify_all()
            await changed.wait_for(lambda: self._applied >= wanted or self._attempts > attempts + 1)

    async def _journal_loop(self) -> None:
        changed = self._start()
        loop = asyncio.get_running_loop()
        while True:
            async with changed:
                await changed.wait_for(lambda: bool(self._to_journal))
            pending, self._to_journal = self._to_journal, []
            assert self._file_lock is not None
            try:
                entries = [(iri, nquads) for iri, nquads, _ in pending]
                async with self._file_lock:
                    await loop.run_in_executor(None, self.journal.append, entries)
                    if self._applied >= self._journaled:
                        self._first_waiting = time.monotonic()
                    self._journaled += len(pending)
            except BaseException as exc:  # nothing acknowledged: every waiter hears of it
                for iri, _, done in pending:
                    self._seen.pop(iri, None)
                    if not done.done():
                        done.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise
                continue
            for *_, done in pending:
                if not done.done():
                    done.set_result(None)
            async with changed:
                changed.notify_all()

    def _due(self) -> bool:
        waiting = self._journaled - self._applied
        if waiting <= 0:
            return False
        return self._urgent or waiting >= self.batch or time.monotonic() >= self._deadline()

    def _deadline(self) -> float:
        """When the waiting reports are to be added unless something comes first."""
        oldest = (self._first_waiting or 0.0) + self.max_wait
        if self._under_way:
            return oldest
        return min(self._last_activity + self.quiet, oldest)

    @contextlib.asynccontextmanager
    async def posting(self) -> AsyncIterator[None]:
        """Around one report request: batches wait while requests are under way."""
        changed = self._start()
        self._under_way += 1
        try:
            yield
        finally:
            self._under_way -= 1
            self._last_activity = time.monotonic()
            async with changed:
                changed.notify_all()

    async def _apply_loop(self) -> None:
        changed = self._start()
        loop = asyncio.get_running_loop()
        while True:
            async with changed:
                while not self._due():
                    timeout = None
                    if self._journaled > self._applied:
                        timeout = max(self._deadline() - time.monotonic(), 0.01)
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(changed.wait(), timeout)
                self._urgent = False
            assert self._file_lock is not None
            failed = False
            try:
                async with self._file_lock:  # what is sealed is exactly what was counted
                    counted = self._journaled
                    entries = await loop.run_in_executor(None, self.journal.seal)
                if entries:
                    batch = [[iri, nquads] for iri, nquads in entries]
                    # generous: a batch must not be cut short by the query time limit
                    await self.pool.update({"report_batch": batch}, timeout=300)
                await loop.run_in_executor(None, self.journal.discard_sealed)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # kept in the journal; tried again
                failed = True
                log.warning("journaled reports not yet added to the store, will retry: %s", exc)
            else:
                self._applied = max(self._applied, counted)
                self._first_waiting = time.monotonic()
            async with changed:
                self._attempts += 1
                changed.notify_all()
            if failed:
                await asyncio.sleep(1.0)

    async def close(self) -> None:
        """Add what is journaled (best effort: the journal keeps it otherwise), then stop."""
        if self._changed is not None and self._applied < self._journaled:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.settle(), 60)
        for task in self._tasks:
            task.cancel()


async def _audit(request: Request, entry: dict[str, Any]) -> None:
    trail = request.app.state.audit
    await asyncio.get_running_loop().run_in_executor(None, trail.append, entry)


async def post_report(request: Request) -> Response:
    account = _account(request)
    async with request.app.state.report_writer.posting():
        return await _post_report(request, account)


async def _post_report(request: Request, account: Any) -> Response:
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
        # checked without waiting for journaled reports to reach the store (a read would)
        prepared = await pool.run("call", payload, settle=False)
        created = await request.app.state.report_writer.write(
            prepared["iri"], prepared["nquads"], stored=prepared["stored"]
        )
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


async def scope(request: Request, params: Params) -> Response:
    """What the account of the bearer token may report on (the page's report form)."""
    account = _account(request)
    from fenjie.progress import submit

    payload = {
        "function": submit.report_scope,
        "args": [],
        "kwargs": {"account": account.name, "account_unit": account.unit, "office": account.office},
    }
    return _JSON(await request.app.state.pool.run("call", payload))


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
