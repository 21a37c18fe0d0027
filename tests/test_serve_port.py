"""`fenjie serve` on a busy port says so and exits 69; `--port 0` picks a free port and prints it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from fenjie.cli import main


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_busy_port_is_one_clear_message(bundled_store: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "fenjie", "serve", "--port", str(port), "--workers", "1"],
            env={**os.environ, "FENJIE_STORE": str(bundled_store)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 69, result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()  # one line, no traceback, no "serving on"
    assert line.startswith(f"错误：端口 {port} 已被占用；请换用 --port ")
    suggested = int(re.search(r"--port (\d+)", line).group(1))  # type: ignore[union-attr]
    assert suggested > port
    with socket.create_server(("127.0.0.1", suggested)):  # the suggestion really is free
        pass


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_port_zero_picks_a_free_port_and_prints_it(bundled_store: Path, tmp_path: Path) -> None:
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "fenjie", "serve", "--port", "0", "--workers", "1"],
            env={**os.environ, "FENJIE_STORE": str(bundled_store), "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline and process.poll() is None:
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", log_path.read_text("utf-8"))
            url = found.group(0) if found else None
            time.sleep(0.1)
        assert url is not None and not url.endswith(":0/"), log_path.read_text("utf-8")
        while time.monotonic() < deadline:
            try:
                response = httpx.get(url + "api/health", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_every_command_is_listed_in_help() -> None:
    listed = CliRunner().invoke(main, ["--help"]).output
    names = set(re.findall(r"(?m)^  ([a-z][a-z-]+)  ", listed))
    assert set(main.commands) == names
    assert "bench" in names
