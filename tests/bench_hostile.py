"""Time and peak memory of ``fenjie build`` on the hostile inputs of issue 15 (bombs, huge grids,
long cells), as a markdown table for docs/robustness.md.

    python tests/bench_hostile.py                       # this checkout
    python tests/bench_hostile.py --python OTHER/python # e.g. a venv of an older commit

Each input is generated (:mod:`tests.hostile`), then built into a fresh store by a separate process
under ``/usr/bin/time -v``, with a wall-clock timeout and an address-space cap (``prlimit``) so a
runaway build is stopped rather than taking the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import hostile  # noqa: E402

CASES: dict[str, Callable[[], bytes]] = {
    "xlsx, one cell at A1048576": lambda: hostile.xlsx_cell_at("A1048576"),
    "xlsx, one cell at XFD1048576": lambda: hostile.xlsx_cell_at("XFD1048576"),
    "xlsx, merge A1:XFD1048576": lambda: hostile.xlsx_merged("A1:XFD1048576"),
    "docx, gridSpan=999999999": lambda: hostile.docx_grid_span(999_999_999),
    "docx bomb, 500 MB inflated": lambda: hostile.docx_bomb(500 * 2**20),
    "xlsx bomb, 500 MB inflated": lambda: hostile.xlsx_bomb(500 * 2**20),
    "TSV, 100,000 rows": lambda: hostile.tsv_rows(100_000),
    "TSV, one 103 KB target cell": lambda: hostile.tsv_long_cell(103_000 // 3),
    "TSV, one 213 KB target cell": lambda: hostile.tsv_long_cell(213_000 // 3),
    "TSV, one 103 KB target cell, one sentence": lambda: hostile.tsv_one_sentence_cell(39_000),
}
SUFFIX = {"xlsx": ".xlsx", "docx": ".docx", "TSV,": ".tsv"}


def _group_peak_kb(group: int) -> int:
    """The largest peak RSS (VmHWM) among the live processes of a process group."""
    peak = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group:  # field 5 of /proc/PID/stat: the process group
                status = (stat.parent / "status").read_text()
                found = re.search(r"VmHWM:\s+(\d+) kB", status)
                peak = max(peak, int(found.group(1)) if found else 0)
        except (OSError, IndexError, ValueError):
            continue
    return peak


def run(python: str, path: Path, store: Path, timeout: float, memory: int) -> tuple[str, ...]:
    command = ["prlimit", f"--as={memory}", "/usr/bin/time", "-v", python, "-m", "fenjie"]
    command += ["build", "--store", str(store), str(path)]
    started = time.perf_counter()
    # a session of its own, so that a build still running at the timeout is stopped whole
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=path.parent,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        peak = _group_peak_kb(proc.pid)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return (f"> {timeout:.0f}", f"> {peak / 1024:,.0f}", "killed", "still running: stopped")
    elapsed = time.perf_counter() - started
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    code = re.search(r"Exit status: (\d+)", stderr)
    lines = [ln for ln in stderr.splitlines() if not ln.startswith("\t")]
    lines = [ln for ln in lines if not ln.startswith("Command ")]
    last = lines[-1] if lines else stdout.strip().splitlines()[-1]
    if "Traceback" in stderr:
        last = "traceback: " + last
    return (
        f"{elapsed:.1f}",
        f"{int(rss.group(1)) / 1024:,.0f}" if rss else "—",
        code.group(1) if code else "?",
        last.replace(str(path), "FILE").replace("|", "\\|")[:110],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--memory", type=int, default=6 * 2**30, help="address-space cap, bytes")
    parser.add_argument("--only", help="run the cases whose name holds this text")
    args = parser.parse_args()
    print("| input | bytes | seconds | peak RSS (MB) | exit | last line on stderr |")
    print("|---|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory(prefix="fenjie-hostile-") as tmp:
        for k, (case, make) in enumerate(CASES.items()):
            if args.only and args.only not in case:
                continue
            suffix = next(v for key, v in SUFFIX.items() if case.startswith(key))
            path = Path(tmp) / f"case{k}{suffix}"
            path.write_bytes(make())
            result = run(args.python, path, Path(tmp) / f"store{k}", args.timeout, args.memory)
            print(f"| {case} | {path.stat().st_size:,} | " + " | ".join(result) + " |", flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
