"""The one route table: every route is documented, documented values are accepted, and the
CLI and the API give the same columns for a named query (an empty answer too)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.routing import Mount

from fenjie.queries import stored_queries
from fenjie.server import ServerSettings, create_app
from fenjie.server._routes import ENDPOINTS, openapi_document

# a value the bundled store answers for each required parameter
SAMPLES = {"unit": "省科技厅", "document": "意见"}


@pytest.fixture(scope="module")
def server(bundled_store: Path, server_factory) -> Iterator[str]:
    """A server with a generous time limit: these tests are about parameters, not timeouts."""
    with server_factory(bundled_store, "--workers", "2", "--timeout", "60") as base:
        yield base


def test_every_route_is_documented(tmp_path: Path) -> None:
    app = create_app(ServerSettings(store=str(tmp_path)))
    served = {r.path for r in app.routes if not isinstance(r, Mount)}
    documented = set(openapi_document("0")["paths"])
    assert served == documented
    assert {r.path for r in app.routes if isinstance(r, Mount)} == {"/static"}


def test_served_description_is_the_generated_one(server: str) -> None:
    from fenjie import __version__

    served = httpx.get(server + "/openapi.json").json()
    assert served == openapi_document(__version__)
    roles = served["paths"]["/api/obligations"]["get"]["parameters"]
    assert {"name": "role", "in": "query"}.items() <= roles[2].items()


def _enum_cases() -> list[tuple[str, str, str]]:
    cases = []
    for endpoint in ENDPOINTS:
        for param in endpoint.params:
            for value in param.choices:
                cases.append((endpoint.path, param.name, value))
    return cases


# a value of each type of a named query's parameter
TYPED = {"unit": "省科技厅", "document": "意见", "year": "2018", "string": "省科技厅"}
_TABLE = "https://w3id.org/fenjie/id/table/changzhutan-innovation-zone-2017-2019"
NAMED = {  # IRI parameters by name
    "table": _TABLE,
    "node": f"{_TABLE}/item/1-2/target/2017/1",
    "item": f"{_TABLE}/item/1-5",
    "child": _TABLE,
    "plan": _TABLE,
    "report": "https://w3id.org/fenjie/id/report/none",  # no such report: an empty answer
}


@pytest.mark.parametrize(("path", "name", "value"), _enum_cases())
def test_documented_values_are_accepted(server: str, path: str, name: str, value: str) -> None:
    endpoint = next(e for e in ENDPOINTS if e.path == path)
    params = {p.name: SAMPLES[p.name] for p in endpoint.params if p.required and p.where == "query"}
    url = server + path
    if any(p.where == "path" and p.name == name for p in endpoint.params):
        url = server + path.replace("{" + name + "}", value)
    else:
        params[name] = value
    if path == "/views/{name}":  # the focus views need their focus
        params.update(
            {"dependency": {"document": "意见"}, "unit": {"unit": "省科技厅"}}.get(value, {})
        )
    if path == "/api/queries/{name}":  # the named query's own parameters
        query = stored_queries()[value]
        params.update(
            {p.name: NAMED.get(p.name) or TYPED[p.type] for p in query.parameters if p.required}
        )
    response = httpx.get(url, params=params, timeout=60)
    assert response.status_code == 200, response.text


def test_view_parameters_reach_the_view(server: str) -> None:
    # the handler passes every parameter the route declares on to render_view
    refused = httpx.get(server + "/views/responsibility", params={"year": "1900"}, timeout=60)
    assert refused.status_code == 400 and refused.json()["error"]["parameter"] == "year"
    assert httpx.get(server + "/views/unit", timeout=60).status_code == 400  # no unit in focus
    unit = httpx.get(server + "/views/unit", params={"unit": "省科技厅"}, timeout=60)
    assert unit.status_code == 200 and "省科技厅" in unit.text


def test_undocumented_value_is_refused_with_the_documented_ones(server: str) -> None:
    response = httpx.get(server + "/api/obligations", params={"unit": "省科技厅", "role": "boss"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["parameter"] == "role"
    role = next(
        p for e in ENDPOINTS if e.path == "/api/obligations" for p in e.params if p.name == "role"
    )
    assert role.choices and all(choice in error["message"] for choice in role.choices)


@pytest.mark.slow  # runs fenjie (or pip) in a fresh process
def test_cli_and_api_give_the_same_columns(server: str, bundled_store: Path) -> None:
    for params in ({"year": "2018"}, {"year": "1990"}):  # an answer, and an empty one
        api = httpx.get(server + "/api/queries/targets-by-year", params=params).json()
        cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "fenjie",
                "query",
                "targets-by-year",
                "-p",
                f"year={params['year']}",
            ]
            + ["--format", "json", "--store", str(bundled_store)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(cli.stdout) == api
        assert api["columns"] == ["year", "target", "text", "item", "itemLabel"]
    assert api["rows"] == []
