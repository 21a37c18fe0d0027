"""Versioned store directories behind one pointer, switched in a single atomic rename.

A store at ``/data/store`` is laid out as::

    /data/store               symlink -> .store.versions/000007   (what every reader opens)
    /data/.store.versions/    000006 (the previous version), 000007 (the live one),
                              000008.staging-4242 (a build in progress, or one a crash left)
    /data/.store.lock         the build lock (see fenjie.graph._lock)

A build writes a new version in a staging directory, renames it to its final number once it is
complete and closed, then makes a new symlink and renames it over ``/data/store``. ``rename(2)``
replaces the pointer atomically, so a reader (or a crash) sees the old version or the new one,
never none. :func:`recover` runs under the lock before every build and repairs whatever a crash
left: a missing pointer points at the newest complete version again, stray staging directories and
pointers are removed, and stores of the older layout (a plain directory, swapped with two renames)
are moved in, including one a crash stranded as ``.store.old-PID``.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from fenjie.errors import StoreError
from fenjie.graph._faults import kill_point

__all__ = [
    "Recovery",
    "current_version",
    "is_store_dir",
    "new_staging",
    "publish",
    "recover",
    "versions_dir",
]

_VERSION = re.compile(r"^(\d{6})$")
_STAGING = re.compile(r"^(\d{6})\.staging-(\d+)$")
_KEEP_PREVIOUS = 1  # readers that opened the previous version just before a switch can finish


def versions_dir(store: Path) -> Path:
    """``/data/.store.versions`` for the store ``/data/store``."""
    return store.with_name(f".{store.name}.versions")


def is_store_dir(path: Path) -> bool:
    return (path / "CURRENT").is_file()


@dataclass
class Recovery:
    """What :func:`recover` found and did, as lines for the user."""

    actions: list[str] = field(default_factory=list)
    freed_bytes: int = 0


def _size(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def _remove(path: Path, recovery: Recovery) -> None:
    recovery.freed_bytes += _size(path)
    shutil.rmtree(path, ignore_errors=True)


def _complete_versions(versions: Path) -> list[Path]:
    found = [p for p in versions.iterdir() if _VERSION.match(p.name)] if versions.is_dir() else []
    return sorted((p for p in found if is_store_dir(p)), key=lambda p: p.name)


def _next_number(versions: Path) -> int:
    numbers = [
        int(m.group(1))
        for p in (versions.iterdir() if versions.is_dir() else ())
        if (m := _VERSION.match(p.name) or _STAGING.match(p.name))
    ]
    return max(numbers, default=0) + 1


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _point(store: Path, version: Path) -> None:
    """Make ``store`` name ``version``: a fresh symlink renamed over the old pointer (atomic)."""
    pointer = store.with_name(f".{store.name}.pointer-{os.getpid()}")
    if pointer.is_symlink() or pointer.exists():
        pointer.unlink()
    os.symlink(os.path.relpath(version, store.parent), pointer)
    kill_point("pointer-made")
    os.replace(pointer, store)
    _fsync_dir(store.parent)


def current_version(store: Path) -> Path | None:
    """The version directory the pointer names, if it names a complete one."""
    if not store.is_symlink():
        return None
    target = store.resolve()
    return target if is_store_dir(target) else None


def recover(store: Path) -> Recovery:
    """Repair what a crashed build left; call with the build lock held.

    Never loses a complete version that nothing else holds: a store with no pointer gets the
    newest complete version back before anything is removed.
    """
    recovery = Recovery()
    parent, versions = store.parent, versions_dir(store)
    if not parent.is_dir():
        return recovery
    # Leftovers of the two-rename layout: `.store.old-PID` is a whole old store moved aside.
    stranded = sorted(parent.glob(f".{store.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if store.is_symlink() and not is_store_dir(store):
        store.unlink()  # a dangling pointer: its version was removed by hand
        recovery.actions.append(
            f"指针失效，已移除 (removed a pointer to a missing version: {store})"
        )
    if not store.exists() and not store.is_symlink():
        candidates = [p for p in stranded if is_store_dir(p)]
        if candidates:
            versions.mkdir(exist_ok=True)
            adopted = versions / f"{_next_number(versions):06d}"
            candidates[-1].rename(adopted)
            stranded.remove(candidates[-1])
            recovery.actions.append(
                f"从中断的构建中恢复了原有存储 (restored the store a killed build left in "
                f"{candidates[-1].name})"
            )
    if store.exists() and not store.is_symlink():
        if not is_store_dir(store):
            if any(store.iterdir()):
                raise StoreError(
                    f"{store} 已存在但不是 Oxigraph 存储，不予改动 (exists and is not an Oxigraph store)",
                    store=str(store),
                )
            store.rmdir()  # an empty folder: treated as no store
        else:  # move a plain store into the versions folder; a crash here is repaired below
            versions.mkdir(exist_ok=True)
            moved = versions / f"{_next_number(versions):06d}"
            store.rename(moved)
            kill_point("migrated")
            _point(store, moved)
    if not store.is_symlink():
        complete = _complete_versions(versions)
        if complete:
            _point(store, complete[-1])
            recovery.actions.append(
                f"存储指针缺失，已指向最新的完整版本 (the store pointer was missing; it names "
                f"{complete[-1].name} again)"
            )
    for leftover in stranded:
        _remove(leftover, recovery)
    for leftover in parent.glob(f".{store.name}.building-*"):
        _remove(leftover, recovery)
    for pointer in parent.glob(f".{store.name}.pointer-*"):
        pointer.unlink()
    _prune(store, recovery)
    if recovery.freed_bytes:
        recovery.actions.append(
            f"清理了中断构建的临时目录 (removed staging left by killed builds: "
            f"{recovery.freed_bytes / 1e6:.1f} MB)"
        )
    return recovery


def _prune(store: Path, recovery: Recovery) -> None:
    """Remove staging directories (their builds are dead: we hold the lock) and old versions."""
    versions = versions_dir(store)
    if not versions.is_dir():
        return
    live = current_version(store)
    names = [p.name for p in _complete_versions(versions)]
    keep: set[str] = set()
    if live is not None and live.name in names:
        at = names.index(live.name)
        keep = set(names[max(0, at - _KEEP_PREVIOUS) : at + 1])
    for entry in versions.iterdir():
        if entry.name not in keep:
            _remove(entry, recovery)


def new_staging(store: Path) -> Path:
    """A fresh, not yet existing staging directory for the next version (lock held)."""
    versions = versions_dir(store)
    versions.mkdir(parents=True, exist_ok=True)
    return versions / f"{_next_number(versions):06d}.staging-{os.getpid()}"


def publish(store: Path, staging: Path) -> None:
    """Make the complete, closed ``staging`` version the live store in one atomic step."""
    match = _STAGING.match(staging.name)
    if match is None or not is_store_dir(staging):
        raise StoreError(
            f"暂存版本不完整 (not a complete staging version)：{staging}", store=str(store)
        )
    final = staging.with_name(match.group(1))
    staging.rename(final)
    kill_point("staged")
    _point(store, final)
    kill_point("switched")
    _prune(store, Recovery())
