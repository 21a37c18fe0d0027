"""Compare two editions of a plan: what changed for work items, units, targets and documents.

Programmes are re-issued (2017—2019, then 2020—2022) and revised mid-term; a work item keeps its
meaning while its number, wording, category and units change. :func:`diff_editions` matches the
work items of two source tables by content and reports

- work items added, dropped, and changed (re-worded, moved to another category, targets of a year
  both editions cover re-written, units changed, baseline changed); a renumbered but otherwise
  equal work item is unchanged;
- per unit, the duties gained, lost and changed in role (lead ↔ co-responsible ↔ supporting),
  after following the 2018 reform's renamings (省工商局 → 省市场监督管理局 is one unit renamed, not
  one lost and one gained), each renaming listed;
- quantitative targets raised or lowered: the same indicator in a year both editions cover, compared
  through the normalized values (else each edition's last year);
- documents newly cited or no longer cited.

**Matching.** Every pair of work items gets a score from 0 to 100: 60 % the similarity of their
names, 30 % that of their content (baseline and targets), 10 % for the same category (rapidfuzz's
normalized Indel similarity, which suits Chinese text: no word boundaries needed). The pairs are
chosen one to one with the highest total score (the assignment problem, scipy's
``linear_sum_assignment``); a chosen pair scoring below ``threshold`` is no match, and its items
count as dropped and added. Every match is reported with its score.

>>> from fenjie.queries.editions import similarity
>>> similarity("营造创新创业环境", "营造创新创业环境")
100.0
>>> round(similarity("营造创新创业环境", "优化创新创业生态环境"))
67
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from fenjie.errors import NotFoundError, ParameterError
from fenjie.queries.backend import QueryBackend, plain_rows
from fenjie.queries.questions import run_stored

__all__ = ["DEFAULT_THRESHOLD", "diff_editions", "list_tables", "resolve_table", "similarity"]

DEFAULT_THRESHOLD = 60.0
"""Lowest score (0–100) at which two work items count as the same item in two editions."""

_WEIGHTS = {"label": 0.6, "content": 0.3, "category": 0.1}


def similarity(a: str, b: str) -> float:
    """Similarity of two texts, 0–100 (rapidfuzz's normalized Indel similarity)."""
    from rapidfuzz import fuzz

    return float(fuzz.ratio(a, b))


@dataclass
class _Item:
    iri: str
    label: str = ""
    number: str | None = None
    category: str | None = None
    order: int = 0
    targets: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    baseline: set[str] = field(default_factory=set)
    roles: dict[str, str] = field(default_factory=dict)

    def ref(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "number": self.number,
            "category": self.category,
        }

    def content(self) -> str:
        texts = sorted(self.baseline) + [
            t for y in sorted(self.targets) for t in sorted(self.targets[y])
        ]
        return "；".join(texts)


@dataclass
class _Edition:
    table: dict[str, Any]
    items: dict[str, _Item] = field(default_factory=dict)
    unit_labels: dict[str, str] = field(default_factory=dict)
    documents: dict[str, str | None] = field(default_factory=dict)
    observations: dict[tuple[str, int], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    indicator_labels: dict[str, str] = field(default_factory=dict)

    @property
    def years(self) -> set[int]:
        return {year for item in self.items.values() for year in item.targets}


# -- reading ------------------------------------------------------------------------------------


def list_tables(backend: QueryBackend) -> list[dict[str, Any]]:
    """The source tables in the store: ``{"iri", "title", "file", "reader", "work_items"}``."""
    rows = plain_rows(run_stored(backend, "tables", {}))
    return [
        {
            "iri": r["table"],
            "title": r.get("title"),
            "file": r.get("file"),
            "reader": r.get("reader"),
            "work_items": r.get("workItems", 0),
        }
        for r in rows
    ]


def resolve_table(backend: QueryBackend, name: str) -> dict[str, Any]:
    """The one table ``name`` denotes: its IRI, the last part of its IRI (the slug), its file
    name (with or without the ending), or a part of the slug, file name or title. Raises :class:`NotFoundError`
    (with the tables as suggestions) when none or several match."""
    tables = list_tables(backend)
    text = name.strip()

    def keys(t: dict[str, Any]) -> list[str]:
        file = t.get("file") or ""
        return [t["iri"], t["iri"].rstrip("/").rsplit("/", 1)[-1], file, file.rsplit(".", 1)[0]]

    exact = [t for t in tables if text in keys(t)]
    if len(exact) == 1:
        return exact[0]
    partial = [
        t for t in tables if text and any(text in k for k in [*keys(t)[1:], t.get("title") or ""])
    ]
    if len(exact) + len(partial) == 1:
        return (exact + partial)[0]
    candidates = exact or partial
    names = [t.get("title") or t["iri"] for t in (candidates or tables)]
    what = "对应多张表 (several tables match)" if candidates else "没有对应的表 (no table matches)"
    raise NotFoundError(f"{name!r} {what}", name=name, suggestions=names[:10])


def _read(backend: QueryBackend, table: dict[str, Any]) -> _Edition:
    edition = _Edition(table={"iri": table["iri"], "title": table.get("title")})
    items = edition.items
    for row in plain_rows(run_stored(backend, "edition", {"table": table["iri"]})):
        item = items.setdefault(row["item"], _Item(row["item"]))
        kind = row["kind"]
        if kind == "item":
            item.label = row.get("label") or ""
            number = row.get("number")
            item.number = None if number is None else str(number)
            item.category = row.get("category")
            item.order = int(row.get("order") or 0)
        elif kind == "target":
            item.targets[int(row["year"])].add(row["text"])
        elif kind == "baseline":
            item.baseline.add(row["text"])
        elif kind == "assignment":
            unit = row["unit"]
            edition.unit_labels[unit] = row.get("unitLabel") or unit
            item.roles[unit] = row["role"]
        elif kind == "document":
            edition.documents[row["document"]] = row.get("title")
        elif kind == "observation":
            edition.indicator_labels[row["indicator"]] = row.get("indicatorLabel") or ""
            edition.observations[(row["indicator"], int(row["year"]))].append(row)
    return edition


# -- matching -----------------------------------------------------------------------------------


def _score(old: _Item, new: _Item) -> float:
    label = similarity(old.label, new.label)
    content = similarity(old.content(), new.content()) if old.content() or new.content() else 100
    category = 100.0 if (old.category or "") == (new.category or "") else 0.0
    weights = _WEIGHTS
    return weights["label"] * label + weights["content"] * content + weights["category"] * category


def _match(old: _Edition, new: _Edition, threshold: float) -> list[tuple[_Item, _Item, float]]:
    """One-to-one pairs with the highest total score, each at least ``threshold``."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    olds = sorted(old.items.values(), key=lambda i: i.order)
    news = sorted(new.items.values(), key=lambda i: i.order)
    if not olds or not news:
        return []
    scores = np.array([[_score(o, n) for n in news] for o in olds])
    rows, cols = linear_sum_assignment(scores, maximize=True)
    pairs = [
        (olds[r], news[c], round(float(scores[r, c]), 1)) for r, c in zip(rows, cols, strict=True)
    ]
    return [p for p in pairs if p[2] >= threshold]


def _successors(backend: QueryBackend) -> dict[str, set[str]]:
    following: dict[str, set[str]] = defaultdict(set)
    for row in plain_rows(run_stored(backend, "unit-successions", {})):
        following[row["from"]].add(row["to"])
    return following


def _renaming(old: _Edition, new: _Edition, following: dict[str, set[str]]) -> dict[str, str]:
    """Old unit → the unit of the new edition it became (through change events), where the old
    unit no longer appears and exactly one of its successors does."""
    present = set(new.unit_labels)
    renamed = {}
    for unit in old.unit_labels:
        if unit in present:
            continue
        # follow the change events forward until units of the new edition are met
        seen, frontier, found = {unit}, [unit], set()
        while frontier:
            step = []
            for u in frontier:
                for v in following.get(u, ()):
                    if v in seen:
                        continue
                    seen.add(v)
                    if v in present:
                        found.add(v)
                    else:
                        step.append(v)
            frontier = step
        if len(found) == 1:
            renamed[unit] = found.pop()
    return renamed


# -- comparing ----------------------------------------------------------------------------------


def _role_map(item: _Item, renamed: dict[str, str]) -> dict[str, str]:
    return {renamed.get(unit, unit): role for unit, role in item.roles.items()}


def _item_changes(
    old: _Item, new: _Item, shared_years: set[int], renamed: dict[str, str], labels: dict[str, str]
) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    if old.label != new.label:
        changes.append({"kind": "reworded", "old": old.label, "new": new.label})
    if (old.category or "") != (new.category or ""):
        changes.append({"kind": "moved", "old": old.category, "new": new.category})
    for year in sorted(shared_years):
        before, after = old.targets.get(year, set()), new.targets.get(year, set())
        if before != after:  # the targets of the year that differ: as they were, as they are
            changes.append(
                {
                    "kind": "targets",
                    "year": year,
                    "old": sorted(before - after),
                    "new": sorted(after - before),
                }
            )
    if old.baseline != new.baseline:
        changes.append(
            {
                "kind": "baseline",
                "old": sorted(old.baseline - new.baseline),
                "new": sorted(new.baseline - old.baseline),
            }
        )
    before_roles, after_roles = _role_map(old, renamed), new.roles
    if before_roles != after_roles:
        units = sorted(set(before_roles) | set(after_roles), key=lambda u: labels.get(u, u))
        changes.append(
            {
                "kind": "units",
                "units": [
                    {
                        "unit": {"iri": u, "label": labels.get(u, u)},
                        "old_role": before_roles.get(u),
                        "new_role": after_roles.get(u),
                    }
                    for u in units
                    if before_roles.get(u) != after_roles.get(u)
                ],
            }
        )
    return changes


def _number(row: dict[str, Any]) -> float | None:
    value = row.get("normalizedValue", row.get("value"))
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _indicators(old: _Edition, new: _Edition) -> list[dict[str, Any]]:
    out = []
    shared = old.years & new.years
    indicators = {i for i, _ in old.observations} & {i for i, _ in new.observations}
    for indicator in sorted(indicators, key=lambda i: new.indicator_labels.get(i, i)):
        old_years = sorted(y for i, y in old.observations if i == indicator)
        new_years = sorted(y for i, y in new.observations if i == indicator)
        common = sorted(set(old_years) & set(new_years) & shared)
        pairs = [(y, y) for y in common] or [(old_years[-1], new_years[-1])]
        for old_year, new_year in pairs:
            before = old.observations[(indicator, old_year)]
            after = new.observations[(indicator, new_year)]
            if len(before) != 1 or len(after) != 1:
                continue  # several values for one year: no single comparison to make
            a, b = _number(before[0]), _number(after[0])
            if a is None or b is None or a == b:
                continue
            entry = {
                "indicator": {"iri": indicator, "label": new.indicator_labels.get(indicator)},
                "year": new_year,
                "old": before[0].get("value"),
                "new": after[0].get("value"),
                "unit": after[0].get("unitText"),
                "change": "raised" if b > a else "lowered",
            }
            if old_year != new_year:
                entry["old_year"] = old_year
            out.append(entry)
    return out


def diff_editions(
    backend: QueryBackend, old: str, new: str, *, threshold: float = DEFAULT_THRESHOLD
) -> dict[str, Any]:
    """What changed from the plan ``old`` to the plan ``new`` (tables by name, file or IRI).

    JSON: ``{"old", "new", "threshold", "work_items": {"added", "dropped", "changed",
    "unchanged", "matches"}, "units": [{"unit", "gained", "lost", "role_changed",
    "renamed_from"}], "indicators": [{"indicator", "year", "old", "new", "unit", "change"}],
    "documents": {"added", "dropped"}}``.
    """
    if not 0 <= threshold <= 100:
        raise ParameterError(
            f"threshold 应在 0 到 100 之间，实为 {threshold} (threshold must be from 0 to 100)",
            parameter="threshold",
        )
    before = _read(backend, resolve_table(backend, old))
    after = _read(backend, resolve_table(backend, new))
    pairs = _match(before, after, threshold)
    renamed = _renaming(before, after, _successors(backend))
    labels = {**before.unit_labels, **after.unit_labels}
    shared_years = before.years & after.years

    matched_old = {o.iri for o, _, _ in pairs}
    matched_new = {n.iri for _, n, _ in pairs}
    changed, matches, unchanged = [], [], 0
    for o, n, score in sorted(pairs, key=lambda p: p[1].order):
        changes = _item_changes(o, n, shared_years, renamed, labels)
        matches.append({"old": o.ref(), "new": n.ref(), "score": score, "changed": bool(changes)})
        if changes:
            changed.append({"old": o.ref(), "new": n.ref(), "score": score, "changes": changes})
        else:
            unchanged += 1
    added = [
        i.ref()
        for i in sorted(after.items.values(), key=lambda i: i.order)
        if i.iri not in matched_new
    ]
    dropped = [
        i.ref()
        for i in sorted(before.items.values(), key=lambda i: i.order)
        if i.iri not in matched_old
    ]

    # duties per unit: (unit, work item of the new edition or the dropped old one) → role
    counterpart = {o.iri: n for o, n, _ in pairs}
    units: dict[str, dict[str, list[Any]]] = defaultdict(
        lambda: {"gained": [], "lost": [], "role_changed": [], "renamed_from": []}
    )
    for o in before.items.values():
        successor = counterpart.get(o.iri)
        for unit, role in _role_map(o, renamed).items():
            new_role = successor.roles.get(unit) if successor else None
            if successor is None or new_role is None:
                units[unit]["lost"].append({"work_item": _ref(o), "role": role})
            elif new_role != role:
                units[unit]["role_changed"].append(
                    {"work_item": _ref(successor), "old_role": role, "new_role": new_role}
                )
    reverse = {n.iri: o for o, n, _ in pairs}
    for n in after.items.values():
        predecessor = reverse.get(n.iri)
        had = _role_map(predecessor, renamed) if predecessor else {}
        for unit, role in n.roles.items():
            if unit not in had:
                units[unit]["gained"].append({"work_item": _ref(n), "role": role})
    for old_unit, new_unit in renamed.items():
        units[new_unit]["renamed_from"].append({"iri": old_unit, "label": labels.get(old_unit)})
    unit_list = [
        {"unit": {"iri": u, "label": labels.get(u, u)}, **entry}
        for u, entry in sorted(units.items(), key=lambda kv: labels.get(kv[0], kv[0]))
    ]
    documents = {
        "added": _documents(after, before),
        "dropped": _documents(before, after),
    }
    return {
        "old": before.table,
        "new": after.table,
        "threshold": threshold,
        "work_items": {
            "added": added,
            "dropped": dropped,
            "changed": changed,
            "unchanged": unchanged,
            "matches": matches,
        },
        "units": unit_list,
        "indicators": _indicators(before, after),
        "documents": documents,
    }


def _ref(item: _Item) -> dict[str, Any]:
    return {"iri": item.iri, "label": item.label}


def _documents(one: _Edition, other: _Edition) -> list[dict[str, Any]]:
    return [
        {"iri": d, "title": title}
        for d, title in sorted(one.documents.items(), key=lambda kv: kv[1] or kv[0])
        if d not in other.documents
    ]
