"""The builder writes N-Quads text itself: its escaping must read back as the same values, and
the streamed build must hold what the store gets, item by item."""

from __future__ import annotations

import io
import random
from collections import Counter

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from fenjie.config import bundled_example
from fenjie.graph import build_table, read_table
from fenjie.graph._nquads import NQuadsWriter, iri, literal
from fenjie.graph.builder import write_table
from fenjie.graph.read import read_bytes

_AWKWARD = list('"\\\n\r\t\x00\x1b\x7f\u2028\u2029《𠀀a')


def _read_back(line: str) -> Literal:
    quad = next(iter(parse(line.encode("utf-8"), format=RdfFormat.N_QUADS)))
    assert isinstance(quad.object, Literal)
    return quad.object


def test_every_ascii_character_is_written_on_one_line_and_reads_back() -> None:
    """Each control character, quote and backslash, alone and inside plain text (the writer
    escapes only text that holds one of them)."""
    for code in range(0x80):
        for text in (chr(code), f"第{chr(code)}项工作"):
            written = literal(text, language="zh")
            assert written.isprintable(), repr(written)
            assert _read_back(f"<a:s> <a:p> {written} .\n") == Literal(text, language="zh")


@pytest.mark.parametrize("seed", range(5))
def test_literals_read_back_as_written(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        text = "".join(rng.choice(_AWKWARD) for _ in range(rng.randint(0, 12)))
        for kwargs, expected in (
            ({"language": "zh"}, Literal(text, language="zh")),
            ({}, Literal(text)),
            (
                {"datatype": "http://www.w3.org/2001/XMLSchema#date"},
                Literal(text, datatype=NamedNode("http://www.w3.org/2001/XMLSchema#date")),
            ),
        ):
            rendered = literal(text, **kwargs)
            assert "\n" not in rendered and "\r" not in rendered
            line = f"{iri('http://x/s')} {iri('http://x/p')} {rendered} {iri('http://x/g')} .\n"
            assert _read_back(line) == expected


def test_writer_batches_and_counts_lines() -> None:
    out = io.BytesIO()
    writer = NQuadsWriter(out, batch=3)
    for k in range(7):
        writer.append(f'<http://x/{k}> <http://x/p> "{k}" <http://x/g> .\n')
        writer.flush_if_full()
    assert writer.lines == 7 and writer.written == 6  # two batches written, one line gathered
    writer.flush()
    assert writer.lines == writer.written == 7
    assert len(list(parse(out.getvalue(), format=RdfFormat.N_QUADS))) == 7


def test_streamed_build_is_the_object_build() -> None:
    table = read_table(bundled_example())
    out = io.BytesIO()
    streamed = write_table(table, out, slug="same")
    built = build_table(table, slug="same")
    quads = list(parse(out.getvalue(), format=RdfFormat.N_QUADS))
    assert streamed.quads == [] and streamed.counts == built.counts
    assert set(quads) == set(built.quads) | set(built.shared_quads)
    assert len(quads) == len(set(quads)) == built.counts["triples"]  # each quad written once


def test_continuation_rows_and_repeated_units_are_written_once() -> None:
    # A unit named twice in one row and again in a continuation row of the same work item: the
    # quad "unit fj:supports item" is one fact, written once; the next work item has its own.
    lines = [
        "某县任务分解表",
        "主要任务\t工作内容\t2023年目标\t责任单位\t配合单位",
        "平台\t1、网站\t建成\t县科技局\t县财政局、县财政局",
        "\t\t上线\t\t县财政局",
        "\t2、平台\t建成\t县科技局\t县财政局",
    ]
    table = read_bytes(("\n".join(lines) + "\n").encode("utf-8"), name="plan.tsv")
    out = io.BytesIO()
    built = write_table(table, out, slug="plan")
    quads = list(parse(out.getvalue(), format=RdfFormat.N_QUADS))
    assert len(quads) == len(set(quads)) == built.counts["triples"]
    supports = Counter(
        q.object.value.rsplit("/", 1)[1] for q in quads if q.predicate.value.endswith("#supports")
    )
    assert supports == {"1-1": 1, "1-2": 1}


def test_shared_lines_apart_are_the_same_lines() -> None:
    """With a second sink the shared graph's lines go there (graph/store.py loads a table's own
    lines in pieces of their own): the same lines, each graph's in the same order, and the same
    count of triples, as written together."""
    table = read_table(bundled_example())
    together, own, shared = io.BytesIO(), io.BytesIO(), io.BytesIO()
    one = write_table(table, together)
    two = write_table(table, own, shared=shared)
    marker = "<https://w3id.org/fenjie/id/graph/shared> .\n"
    lines = together.getvalue().decode("utf-8").splitlines(keepends=True)
    assert [line for line in lines if line.endswith(marker)] == shared.getvalue().decode(
        "utf-8"
    ).splitlines(keepends=True)
    assert [line for line in lines if not line.endswith(marker)] == own.getvalue().decode(
        "utf-8"
    ).splitlines(keepends=True)
    assert shared.getvalue() and own.getvalue()
    assert two.counts == one.counts and two.counts["triples"] == len(lines)
