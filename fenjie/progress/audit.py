"""The append-only audit trail of report writes: who, when, what, from where.

One JSON object per line, appended with ``O_APPEND`` and flushed to disk (``fsync``) before the
server answers. It never holds a token. Lines: ``{"time", "account", "unit", "remote", "action":
"created"|"existing"|"refused"|"recovered", "report", "about", "key", "status", "reason"}``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["AuditTrail", "default_audit_path"]


def default_audit_path(store: str | os.PathLike[str]) -> Path:
    """``STORE.audit.jsonl`` beside the store directory (builds swap the directory, not this)."""
    where = Path(store)
    return where.with_name(where.name + ".audit.jsonl")


class AuditTrail:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self) -> list[dict[str, Any]]:
        """Every entry; a torn last line (a crash mid-write) is skipped."""
        if not self.path.exists():
            return []
        entries = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return entries
