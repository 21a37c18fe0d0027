"""Realistic synthetic task-decomposition tables, at any size, for benchmarks.

The vocabulary comes from a real table (default: the bundled example): categories, work items,
baseline entries, yearly targets, responsible and supporting units, each drawn with the frequency
it has there, so busy units stay busy and documents and indicators repeat. Numbers in targets are
varied (so quantitative indicators repeat with other values), years differ per table, and some
targets name new documents. Tables are written as tab-separated files that the normal reader reads.

>>> text = next(iter(synthetic_tables(5, seed=1)))[1]
>>> text.splitlines()[2].split("\\t")[:3]
['主要任务', '工作内容', '前期工作基础']
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from fenjie.graph._cells import split_enumeration
from fenjie.graph._table import ColumnKind
from fenjie.graph.read import read_table

__all__ = [
    "Vocabulary",
    "network_vocabulary",
    "synthetic_tables",
    "vocabulary",
    "write_synthetic",
]

_NUMBER = re.compile(r"\d+")
_NUMBERING = re.compile(r"^\s*\d+\s*[、.．]\s*")
_PLACES = ("长株潭", "洞庭湖", "湘江新区", "湘南", "大湘西", "岳阳", "衡阳", "常德", "郴州", "永州")
_PROGRAMMES = ("创新型省份建设", "数字经济发展", "产业转型升级", "开放型经济", "科技成果转化")


@dataclass
class Vocabulary:
    """Texts of a real table, with repetition (a text occurring twice is listed twice)."""

    categories: list[str] = field(default_factory=list)
    work_items: list[str] = field(default_factory=list)
    baselines: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    supporting: list[str] = field(default_factory=list)


def _entries(cell: str) -> list[str]:
    return [
        _NUMBERING.sub("", e.text if hasattr(e, "text") else str(e)).strip("；;。 ")
        for e in split_enumeration(cell)
    ]


def vocabulary(source: str | os.PathLike[str] | None = None) -> Vocabulary:
    """The vocabulary of ``source`` (default: the bundled example table)."""
    from fenjie.config import bundled_example

    table = read_table(source or bundled_example())
    vocab = Vocabulary()
    kinds = {c.index: c.kind for c in table.columns}
    last_category = ""
    for row in table.rows:
        for index, cell in enumerate(row.cells, start=1):
            kind, cell = kinds.get(index), cell.strip()
            if not cell and kind is not ColumnKind.CATEGORY:
                continue
            if kind is ColumnKind.CATEGORY:
                last_category = cell or last_category
                vocab.categories.append(last_category)
            elif kind is ColumnKind.WORK_ITEM:
                vocab.work_items.append(_NUMBERING.sub("", cell))
            elif kind is ColumnKind.BASELINE:
                vocab.baselines += [e for e in _entries(cell) if e]
            elif kind is ColumnKind.TARGET:
                vocab.targets += [e for e in _entries(cell) if e]
            elif kind in (ColumnKind.RESPONSIBLE, ColumnKind.LEAD):
                vocab.responsible += [u for u in re.split(r"[、，,]", cell) if u.strip()]
            elif kind is ColumnKind.SUPPORTING:
                vocab.supporting += [u for u in re.split(r"[、，,]", cell) if u.strip()]
    return vocab


def _vary(text: str, rng: random.Random) -> str:
    return _NUMBER.sub(lambda m: str(max(1, int(int(m.group()) * rng.uniform(0.5, 2.0)))), text)


def _enumerate(entries: list[str]) -> str:
    if len(entries) == 1:
        return entries[0] + "。"
    return "；".join(f"{i}、{e}" for i, e in enumerate(entries, start=1)) + "。"


def _units(pool: list[str], rng: random.Random, low: int, high: int) -> str:
    chosen: list[str] = []
    for _ in range(rng.randint(low, high)):
        unit = rng.choice(pool)
        if unit not in chosen:
            chosen.append(unit)
    return "、".join(chosen)


def synthetic_tables(
    rows: int,
    *,
    seed: int = 0,
    rows_per_table: int = 200,
    vocab: Vocabulary | None = None,
) -> Iterator[tuple[str, str]]:
    """Yield ``(file name, tab-separated text)`` for tables with ``rows`` work items in total."""
    rng = random.Random(seed)
    vocab = vocab or vocabulary()
    made = 0
    number = 0
    while made < rows:
        number += 1
        count = min(rows_per_table, rows - made)
        start = rng.randint(2016, 2024)
        years = [start + k for k in range(rng.choice((2, 3, 3, 4)))]
        place, programme = rng.choice(_PLACES), rng.choice(_PROGRAMMES)
        title = f"{place}{programme}目标任务分解表（{years[0]}—{years[-1]}年）"
        header = ["主要任务", "工作内容", "前期工作基础", *[f"{y}年目标" for y in years]]
        header += ["责任单位", "配合/参与单位"]
        lines = [title, "", "\t".join(header)]
        category, item_number = "", 0
        for _ in range(count):
            if not category or rng.random() < 0.15:
                category, item_number = rng.choice(vocab.categories), 0
                shown = category
            else:
                shown = ""
            item_number += 1
            item = f"{item_number}、{_vary(rng.choice(vocab.work_items), rng)}"
            baseline = _enumerate([rng.choice(vocab.baselines) for _ in range(rng.randint(1, 3))])
            cells = [shown, item, baseline]
            for year in years:
                entries = [_vary(rng.choice(vocab.targets), rng) for _ in range(rng.randint(1, 4))]
                if rng.random() < 0.05:
                    entries.append(f"出台《{place}{programme}{year}年工作方案》")
                cells.append(_enumerate(entries))
            cells.append(_units(vocab.responsible, rng, 1, 3))
            cells.append(_units(vocab.supporting, rng, 0, 4))
            lines.append("\t".join(c.replace("\t", " ") for c in cells))
        made += count
        yield f"synthetic-{seed}-{number:04d}-{years[0]}-{years[-1]}.tsv", "\n".join(lines) + "\n"


def network_vocabulary(units: int, source: str | os.PathLike[str] | None = None) -> Vocabulary:
    """The vocabulary of ``source`` with ``units`` generated unit names (测试第1局, ...) instead.

    Views benchmarks size a network by its units: with this vocabulary the unit count is chosen,
    not inherited from the source table.
    """
    names = [f"测试第{k}局" for k in range(1, units + 1)]
    return replace(vocabulary(source), responsible=names, supporting=names)


def write_synthetic(
    directory: str | os.PathLike[str],
    rows: int,
    *,
    seed: int = 0,
    rows_per_table: int = 200,
    vocab: Vocabulary | None = None,
) -> list[Path]:
    """Write synthetic tables with ``rows`` work items in total into ``directory``."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    tables = synthetic_tables(rows, seed=seed, rows_per_table=rows_per_table, vocab=vocab)
    for name, text in tables:
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
