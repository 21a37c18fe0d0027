"""Shared fixtures: a built store of the bundled table, live fenjie servers, headless Chromium."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from rdflib import RDF, Graph, URIRef

from fenjie.config import bundled_example
from tests.fenjie_runs import Cli, RunFenjie, run_in_cli_runner, run_in_fresh_process
from tests.ontology_files import DECLARATION_TYPES, parse_ttl

T = TypeVar("T")

# Tests that start servers, browsers, LibreOffice or fresh installs: run with `--all` (CI does).
EXTENDED_MARKERS = ("slow", "browser", "libreoffice")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--all",
        action="store_true",
        help="also run the tests marked slow, browser or libreoffice (CI runs everything)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """The default run (``pytest`` alone: the quick tests of ``testpaths``) is spread over one
    pytest-xdist worker per core when xdist is installed (the test extras have it). Runs given
    paths, ``--all``, ``-m``, ``-n``, ``-s``, ``--pdb`` or ``-p no:xdist`` stay as asked: one
    process unless ``-n`` says otherwise. CI's ``--all`` run stays in one process (its servers,
    browser and LibreOffice tests have not been tried in parallel)."""
    if (
        config.pluginmanager.has_plugin("xdist")
        and not hasattr(config, "workerinput")  # an xdist worker itself
        and config.getoption("numprocesses", None) is None
        and config.args_source is pytest.Config.ArgsSource.TESTPATHS
        and not config.getoption("--all")
        and not config.getoption("markexpr")
        and not config.getoption("collectonly")
        and not config.getoption("usepdb")
        and config.getoption("capture") != "no"  # -s: to watch a test's output as it runs
        and len(os.sched_getaffinity(0)) > 1
    ):
        config.option.numprocesses = len(os.sched_getaffinity(0))
        # a test file's tests in one worker: its module fixtures (stores, diffs) are built once
        config.option.dist = "loadfile"


# fixtures that start a server, a browser, a fresh fenjie process or a build: a test using one is
# extended
_FIXTURE_MARKERS = {
    "run_fenjie": "slow",
    "live_server": "slow",
    "server_factory": "slow",
    "wheel": "slow",
    "chromium": "browser",
}
# doctests that build and validate or draw the bundled table (seconds each)
_SLOW_DOCTESTS = {"graph.check", "viz", "viz._export"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the extended tests; without ``--all`` (or an explicit ``-m``), leave them out."""
    for item in items:
        for fixture, marker in _FIXTURE_MARKERS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(marker)
        if isinstance(item, pytest.DoctestItem) and item.name in _SLOW_DOCTESTS:
            item.add_marker("slow")
    if config.getoption("--all") or config.getoption("markexpr"):
        return
    kept, left_out = [], []
    for item in items:
        extended = any(item.get_closest_marker(m) for m in EXTENDED_MARKERS)
        (left_out if extended else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move everything alive after collection (the imported libraries, the collected tests) out of
    the garbage collector's reach: fenjie collects garbage on purpose when it closes a store (an
    Oxigraph store closes when its last reference goes), and each full collection would otherwise
    walk every object of the test session again. The automatic collections run less often too:
    the tests allocate many short-lived objects (rows, terms), and reference counting frees
    them; only cycles wait for a collection."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_store(path: Path, sources: list[Path] | None = None) -> Path:
    """Build ``sources`` (default: the bundled table) into a persistent store at ``path``."""
    from fenjie.graph import build_sources

    build_sources(sources or [bundled_example()], store_path=path)
    return path


@contextlib.contextmanager
def running_server(store: Path, *options: str, startup: float = 90.0) -> Iterator[str]:
    """Run ``fenjie serve`` in a subprocess on a free port; yield its base URL."""
    import httpx  # here: only the server tests need it, and every pytest process loads this file

    port = free_port()
    command = [sys.executable, "-m", "fenjie", "serve", "--store", str(store), "--port", str(port)]
    command += ["--log-level", "warning", *options]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup
        while True:
            if proc.poll() is not None:
                output = proc.stdout.read().decode() if proc.stdout else ""
                raise RuntimeError(f"fenjie serve exited with {proc.returncode}:\n{output}")
            try:
                if httpx.get(base + "/api/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("fenjie serve did not start in time")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


@pytest.fixture(scope="session", autouse=True)
def _builds_in_this_process() -> Iterator[None]:
    """Builds in the tests' own process run in that process (``workers=1`` by default): a worker
    process costs seconds to start (it imports fenjie again), more than the tables the tests
    build. The worker pool itself is tested with explicit ``workers`` (tests/test_build_many.py)
    and by every ``run_fenjie`` build, which runs with fenjie's own default (one per core)."""
    from fenjie.graph import store

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "default_workers", lambda: 1)
        yield


@pytest.fixture(scope="session", autouse=True)
def _no_terminal_size_from_the_caller() -> Iterator[None]:
    """Tables fit ``$COLUMNS`` when standard output is no terminal (``fenjie.queries._format``):
    the tests see none, whoever runs them (pytest-xdist's workers get ``COLUMNS=80``), so a
    command's layout is the same in every run. A test of the width sets it itself."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("COLUMNS", raising=False)
        patch.delenv("LINES", raising=False)
        yield


@pytest.fixture(scope="session")
def run_fenjie() -> RunFenjie:
    """``run_fenjie(*args, store=None, env=None, input=None, timeout=300)``: run ``fenjie`` in a
    fresh process as a user would (``python -m fenjie``), for tests of what only a process shows
    (exit status, stdout/stderr as written, signals, locks between processes, the interpreter's
    start-up). ``env`` is added to the environment. Returns the ``CompletedProcess`` (text).
    Tests using it are marked slow; a test of a command's output uses ``cli`` (in-process)."""
    return run_in_fresh_process


@pytest.fixture(scope="session")
def cli() -> Cli:
    """``cli(*args, store=None, env=None, input=None)``: run a ``fenjie`` command in this process
    (click's CliRunner) with the same arguments and the same ``CompletedProcess`` answer as
    ``run_fenjie``, for tests of what a command prints and how it exits."""
    return run_in_cli_runner


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A persistent store built from the bundled example table (do not write to it)."""
    return build_store(tmp_path_factory.mktemp("bundled") / "store")


@pytest.fixture(scope="session")
def live_server(bundled_store: Path) -> Iterator[str]:
    """A read-only fenjie server over the bundled store: short timeout, small row limit."""
    options = ("--workers", "3", "--timeout", "1.5", "--max-rows", "1000", "--max-body", "20000")
    with running_server(bundled_store, *options) as base:
        yield base


@pytest.fixture(scope="session")
def run_async() -> Callable[[Coroutine[Any, Any, T]], T]:
    """``asyncio.run`` in a thread of its own. Playwright's sync API (the ``chromium`` fixture)
    keeps an event loop running in the main thread for the rest of the session once a browser
    test has run, and ``asyncio.run`` refuses to start inside a running loop."""

    def run(coroutine: Coroutine[Any, Any, T]) -> T:
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, coroutine).result()

    return run


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (no browser download)."""
    # imported here, not at the top: fenjie.viz loads every view (seconds), and pytest imports
    # this file in every process (xdist's controller and workers), browser tests or not
    from fenjie.viz._browser import LAUNCH_ARGS  # the same flags the views' own helper uses

    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server_factory() -> Callable[..., contextlib.AbstractContextManager[str]]:
    """``with server_factory(store, "--update-token", "t") as base: ...``"""
    return running_server


@pytest.fixture(scope="session")
def store_builder() -> Callable[..., Path]:
    """``store_builder(path, [table, ...])`` builds tables into a persistent store."""
    return build_store


XSS_UNIT = "<img src=x onerror=window.__xss=1>"


@pytest.fixture(scope="session")
def xss_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The bundled table with a unit, a category and a work item poisoned with markup.

    Returns ``(path, unit payload)``: the first responsible unit is renamed to ``XSS_UNIT``, the
    category gets ``<script>`` and ``<img onerror>``, a work item an ``<a href="javascript:">``.
    Each payload sets ``window.__xss`` if it ever runs.
    """
    import re

    from fenjie.config import bundled_example

    lines = bundled_example().read_text(encoding="utf-8").splitlines()
    header_at = next(i for i, line in enumerate(lines) if "责任单位" in line)
    header = lines[header_at].split("\t")
    first = lines[header_at + 1].split("\t")
    unit = first[header.index("责任单位")].split("、")[0]
    category = first[0]
    item = re.sub(r"^\d+、", "", first[1])
    poisoned = "\n".join(lines).replace(unit, XSS_UNIT)
    poisoned = poisoned.replace(
        category, f"<script>window.__xss=2</script><img src=x onerror=window.__xss=2>{category}"
    )
    poisoned = poisoned.replace(item, f'{item}<a href="javascript:window.__xss=3">href</a>', 1)
    path = tmp_path_factory.mktemp("xss") / "xss.tsv"
    path.write_text(poisoned + "\n", encoding="utf-8")
    return path, XSS_UNIT


@pytest.fixture(scope="session")
def backend() -> object:
    """A query backend over an in-memory store of the bundled table (do not write to it)."""
    from fenjie.graph import FenjieStore, build_sources
    from fenjie.queries import LocalBackend

    store = FenjieStore.in_memory()
    build_sources([bundled_example()], store=store)
    return LocalBackend(store)


# -- the three Turtle files of ontology/, parsed once ------------------------------------------
@pytest.fixture(scope="session")
def ontology() -> Graph:
    return parse_ttl("fenjie.ttl")


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return parse_ttl("shapes.ttl")


@pytest.fixture(scope="session")
def registry() -> Graph:
    return parse_ttl("units.ttl")


@pytest.fixture(scope="session")
def declared(ontology: Graph) -> set[URIRef]:
    """The fj: terms the ontology declares (classes, properties, individuals)."""
    terms = set()
    for kind in DECLARATION_TYPES:
        terms.update(s for s in ontology.subjects(RDF.type, kind) if isinstance(s, URIRef))
    return terms
