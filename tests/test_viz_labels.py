"""Views drawn in Chromium on the bundled table: no node or label covers another at the default
zoom, the unit view opens with readable labels, and documents sharing a title's beginning get labels
that tell them apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from fenjie.viz import render_view
from fenjie.viz._page import write_html

pytestmark = pytest.mark.browser

VIEWS = {
    "responsibility": {},
    "coordination": {},
    "dependency": {"document": "意见"},
    "unit": {"unit": "省科技厅"},
}
BOXES = """() => { const s = window.fenjieView; const out = [];
  s.nodes.forEach((n) => out.push({ id: n.id, label: n.label || "", ...s.network.getBoundingBox(n.id) }));
  return { scale: s.network.getScale(), boxes: out }; }"""


def drawn(chromium, backend, tmp_path: Path, name: str) -> tuple[float, list[dict], object]:
    path = write_html(render_view(backend, name, **VIEWS[name]), tmp_path / f"{name}.html")
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-drawn='1']", timeout=60_000)
    page.wait_for_timeout(300)  # the unit view's opening zoom runs after the first drawing
    result = page.evaluate(BOXES)
    return result["scale"], result["boxes"], page


@pytest.mark.parametrize("name", list(VIEWS))
def test_no_node_or_label_covers_another(chromium, backend, tmp_path: Path, name: str) -> None:
    _scale, boxes, page = drawn(chromium, backend, tmp_path, name)
    try:
        assert len(boxes) > 10
        covered = [
            (a["label"], b["label"])
            for i, a in enumerate(boxes)
            for b in boxes[i + 1 :]
            if a["left"] < b["right"]
            and b["left"] < a["right"]
            and a["top"] < b["bottom"]
            and b["top"] < a["bottom"]
        ]
        assert covered == []
    finally:
        page.close()


def test_unit_view_opens_with_readable_labels(chromium, backend, tmp_path: Path) -> None:
    scale, boxes, page = drawn(chromium, backend, tmp_path, "unit")
    try:
        # vis-network leaves out labels smaller than 5 px on screen; 14 px labels at >= 0.55 show
        assert scale >= 0.55 and 14 * scale >= 5
        assert len(boxes) == 118
        focus = page.evaluate(
            "() => { const s = window.fenjieView; const p = s.network.getPositions();"
            " const id = s.nodes.get().find((n) => n.kind === 'focus').id;"
            " return s.network.canvasToDOM(p[id]); }"
        )
        assert 0 <= focus["x"] <= 1280 and 0 <= focus["y"] <= 800  # it opens at the unit
    finally:
        page.close()


def test_documents_sharing_a_prefix_are_told_apart(backend) -> None:
    from fenjie.viz import build_view

    dependency = build_view(backend, "dependency", document="意见")
    labels = {
        d["label"]: d["title"]
        for _, d in dependency.graph.nodes(data=True)
        if d["kind"] in ("document", "derived")
    }
    assert "《意见》" in labels and "《意见实施细则》" in labels
    assert labels["《意见实施细则》"].startswith("《中共湖南省委、省人民政府关于建设长株潭国家自主")
    assert len(set(labels)) == len(labels)


def test_unit_view_targets_fold_under_their_work_item(chromium, backend, tmp_path: Path) -> None:
    _scale, _boxes, page = drawn(chromium, backend, tmp_path, "unit")
    try:
        item = page.evaluate(
            """() => { const s = window.fenjieView;
                 const items = s.nodes.get().filter((n) => n.kind === 'item');
                 const box = document.getElementById('fj-network').getBoundingClientRect();
                 const inView = (id) => { const p = s.network.canvasToDOM(s.network.getPositions([id])[id]);
                   return p.x > 20 && p.y > 20 && p.x < box.width - 20 && p.y < box.height - 20; };
                 const withTargets = items.filter((i) => inView(i.id)
                   && s.nodes.get().some((n) => n.parent === i.id));
                 const id = withTargets[0].id;
                 const at = s.network.canvasToDOM(s.network.getPositions([id])[id]);
                 const kids = s.nodes.get().filter((n) => n.parent === id).map((n) => n.id);
                 return { id, x: box.left + at.x, y: box.top + at.y, kids }; }"""
        )
        assert item["kids"]
        hidden = "(ids) => ids.map((id) => Boolean(window.fenjieView.nodes.get(id).hidden))"
        assert page.evaluate(hidden, item["kids"]) == [False] * len(item["kids"])
        page.mouse.dblclick(item["x"], item["y"])
        page.wait_for_timeout(200)
        assert page.evaluate(hidden, item["kids"]) == [True] * len(item["kids"])
        page.mouse.dblclick(item["x"], item["y"])
        page.wait_for_timeout(200)
        assert page.evaluate(hidden, item["kids"]) == [False] * len(item["kids"])
        # the toolbar folds every work item's targets, and unfolds them
        targets = "() => window.fenjieView.nodes.get().filter((n) => n.kind === 'target')"
        page.click("#fj-fold")
        assert all(n["hidden"] for n in page.evaluate(targets))
        assert page.locator("#fj-fold").inner_text() == "展开全部目标"
        page.click("#fj-fold")
        assert not any(n.get("hidden") for n in page.evaluate(targets))
    finally:
        page.close()
