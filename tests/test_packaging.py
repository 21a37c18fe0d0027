"""Packaging: one `fenjie` namespace, no bare top-level names, a wheel that holds every module."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {
    "graph": "fenjie.graph",
    "ontology": "fenjie.ontology",
    "queries": "fenjie.queries",
    "viz": "fenjie.viz",
    "fenjie": "fenjie",
}


def source_modules() -> list[str]:
    """Every importable module of the source tree, by its `fenjie.` name."""
    names = []
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "static" in path.parts or "templates" in path.parts:
                continue
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__main__":
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append(".".join((package, *parts)))
    return names


@pytest.mark.parametrize("bare", ["graph", "queries", "viz", "ontology"])
def test_bare_folder_names_do_not_import(bare, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", f"import {bare}"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr


def test_public_names_are_exactly_all():
    import fenjie.graph

    # submodules become attributes once anything imports them (in any order tests run), so
    # they are told apart by kind, not by a list that a new submodule would outdate
    public = {
        name
        for name in dir(fenjie.graph)
        if not name.startswith("_") and not inspect.ismodule(getattr(fenjie.graph, name))
    }
    assert public == set(fenjie.graph.__all__)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("fenjie-*.whl")
    return built


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_wheel_contains_every_module_and_data_file(wheel, tmp_path):
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
        names = set(archive.namelist())
    assert not any(n.split("/")[0] in {"graph", "queries", "viz", "ontology"} for n in names)
    for data in (
        "fenjie/ontology/fenjie.ttl",
        "fenjie/ontology/shapes.ttl",
        "fenjie/ontology/units.ttl",
        "fenjie/examples/changzhutan-innovation-zone-2017-2019.tsv",
        "fenjie/server/static/index.html",
        "fenjie/server/static/app.js",
        "fenjie/queries/obligations.rq",
        "fenjie/queries/endpoint/named-graphs.rq",
        "fenjie/graph/sparql/table-graphs.rq",
        "fenjie/bench/sparql/sample-target.rq",
        "fenjie/py.typed",  # type checkers of projects using fenjie read its annotations
    ):
        assert data in names
    modules = source_modules()
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    module = importlib.import_module(name)\n"
        f"    assert module.__file__.startswith({str(target)!r}), (name, module.__file__)\n"
        "from fenjie.graph import FenjieStore, build_sources\n"
        "from fenjie.config import bundled_example\n"
        "store = FenjieStore.in_memory()\n"
        "print(build_sources([bundled_example()], store=store)[0].counts['work_items'])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "14"


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_wheel_build_prints_no_warning(tmp_path):
    """setuptools warns about a license table and data folders missing from `packages`."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "out"), str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert [line for line in output.splitlines() if re.search(r"(?i)warn|deprecat", line)] == []
    (built,) = (tmp_path / "out").glob("fenjie-*.whl")
    with zipfile.ZipFile(built) as archive:
        metadata = archive.read("fenjie-0.1.0.dist-info/METADATA").decode()
        names = set(archive.namelist())
    assert "License-Expression: Apache-2.0" in metadata
    assert {"fenjie/viz/templates/view.html", "fenjie/viz/static/view.js"} <= names
