"""The query commands on a terminal of 80 columns (a real pseudo-terminal, as a user's shell).

Tables fit the width with Chinese characters counted as two columns; long cells wrap inside their
column and no column is dropped or cut. The tables are read back cell by cell (rich's MINIMAL box:
``│`` between columns, ``┼`` rules between rows) and compared with the JSON answers item by item.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from rich.cells import cell_len

WIDTH = 80


def run_on_terminal(store: Path, *args: str, columns: int = WIDTH) -> tuple[int, str]:
    """Run ``fenjie ARGS`` with its output on a pseudo-terminal ``columns`` wide."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(FENJIE_STORE=str(store), TERM="xterm", NO_COLOR="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "fenjie", *args], stdin=slave, stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the program closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    code = process.wait(timeout=120)
    return code, b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def json_answer(store: Path, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "fenjie", *args, "--format", "json"],
        env={**os.environ, "FENJIE_STORE": str(store)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def tables(output: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every table in ``output`` as (headers, rows); wrapped cell lines joined without spaces."""
    found = []
    lines = output.splitlines()
    i = 0
    while i < len(lines):
        if "│" not in lines[i]:
            i += 1
            continue
        block = []
        while i < len(lines) and ("│" in lines[i] or "┼" in lines[i]):
            block.append(lines[i])
            i += 1
        groups: list[list[str]] = [[]]
        for line in block:
            if "┼" in line:
                groups.append([])
            else:
                groups[-1].append(line)
        cells = []
        for group in groups:
            parts = [line.split("│") for line in group]
            count = max(len(p) for p in parts)
            cells.append(["".join(p[c].strip() for p in parts if c < len(p)) for c in range(count)])
        found.append((cells[0], cells[1:]))
    return found


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_fits(output: str) -> None:
    too_wide = [line for line in output.splitlines() if cell_len(line) > WIDTH]
    assert too_wide == []


@pytest.fixture(scope="module")
def store(bundled_store: Path) -> Path:
    return bundled_store


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_obligations_fit_80_columns(store: Path) -> None:
    code, output = run_on_terminal(store, "obligations", "省科技厅")
    assert code == 0, output
    assert_fits(output)
    answer = json_answer(store, "obligations", "省科技厅")
    ((headers, rows),) = tables(output)
    assert headers == ["角色", "工作内容（主要任务）", "目标"]
    roles = {"lead": "牵头", "responsible": "共同负责", "supporting": "配合"}
    shown = [(row[0], row[1]) for row in rows]
    assert shown == [
        (roles[e["role"]], squeeze(e["work_item"]["label"] + f"（{e['category']}）"))
        for e in answer["obligations"]
    ]
    for row, entry in zip(rows, answer["obligations"], strict=True):
        for target in entry["targets"]:
            assert squeeze(target["text"]) in row[2]
        assert "…" not in row[2]


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_obligations_via_column(store: Path) -> None:
    code, output = run_on_terminal(store, "obligations", "长沙市人民政府")
    assert code == 0, output
    assert_fits(output)
    ((headers, rows),) = tables(output)
    assert headers == ["角色", "工作内容（主要任务）", "经由", "目标"]
    assert {row[2] for row in rows} == {"长株潭三市政府"}


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_load_fits_80_columns_with_chinese_headers(store: Path) -> None:
    code, output = run_on_terminal(store, "load")
    assert code == 0, output
    assert_fits(output)
    answer = json_answer(store, "load")
    (headers, rows), (pair_headers, pairs) = tables(output)
    assert headers == [
        "单位",
        "牵头",
        "共同负责",
        "配合",
        "工作内容",
        "目标",
        "协同单位",
        "度中心性",
        "介数中心性",
    ]
    expected = [
        [
            u["unit"]["label"],
            str(u["lead"]),
            str(u["responsible"]),
            str(u["supporting"]),
            str(u["work_items"]),
            "".join(f"{y}:{n}" for y, n in u["targets"].items()),
            str(u["partners"]),
            f"{u['degree']:.3f}",
            f"{u['betweenness']:.3f}",
        ]
        for u in answer["units"]
    ]
    assert rows == expected
    assert pair_headers == ["单位甲", "单位乙", "共同工作内容"]
    assert pairs == [[p["a"]["label"], p["b"]["label"], str(p["shared"])] for p in answer["pairs"]]
    assert "共同承担工作内容最多的单位对" in output


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_load_headers_in_english_on_request(store: Path) -> None:
    code, output = run_on_terminal(store, "load", "--lang", "en")
    assert code == 0, output
    assert_fits(output)
    (headers, _rows), _pairs = tables(output)
    assert headers == [
        "unit",
        "lead",
        "responsible",
        "supporting",
        "work_items",
        "targets",
        "partners",
        "degree",
        "betweenness",
    ]
    assert not re.search(r"[\u4e00-\u9fff]", "".join(headers))


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_depends_paths_in_words_fit_80_columns(store: Path) -> None:
    code, output = run_on_terminal(store, "depends", "意见")
    assert code == 0, output
    assert_fits(output)
    answer = json_answer(store, "depends", "意见")
    ((headers, rows),) = tables(output)
    assert headers == ["年份", "工作内容", "目标", "依赖方式", "路径"]
    kinds = {"direct": "直接引用", "based_on": "依据文件", "earlier_target": "前期目标"}
    kinds["baseline"] = "前期基础"
    assert [(r[0], r[2], r[3]) for r in rows] == [
        (str(t["year"]), squeeze(t["text"]), kinds[t["kind"]]) for t in answer["targets"]
    ]
    paths = [row[4] for row in rows]
    assert all(re.search(r"—(出台|依据|引用|前序|前期基础|所属)→", p) for p in paths)
    assert not any("fj:" in p or "…" in p for p in paths)
    # 《意见》 and 《意见》实施细则 are told apart by their short names
    based_on = next(r[4] for r in rows if r[3] == "依据文件")
    assert squeeze(based_on).endswith("—出台→《意见实施细则》—依据→《意见》")
    assert output.splitlines()[0].startswith("《意见》：")


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_query_with_an_update_says_where_updates_go(store: Path) -> None:
    code, output = run_on_terminal(store, "query", "--sparql", "DELETE WHERE { ?s ?p ?o }")
    assert code == 1
    assert "fenjie push" in output and "更新端点" in output
    assert "CONSTRUCT" not in output and "Traceback" not in output
    code, output = run_on_terminal(store, "query", "--sparql", "SELEC ?s")
    assert code == 1 and "syntax error" in output and "fenjie push" not in output
