"""No build loses data: concurrent builds take turns, and a build killed at any point leaves the
last acknowledged store, which the next build starts from (issue 15, "Data loss").

Builds run as real `fenjie build` processes; kills are real SIGKILLs, sent by the build itself at a
named point (the test-only hook ``FENJIE_TEST_KILL_AT``, fenjie/graph/_faults.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from fenjie.config import DEFAULT_BASE, bundled_example
from fenjie.graph import FenjieStore, table_slug
from fenjie.graph._faults import ENV as KILL_AT
from fenjie.graph._lock import store_lock
from fenjie.graph._versions import versions_dir

pytestmark = pytest.mark.slow  # runs real builds in subprocesses


def tables(tmp_path: Path, *names: str) -> list[Path]:
    """Copies of the bundled table under other names: each its own named graph."""
    text = bundled_example().read_bytes()
    paths = []
    for name in names:
        path = tmp_path / f"{name}.tsv"
        path.write_bytes(text)
        paths.append(path)
    return paths


def iri(source: Path) -> str:
    return f"{DEFAULT_BASE}table/{table_slug(source.name)}"


def build_command(store: Path, sources: list[Path], *options: str) -> list[str]:
    return [sys.executable, "-m", "fenjie", "build", "--store", str(store), *options] + [
        str(s) for s in sources
    ]


def build(
    store: Path, sources: list[Path], *options: str, kill_at: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != KILL_AT}
    if kill_at:
        env[KILL_AT] = kill_at
    return subprocess.run(
        build_command(store, sources, *options),
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def graphs_in(store: Path) -> set[str]:
    with FenjieStore.open(store, read_only=True) as opened:
        return {t.value for t in opened.tables()}


def work_items_per_graph(store: Path) -> dict[str, int]:
    with FenjieStore.open(store, read_only=True) as opened:
        rows = opened.select(
            """PREFIX fj: <https://w3id.org/fenjie/def#>
            SELECT ?g (COUNT(?item) AS ?n) WHERE { GRAPH ?g { ?item a fj:WorkItem } } GROUP BY ?g"""
        )
    return {r["g"].value: int(r["n"].value) for r in rows}


def leftovers(store: Path) -> list[str]:
    """Staging directories, stray pointers and old-layout leftovers beside the store."""
    beside = [p.name for p in store.parent.iterdir() if p.name.startswith(f".{store.name}.")]
    stray = [n for n in beside if not n.endswith((".lock", ".versions"))]
    versions = versions_dir(store)
    staging = (
        [p.name for p in versions.iterdir() if "staging" in p.name] if versions.is_dir() else []
    )
    return stray + staging


# -- two builds at once ------------------------------------------------------------------------


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_two_concurrent_builds_both_land(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = tables(tmp_path, "a1", "a2", "a3")
    second = tables(tmp_path, "b1", "b2", "b3", "b4")
    # Hold the lock ourselves until both builds are waiting for it, so they really overlap.
    with store_lock(store):
        procs = [
            subprocess.Popen(
                build_command(store, sources), stderr=subprocess.PIPE, stdout=subprocess.PIPE
            )
            for sources in (first, second)
        ]
        for proc in procs:
            assert proc.stderr is not None
            waiting = proc.stderr.readline().decode("utf-8")
            assert "等待" in waiting and "build lock" in waiting
    results = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], results
    assert graphs_in(store) == {iri(s) for s in first + second}
    assert work_items_per_graph(store) == {iri(s): 14 for s in first + second}


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_two_builds_started_together_keep_every_table(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first, second = tables(tmp_path, "c1", "c2"), tables(tmp_path, "d1", "d2", "d3")
    procs = [
        subprocess.Popen(build_command(store, s), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for s in (first, second)
    ]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    assert graphs_in(store) == {iri(s) for s in first + second}


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_no_wait_fails_clearly_and_changes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    (kept,) = tables(tmp_path, "kept")
    assert build(store, [kept]).returncode == 0
    (other,) = tables(tmp_path, "other")
    with store_lock(store):
        refused = build(store, [other], "--no-wait")
        timed_out = build(store, [other], "--lock-timeout", "0.5")
    for result in (refused, timed_out):
        assert result.returncode == 1
        assert result.stderr.splitlines()[-1].startswith("错误：存储正被另一个构建写入")
        assert "Traceback" not in result.stderr
    assert "已等待 0.5 秒" in timed_out.stderr
    assert graphs_in(store) == {iri(kept)}


# -- a build killed at each point ----------------------------------------------------------------

BEFORE_SWITCH = ("locked", "staging", "table-written", "staged", "pointer-made")


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
@pytest.mark.parametrize("point", [*BEFORE_SWITCH, "switched"])
def test_a_killed_build_leaves_the_acknowledged_store(tmp_path: Path, point: str) -> None:
    store = tmp_path / "store"
    acknowledged = tables(tmp_path, "one", "two")
    assert build(store, acknowledged).returncode == 0
    (killed_source,) = tables(tmp_path, "killed")
    killed = build(store, [killed_source], kill_at=point)
    assert killed.returncode == -signal.SIGKILL
    expected = {iri(s) for s in acknowledged}
    if point == "switched":  # the pointer was switched: the new version is the store
        expected.add(iri(killed_source))
    assert graphs_in(store) == expected
    # the next build starts from that store, and cleans up what the killed one left
    (after,) = tables(tmp_path, "after")
    assert build(store, [after]).returncode == 0
    assert graphs_in(store) == expected | {iri(after)}
    assert work_items_per_graph(store) == dict.fromkeys(expected | {iri(after)}, 14)
    assert leftovers(store) == []
    assert len(list(versions_dir(store).iterdir())) <= 2  # the live version and the previous one


def old_layout(store: Path) -> None:
    """Turn a store into the layout of earlier releases: a plain directory, no versions folder."""
    live = store.resolve()
    store.unlink()
    live.rename(store)
    shutil.rmtree(versions_dir(store))


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_a_build_killed_while_moving_an_old_layout_store_loses_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    acknowledged = tables(tmp_path, "old1", "old2", "old3")
    assert build(store, acknowledged).returncode == 0
    old_layout(store)
    assert store.is_dir() and not store.is_symlink()
    (new,) = tables(tmp_path, "new")
    assert build(store, [new], kill_at="migrated").returncode == -signal.SIGKILL
    assert not store.exists()  # killed between the two renames of the move
    # a reader repairs the pointer when it opens the store
    assert graphs_in(store) == {iri(s) for s in acknowledged}
    assert build(store, [new]).returncode == 0
    assert graphs_in(store) == {iri(s) for s in acknowledged + [new]}


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_data_stranded_by_the_old_two_rename_swap_is_recovered(tmp_path: Path) -> None:
    """The issue's case: the old swap was killed between its renames, leaving `.store.old-PID`
    (the whole store) and `.store.building-PID`; the next build must not start from empty."""
    store = tmp_path / "store"
    acknowledged = tables(tmp_path, *(f"t{k}" for k in range(5)))
    assert build(store, acknowledged).returncode == 0
    old_layout(store)
    store.rename(tmp_path / ".store.old-4242")
    shutil.copytree(tmp_path / ".store.old-4242", tmp_path / ".store.building-4242")
    (next_source,) = tables(tmp_path, "next")
    result = build(store, [next_source])
    assert result.returncode == 0, result.stderr
    assert "恢复" in result.stderr and ".store.old-4242" in result.stderr
    assert graphs_in(store) == {iri(s) for s in acknowledged + [next_source]}
    assert leftovers(store) == []


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_a_failed_build_keeps_the_store_and_leaves_no_staging(tmp_path: Path) -> None:
    store = tmp_path / "store"
    (kept,) = tables(tmp_path, "kept")
    assert build(store, [kept]).returncode == 0
    bad = tmp_path / "bad.tsv"
    bad.write_text("no header here\n", "utf-8")
    result = build(store, [bad])
    assert result.returncode == 65
    assert graphs_in(store) == {iri(kept)}
    assert leftovers(store) == []


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_a_server_update_waits_for_no_build_and_survives_the_next(
    tmp_path: Path, server_factory
) -> None:
    """Updates through `fenjie serve` take the build lock too: refused (503) while a build holds
    it, and an acknowledged update is in the store the next build starts from."""
    store = tmp_path / "store"
    (first,) = tables(tmp_path, "first")
    assert build(store, [first]).returncode == 0
    update = 'INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> "值" } }'
    headers = {"Content-Type": "application/sparql-update", "Authorization": "Bearer t"}
    with server_factory(store, "--update-token", "t", "--workers", "2") as base:
        with store_lock(store):
            busy = httpx.post(base + "/sparql", content=update.encode(), headers=headers)
        assert busy.status_code == 503 and busy.json()["error"]["code"] == "store_busy"
        done = httpx.post(base + "/sparql", content=update.encode(), headers=headers)
        assert done.status_code == 204, done.text
    (second,) = tables(tmp_path, "second")
    assert build(store, [second]).returncode == 0
    assert graphs_in(store) == {iri(first), iri(second)}
    with FenjieStore.open(store, read_only=True) as opened:
        assert opened.ask('ASK { <http://example.org/s> <http://example.org/p> "值" }')
