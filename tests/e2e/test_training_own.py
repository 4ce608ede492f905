"""The Training page's "Train a network on your own images": upload an archive of class
folders, see what the server read, train a small network, watch it, open it in the Explorer."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import FilePayload, Page, expect

from tests.datasets_files import COLOURS, SHAPES, shape_image, shapes_set, zip_bytes

from .digit_pages import horizontal_overflow

# The first job also starts the worker process, which imports TensorFlow: minutes on a busy
# 2-core machine.
TRAINING_MS = 300_000


def open_training(page: Page, query: str = "") -> None:
    page.goto(f"/training{query}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def upload(page: Page, name: str, data: bytes, image_size: int | None = None) -> None:
    if image_size is not None:
        page.fill("#dataset-size", str(image_size))
    archive: FilePayload = {"name": name, "mimeType": "application/zip", "buffer": data}
    page.set_input_files("#dataset-file", files=[archive])


def upload_shapes(page: Page, per_class: int = 20) -> None:
    files = {**shapes_set(per_class), "shapes/notes.txt": b"not an image"}
    upload(page, "shapes-own.zip", zip_bytes(files))
    expect(page.locator(".dataset-class")).to_have_count(len(SHAPES), timeout=60_000)


def start(page: Page, recipe: str, epochs: int) -> str:
    page.check(f"#recipe-{recipe}")
    page.fill("#train-epochs", str(epochs))
    page.click("#train-start")
    job = page.locator("#job-view")
    expect(job).to_have_attribute("data-job", re.compile(r"^[0-9a-f]{16}$"))
    job_id = str(job.get_attribute("data-job"))
    expect(page).to_have_url(re.compile(rf"[?&]job={job_id}"))
    return job_id


def test_upload_shows_each_class_with_its_count_thumbnails_mean_and_the_skipped_files(
    page: Page,
) -> None:
    open_training(page)
    upload_shapes(page)
    classes = page.locator(".dataset-class")
    for shape, row in zip(SHAPES, classes.all(), strict=True):
        expect(row.locator(".dataset-class-name")).to_have_text(shape)
        expect(row).to_have_attribute("data-count", "20")
        expect(row.locator(".dataset-class-count")).to_have_text("20 images")
        assert row.locator("img.dataset-thumbnail").count() >= 1
        expect(row.locator("img.dataset-mean-image")).to_have_count(1)
        loaded = row.locator("img").evaluate_all("imgs => imgs.every((i) => i.naturalWidth > 0)")
        assert loaded
    expect(page.locator(".dataset-summary")).to_contain_text("60 images in 3 classes")
    expect(page.locator(".dataset-skipped")).to_contain_text("shapes/notes.txt")
    expect(page.locator("#dataset-pick")).to_have_value(
        str(page.locator("#dataset-view").get_attribute("data-dataset"))
    )
    expect(page.locator("#train-start")).to_be_enabled()


def test_class_names_are_shown_as_text_never_as_markup(page: Page) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    files = {
        f"{name}/{n}.png": shape_image(shape, (16, 16), COLOURS[n % len(COLOURS)])
        for name, shape in ((hostile, "circle"), ("plain", "square"))
        for n in range(5)
    }
    open_training(page)
    upload(page, "hostile.zip", zip_bytes(files))
    names = page.locator(".dataset-class-name")
    expect(names).to_have_count(2, timeout=60_000)
    assert hostile in names.all_text_contents()
    expect(page.locator("#dataset-view img[src=x]")).to_have_count(0)


def test_a_refused_archive_shows_the_servers_message(page: Page) -> None:
    data = b"just some text, not an archive"
    refusal = page.request.post(
        "/api/datasets",
        multipart={"file": {"name": "x.zip", "mimeType": "application/zip", "buffer": data}},
    )
    assert 400 <= refusal.status < 500
    detail = refusal.json()["detail"]
    open_training(page)
    upload(page, "x.zip", data)
    message = page.locator("#dataset-message")
    expect(message).to_have_attribute("data-state", "error")
    expect(message).to_have_text(f"Not uploaded: {detail}")
    expect(page.locator("#train-start")).to_be_disabled()


def delete_trained_model(page: Page, model_id: str) -> None:
    """Delete the model with the token the page kept, so later tests see only the shipped ones."""
    token = page.evaluate(f"localStorage.getItem('convlens.delete-token.{model_id}')")
    assert token, "the page kept no delete token for the model it trained"
    answer = page.request.delete(
        f"/api/models/{model_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.ok, answer.text()


def chart_values(page: Page, metric: str, series: str) -> list[float]:
    points = page.locator(
        f"#job-view .chart[data-metric={metric}] .chart-point[data-series={series}]"
    )
    values: list[float] = points.evaluate_all("ps => ps.map((p) => Number(p.dataset.value))")
    return values


def test_two_epochs_train_live_then_the_explorer_link_opens_the_trained_model(
    page: Page, artifacts: Path
) -> None:
    open_training(page)
    upload_shapes(page)
    job_id = start(page, "mlp", 2)
    job = page.locator("#job-view")
    expect(job).to_have_attribute("data-state", "done", timeout=TRAINING_MS)
    status = page.request.get(f"/api/jobs/{job_id}").json()
    assert status["state"] == "done" and len(status["history"]) == 2
    expect(job).to_have_attribute("data-watch", "stream")
    for metric in ("loss", "accuracy"):
        expect(job.locator(f".chart[data-metric={metric}]")).to_have_attribute("data-epochs", "2")
        assert chart_values(page, metric, "train") == [e[metric] for e in status["history"]]
        assert chart_values(page, metric, "validation") == [
            e[f"val_{metric}"] for e in status["history"]
        ]
    model_id = status["model"]
    expect(job).to_have_attribute("data-model", model_id)
    expect(page.locator("#job-explorer-link")).to_have_attribute(
        "href", f"/explorer?model={model_id}"
    )
    final = status["history"][-1]["val_accuracy"]
    expect(job.locator(".job-final-accuracy")).to_have_text(f"{final * 100:.1f}%")
    listed = {m["id"]: m for m in page.request.get("/api/models").json()}
    assert listed[model_id]["origin"] == "trained"
    expect(job.locator("#job-cancel")).to_be_hidden()
    expect(page.locator(f".model-training[data-model='{model_id}']")).to_have_count(1)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=artifacts / "laptop-training-own.png", full_page=True)

    page.reload()  # ?job= brings the same job back
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(job).to_have_attribute("data-state", "done")
    expect(page.locator("#job-explorer-link")).to_have_attribute(
        "href", f"/explorer?model={model_id}"
    )
    page.click("#job-explorer-link")
    # The Explorer then keeps its own state after the model in the address (pattern_layer ...).
    expect(page).to_have_url(re.compile(rf"/explorer\?model={re.escape(model_id)}(&|$)"))
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=60_000)
    # The Explorer offers to delete it: this browser holds its token, the job's cancel token.
    expect(page.locator("#model-delete-row")).to_be_visible()
    delete_trained_model(page, model_id)


def test_when_the_event_stream_fails_the_page_polls_the_job_to_its_end(page: Page) -> None:
    page.route("**/api/jobs/*/events", lambda route: route.abort())
    open_training(page)
    upload_shapes(page)
    start(page, "mlp", 2)
    job = page.locator("#job-view")
    expect(job).to_have_attribute("data-state", "done", timeout=TRAINING_MS)
    expect(job).to_have_attribute("data-watch", "polling")
    expect(job.locator(".chart[data-metric=loss] .chart-point")).to_have_count(4)
    delete_trained_model(page, str(job.get_attribute("data-model")))


def test_cancel_stops_a_long_job_and_says_cancelled(page: Page) -> None:
    open_training(page)
    upload_shapes(page)
    job_id = start(page, "mlp", 50)
    cancel = page.locator("#job-cancel")
    expect(cancel).to_be_visible()
    cancel.click()
    job = page.locator("#job-view")
    expect(job).to_have_attribute("data-state", "cancelled", timeout=30_000)
    expect(job.locator(".job-state")).to_have_text("Cancelled")
    expect(cancel).to_be_hidden()
    assert page.request.get(f"/api/jobs/{job_id}").json()["state"] == "cancelled"


def test_a_setting_out_of_bounds_is_marked_on_its_field_and_not_sent(page: Page) -> None:
    open_training(page)
    upload_shapes(page, per_class=5)
    page.fill("#train-batch", "100000")
    page.click("#train-start")
    expect(page.locator("#train-batch")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-message")).to_have_text(
        "The batch size must be a whole number from 1 to 512."
    )
    expect(page.locator("#job-view")).to_be_hidden()


def test_a_network_the_server_refuses_for_the_dataset_shows_its_message(page: Page) -> None:
    open_training(page)
    upload(page, "tiny.zip", zip_bytes(shapes_set(5)), image_size=8)
    expect(page.locator(".dataset-summary")).to_contain_text("8 \u00d7 8 \u00d7 3")
    dataset_id = page.locator("#dataset-view").get_attribute("data-dataset")
    refusal = page.request.post(
        "/api/training", data={"dataset": dataset_id, "architecture": "lenet5", "epochs": 1}
    )
    assert 400 <= refusal.status < 500
    page.check("#recipe-lenet5")
    page.fill("#train-epochs", "1")
    page.click("#train-start")
    message = page.locator("#train-message")
    expect(message).to_have_attribute("data-state", "error")
    expect(message).to_have_text(f"Not started: {refusal.json()['detail']}")
    expect(page.locator("#job-view")).to_be_hidden()


def test_phone_training_on_own_images_fits_the_screen(phone_page: Page, artifacts: Path) -> None:
    open_training(phone_page)
    upload_shapes(phone_page)
    start(phone_page, "mlp", 2)
    job = phone_page.locator("#job-view")
    expect(job).to_have_attribute("data-state", "done", timeout=TRAINING_MS)
    assert horizontal_overflow(phone_page) == 0
    phone_page.screenshot(path=artifacts / "phone-training-own.png", full_page=True)
    delete_trained_model(phone_page, str(job.get_attribute("data-model")))
