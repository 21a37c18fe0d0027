"""Which files a build reads: folders and glob patterns expand to the source files inside.

>>> from fenjie.config import bundled_example
>>> [p.name for p in expand_sources([bundled_example().parent])]
['changzhutan-innovation-zone-2017-2019.tsv']
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from fenjie.errors import InputError

__all__ = ["SOURCE_SUFFIXES", "expand_sources", "file_sha256"]

# What a folder contributes: the formats the readers know (a README or a picture beside the plans
# is not a plan). A file named on the command line is read whatever its name.
SOURCE_SUFFIXES = frozenset(
    {".tsv", ".tab", ".txt", ".csv", ".docx", ".doc", ".xlsx", ".xls", ".pdf"}
)
_GLOB_MAGIC = frozenset("*?[")


def _in_folder(folder: Path) -> list[Path]:
    found = [
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SOURCE_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]
    return sorted(found)


def expand_sources(sources: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files to build, in order: a folder gives its source files (recursively, sorted), a glob
    pattern its matches, a file itself. A name given twice is read once."""
    files: list[Path] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            inside = _in_folder(path)
            if not inside:
                raise InputError(
                    "该文件夹中没有分解表文件（.tsv、.csv、.docx、.xlsx、.pdf …） "
                    "(the folder holds no source tables)",
                    file=str(path),
                )
            files.extend(inside)
        elif not path.exists() and _GLOB_MAGIC & set(str(source)):
            matches = sorted(Path(m) for m in glob.glob(str(source), recursive=True))
            matches = [m for m in matches if m.is_file()]
            if not matches:
                raise InputError(
                    "没有与此模式匹配的文件 (no file matches this pattern)", file=str(source)
                )
            files.extend(matches)
        else:
            files.append(path)  # a missing file is reported by the reader, with its name
    seen: set[Path] = set()
    unique = []
    for path in files:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of a file's bytes (``None`` when it cannot be read: the reader says why)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()
