"""The Network explorer with models other than the shipped digits: a colour model imported through
the page's form, a refused file, deleting, and a big network whose layers load as they scroll
into view."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import FilePayload, Page, Request, expect

from .digit_pages import Explorer, horizontal_overflow
from .test_korean_pages import english_left

CLASSES = ["apple", "banana", "cherry"]


def _save(layers: list[Any], path: Path) -> Path:
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras  # imported here: only these tests pay for it

    keras.utils.set_random_seed(0)
    keras.Sequential(layers).save(path)
    return path


@pytest.fixture(scope="module")
def rgb_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small colour CNN: 32x32x3 in, three classes out (about 30,000 activation values)."""
    from keras import Input, layers

    return _save(
        [
            Input((32, 32, 3)),
            layers.Conv2D(4, 3, activation="relu", name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(8, 3, activation="relu", name="conv2"),
            layers.Flatten(name="flatten"),
            layers.Dense(3, activation="softmax", name="output"),
        ],
        tmp_path_factory.mktemp("models") / "rgb.keras",
    )


@pytest.fixture(scope="module")
def big_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """256x256x3 in: conv1 and conv2 alone hold 2 x 1,048,576 values, few parameters."""
    from keras import Input, layers

    return _save(
        [
            Input((256, 256, 3)),
            layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1"),
            layers.Conv2D(16, 3, padding="same", activation="relu", name="conv2"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(32, 3, padding="same", activation="relu", name="conv3"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Conv2D(32, 3, padding="same", activation="relu", name="conv4"),
            layers.MaxPooling2D(2, name="pool3"),
            layers.GlobalAveragePooling2D(name="gap"),
            layers.Dense(3, activation="softmax", name="output"),
        ],
        tmp_path_factory.mktemp("models") / "big.keras",
    )


def _token(page: Page, model_id: str) -> str | None:
    token: str | None = page.evaluate(
        "(id) => localStorage.getItem(`convlens.delete-token.${id}`)", model_id
    )
    return token


def _delete(page: Page, model_id: str, token: str) -> None:
    page.request.delete(f"/api/models/{model_id}", headers={"Authorization": f"Bearer {token}"})


@contextmanager
def _imported_big(
    page: Page, big_model: Path, name: str = "Big test CNN"
) -> Iterator[dict[str, Any]]:
    """The big model imported through the API (the form has its own test), deleted afterwards."""
    response = page.request.post(
        "/api/models",
        multipart={
            "file": {
                "name": "big.keras",
                "mimeType": "application/octet-stream",
                "buffer": big_model.read_bytes(),
            },
            "name": name,
            "classes": ",".join(CLASSES),
        },
        timeout=120_000,
    )
    assert response.status == 201, response.text()
    answer: dict[str, Any] = response.json()
    try:
        yield answer
    finally:
        _delete(page, answer["id"], answer["delete_token"])


@pytest.fixture
def imported_big_model(page: Page, big_model: Path) -> Iterator[dict[str, Any]]:
    with _imported_big(page, big_model) as answer:
        yield answer


def test_an_imported_colour_model_runs_a_sample_photo_and_can_be_deleted(
    page: Page, rgb_model: Path, artifacts: Path
) -> None:
    Explorer(page).open()
    page.wait_for_selector("#network[data-status=ready]")
    page.click("#import-model summary")
    page.set_input_files("#import-file", rgb_model)
    page.fill("#import-name", "Fruit <b>CNN</b>")
    page.fill("#import-classes", ", ".join(CLASSES))
    page.select_option("#import-preprocessing", "image")
    page.select_option("#import-fit", "crop")
    page.click("#import-submit")
    expect(page.locator("#import-message")).to_have_attribute("data-state", "done", timeout=120_000)
    page.wait_for_selector("#network[data-status=ready][data-source=chelsea]")
    model_id = page.locator("#network").get_attribute("data-model") or ""
    try:
        assert f"model={model_id}" in page.url
        card = page.locator(f".model-card[data-model='{model_id}']")
        expect(card.locator(".model-name")).to_have_text("Fruit <b>CNN</b>")  # text, not markup
        expect(card.locator("input")).to_be_checked()
        expect(page.locator("#explorer-photos")).to_be_visible()
        expect(page.locator("#explorer-source")).to_be_hidden()  # no pad, no MNIST digits
        explorer = Explorer(page)
        expect(explorer.layer("conv1").locator(".map-tile")).to_have_count(4)
        expect(page.locator("[data-role=input-picture][data-drawn=true]")).to_be_visible()
        picture = page.locator("[data-role=input-picture]").evaluate("c => [c.width, c.height]")
        assert picture == [32, 32]
        expect(explorer.layer("input").locator(".input-notes li").first).to_contain_text("451x300")
        expect(page.locator(".summary-table tr").nth(1)).to_contain_text(
            "32 \N{MULTIPLICATION SIGN} 32 colour (R, G, B) pixels, 0 (black) to 1 (white)"
        )
        labels = (
            explorer.layer("output")
            .locator(".prob-row")
            .evaluate_all("rows => rows.map(r => r.dataset.label)")
        )
        assert labels == CLASSES
        expect(page.locator("#network-answer")).to_contain_text("Fruit <b>CNN</b> reads Chelsea")
        page.click("#explorer-photos .sample-card[data-name='coffee']")
        explorer.wait(model_id, "coffee")
        page.screenshot(path=artifacts / "laptop-explorer-imported.png", full_page=True)

        expect(page.locator("#model-delete")).to_be_visible()
        page.click("#model-delete")
        expect(card).to_have_count(0)
        expect(page.locator("#model-delete-note")).to_have_text("Deleted “Fruit <b>CNN</b>”.")
        assert model_id not in [m["id"] for m in page.request.get("/api/models").json()]
        assert _token(page, model_id) is None
        explorer.wait("lenet5", "mnist-test-00000")  # back on a digit model, with its digits
        expect(page.locator("#explorer-source")).to_be_visible()
        expect(page.locator("#model-delete")).to_be_hidden()
    finally:
        token = _token(page, model_id) if model_id else None
        if token:
            _delete(page, model_id, token)


def test_a_file_that_is_not_a_model_shows_the_servers_refusal(page: Page) -> None:
    Explorer(page).open()
    page.click("#import-model summary")
    text: FilePayload = {
        "name": "x.keras",
        "mimeType": "application/octet-stream",
        "buffer": b"not a model\n",
    }
    refusal = page.request.post("/api/models", multipart={"file": text, "name": "x"})
    assert 400 <= refusal.status < 500
    page.set_input_files("#import-file", files=[text])
    page.fill("#import-name", "x")
    page.click("#import-submit")
    message = page.locator("#import-message")
    expect(message).to_have_attribute("data-state", "error", timeout=60_000)
    expect(message).to_have_text(f"Not imported: {refusal.json()['detail']}")
    expect(page.locator(".model-card")).to_have_count(len(page.request.get("/api/models").json()))


def test_a_big_model_loads_each_layer_when_it_scrolls_into_view(
    page: Page, imported_big_model: dict[str, Any], artifacts: Path
) -> None:
    model_id = imported_big_model["id"]
    asked: list[Request] = []
    page.on("request", lambda r: asked.append(r) if r.url.endswith("/activations") else None)
    Explorer(page).open(model_id)
    explorer = Explorer(page)
    expect(explorer.layer("conv1")).to_have_attribute("data-state", "ready", timeout=30_000)
    page.wait_for_selector("#network[data-status=ready][data-source=chelsea]")
    page.wait_for_function("!document.querySelector('#network [data-state=loading]')")
    # The first layer came on its own, 16 of its maps as PNG tiles.
    expect(explorer.layer("conv1").locator(".map-tile img")).to_have_count(16)
    before = len(asked)
    assert 1 <= before < 5, f"{before} layers were asked for before any scrolling"
    # A PNG map also outlines its cell's receptive field on the input and lights up its filter.
    detail = page.request.get(f"/api/models/{model_id}").json()
    conv1 = next(row for row in detail["summary"] if row["name"] == "conv1")
    tile = explorer.layer("conv1").locator(".map-tile[data-channel='3']")
    tile.evaluate("node => node.scrollIntoView({ block: 'center' })")
    box = tile.locator("img").bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    field = page.locator("[data-role=input-field]")
    expect(field).to_be_visible()
    row = int(explorer.readout("conv1")["row"])
    kh, padding = conv1["config"]["kernel_size"][0], conv1["config"]["padding"]
    assert conv1["config"]["strides"] == [1, 1] and kh % 2 == 1
    top = row - ((kh - 1) // 2 if padding == "same" else 0)
    expect(field).to_have_attribute("data-top", str(max(top, 0)))
    expect(field).to_have_attribute("data-bottom", str(top + kh - 1))
    if explorer.layer("conv1").locator(".filter-tile").count():
        expect(explorer.layer("conv1").locator(".filter-tile.is-linked")).to_have_attribute(
            "data-filter", "3"
        )
    expect(explorer.layer("gap")).to_have_attribute("data-state", "waiting")
    expect(explorer.layer("output").locator(".prob-row")).to_have_count(3)  # from predict

    explorer.layer("conv3").scroll_into_view_if_needed()
    expect(explorer.layer("conv3")).to_have_attribute("data-state", "ready", timeout=30_000)
    tiles = explorer.layer("conv3").locator(".map-tile")
    expect(tiles).to_have_count(16)
    explorer.layer("conv3").locator("[data-role=more-channels]").click()
    expect(tiles).to_have_count(32)
    expect(explorer.layer("conv3").locator("[data-role=more-channels]")).to_be_hidden()
    explorer.layer("gap").scroll_into_view_if_needed()
    expect(explorer.layer("gap")).to_have_attribute("data-state", "ready", timeout=30_000)
    assert len(asked) > before + 1
    page.screenshot(path=artifacts / "laptop-explorer-big.png")


def test_a_big_model_in_korean_leaves_no_english_sentence(
    korean_page: Page, big_model: Path, artifacts: Path
) -> None:
    """The layer-by-layer path (lazy_network.js) read in Korean, every layer loaded."""
    page = korean_page
    with _imported_big(page, big_model, name="큰 시험용 CNN") as answer:
        explorer = Explorer(page).open(answer["id"])
        page.wait_for_selector("#network[data-status=ready][data-source=chelsea]")
        page.wait_for_function("!document.querySelector('#network [data-state=loading]')")
        for name in ("conv1", "conv2", "pool1", "conv3", "pool2", "conv4", "pool3", "gap"):
            # Scrolled to again at each check: the network may be drawn anew meanwhile.
            page.wait_for_function(
                """(name) => {
                  const layer = document.querySelector(`#network .layer[data-layer='${name}']`);
                  layer?.scrollIntoView({ block: "center" });
                  return layer?.dataset.state === "ready";
                }""",
                arg=name,
                timeout=30_000,
            )
        explorer.layer("conv3").locator("[data-role=more-channels]").click()
        expect(explorer.layer("conv3").locator(".map-tile")).to_have_count(32)
        page.wait_for_load_state("networkidle")

        assert page.locator("html").get_attribute("lang") == "ko"
        expect(page.locator("#model-description")).to_have_text(
            ".keras 파일에서 가져온 모델입니다. 가중치는 업로드된 그대로입니다."
        )
        left = english_left(page)
        page.screenshot(path=artifacts / "korean-laptop-explorer-big.png", full_page=True)
    assert not left, f"{len(left)} English runs:\n" + "\n".join(left[:60])


def test_phone_explorer_with_a_colour_model_fits_the_screen(
    phone_page: Page, imported_big_model: dict[str, Any], artifacts: Path
) -> None:
    page = phone_page
    Explorer(page).open(imported_big_model["id"])
    expect(Explorer(page).layer("conv1")).to_have_attribute("data-state", "ready", timeout=30_000)
    page.wait_for_selector("#network[data-status=ready]")
    assert horizontal_overflow(page) == 0
    page.screenshot(path=artifacts / "phone-explorer-big.png", full_page=True)
