"""Two of the three questions: a unit's obligations, and the coordination load of all units.

(The third, which targets depend on a document, is in :mod:`fenjie.queries.documents`.)

>>> from fenjie.graph import FenjieStore, build_sources
>>> from fenjie.config import bundled_example
>>> from fenjie.queries import LocalBackend
>>> store = FenjieStore.in_memory()
>>> _ = build_sources([bundled_example()], store=store)
>>> answer = obligations(LocalBackend(store), "省科技厅")
>>> answer["counts"]
{'lead': 8, 'responsible': 1, 'supporting': 4}
>>> coordination_load(LocalBackend(store))["units"][0]["unit"]["label"]
'湖南省科学技术厅'
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from itertools import combinations
from typing import Any

from fenjie.errors import ParameterError
from fenjie.queries._paging import check_page, page_info
from fenjie.queries.backend import QueryBackend, plain
from fenjie.queries.registry import get_stored, year_term
from fenjie.queries.revisions import EDITION_STATUSES, edition_items
from fenjie.queries.units import resolve_unit, unit_routes
from fenjie.roles import Role

__all__ = [
    "ROLES",
    "coordination_from",
    "coordination_load",
    "obligation_listing",
    "obligations",
    "obligations_page",
    "run_stored",
    "stored_table",
]

#: the role values answers use (see :class:`fenjie.roles.Role`)
ROLES = tuple(r.value for r in Role)


def _check(year: int | None, role: str | None) -> str | None:
    """Check ``year``; the role's value for any accepted spelling of ``role``."""
    if year is not None and not (isinstance(year, int) and 0 < year < 10000):
        raise ParameterError(f"不是年份 (not a year)：{year!r}", parameter="year")
    return None if role is None else Role.parse(role).value


def obligations(
    backend: QueryBackend,
    unit: str,
    *,
    year: int | None = None,
    role: str | None = None,
    edition: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> dict[str, Any]:
    """What ``unit`` (any label or IRI) must do: one entry per work item and role.

    Obligations reaching the unit through a group it belongs to or a predecessor agency say how
    in ``via`` (see :func:`~fenjie.queries.units.unit_routes`); direct ones have ``via: []``.
    With ``year``, only work items with targets in that year, and only those targets.

    Returns ``{"unit": {"iri", "label"}, "year", "role", "edition", "counts": {role: n},
    "edition_counts": {status: n}, "obligations": [{"work_item": {"iri", "label"}, "category",
    "role", "via": [...], "targets": [{"year", "text", "iri"}], "source": {"iri", "title"},
    "parties": {role: [{"iri", "label"}]}, "baseline": [text], "deadline": text | None,
    "edition": {...} | None}]}``. ``parties`` names the other units of the work item by role (the
    lead among them for a supporting unit). ``edition`` says, for a work item of a table recorded
    as the revision of an earlier one (``fenjie diff --record``), whether it is ``new``,
    ``changed`` or ``unchanged`` (see :func:`~fenjie.queries.revisions.edition_items`); with the
    ``edition`` argument, only those work items.

    With ``limit``, one page: the obligations from ``offset`` (in the same order), at most
    ``limit`` of them, and ``"total"``, ``"offset"``, ``"limit"`` and ``"next"`` (the offset of
    the next page, ``None`` on the last); ``counts`` and ``edition_counts`` still count the whole
    answer. Only the page's work items have their targets and details read (without ``year``:
    the list of work items first, then their targets), so a page of a unit with thousands of work
    items costs about what a small unit costs; the pages, one after another, are the whole answer.
    """
    check_page(offset, limit)
    listing = obligation_listing(
        backend, unit, year=year, role=role, edition=edition, whole=limit is None
    )
    return obligations_page(backend, listing, offset=offset, limit=limit)


def obligation_listing(
    backend: QueryBackend,
    unit: str,
    *,
    year: int | None = None,
    role: str | None = None,
    edition: str | None = None,
    whole: bool = False,
) -> dict[str, Any]:
    """The obligations of :func:`obligations` in order, counted, without their details: the part
    of a page that reads every work item of the unit, kept apart so that a server reads it once
    for all the pages of a unit (:func:`obligations_page`). Without ``year`` the targets are left
    for the page, unless ``whole`` (the whole answer reads them with the list, in one query)."""
    from pyoxigraph import NamedNode

    role = _check(year, role)
    if edition is not None and edition not in EDITION_STATUSES:
        raise ParameterError(
            f"edition 应为 {'、'.join(EDITION_STATUSES)} 之一，实为 {edition!r} (edition must be one of these)",
            parameter="edition",
        )
    who = resolve_unit(backend, unit)
    bindings: dict[str, Any] = {"unit": NamedNode(who["iri"])}
    if year is not None:
        bindings["year"] = year_term(year)
    # a page without a year reads the work items alone first; with a year, which work items
    # count depends on their targets, so they come with the list
    targets_later = not whole and year is None
    query = "obligation-items" if targets_later else "obligations"
    rows = backend.select(get_stored(query).text, bindings=bindings)
    routes = unit_routes(backend, who["iri"])
    entries = _obligation_entries(rows, role, routes)
    ordered = sorted(entries.values(), key=lambda e: e["_order"])
    if year is not None:
        ordered = [e for e in ordered if e["targets"]]
    # new, changed or unchanged against the previous edition, from the recorded matches
    editions = edition_items(backend, [e["source"]["iri"] for e in ordered])
    for entry in ordered:
        entry["edition"] = editions.get(entry["work_item"]["iri"])
    if edition is not None:
        ordered = [e for e in ordered if e["edition"] and e["edition"]["status"] == edition]
    counts = Counter(e["role"] for e in ordered)
    statuses = Counter(e["edition"]["status"] for e in ordered if e["edition"])
    return {
        "unit": who,
        "year": year,
        "role": role,
        "edition": edition,
        "counts": {r: counts.get(r, 0) for r in ROLES},
        "edition_counts": {s: statuses.get(s, 0) for s in EDITION_STATUSES},
        "entries": ordered,
        "routes": routes,
        "targets_later": targets_later,
    }


def obligations_page(
    backend: QueryBackend, listing: dict[str, Any], *, offset: int = 0, limit: int | None = None
) -> dict[str, Any]:
    """:func:`obligations` from the ``listing`` of :func:`obligation_listing`: the page's work
    items get their targets (if the listing left them) and details; ``listing`` is not changed."""
    from copy import deepcopy

    from pyoxigraph import NamedNode

    check_page(offset, limit)
    ordered = listing["entries"]
    shown = deepcopy(ordered if limit is None else ordered[offset : offset + limit])
    items = [NamedNode(i) for i in dict.fromkeys(e["work_item"]["iri"] for e in shown)]
    if listing["targets_later"] and items:
        _add_targets(backend, items, shown)
    if shown:
        unit = NamedNode(listing["unit"]["iri"])
        _add_details(backend, unit, shown, listing["routes"], items if limit is not None else None)
    result = []
    for entry in shown:
        targets = sorted(entry.pop("targets").values(), key=lambda t: t["_order"])
        entry.pop("_order")
        entry["targets"] = [{k: v for k, v in t.items() if k != "_order"} for t in targets]
        result.append(_in_order(entry))
    answer = {
        k: listing[k] for k in ("unit", "year", "role", "edition", "counts", "edition_counts")
    }
    answer["obligations"] = result
    if limit is not None:
        answer.update(page_info(offset, limit, len(ordered)))
    return answer


#: the keys of an obligation in the order answers give them
_OBLIGATION_KEYS = (
    "work_item",
    "category",
    "role",
    "via",
    "source",
    "parties",
    "baseline",
    "deadline",
    "targets",
    "edition",
)


def _in_order(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: entry[key] for key in _OBLIGATION_KEYS}


def _obligation_entries(
    rows: list[dict[str, Any]], role: str | None, routes: dict[str, list[dict[str, Any]]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """One entry per work item and role from the rows of ``obligations`` (or ``obligation-items``:
    the same without targets), keeping the shortest route by which it reaches the unit."""
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        item, item_role = plain(row["item"]), plain(row["role"])
        if role is not None and item_role != role:
            continue
        source = plain(row["source"])
        via = routes.get(source, [])
        entry = entries.get((item, item_role))
        if entry is None:
            entry = entries[(item, item_role)] = {
                "work_item": {"iri": item, "label": plain(row["itemLabel"])},
                "category": plain(row.get("category")),
                "role": item_role,
                "via": via,
                "targets": {},
                "source": {"iri": plain(row["table"]), "title": plain(row.get("tableTitle"))},
                "_order": (plain(row["table"]), plain(row["itemOrder"]), ROLES.index(item_role)),
            }
        elif (len(via), str(via)) < (len(entry["via"]), str(entry["via"])):
            entry["via"] = via
        if "target" in row:
            _add_target(entry, row)
    return entries


def _add_target(entry: dict[str, Any], row: dict[str, Any]) -> None:
    target = plain(row["target"])
    entry["targets"][target] = {
        "year": plain(row["year"]),
        "text": plain(row["text"]),
        "iri": target,
        "_order": (plain(row["year"]), plain(row.get("targetOrder")), target),
    }


def _add_targets(backend: QueryBackend, items: list[Any], entries: list[dict[str, Any]]) -> None:
    """Give ``entries`` the targets of their work items (``items``, bound as one VALUES block)."""
    rows = backend.select(get_stored("obligation-targets").text, bindings={"item": items})
    by_item: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_item[plain(row["item"])].append(row)
    for entry in entries:
        for row in by_item[entry["work_item"]["iri"]]:
            _add_target(entry, row)


def _add_details(
    backend: QueryBackend,
    unit: Any,
    entries: list[dict[str, Any]],
    routes: dict[str, list[dict[str, Any]]],
    items: list[Any] | None,
) -> None:
    """Give each obligation the other units of its work item, its baseline and its deadline.

    ``parties`` lists every unit of the work item by role, except the unit itself and the groups
    or predecessors through which the obligation reaches it (a card names who else is involved).
    ``items``: the work items to read them for (a page), else all of the unit's.
    """
    bindings = {"unit": unit} if items is None else {"unit": unit, "item": items}
    rows = backend.select(get_stored("obligation-details").text, bindings=bindings)
    parties: dict[str, dict[tuple[str, str], dict[str, Any]]] = defaultdict(dict)
    baselines: dict[str, dict[str, Any]] = defaultdict(dict)
    deadlines: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        item = plain(row["item"])
        if "party" in row:
            party = plain(row["party"])
            key = (plain(row["partyRole"]), party)
            order = plain(row.get("partyOrder"))
            known = parties[item].get(key)
            if known is None or (order is not None and (known["_order"] or 0) > order):
                parties[item][key] = {
                    "iri": party,
                    "label": plain(row.get("partyLabel")) or party,
                    "_order": order,
                }
        if "baseline" in row:
            # a text written twice in the cell is shown once, at its first place: the answer
            # must not depend on the order the store returns rows in
            text, order = plain(row["baseline"]), plain(row["baselineOrder"])
            baselines[item][text] = min(order, baselines[item].get(text, order))
        if "deadline" in row:
            deadlines[item].add(plain(row["deadline"]))
    own = set(routes)  # the unit and every group or predecessor carrying its obligations
    for entry in entries:
        item = entry["work_item"]["iri"]
        by_role: dict[str, list[dict[str, Any]]] = {r: [] for r in ROLES}
        found = sorted(parties[item].items(), key=lambda kv: (kv[1]["_order"] or 0, kv[1]["label"]))
        for (party_role, party), info in found:
            if party not in own:
                by_role[party_role].append({"iri": info["iri"], "label": info["label"]})
        entry["parties"] = by_role
        entry["baseline"] = sorted(baselines[item], key=lambda text: (baselines[item][text], text))
        entry["deadline"] = "；".join(sorted(deadlines[item])) or None


def coordination_load(
    backend: QueryBackend, *, year: int | None = None, pairs: int | None = 20
) -> dict[str, Any]:
    """Per unit: work items by role, targets per year, partners and centrality; busiest first.

    The coordination network joins two units that share a work item (any role), weighted by how
    many they share. ``degree`` is networkx's degree centrality, ``weighted_degree`` the sum of
    the weights, ``betweenness`` the betweenness centrality with distance ``1 / shared``. With
    ``year``, only work items that have targets in that year count. ``pairs`` limits the list of
    pairs (``None``: all).

    Returns ``{"year", "units": [{"unit": {"iri", "label"}, "lead", "responsible", "supporting",
    "work_items", "targets": {year: n}, "partners", "degree", "weighted_degree",
    "betweenness"}], "pairs": [{"a": {...}, "b": {...}, "shared"}]}``.
    """
    _check(year, None)
    per_item: dict[str, Counter[int]] = defaultdict(Counter)
    for row in backend.select(get_stored("targets-per-item").text):
        per_item[plain(row["item"])][plain(row["year"])] += plain(row["targets"])
    assignments = [
        (plain(row["unit"]), plain(row["item"]), plain(row["role"]), plain(row.get("unitLabel")))
        for row in backend.select(get_stored("assignments").text)
    ]
    return coordination_from(assignments, per_item, year=year, pairs=pairs)


def coordination_from(
    assignments: Iterable[tuple[str, str, str, str | None]],
    per_item: Mapping[str, Counter[int]],
    *,
    year: int | None = None,
    pairs: int | None = 20,
) -> dict[str, Any]:
    """:func:`coordination_load` from rows already read: ``(unit, item, role, unit label)`` per
    assignment and the targets per item and year (the views have both, and so ask nothing)."""
    import networkx as nx

    labels: dict[str, str] = {}
    roles: dict[str, dict[str, set[str]]] = defaultdict(lambda: {r: set() for r in ROLES})
    members: dict[str, set[str]] = defaultdict(set)
    for unit, item, role, label in assignments:
        if year is not None and not per_item.get(item, Counter()).get(year):
            continue
        labels[unit] = label or unit
        roles[unit][role].add(item)
        members[item].add(unit)
    network: nx.Graph[str] = nx.Graph()
    network.add_nodes_from(roles)
    for together in members.values():
        for a, b in combinations(sorted(together), 2):
            if network.has_edge(a, b):
                network[a][b]["shared"] += 1
            else:
                network.add_edge(a, b, shared=1)
    for _, _, data in network.edges(data=True):
        data["distance"] = 1.0 / data["shared"]
    degree = nx.degree_centrality(network) if len(network) > 1 else dict.fromkeys(network, 0.0)
    betweenness = nx.betweenness_centrality(network, weight="distance")
    units: list[dict[str, Any]] = []
    for unit, by_role in roles.items():
        items = set().union(*by_role.values())
        targets: Counter[int] = Counter()
        for item in items:
            for y, n in per_item.get(item, Counter()).items():
                if year is None or y == year:
                    targets[y] += n
        units.append(
            {
                "unit": {"iri": unit, "label": labels[unit]},
                **{r: len(by_role[r]) for r in ROLES},
                "work_items": len(items),
                "targets": {str(y): targets[y] for y in sorted(targets)},
                "partners": network.degree(unit),
                "degree": round(degree[unit], 6),
                "weighted_degree": network.degree(unit, weight="shared"),
                "betweenness": round(betweenness[unit], 6),
            }
        )
    units.sort(
        key=lambda u: (
            -u["work_items"],
            -u["lead"],
            -u["responsible"],
            -sum(u["targets"].values()),
            -u["weighted_degree"],
            u["unit"]["label"],
        )
    )
    pair_list = [
        {
            "a": {"iri": a, "label": labels[a]},
            "b": {"iri": b, "label": labels[b]},
            "shared": data["shared"],
        }
        for a, b, data in network.edges(data=True)
    ]
    for pair in pair_list:
        if pair["a"]["label"] > pair["b"]["label"]:
            pair["a"], pair["b"] = pair["b"], pair["a"]
    pair_list.sort(key=lambda p: (-p["shared"], p["a"]["label"], p["b"]["label"]))
    return {
        "year": year,
        "units": units,
        "pairs": pair_list if pairs is None else pair_list[:pairs],
    }


def run_stored(backend: QueryBackend, name: str, params: Any = None) -> list[dict[str, Any]]:
    """Run the stored query ``name`` with text parameters ``params`` (parsed by their types).

    SELECT queries give rows of pyoxigraph terms (see :func:`~fenjie.queries.plain_rows`);
    CONSTRUCT queries give ``{"subject", "predicate", "object"}`` dicts of terms.
    Raises :class:`~fenjie.errors.UnknownQueryError` or :class:`~fenjie.errors.ParameterError`.
    """
    from fenjie.queries.registry import bind_params

    query = get_stored(name)
    bindings = bind_params(backend, query, dict(params or {}))
    if query.form in ("CONSTRUCT", "DESCRIBE"):
        return [
            {"subject": t.subject, "predicate": t.predicate, "object": t.object}
            for t in backend.construct(query.text, bindings=bindings)
        ]
    return backend.select(query.text, bindings=bindings)


def stored_table(backend: QueryBackend, name: str, params: Any = None) -> dict[str, Any]:
    """The stored query ``name`` as ``{"columns", "rows"}`` of plain values, as the CLI's and the
    API's JSON give it; an empty answer still has the query's columns."""
    from fenjie.queries.backend import plain_rows
    from fenjie.queries.registry import result_columns

    rows = run_stored(backend, name, params)
    return {"columns": result_columns(get_stored(name), rows), "rows": plain_rows(rows)}
