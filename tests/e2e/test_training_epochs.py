"""The Training page's epoch time travel (the first convolution's filters and feature maps after
each kept epoch) and, when the job is done, how the model does on its held-out images."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from .digit_pages import horizontal_overflow
from .test_training_own import (
    TRAINING_MS,
    delete_trained_model,
    open_training,
    start,
    upload_shapes,
)


def filter_grid_src(page: Page) -> str:
    return str(page.locator("#epoch-panel img.epoch-filter-grid").get_attribute("src"))


def scrub_to(page: Page, key: str, epoch: int) -> None:
    page.locator("#epoch-scrubber").press(key)
    expect(page.locator("#epoch-panel")).to_have_attribute("data-epoch", str(epoch))


def test_the_scrubber_travels_through_the_epochs_and_the_matrix_matches_the_api(
    page: Page, artifacts: Path
) -> None:
    open_training(page)
    upload_shapes(page)
    job_id = start(page, "lenet5", 2)
    job = page.locator("#job-view")
    panel = page.locator("#epoch-panel")
    expect(job).to_have_attribute("data-state", "done", timeout=TRAINING_MS)
    status = page.request.get(f"/api/jobs/{job_id}").json()
    assert status["filter_epochs"] == [0, 1, 2]
    expect(panel).to_have_attribute("data-epochs", "3")
    # Left alone, the scrubber follows the newest epoch.
    expect(panel).to_have_attribute("data-epoch", "2")
    scrubber = page.locator("#epoch-scrubber")
    expect(scrubber).to_have_attribute("max", "2")
    expect(page.locator("label[for=epoch-scrubber]")).to_have_text("Epoch")
    newest = filter_grid_src(page)

    snapshot = page.request.get(f"/api/jobs/{job_id}/epochs/2?format=png").json()
    filters = snapshot["filters"]["kernel_shape"][3]
    expect(panel.locator(".epoch-map-tile")).to_have_count(min(filters, 64))
    assert snapshot["maps"]["shape"][2] == filters
    expect(panel.locator(".epoch-probe")).to_contain_text(snapshot["probe_class"])
    expect(panel.locator(".epoch-filters .legend")).to_have_count(1)

    scrub_to(page, "Home", 0)
    assert filter_grid_src(page) != newest
    expect(page.locator(".epoch-output")).to_contain_text("Epoch 0")
    scrub_to(page, "ArrowRight", 1)
    # The chosen epoch is in the address, and a reload shows it again.
    assert f"job={job_id}" in page.url and "epoch=1" in page.url
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(panel).to_have_attribute("data-epoch", "1")
    expect(scrubber).to_have_value("1")
    scrub_to(page, "End", 2)
    assert filter_grid_src(page) == newest
    assert "epoch=" not in page.url  # the newest epoch: a reload follows again

    model_id = status["model"]
    detail = page.request.get(f"/api/models/{model_id}").json()
    # The job's charts are as wide as its epochs, on the page's axes, and the trained model
    # can join the overlay: its curve has a point per epoch.
    job_loss = page.locator("#job-view .chart[data-metric=loss] svg.chart-svg")
    expect(job_loss).to_have_attribute("data-epochs", "2")
    expect(job_loss).to_have_attribute("data-scale", "log")
    expect(page.locator("#job-view .curve-story li").first).to_contain_text("after epoch 2")
    page.locator(f"#overlay-{model_id}").check()
    expect(page.locator("#overlay")).to_have_attribute("data-compare", re.compile(model_id))
    overlaid = page.locator(
        f"#overlay .chart[data-metric=accuracy] .chart-point[data-series='{model_id}']"
    )
    assert (
        overlaid.evaluate_all("ps => ps.map(p => Number(p.dataset.value))")
        == detail["history"]["val_accuracy"]
    )
    evaluation = detail["evaluation"]
    classes = detail["classes"]
    table = page.locator("#job-evaluation table.confusion")
    expect(table).to_be_visible()
    cells: list[list[int]] = table.locator("td.confusion-cell").evaluate_all(
        """cs => cs.map((c) => [c.dataset.true, c.dataset.predicted, c.textContent]
            .map(Number))"""
    )
    assert len(cells) == len(classes) ** 2
    shown = [[0] * len(classes) for _ in classes]
    for true, predicted, count in cells:
        shown[true][predicted] = count
    assert shown == evaluation["confusion"]
    assert sum(map(sum, shown)) == evaluation["images"]
    headers = table.locator("thead th.confusion-class").all_text_contents()
    assert headers == classes
    expect(page.locator("#job-evaluation .mistake")).to_have_count(
        min(len(evaluation["mistakes"]), 12)
    )

    expect(page.locator("#job-explorer-link")).to_have_attribute(
        "href", f"/explorer?model={model_id}"
    )
    download = page.locator("#job-download-link")
    href = str(download.get_attribute("href"))
    assert href == f"/api/models/{model_id}/download"
    answer = page.request.get(href)
    assert answer.status == 200
    assert "attachment" in answer.headers["content-disposition"]

    page.set_viewport_size({"width": 1366, "height": 768})
    assert horizontal_overflow(page) == 0
    panel.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "laptop-training-epochs.png", full_page=True)
    delete_trained_model(page, model_id)


def test_while_running_the_scrubber_follows_the_newest_epoch_until_moved(page: Page) -> None:
    open_training(page)
    upload_shapes(page, per_class=5)
    start(page, "lenet5", 12)
    panel = page.locator("#epoch-panel")
    # Left alone, it moves on to each new epoch as it is kept.
    expect(panel).to_have_attribute("data-epoch", re.compile(r"^[1-9]"), timeout=TRAINING_MS)
    scrub_to(page, "Home", 0)
    job = page.locator("#job-view")
    expect(job).to_have_attribute("data-state", "done", timeout=TRAINING_MS)
    expect(panel).to_have_attribute("data-epochs", "13")
    expect(panel).to_have_attribute("data-epoch", "0")
    expect(page.locator(".epoch-output")).to_contain_text("1 of 13 kept")
    scrub_to(page, "End", 12)
    delete_trained_model(page, str(job.get_attribute("data-model")))


def test_a_network_without_convolution_says_it_has_no_filters(page: Page) -> None:
    open_training(page)
    upload_shapes(page, per_class=5)
    start(page, "mlp", 1)
    job = page.locator("#job-view")
    expect(job).to_have_attribute("data-state", "done", timeout=TRAINING_MS)
    panel = page.locator("#epoch-panel")
    expect(panel).to_have_attribute("data-state", "none")
    expect(panel).to_contain_text("no convolution layer")
    expect(panel.locator("#epoch-scrubber")).to_be_hidden()
    delete_trained_model(page, str(job.get_attribute("data-model")))


def test_phone_epochs_and_evaluation_fit_the_screen(phone_page: Page, artifacts: Path) -> None:
    open_training(phone_page)
    upload_shapes(phone_page)
    start(phone_page, "lenet5", 2)
    job = phone_page.locator("#job-view")
    expect(job).to_have_attribute("data-state", "done", timeout=TRAINING_MS)
    expect(phone_page.locator("#epoch-panel")).to_have_attribute("data-epoch", "2")
    expect(phone_page.locator("#job-evaluation table.confusion")).to_be_visible()
    assert horizontal_overflow(phone_page) == 0
    for target in ("#epoch-scrubber", ".epoch-play", "#job-download-link", "#job-explorer-link"):
        box = phone_page.locator(target).bounding_box()
        assert box and box["height"] >= 24 and box["width"] >= 24, (target, box)
    phone_page.screenshot(path=artifacts / "phone-training-epochs.png", full_page=True)
    delete_trained_model(phone_page, str(job.get_attribute("data-model")))
