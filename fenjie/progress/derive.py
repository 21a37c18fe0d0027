"""Progress as of a date, derived from the reports and the plan (never stored).

For every target (and every work item without targets), as of ``as_of``:

- the reports that count are those dated on or before ``as_of`` about the target, or about its
  work item as a whole when the target's year is not after the report's year;
- ``latest_report`` is the newest of them (by date, then time made, then IRI); ``status`` is its
  status's Chinese label, 未标注 if it names none, 未报送 when there is no report;
- ``due`` is the end of the target's year (a work item without targets: its 完成时限 date);
- ``overdue``: due before ``as_of`` and not completed (已完成 / 基本完成);
- ``at_risk``: not completed, and due within ``risk_days`` after ``as_of`` or the latest report
  says 滞后.

Per unit (as any role, and as lead): targets, completed, late, overdue and the completion rate.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fenjie.errors import ParameterError
from fenjie.progress.plan import PlanIndex, Tracked
from fenjie.progress.status import NOT_REPORTED, UNMARKED, Status
from fenjie.queries._paging import check_page, page_info
from fenjie.queries.backend import QueryBackend, plain
from fenjie.queries.registry import get_stored
from fenjie.roles import Role
from fenjie.vocab import FJ

__all__ = [
    "RISK_DAYS",
    "Report",
    "api_requests",
    "load_reports",
    "page_texts",
    "progress",
    "progress_listing",
    "progress_page",
    "report_history",
    "target_states",
]

RISK_DAYS = 30


@dataclass(frozen=True)
class Report:
    iri: str
    about: str
    unit: str
    unit_label: str | None
    as_of: date
    generated: str
    status: Status | None
    status_written: str | None
    text: str
    percent: float | int | None
    problems: str | None
    next_steps: str | None
    file: str | None
    location: str | None
    account: str | None

    @property
    def key(self) -> tuple[date, str, str]:
        return (self.as_of, self.generated, self.iri)

    def to_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "about": self.about,
            "unit": {"iri": self.unit, "label": self.unit_label},
            "as_of": self.as_of.isoformat(),
            "generated": self.generated,
            "status": self.status.label if self.status else None,
            "status_written": self.status_written,
            "text": self.text,
            "percent": self.percent,
            "problems": self.problems,
            "next_steps": self.next_steps,
            "source": {"file": self.file, "location": self.location}
            if self.file
            else {"account": self.account},
        }


def load_reports(backend: QueryBackend) -> list[Report]:
    """Every report in the store (the whole history)."""
    found = []
    for row in backend.select(get_stored("progress-reports").text):
        status = plain(row.get("status"))
        found.append(
            Report(
                iri=plain(row["report"]),
                about=plain(row["about"]),
                unit=plain(row["unit"]),
                unit_label=plain(row.get("unitLabel")),
                as_of=date.fromisoformat(plain(row["asOf"])),
                generated=plain(row["generated"]),
                status=Status.from_iri(status) if status else None,
                status_written=plain(row.get("statusWritten")),
                text=plain(row["text"]),
                percent=plain(row.get("percent")),
                problems=plain(row.get("problems")),
                next_steps=plain(row.get("nextSteps")),
                file=plain(row.get("file")),
                location=plain(row.get("location")),
                account=plain(row.get("account")),
            )
        )
    return found


@dataclass(frozen=True)
class TargetState:
    node: Tracked
    reports: list[Report]  # counting as of the date, oldest first
    status: str
    completed: bool
    due: date | None
    overdue: bool
    at_risk: bool

    @property
    def latest(self) -> Report | None:
        return self.reports[-1] if self.reports else None

    @property
    def late(self) -> bool:
        latest = self.latest
        return latest is not None and latest.status is Status.LATE


def target_states(
    plan: PlanIndex, reports: list[Report], as_of: date, *, risk_days: int = RISK_DAYS
) -> list[TargetState]:
    """The derived state of every tracked node as of ``as_of``, in plan order."""
    by_node: dict[str, list[Report]] = defaultdict(list)
    for report in reports:
        if report.as_of > as_of:
            continue
        for node in plan.targets_of(report.about):
            if node.iri == report.about or node.year is None or node.year <= report.as_of.year:
                by_node[node.iri].append(report)
    states = []
    horizon = as_of + timedelta(days=risk_days)
    for node in plan.ordered():
        counting = sorted(by_node.get(node.iri, []), key=lambda r: r.key)
        latest = counting[-1] if counting else None
        if latest is None:
            label = NOT_REPORTED
        elif latest.status is None:
            label = UNMARKED
        else:
            label = latest.status.label
        completed = bool(latest and latest.status and latest.status.done)
        due = node.due
        overdue = due is not None and due < as_of and not completed
        at_risk = not completed and (
            (due is not None and as_of <= due <= horizon)
            or (latest is not None and latest.status is Status.LATE)
        )
        states.append(TargetState(node, counting, label, completed, due, overdue, at_risk))
    return states


def _rate(done: int, total: int) -> float | None:
    return round(done / total, 4) if total else None


def _counts(states: list[TargetState]) -> dict[str, Any]:
    done = sum(s.completed for s in states)
    return {
        "targets": len(states),
        "completed": done,
        "late": sum(s.late for s in states),
        "overdue": sum(s.overdue for s in states),
        "rate": _rate(done, len(states)),
    }


def progress(
    backend: QueryBackend,
    *,
    as_of: date | str | None = None,
    year: int | None = None,
    unit: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    depends: str | None = None,
    risk_days: int = RISK_DAYS,
    blocking: bool = True,
    offset: int = 0,
    limit: int | None = None,
) -> dict[str, Any]:
    """The progress answer (see docs/progress.md for its JSON shape). ``blocking=False`` leaves
    the blocking list out (``None``): on a large plan it is most of the answer (every overdue
    target's dependents with their paths: 2.8 GB of JSON for 25,239 overdue targets at 940k
    triples) and the page does not show it.

    With ``limit``, one page of the targets (:func:`progress_page`): the summary, units,
    categories and years still count every target the filters select; every target is ordered,
    filtered and counted without its text (:func:`progress_listing`), and only the page's targets
    have their texts read (:func:`page_texts`)."""
    check_page(offset, limit)
    filters: dict[str, Any] = {
        "as_of": as_of,
        "year": year,
        "unit": unit,
        "status": status,
        "overdue": overdue,
        "depends": depends,
        "risk_days": risk_days,
        "blocking": blocking,
    }
    if limit is None:
        return _whole_progress(backend, **filters, texts=True)
    listing = progress_listing(backend, **filters)
    return page_texts(backend, progress_page(listing, offset=offset, limit=limit))


def progress_listing(
    backend: QueryBackend,
    *,
    as_of: date | str | None = None,
    year: int | None = None,
    unit: str | None = None,
    status: str | None = None,
    overdue: bool = False,
    depends: str | None = None,
    risk_days: int = RISK_DAYS,
    blocking: bool = True,
) -> dict[str, Any]:
    """The whole answer of :func:`progress` for pages to be cut from (:func:`progress_page`):
    the targets without their texts and their work items without labels (``None`` in their
    place; :func:`page_texts` reads those of a page), read with ``progress-plan-order`` instead of
    ``progress-plan``. With the blocking list the texts are read (its paths carry them). A server
    computes it once per date and filters and keeps it."""
    return _whole_progress(
        backend,
        as_of=as_of,
        year=year,
        unit=unit,
        status=status,
        overdue=overdue,
        depends=depends,
        risk_days=risk_days,
        blocking=blocking,
        texts=blocking,
    )


def page_texts(backend: QueryBackend, page: dict[str, Any]) -> dict[str, Any]:
    """``page`` (of :func:`progress_page` over a :func:`progress_listing`) with the texts of its
    targets and the labels of their work items, read for them alone (``dependent-texts``, the
    nodes bound as one ``VALUES`` block); the reminders' too. ``page`` is not changed."""
    from pyoxigraph import NamedNode

    lists = [page["targets"], *([page["reminders"]["targets"]] if "reminders" in page else [])]
    wanted = [t for entries in lists for t in entries if t["text"] is None]
    if not wanted:
        return page
    nodes = dict.fromkeys(n for t in wanted for n in (t["iri"], t["work_item"]["iri"]))
    texts: dict[str, dict[str, Any]] = defaultdict(dict)
    bound = {"node": [NamedNode(n) for n in nodes]}
    for row in backend.select(get_stored("dependent-texts").text, bindings=bound):
        for key in ("text", "label"):
            if key in row:
                texts[plain(row["node"])].setdefault(key, plain(row[key]))

    def completed(entry: dict[str, Any]) -> dict[str, Any]:
        if entry["text"] is not None:
            return entry
        item = entry["work_item"]["iri"]
        label = texts[item].get("label")
        # a work item without targets is tracked itself: its text is its label
        text = label if entry["iri"] == item else texts[entry["iri"]].get("text")
        return {**entry, "text": text, "work_item": {"iri": item, "label": label}}

    out = {**page, "targets": [completed(t) for t in page["targets"]]}
    if "reminders" in page:
        reminders = page["reminders"]
        out["reminders"] = {**reminders, "targets": [completed(t) for t in reminders["targets"]]}
    return out


def progress_page(answer: dict[str, Any], *, offset: int = 0, limit: int) -> dict[str, Any]:
    """One page of a whole progress ``answer`` (of :func:`progress` without ``limit``): the
    targets from ``offset`` in plan order, at most ``limit`` of them, with ``total``, ``offset``,
    ``limit`` and ``next`` (``None`` on the last page); everything else is the whole answer's.
    Pages asked one after another with ``next`` are, concatenated, the whole answer's targets.

    With a ``unit`` filter the page also carries ``reminders`` (the 催办清单): how many of the
    selected targets are overdue or at risk (``total``), and the first ``limit`` of them by due
    date (``targets``; plan order among equal dates, those without a due date last). A server
    computes the whole answer once (:func:`progress_listing`), keeps it, and cuts each page from
    it without a query, then reads the texts of the page's targets (:func:`page_texts`).

    >>> whole = {"filters": {"unit": None}, "targets": [{"iri": "a"}, {"iri": "b"}, {"iri": "c"}]}
    >>> page = progress_page(whole, offset=2, limit=2)
    >>> page["targets"], page["total"], page["next"]
    ([{'iri': 'c'}], 3, None)
    """
    check_page(offset, limit)
    targets = answer["targets"]
    page = {k: targets[offset : offset + limit] if k == "targets" else v for k, v in answer.items()}
    page.update(page_info(offset, limit, len(targets)))
    if answer["filters"].get("unit") is not None:
        urgent = [t for t in targets if t["overdue"] or t["at_risk"]]
        urgent.sort(key=lambda t: (t["due"] is None, t["due"] or ""))
        page["reminders"] = {"total": len(urgent), "targets": urgent[:limit]}
    return page


def _whole_progress(
    backend: QueryBackend,
    *,
    as_of: date | str | None,
    year: int | None,
    unit: str | None,
    status: str | None,
    overdue: bool,
    depends: str | None,
    risk_days: int,
    blocking: bool,
    texts: bool,
) -> dict[str, Any]:
    from fenjie.queries.units import resolve_unit, unit_routes

    if isinstance(as_of, str):
        as_of = date.fromisoformat(as_of)
    as_of = as_of or date.today()
    wanted_status = _check_status(status)
    plan = PlanIndex.load(backend, texts=texts)
    states = target_states(plan, load_reports(backend), as_of, risk_days=risk_days)
    unit_entry = None
    reaching: dict[str, list[dict[str, Any]]] = {}
    if unit is not None:
        unit_entry = resolve_unit(backend, unit)
        reaching = unit_routes(backend, unit_entry["iri"])
    dependency: dict[str, dict[str, Any]] = {}
    document = None
    if depends is not None:
        from fenjie.queries.documents import dependents

        answer = dependents(backend, depends)
        document = answer["document"]
        dependency = {t["iri"]: t for t in answer["targets"]}
    labels = plan.unit_labels
    selected = []
    for state in states:
        node = state.node
        if year is not None and node.year != year:
            continue
        if unit_entry is not None and not set(reaching) & set(node.item.units):
            continue
        if wanted_status is not None and state.status != wanted_status:
            continue
        if overdue and not state.overdue:
            continue
        if depends is not None and node.iri not in dependency:
            continue
        selected.append(state)
    shared: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    targets = [_target_json(s, labels, dependency.get(s.node.iri), shared) for s in selected]
    return {
        "as_of": as_of.isoformat(),
        "filters": {
            "year": year,
            "unit": unit_entry,
            "status": wanted_status,
            "overdue": overdue,
            "depends": document,
            "risk_days": risk_days,
        },
        "summary": _counts(selected) | {"at_risk": sum(s.at_risk for s in selected)},
        "targets": targets,
        "units": _per_unit(selected, labels),
        "categories": _grouped(selected, lambda s: s.node.item.category or ""),
        "years": _grouped(selected, lambda s: str(s.node.year or "")),
        "blocking": _blocking(backend, plan, selected, states) if blocking else None,
    }


def _check_status(status: str | None) -> str | None:
    if status is None:
        return None
    if status in (NOT_REPORTED, UNMARKED):
        return status
    found = Status.from_label(status)
    if found is None:
        known = "、".join([*(s.label for s in Status), NOT_REPORTED, UNMARKED])
        raise ParameterError(
            f"未知状态 {status!r}（可用状态：{known}） (unknown status {status!r})",
            parameter="status",
        )
    return found.label


def _target_json(
    state: TargetState,
    labels: dict[str, str],
    dependency: dict[str, Any] | None,
    shared: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]],
) -> dict[str, Any]:
    """One target of the answer. The work item and its units are one object for all the targets
    of a work item (``shared``, by work item): a server keeps whole answers to cut pages from,
    and pickles them from its query process; read-only, they are the same JSON."""
    node = state.node
    if node.item.iri not in shared:
        units = sorted(
            node.item.units.items(), key=lambda p: (Role(p[1]).rank, labels.get(p[0], p[0]))
        )
        shared[node.item.iri] = (
            {"iri": node.item.iri, "label": node.item.label},
            [{"iri": u, "label": labels.get(u), "role": r} for u, r in units],
        )
    work_item, unit_list = shared[node.item.iri]
    entry: dict[str, Any] = {
        "iri": node.iri,
        "text": node.text,
        "year": node.year,
        "work_item": work_item,
        "category": node.item.category,
        "units": unit_list,
        "status": state.status,
        "due": state.due.isoformat() if state.due else None,
        "overdue": state.overdue,
        "at_risk": state.at_risk,
        "latest_report": state.latest.to_dict() if state.latest else None,
        "reports": len(state.reports),
    }
    if dependency is not None:
        entry["depends"] = {"kind": dependency["kind"], "path": dependency["path"]}
    return entry


def _per_unit(states: list[TargetState], labels: dict[str, str]) -> list[dict[str, Any]]:
    any_role: dict[str, list[TargetState]] = defaultdict(list)
    lead: dict[str, list[TargetState]] = defaultdict(list)
    for state in states:
        for unit, role in state.node.item.units.items():
            any_role[unit].append(state)
            if role == "lead":
                lead[unit].append(state)
    rows = []
    for unit, mine in any_role.items():
        rows.append(
            {"unit": {"iri": unit, "label": labels.get(unit)}}
            | _counts(mine)
            | {"lead": _counts(lead.get(unit, []))}
        )
    # the units most behind first: most overdue, then the lowest completion rate
    rows.sort(key=lambda r: (-r["overdue"], r["rate"] or 0.0, r["unit"]["label"] or ""))
    return rows


def _grouped(states: list[TargetState], key: Any) -> list[dict[str, Any]]:
    groups: dict[str, list[TargetState]] = defaultdict(list)
    for state in states:
        groups[key(state)].append(state)
    return [{"name": name} | _counts(group) for name, group in groups.items()]


def _path_node(iri: str, label: Any, kind: str) -> dict[str, Any]:
    return {"iri": iri, "label": label, "type": kind}


def _edge(name: str, *, inverse: bool = False) -> dict[str, Any]:
    return {"edge": f"fj:{name}", "iri": FJ[name].value, "inverse": inverse}


def _blocking(
    backend: QueryBackend,
    plan: PlanIndex,
    selected: list[TargetState],
    states: list[TargetState],
) -> list[dict[str, Any]]:
    """Overdue targets other targets depend on: later targets of the same work item
    (``fj:precedes``) and targets depending on a document the overdue one issues, with paths."""
    from fenjie.queries.documents import dependents_of_produced

    overdue = [s for s in selected if s.overdue and not s.node.is_item]
    if not overdue:
        return []
    # every issued document's dependents in one go: a query per document took most of a minute
    depending = {iri: answer["targets"] for iri, answer in dependents_of_produced(backend).items()}
    produced: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in backend.select(get_stored("progress-produces").text):
        produced[plain(row["target"])].append(
            {"iri": plain(row["document"]), "title": plain(row.get("title"))}
        )
    out: list[dict[str, Any]] = []
    for state in overdue:
        node = state.node
        me = _path_node(node.iri, node.text, "Target")
        found: dict[str, dict[str, Any]] = {}
        by_year: dict[int, list[Tracked]] = defaultdict(list)
        for t in node.item.targets:
            by_year[t.year or 0].append(t)
        for t in node.item.targets:
            if (t.year or 0) <= (node.year or 0):
                continue
            path: list[dict[str, Any]] = [me]
            for y in sorted(by_year):
                if (node.year or 0) < y < (t.year or 0):  # through one target of each year between
                    step = by_year[y][0]
                    path += [_edge("precedes"), _path_node(step.iri, step.text, "Target")]
            path += [_edge("precedes"), _path_node(t.iri, t.text, "Target")]
            found.setdefault(t.iri, {"iri": t.iri, "text": t.text, "year": t.year, "path": path})
        for doc in produced.get(node.iri, []):
            for dep in depending.get(doc["iri"], []):
                if dep["iri"] == node.iri or dep["iri"] in found:
                    continue
                # the dependent's path runs target → … → document; walk it back from the document
                back = [
                    {**step, "inverse": not step["inverse"]} if "edge" in step else step
                    for step in reversed(dep["path"][:-1])
                ]
                doc_node = _path_node(doc["iri"], doc["title"], "PolicyDocument")
                path = [me, _edge("produces"), doc_node, *back]
                found[dep["iri"]] = {
                    "iri": dep["iri"],
                    "text": dep["text"],
                    "year": dep["year"],
                    "path": path,
                }
        if found:
            out.append(
                {
                    "target": {"iri": node.iri, "text": node.text, "year": node.year},
                    "status": state.status,
                    "dependents": sorted(found.values(), key=lambda d: (d["year"] or 0, d["iri"])),
                }
            )
    out.sort(key=lambda b: -len(b["dependents"]))
    return out


def report_history(backend: QueryBackend, about: str) -> dict[str, Any]:
    """Every report that speaks for ``about`` (a target: its own and its work item's), newest
    first; superseded ones included."""
    plan = PlanIndex.load(backend)
    node = plan.tracked.get(about)
    item = plan.items.get(about)
    if node is None and item is None:
        from fenjie.errors import NotFoundError

        raise NotFoundError(
            f"图中没有目标或工作内容 <{about}> (no target or work item <{about}> in the graph)",
            about=about,
        )
    wanted = {about}
    if node is not None and not node.is_item:
        wanted.add(node.item.iri)
    found = [r for r in load_reports(backend) if r.about in wanted]
    if node is not None and node.year is not None:
        found = [r for r in found if r.about == about or node.year <= r.as_of.year]
    found.sort(key=lambda r: r.key, reverse=True)
    return {"about": about, "reports": [r.to_dict() for r in found]}


def api_requests(backend: QueryBackend) -> list[dict[str, Any]]:
    """Reports that came through the API: ``{"report", "about", "account", "key", "received"}``."""
    return [
        {k: plain(v) for k, v in row.items()}
        for row in backend.select(get_stored("progress-requests").text)
    ]
