"""The web page as a new user meets it (headless Chromium): the landing view, 经由 lines, Chinese
messages with suggestions, one set of role terms, full obligation cards, the load chart, the
document trace by kind, CSV and Excel downloads of every table, printing on A4, the favicon.

One server over two tables (the bundled one and a small plan with a 完成时限 column) with a
generous query time limit, so that a loaded machine does not turn answers into timeouts.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from fenjie.config import bundled_example

pytestmark = pytest.mark.browser

DEADLINE_TABLE = (
    "测试市营商环境工作方案\n\n工作任务\t牵头单位\t责任单位\t完成时限\n"
    "1、建设政务服务平台\t测试市发改委\t测试市财政局\t2023年6月底前\n"
    "2、完善监督机制\t测试市财政局\t测试市发改委\t长期坚持\n"
)
ROLE_TERMS = ["牵头", "共同负责", "配合"]
# Latin letters allowed in a Chinese message: names of commands, protocols and options
ALLOWED_LATIN = {"SPARQL", "HTTP", "fenjie", "push", "build", "serve", "update", "token", "SERVICE"}
ALLOWED_LATIN |= {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


@pytest.fixture(scope="module")
def site(tmp_path_factory, store_builder, server_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("page")
    table = folder / "deadline-plan.tsv"
    table.write_text(DEADLINE_TABLE, encoding="utf-8")
    store = store_builder(folder / "store", [bundled_example(), table])
    with server_factory(store, "--workers", "2", "--timeout", "60") as base:
        yield base


@pytest.fixture()
def page(chromium, site):
    context = chromium.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.problems = []  # type: ignore[attr-defined]
    host = urlsplit(site).netloc

    def on_response(response) -> None:
        # the favicon and every script or style must exist; API answers may be 4xx on purpose
        if response.status == 404 and "/api/" not in response.url:
            page.problems.append(f"404 {response.url}")

    page.on("response", on_response)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on(
        "request",
        lambda r: (
            page.problems.append(f"foreign {r.url}")
            if urlsplit(r.url).netloc not in ("", host) and r.url.startswith("http")
            else None
        ),
    )
    yield page
    assert page.problems == []
    context.close()


def api(site: str, path: str, **params: str) -> dict:
    return httpx.get(site + path, params=params, timeout=60).json()


def chinese_only(text: str) -> bool:
    return set(re.findall(r"[A-Za-z]+", text)) <= ALLOWED_LATIN


def search_unit(page, name: str) -> None:
    page.fill("#unit-input", name)
    page.click("#unit-form button[type=submit]")


def test_landing_view_links_into_the_tabs(page, site: str) -> None:
    page.goto(site + "/")
    page.wait_for_selector("#home-documents-table tbody tr")
    tables = api(site, "/api/queries/overview-tables")["rows"]
    shown = [
        [td.inner_text() for td in row.locator("td").all()]
        for row in page.locator("#home-tables-table tbody tr").all()
    ]
    assert sorted(shown) == sorted(
        [t["title"], t["file"], str(t["workItems"]), str(t["targets"]), str(t["units"])]
        for t in tables
    )
    assert {r[1] for r in shown} == {
        "changzhutan-innovation-zone-2017-2019.tsv",
        "deadline-plan.tsv",
    }
    busiest = api(site, "/api/coordination")["units"][:8]
    links = page.locator("#home-units-table .unit-link")
    assert links.all_text_contents() == [u["unit"]["label"] for u in busiest]
    documents = page.locator("#home-documents-table .doc-link").all_text_contents()
    assert documents[0] == "《中共湖南省委、省人民政府关于建设长株潭国家自主创新示范区的若干意见》"
    # a unit link opens its obligations, a document link its trace
    links.first.click()
    page.wait_for_selector(".obligation")
    assert page.locator("#unit-summary strong").inner_text() == busiest[0]["unit"]["label"]
    page.click("button[data-tab=home]")
    page.locator("#home-documents-table .doc-link").first.click()
    page.wait_for_selector("#doc-table tr.dependent")
    assert page.locator("#doc-summary strong").inner_text() == documents[0]


def test_via_lines_name_the_group_and_the_predecessor(page, site: str) -> None:
    page.goto(site + "/#unit")
    search_unit(page, "长沙市人民政府")
    page.wait_for_selector(".obligation .via")
    answer = api(site, "/api/obligations", unit="长沙市人民政府")
    assert page.locator(".obligation").count() == len(answer["obligations"])
    assert set(page.locator(".obligation .via").all_text_contents()) == {"经由 长株潭三市政府"}
    search_unit(page, "湖南省市场监督管理局")
    page.wait_for_selector(".obligation .via:has-text('前身')")
    vias = page.locator(".obligation .via").all_text_contents()
    assert "前身 湖南省工商行政管理局" in vias


def test_unknown_and_partial_unit_names(page, site: str) -> None:
    page.goto(site + "/#unit")
    # a part of exactly one unit's names just answers
    for part, full in (("科技厅", "湖南省科学技术厅"), ("商务", "湖南省商务厅")):
        search_unit(page, part)
        page.wait_for_selector(f"#unit-summary:has-text('{full}')")
    # a part of several: a Chinese message and the suggestions as links
    search_unit(page, "湖南")
    page.wait_for_selector("#unit-result .error")
    message = page.locator("#unit-result .error-text").inner_text()
    assert message == "没有找到单位“湖南”。" and chinese_only(message)
    assert page.locator("#unit-result .suggestions").inner_text().startswith("您是否要找：")
    expected = httpx.get(site + "/api/obligations", params={"unit": "湖南"}).json()
    links = page.locator("#unit-result a.suggestion")
    assert links.all_text_contents() == expected["error"]["suggestions"]
    links.first.click()
    page.wait_for_selector(".obligation")
    assert page.locator("#unit-summary strong").inner_text() == expected["error"]["suggestions"][0]
    # an unknown name, and an unknown document, in Chinese
    search_unit(page, "火星移民局")
    page.wait_for_selector("#unit-result .error")
    assert page.locator("#unit-result .error").inner_text() == "没有找到单位“火星移民局”。"
    page.click("button[data-tab=doc]")
    page.fill("#doc-input", "意见书")
    page.click("#doc-form button[type=submit]")
    page.wait_for_selector("#doc-result .suggestions")
    assert page.locator("#doc-result .error-text").inner_text() == "没有找到文件“意见书”。"
    page.locator("#doc-result a.suggestion").first.click()
    page.wait_for_selector("#doc-table tr.dependent")


def test_messages_are_chinese(page, site: str) -> None:
    page.goto(site + "/#sparql")
    page.fill("#sparql-text", "DELETE WHERE { ?s ?p ?o }")
    page.click("#sparql-form button[type=submit]")
    page.wait_for_selector("#sparql-result .error")
    refused = page.locator("#sparql-result .error-text").inner_text()
    assert chinese_only(refused) and "fenjie push" in refused
    page.fill("#sparql-text", "SELECT * WHERE { ?s ?p }")
    page.click("#sparql-form button[type=submit]")
    page.wait_for_selector("#sparql-result .error-detail")
    assert (
        page.locator("#sparql-result .error-text").inner_text()
        == "SPARQL 语法错误（第 1 行第 25 列）："
    )
    detail = page.locator("#sparql-result .error-detail").inner_text()
    assert "1:25" in detail and not detail.startswith("SPARQL 语法错误")  # said once, above
    # a refusal without a sentence of the page's own: the server's message, Chinese first
    page.fill("#sparql-text", "SELECT * WHERE " + "{" * 300 + " ?s ?p ?o " + "}" * 300)
    page.click("#sparql-form button[type=submit]")
    page.wait_for_selector("#sparql-result .error-text:has-text('查询嵌套过深')")


def test_one_set_of_role_terms(page, site: str) -> None:
    page.goto(site + "/#unit")
    assert page.locator("#unit-role option").all_text_contents() == ["全部", *ROLE_TERMS]
    search_unit(page, "省科技厅")
    page.wait_for_selector(".role-group")
    headings = [
        re.sub(r"（\d+）$", "", h) for h in page.locator(".role-group h2").all_text_contents()
    ]
    assert headings == ROLE_TERMS
    assert "协同负担" in page.locator("#tabs").inner_text()
    page.click("button[data-tab=load]")
    page.wait_for_selector("#load-chart svg")
    assert page.locator("#load-chart .legend-label").all_text_contents() == ROLE_TERMS
    assert page.locator("#load-table th").all_text_contents()[1:4] == ROLE_TERMS
    body = page.locator("body").inner_text()
    assert "协调负荷" not in body and "负责（" not in body


def test_obligation_cards_name_lead_others_baseline_and_deadline(page, site: str) -> None:
    page.goto(site + "/#unit")
    search_unit(page, "省科技厅")
    page.wait_for_selector(".obligation")
    answer = api(site, "/api/obligations", unit="省科技厅")
    cards = page.locator(".obligation")
    assert cards.count() == len(answer["obligations"]) == 13
    by_card = {(e["role"], e["work_item"]["label"]): e for e in answer["obligations"]}
    for card in cards.all():
        role = card.locator("xpath=..").get_attribute("data-role")
        entry = by_card.pop((role, card.locator("h3").inner_text()))
        for party_role, term in (
            ("lead", "牵头单位"),
            ("responsible", "共同负责"),
            ("supporting", "配合单位"),
        ):
            names = [p["label"] for p in entry["parties"][party_role]]
            shown = card.locator(f".party.{party_role}")
            if names:
                assert shown.inner_text() == f"{term}：" + "、".join(names)
            else:
                assert shown.count() == 0
        assert card.locator(".baseline-list li").all_text_contents() == entry["baseline"]
    assert by_card == {}
    talent = page.locator(".role-group.supporting .obligation", has_text="高层次人才")
    assert talent.locator(".party.lead").inner_text() == "牵头单位：长株潭三市政府"
    # the deadline, where a table has one
    search_unit(page, "测试市财政局")
    page.wait_for_selector(".obligation .deadline")
    assert sorted(page.locator(".obligation .deadline").all_text_contents()) == [
        "完成时限：2023年6月底前",
        "完成时限：长期坚持",
    ]


def test_load_chart_legend_labels_values_and_centralities(page, site: str) -> None:
    page.goto(site + "/#load")
    page.wait_for_selector("#load-chart svg .bar-label")
    units = api(site, "/api/coordination")["units"][:25]
    colours = page.evaluate(
        """() => Object.fromEntries(['lead', 'responsible', 'supporting'].map((role) => [role, [
             getComputedStyle(document.querySelector(`#load-chart .legend-swatch.${role}`)).fill,
             [...new Set([...document.querySelectorAll(`#load-chart rect.${role}:not(.legend-swatch)`)]
               .map((r) => getComputedStyle(r).fill))]]]))"""
    )
    for _role, (swatch, bars) in colours.items():
        assert bars == [swatch]
    assert len(set(swatch for swatch, _ in colours.values())) == 3
    boxes = page.evaluate(
        """() => { const svg = document.querySelector('#load-chart svg');
             const width = svg.width.baseVal.value;
             return [...svg.querySelectorAll('text')].map((t) => {
               const b = t.getBBox(); return [t.classList[0], t.textContent, b.x, b.x + b.width, width]; }); }"""
    )
    labels = [b for b in boxes if b[0] == "bar-label"]
    assert [b[1] for b in labels] == [u["unit"]["label"] for u in units]
    assert all(b[2] >= 0 and b[3] <= b[4] for b in boxes), "a text is cut off"
    totals = [b[1] for b in boxes if b[0] == "bar-total"]
    assert totals == [str(u["lead"] + u["responsible"] + u["supporting"]) for u in units]
    rows = page.locator("#load-table tbody tr").all()
    for row, unit in zip(rows, api(site, "/api/coordination")["units"], strict=True):
        cells = row.locator("td").all_text_contents()
        assert cells[6] == f"{unit['degree']:.3f}" and cells[7] == f"{unit['betweenness']:.3f}"
    for header in ("度中心性", "介数中心性"):
        tip = page.locator(f"#load-table th:text-is('{header}')").get_attribute("title")
        assert tip and tip.startswith(header + "：")


def test_document_trace_by_kind(page, site: str) -> None:
    page.goto(site + "/#doc")
    page.fill("#doc-input", "意见")
    page.click("#doc-form button[type=submit]")
    page.wait_for_selector("#doc-table tr.dependent")
    answer = api(site, "/api/dependents", document="意见")
    counts = Counter(t["kind"] for t in answer["targets"])
    names = {
        "direct": "直接引用",
        "based_on": "依据文件",
        "earlier_target": "前期目标",
        "baseline": "前期基础",
    }
    buttons = page.locator(".kind-filter button")
    expected = [f"全部（{len(answer['targets'])}）"] + [
        f"{names[k]}（{counts[k]}）" for k in names if counts[k]
    ]
    assert buttons.all_text_contents() == expected
    groups = page.locator("#doc-table tr.group-row").all_text_contents()
    assert groups == expected[1:]
    for kind in (k for k in names if counts[k]):
        # the server answers that kind's targets (pages of a long answer hold one kind each)
        page.click(f".kind-filter button[data-kind={kind}]")
        page.wait_for_selector(f".kind-filter button[data-kind={kind}][aria-pressed=true]")
        visible = page.locator("#doc-table tr.dependent:visible")
        assert visible.count() == counts[kind]
        assert set(visible.locator("td:first-child").all_text_contents()) == {names[kind]}
        assert buttons.all_text_contents() == expected  # the counts are the whole answer's
    page.click(".kind-filter button[data-kind='']")
    page.wait_for_selector(".kind-filter button[data-kind=''][aria-pressed=true]")
    assert page.locator("#doc-table tr.dependent:visible").count() == len(answer["targets"])
    paths = page.locator("#doc-table tr.dependent .path").all_text_contents()
    assert any("前期基础" in p for p in paths) and any("出台" in p for p in paths)


def _download(page, selector: str) -> Path:
    with page.expect_download() as download:
        page.click(selector)
    return Path(download.value.path())


def _workbook(download, folder: Path):
    import openpyxl

    path = folder / download.suggested_filename  # openpyxl goes by the file name's extension
    download.save_as(path)
    return openpyxl.load_workbook(path).active


def test_every_table_downloads_as_csv_and_excel(page, site: str, tmp_path: Path) -> None:
    checks = [
        ("#home", "#home-units-table"),
        ("#load", "#load-table"),
        ("#load", "#pairs-table"),
    ]
    for hash_, table in checks:
        page.goto(site + "/" + hash_)
        page.wait_for_selector(f"{table} tbody tr")
        shown = [
            [c.inner_text().strip() for c in row.locator("th, td").all()]
            for row in page.locator(f"{table} tr").all()
        ]
        bar = page.locator(f".table-wrap:has({table}) .downloads")
        with page.expect_download() as download:
            bar.locator(".download-csv").click()
        text = Path(download.value.path()).read_text("utf-8-sig")
        assert list(csv.reader(io.StringIO(text))) == shown, table
        with page.expect_download() as download:
            bar.locator(".download-xlsx").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        sheet = _workbook(download.value, tmp_path)
        assert [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)] == shown
    # the document trace downloads its paths as words, and only the rows the filter shows
    page.goto(site + "/#doc")
    page.fill("#doc-input", "意见")
    page.click("#doc-form button[type=submit]")
    page.wait_for_selector("#doc-table tr.dependent")
    page.click(".kind-filter button[data-kind=earlier_target]")
    with page.expect_download() as download:
        page.locator("#doc-result .download-csv").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert rows[0] == ["依赖方式", "年份", "工作内容", "目标", "依赖路径"]
    assert {r[0] for r in rows[1:]} == {"前期目标"} and all("—前序→" in r[4] for r in rows[1:])
    # the SPARQL result table too
    page.click("button[data-tab=sparql]")
    page.fill(
        "#sparql-text",
        'SELECT ?x WHERE { VALUES ?x { "=1+1" "<b>a</b>" "逗号,引号\\"" } }',
    )
    page.click("#sparql-form button[type=submit]")
    page.wait_for_selector("#sparql-table tbody tr")
    with page.expect_download() as download:
        page.locator("#sparql-result .download-xlsx").click()
    sheet = _workbook(download.value, tmp_path)
    values = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert values == ["x", "=1+1", "<b>a</b>", '逗号,引号"']  # text, never a formula
    assert sheet["B2"].value is None and sheet["A2"].data_type == "s"


def test_printing_a_units_list_on_a4(page, site: str, tmp_path: Path) -> None:
    import pdfplumber

    page.goto(site + "/#unit")
    search_unit(page, "省科技厅")
    page.wait_for_selector(".obligation")
    page.emulate_media(media="print")
    assert not page.locator("#tabs").is_visible() and not page.locator("#unit-form").is_visible()
    assert page.locator(".obligation").first.is_visible()
    pdf = tmp_path / "unit.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    with pdfplumber.open(pdf) as document:
        sizes = {(round(p.width), round(p.height)) for p in document.pages}
        text = "\n".join(p.extract_text() or "" for p in document.pages)
        widest = max((c["x1"] for p in document.pages for c in p.chars), default=0)
    assert sizes == {(595, 842)}  # A4 in points
    assert widest <= 595 - 12 / 25.4 * 72 + 1  # nothing runs into the right margin
    squeezed = re.sub(r"\s", "", text)
    assert "湖南省科学技术厅共13项任务" in squeezed and "协同创新体系" in squeezed
    assert "SPARQL查询" not in squeezed and "下载CSV" not in squeezed


def test_favicon_is_served(site: str) -> None:
    html = httpx.get(site + "/").text
    icon = re.search(r'<link rel="icon"[^>]*href="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    response = httpx.get(site + icon)
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg")
