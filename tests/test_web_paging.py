"""The page's long answers, a page at a time (headless Chromium): a unit with hundreds of work items
and a document with more than a thousand dependent targets, over synthetic tables. Page after
page, the cards and rows shown are the whole answer of the API, and the summary and the kind
buttons count the whole answer."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fenjie.bench.page import PAGE_SIZE
from fenjie.bench.synthetic import write_synthetic

pytestmark = pytest.mark.browser

UNIT = "https://w3id.org/fenjie/id/unit/hunan-department-of-science-and-technology"
SCRIPT = Path(__file__).parent.parent / "fenjie" / "server" / "static" / "app.js"


@pytest.fixture(scope="module")
def site(tmp_path_factory, store_builder, server_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("paging")
    tables = write_synthetic(folder / "tables", 400)  # 315 work items of 省科技厅
    store = store_builder(folder / "store", tables)
    with server_factory(store, "--workers", "2", "--timeout", "60") as base:
        yield base


@pytest.fixture()
def page(chromium) -> Iterator[object]:
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    assert errors == []
    context.close()


def _whole(site: str, path: str, **params: str) -> dict:
    return httpx.get(site + path, params=params, timeout=120).json()


def test_the_benchmark_asks_pages_as_the_page_does() -> None:
    found = re.search(r"const PAGE_SIZE = (\d+);", SCRIPT.read_text("utf-8"))
    assert found and int(found.group(1)) == PAGE_SIZE


def test_a_units_obligations_page_by_page(page, site: str) -> None:
    whole = _whole(site, "/api/obligations", unit=UNIT)
    total = len(whole["obligations"])
    assert total > 2 * PAGE_SIZE
    page.goto(site + "/#unit")
    page.fill("#unit-input", UNIT)
    page.click("#unit-form button[type=submit]")
    seen: list[tuple[str, str]] = []
    for number in range((total + PAGE_SIZE - 1) // PAGE_SIZE):
        first = number * PAGE_SIZE + 1
        last = min(total, first + PAGE_SIZE - 1)
        where = f"第 {first}–{last} 项，共 {total} 项"
        page.wait_for_selector(f".pager-where:has-text('{where}')")
        assert f"共 {total} 项任务" in page.locator("#unit-summary").inner_text()
        cards = page.locator(".role-group .obligation")
        assert cards.count() == last - first + 1
        for group in page.locator(".role-group").all():
            role = group.get_attribute("data-role")
            seen += [
                (role, iri)
                for iri in group.locator(".obligation").evaluate_all(
                    "cards => cards.map((c) => c.dataset.iri)"
                )
            ]
        assert page.locator(".pager-previous").first.is_disabled() == (number == 0)
        if last < total:
            page.locator(".pager-next").first.click()
    assert page.locator(".pager-next").first.is_disabled()
    expected = Counter((o["role"], o["work_item"]["iri"]) for o in whole["obligations"])
    assert Counter(seen) == expected
    # back one page: the previous entries again
    page.locator(".pager-previous").first.click()
    page.wait_for_selector(f".pager-where:has-text('第 {first - PAGE_SIZE}–')")


def test_a_documents_dependents_page_by_page_and_by_kind(page, site: str) -> None:
    cited = _whole(site, "/api/queries/overview-documents")["rows"][0]
    whole = _whole(site, "/api/dependents", document=cited["document"])
    targets = whole["targets"]
    assert len(targets) > 2 * PAGE_SIZE
    counts = Counter(t["kind"] for t in targets)
    page.goto(site + "/#doc")
    page.fill("#doc-input", cited["document"])
    page.click("#doc-form button[type=submit]")
    shown: list[str] = []
    for number in range(2):
        first = number * PAGE_SIZE + 1
        page.wait_for_selector(f".pager-where:has-text('第 {first}–')")
        assert f"共有 {len(targets)} 个目标" in page.locator("#doc-summary").inner_text()
        rows = page.locator("#doc-table tr.dependent")
        assert rows.count() == PAGE_SIZE
        shown += rows.locator("td:nth-child(4)").all_text_contents()
        page.locator(".pager-next").first.click()
    assert Counter(shown) == Counter(t["text"] for t in targets[: 2 * PAGE_SIZE])
    kind = min(counts, key=lambda k: (counts[k] > PAGE_SIZE, -counts[k]))  # a kind on one page
    page.click(f".kind-filter button[data-kind={kind}]")
    page.wait_for_selector(f".kind-filter button[data-kind={kind}][aria-pressed=true]")
    rows = page.locator("#doc-table tr.dependent")
    assert rows.count() == min(counts[kind], PAGE_SIZE)
    expected = [t["text"] for t in targets if t["kind"] == kind][:PAGE_SIZE]
    assert Counter(rows.locator("td:nth-child(4)").all_text_contents()) == Counter(expected)
    buttons = page.locator(".kind-filter button").all_text_contents()
    assert buttons[0] == f"全部（{len(targets)}）"


def test_the_progress_table_page_by_page(page, site: str) -> None:
    as_of = "2019-12-31"
    whole = _whole(site, "/api/progress", as_of=as_of)
    targets = whole["targets"]
    total = len(targets)
    assert total > 2 * PAGE_SIZE
    page.goto(site + "/#progress")
    page.wait_for_selector("#progress-targets")
    page.fill("#progress-asof", as_of)
    page.click("#progress-form button[type=submit]")
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    visited = [0, 1, 2, pages - 2, pages - 1]  # the first pages, then a jump to the last ones
    expected: list[str] = []
    seen: list[str] = []
    for before, number in zip([None, *visited], visited, strict=False):
        first = number * PAGE_SIZE + 1
        last = min(total, first + PAGE_SIZE - 1)
        if before is not None and number == before + 1:
            page.locator(".pager-next").first.click()
        elif before is not None:
            page.evaluate(f"loadProgress({number * PAGE_SIZE})")
        page.wait_for_selector(f".pager-where:has-text('第 {first}–{last} 项，共 {total} 项')")
        # the summary and the units table count every target, not the page's
        assert f"目标 {total} 个" in page.locator("#progress-summary").inner_text()
        assert page.locator("#progress-units tr").count() == len(whole["units"]) + 1
        rows = page.locator("#progress-targets tr[data-iri]")
        assert rows.count() == last - first + 1
        seen += rows.evaluate_all("rows => rows.map((r) => r.dataset.iri)")
        expected += [t["iri"] for t in targets[first - 1 : last]]
        assert page.locator(".pager-previous").first.is_disabled() == (number == 0)
    assert page.locator(".pager-next").first.is_disabled()
    assert seen == expected
    page.locator(".pager-previous").first.click()  # back one page: its targets again
    page.wait_for_selector(f".pager-where:has-text('第 {(pages - 2) * PAGE_SIZE + 1}–')")
    # a unit's 催办清单: the whole answer's overdue targets, earliest due first
    unit = whole["units"][0]["unit"]
    page.fill("#progress-unit", unit["iri"])
    page.check("#progress-overdue")
    page.click("#progress-form button[type=submit]")
    page.wait_for_selector("#progress-reminders")
    mine = _whole(site, "/api/progress", as_of=as_of, unit=unit["iri"], overdue="true")
    urgent = sorted(mine["targets"], key=lambda t: t["due"])
    heading = page.locator("#progress-reminders h2").inner_text()
    assert f"（{len(urgent)} 项" in heading
    listed = page.locator("#progress-reminders li strong").all_text_contents()
    assert listed == [f"{t['year']} {t['text']}" for t in urgent[:PAGE_SIZE]]
    rows = page.locator("#progress-targets tr[data-iri]")
    shown = rows.evaluate_all("rows => rows.map((r) => r.dataset.iri)")
    assert shown == [t["iri"] for t in mine["targets"][:PAGE_SIZE]]
