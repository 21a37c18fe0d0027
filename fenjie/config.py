"""Settings in one declarative table: name, default, environment variable, help."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

__all__ = ["SETTINGS", "Setting", "bundled_example", "default_store_path", "DEFAULT_BASE"]

DEFAULT_BASE = "https://w3id.org/fenjie/id/"


@dataclass(frozen=True)
class Setting:
    name: str
    envvar: str
    default: str
    help: str


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


SETTINGS = (
    Setting(
        "store",
        "FENJIE_STORE",
        str(_data_home() / "fenjie" / "store"),
        "Directory of the persistent Oxigraph store (':memory:' for an in-memory store).",
    ),
    Setting("base", "FENJIE_BASE", DEFAULT_BASE, "Base IRI of the data fenjie builds."),
)


def default_store_path() -> str:
    """The store directory: ``$FENJIE_STORE``, else ``$XDG_DATA_HOME/fenjie/store``."""
    return os.environ.get("FENJIE_STORE") or SETTINGS[0].default


def bundled_example() -> Path:
    """Path of the bundled example table (长株潭国家自主创新示范区 2017–2019)."""
    return Path(str(files("fenjie") / "examples" / "changzhutan-innovation-zone-2017-2019.tsv"))
