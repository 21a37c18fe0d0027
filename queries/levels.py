"""Questions across the levels: a plan implementing the plan of the level above (分解落实).

Every build links a child plan's work items and targets to the parent's they carry down (see
``graph/_levels.py`` and docs/levels.md); these functions answer over those links, on any backend,
through the named queries ``level-children``, ``level-gaps``, ``level-trace`` and ``level-group``:

- :func:`carried_down`: for a parent work item, the child work items and units carrying it down,
  to any depth (province → city → county …), as a tree;
- :func:`follow_up_gaps`: the parent work items and targets assigned to a child plan's government
  that the child plan does not follow up (断档);
- :func:`trace_up`: a unit's work items traced up to the parent work items, targets and documents
  they serve, each with its path;
- :func:`group_breakdown`: a group's work items (长株潭三市政府) broken down by member: what each
  member's plan assigned to whom.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fenjie.errors import AmbiguousNameError, NotFoundError
from fenjie.queries.backend import QueryBackend, plain_rows
from fenjie.queries.editions import resolve_table
from fenjie.queries.questions import run_stored
from fenjie.queries.units import resolve_unit
from fenjie.roles import Role

__all__ = [
    "carried_down",
    "decomposition_tree",
    "follow_up_gaps",
    "group_breakdown",
    "resolve_work_item",
    "trace_up",
]


def resolve_work_item(
    backend: QueryBackend, name: str, *, plan: str | None = None
) -> dict[str, Any]:
    """The one work item ``name`` denotes: its IRI, or its label (exactly, else a part of exactly
    one label), within the table ``plan`` when given. ``{"iri", "label", "table"}``."""
    rows = plain_rows(run_stored(backend, "work-items", {}))
    if plan is not None:
        table = resolve_table(backend, plan)["iri"]
        rows = [r for r in rows if r["table"] == table]
    text = name.strip()
    exact = [r for r in rows if text in (r["item"], r.get("label"))]
    found = exact or [r for r in rows if text and text in (r.get("label") or "")]
    if len(found) == 1:
        r = found[0]
        return {"iri": r["item"], "label": r.get("label"), "table": r["table"]}
    if found:
        raise AmbiguousNameError(
            f"有多项工作内容与 {name!r} 相符：请指明方案（--plan）或给出 IRI (several work items match)",
            name=name,
            candidates=[f"{r.get('label')} <{r['item']}>" for r in found[:20]],
        )
    raise NotFoundError(
        f"没有与 {name!r} 相符的工作内容 (no work item matches {name!r})", name=name, suggestions=[]
    )


def _units(rows: list[dict[str, Any]], key: str, label: str, role: str) -> list[dict[str, Any]]:
    seen = {(r[key], r[role]): r.get(label) for r in rows if r.get(key) and r.get(role)}
    return [
        {"unit": {"iri": u, "label": lab}, "role": ro}
        for (u, ro), lab in sorted(seen.items(), key=lambda kv: (Role(kv[0][1]).rank, kv[1] or ""))
    ]


def carried_down(backend: QueryBackend, item: str, *, plan: str | None = None) -> dict[str, Any]:
    """The child work items that carry ``item`` (a parent work item's IRI or label) down, to any
    depth, as a tree: ``{"work_item": {"iri", "label", "table"}, "children": [{"work_item":
    {"iri", "label"}, "plan": {"iri", "title"}, "score", "units": [{"unit", "role"}],
    "children": [...]}]}``."""
    top = resolve_work_item(backend, item, plan=plan)
    rows = plain_rows(run_stored(backend, "level-children", {"item": top["iri"]}))
    by_child: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_child[r["child"]].append(r)
    nodes: dict[str, dict[str, Any]] = {}
    under: dict[str, list[str]] = defaultdict(list)
    for child, group in by_child.items():
        first = group[0]
        nodes[child] = {
            "work_item": {"iri": child, "label": first.get("childLabel")},
            "plan": {"iri": first["table"], "title": first.get("tableTitle")},
            "score": first.get("score"),
            "units": _units(group, "unit", "unitLabel", "role"),
            "order": first.get("childOrder", 0),
        }
        under[first["parent"]].append(child)

    def subtree(parent: str) -> list[dict[str, Any]]:
        kids = sorted(
            under.get(parent, []), key=lambda c: (nodes[c]["plan"]["iri"], nodes[c]["order"])
        )
        out = []
        for c in kids:
            node = {k: v for k, v in nodes[c].items() if k != "order"}
            node["children"] = subtree(c)
            out.append(node)
        return out

    return {"work_item": top, "children": subtree(top["iri"])}


def follow_up_gaps(backend: QueryBackend, child: str) -> dict[str, Any]:
    """What the plan ``child`` (a table's name or IRI) leaves without follow-up (断档): the work
    items and targets of the plans it implements that are assigned to its government and that none
    of its work items or targets carries down. ``{"child": {"iri", "title"}, "parents": [{"iri",
    "title"}], "work_items": [{"work_item": {"iri", "label", "number"}, "category", "plan"}],
    "targets": [{"iri", "year", "text", "work_item": {...}, "work_item_followed"}]}``; targets in
    the parents' order."""
    table = resolve_table(backend, child)
    rows = plain_rows(run_stored(backend, "level-gaps", {"child": table["iri"]}))
    rows.sort(
        key=lambda r: (
            r["parentTable"],
            r["itemOrder"],
            r.get("year") or 0,
            r.get("targetOrder") or 0,
        )
    )
    parents = {r["parentTable"]: r.get("parentTitle") for r in rows}

    def ref(r: dict[str, Any]) -> dict[str, Any]:
        return {"iri": r["item"], "label": r["itemLabel"], "number": r.get("itemNumber")}

    items = [
        {"work_item": ref(r), "category": r.get("category"), "plan": r["parentTable"]}
        for r in rows
        if r["kind"] == "work_item"
    ]
    unfollowed = {w["work_item"]["iri"] for w in items}
    targets = [
        {
            "iri": r["target"],
            "year": r["year"],
            "text": r["text"],
            "work_item": ref(r),
            "work_item_followed": r["item"] not in unfollowed,
        }
        for r in rows
        if r["kind"] == "target"
    ]
    return {
        "child": {"iri": table["iri"], "title": table.get("title")},
        "parents": [{"iri": p, "title": t} for p, t in parents.items()],
        "work_items": items,
        "targets": targets,
    }


def trace_up(backend: QueryBackend, unit: str) -> dict[str, Any]:
    """A unit's work items that carry down work items of a higher level, traced up: ``{"unit":
    {"iri", "label"}, "obligations": [{"work_item": {"iri", "label"}, "role", "plan": {"iri",
    "title"}, "path": [{"work_item": {"iri", "label"}, "plan": {"iri", "title"}, "score"}],
    "targets": [{"iri", "year", "text", "path": [{"iri", "text", "score"}]}], "documents":
    [{"iri", "title"}]}]}``. ``path`` runs from the unit's work item up to the top-level one;
    ``documents`` are those the work items up the path (or their targets) cite, and the plan
    documents of their tables. The unit's work items come from the named query ``level-trace``,
    the steps up from ``level-steps`` (walked here: two plain queries every SPARQL store answers)."""
    who = resolve_unit(backend, unit)
    rows = plain_rows(run_stored(backend, "level-trace", {"unit": who["iri"]}))
    if not rows:
        return {"unit": {"iri": who["iri"], "label": who.get("label")}, "obligations": []}
    item_up: dict[str, dict[str, Any]] = {}
    target_up: dict[str, dict[str, Any]] = {}
    targets_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    documents: dict[str, dict[str, str | None]] = defaultdict(dict)
    for r in plain_rows(run_stored(backend, "level-steps", {})):
        if r["kind"] == "item_step":
            item_up[r["from"]] = {
                "work_item": {"iri": r["to"], "label": r.get("toLabel")},
                "plan": {"iri": r["toTable"], "title": r.get("toTableTitle")},
                "score": r.get("score"),
            }
        elif r["kind"] == "target_step":
            target_up[r["from"]] = {
                "iri": r["to"],
                "text": r.get("toText"),
                "score": r.get("score"),
            }
            targets_of[r["owner"]].append(r)
        else:
            documents[r["from"]][r["document"]] = r.get("documentTitle")

    def walk(start: str, steps: dict[str, dict[str, Any]], iri: Any) -> list[dict[str, Any]]:
        path, at, seen = [], start, {start}
        while at in steps:
            path.append(steps[at])
            at = iri(steps[at])
            if at in seen:  # a cycle cannot come from a build, but a hand-made graph may hold one
                break
            seen.add(at)
        return path

    out = []
    for r in sorted(rows, key=lambda r: (r["table"], r["item"], Role(r["role"]).rank)):
        path = walk(r["item"], item_up, lambda step: step["work_item"]["iri"])
        targets = [
            {
                "iri": t["from"],
                "year": t.get("year"),
                "text": t.get("text"),
                "path": [
                    {"iri": s["iri"], "text": s["text"], "score": s["score"]}
                    for s in walk(t["from"], target_up, lambda step: step["iri"])
                ],
            }
            for t in sorted(targets_of.get(r["item"], []), key=lambda t: t["from"])
        ]
        cited: dict[str, str | None] = {}
        for step in path:
            cited.update(documents.get(step["work_item"]["iri"], {}))
        out.append(
            {
                "work_item": {"iri": r["item"], "label": r.get("label")},
                "role": r["role"],
                "plan": {"iri": r["table"], "title": r.get("tableTitle")},
                "path": path,
                "targets": targets,
                "documents": [
                    {"iri": d, "title": t}
                    for d, t in sorted(cited.items(), key=lambda kv: kv[1] or kv[0])
                ],
            }
        )
    return {"unit": {"iri": who["iri"], "label": who.get("label")}, "obligations": out}


def group_breakdown(backend: QueryBackend, group: str) -> dict[str, Any]:
    """A group's work items (长株潭三市政府) broken down by member: ``{"group": {"iri", "label"},
    "work_items": [{"work_item": {"iri", "label"}, "role", "plan", "members": [{"member": {"iri",
    "label"}, "plans": [{"iri", "title"}], "assigned": [{"work_item": {"iri", "label"}, "plan",
    "score", "units": [{"unit", "role"}]}]}]}]}``. A member without a plan implementing the work
    item's has ``plans: []``; one whose plan carries nothing of the work item down, ``assigned:
    []`` (the work item has no follow-up there)."""
    who = resolve_unit(backend, group)
    rows = plain_rows(run_stored(backend, "level-group", {"unit": who["iri"]}))
    items: dict[str, dict[str, Any]] = {}
    members: dict[tuple[str, str], dict[str, Any]] = {}
    assigned: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        item = items.setdefault(
            r["item"],
            {
                "work_item": {"iri": r["item"], "label": r.get("itemLabel")},
                "role": r["groupRole"],
                "plan": r["parentTable"],
                "_order": r.get("itemOrder", 0),
            },
        )
        entry = members.setdefault(
            (r["item"], r["member"]),
            {"member": {"iri": r["member"], "label": r.get("memberLabel")}, "plans": {}},
        )
        if r.get("childTable"):
            entry["plans"][r["childTable"]] = r.get("childTitle")
        if r.get("childItem"):
            assigned[(r["item"], r["member"], r["childItem"])].append(r)
        del item
    out = []
    for iri, item in sorted(items.items(), key=lambda kv: (kv[1]["plan"], kv[1]["_order"])):
        entries = []
        for (owner, member), entry in sorted(
            members.items(), key=lambda kv: kv[1]["member"]["label"] or kv[0][1]
        ):
            if owner != iri:
                continue
            children = []
            for (o, m, child), group_rows in sorted(
                assigned.items(), key=lambda kv: kv[1][0].get("childOrder", 0)
            ):
                if o != iri or m != member:
                    continue
                first = group_rows[0]
                children.append(
                    {
                        "work_item": {"iri": child, "label": first.get("childItemLabel")},
                        "plan": first["childTable"],
                        "score": first.get("score"),
                        "units": _units(group_rows, "childUnit", "childUnitLabel", "role"),
                    }
                )
            entries.append(
                {
                    "member": entry["member"],
                    "plans": [{"iri": p, "title": t} for p, t in sorted(entry["plans"].items())],
                    "assigned": children,
                }
            )
        out.append({**{k: v for k, v in item.items() if k != "_order"}, "members": entries})
    return {"group": {"iri": who["iri"], "label": who.get("label")}, "work_items": out}


def decomposition_tree(backend: QueryBackend, plan: str) -> dict[str, Any]:
    """The decomposition tree below the plan ``plan`` (a table's name or IRI): its work items with
    their units, and below each the work items of lower-level plans carrying it down (any depth)
    with theirs. ``{"plan": {"iri", "title"}, "work_items": [{"work_item": {"iri", "label"},
    "category", "plan", "score", "units": [{"unit", "role"}], "no_follow_up": [{"iri", "title"}],
    "children": [...]}]}``; ``no_follow_up`` lists the lower-level plans that leave the work item
    without follow-up although it is assigned to their government (断档)."""
    table = resolve_table(backend, plan)
    top = {"iri": table["iri"], "title": table.get("title")}
    rows = plain_rows(run_stored(backend, "level-tree", {"plan": table["iri"]}))
    nodes: dict[str, dict[str, Any]] = {}
    units: dict[str, list[dict[str, Any]]] = defaultdict(list)
    under: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r["kind"] == "item":
            key = r["item"]
            if key not in nodes:
                nodes[key] = {
                    "work_item": {"iri": key, "label": r["itemLabel"]},
                    "category": r.get("category"),
                    "plan": top,
                    "score": None,
                    "_order": (0, "", r["itemOrder"]),
                }
        else:
            key = r["node"]
            if key not in nodes:
                nodes[key] = {
                    "work_item": {"iri": key, "label": r["nodeLabel"]},
                    "category": None,
                    "plan": {"iri": r["table"], "title": r.get("tableTitle")},
                    "score": r.get("score"),
                    "_order": (1, r["table"], r["nodeOrder"]),
                }
                under[r["parent"]].append(key)
        if r.get("unit"):
            units[key].append(r)
    gaps: dict[str, list[dict[str, Any]]] = defaultdict(list)
    children_plans = {n["plan"]["iri"]: n["plan"] for n in nodes.values() if n["plan"] is not top}
    for child_plan in sorted(children_plans):
        for gap in follow_up_gaps(backend, child_plan)["work_items"]:
            gaps[gap["work_item"]["iri"]].append(children_plans[child_plan])

    def build(key: str) -> dict[str, Any]:
        node = {k: v for k, v in nodes[key].items() if k != "_order"}
        node["units"] = _units(units[key], "unit", "unitLabel", "role")
        node["no_follow_up"] = gaps.get(key, [])
        node["children"] = [
            build(c) for c in sorted(set(under.get(key, [])), key=lambda c: nodes[c]["_order"])
        ]
        return node

    roots = sorted(
        (k for k, n in nodes.items() if n["plan"] is top), key=lambda k: nodes[k]["_order"]
    )
    return {"plan": top, "work_items": [build(k) for k in roots]}
