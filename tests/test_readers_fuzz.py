"""Seeded, bounded fuzzing of every reader (issue 15): mutations of a small file per format, each
read to a table (and built into N-Quads) or refused with one clean InputError naming the file;
never a traceback.
A few hundred per format run with ``--all`` (CI); a quick sample runs by default. The longer run
is ``python tests/fuzz_readers.py`` (docs/robustness.md)."""

from __future__ import annotations

import pytest

from tests.fuzzing import SEEDS, fuzz

SEED = 15


def check(kind: str, count: int) -> None:
    outcome = fuzz(kind, count, SEED, build=True)
    assert outcome.crashes == [], outcome.crashes[:5]
    assert outcome.total == count
    assert sum(outcome.refused.values()) > 0  # the mutations do reach the error paths


@pytest.mark.parametrize("kind", list(SEEDS))
def test_a_sample_of_mutations(kind: str) -> None:
    check(kind, 20)


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(SEEDS))
def test_a_few_hundred_mutations(kind: str) -> None:
    check(kind, 300)


@pytest.mark.slow  # 200 mutations: a check of the fuzzer itself, with the few hundred above
def test_mutations_also_produce_tables() -> None:
    """The mutations are not all fatal: for the formats whose structure they edit, many still
    read, so the fuzz exercises the readers beyond their first check."""
    for kind in ("tsv", "csv", "listform", "docx", "xlsx"):
        assert fuzz(kind, 40, SEED).built >= 5, kind
