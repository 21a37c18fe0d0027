"""Control characters from a source never reach the terminal raw (issue 15): ESC/OSC sequences that
retitle or clear a terminal, vertical tabs, paragraph separators and bidi overrides are printed as
``\\uXXXX`` escapes by ``fenjie build``, its error line, the query tables and JSON."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from fenjie.printable import printable
from tests.fenjie_runs import Cli, RunFenjie
from tests.hostile import HEADER, ROW, tsv_bytes

HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x0b\u2029\u202e\x9b"
RAW = {c for c in HOSTILE if printable(c) != c}


def assert_escaped(text: str) -> None:
    assert not RAW & set(text), [c for c in text if c in RAW]
    # a unit cell is split at ";" and loses white space (\x0b, U+2029); the rest shows, escaped
    for piece in ("\\u001b]0", "pwned\\u0007\\u001b[2J", "\\u202e\\u009b"):
        assert piece in text


def test_printable_escapes_each_control_and_keeps_the_rest() -> None:
    assert printable("省科技厅\t牵头") == "省科技厅\t牵头"
    assert printable(HOSTILE) == "\\u001b]0;pwned\\u0007\\u001b[2J\\u000b\\u2029\\u202e\\u009b"
    assert printable("a\r\nb") == "a\\u000d\nb"


@pytest.fixture(scope="module")
def store(
    cli: Cli, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess]:
    folder = tmp_path_factory.mktemp("printable")
    source = folder / "plan.tsv"
    source.write_bytes(tsv_bytes([[ROW[0], ROW[1], ROW[2], f"县{HOSTILE}局"]]))
    done = cli("build", "--store", str(folder / "store"), str(source))
    assert done.returncode == 0, done.stderr
    return folder / "store", done


def test_build_output_escapes_unit_names(store) -> None:
    _, done = store
    assert "未登记的单位 (unregistered units)：县" in done.stdout
    assert_escaped(done.stdout)


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_query_table_and_json_escape_source_text(run_fenjie: RunFenjie, store) -> None:
    path, _ = store
    table = run_fenjie("query", "units", "--store", str(path))
    assert table.returncode == 0, table.stderr
    assert not RAW & set(table.stdout)
    assert "\\u001b]0" in table.stdout  # long cells wrap, so only a short piece is looked for
    as_json = run_fenjie("query", "units", "--store", str(path), "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert_escaped(as_json.stdout)
    labels = [r.get("label") or r.get("name") for r in json.loads(as_json.stdout)["rows"]]
    assert "pwned\x07\x1b[2J \u202e\x9b局" in labels  # the data is intact once parsed


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_error_line_escapes_source_text(run_fenjie: RunFenjie, tmp_path: Path) -> None:
    source = tmp_path / "two-headers.tsv"
    second = [*HEADER[:2], f"2024年目标{HOSTILE}", HEADER[3]]
    lines = ["\t".join(HEADER), "\t".join(ROW), "\t".join(second), "\t".join(ROW)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_fenjie("build", "--store", str(tmp_path / "store"), str(source))
    assert done.returncode == 65
    assert len(done.stderr.splitlines()) == 1
    assert "header row differs" in done.stderr
    assert_escaped(done.stderr)
    assert "\\u001b]0;pwned\\u0007\\u001b[2J\\u000b\\u2029\\u202e\\u009b" in done.stderr
