"""While a build loads, RocksDB's compaction threads run at the lowest CPU priority, and get their
priority back after (graph/_compaction.py)."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pyoxigraph
import pytest

from fenjie.graph._compaction import compaction_threads, compaction_yields

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="threads are found in /proc")


def test_compaction_threads_yield_inside_the_block_only(tmp_path: Path) -> None:
    store = pyoxigraph.Store(str(tmp_path / "store"))  # RocksDB starts its thread pools
    threads = compaction_threads()
    assert threads, "an open on-disk store has RocksDB compaction threads"
    before = {tid: os.getpriority(os.PRIO_PROCESS, tid) for tid in threads}
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    with compaction_yields():
        assert all(os.getpriority(os.PRIO_PROCESS, tid) == 19 for tid in threads)
        # the thread that asked keeps its priority: only RocksDB's merging yields
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own
    after = {tid: os.getpriority(os.PRIO_PROCESS, tid) for tid in threads}
    if os.geteuid() == 0:  # raising a priority again needs the privilege
        assert after == before
    else:
        assert all(after[tid] in (before[tid], 19) for tid in threads)
    del store
