"""The README's two commands, run as written on a fresh copy with Debian's own Python.

Debian's ``/usr/bin/python3`` is "externally managed" (PEP 668): ``pip install`` into it fails, so
both commands install into ``.venv``. Each test copies the repository's files to an empty folder and
runs with an empty HOME and a PATH where ``python3`` is ``/usr/bin/python3``; pip downloads
everything (the two tests share one download cache, kept outside HOME).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")
DEBIAN_PYTHON = Path("/usr/bin/python3")
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# what a machine needs to reach its package index; nothing else of this session leaks in
PASSED_ON = ("PIP_CERT", "PIP_INDEX_URL", "SSL_CERT_FILE", "http_proxy", "https_proxy", "no_proxy")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1800),
    pytest.mark.skipif(
        not DEBIAN_PYTHON.exists()
        or subprocess.run([DEBIAN_PYTHON, "-c", "import ensurepip, venv"]).returncode != 0,
        reason="needs Debian's /usr/bin/python3 with python3-venv",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def readme_commands() -> tuple[str, str]:
    run, test = re.findall(r"```sh\n(.*?)```", README, re.S)[:2]
    return run.strip(), test.strip()


@pytest.fixture(scope="module")
def pip_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pip-cache")


def fresh_copy(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The repository's files (committed or not, minus ignored ones) in a new folder, a fresh HOME."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    repo = tmp_path / "fenjie"
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k in PASSED_ON}
    env.update(HOME=str(home), PATH=SYSTEM_PATH, LANG="C.UTF-8")
    return repo, env


def test_first_command_builds_serves_and_opens_the_page(tmp_path: Path, pip_cache: Path) -> None:
    run, _ = readme_commands()
    assert run.endswith(" --open")
    repo, env = fresh_copy(tmp_path)
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"  # $BROWSER is what Python's webbrowser module starts
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n', "utf-8")
    browser.chmod(0o755)
    env.update(BROWSER=str(browser), PIP_CACHE_DIR=str(pip_cache))
    port = free_port()  # the README's command on port 8000 could meet another server here
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["bash", "-c", f"{run} --port {port}"],
            cwd=repo,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 1500
        while not opened.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert opened.exists(), log_path.read_text("utf-8", errors="replace")[-4000:]
        url = opened.read_text("utf-8").strip()
        assert url == f"http://127.0.0.1:{port}/"
        page = httpx.get(url, timeout=30)
        assert page.status_code == 200 and "分解" in page.text
        answer = httpx.get(url + "api/obligations", params={"unit": "省科技厅"}, timeout=30).json()
        assert len(answer["obligations"]) == 13
        # the store went to the fresh HOME's XDG data folder, nothing into the system Python
        assert (tmp_path / "home" / ".local" / "share" / "fenjie" / "store" / "CURRENT").exists()
        assert (repo / ".venv" / "bin" / "fenjie").exists()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def test_test_command_sets_up_and_runs_tests(tmp_path: Path, pip_cache: Path) -> None:
    _, test = readme_commands()
    repo, env = fresh_copy(tmp_path)
    env["PIP_CACHE_DIR"] = str(pip_cache)
    # the README's command, on a few quick tests of the copy (the whole suite runs in CI itself)
    command = (
        test + " -q -p no:cacheprovider tests/test_readme.py tests/test_packaging.py -k 'not wheel'"
    )
    result = subprocess.run(
        ["bash", "-c", command], cwd=repo, env=env, capture_output=True, text=True, timeout=1500
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert re.search(r"\d+ passed", result.stdout)
    assert "setup: done (fenjie " in result.stdout
