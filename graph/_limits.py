"""What one source may cost to read, checked *before* the work it bounds.

A hostile or broken file can be small and still ask for a lot: an .xlsx of 10 KB with one cell at
``A1048576`` asks for a grid of a million rows, a .docx with ``w:gridSpan="999999999"`` for a billion
cells, a 500 KB archive for 500 MB of XML, a cell of 200 KB for minutes of quantity extraction.
Each reader checks the amount against :class:`Limits` as soon as it knows it (from the ZIP directory,
a sheet's cell coordinates, a merge's range, a span attribute, a line count) and refuses with a
:class:`~fenjie.errors.LimitError` naming the file, the place and the flag that raises the limit.

The defaults let every real plan we have seen through many times over and keep any input under
10 MB within about 10 s and 500 MB (see docs/robustness.md).

>>> limits = Limits(rows=10)
>>> limits.check("rows", 11, file="big.tsv", place="line 11", what="the table has 11 rows")
Traceback (most recent call last):
...
fenjie.errors.LimitError: big.tsv: line 11: 行数超过上限 10，可用 --max-rows 调高 (the table has 11 rows, over the limit of 10 rows)
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, fields

from fenjie.errors import LimitError

__all__ = ["DEFAULT_LIMITS", "LIMIT_FLAGS", "Limits", "check_zip"]

#: The ``fenjie build`` option that raises each limit, and the unit it counts.
LIMIT_FLAGS: dict[str, tuple[str, str]] = {
    "cells": ("--max-cells", "cells"),
    "cell_chars": ("--max-cell-chars", "characters"),
    "rows": ("--max-rows", "rows"),
    "inflate": ("--max-inflate", "bytes"),
    "pages": ("--max-pages", "pages"),
    "triples": ("--max-triples", "triples"),
}

#: What each limit counts, in the Chinese of the messages.
_AMOUNT_ZH = {
    "cells": "单元格数",
    "cell_chars": "单元格字符数",
    "rows": "行数",
    "inflate": "解压后字节数",
    "pages": "页数",
    "triples": "三元组数",
}


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one source. Every field is raised by the ``fenjie build`` flag of
    :data:`LIMIT_FLAGS`."""

    #: grid positions (rows × columns, merged areas included) of a sheet or a document. Every
    #: cell of a table makes six triples at the least, so past 33,334 data cells the triples
    #: limit refuses the table anyway; this refuses it while reading (openpyxl takes 30-40 us a
    #: cell: a million cells of a 2.4 MB workbook took 30 s to be refused by the triples limit)
    cells: int = 50_000
    #: characters in one cell (Python's csv module has the same default field limit)
    cell_chars: int = 131_072
    #: rows of the grid (lines of a text source, table rows of a document, rows of a workbook)
    rows: int = 5_000
    #: bytes the members of a ZIP container (.docx, .xlsx) inflate to (the 5,000-row plan: 9 MB
    #: as a workbook, 6 MB as a document; openpyxl reads a sheet without a <dimension> through
    #: once before handing over a row: 4 s for 64 MB)
    inflate: int = 32 * 2**20
    #: pages of a PDF
    pages: int = 100
    #: triples one source makes (counted at the least before building, checked while building:
    #: what a grid within the other limits makes can still vary a hundredfold, e.g. 200 year
    #: columns of quantities). The largest real plans make tens of thousands (about 200 work
    #: items, at most 229 triples each in the plans we hold); a table at this limit builds in
    #: under 10 s on a 2-core machine, a refusal costs a few seconds (docs/robustness.md)
    triples: int = 200_000

    def check(self, limit: str, amount: int, *, file: str | None, place: str, what: str) -> None:
        """Raise :class:`LimitError` when ``amount`` is over the limit named ``limit``."""
        bound: int = getattr(self, limit)
        if amount > bound:
            flag, unit = LIMIT_FLAGS[limit]
            where = f"{place}: " if place else ""
            raise LimitError(
                f"{where}{_AMOUNT_ZH[limit]}超过上限 {bound:,}，可用 {flag} 调高 "
                f"({what}, over the limit of {bound:,} {unit})",
                file=file,
                limit=limit,
                flag=flag,
            )

    def check_cell(self, text: str, *, file: str | None, place: str) -> None:
        """A cell's length against :attr:`cell_chars`."""
        if len(text) > self.cell_chars:
            self.check(
                "cell_chars",
                len(text),
                file=file,
                place=place,
                what=f"a cell holds {len(text):,} characters",
            )

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


DEFAULT_LIMITS = Limits()


def check_zip(data: bytes, limits: Limits, *, file: str) -> None:
    """Refuse a ZIP container whose members would inflate past :attr:`Limits.inflate`, from its
    central directory and before anything is decompressed. Python's zipfile never returns more
    than a member's declared size, so the declared sizes bound the work. A damaged directory is
    left to the reader, which reports it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return
    total = sum(info.file_size for info in infos)
    largest = max(infos, key=lambda info: info.file_size, default=None)
    if largest is not None:
        limits.check(
            "inflate",
            total,
            file=file,
            place=f"member {largest.filename}",
            what=f"the archive inflates to {total:,} bytes ({len(data):,} compressed)",
        )
