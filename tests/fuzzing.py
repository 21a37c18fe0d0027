"""Seeded mutation fuzzing of the readers: every outcome is a table or one clean InputError.

Used by the bounded test in the suite (``tests/test_readers_fuzz.py``) and by the longer command
``python tests/fuzz_readers.py``. Each format starts from a small valid file made in memory; a
mutation flips, deletes, inserts or repeats bytes, truncates, or (for .docx/.xlsx) does the same to
the XML inside the archive and zips it again, so that mutations reach the XML parsers and the
readers rather than stopping at the ZIP checksum.
"""

from __future__ import annotations

import io
import random
import re
import resource
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from fenjie.errors import InputError
from fenjie.graph._limits import Limits
from fenjie.graph.builder import write_table
from fenjie.graph.read import read_bytes
from tests import hostile

__all__ = ["SEEDS", "Outcome", "fuzz", "mutations"]

# Small limits keep each case cheap; a mutation that grows a file is refused like a big one.
LIMITS = Limits(cells=20_000, cell_chars=20_000, rows=2_000, inflate=8 * 2**20, pages=20)

_INTERESTING = [b"\x00", b"\xff", b"-1", b"999999999", b"<", b">", b"&#0;", b'"', b"\x1b[2J"]


def _listform() -> bytes:
    text = "某县2023年重点工作任务分解方案\n一、推动产业转型升级\n1．加快园区建设。新增企业10家以上。\n"
    return (text + "牵头单位：县工信局\n责任单位：县发改局\n完成时限：2023年12月底前\n").encode()


def _csv() -> bytes:
    return hostile.tsv_bytes().decode().replace("\t", ",").encode("gbk")


def _pdf() -> bytes:
    text = "BT /F1 10 Tf 20 150 Td (Zhuyao renwu) Tj ET 10 10 m 290 10 l 290 190 l S"
    return hostile.pdf_bytes(text.encode())


#: A small valid (or nearly valid) file per format, and the ZIP member to mutate inside, if any.
SEEDS: dict[str, tuple[Callable[[], bytes], str | None]] = {
    "tsv": (hostile.tsv_bytes, None),
    "csv": (_csv, None),
    "listform": (_listform, None),
    "docx": (hostile.docx_bytes, "word/document.xml"),
    "xlsx": (hostile.xlsx_bytes, "xl/worksheets/sheet1.xml"),
    "xls": (lambda: hostile.cfb(["Workbook"]), None),
    "pdf": (_pdf, None),
}


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4, 16))):
        if not out:
            out += rng.choice(_INTERESTING)
            continue
        at = rng.randrange(len(out))
        roll = rng.random()
        if roll < 0.4:
            out[at] = rng.randrange(256)
        elif roll < 0.55:
            del out[at : at + rng.randint(1, 64)]
        elif roll < 0.7:
            out[at:at] = rng.choice(_INTERESTING)
        elif roll < 0.85:  # repeat a slice: grows structures (rows, cells, nesting)
            piece = bytes(out[at : at + rng.randint(1, 256)])
            out[at:at] = piece * rng.randint(2, 50)
        else:
            del out[rng.randrange(len(out)) :]
    return bytes(out)


_TEXTUAL = [
    "\t",
    ",",
    '"',
    "\n",
    "\r",
    "\x1b",
    "\x0b",
    "\u2029",
    "（",
    "）",
    "《",
    "一亿",
    "9",
    "个",
    "、",
    "；",
]
_NUMBERS = [b"0", b"-1", b"1.5", b"x", b"16385", b"1048577", b"999999999", b"99999999999999999999"]


def _mutate_text(data: bytes, rng: random.Random) -> bytes:
    """Character-level edits of a text source (it stays decodable), re-encoded as it was."""
    encoding = "gbk" if not data.isascii() and _is_gbk(data) else "utf-8"
    text = list(data.decode(encoding))
    for _ in range(rng.choice((1, 2, 4, 16))):
        at = rng.randrange(len(text) + 1)
        roll = rng.random()
        if roll < 0.5:
            text[at:at] = rng.choice(_TEXTUAL) * rng.choice((1, 1, 3, 200))
        elif roll < 0.75:
            del text[at : at + rng.randint(1, 8)]
        else:
            text[at:at] = text[at : at + rng.randint(1, 80)] * rng.randint(2, 30)
    return "".join(text).encode(encoding, errors="replace")


def _is_gbk(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return False
    except UnicodeDecodeError:
        return True


def _mutate_xml(xml: bytes, rng: random.Random) -> bytes:
    """Edits that keep XML well-formed more often than not: numbers in attributes and text
    replaced by extreme ones, elements repeated; else byte-level edits."""
    roll = rng.random()
    if roll < 0.4:
        numbers = list(re.finditer(rb"(?<=\")\d+(?=\")|(?<=>)\d+(?=<)", xml))
        if numbers:
            m = rng.choice(numbers)
            return xml[: m.start()] + rng.choice(_NUMBERS) + xml[m.end() :]
    if roll < 0.7:
        elements = list(re.finditer(rb"<(w:tr|w:tc|w:p|row|c)\b[^>]*>.*?</\1>", xml, re.S))
        if elements:
            m = rng.choice(elements)
            return xml[: m.end()] + m.group() * rng.randint(1, 40) + xml[m.end() :]
    return _mutate_bytes(xml, rng)


def _mutate_member(data: bytes, member: str, rng: random.Random) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename == member:
                content = _mutate_xml(content, rng)
            zout.writestr(item, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def mutations(kind: str, count: int, seed: int) -> Iterator[bytes]:
    """``count`` mutated files of format ``kind``, the same for the same ``seed``."""
    make, member = SEEDS[kind]
    base = make()
    rng = random.Random(f"{kind}:{seed}")
    textual = kind in ("tsv", "csv", "listform")
    for _ in range(count):
        if member and rng.random() < 0.8:
            yield _mutate_member(base, member, rng)
        elif textual and rng.random() < 0.8:
            yield _mutate_text(base, rng)
        else:
            yield _mutate_bytes(base, rng)


@dataclass
class Outcome:
    """What the mutations of one format gave."""

    kind: str
    built: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    crashes: list[tuple[int, str]] = field(default_factory=list)
    slowest: float = 0.0
    peak_mb: float = 0.0  # the process's peak resident set after this format's cases

    @property
    def total(self) -> int:
        return self.built + sum(self.refused.values()) + len(self.crashes)


def fuzz(kind: str, count: int, seed: int, *, build: bool = False) -> Outcome:
    """Read every mutation (and, with ``build``, build the tables read into N-Quads); a crash
    is anything but a table or a one-line InputError."""
    outcome = Outcome(kind)
    for index, data in enumerate(mutations(kind, count, seed)):
        name = f"fuzz-{kind}-{seed}-{index}"
        started = time.perf_counter()
        try:
            table = read_bytes(data, name=name, limits=LIMITS)
            if build:
                write_table(table, io.BytesIO(), limits=LIMITS)
            outcome.built += 1
        except InputError as error:
            if "\n" in str(error) or not str(error).startswith(name):
                outcome.crashes.append((index, f"badly formed error: {str(error)[:200]!r}"))
            else:
                outcome.refused[error.code] += 1
        except BaseException as error:  # noqa: B036 - the point is to see everything
            if isinstance(error, KeyboardInterrupt):
                raise
            outcome.crashes.append((index, f"{type(error).__name__}: {str(error)[:200]}"))
        outcome.slowest = max(outcome.slowest, time.perf_counter() - started)
    outcome.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return outcome
