"""Every view in headless Chromium with the network cut off: counts, errors, XSS, glyphs."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from fenjie.config import bundled_example
from fenjie.graph import FenjieStore, build_sources
from fenjie.queries import LocalBackend
from fenjie.viz import VIEWS, build_view, render_page, write_html
from fenjie.viz._browser import offline_page

pytestmark = pytest.mark.browser

FJ = "PREFIX fj: <https://w3id.org/fenjie/def#> PREFIX org: <http://www.w3.org/ns/org#> "


def _options(backend: LocalBackend) -> dict[str, dict[str, str]]:
    """Arguments for the focused views, taken from the graph (never hard-coded)."""
    doc = backend.select(FJ + "SELECT ?d WHERE { ?x fj:basedOn ?d } LIMIT 1")[0]["d"].value
    unit = backend.select(
        FJ
        + "SELECT ?u (COUNT(?a) AS ?n) WHERE { ?a fj:unit ?u } GROUP BY ?u ORDER BY DESC(?n) LIMIT 1"
    )[0]["u"].value
    return {"dependency": {"document": doc}, "unit": {"unit": unit}}


def _write_views(backend: LocalBackend, folder: Path) -> dict[str, tuple[Path, object]]:
    out = {}
    options = _options(backend)
    for name in sorted(VIEWS):
        view = build_view(backend, name, **options.get(name, {}))
        out[name] = (write_html(render_page(view), folder / f"{name}.html"), view)
    return out


@pytest.fixture(scope="module")
def bundled_views(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, object]]:
    store = FenjieStore.in_memory()
    build_sources([bundled_example()], store=store)
    return _write_views(LocalBackend(store), tmp_path_factory.mktemp("views"))


@pytest.fixture(scope="module")
def xss_views(
    tmp_path_factory: pytest.TempPathFactory, xss_source: tuple[Path, str]
) -> dict[str, tuple[Path, object]]:
    folder = tmp_path_factory.mktemp("xss")
    store = FenjieStore.in_memory()
    build_sources([xss_source[0]], store=store)
    backend = LocalBackend(store)
    unit = backend.select(
        FJ
        + "SELECT ?u WHERE { ?a fj:unit ?u ; fj:writtenAs ?w FILTER(CONTAINS(?w, 'onerror=window.__xss=1')) } LIMIT 1"
    )[0]["u"].value
    out = {}
    options = _options(backend)
    options["unit"] = {"unit": unit}
    for name in sorted(VIEWS):
        view = build_view(backend, name, **options.get(name, {}))
        out[name] = (write_html(render_page(view), folder / f"{name}.html"), view)
    return out


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_draws_offline_with_every_node_and_edge(
    name: str, bundled_views: dict, chromium: object
) -> None:
    path, view = bundled_views[name]
    with offline_page(chromium) as page:
        drawn_ms = page.open(path)
        assert page.counts() == {
            "nodes": view.graph.number_of_nodes(),
            "edges": view.graph.number_of_edges(),
        }
        assert not page.moving()
        # Reset before any selection (pyvis: "highlightActive is not defined")
        page.page.click("#fj-reset")
        first = next(iter(view.graph))
        page.page.select_option("#fj-select", first)
        highlighted = set(page.page.evaluate("window.fenjieView.highlighted"))
        assert highlighted == {
            first,
            *view.graph.successors(first),
            *view.graph.predecessors(first),
        }
        page.page.click("#fj-reset")
        assert page.page.evaluate("window.fenjieView.highlightActive") is False
        legend = page.page.inner_text("#fj-legend")
        assert "图例" in legend
        assert all(entry["label"] in legend for entry in view.legend)
        assert page.page.locator("h1").count() == 1
        assert page.blocked == [] and page.console_errors == [] and page.dialogs == []
        assert drawn_ms < 30_000


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_xss_runs_nothing_even_on_hover(name: str, xss_views: dict, chromium: object) -> None:
    path, view = xss_views[name]
    with offline_page(chromium) as page:
        page.open(path)
        poisoned = [
            n for n, d in view.graph.nodes(data=True) if "<" in d["label"] or "<" in d["title"]
        ]
        assert poisoned, "the poisoned table should reach this view"
        box = page.page.locator("#fj-network").bounding_box()
        poisoned.sort(key=lambda n: "<" not in view.graph.nodes[n]["label"])
        shown = 0
        for node in poisoned[:3]:
            page.page.evaluate(
                "id => window.fenjieView.network.focus(id, {scale: 1, animation: false})", node
            )
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.page.mouse.move(x - 40, y - 40)
            page.page.mouse.move(x, y, steps=4)
            page.page.wait_for_timeout(400)
            tip = page.page.locator("div.vis-tooltip")
            if tip.count() and tip.is_visible() and "<" in tip.inner_text():
                shown += 1  # the payload shows as text
        assert shown > 0
        menu = page.page.locator("#fj-select option").all_inner_texts()
        assert any("<img src=x onerror=window.__xss=1>" in t for t in menu) or name == "dependency"
        assert page.page.evaluate("window.__xss") is None
        assert page.dialogs == [] and page.blocked == [] and page.console_errors == []


def _ink(png: bytes) -> object:
    """The dark pixels of a screenshot, cropped to their bounding box, on a 24 x 96 grid."""
    import numpy as np
    from PIL import Image

    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    ys, xs = np.nonzero(grey < 140)
    assert len(xs), "nothing drawn"
    crop = Image.fromarray(grey[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1])
    grid = np.asarray(crop.resize((96, 24)), dtype=float)
    grid = 255 - grid
    return (grid - grid.mean()) / (grid.std() + 1e-9)


def test_labels_are_drawn_as_chinese_glyphs_not_boxes(
    bundled_views: dict, chromium: object
) -> None:
    path, view = bundled_views["coordination"]
    node, label = max(
        ((n, d["label"]) for n, d in view.graph.nodes(data=True)), key=lambda p: len(p[1])
    )
    assert re.search(r"[\u4e00-\u9fff]", label)
    with offline_page(chromium, width=1000, height=600) as page:
        page.open(path)
        page.page.add_style_tag(content="#fj-legend{display:none}")
        clip = page.page.evaluate(
            """id => { const v = window.fenjieView;
                 v.nodes.update(v.nodes.getIds().filter(i => i !== id).map(i => ({id: i, hidden: true})));
                 v.edges.update(v.edges.getIds().map(e => ({id: e, hidden: true})));
                 v.nodes.update({id, color: "rgba(0,0,0,0)", borderWidth: 0});
                 v.network.moveTo({position: v.network.getPositions([id])[id], scale: 3, animation: false});
                 v.network.redraw();
                 const r = document.getElementById("fj-network").getBoundingClientRect();
                 return {x: r.x, y: r.y, width: r.width, height: r.height}; }""",
            node,
        )
        page.page.wait_for_timeout(200)
        drawn = page.page.screenshot(clip=clip)
        reference = """<canvas id=c width=1000 height=200></canvas><script>{
          const ctx = document.getElementById('c').getContext('2d');
          ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 1000, 200); ctx.fillStyle = '#222';
          ctx.font = '42px "Noto Sans CJK SC"'; ctx.textAlign = 'center';
          const text = LABEL;
          if (BOXES) { const w = ctx.measureText('国').width;
            for (let i = 0; i < text.length; i++) {
              ctx.strokeStyle = '#222'; ctx.lineWidth = 3;
              ctx.strokeRect(500 - text.length * w / 2 + i * w + 4, 70, w - 8, 48); } }
          else { ctx.fillText(text, 500, 110); } }</script>"""
        images = []
        for boxes in ("false", "true"):
            html = reference.replace("LABEL", repr(label)).replace("BOXES", boxes)
            plain = page.page.context.new_page()  # the view's CSP would block this script
            plain.set_content(html)
            images.append(plain.screenshot(clip={"x": 0, "y": 0, "width": 1000, "height": 200}))
            plain.close()
    a, glyphs, tofu = (_ink(png) for png in (drawn, *images))
    like_glyphs = float((a * glyphs).mean())
    like_boxes = float((a * tofu).mean())
    assert like_glyphs > 0.6, (like_glyphs, like_boxes)
    assert like_glyphs > like_boxes + 0.2, (like_glyphs, like_boxes)
    print(f"glyph similarity {like_glyphs:.2f}, box similarity {like_boxes:.2f}")
