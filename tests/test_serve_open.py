"""`fenjie serve --open` opens the page once the server answers (the README's first command)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_serve_open_opens_the_page_when_ready(bundled_store: Path, tmp_path: Path):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"  # $BROWSER is what Python's webbrowser module runs
    browser.write_text(f'#!/bin/sh\ncurl -sf "$1" >/dev/null && echo "$1" > {opened}\n', "utf-8")
    browser.chmod(0o755)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "fenjie", "serve", "--open", "--port", str(port), "--workers", "1"],
        env={**os.environ, "FENJIE_STORE": str(bundled_store), "BROWSER": str(browser)},
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        while not opened.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        # the browser was started only once the page answered (curl -f succeeded)
        assert opened.exists(), (tmp_path / "serve.log").read_text("utf-8")
        assert opened.read_text("utf-8").strip() == f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
