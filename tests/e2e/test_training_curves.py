"""The Training page's curves: one set of axes for every chart, several models overlaid (chosen
in the address), and the sentences that say what the curves show, worked out from them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from .test_training import open_training

AXES = """svg => ({low: Number(svg.dataset.low), high: Number(svg.dataset.high),
  scale: svg.dataset.scale, epochs: Number(svg.dataset.epochs),
  ticks: [...svg.querySelectorAll('.chart-tick text')].map(t => t.textContent)})"""

SERIES_LOOK = """(svg, key) => {
  const line = svg.querySelector(`.chart-series[data-series="${key}"] polyline`);
  const point = svg.querySelector(`.chart-point[data-series="${key}"]`);
  return [line.getAttribute('stroke'), line.getAttribute('stroke-dasharray'), point.tagName];
}"""


def histories(page: Page) -> dict[str, dict[str, Any]]:
    models = page.request.get("/api/models").json()
    details = [page.request.get(f"/api/models/{m['id']}").json() for m in models]
    return {d["id"]: d for d in details if d.get("history")}


def points(page: Page, chart: str, series: str) -> list[float]:
    values: list[float] = page.locator(
        f"{chart} .chart-point[data-series='{series}']"
    ).evaluate_all("ps => ps.map(p => Number(p.dataset.value))")
    return values


def test_every_chart_has_the_same_axes_and_the_overlay_is_kept_in_the_address(
    page: Page, artifacts: Path
) -> None:
    details = histories(page)
    longest = max(len(d["history"]["loss"]) for d in details.values())
    page.goto("/training?compare=lenet5,mlp&curves=training")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")

    # Every model's loss chart has one log axis (0.01 to 3 holds all the shipped losses), every
    # accuracy chart 0 to 100%, and all of them run from epoch 1 to the longest history.
    for metric, expected in (("loss", (0.01, 3, "log")), ("accuracy", (0, 1, "linear"))):
        axes = page.locator(
            f".model-training .chart[data-metric={metric}] svg.chart-svg"
        ).evaluate_all(f"svgs => svgs.map({AXES})")
        assert len(axes) == len(details)
        assert all(a == axes[0] for a in axes), axes
        assert (axes[0]["low"], axes[0]["high"], axes[0]["scale"]) == expected
        assert axes[0]["epochs"] == longest
    loss_ticks = page.locator(".chart[data-metric=loss] svg.chart-svg").first.evaluate(AXES)[
        "ticks"
    ]
    assert loss_ticks[:6] == ["0.01", "0.03", "0.1", "0.3", "1", "3"]

    overlay = page.locator("#overlay")
    expect(overlay).to_have_attribute("data-compare", "lenet5,mlp")
    expect(page.locator("#overlay-curves-training")).to_be_checked()
    loss_chart = "#overlay .chart[data-metric=loss]"
    for model in ("lenet5", "mlp"):
        assert points(page, loss_chart, model) == details[model]["history"]["loss"]
    svg = page.locator(f"{loss_chart} svg.chart-svg")
    looks = [svg.evaluate(SERIES_LOOK, model) for model in ("lenet5", "mlp")]
    # Told apart by colour, by dash and by marker shape.
    assert all(a != b for a, b in zip(*looks, strict=True)), looks
    expect(page.locator(f"{loss_chart} .chart-legend li")).to_have_text(
        [details["lenet5"]["name"], details["mlp"]["name"]], use_inner_text=True
    )

    # Adding a model from the keyboard, and the validation curves: both go into the address.
    page.locator("#overlay-mnist-cnn").focus()
    page.keyboard.press("Space")
    page.locator("#overlay-curves-validation").check()
    assert "compare=lenet5%2Cmnist-cnn%2Cmlp" in page.url and "curves" not in page.url
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(overlay).to_have_attribute("data-compare", "lenet5,mnist-cnn,mlp")
    expect(page.locator("#overlay-mnist-cnn")).to_be_checked()
    accuracy_chart = "#overlay .chart[data-metric=accuracy]"
    for model in ("lenet5", "mnist-cnn", "mlp"):
        values = points(page, accuracy_chart, model)
        assert values == details[model]["history"]["val_accuracy"]
    page.locator("#overlay").screenshot(path=artifacts / "laptop-training-overlay.png")


def test_the_sentences_under_the_curves_follow_from_their_numbers(page: Page) -> None:
    details = histories(page)
    open_training(page)
    for model, detail in details.items():
        history = detail["history"]
        story = page.locator(f".model-training[data-model='{model}'] .curve-story li")
        last_val, last_train = history["val_accuracy"][-1], history["accuracy"][-1]
        dropout = any(row["type"] == "Dropout" for row in detail["summary"])
        augmented = bool(detail["training"].get("augmentation"))
        gap = story.nth(1)
        if last_val > last_train:
            expect(gap).to_have_attribute("data-kind", "validation-above")
            if augmented:
                expect(gap).to_contain_text("augmentation")
            if dropout:
                expect(gap).to_contain_text("dropout")
            if not (augmented or dropout):
                expect(gap).not_to_contain_text("augmentation")
        lowest = min(range(len(history["val_loss"])), key=history["val_loss"].__getitem__)
        expect(story.nth(2)).to_have_attribute("data-epoch", str(lowest + 1))
        epochs = len(history["val_accuracy"])
        expect(story.nth(0)).to_contain_text(f"{last_val * 100:.1f}% after epoch {epochs}")

    # A history that overfits: validation loss lowest after epoch 3, then rising while the
    # training loss falls.
    train_loss = [1.0, 0.6, 0.4, 0.3, 0.2, 0.1]
    val_loss = [1.1, 0.7, 0.5, 0.55, 0.6, 0.7]
    sentences = page.evaluate(
        """async ([loss, val_loss]) => {
            const { describeCurves } = await import('/static/js/training/curve_story.js');
            const accuracy = loss.map((v) => 1 - v / 2);
            const val_accuracy = val_loss.map((v) => 1 - v / 2);
            return describeCurves({ loss, val_loss, accuracy, val_accuracy },
                { augmentation: false, dropout: false }, 'images');
        }""",
        [train_loss, val_loss],
    )
    overfit = sentences[2]
    assert overfit["kind"] == "overfit" and overfit["epoch"] == 3, sentences
    assert (
        "overfit after epoch 3" in overfit["text"] and "rose to 0.7 by epoch 6" in overfit["text"]
    )
    # Training accuracy 1 - 0.1 / 2 = 95%, validation 1 - 0.7 / 2 = 65%: 30 points apart.
    assert sentences[1]["kind"] == "training-above"
    assert "30 points above validation accuracy after epoch 6" in sentences[1]["text"]
