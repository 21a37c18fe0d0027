"""Read task-decomposition tables and build fenjie's RDF graph.

>>> from fenjie.graph import FenjieStore, build_sources
>>> from fenjie.config import bundled_example
>>> store = FenjieStore.in_memory()
>>> [b.counts["work_items"] for b in build_sources([bundled_example()], store=store)]
[14]
"""

from fenjie.graph._cells import Item, UnitMention, numbering_gaps, split_enumeration, split_units
from fenjie.graph._names import normalize_unit_name
from fenjie.graph._table import Column, ColumnKind, Row, Table, classify_header
from fenjie.graph.builder import BuiltTable, build_table, table_slug
from fenjie.graph.read import read_table
from fenjie.graph.store import MEMORY, BuiltSource, FenjieStore, build_sources

__all__ = [
    "MEMORY",
    "BuiltSource",
    "BuiltTable",
    "Column",
    "ColumnKind",
    "FenjieStore",
    "Item",
    "Row",
    "Table",
    "UnitMention",
    "build_sources",
    "build_table",
    "classify_header",
    "normalize_unit_name",
    "numbering_gaps",
    "read_table",
    "split_enumeration",
    "split_units",
    "table_slug",
]
