"""Read a source table, choosing the reader by content (not only by extension).

>>> from fenjie.config import bundled_example
>>> table = read_table(bundled_example())
>>> table.reader, len(table.rows), table.years
('tsv', 14, [2017, 2018, 2019])
"""

from __future__ import annotations

import os
from pathlib import Path

from fenjie.graph._table import Table
from fenjie.graph._tsv import read_tsv_bytes

from fenjie.errors import InputError

__all__ = ["read_table", "sniff_format"]


def sniff_format(data: bytes, name: str) -> str:
    """The format of a source by its first bytes: ``"tsv"`` for text; others as they are added."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    return "tsv"


def read_table(source: str | os.PathLike[str]) -> Table:
    """Read one source file into a :class:`~fenjie.graph.Table`."""
    path = Path(source)
    try:
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise InputError("is a directory, not a table file", file=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from exc
    kind = sniff_format(data, str(path))
    if kind == "tsv":
        return read_tsv_bytes(data, name=str(path))
    raise InputError(
        f"this looks like a {kind.upper()} file; fenjie reads tab-separated text here",
        file=str(path),
    )
