"""The server's progress path on a live `fenjie serve`: /api/progress, POST /api/reports with report
accounts (authorization, bad reports, idempotency, 32 concurrent clients), the audit trail,
kill -9 during 1,000 concurrent writes (every acknowledged report survives, none twice), tokens
never in the server's log, and the report form of the page in headless Chromium."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fenjie.progress.accounts import add_account

# every test here starts `fenjie serve`: run with --all (CI does)
pytestmark = pytest.mark.slow

sys.path.insert(0, str(Path(__file__).parent))
import progress_table  # noqa: E402
from conftest import build_store, free_port, running_server  # noqa: E402

from tests.fenjie_runs import run_in_fresh_process  # noqa: E402

T = progress_table.iri
pytestmark = pytest.mark.slow  # every test starts a fenjie server


def _reported_store(root: Path) -> Path:
    """The bundled plan with the progress table of tests/progress_table.py read in."""
    store = build_store(root / "store")
    table = progress_table.write_xlsx(root / "进展情况.xlsx")
    done = run_in_fresh_process("report", table, store=store)
    assert done.returncode == 0, done.stderr
    return store


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A read-only server over the plan and the file's reports only (no API writes)."""
    store = _reported_store(tmp_path_factory.mktemp("serve-reported"))
    with running_server(store, "--workers", "2", startup=180) as base:
        yield base


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("serve-progress")
    store = _reported_store(root)
    accounts = root / "accounts.json"
    tokens = {
        "kjt": add_account(accounts, "kjt", unit="省科技厅"),
        "cs": add_account(accounts, "cs", unit="长沙市人民政府"),
        "ban": add_account(accounts, "ban", office=True),
    }
    return {"root": root, "store": store, "accounts": accounts, "tokens": tokens}


@pytest.fixture(scope="module")
def server(setup: dict[str, object]) -> Iterator[str]:
    options = ("--accounts", str(setup["accounts"]), "--update-token", "the-update-token")
    # a generous start-up time: a loaded machine (CI, parallel builds) starts servers slowly
    with running_server(setup["store"], *options, "--workers", "2", startup=180) as base:  # type: ignore[arg-type]
        yield base


def _get(url: str, **kwargs: object) -> httpx.Response:
    # generous: a loaded machine (CI, parallel jobs) answers slowly; nothing here is timed
    return httpx.get(url, timeout=120, **kwargs)  # type: ignore[arg-type]


def _post(url: str, **kwargs: object) -> httpx.Response:
    return httpx.post(url, timeout=120, **kwargs)  # type: ignore[arg-type]


def _auth(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return headers


def test_done_when_questions_through_the_api(reported: str) -> None:
    server = reported
    overdue = _get(server + "/api/progress", params={"as_of": "2019-12-31", "overdue": "true"})
    assert overdue.status_code == 200
    assert len(overdue.json()["targets"]) == 56
    answer = _get(server + "/api/progress", params={"as_of": "2019-12-31"}).json()
    kjt = next(u for u in answer["units"] if u["unit"]["label"] == "湖南省科学技术厅")
    assert kjt["lead"]["rate"] == 0.12
    # the blocking list only when asked: on a large plan it is most of the answer
    assert answer["blocking"] is None
    asked = _get(server + "/api/progress", params={"as_of": "2019-12-31", "blocking": "true"})
    held_up = {b["target"]["iri"]: b for b in asked.json()["blocking"]}
    assert T("1-1/2018/2") in held_up and held_up[T("1-1/2018/2")]["dependents"]
    assert {k: v for k, v in asked.json().items() if k != "blocking"} == {
        k: v for k, v in answer.items() if k != "blocking"
    }
    wrong = _get(server + "/api/progress", params={"blocking": "yes"})
    assert wrong.status_code == 400
    late = _get(
        server + "/api/progress",
        params={"as_of": "2018-06-30", "status": "滞后", "depends": "意见"},
    ).json()
    assert {t["iri"] for t in late["targets"]} == {T("1-2/2017/1"), T("1-5/2018/2")}
    bad = _get(server + "/api/progress", params={"as_of": "2019-13-01"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "parameter"


def _report(about: str, **extra: object) -> dict[str, object]:
    return {"about": about, "as_of": "2018-09-30", "status": "已完成", "text": "已完成。"} | extra


def test_a_unit_reports_on_its_items_only(server: str, setup: dict[str, object]) -> None:
    tokens: dict[str, str] = setup["tokens"]  # type: ignore[assignment]
    url = server + "/api/reports"
    ok = _post(url, json=_report(T("3-5/2018/2")), headers=_auth(tokens["kjt"], "a1"))
    assert ok.status_code == 201, ok.text
    assert ok.json()["created"] is True
    again = _post(url, json=_report(T("3-5/2018/2")), headers=_auth(tokens["kjt"], "a1"))
    assert again.status_code == 200 and again.json()["report"] == ok.json()["report"]
    history = _get(url, params={"about": T("3-5/2018/2")}).json()["reports"]
    assert [r["iri"] for r in history].count(ok.json()["report"]) == 1
    # 省科技厅 is not on 绩效考核体系 (1-3); a member city reports via its group (2-1)
    other = _post(url, json=_report(T("1-3")), headers=_auth(tokens["kjt"], "a2"))
    assert other.status_code == 403 and other.json()["error"]["code"] == "forbidden"
    city = _post(url, json=_report(T("2-1")), headers=_auth(tokens["cs"], "a3"))
    assert city.status_code == 201, city.text
    claimed = _post(url, json=_report(T("2-1"), unit="省科技厅"), headers=_auth(tokens["cs"], "a4"))
    assert claimed.status_code == 403
    office = _post(url, json=_report(T("1-3"), unit="省绩效办"), headers=_auth(tokens["ban"], "a5"))
    assert office.status_code == 201, office.text


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (_report(T("9-9")), 404, "not_found"),
        (_report(T("3-5/2018/2"), status="差不多"), 400, "parameter"),
        (_report(T("3-5/2018/2"), as_of="yesterday"), 400, "parameter"),
        (_report(T("3-5/2018/2"), percent=120), 400, "parameter"),
        (_report(T("3-5/2018/2"), colour="red"), 400, "parameter"),
        (
            _report(T("3-5/2018/2"), evidence=[{"url": f"https://x.cn/{k}"} for k in range(21)]),
            413,
            "too_large",
        ),
        (
            _report(T("3-5/2018/2"), evidence=[{"file_name": "a.pdf", "sha256": "xyz"}]),
            400,
            "parameter",
        ),
    ],
)
def test_bad_reports_get_a_clear_4xx_and_change_nothing(
    server: str, setup: dict[str, object], body: dict[str, object], status: int, code: str
) -> None:
    tokens: dict[str, str] = setup["tokens"]  # type: ignore[assignment]
    before = _get(server + "/api/reports", params={"about": T("3-5/2018/2")}).json()
    answer = _post(
        server + "/api/reports", json=body, headers=_auth(tokens["kjt"], f"bad-{status}-{code}")
    )
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    after = _get(server + "/api/reports", params={"about": T("3-5/2018/2")}).json()
    assert after == before


def test_tokens_audit_and_sparql_update(server: str, setup: dict[str, object]) -> None:
    tokens: dict[str, str] = setup["tokens"]  # type: ignore[assignment]
    missing = _post(server + "/api/reports", json=_report(T("3-5/2018/2")))
    assert missing.status_code == 401
    no_key = _post(
        server + "/api/reports", json=_report(T("3-5/2018/2")), headers=_auth(tokens["kjt"])
    )
    assert no_key.status_code == 400 and "Idempotency-Key" in no_key.json()["error"]["message"]
    assert _get(server + "/api/audit", headers=_auth(tokens["kjt"])).status_code == 403
    update = _post(
        server + "/sparql",
        data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"},
        headers=_auth(tokens["kjt"]),
    )
    assert update.status_code in (401, 403)
    entries = _get(server + "/api/audit", headers=_auth(tokens["ban"])).json()["entries"]
    assert {"created", "refused"} <= {e["action"] for e in entries}
    assert all({"time", "account", "action"} <= set(e) for e in entries)
    audit_text = Path(str(setup["store"]) + ".audit.jsonl").read_text(encoding="utf-8")
    assert not any(token in audit_text for token in tokens.values())


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_32_clients_lose_nothing_and_duplicate_nothing(
    server: str, setup: dict[str, object], run_async: Any
) -> None:
    tokens: dict[str, str] = setup["tokens"]  # type: ignore[assignment]
    targets = [T(k) for k in ("3-5/2017/1", "3-5/2017/2", "3-5/2017/3", "3-5/2017/4")]

    async def run() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=32)
        async with httpx.AsyncClient(base_url=server, timeout=120, limits=limits) as client:
            jobs = []
            for k in range(64):  # 64 reports, each sent twice at once
                body = _report(targets[k % 4], text=f"第{k}次报送")
                for _ in range(2):
                    jobs.append(
                        client.post(
                            "/api/reports", json=body, headers=_auth(tokens["kjt"], f"c{k}")
                        )
                    )
            return await asyncio.gather(*jobs)

    answers = run_async(run())
    assert all(a.status_code in (200, 201) for a in answers), {a.status_code for a in answers}
    assert sum(a.status_code == 201 for a in answers) == 64
    seen = []
    for target in targets:
        seen += _get(server + "/api/reports", params={"about": target}).json()["reports"]
    mine = [r for r in seen if r["text"].startswith("第")]
    assert sorted(r["text"] for r in mine) == sorted(f"第{k}次报送" for k in range(64))


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_kill_9_during_concurrent_writes_keeps_every_acknowledged_report(
    setup: dict[str, object], tmp_path: Path, run_async: Any
) -> None:
    store = build_store(tmp_path / "store")
    accounts = tmp_path / "accounts.json"
    token = add_account(accounts, "kjt", unit="省科技厅")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "fenjie", "serve", "--store", str(store), "--port", str(port)]
    command += ["--accounts", str(accounts), "--workers", "2", "--log-level", "warning"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait(base, proc)
    acknowledged: list[str] = []
    writes = int(os.environ.get("FENJIE_KILL_WRITES", "1000"))  # the 1,000

    async def hammer() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            semaphore = asyncio.Semaphore(32)

            async def one(k: int) -> None:
                async with semaphore:
                    body = _report(T("3-5/2019/1"), text=f"写入{k}")
                    try:
                        answer = await client.post(
                            "/api/reports", json=body, headers=_auth(token, f"k{k}")
                        )
                    except httpx.TransportError:
                        return
                    if answer.status_code == 201:
                        acknowledged.append(answer.json()["report"])
                    if len(acknowledged) == writes // 3:
                        os.kill(proc.pid, signal.SIGKILL)  # mid-stream, writes in flight

            await asyncio.gather(*(one(k) for k in range(writes)), return_exceptions=True)

    run_async(hammer())
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    assert len(acknowledged) >= writes // 3
    restarted = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(base, restarted)
        history = _get(base + "/api/reports", params={"about": T("3-5/2019/1")})
        stored = [r["iri"] for r in history.json()["reports"]]
        assert set(acknowledged) <= set(stored)
        assert len(stored) == len(set(stored))
        trail = [
            json.loads(line) for line in Path(str(store) + ".audit.jsonl").read_text().splitlines()
        ]
        named = {e["report"] for e in trail if e["action"] in ("created", "recovered")}
        assert named == set(stored)  # the trail matches the store after recovery
    finally:
        restarted.terminate()
        restarted.wait(30)


def _wait(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, "fenjie serve exited"
        try:
            if _get(base + "/api/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("fenjie serve did not start")


def test_a_server_without_accounts_stays_read_only(setup: dict[str, object]) -> None:
    with running_server(setup["store"], startup=180) as base:  # type: ignore[arg-type]
        answer = _post(base + "/api/reports", json=_report(T("3-5/2018/2")))
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "read_only"


@pytest.mark.browser
def test_the_progress_tab_answers_the_done_when_questions(reported: str, chromium) -> None:  # type: ignore[no-untyped-def]
    server = reported
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(server + "/#progress")
        page.wait_for_selector("#progress-targets", timeout=120_000)
        page.fill("#progress-asof", "2019-12-31")
        page.click("#progress-form button[type=submit]")
        page.wait_for_selector("#progress-summary:has-text('2019-12-31')", timeout=120_000)
        # 省科技厅's completion rate as lead, in the units table (all targets counted)
        kjt = page.locator("#progress-units tr", has_text="湖南省科学技术厅").first
        assert kjt.locator("td").nth(7).text_content() == "12.0%"
        # the overdue targets as of 2019-12-31, all red
        page.check("#progress-overdue")
        page.click("#progress-form button[type=submit]")
        page.wait_for_selector("#progress-summary:has-text('目标 56 个')", timeout=120_000)
        rows = page.locator("#progress-targets tr[data-iri]")
        assert rows.count() == 56
        assert page.locator("#progress-targets .light.red").count() == 56
        # late targets that depend on 《意见》, and the unit's 催办清单
        page.uncheck("#progress-overdue")
        page.fill("#progress-asof", "2018-06-30")
        page.select_option("#progress-status", "滞后")
        page.fill("#progress-depends", "《意见》")
        page.fill("#progress-unit", "省科技厅")
        page.click("#progress-form button[type=submit]")
        page.wait_for_selector("#progress-reminders", timeout=120_000)
        iris = rows.evaluate_all("rows => rows.map(r => r.dataset.iri)")
        assert set(iris) == {T("1-2/2017/1"), T("1-5/2018/2")}
        assert (
            "催办清单：湖南省科学技术厅（2 项）"
            in page.locator("#progress-reminders h2").text_content()
        )
        # the history of a target's reports
        page.locator("#progress-targets tr[data-iri] a").first.click()
        page.wait_for_selector("#progress-history-table", timeout=120_000)
        assert "滞后" in page.locator("#progress-history-table").text_content()
        assert errors == []
    finally:
        context.close()


@pytest.mark.browser
def test_the_report_form_submits_a_report_that_the_tab_then_shows(  # type: ignore[no-untyped-def]
    server: str, setup: dict[str, object], chromium
) -> None:
    tokens: dict[str, str] = setup["tokens"]  # type: ignore[assignment]
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    target = T("3-4/2018/1")
    hostile = '<img src=x onerror="alert(1)">平台已上线'
    try:
        page.goto(server + "/#progress")
        page.wait_for_selector("#progress-targets", timeout=120_000)
        page.click("#report-panel summary")
        # a wrong token: the API's 401 in Chinese, and no form
        page.fill("#report-token", "not-a-token")
        page.click("#report-account-form button[type=submit]")
        page.wait_for_selector("#report-message .error", timeout=120_000)
        assert "令牌无效或缺失" in page.locator("#report-message").text_content()
        assert page.locator("#report-form").is_hidden()
        # 省科技厅's token: only its work items are offered (not 1-3, 绩效考核体系)
        page.fill("#report-token", tokens["kjt"])
        page.click("#report-account-form button[type=submit]")
        page.wait_for_selector("#report-form", state="visible", timeout=120_000)
        assert "湖南省科学技术厅" in page.locator("#report-account").text_content()
        offered = page.locator("#report-about option").evaluate_all(
            "options => options.map(o => o.value)"
        )
        assert target in offered and T("3-4") in offered
        assert T("1-3") not in offered and T("1-3/2017/1") not in offered
        statuses = page.locator("#report-status option").evaluate_all(
            "options => options.map(o => o.value).filter(Boolean)"
        )
        assert statuses == ["已完成", "基本完成", "推进中", "滞后", "未启动", "无法完成"]
        page.select_option("#report-about", target)
        page.fill("#report-asof", "2018-09-30")
        page.select_option("#report-status", "已完成")
        page.fill("#report-percent", "100")
        page.fill("#report-text", hostile)
        page.fill("#report-problems", "<b>无</b>")
        page.click("#report-form button[type=submit]")
        page.wait_for_selector("#report-message .ok", timeout=120_000)
        assert "已报送" in page.locator("#report-message").text_content()
        # the tab shows it: the target is completed, and its history has the text as written
        row = page.locator(f'#progress-targets tr[data-iri="{target}"]:has-text("2 份")')
        row.wait_for(timeout=120_000)  # the table is reloaded: the file's report and this one
        assert "已完成" in row.text_content() and "逾期" not in row.text_content()
        page.wait_for_selector("#progress-history-table", timeout=120_000)
        history = page.locator("#progress-history-table")
        assert hostile in history.text_content() and "<b>无</b>" in history.text_content()
        assert page.locator("#progress-history-table img, #progress-history-table b").count() == 0
        assert "账号 kjt" in history.text_content()
        # the store has exactly this report, through the API too
        reports = _get(server + "/api/reports", params={"about": target}).json()["reports"]
        assert [r["text"] for r in reports if r["source"].get("account") == "kjt"] == [hostile]
        # the office must name the unit: the API's 400 in Chinese, naming the field
        page.fill("#report-token", tokens["ban"])
        page.click("#report-account-form button[type=submit]")
        page.wait_for_selector("#report-unit", state="visible", timeout=120_000)
        page.select_option("#report-about", T("1-3"))
        page.fill("#report-asof", "2018-09-30")
        page.fill("#report-text", "已完成。")
        page.click("#report-form button[type=submit]")
        page.wait_for_selector("#report-message .error", timeout=120_000)
        assert "“报送单位”填写有误" in page.locator("#report-message").text_content()
        assert errors == [] and dialogs == []
    finally:
        context.close()


def test_tokens_never_appear_in_the_server_log(setup: dict[str, object], tmp_path: Path) -> None:
    """A real server at its most talkative (debug: every request line, every worker error):
    tokens sent right, wrong, refused and in failing requests are nowhere in its output."""
    tokens: dict[str, str] = setup["tokens"]  # type: ignore[assignment]
    store = build_store(tmp_path / "store")
    wrong = "wrong-" + tokens["kjt"][::-1]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "fenjie", "serve", "--store", str(store), "--port", str(port)]
    command += ["--accounts", str(setup["accounts"]), "--workers", "2", "--log-level", "debug"]
    log_path = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            _wait(base, proc)
            url = base + "/api/reports"
            sent = [
                _post(url, json=_report(T("3-4/2019/1")), headers=_auth(tokens["kjt"], "log-1")),
                _post(url, json=_report(T("3-4/2019/1")), headers=_auth(tokens["kjt"], "log-1")),
                _post(url, json=_report(T("1-3")), headers=_auth(tokens["kjt"], "log-2")),
                _post(url, json=_report(T("9-9")), headers=_auth(tokens["kjt"], "log-3")),
                _post(url, json=_report(T("1-3")), headers=_auth(tokens["ban"], "log-4")),
                _post(url, json=_report(T("2-1")), headers=_auth(wrong, "log-5")),
                _post(url, content=b"{not json", headers=_auth(tokens["cs"], "log-6")),
                _get(base + "/api/audit", headers=_auth(tokens["kjt"])),
                _get(base + "/api/audit", headers=_auth(tokens["ban"])),
                _get(base + "/api/reports/scope", headers=_auth(tokens["cs"])),
                _get(base + "/api/reports/scope", headers={"Authorization": tokens["kjt"]}),
            ]
            assert [a.status_code for a in sent] == [
                201, 200, 403, 404, 400, 401, 400, 403, 200, 200, 401
            ]  # fmt: skip
        finally:
            proc.terminate()
            proc.wait(30)
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "POST /api/reports" in log and "GET /api/audit" in log  # the requests were logged
    for token in [*tokens.values(), wrong]:
        assert token not in log
        for kept in (Path(str(store) + ".audit.jsonl"), Path(str(store) + ".reports.journal")):
            assert not kept.exists() or token not in kept.read_text(encoding="utf-8")
