"""The query catalogues: every SPARQL query the package runs is a ``.rq`` file, read by one loader.

Checked on the source: no string in the code (docstrings and their examples aside) is a SPARQL
query, apart from updates that carry serialized data.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from pyoxigraph import Store

from fenjie.catalogue import load_catalogue, parse_stored_query
from fenjie.errors import QueryError, UnknownQueryError
from fenjie.graph._sparql import sparql
from fenjie.queries import stored_queries
from tests.python_sources import docstrings

ROOT = Path(__file__).resolve().parent.parent
PARTS = ["fenjie", "graph", "queries", "viz"]
# a query form (or an update) followed by a group: what a SPARQL query in a string looks like
_QUERY = re.compile(
    r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE|INSERT|DELETE)\b[^{}\n]*\{|\bWHERE\s*\{|\bPREFIX\s+\w*:"
)
# benchmark payloads: the load a benchmark sends, not a query fenjie runs
_PAYLOADS = {"fenjie/bench/server.py", "fenjie/bench/soak.py"}


def _updates(tree: ast.AST) -> set[int]:
    """The text parts of f-strings that build a SPARQL Update (``DROP …``, ``INSERT …``) around
    serialized data (N-Triples terms of the store, never user text): data, not a query."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [v for v in node.values if isinstance(v, ast.Constant)]
            if parts and str(parts[0].value).startswith(("INSERT", "DROP")):
                found.update(id(v) for v in parts)
    return found


def _inline_queries() -> list[str]:
    hits = []
    for part in PARTS:
        for path in sorted((ROOT / part).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in _PAYLOADS:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip, updates = docstrings(tree), _updates(tree)
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in skip
                    and _QUERY.search(node.value)
                    and id(node) not in updates
                ):
                    hits.append(f"{rel}:{node.lineno}: {node.value[:60]!r}")
    return hits


def test_no_query_is_written_inline() -> None:
    assert _inline_queries() == []


def test_the_check_finds_an_inline_query(tmp_path: Path) -> None:
    source = 'ROWS = "SELECT ?s WHERE { ?s ?p ?o }"\nTEXT = "select a unit"\n'
    tree = ast.parse(source)
    found = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and _QUERY.search(n.value)
    ]
    assert found == ["SELECT ?s WHERE { ?s ?p ?o }"]


def test_private_catalogues_are_not_offered_to_users() -> None:
    private = set(load_catalogue("fenjie.graph.sparql")) | set(
        load_catalogue("fenjie.queries.endpoint")
    )
    assert private and not private & set(stored_queries())
    assert "fj:SourceTable" in sparql("table-graphs")
    with pytest.raises(UnknownQueryError):
        sparql("no-such-query")


def test_every_query_parses_and_every_select_of_the_catalogue_has_its_columns() -> None:
    empty = Store()
    for package in (
        "fenjie.queries",
        "fenjie.graph.sparql",
        "fenjie.queries.endpoint",
        "fenjie.bench.sparql",
    ):
        for name, query in load_catalogue(package).items():
            assert query.form in ("SELECT", "CONSTRUCT", "ASK"), name
            empty.query(query.text)  # a syntax error raises
    # an empty answer still has its columns (the CLI and the API give the same JSON)
    assert all(q.variables for q in stored_queries().values() if q.form == "SELECT")


def test_a_header_without_a_name_is_an_error() -> None:
    with pytest.raises(QueryError, match="name"):
        parse_stored_query("SELECT * {}")
