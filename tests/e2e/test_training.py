"""The Training page: each model's loss and accuracy curves, one point per epoch."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from .digit_pages import horizontal_overflow
from .imported_models import imported_model


def open_training(page: Page) -> None:
    page.goto("/training")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def test_each_model_has_loss_and_accuracy_charts_with_a_point_per_epoch(
    page: Page, artifacts: Path
) -> None:
    open_training(page)
    models = page.request.get("/api/models").json()
    expect(page.locator(".model-training")).to_have_count(len(models))
    for model in models:
        detail = page.request.get(f"/api/models/{model['id']}").json()
        section = page.locator(f".model-training[data-model='{model['id']}']")
        expect(section.locator("h2")).to_have_text(detail["name"])
        history = detail["history"]
        for metric in ("loss", "accuracy"):
            chart = section.locator(f".chart[data-metric={metric}]")
            label = chart.locator("svg[role=img]").get_attribute("aria-label") or ""
            assert detail["name"] in label and f"{detail['epochs']} epochs" in label
            for series, key in (("train", metric), ("validation", f"val_{metric}")):
                points = chart.locator(f".chart-point[data-series={series}]")
                expect(points).to_have_count(detail["epochs"])
                values = points.evaluate_all("ps => ps.map(p => Number(p.dataset.value))")
                assert values == history[key]
        expect(section.locator(".command code")).to_have_text(detail["training"]["command"])
        expect(section).to_contain_text(f"{detail['test_accuracy'] * 100:.2f}%")
    page.screenshot(path=artifacts / "laptop-training.png", full_page=True)


def test_phone_training_fits_the_screen(phone_page: Page, artifacts: Path) -> None:
    open_training(phone_page)
    assert horizontal_overflow(phone_page) == 0
    phone_page.screenshot(path=artifacts / "phone-training.png", full_page=True)


# The first line of each underscore-separated part of the element's text (its characters'
# tops, from a Range over each part): more than one top means the part broke mid-word.
PART_LINES = """(element) => {
  const chars = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) chars.push([node, i]);
  }
  const text = chars.map(([node, i]) => node.data[i]).join("");
  const parts = [];
  let start = 0;
  for (const part of text.split(/(?<=_)/)) {
    const range = document.createRange();
    range.setStart(...chars[start]);
    const [endNode, endIndex] = chars[start + part.length - 1];
    range.setEnd(endNode, endIndex + 1);
    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    parts.push({ part, lines: tops.size, top: Math.min(...tops) });
    start += part.length;
  }
  return parts;
}"""


def test_phone_loss_name_wraps_only_after_its_underscores(phone_page: Page) -> None:
    open_training(phone_page)
    loss = phone_page.locator(".facts dd code").filter(has_text="crossentropy").first
    expect(loss).to_have_text("sparse_categorical_crossentropy")
    parts = loss.evaluate(PART_LINES)
    assert [p["part"] for p in parts] == ["sparse_", "categorical_", "crossentropy"]
    assert all(p["lines"] == 1 for p in parts), parts
    # Narrower than the name: it now has to wrap, and still only at the underscores.
    loss.evaluate("e => (e.parentElement.style.width = '9ch')")
    parts = loss.evaluate(PART_LINES)
    assert all(p["lines"] == 1 for p in parts), parts
    assert len({p["top"] for p in parts}) == 3, parts


def test_an_imported_model_is_named_as_having_no_training_record_not_charted(
    page: Page, tmp_path: Path, artifacts: Path
) -> None:
    from tests.keras_files import softmax_layer_rgb

    with imported_model(page.request, softmax_layer_rgb(), tmp_path, name="Colour shapes") as rgb:
        open_training(page)
        expect(page.locator(f".model-training[data-model='{rgb['id']}']")).to_have_count(0)
        expect(page.locator(f"#compare tr[data-model='{rgb['id']}']")).to_have_count(0)
        expect(page.locator("#no-training-record")).to_contain_text(
            "No training record: Colour shapes (imported)"
        )
        shipped = [m for m in page.request.get("/api/models").json() if m["id"] != rgb["id"]]
        expect(page.locator(".model-training")).to_have_count(len(shipped))
        expect(page.locator("body")).not_to_contain_text("NaN")
        page.screenshot(path=artifacts / "laptop-training-imported.png", full_page=True)
