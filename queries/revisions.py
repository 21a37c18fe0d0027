"""Edition matches stored in the graph: which plan revises which, and which work item continues which.

:func:`~fenjie.queries.editions.diff_editions` compares two editions; :func:`record_revision`
stores what it matched, so that later questions (``fenjie obligations``: is this work item new in
its edition?) need no new comparison and work through any SPARQL endpoint. One comparison is one
named graph, ``{base}revision/{old slug}/{new slug}`` (the graph's IRI is the comparison's IRI);
recording the same pair again replaces it in one transaction. It holds

- ``new-table prov:wasRevisionOf old-table`` (and the same between their plan documents, when both
  tables have one and they differ);
- the comparison, a ``fj:EditionComparison`` (a ``prov:Activity``): ``fj:previousEdition``,
  ``fj:revisedEdition``, ``prov:used`` both, ``fj:threshold``, ``prov:endedAtTime``;
- per matched pair ``new-item fj:revisionOf old-item`` and its qualified form
  ``new-item prov:qualifiedRevision match``, the match a ``fj:EditionMatch`` (a ``prov:Revision``)
  with ``prov:entity`` old-item, ``prov:hadActivity`` the comparison, ``fj:matchScore``,
  ``fj:matchKind`` (``fj:Unchanged`` or ``fj:Changed``) and one ``fj:changeKind`` per kind of change.

A work item of a revised table that no match names is new in its edition (derived, not stored).

>>> comparison_iri("https://w3id.org/fenjie/id/table/a-2017", "https://w3id.org/fenjie/id/table/a-2020")
'https://w3id.org/fenjie/id/revision/a-2017/a-2020'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize

from fenjie.config import DEFAULT_BASE
from fenjie.errors import ParameterError
from fenjie.graph.store import FenjieStore
from fenjie.queries.backend import QueryBackend, plain_rows
from fenjie.queries.registry import bind_params, get_stored
from fenjie.vocab import FJ

__all__ = [
    "CHANGE_KINDS",
    "EDITION_STATUSES",
    "RecordedRevision",
    "comparison_iri",
    "edition_items",
    "record_revision",
    "revision_quads",
]

_PROV = "http://www.w3.org/ns/prov#"
_RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_XSD = "http://www.w3.org/2001/XMLSchema#"

#: the ``kind`` of a change in :func:`~fenjie.queries.editions.diff_editions` → its ontology term
CHANGE_KINDS: dict[str, NamedNode] = {
    "reworded": FJ.Reworded,
    "moved": FJ.Moved,
    "targets": FJ.TargetsChanged,
    "baseline": FJ.BaselineChanged,
    "units": FJ.UnitsChanged,
}
_KIND_OF_TERM = {term.value: kind for kind, term in CHANGE_KINDS.items()}

#: what a work item of a revised edition is against the previous one, in answers
EDITION_STATUSES = ("new", "changed", "unchanged")


def _prov(name: str) -> NamedNode:
    return NamedNode(_PROV + name)


def _slug(table: str) -> str:
    return table.rstrip("/").rsplit("/", 1)[-1]


def _base(table: str) -> str:
    """The base the table's IRI was minted under (``{base}table/{slug}``); the comparison lives
    under the same base as its tables."""
    head, sep, _ = table.rpartition("/table/")
    return head + "/" if sep else DEFAULT_BASE


def comparison_iri(old_table: str, new_table: str) -> str:
    """The IRI of the comparison of two tables, which is also its named graph's."""
    return f"{_base(new_table)}revision/{_slug(old_table)}/{_slug(new_table)}"


def _match_iri(comparison: str, new_item: str) -> str:
    # a work item's IRI is {table}/item/{k}-{n}: one match per new work item, named after it
    local = new_item.rpartition("/item/")[2] or _slug(new_item)
    return f"{comparison}/match/{local}"


def revision_quads(
    answer: Mapping[str, Any],
    *,
    plans: Mapping[str, str | None] | None = None,
    at: datetime,
) -> list[Quad]:
    """The quads that record the comparison ``answer`` (of :func:`diff_editions`) in its graph.

    ``plans`` maps each table IRI to its plan document, if any; ``at`` is when it was compared.
    """
    old, new = answer["old"]["iri"], answer["new"]["iri"]
    if old == new:
        raise ParameterError(
            "同一张表不能记录为自身的修订版（原版本与新版本相同）", parameter="new"
        )
    iri = comparison_iri(old, new)
    graph = NamedNode(iri)
    comparison = NamedNode(iri)
    old_table, new_table = NamedNode(old), NamedNode(new)
    triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
        (new_table, _prov("wasRevisionOf"), old_table),
        (comparison, _RDF_TYPE, FJ.EditionComparison),
        (comparison, FJ.previousEdition, old_table),
        (comparison, FJ.revisedEdition, new_table),
        (comparison, _prov("used"), old_table),
        (comparison, _prov("used"), new_table),
        (comparison, FJ.threshold, _decimal(answer["threshold"])),
        (comparison, _prov("endedAtTime"), _datetime(at)),
    ]
    old_plan, new_plan = (plans or {}).get(old), (plans or {}).get(new)
    if old_plan and new_plan and old_plan != new_plan:
        triples.append((NamedNode(new_plan), _prov("wasRevisionOf"), NamedNode(old_plan)))
    kinds = {
        c["new"]["iri"]: sorted({x["kind"] for x in c["changes"]})
        for c in answer["work_items"]["changed"]
    }
    for m in answer["work_items"]["matches"]:
        before, after = NamedNode(m["old"]["iri"]), NamedNode(m["new"]["iri"])
        match = NamedNode(_match_iri(iri, after.value))
        triples += [
            (after, FJ.revisionOf, before),
            (after, _prov("qualifiedRevision"), match),
            (match, _RDF_TYPE, FJ.EditionMatch),
            (match, _prov("entity"), before),
            (match, _prov("hadActivity"), comparison),
            (match, FJ.matchScore, _decimal(m["score"])),
            (match, FJ.matchKind, FJ.Changed if m["changed"] else FJ.Unchanged),
        ]
        triples += [(match, FJ.changeKind, CHANGE_KINDS[k]) for k in kinds.get(after.value, [])]
    return [Quad(s, p, o, graph) for s, p, o in triples]


def _decimal(value: float) -> Literal:
    return Literal(str(Decimal(str(value))), datatype=NamedNode(_XSD + "decimal"))


def _datetime(at: datetime) -> Literal:
    return Literal(at.isoformat(timespec="seconds"), datatype=NamedNode(_XSD + "dateTime"))


@dataclass(frozen=True)
class RecordedRevision:
    """What :func:`record_revision` stored: the comparison's graph and what it holds."""

    graph: str
    old: str
    new: str
    matches: int
    changed: int
    added: int
    replaced: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "graph": self.graph,
            "old": self.old,
            "new": self.new,
            "matches": self.matches,
            "changed": self.changed,
            "added": self.added,
            "replaced": self.replaced,
        }


def record_revision(
    store: FenjieStore, answer: Mapping[str, Any], *, at: datetime | None = None
) -> RecordedRevision:
    """Store the comparison ``answer`` (of :func:`diff_editions` on ``store``) in its own named
    graph, replacing an earlier record of the same pair: one SPARQL update, all or nothing."""
    old, new = answer["old"]["iri"], answer["new"]["iri"]
    plans = {
        row["table"]: row.get("plan")
        for table in (old, new)
        for row in plain_rows(
            store.select(get_stored("plan-document").text, bindings={"table": NamedNode(table)})
        )
    }
    quads = revision_quads(answer, plans=plans, at=at or datetime.now(timezone.utc))
    graph = NamedNode(comparison_iri(old, new))
    # editions follow one another: the pair recorded the other way round would make each the
    # other's revision, and "new in this edition" meaningless
    reverse = NamedNode(comparison_iri(new, old))
    if store.inner.contains_named_graph(reverse):
        raise ParameterError(
            f"已记录 <{old}> 是 <{new}> 的修订版；不能再反向记录（原版本与新版本是否写反了？）",
            parameter="new",
        )
    replaced = store.inner.contains_named_graph(graph)
    body = serialize((q.triple for q in quads), format=RdfFormat.N_TRIPLES) or b""
    # the N-Triples serializer writes every term (IRIs of the store, numbers, a time), so the
    # update's text holds no text from a table
    store.inner.update(
        f"DROP SILENT GRAPH <{graph.value}> ;\n"
        f"INSERT DATA {{ GRAPH <{graph.value}> {{\n{body.decode('utf-8')}}} }}"
    )
    items = answer["work_items"]
    return RecordedRevision(
        graph=graph.value,
        old=old,
        new=new,
        matches=len(items["matches"]),
        changed=len(items["changed"]),
        added=len(items["added"]),
        replaced=replaced,
    )


def edition_items(backend: QueryBackend, tables: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Work item IRI → its edition against the previous edition, for the work items of the
    ``tables`` that are recorded revisions (:func:`record_revision`); others are left out.

    Each value: ``{"status": "new" | "changed" | "unchanged", "previous": {"iri", "title"}
    (the previous edition), "previous_item": {"iri", "label"} | None, "score": float | None,
    "changes": [kind]}``. Where a table revises several, the best match counts.
    """
    query = get_stored("edition-items")
    found: dict[str, dict[str, Any]] = {}
    for table in dict.fromkeys(tables):
        bindings = bind_params(backend, query, {"table": table})
        for row in plain_rows(backend.select(query.text, bindings=bindings)):
            item = row["item"]
            entry = {
                "status": row["status"],
                "previous": {"iri": row["previous"], "title": row.get("previousTitle")},
                "previous_item": (
                    {"iri": row["previousItem"], "label": row.get("previousLabel")}
                    if row.get("previousItem")
                    else None
                ),
                "score": float(row["score"]) if row.get("score") is not None else None,
                "changes": [],
            }
            known = found.get(item)
            if known is None or (
                known["previous"]["iri"] == entry["previous"]["iri"]
                and known["previous_item"] == entry["previous_item"]
            ):
                known = found.setdefault(item, entry)
            elif (entry["score"] or -1) > (known["score"] or -1):
                known = found[item] = entry
            else:
                continue
            change = _KIND_OF_TERM.get(str(row.get("change")))
            if change and change not in known["changes"]:
                known["changes"].append(change)
    for entry in found.values():
        entry["changes"].sort(key=list(CHANGE_KINDS).index)
    return found
