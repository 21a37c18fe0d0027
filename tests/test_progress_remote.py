"""``fenjie progress --endpoint``: the bundled plan with its progress table pushed to a real
``oxigraph serve`` on 127.0.0.1 answers exactly as the embedded store does (whole JSON answers,
and the done-when facts at the item level)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from fenjie.cli import main
from fenjie.config import bundled_example
from fenjie.graph import FenjieStore, build_sources
from fenjie.progress.ingest import read_reports
from fenjie.progress.record import add_reports
from fenjie.queries import LocalBackend, push_gsp
from tests.test_remote import _start, _stop

sys.path.insert(0, str(Path(__file__).parent))
import progress_table  # noqa: E402

pytestmark = pytest.mark.slow
BASE = "https://w3id.org/fenjie/id/"
T = progress_table.iri


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The bundled plan with the mid-2018 reports, on disk and behind ``oxigraph serve``:
    yields (store path, query endpoint)."""
    tmp = tmp_path_factory.mktemp("progress-remote")
    path = tmp / "store"
    build_sources([bundled_example()], store_path=path)
    store = FenjieStore.open(path)
    table = progress_table.write_xlsx(tmp / "进展情况.xlsx")
    reports = read_reports(table, LocalBackend(store)).reports
    assert len(reports) == 18
    add_reports(store, reports, base=BASE)
    proc, base = _start(tmp / "oxigraph")
    try:
        sent = push_gsp(store, base + "/store")
        assert sum(sent.values()) == len(store)
        store.close()
        yield path, base + "/query"
    finally:
        _stop(proc)


def _progress(*args: str) -> dict:
    done = CliRunner().invoke(main, ["progress", "--format", "json", *args])
    assert done.exit_code == 0, done.output
    return json.loads(done.output)


@pytest.mark.parametrize(
    "options",
    [
        ["--as-of", "2018-06-30"],
        ["--as-of", "2019-12-31", "--overdue"],
        ["--as-of", "2019-12-31", "--unit", "省科技厅", "--year", "2018"],
        ["--as-of", "2019-12-31", "--status", "滞后", "--depends", "意见"],
    ],
    ids=["mid-2018", "overdue", "unit-year", "late-depending"],
)
def test_progress_on_an_endpoint_equals_the_embedded_store(
    stores: tuple[Path, str], options: list[str]
) -> None:
    path, endpoint = stores
    remote = _progress(*options, "--endpoint", endpoint)
    embedded = _progress(*options, "--store", str(path))
    assert remote == embedded
    assert remote["targets"], "compare answers that say something"


def test_done_when_facts_through_the_endpoint(stores: tuple[Path, str]) -> None:
    _, endpoint = stores
    overdue = _progress("--as-of", "2019-12-31", "--overdue", "--endpoint", endpoint)
    assert len(overdue["targets"]) == 56
    kjt = next(u for u in overdue["units"] if u["unit"]["label"] == "湖南省科学技术厅")
    assert kjt["lead"]["overdue"] == kjt["lead"]["targets"]  # only overdue targets selected
    late = _progress(
        "--as-of", "2019-12-31", "--status", "滞后", "--depends", "意见", "--endpoint", endpoint
    )
    kinds = {t["iri"]: t["depends"]["kind"] for t in late["targets"]}
    assert kinds == {T("1-2/2017/1"): "based_on", T("1-5/2018/2"): "baseline"}
    # the reports came through the endpoint too: their text, unit and date
    mid = _progress("--as-of", "2018-06-30", "--endpoint", endpoint)
    target = next(t for t in mid["targets"] if t["iri"] == T("1-2/2017/1"))
    assert target["status"] == "滞后"
    assert target["latest_report"]["problems"] == "部门意见分歧较大"
    assert target["latest_report"]["as_of"] == "2018-06-30"
    blocking = {b["target"]["iri"] for b in overdue["blocking"]}
    assert T("1-1/2018/2") in blocking
