"""The Training page's "Your stack": open a recipe in the Architecture lab sized for the
uploaded images, change it, bring it back with "Use for training", train it; and a stack the
server refuses for the dataset shows the server's message on the form."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.datasets_files import SHAPES, shapes_set, zip_bytes

from .digit_pages import horizontal_overflow
from .test_training_own import TRAINING_MS, delete_trained_model, open_training, upload

LAB_READY = "#arch-results[data-status=ready]"


def upload_small(page: Page, image_size: int) -> str:
    upload(page, "shapes-stack.zip", zip_bytes(shapes_set(5)), image_size=image_size)
    expect(page.locator(".dataset-class")).to_have_count(len(SHAPES), timeout=60_000)
    return str(page.locator("#dataset-view").get_attribute("data-dataset"))


def open_in_lab(page: Page, recipe: str) -> None:
    page.check(f"#recipe-{recipe}")
    page.click("#train-edit-stack")
    expect(page).to_have_url(re.compile(r"/architectures\?for=training"))
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("#training-handoff")).to_be_visible()


def set_lab_field(page: Page, location: str, label: str, value: str) -> None:
    card = page.locator(f'[data-location="{location}"]').first
    card.locator(":scope > .params").get_by_label(label, exact=True).fill(value)


def use_for_training(page: Page) -> None:
    page.click("#use-for-training")
    expect(page).to_have_url(re.compile(r"/training$"))
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def assert_targets_fit(page: Page, selectors: list[str]) -> None:
    for selector in selectors:
        box = page.locator(selector).bounding_box()
        assert box and box["height"] >= 24 and box["width"] >= 24, (selector, box)


def test_a_stack_edited_in_the_lab_comes_back_as_your_stack_and_trains(
    page: Page, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    open_training(page)
    dataset_id = upload_small(page, 16)
    page.fill("#train-epochs", "2")
    page.fill("#train-batch", "16")
    open_in_lab(page, "mnist-cnn")
    page.wait_for_selector(LAB_READY)
    # Sized for the dataset: 16 x 16 colour images, one output per class.
    expect(page.locator("#input-height")).to_have_value("16")
    expect(page.locator("#input-channels")).to_have_value("3")
    expect(page.locator("#handoff-about")).to_contain_text("16 \u00d7 16 \u00d7 3")
    set_lab_field(page, "layers[1]", "Filters", "12")  # conv1: 32 -> 12 filters
    page.wait_for_selector(LAB_READY)
    expect(page.locator('[data-location="layers[1]"] .layer-result').first).to_contain_text("12")
    assert horizontal_overflow(page) == 0
    page.screenshot(path=artifacts / "laptop-training-stack-lab.png", full_page=True)
    use_for_training(page)

    # The dataset, the settings and the choice survived the round trip.
    expect(page.locator("#dataset-view")).to_have_attribute("data-dataset", dataset_id)
    expect(page.locator(".dataset-class")).to_have_count(len(SHAPES))
    expect(page.locator("#train-epochs")).to_have_value("2")
    expect(page.locator("#train-batch")).to_have_value("16")
    expect(page.locator("#recipe-yours")).to_be_checked()
    expect(page.locator("#your-stack-layers")).to_contain_text("Conv2D 12, 3\u00d73")
    expect(page.locator("#your-stack-totals")).to_contain_text("8 layers")
    expect(page.locator("#your-stack-totals")).to_have_attribute(
        "data-params", re.compile(r"^\d+$")
    )
    assert_targets_fit(page, ["#train-edit-stack", "#your-stack-edit", "label[for=recipe-yours]"])
    assert horizontal_overflow(page) == 0
    page.locator("#train-step").screenshot(path=artifacts / "laptop-training-your-stack.png")

    page.click("#train-start")
    job = page.locator("#job-view")
    expect(job).to_have_attribute("data-job", re.compile(r"^[0-9a-f]{16}$"))
    job_id = str(job.get_attribute("data-job"))
    status = page.request.get(f"/api/jobs/{job_id}").json()
    assert status["architecture"] == "your stack"
    assert status["request"]["architecture"][0]["filters"] == 12
    expect(job).to_have_attribute("data-state", "done", timeout=TRAINING_MS)
    model_id = page.request.get(f"/api/jobs/{job_id}").json()["model"]
    model = page.request.get(f"/api/models/{model_id}").json()
    convolutions = [row for row in model["summary"] if row["type"] == "Conv2D"]
    assert convolutions[0]["config"]["filters"] == 12
    assert convolutions[0]["output_shape"][-1] == 12
    delete_trained_model(page, model_id)


def test_a_stack_the_server_refuses_for_the_dataset_shows_its_message(
    phone_page: Page, artifacts: Path
) -> None:
    page = phone_page
    open_training(page)
    dataset_id = upload_small(page, 8)
    open_in_lab(page, "mlp")
    page.wait_for_selector(LAB_READY)
    expect(page.locator("#input-height")).to_have_value("8")
    assert_targets_fit(page, ["#use-for-training", "#back-to-training"])
    assert horizontal_overflow(page) == 0
    page.screenshot(path=artifacts / "phone-training-stack-lab.png", full_page=True)
    # Larger images in the lab let a 9x9 kernel through; the dataset's 8 x 8 images do not.
    page.select_option("#add-layer-type", "Conv2D")
    page.click("#add-layer")
    page.fill("#input-height", "32")
    page.fill("#input-width", "32")
    added = page.locator('#stack-list > [data-type="Conv2D"]')
    for _ in range(3):  # from below Flatten, Dense, Dense to the top
        added.locator(":scope > .layer-head [data-action=up]").click()
    set_lab_field(page, "layers[1]", "Kernel", "9")
    page.wait_for_selector(LAB_READY)
    use_for_training(page)

    expect(page.locator("#dataset-view")).to_have_attribute("data-dataset", dataset_id)
    expect(page.locator("#recipe-yours")).to_be_checked()
    expect(page.locator("#your-stack-layers")).to_contain_text("Conv2D")
    expect(page.locator("#your-stack-totals")).to_have_attribute("data-state", "error")
    stored = page.evaluate("JSON.parse(sessionStorage.getItem('convlens.training.stack'))")
    refusal = page.request.post(
        "/api/training",
        data={"dataset": dataset_id, "architecture": stored["layers"][1:], "epochs": 1},
    )
    assert refusal.status == 422
    detail = refusal.json()["detail"]
    assert isinstance(detail, str)
    page.fill("#train-epochs", "1")
    page.click("#train-start")
    message = page.locator("#train-message")
    expect(message).to_have_attribute("data-state", "error")
    expect(message).to_have_text(f"Not started: {detail}")
    expect(page.locator("#job-view")).to_be_hidden()
    assert_targets_fit(page, ["#train-edit-stack", "#your-stack-edit"])
    assert horizontal_overflow(page) == 0
    page.locator("#train-step").screenshot(path=artifacts / "phone-training-your-stack.png")
