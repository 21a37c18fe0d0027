"""Terminal tables and CSV for the query commands.

Tables are laid out by rich: on a terminal they fit its width, wrapping long cells (never dropping
or cutting columns), with Chinese wide characters counted as two columns. Piped into a file or
another program, a table keeps its natural width (cells wrap only beyond ``limit`` columns), unless
``$COLUMNS`` says how wide to be. Cell text is data: it is never read as rich markup.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import sys
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from fenjie.printable import printable

__all__ = ["EDGE_WORDS", "csv_text", "output_width", "path_text", "text_table", "width"]

# Dependency paths in words, as the page shows them (a baseline entry hangs off its work item)
EDGE_WORDS = {
    "fj:refersTo": "引用",
    "fj:produces": "出台",
    "fj:basedOn": "依据",
    "fj:precedes": "前序",
    "fj:workItem": "所属",
}
_UNBOUNDED = 100_000


def width(text: str) -> int:
    """Display width: wide and full-width characters take two columns.

    >>> width("省科技厅 ok")
    11
    """
    return cell_len(text)


def output_width() -> int | None:
    """Columns available on standard output: the terminal's, else ``$COLUMNS``, else none."""
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else None


def text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    limit: int = 60,
    columns: int | None = None,
    no_wrap: Sequence[int] = (),
    min_width: dict[int, int] | None = None,
    narrow: Sequence[int] = (),
) -> str:
    """An aligned plain-text table.

    ``columns`` is the width to fit (default: :func:`output_width`); without one, cells wrap only
    beyond ``limit`` columns. Columns whose index is in ``no_wrap`` (short words) are never wrapped;
    ``min_width`` keeps a column at least that wide (names stay readable beside many numbers);
    columns in ``narrow`` (numbers) are as wide as their values when a width is imposed, their
    headers wrapping (共同/负责), so that the text columns get the room. Rows are separated by a rule whenever a width is imposed, so wrapped rows stay apart.

    >>> print(text_table(["a", "单位"], [[1, "省科技厅"]], columns=None))
    a │单位
    ──┼────────
    1 │省科技厅
    """
    fit = columns if columns is not None else output_width()
    table = Table(
        box=box.MINIMAL,
        show_edge=False,
        show_lines=fit is not None,
        header_style="",
        highlight=False,
        pad_edge=False,
        collapse_padding=True,
    )
    cells = [[_clean(v) for v in row] for row in rows]
    for index, header in enumerate(headers):
        fixed = None
        if fit is not None and index in narrow:
            values = [cell_len(line) for row in cells for line in row[index].splitlines()]
            fixed = max([min(cell_len(str(header)), 4), *values])
        table.add_column(
            Text(str(header)),
            overflow="fold",
            no_wrap=index in no_wrap,
            min_width=(min_width or {}).get(index),
            max_width=None if fit is not None else limit,
            width=fixed,
        )
    for row in cells:
        table.add_row(*(Text(v) for v in row))
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=fit or _UNBOUNDED,
        color_system=None,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
    )
    console.print(table)
    text = buffer.getvalue()
    return "\n".join(line.rstrip() for line in text.splitlines())


def _clean(value: Any) -> str:
    """Runs of white space become one space; line breaks the caller put in are kept; control
    characters from a source are shown escaped (:mod:`fenjie.printable`), before the layout
    measures the cell."""
    if value is None:
        return ""
    lines = printable(str(value).replace("\r\n", "\n")).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines)


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV with a header row (values as text, ``None`` as empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def path_text(
    path: Sequence[dict[str, Any]],
    *,
    short_names: dict[str, str] | None = None,
    limit: int = 0,
    skip_first: bool = False,
) -> str:
    """A dependency path in words: ``目标 —出台→ 《意见》实施细则 —依据→ 《意见》``.

    Documents are named by their short name where ``short_names`` (IRI → short name) has one, else
    by their whole title, so that 《意见》 and 《意见》实施细则 never look alike. ``limit`` (if set)
    cuts other node labels to that many columns; ``skip_first`` leaves out the first node (the
    target itself, where a table shows it beside the path).
    """
    short_names = short_names or {}
    parts = []
    for step in path[1:] if skip_first and path else path:
        if "edge" in step:
            word = EDGE_WORDS.get(step["edge"], step["edge"])
            if step["edge"] == "fj:workItem" and step.get("inverse"):
                word = "前期基础"  # from a work item to one entry of its baseline
            parts.append(f"—{word}→")
        elif step.get("type") == "PolicyDocument":
            parts.append(
                f"《{short_names.get(step.get('iri', ''), step.get('label') or step['iri'])}》"
            )
        else:
            label = str(step.get("label") or step.get("iri"))
            if limit and width(label) > limit:
                cut = ""
                for char in label:
                    if width(cut + char) > limit - 1:
                        break
                    cut += char
                label = cut + "…"
            parts.append(label)
    return " ".join(parts)
