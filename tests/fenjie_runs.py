"""Running the ``fenjie`` command in tests: in a fresh process (the ``run_fenjie`` fixture) or in
this process through click's CliRunner (the ``cli`` fixture), with one signature and one answer
(``subprocess.CompletedProcess`` with text ``stdout`` and ``stderr``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Protocol

__all__ = ["Cli", "RunFenjie", "fenjie_command", "run_in_cli_runner", "run_in_fresh_process"]


def fenjie_command(*args: str | os.PathLike[str], store: Path | None = None) -> list[str]:
    """``python -m fenjie ARGS [--store STORE]`` with this interpreter (the venv's fenjie)."""
    command = [sys.executable, "-m", "fenjie", *map(str, args)]
    return command + (["--store", str(store)] if store is not None else [])


class RunFenjie(Protocol):
    def __call__(
        self,
        *args: str | os.PathLike[str],
        store: Path | None = None,
        env: dict[str, str] | None = None,
        input: str | None = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str]: ...


def run_in_fresh_process(
    *args: str | os.PathLike[str],
    store: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        fenjie_command(*args, store=store),
        capture_output=True,
        text=True,
        input=input,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


class Cli(Protocol):
    def __call__(
        self,
        *args: str | os.PathLike[str],
        store: Path | None = None,
        env: dict[str, str] | None = None,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]: ...


def run_in_cli_runner(
    *args: str | os.PathLike[str],
    store: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    from click.testing import CliRunner

    from fenjie.cli import main

    command = fenjie_command(*args, store=store)[3:]
    result = CliRunner(env=env).invoke(main, command, input=input, catch_exceptions=False)
    return subprocess.CompletedProcess(command, result.exit_code, result.stdout, result.stderr)
