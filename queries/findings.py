"""The findings each table's build recorded, grouped by table: what the page's 存疑 tab shows.

``fenjie check`` computes findings by asking the whole store; the build records each table's
(graph/_recorded.py), so reading them is one named query, ``findings``, on any backend, an
embedded store or a remote endpoint alike. The answer has the shape of
:func:`fenjie.graph.check.findings_by_table` (``tests/test_findings.py`` holds the two equal,
finding by finding), plus ``recorded``: false for a table built before findings were recorded,
whose findings only ``fenjie check`` (or a rebuild) can tell.

>>> from fenjie.graph import FenjieStore, build_sources
>>> from fenjie.config import bundled_example
>>> from fenjie.queries import LocalBackend
>>> store = FenjieStore.in_memory()
>>> _ = build_sources([bundled_example()], store=store)
>>> [(t["recorded"], [f["kind"] for f in t["findings"]]) for t in recorded_findings(LocalBackend(store))]
[(True, ['responsible_and_supporting'])]
"""

from __future__ import annotations

from typing import Any

from fenjie.graph._findings import NOTE_KINDS, describe_source
from fenjie.graph._recorded import read_finding
from fenjie.queries.backend import QueryBackend
from fenjie.queries.registry import get_stored

__all__ = ["recorded_findings"]


def recorded_findings(backend: QueryBackend) -> list[dict[str, Any]]:
    """Every source table with its recorded findings and notes: ``[{"table", "title", "file",
    "recorded", "findings": [...], "notes": [...]}]``, each finding and note with ``where`` for
    people, in the order ``fenjie check`` lists them."""
    groups: dict[str, dict[str, Any]] = {}
    for r in backend.select(get_stored("findings").text):
        row = {name: term.value for name, term in r.items() if term is not None}
        table = row["table"]
        group = groups.setdefault(
            table,
            {
                "table": table,
                "title": row.get("title", ""),
                "file": row.get("file", ""),
                "recorded": "recorded" in row,
                "findings": [],
                "notes": [],
            },
        )
        if "finding" not in row:
            continue
        finding = read_finding(row)
        key = "notes" if finding["kind"] in NOTE_KINDS else "findings"
        group[key].append({**finding, "where": describe_source(finding["source"])})
    return list(groups.values())
