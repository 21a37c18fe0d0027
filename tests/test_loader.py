"""The loader that bulk-loads a table's N-Quads while the builder still writes them
(graph/_loader.py): everything written is loaded, in pieces; a loading error stops the writer
with that error; a writer's error stops the loading."""

from __future__ import annotations

import io

import pyoxigraph
import pytest
from pyoxigraph import RdfFormat

from fenjie.config import bundled_example
from fenjie.graph import read_table
from fenjie.graph._loader import StreamLoader
from fenjie.graph.builder import write_table


def _nquads() -> bytes:
    out = io.BytesIO()
    write_table(read_table(bundled_example()), out)
    return out.getvalue()


def test_what_the_builder_writes_is_loaded_whole_in_pieces() -> None:
    data = _nquads()
    store = pyoxigraph.Store()
    loaded: list[int] = []
    lines = data.splitlines(keepends=True)
    with StreamLoader(store, piece=4096, after_load=lambda: loaded.append(len(store))) as loader:
        for k in range(0, len(lines), 50):  # whole lines, as the builder's batches are
            loader.write(b"".join(lines[k : k + 50]))
    expected = set(pyoxigraph.parse(data, format=RdfFormat.N_QUADS))
    assert set(store) == expected
    assert len(loaded) > 10 and loaded == sorted(loaded)  # many pieces, each adding quads


def test_a_loading_error_reaches_the_writer() -> None:
    store = pyoxigraph.Store()
    bad = b'<http://x/a> <http://x/p> "unterminated <http://x/g> .\n'
    with pytest.raises(SyntaxError), StreamLoader(store, piece=1) as loader:
        for _ in range(50):  # the thread fails on the first piece; a later write or close says so
            loader.write(bad)


def test_a_writers_error_stops_the_loading() -> None:
    store = pyoxigraph.Store()
    data = _nquads()
    with pytest.raises(RuntimeError), StreamLoader(store, piece=1 << 30) as loader:
        loader.write(data)  # less than a piece: waits for more
        raise RuntimeError("the build failed")
    assert len(store) == 0  # what was gathered is never loaded
