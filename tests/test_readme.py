"""The README's promises: its two commands come first, its commands exist, its Python runs."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from fenjie.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
CI = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text("utf-8")


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, re.S)


def test_the_two_commands_come_first():
    run, test = shell_blocks()[:2]
    assert run.strip() == (
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/fenjie build"
        " && .venv/bin/fenjie serve --open"
    )
    assert test.strip() == "bash tests/setup.sh && .venv/bin/python -m pytest --all"
    # CI runs the README's test command (tests/test_install.py runs both on a fresh copy)
    assert "bash tests/setup.sh" in CI and ".venv/bin/python -m pytest --all" in CI


def test_every_command_the_readme_names_exists():
    code = "\n".join(shell_blocks() + re.findall(r"`([^`\n]+)`", README))
    named = set(re.findall(r"(?m)(?:^|\s|&& )fenjie ([a-z][a-z-]+)", code))
    assert {"build", "serve", "obligations", "load", "depends", "viz", "chart"} <= named
    missing = [
        name for name in sorted(named) if CliRunner().invoke(main, [name, "--help"]).exit_code != 0
    ]
    assert missing == []


def test_python_example_runs():
    (code,) = re.findall(r"```python\n(.*?)```", README, re.S)
    exec(compile(code, "README.md", "exec"), {})
