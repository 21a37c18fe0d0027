"""Find units by any of their names; resolve a name to exactly one unit.

A unit has a full name (``skos:prefLabel``), short forms (``skos:altLabel``) and variants
(``skos:hiddenLabel``). :func:`resolve_unit` matches a name exactly against all of them (the name is
bound as an RDF literal, never spliced into the query), else takes the one unit having a name that
contains it (科技厅 → 湖南省科学技术厅); a partial name shared by several units or a misspelled one raises
:class:`~fenjie.errors.NotFoundError` with suggestions, a name shared by several units
:class:`~fenjie.errors.AmbiguousNameError` with the candidates.

>>> from fenjie.graph import FenjieStore, build_sources
>>> from fenjie.config import bundled_example
>>> from fenjie.queries import LocalBackend
>>> store = FenjieStore.in_memory()
>>> _ = build_sources([bundled_example()], store=store)
>>> resolve_unit(LocalBackend(store), "省科技厅")["label"]
'湖南省科学技术厅'
>>> find_units(LocalBackend(store), "科技", limit=1)[0]["label"]
'湖南省科学技术厅'
"""

from __future__ import annotations

import difflib
from typing import Any

from fenjie.errors import AmbiguousNameError, NotFoundError
from fenjie.graph import normalize_unit_name
from fenjie.queries.backend import QueryBackend, plain
from fenjie.queries.registry import get_stored

__all__ = ["find_units", "pick_by_name", "resolve_unit", "unit_routes"]

_KIND_RANK = {"pref": 0, "alt": 1, "hidden": 2}


_norm = normalize_unit_name  # the one normaliser: building, questions and views compare alike


def _all_labels(backend: QueryBackend) -> dict[str, dict[str, Any]]:
    """iri → {"iri", "label", "labels": [(kind, text)]} for every unit."""
    units: dict[str, dict[str, Any]] = {}
    for row in backend.select(get_stored("units").text):
        iri = plain(row["unit"])
        entry = units.setdefault(iri, {"iri": iri, "label": None, "labels": []})
        kind, text = plain(row["kind"]), plain(row["label"])
        entry["labels"].append((kind, text))
        if kind == "pref" and entry["label"] is None:
            entry["label"] = text
    for entry in units.values():
        entry["labels"].sort(key=lambda kt: (_KIND_RANK.get(kt[0], 3), len(kt[1]), kt[1]))
        if entry["label"] is None:
            entry["label"] = entry["labels"][0][1] if entry["labels"] else entry["iri"]
    return units


def _public(entry: dict[str, Any], **extra: Any) -> dict[str, Any]:
    labels = list(dict.fromkeys(text for _, text in entry["labels"]))
    return {"iri": entry["iri"], "label": entry["label"], "labels": labels, **extra}


def find_units(backend: QueryBackend, text: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Units having a label that contains ``text``, best first.

    Returns ``[{"iri", "label", "labels": [...], "matched": label}]``. Ranking: an exact label
    before a prefix before any substring; full names before short forms before variants; shorter
    labels first. Matching ignores case and full-width/half-width differences.
    """
    wanted = _norm(text)
    if not wanted:
        return []
    scored = []
    for entry in _all_labels(backend).values():
        best = None
        for kind, label in entry["labels"]:
            norm = _norm(label)
            if wanted not in norm:
                continue
            how = 0 if norm == wanted else 1 if norm.startswith(wanted) else 2
            key = (how, _KIND_RANK.get(kind, 3), len(label), label)
            if best is None or key < best[0]:
                best = (key, label)
        if best is not None:
            scored.append((best[0], entry["label"], _public(entry, matched=best[1])))
    scored.sort(key=lambda s: (s[0], s[1]))
    return [s[2] for s in scored[: max(limit, 0)]]


def _suggestions(backend: QueryBackend, name: str, *, n: int = 5) -> list[str]:
    found = [u["label"] for u in find_units(backend, name, limit=n)]
    labels: dict[str, str] = {}
    for entry in _all_labels(backend).values():
        for _, label in entry["labels"]:
            labels.setdefault(_norm(label), entry["label"])
    for close in difflib.get_close_matches(_norm(name), list(labels), n=n, cutoff=0.5):
        found.append(labels[close])
    return list(dict.fromkeys(found))[:n]


def resolve_unit(backend: QueryBackend, name: str) -> dict[str, Any]:
    """The one unit whose full name, short form, variant or IRI is ``name``, or, failing that, the
    only unit having a name that contains ``name``.

    Returns ``{"iri", "label"}`` (label: the full name). Raises
    :class:`~fenjie.errors.NotFoundError` (``suggestions``: close labels) or
    :class:`~fenjie.errors.AmbiguousNameError` (``candidates``).
    """
    from pyoxigraph import Literal, NamedNode

    name = name.strip()
    if not name:
        raise NotFoundError("没有给出单位名称 (no unit name given)")
    if name.startswith(("http://", "https://", "urn:")):
        try:
            node: NamedNode | None = NamedNode(name)
        except ValueError:
            node = None
        if node is not None:
            rows = backend.select(get_stored("unit-label").text, bindings={"unit": node})
            if rows:
                return {"iri": name, "label": plain(rows[0].get("label")) or name}
    rows = backend.select(get_stored("unit-by-label").text, bindings={"name": Literal(name)})
    units: dict[str, str] = {}
    for row in rows:
        iri = plain(row["unit"])
        units.setdefault(iri, plain(row.get("prefLabel")) or name)
    if len(units) == 1:
        iri, label = next(iter(units.items()))
        return {"iri": iri, "label": label}
    if len(units) > 1:
        # 省发展改革委 fits the Hunan registry's body and the one an Anhui plan names: the name
        # means the unit some table uses, when only one of them is used
        used = backend.select(get_stored("units-in-use").text, bindings={"name": Literal(name)})
        in_use = {plain(row["unit"]) for row in used} & set(units)
        if len(in_use) == 1:
            (iri,) = in_use
            return {"iri": iri, "label": units[iri]}
        candidates = [f"{label} <{iri}>" for iri, label in sorted(units.items())]
        raise AmbiguousNameError(
            f"名称 {name!r} 对应 {len(units)} 个单位 (the name fits {len(units)} units)",
            candidates=candidates,
        )
    # written otherwise (省 科技厅, full-width brackets): the same name to the one normaliser
    same = {
        entry["iri"]: entry["label"]
        for entry in _all_labels(backend).values()
        if any(_norm(label) == _norm(name) for _, label in entry["labels"])
    }
    if len(same) == 1:
        iri, label = next(iter(same.items()))
        return {"iri": iri, "label": label}
    # a name that is part of exactly one unit's names (科技厅, 财政) means that unit, as the
    # page's autocomplete would show it alone
    partial = find_units(backend, name, limit=2)
    if len(partial) == 1:
        return {"iri": partial[0]["iri"], "label": partial[0]["label"]}
    suggestions = _suggestions(backend, name)
    raise NotFoundError(
        f"没有名为 {name!r} 的单位 (no unit is named {name!r})",
        name=name,
        suggestions=suggestions or None,
    )


def pick_by_name(name: str, candidates: dict[str, list[str]], *, what: str) -> str:
    """The key whose names match ``name`` (the views' categories, units drawn on a page): equal to
    the one normaliser first, then containing it; else an error naming the candidates.

    >>> pick_by_name("科技厅", {"a": ["省科技厅", "湖南省科学技术厅"], "b": ["省财政厅"]}, what="单位")
    'a'
    >>> pick_by_name("省 科技厅", {"a": ["省科技厅"], "b": ["湖南省科技厅"]}, what="单位")
    'a'
    """
    wanted = _norm(name)
    normalized = {k: [_norm(n) for n in names] for k, names in candidates.items()}
    exact = [k for k, names in normalized.items() if wanted in names]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [k for k, names in normalized.items() if any(wanted in n for n in names)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise AmbiguousNameError(
            f"{what} {name.strip()!r} 对应 {len(partial)} 项 (the name matches {len(partial)} nodes)",
            candidates=sorted(candidates[k][0] for k in partial),
        )
    every = sorted({n for names in candidates.values() for n in names})
    raise NotFoundError(
        f"没有名为 {name.strip()!r} 的{what} (no such name)",
        suggestions=difflib.get_close_matches(name.strip(), every, n=5, cutoff=0.3),
    )


def unit_routes(backend: QueryBackend, unit_iri: str) -> dict[str, list[dict[str, Any]]]:
    """How other units' obligations reach ``unit_iri``: source IRI → steps (shortest route).

    A step is ``{"relation": "member_of", "unit": {"iri", "label"}}`` (the unit, or a unit on the
    way, is a member of that group) or ``{"relation": "successor_of", "unit": {...}, "event":
    {"iri", "label"}}`` (it succeeded that unit in an institutional change). The unit itself maps
    to ``[]``.
    """
    from pyoxigraph import NamedNode

    rows = backend.select(get_stored("unit-lineage").text, bindings={"unit": NamedNode(unit_iri)})
    into: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        to = plain(row["to"])
        step: dict[str, Any] = {
            "relation": plain(row["relation"]),
            "unit": {"iri": plain(row["from"]), "label": plain(row.get("fromLabel"))},
        }
        if "event" in row:
            step["event"] = {"iri": plain(row["event"]), "label": plain(row.get("eventLabel"))}
        into.setdefault(to, []).append(step)
    routes: dict[str, list[dict[str, Any]]] = {unit_iri: []}
    frontier = [unit_iri]
    while frontier:
        nxt = []
        for node in frontier:
            for step in sorted(into.get(node, []), key=lambda s: s["unit"]["iri"]):
                source = step["unit"]["iri"]
                if source not in routes:
                    routes[source] = [*routes[node], step]
                    nxt.append(source)
        frontier = nxt
    return routes
