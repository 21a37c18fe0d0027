"""A process and its descendants, read from ``/proc`` (Linux): resident memory and CPU time.

The benchmarks measure commands that start processes of their own (fenjie's build workers, the
server's query processes), so a figure for the command is the sum over its whole tree.
"""

from __future__ import annotations

import os

__all__ = ["descendants", "tree_cpu_seconds", "tree_rss_kb"]

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int | str) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()  # the name may hold spaces and ")"
    except OSError:
        return None


def descendants(root: int) -> list[int]:
    """``root`` and every live process below it."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(entry)
            if fields is not None:
                tree.setdefault(int(fields[1]), []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(tree.get(pid, ()))
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root: int, *, include_root: bool = True) -> int:
    """Resident memory of ``root`` (unless not ``include_root``) and its descendants, in KiB."""
    tree = descendants(root)
    return sum(_rss_kb(pid) for pid in (tree if include_root else tree[1:]))


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) spent so far by ``root`` and its live descendants (a process
    that ended takes its time with it, unless its parent waited for it)."""
    total = 0
    for pid in descendants(root):
        fields = _stat_fields(pid)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICK
