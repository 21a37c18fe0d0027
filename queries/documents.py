"""Policy documents: resolve a name to one document; which targets depend on it, and why.

A target depends on a document when

- ``direct``: it cites the document (``fj:refersTo``, or ``fj:produces``: it issues it);
- ``based_on``: it cites a document based on it (``fj:basedOn``, e.g. 《意见》实施细则 on 《意见》);
- ``work_item``: its work item's own text cites either (落实《意见》);
- ``category``: the category (主要任务) of its work item cites either;
- ``earlier_target``: an earlier target of the same work item (``fj:precedes``) cites either;
- ``baseline``: the baseline (前期工作基础) of its work item cites either;
- ``plan``: the plan it belongs to implements the document or is based on it (the notice's
  为贯彻落实《X》 / 根据《X》: ``fj:planDocument`` then ``fj:implements`` / ``fj:basedOn``).

Each answer carries its ``kind`` (the first that applies, in this order), every kind that applies
(``kinds``) and a ``path``: alternating nodes ``{"iri", "label", "type"}`` and edges ``{"edge":
"fj:refersTo", "iri", "inverse"}`` from the target to the document; ``inverse`` is true when the
edge is asserted from right to left.

>>> from fenjie.graph import FenjieStore, build_sources
>>> from fenjie.config import bundled_example
>>> from fenjie.queries import LocalBackend
>>> store = FenjieStore.in_memory()
>>> _ = build_sources([bundled_example()], store=store)
>>> resolve_document(LocalBackend(store), "《意见》")["title"][:9]
'中共湖南省委、省人'
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from typing import Any

from fenjie.errors import AmbiguousNameError, NotFoundError, ParameterError
from fenjie.queries._paging import check_page, page_info
from fenjie.queries.backend import QueryBackend, plain
from fenjie.queries.registry import get_stored

__all__ = [
    "KINDS",
    "LISTING_PARTS",
    "dependent_listing",
    "dependent_listing_part",
    "dependents",
    "dependents_of_produced",
    "dependents_page",
    "item_target_counts",
    "joined_listing",
    "resolve_document",
]

from fenjie.vocab import FJ

DCT = "http://purl.org/dc/terms/"
KINDS = ("direct", "based_on", "work_item", "category", "earlier_target", "baseline", "plan")
_BRACKETS = str.maketrans("", "", "《》")


def resolve_document(backend: QueryBackend, name: str) -> dict[str, Any]:
    """The one document whose full title or short name is ``name`` (《》 optional), or its IRI.

    Returns ``{"iri", "title"}``; raises :class:`~fenjie.errors.NotFoundError` (with
    ``suggestions``) or :class:`~fenjie.errors.AmbiguousNameError` (with ``candidates``).
    """
    from pyoxigraph import Literal, NamedNode

    name = name.strip()
    if name.startswith(("http://", "https://", "urn:")):
        try:
            bindings = {"document": NamedNode(name)}
        except ValueError:
            bindings = None
        if bindings:
            rows = backend.select(get_stored("document-title").text, bindings=bindings)
            if rows:
                return {"iri": name, "title": plain(rows[0].get("title")) or name}
    wanted = name.translate(_BRACKETS).strip()
    if not wanted:
        raise NotFoundError("没有给出文件名 (no document name given)")
    rows = backend.select(get_stored("document-by-name").text, bindings={"name": Literal(wanted)})
    docs: dict[str, str] = {}
    for row in rows:
        docs.setdefault(plain(row["document"]), plain(row.get("title")) or wanted)
    if len(docs) == 1:
        iri, title = next(iter(docs.items()))
        return {"iri": iri, "title": title}
    if len(docs) > 1:
        raise AmbiguousNameError(
            f"名称 {name!r} 对应 {len(docs)} 个文件 (the name fits {len(docs)} documents)",
            candidates=[f"《{title}》 <{iri}>" for iri, title in sorted(docs.items())],
        )
    raise NotFoundError(
        f"没有名为 {name!r} 的文件 (no document is named {name!r})",
        name=name,
        suggestions=_document_suggestions(backend, wanted) or None,
    )


def _document_suggestions(backend: QueryBackend, wanted: str, *, n: int = 5) -> list[str]:
    titles: dict[str, str] = {}
    for row in backend.select(get_stored("documents").text):
        title = plain(row.get("title")) or plain(row["document"])
        for label in (row.get("title"), row.get("alternative")):
            if label is not None:
                titles.setdefault(plain(label).translate(_BRACKETS), title)
    found = [title for label, title in titles.items() if wanted in label]
    found += [titles[m] for m in difflib.get_close_matches(wanted, list(titles), n=n, cutoff=0.4)]
    return [f"《{t}》" for t in dict.fromkeys(found)][:n]


def _node(iri: str, label: Any, kind: str) -> dict[str, Any]:
    return {"iri": iri, "label": label, "type": kind}


def _edge(name: str, *, inverse: bool = False) -> dict[str, Any]:
    return {"edge": f"fj:{name}", "iri": FJ[name].value, "inverse": inverse}


def _ref(name: str, namespace: str) -> dict[str, Any]:
    """An edge of another vocabulary (dct:isPartOf)."""
    return {"edge": f"dct:{name}", "iri": namespace + name, "inverse": False}


def _shortest(edges: dict[str, list[str]], start: str, goal: str) -> list[str] | None:
    """Nodes of a shortest path start → goal following ``edges`` (adjacency lists)."""
    previous: dict[str, str | None] = {start: None}
    frontier = [start]
    while frontier and goal not in previous:
        nxt = []
        for node in frontier:
            for other in edges.get(node, []):
                if other not in previous:
                    previous[other] = node
                    nxt.append(other)
        frontier = nxt
    if goal not in previous:
        return None
    path: list[str] = []
    at: str | None = goal
    while at is not None:
        path.append(at)
        at = previous[at]
    return path[::-1]


def _path_key(path: list[dict[str, Any]]) -> tuple[int, tuple[str, ...]]:
    return len(path), tuple(str(p.get("iri")) + str(p.get("inverse", "")) for p in path)


def dependents(
    backend: QueryBackend,
    document: str,
    *,
    kind: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> dict[str, Any]:
    """Targets that depend on ``document`` (title, short name or IRI), each with kind and path.

    Returns ``{"document": {"iri", "title"}, "targets": [{"iri", "text", "year", "work_item":
    {"iri", "label"}, "kind", "kinds", "path"}]}``, ordered by work item, year and position.
    With ``kind`` (one of :data:`KINDS`), only the targets whose ``kind`` it is.

    With ``limit``, one page: the targets from ``offset`` (in the same order), at most ``limit``
    of them, and ``"total"``, ``"offset"``, ``"limit"`` and ``"next"`` (the offset of the next
    page, ``None`` on the last), and ``"counts"``: the whole answer's targets per ``kind``
    (before ``kind`` filters them). A page reads which targets depend and how without any text
    (``dependent-targets``), the work items whose baseline cites the document and the targets per
    work item (:func:`dependent_listing`), then the targets of its own baseline work items and the
    texts of the nodes it shows only (:func:`dependents_page`); the pages, one after another, are
    the whole answer.
    """
    from pyoxigraph import NamedNode

    check_page(offset, limit)
    if kind is not None and kind not in KINDS:
        raise ParameterError(
            f"kind 应为 {'、'.join(KINDS)} 之一，实为 {kind!r} (kind must be one of these)",
            parameter="kind",
        )
    doc = resolve_document(backend, document)
    if limit is None:
        bindings = {"document": NamedNode(doc["iri"])}
        chain = backend.select(get_stored("document-chain").text, bindings=bindings)
        rows = backend.select(get_stored("depends").text, bindings=bindings)
        targets = _dependent_targets(doc, rows, chain)
        if kind is not None:
            targets = [t for t in targets if t["kind"] == kind]
        return {"document": doc, "targets": targets}
    return dependents_page(
        backend, dependent_listing(backend, doc["iri"]), kind=kind, offset=offset, limit=limit
    )


#: the columns of a listing's rows (:func:`dependent_listing`)
_LISTED = ("target", "how", "via", "node", "citing", "item", "year", "targetOrder", "itemOrder")
#: the columns of a listing's baseline work items
_BASELINE = ("item", "itemOrder", "via", "node")


#: the parts of a listing that depend on the document: the targets depending on it by every kind
#: but "baseline", one by one, and the work items whose baseline cites it (each of their targets
#: depends on it by "baseline"; listing those one by one was the costly part at scale). A server
#: runs them side by side, each within its own time limit, beside :func:`item_target_counts`.
LISTING_PARTS = ("dependent-targets", "dependent-baseline-items")


def dependent_listing(backend: QueryBackend, document: str) -> dict[str, Any]:
    """Which targets depend on ``document`` and how, without any text: the part of a page of
    :func:`dependents` that reads the whole answer, kept apart so that a server reads it once for
    all the pages of a document (:func:`dependents_page`).

    Returns ``{"document": {"iri", "title"}, "rows": [...], "baseline": [...], "targets": {...},
    "chain": [...]}``: the rows of ``dependent-targets`` as tuples of plain values (IRIs as
    strings, numbers as numbers) in the order of ``_LISTED``; the work items whose baseline cites
    the document (``dependent-baseline-items``: tuples in the order of ``_BASELINE``); how many
    targets each of these work items has (``item-target-counts``); and the rows of
    ``document-chain`` (the steps of the explaining paths). Equal strings are one object, so the
    listing stays small when it is pickled. A server asks the parts side by side
    (:func:`dependent_listing_part`, :func:`item_target_counts`).
    """
    parts = [dependent_listing_part(backend, document, part) for part in LISTING_PARTS]
    return joined_listing(parts, item_target_counts(backend))


def joined_listing(parts: list[dict[str, Any]], counts: dict[str, int]) -> dict[str, Any]:
    """One listing from its parts (:func:`dependent_listing_part`, one per ``LISTING_PARTS``) and
    the targets per work item (:func:`item_target_counts`, kept for the baseline work items)."""
    baseline = [row for part in parts for row in part.get("baseline", [])]
    return {
        "document": parts[0]["document"],
        "rows": [row for part in parts for row in part.get("rows", [])],
        "baseline": baseline,
        "targets": {row[0]: counts.get(row[0], 0) for row in baseline},
        "chain": [row for part in parts for row in part["chain"]],
    }


def _interned(term: Any) -> Any:
    from sys import intern

    found = plain(term)
    return intern(found) if isinstance(found, str) else found


def dependent_listing_part(backend: QueryBackend, document: str, part: str) -> dict[str, Any]:
    """One part of :func:`dependent_listing`: the rows of the named query ``part`` (one of
    ``LISTING_PARTS``); the first part also carries the document chain."""
    from pyoxigraph import NamedNode

    if part not in LISTING_PARTS:
        raise ParameterError(f"没有这一部分 (no such part)：{part!r}", parameter="part")
    doc = resolve_document(backend, document)
    bindings = {"document": NamedNode(doc["iri"])}
    rows = backend.select(get_stored(part).text, bindings=bindings)
    chain = []
    if part == LISTING_PARTS[0]:
        chain = backend.select(get_stored("document-chain").text, bindings=bindings)
    key, columns = ("rows", _LISTED) if part == LISTING_PARTS[0] else ("baseline", _BASELINE)
    return {
        "document": doc,
        key: [tuple(_interned(row.get(column)) for column in columns) for row in rows],
        "chain": [{k: _interned(v) for k, v in row.items()} for row in chain],
    }


def item_target_counts(backend: QueryBackend) -> dict[str, int]:
    """How many targets each work item has (``item-target-counts``), by work item IRI: the same
    for every document, so a server reads it once for all of them."""
    return {
        _interned(row["item"]): int(plain(row["targets"]))
        for row in backend.select(get_stored("item-target-counts").text)
    }


def dependents_page(
    backend: QueryBackend,
    listing: dict[str, Any],
    *,
    kind: str | None = None,
    offset: int = 0,
    limit: int,
) -> dict[str, Any]:
    """One page of :func:`dependents` from the ``listing`` of :func:`dependent_listing`: the
    page's targets are ordered and counted from it, and only the targets of the baseline work
    items the page shows (``obligation-targets``) and the texts of its nodes are read.

    The answer is ordered by work item (position, IRI), then year, position and IRI of the target,
    so every work item's targets are together: the listing says how many each work item has
    (those of a work item whose baseline cites the document are all dependents), and the page
    finds its work items by counting, without the targets of the others.
    """
    check_page(offset, limit)
    doc = listing["document"]
    listed = [dict(zip(_LISTED, row, strict=True)) for row in listing["rows"]]
    cites: dict[str, list[tuple[str, str]]] = defaultdict(list)  # baseline work item → citing
    item_order: dict[str, Any] = {}
    for item, order, via, node in listing["baseline"]:
        cites[item].append((via, node))
        item_order[item] = order
    kinds: dict[str, set[str]] = defaultdict(set)  # the targets listed one by one
    listed_of: dict[str, dict[str, tuple[Any, ...]]] = defaultdict(dict)  # work item → them
    for row in listed:
        target, item = row["target"], row["item"]
        kinds[target].add(_kind(doc, row["how"], row["via"]))
        if item in cites:
            kinds[target].add("baseline")
        listed_of[item][target] = (row["year"], row["targetOrder"], target)
        item_order.setdefault(item, row["itemOrder"])
    first = {target: next(k for k in KINDS if k in found) for target, found in kinds.items()}
    # every target of a baseline work item depends; those not listed one by one by "baseline"
    counted = Counter(first.values())
    for item in cites:
        counted["baseline"] += listing["targets"][item] - len(listed_of[item])
    counts = {k: counted[k] for k in KINDS if counted[k]}

    def size(item: str) -> int:
        """How many of the work item's targets the answer (of ``kind``) holds."""
        mine = listed_of[item]
        if item in cites and kind in (None, "baseline"):
            others = sum(1 for t in mine if first[t] != "baseline") if kind else 0
            return int(listing["targets"][item]) - others
        return sum(1 for t in mine if kind is None or first[t] == kind)

    shown: list[tuple[str, int, int]] = []  # the page's work items: item, from, to
    total = 0
    for item in sorted(item_order, key=lambda i: (item_order[i], i)):
        n = size(item)
        if n and total < offset + limit and offset < total + n:
            shown.append((item, max(offset - total, 0), min(offset + limit - total, n)))
        total += n
    read = [i for i, _, _ in shown if i in cites and kind in (None, "baseline")]
    found: dict[str, dict[str, tuple[Any, ...]]] = defaultdict(dict)
    if read:
        from pyoxigraph import NamedNode

        bound = {"item": [NamedNode(i) for i in read]}
        for row in backend.select(get_stored("obligation-targets").text, bindings=bound):
            target, item = _interned(row["target"]), _interned(row["item"])
            key = (plain(row["year"]), plain(row["targetOrder"]), target)
            found[item][target] = min(key, found[item].get(target, key))
    page: set[str] = set()
    rows: list[dict[str, Any]] = []
    for item, start, end in shown:
        if item in read:
            mine = found[item]
            if kind == "baseline":
                mine = {t: k for t, k in mine.items() if t not in first or first[t] == kind}
        else:
            mine = {t: k for t, k in listed_of[item].items() if kind is None or first[t] == kind}
        chosen = sorted(mine, key=lambda t: mine[t])[start:end]
        page.update(chosen)
        for target in chosen if item in cites else []:
            year, target_order, _ = mine[target]
            for via, node in cites[item]:  # the rows `dependent-targets-baseline` gives
                rows.append(
                    {
                        "target": target,
                        "how": "baseline",
                        "via": via,
                        "node": node,
                        "citing": node,
                        "item": item,
                        "year": year,
                        "targetOrder": target_order,
                        "itemOrder": item_order[item],
                    }
                )
    rows = [row for row in listed if row["target"] in page] + rows
    return {
        "document": doc,
        "targets": _dependent_targets(doc, _with_texts(backend, rows), listing["chain"]),
        **page_info(offset, limit, total),
        "counts": counts,
    }


def _kind(doc: dict[str, Any], how: str, via: str) -> str:
    """The kind of dependency a row of ``depends`` says (``cites`` is direct or based on)."""
    if how != "cites":
        return how
    return "direct" if via == doc["iri"] else "based_on"


#: which text of the citing node explains a dependency of each kind (as ``depends`` chooses it)
_NODE_TEXT = {
    "baseline": "text",
    "earlier_target": "text",
    "work_item": "label",
    "category": "label",
    "plan": "title",
}


def _with_texts(backend: QueryBackend, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of ``dependent-targets`` (plain values) completed into rows of ``depends``: the
    target's text, the work item's label, the cited document's title, the citing node's text and
    whether it issues the document, read for the nodes of these rows alone."""
    from pyoxigraph import NamedNode

    nodes: dict[str, None] = {}
    for row in rows:
        nodes.update(dict.fromkeys((row["target"], row["item"], row["via"], row["citing"])))
    texts: dict[str, dict[str, Any]] = defaultdict(dict)
    produced: set[tuple[str, str]] = set()
    if nodes:
        bound = {"node": [NamedNode(node) for node in nodes]}
        for found in backend.select(get_stored("dependent-texts").text, bindings=bound):
            node = plain(found["node"])
            if "produces" in found:
                produced.add((node, plain(found["produces"])))
            for key in ("text", "label", "title"):
                if key in found:
                    texts[node].setdefault(key, plain(found[key]))
    out = []
    for row in rows:
        how, citing, via = row["how"], row["citing"], row["via"]
        full = dict(row)
        full["text"] = texts[row["target"]].get("text")
        full["itemLabel"] = texts[row["item"]].get("label")
        if "title" in texts[via]:
            full["viaTitle"] = texts[via]["title"]
        if how in _NODE_TEXT and _NODE_TEXT[how] in texts[citing]:
            full["nodeText"] = texts[citing][_NODE_TEXT[how]]
        full["produces"] = how != "plan" and (citing, via) in produced
        out.append(full)
    return out


def dependents_of_produced(backend: QueryBackend) -> dict[str, dict[str, Any]]:
    """:func:`dependents` of every document a target issues (``fj:produces``), by document IRI.

    Two stored queries (``progress-blocking`` and ``progress-blocking-chain``) answer for all
    documents at once: a query per document made ``fenjie progress`` take a minute on a plan of
    50,000 triples. Documents nothing depends on are left out.
    """
    rows_of: dict[str, list[dict[str, Any]]] = {}
    for row in backend.select(get_stored("progress-blocking").text):
        rows_of.setdefault(plain(row["document"]), []).append(row)
    chain_of: dict[str, list[dict[str, Any]]] = {}
    for row in backend.select(get_stored("progress-blocking-chain").text):
        chain_of.setdefault(plain(row["document"]), []).append(row)
    found: dict[str, dict[str, Any]] = {}
    for iri, rows in rows_of.items():
        doc = {"iri": iri, "title": plain(rows[0].get("documentTitle")) or iri}
        found[iri] = {
            "document": doc,
            "targets": _dependent_targets(doc, rows, chain_of.get(iri, [])),
        }
    return found


def _dependent_targets(
    doc: dict[str, Any], rows: list[dict[str, Any]], chain: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The answer's targets from the rows of ``depends`` and ``document-chain`` for ``doc``."""
    based_on: dict[str, list[str]] = {}
    precedes: dict[str, list[str]] = {}
    implements: set[tuple[str, str]] = set()
    labels: dict[str, Any] = {doc["iri"]: doc["title"]}
    for row in chain:
        a, b, edge = plain(row["from"]), plain(row["to"]), plain(row["edge"])
        if edge == FJ.implements.value:
            implements.add((a, b))
            continue
        (based_on if edge == FJ.basedOn.value else precedes).setdefault(a, []).append(b)
        labels.setdefault(a, plain(row.get("fromLabel")))
        labels.setdefault(b, plain(row.get("toLabel")))
    for adjacency in (based_on, precedes):
        for successors in adjacency.values():
            successors.sort()

    def doc_chain(via: str) -> list[dict[str, Any]]:
        nodes = _shortest(based_on, via, doc["iri"]) or [via, doc["iri"]]
        out: list[dict[str, Any]] = [_node(nodes[0], labels.get(nodes[0]), "PolicyDocument")]
        for a, b in zip(nodes, nodes[1:], strict=False):
            edge = _edge("implements" if (a, b) in implements else "basedOn")
            out += [edge, _node(b, labels.get(b), "PolicyDocument")]
        return out

    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        target, via = plain(row["target"]), plain(row["via"])
        labels.setdefault(via, plain(row.get("viaTitle")))
        kind = _kind(doc, plain(row["how"]), via)
        cite = _edge("produces" if plain(row.get("produces")) else "refersTo")
        entry = found.setdefault(
            target,
            {
                "iri": target,
                "text": plain(row["text"]),
                "year": plain(row["year"]),
                "work_item": {"iri": plain(row["item"]), "label": plain(row["itemLabel"])},
                "kinds": {},
                "_order": (
                    plain(row["itemOrder"]),
                    plain(row["item"]),
                    plain(row["year"]),
                    plain(row["targetOrder"]),
                ),
            },
        )
        me = _node(target, entry["text"], "Target")
        if kind in ("direct", "based_on"):
            path = [me, cite, *doc_chain(via)]
        elif kind == "baseline":
            node = plain(row["node"])
            item = entry["work_item"]
            path = [
                me,
                _edge("workItem"),
                _node(item["iri"], item["label"], "WorkItem"),
                _edge("workItem", inverse=True),
                _node(node, plain(row.get("nodeText")), "BaselineItem"),
                cite,
                *doc_chain(via),
            ]
        elif kind in ("work_item", "category", "plan"):
            item = entry["work_item"]
            path = [me, _edge("workItem"), _node(item["iri"], item["label"], "WorkItem")]
            node = plain(row["node"])
            if kind == "category":
                path += [_edge("category"), _node(node, plain(row.get("nodeText")), "Category")]
            if kind == "plan":
                path += [
                    _ref("isPartOf", DCT),
                    _node(node, plain(row.get("nodeText")), "SourceTable"),
                    _edge("planDocument"),
                ]
            else:
                path += [cite]
            path += doc_chain(via)
        else:
            node = plain(row["node"])
            steps = _shortest(precedes, node, target) or [node, target]
            path = [me]
            for earlier in reversed(steps[:-1]):
                label = plain(row.get("nodeText")) if earlier == node else labels.get(earlier)
                path += [_edge("precedes", inverse=True), _node(earlier, label, "Target")]
            path += [cite, *doc_chain(via)]
        best = entry["kinds"].get(kind)
        if best is None or _path_key(path) < _path_key(best):
            entry["kinds"][kind] = path
    targets: list[dict[str, Any]] = []
    for entry in sorted(found.values(), key=lambda e: (e["_order"], e["iri"])):
        kinds = [k for k in KINDS if k in entry["kinds"]]
        targets.append(
            {
                "iri": entry["iri"],
                "text": entry["text"],
                "year": entry["year"],
                "work_item": entry["work_item"],
                "kind": kinds[0],
                "kinds": kinds,
                "path": entry["kinds"][kinds[0]],
            }
        )
    return targets
