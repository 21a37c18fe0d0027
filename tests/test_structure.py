"""The import contracts cover every part: a new part or CLI module cannot slip past them.

import-linter (``bash .ci/structure``) checks only the modules its contracts name, so a part that
is in no layer, or a ``fenjie/_cmd_*.py`` missing from the CLI's list, would go unchecked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parent.parent
#: the folders mapped into the namespace (pyproject's package-dir) and the data-only packages
MAPPED = {"graph", "queries", "viz"}
DATA_ONLY = {"ontology", "examples"}
#: the faces: the CLI's modules are held by their own contract, not by a layer
CLI_MODULE_PREFIXES = ("cli", "_cli_", "_cmd_")


def contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return found


def parts() -> set[str]:
    """Every importable part of ``fenjie`` one level down: modules and subpackages."""
    names = {f"fenjie.{m}" for m in MAPPED}
    for path in (ROOT / "fenjie").iterdir():
        if path.name.startswith("__") or path.name in DATA_ONLY:
            continue
        if path.suffix == ".py":
            names.add(f"fenjie.{path.stem}")
        elif (path / "__init__.py").exists():
            names.add(f"fenjie.{path.name}")
    return names


def layered() -> set[str]:
    (layers,) = (c["layers"] for c in contracts() if c["type"] == "layers")
    return {name.strip() for layer in layers for name in layer.split("|")}


def cli_modules() -> set[str]:
    return {p for p in parts() if p.removeprefix("fenjie.").startswith(CLI_MODULE_PREFIXES)}


def test_every_part_is_in_a_layer() -> None:
    assert layered() == parts() - cli_modules(), "add the part to the layers in pyproject.toml"


def test_no_part_may_import_the_cli() -> None:
    (contract,) = (c for c in contracts() if c["name"].startswith("the CLI is a face"))
    assert set(contract["forbidden_modules"]) == cli_modules()
    assert set(contract["source_modules"]) == layered()


def test_views_may_not_import_graph() -> None:
    assert any(
        c["type"] == "forbidden"
        and c["source_modules"] == ["fenjie.viz"]
        and c["forbidden_modules"] == ["fenjie.graph"]
        for c in contracts()
    )
