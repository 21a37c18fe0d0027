"""Check a report sent to the API and turn it into the quads of its own graph.

Runs where the store can be queried (a server worker). Every check fails with a 4xx error in the
API's one error shape: a missing or ill-typed field (400), a target or work item the graph does
not hold (404), a unit that is not responsible for the work item or an account reporting for
another unit (403), evidence beyond the limits (413).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from pyoxigraph import NamedNode, Quad, RdfFormat, serialize

from fenjie.errors import NotFoundError, ParameterError, RequestRefusedError
from fenjie.progress.ingest import parse_percent
from fenjie.progress.model import Evidence, ProgressReport, RequestOrigin, report_quads
from fenjie.progress.status import Status, parse_status, spellings
from fenjie.queries.backend import QueryBackend, plain
from fenjie.queries.registry import get_stored
from fenjie.roles import Role

__all__ = ["LIMITS", "prepare_report", "report_scope"]

LIMITS = {"text": 20_000, "evidence": 20, "url": 2_048, "file_name": 255, "key": 200}
_FIELDS = {
    "about",
    "unit",
    "as_of",
    "status",
    "text",
    "percent",
    "problems",
    "next_steps",
    "evidence",
}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _string(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise ParameterError(f"缺少字段 {name} (field {name!r} is required)", parameter=name)
        return None
    if not isinstance(value, str):
        raise ParameterError(
            f"字段 {name} 应为字符串 (field {name!r} must be a string)", parameter=name
        )
    if len(value) > LIMITS["text"]:
        raise RequestRefusedError(
            f"字段 {name} 超过 {LIMITS['text']} 个字符 (field {name!r} is too long)",
            status=413,
            code="too_large",
        )
    return value.strip()


def _evidence(value: Any) -> tuple[Evidence, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ParameterError(
            "字段 evidence 应为列表 (field 'evidence' must be a list)", parameter="evidence"
        )
    if len(value) > LIMITS["evidence"]:
        raise RequestRefusedError(
            f"每份报告最多 {LIMITS['evidence']} 份佐证材料 (at most {LIMITS['evidence']} pieces of evidence per report)",
            status=413,
            code="too_large",
        )
    found = []
    for k, entry in enumerate(value, start=1):
        if not isinstance(entry, dict) or set(entry) - {"url", "file_name", "sha256"}:
            raise ParameterError(
                f"佐证材料 {k}：应为带 url，或带 file_name 和 sha256 的对象 (evidence {k}: an object with 'url', or 'file_name' and 'sha256')",
                parameter="evidence",
            )
        url, name, digest = entry.get("url"), entry.get("file_name"), entry.get("sha256")
        if url is not None:
            if not isinstance(url, str) or not re.match(r"^https?://\S+$", url):
                raise ParameterError(
                    f"佐证材料 {k}：url 应为 http(s) 链接 (evidence {k}: 'url' must be an http(s) link)",
                    parameter="evidence",
                )
            if len(url) > LIMITS["url"]:
                raise RequestRefusedError(
                    f"佐证材料 {k}：链接过长 (evidence {k}: the link is too long)",
                    status=413,
                    code="too_large",
                )
            found.append(Evidence(url=url))
            continue
        if not isinstance(name, str) or not name.strip():
            raise ParameterError(
                f"佐证材料 {k}：请给出 url 或 file_name (evidence {k}: give 'url' or 'file_name')",
                parameter="evidence",
            )
        if len(name) > LIMITS["file_name"]:
            raise RequestRefusedError(
                f"佐证材料 {k}：文件名过长 (evidence {k}: the file name is too long)",
                status=413,
                code="too_large",
            )
        if not isinstance(digest, str) or not _HEX64.match(digest):
            raise ParameterError(
                f"佐证材料 {k}：sha256 应为 64 位小写十六进制数 (evidence {k}: 'sha256' must be 64 lowercase hex digits)",
                parameter="evidence",
            )
        found.append(Evidence(file_name=name.strip(), sha256=digest))
    return tuple(found)


def prepare_report(
    backend: QueryBackend,
    body: Any,
    *,
    account: str,
    account_unit: str | None,
    office: bool,
    key: str,
    received: str,
    base: str,
) -> dict[str, Any]:
    """Check ``body`` and return ``{"iri", "about", "unit", "nquads", "stored"}`` for the writer
    (``stored``: the store has this report already, sent before with the same key)."""
    from fenjie.queries.units import resolve_unit, unit_routes

    if not isinstance(body, dict):
        raise ParameterError("请求正文应为 JSON 对象 (the request body must be a JSON object)")
    unknown = sorted(set(body) - _FIELDS)
    if unknown:
        raise ParameterError(
            f"未知字段 (unknown field(s))：{'、'.join(unknown)}", parameter=unknown[0]
        )
    if not key or len(key) > LIMITS["key"]:
        raise ParameterError(
            f"需要 1–{LIMITS['key']} 个字符的 Idempotency-Key 请求头 (an Idempotency-Key header of 1–{LIMITS['key']} characters is required)",
            parameter="Idempotency-Key",
        )
    about = _string(body, "about", required=True) or ""
    try:
        about_node = NamedNode(about)
    except ValueError:
        raise ParameterError(
            f"about 应为目标或工作内容的 IRI ('about' must be the IRI of a target or work item)：{about!r}"
        ) from None
    rows = backend.select(get_stored("progress-about").text, bindings={"node": about_node})
    if not rows:
        raise NotFoundError(
            f"图中没有目标或工作内容 <{about}> (no target or work item <{about}> in the graph)",
            about=about,
        )
    label = plain(rows[0]["label"])
    listed = {plain(r["unit"]) for r in rows if "unit" in r}
    written_unit = _string(body, "unit")
    if office:
        if not written_unit:
            raise ParameterError(
                "督办账户须指明报告单位 unit (the programme office names the reporting unit ('unit'))",
                parameter="unit",
            )
        who = resolve_unit(backend, written_unit)
    else:
        who = resolve_unit(backend, account_unit or "")
        if written_unit:
            other = resolve_unit(backend, written_unit)
            if other["iri"] != who["iri"]:
                raise RequestRefusedError(
                    f"账户 {account!r} 为{who['label']}报告，不能为{other['label']}报告 (account reports for another unit)",
                    status=403,
                    code="forbidden",
                )
    if not set(unit_routes(backend, who["iri"])) & listed:
        raise RequestRefusedError(
            f"{who['label']}对「{label}」既不负责也不配合 (is not responsible for and does not support it)",
            status=403,
            code="forbidden",
        )
    as_of_text = _string(body, "as_of", required=True) or ""
    try:
        as_of = date.fromisoformat(as_of_text)
    except ValueError:
        raise ParameterError(
            f"as_of 应为日期 YYYY-MM-DD，实为 {as_of_text!r} ('as_of' must be a date)",
            parameter="as_of",
        ) from None
    status_text = _string(body, "status")
    status: Status | None = None
    if status_text:
        status = parse_status(status_text)
        if status is None:
            known = "、".join(dict.fromkeys(spellings().values()))
            raise ParameterError(
                f"未知状态 {status_text!r}（可用状态：{known}） (unknown status {status_text!r})",
                parameter="status",
            )
    percent = body.get("percent")
    if percent is not None:
        try:
            percent = parse_percent(str(percent)) if not isinstance(percent, bool) else None
        except ValueError as exc:
            raise ParameterError(str(exc), parameter="percent") from None
        if percent is None:
            raise ParameterError(
                "percent 应为 0 到 100 之间的数 ('percent' must be a number from 0 to 100)",
                parameter="percent",
            )
    report = ProgressReport(
        about=about,
        unit=who["iri"],
        as_of=as_of,
        generated=datetime.fromisoformat(received),
        status=status,
        status_written=status_text,
        text=_string(body, "text", required=True) or "",
        percent=percent,
        problems=_string(body, "problems"),
        next_steps=_string(body, "next_steps"),
        evidence=_evidence(body.get("evidence")),
        origin=RequestOrigin(account=account, key=key, received=datetime.fromisoformat(received)),
    )
    quads: list[Quad] = report_quads(report, base)
    nquads = (serialize(quads, format=RdfFormat.N_QUADS) or b"").decode("utf-8")
    iri = report.iri(base)
    stored = backend.select(
        get_stored("progress-report-stored").text, bindings={"report": NamedNode(iri)}
    )
    return {"iri": iri, "about": about, "unit": who, "nquads": nquads, "stored": bool(stored)}


def report_scope(
    backend: QueryBackend, *, account: str, account_unit: str | None, office: bool
) -> dict[str, Any]:
    """What an account may report on, for the page's report form: its unit, the statuses of the
    scheme, and the work items (with their targets) the unit is listed on, directly, through a
    group or as a successor (the office: every work item).

    Returns ``{"account", "office", "unit": {"iri", "label"} | null, "statuses": [{"iri",
    "label"}], "items": [{"iri", "label", "number", "category", "role", "targets": [{"iri",
    "text", "year"}]}]}`` in plan order.
    """
    from fenjie.progress.plan import PlanIndex
    from fenjie.queries.units import resolve_unit, unit_routes

    plan = PlanIndex.load(backend)
    unit = None if office else resolve_unit(backend, account_unit or "")
    reaching = set(unit_routes(backend, unit["iri"])) if unit else set()
    items = sorted(plan.items.values(), key=lambda i: (i.table, i.category_order, i.order, i.iri))
    found = []
    for item in items:
        roles = [role for u, role in item.units.items() if u in reaching]
        if not office and not roles:
            continue
        found.append(
            {
                "iri": item.iri,
                "label": item.label,
                "number": item.number,
                "category": item.category,
                "role": min(roles, key=lambda r: Role(r).rank) if roles else None,
                "targets": [{"iri": t.iri, "text": t.text, "year": t.year} for t in item.targets],
            }
        )
    return {
        "account": account,
        "office": office,
        "unit": unit,
        "statuses": [{"iri": s.iri, "label": s.label} for s in Status],
        "items": found,
    }
