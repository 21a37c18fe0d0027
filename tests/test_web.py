"""The web page in headless Chromium: unit search, document trace, SPARQL box, views, no injection."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

pytestmark = pytest.mark.browser

XSS_TABLE = (
    "测试目标任务分解表（2020—2021年）\n\n"
    "主要任务\t工作内容\t前期工作基础\t2020年目标\t2021年目标\t责任单位\t配合/参与单位\n"
    "测试<b>类别</b>\t1、测试事项<i>x</i>\t已有基础\t<script>window.__xss=1</script>\t"
    "出台《<img src=x onerror=window.__xss=2>办法》\t<img src=x onerror=window.__xss=1>\t"
    "<svg/onload=window.__xss=3>\n"
)


def _page(chromium, base: str):
    context = chromium.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    foreign: list[str] = []
    errors: list[str] = []
    page.on(
        "request",
        lambda r: (
            foreign.append(r.url)
            if urlsplit(r.url).netloc not in ("", urlsplit(base).netloc)
            and not r.url.startswith(("data:", "blob:", "about:"))
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, foreign, errors


def _count(base: str, query: str) -> int:
    response = httpx.get(base + "/sparql", params={"query": query})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_unit_document_and_sparql(live_server: str, chromium) -> None:
    context, page, foreign, errors = _page(chromium, live_server)
    try:
        page.goto(live_server + "/#unit")
        assert page.title().startswith("分解")
        # the unit, found by its short form through the autocomplete
        page.fill("#unit-input", "省科技厅")
        page.wait_for_selector("#unit-suggestions li")
        suggestion = page.locator("#unit-suggestions li").first
        iri = suggestion.get_attribute("data-iri")
        suggestion.click()
        page.wait_for_selector(".obligation")
        expected = _count(
            live_server,
            "PREFIX fj: <https://w3id.org/fenjie/def#> SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE "
            f"{{ {{ <{iri}> fj:responsibleFor ?i }} UNION {{ <{iri}> fj:supports ?i }} }}",
        )
        assert page.locator(".obligation").count() == expected == 13
        api = httpx.get(live_server + "/api/obligations", params={"unit": iri}).json()
        assert page.locator(".role-group").count() == len({o["role"] for o in api["obligations"]})
        shown_targets = page.locator(".obligation .target").all_text_contents()
        assert sorted(shown_targets) == sorted(
            t["text"] for o in api["obligations"] for t in o["targets"]
        )
        assert api["unit"]["label"] in page.locator("#unit-summary").inner_text()

        # trace 《意见》
        page.click("button[data-tab=doc]")
        page.fill("#doc-input", "《意见》")
        page.click("#doc-form button[type=submit]")
        page.wait_for_selector("#doc-table tbody tr.dependent")
        dependents = httpx.get(
            live_server + "/api/dependents", params={"document": "《意见》"}
        ).json()
        rows = page.locator("#doc-table tbody tr.dependent")
        assert rows.count() == len(dependents["targets"]) > 0
        shown = sorted(
            (row.locator("td").nth(3).inner_text(), row.locator(".path .node").last.inner_text())
            for row in rows.all()
        )
        assert shown == sorted((t["text"], t["path"][-1]["label"]) for t in dependents["targets"])
        assert page.locator("#doc-select option").count() > 1

        # coordination load: table and chart
        page.click("button[data-tab=load]")
        page.wait_for_selector("#load-table tbody tr")
        load = httpx.get(live_server + "/api/coordination").json()
        assert page.locator("#load-table tbody tr").count() == len(load["units"])
        assert page.locator("#load-chart svg rect").count() > 0

        # the SPARQL box, its table and the CSV download
        page.click("button[data-tab=sparql]")
        query = "PREFIX fj: <https://w3id.org/fenjie/def#> SELECT ?t ?year WHERE { ?t a fj:Target ; fj:year ?year } ORDER BY ?t"
        page.fill("#sparql-text", query)
        page.click("#sparql-form button[type=submit]")
        page.wait_for_selector("#sparql-table tbody tr")
        targets = _count(
            live_server,
            "PREFIX fj: <https://w3id.org/fenjie/def#> SELECT (COUNT(*) AS ?n) WHERE { ?t a fj:Target }",
        )
        assert page.locator("#sparql-table tbody tr").count() == targets
        assert page.locator("#sparql-table th").all_text_contents() == ["t", "year"]
        with page.expect_download() as download:
            page.click("#sparql-csv")
        lines = Path(download.value.path()).read_text("utf-8").strip().splitlines()
        assert lines[0] == "t,year" and len(lines) == targets + 1

        # a bad query shows the parser's message
        page.fill("#sparql-text", "SELECT * WHERE { ?s ?p }")
        page.click("#sparql-form button[type=submit]")
        page.wait_for_selector("#sparql-result .error")
        assert page.locator("#sparql-result .error-text").inner_text().startswith("SPARQL 语法错误")
        assert "1:" in page.locator("#sparql-result .error-detail").inner_text()

        # the network views (or the fallback message)
        page.click("button[data-tab=views]")
        views = httpx.get(live_server + "/api/views").json()
        if views["available"]:
            page.wait_for_selector("#views-select option", state="attached")
            page.click("#views-form button[type=submit]")
            frame = page.frame_locator("#views-frame")
            # the view is drawn: vis-network's canvas is there (waiting for a concrete element,
            # not for "network idle", which the tab's own first draw can keep from settling)
            frame.locator("canvas").first.wait_for(timeout=60_000)
            assert "个节点" in frame.locator("body").inner_text()
        else:
            page.wait_for_selector("#views-message:has-text('尚未安装')")
        assert foreign == [], f"requests left the server: {foreign}"
        assert errors == []
    finally:
        context.close()


def test_text_from_the_data_runs_nothing(
    tmp_path: Path, chromium, server_factory, store_builder
) -> None:
    table = tmp_path / "xss.tsv"
    table.write_text(XSS_TABLE, encoding="utf-8")
    store = store_builder(tmp_path / "store", [table])
    with server_factory(store, "--workers", "1") as base:
        units = httpx.get(base + "/api/units", params={"q": "img"}).json()
        assert units, "the injected unit is in the graph"
        context, page, foreign, errors = _page(chromium, base)
        try:
            page.goto(base + "/")
            # the landing view lists the poisoned names as text
            page.wait_for_selector("#home-units-table tbody tr")
            busiest = httpx.get(base + "/api/coordination").json()["units"]
            assert page.locator("#home-units-table .unit-link").all_text_contents() == [
                u["unit"]["label"] for u in busiest[:8]
            ]
            page.click("button[data-tab=unit]")
            page.fill("#unit-input", "img")
            page.wait_for_selector("#unit-suggestions li")
            assert (
                page.locator("#unit-suggestions li").first.locator("span").first.inner_text()
                == units[0]["label"]
            )
            page.locator("#unit-suggestions li").first.click()
            page.wait_for_selector(".obligation .target")
            api = httpx.get(base + "/api/obligations", params={"unit": units[0]["iri"]}).json()
            texts = [t["text"] for o in api["obligations"] for t in o["targets"]]
            assert "<script>window.__xss=1</script>" in texts
            assert sorted(page.locator(".obligation .target").all_text_contents()) == sorted(texts)
            assert units[0]["label"] in page.locator("#unit-summary").inner_text()
            assert (
                page.locator(
                    "#unit-result script, #unit-result img, #unit-result svg, #unit-result b, #unit-result i"
                ).count()
                == 0
            )

            page.click("button[data-tab=doc]")
            page.wait_for_selector("#doc-select option:nth-child(2)", state="attached")
            page.select_option("#doc-select", index=1)
            page.wait_for_selector("#doc-table tbody tr.dependent")
            assert "<img src=x onerror=window.__xss=2>" in page.locator("#doc-summary").inner_text()

            page.click("button[data-tab=sparql]")
            page.fill(
                "#sparql-text",
                "PREFIX fj: <https://w3id.org/fenjie/def#> SELECT ?text WHERE { ?t a fj:Target ; fj:text ?text }",
            )
            page.click("#sparql-form button[type=submit]")
            page.wait_for_selector("#sparql-table tbody tr")
            assert sorted(page.locator("#sparql-table td").all_text_contents()) == sorted(texts)
            page.click("button[data-tab=load]")
            page.wait_for_selector("#load-table tbody tr")
            page.wait_for_timeout(200)
            assert page.evaluate("typeof window.__xss") == "undefined"
            assert foreign == [] and errors == []
        finally:
            context.close()
