"""``fenjie bench-build`` measures each command on its own: its process tree's peak memory and CPU
time, not the benchmark's own size, and a failing command's error output."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fenjie.bench.build import CommandFailed, measure

_MB = 1 << 20


def _python(code: str) -> list[str]:
    return [sys.executable, "-I", "-S", "-c", code]


def test_peak_memory_is_the_commands_not_the_benchmarks() -> None:
    # the benchmark holds 400 MB (touched) while the command holds 100 MB: a peak taken from a
    # process forked straight from the benchmark would report the 400 MB
    held = b"\1" * (400 * _MB)
    run = measure(_python("x = b'\\1' * (100 << 20)"))
    assert held[-1] == 1
    assert 100 <= run.peak_mb < 150
    assert run.cpu_seconds > 0


def test_peak_memory_sums_the_process_tree() -> None:
    # two children of 150 MB alive at the same time: the tree's peak is their sum
    child = "import time; x = b'\\1' * (150 << 20); time.sleep(1.5)"
    both = f"import subprocess, sys; [p.wait() for p in [subprocess.Popen([sys.executable, '-c', {child!r}]) for _ in range(2)]]"
    run = measure(_python(both))
    assert run.peak_mb >= 300


def test_a_failing_command_reports_its_status_and_errors() -> None:
    with pytest.raises(CommandFailed) as failed:
        measure(_python("import sys; sys.stderr.write('坏了\\n'); sys.exit(3)"))
    assert "failed (3)" in str(failed.value)
    assert "坏了" in str(failed.value)
    assert failed.value.measured.peak_mb < 50


def test_a_missing_command_fails_with_its_name() -> None:
    with pytest.raises(CommandFailed) as failed:
        measure(["/nonexistent/oxigraph", "load"])
    assert "failed (127)" in str(failed.value)
    assert "/nonexistent/oxigraph" in str(failed.value)


def test_a_missing_workdir_is_made_and_one_that_cannot_be_is_named(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from fenjie._cmd_bench import _make
    from fenjie.cli import main

    _make(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()
    (tmp_path / "file").write_text("x")
    for command in ("bench-build", "bench-inputs"):
        result = CliRunner().invoke(main, [command, "--workdir", str(tmp_path / "file" / "sub")])
        assert result.exit_code == 2, result.output
        assert "--workdir" in result.output and "无法创建" in result.output
        assert "Traceback" not in result.output
