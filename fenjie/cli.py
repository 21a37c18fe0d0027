"""The ``fenjie`` command. Commands are thin: they parse options and call the library.

Each concern keeps its commands in a module of its own (``fenjie/_cmd_*.py``), registered below.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from fenjie import __version__
from fenjie.config import SETTINGS
from fenjie.errors import FenjieError, InputError

__all__ = ["main", "store_option", "format_option", "emit_json"]

_STORE = SETTINGS[0]


class _Group(click.Group):
    """Turns fenjie's errors into one line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FenjieError as exc:
            click.echo(f"error: {exc}", err=True)
            for suggestion in exc.details.get("suggestions", []):
                click.echo(f"  did you mean: {suggestion}", err=True)
            for candidate in exc.details.get("candidates", []):
                click.echo(f"  candidate: {candidate}", err=True)
            ctx.exit(65 if isinstance(exc, InputError) else 1)


store_option = click.option(
    "--store",
    "store_path",
    envvar=_STORE.envvar,
    default=_STORE.default,
    show_default="$FENJIE_STORE, else ~/.local/share/fenjie/store",
    help=_STORE.help,
)


def format_option(*choices: str, default: str = "table") -> Any:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


def emit_json(data: Any) -> None:
    """Print JSON as UTF-8 text (Chinese stays readable)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fenjie")
def main() -> None:
    """fenjie (分解): build, query and view knowledge graphs of task-decomposition tables."""


def _register() -> None:
    from fenjie import _cmd_graph

    for module in (_cmd_graph,):
        for command in module.COMMANDS:
            main.add_command(command)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
