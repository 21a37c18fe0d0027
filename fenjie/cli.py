"""The ``fenjie`` command. Commands are thin: they parse options and call the library.

Each concern keeps its commands in a module of its own (``fenjie/_cmd_*.py``), registered below.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from fenjie import __version__
from fenjie.errors import FenjieError, InputError
from fenjie.printable import printable

__all__ = ["main"]


class _Group(click.Group):
    """Turns fenjie's errors into one line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FenjieError as exc:
            # one line, whatever the message quotes from a source (see fenjie.printable)
            click.echo(f"错误：{printable(str(exc), keep_newlines=False)}", err=True)
            for suggestion in exc.details.get("suggestions", []):
                click.echo(
                    f"  您是否要找：{printable(str(suggestion), keep_newlines=False)}", err=True
                )
            for candidate in exc.details.get("candidates", []):
                click.echo(f"  候选：{printable(str(candidate), keep_newlines=False)}", err=True)
            ctx.exit(65 if isinstance(exc, InputError) else 1)
        except click.UsageError as exc:
            # click's own frame ("Usage: …", "Error: …") in the words of every other fenjie error;
            # click's parts of the message itself ("Invalid value for …") stay as click says them
            shown = exc.ctx or ctx
            usage = shown.get_usage().replace("Usage: ", "用法：", 1)
            click.echo(f"{usage}\n（{shown.command_path} --help 查看帮助）", err=True)
            click.echo(f"错误：{printable(exc.format_message(), keep_newlines=False)}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fenjie")
def main() -> None:
    """fenjie (分解): build, query and view knowledge graphs of task-decomposition tables."""


# One line per command module; each exports COMMANDS. Keep heavy imports inside the commands so
# that `fenjie --help` and quick queries start fast.
_COMMAND_MODULES = (
    "fenjie._cmd_graph",
    "fenjie._cmd_serve",
    "fenjie._cmd_query",
    "fenjie._cmd_viz",
    "fenjie._cmd_bench",
    "fenjie._cmd_progress",
    "fenjie._cmd_editions",
    "fenjie._cmd_levels",
)


def _register() -> None:
    for name in _COMMAND_MODULES:
        for command in importlib.import_module(name).COMMANDS:
            main.add_command(command)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
