"""Options and output helpers shared by the command modules (``fenjie/_cmd_*.py``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from fenjie.config import SETTINGS
from fenjie.printable import printable

__all__ = ["echo", "emit_json", "format_option", "store_option"]

_STORE = SETTINGS[0]


store_option = click.option(
    "--store",
    "store_path",
    envvar=_STORE.envvar,
    default=_STORE.default,
    show_default="$FENJIE_STORE, else ~/.local/share/fenjie/store",
    help=_STORE.help,
)


_F = TypeVar("_F", bound=Callable[..., Any])


def format_option(*choices: str, default: str = "table") -> Callable[[_F], _F]:
    """``--format`` with these choices (the value reaches the command as ``fmt``)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


def echo(message: str = "", *, err: bool = False, nl: bool = True, data: bool = False) -> None:
    """Print text that may hold source text, its control characters escaped (see
    :mod:`fenjie.printable`). ``data=True`` (CSV) is escaped only when it goes to a terminal, so a
    redirected file keeps the cells exactly."""
    stream = sys.stderr if err else sys.stdout  # what click.echo writes to (CliRunner swaps them)
    if not data or stream.isatty():
        message = printable(message)
    click.echo(message, err=err, nl=nl)


def emit_json(data: Any) -> None:
    """Print JSON as UTF-8 text (Chinese stays readable; control characters as \\u escapes)."""
    echo(json.dumps(data, ensure_ascii=False, indent=2))
