"""The Draw page: a digit drawn with the mouse or a finger, classified live by every model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from playwright.sync_api import FilePayload, Page, Route, WebSocket, expect

from tests.api.imagefiles import png

from .digit_pages import (
    ONE,
    SEVEN,
    DrawPage,
    api_post,
    digit_png,
    horizontal_overflow,
    interpolate,
)
from .imported_models import imported_model

TOLERANCE = 1e-6
UPLOAD = "#draw-upload"


def close(shown: list[float], expected: list[float]) -> bool:
    return max(abs(a - b) for a, b in zip(shown, expected, strict=True)) < TOLERANCE


def test_drawn_seven_is_classified_as_the_api_classifies_the_canvas(
    page: Page, artifacts: Path
) -> None:
    draw = DrawPage(page).open()
    expect(draw.guess).to_have_text("Draw a digit")
    draw.draw(SEVEN)
    label = draw.wait_guess("lenet5")
    assert label == "7"
    expect(page.locator("#prob-bars .prob-row.is-top")).to_have_attribute("data-label", "7")

    answer = api_post(page, "/api/models/lenet5/predict", draw.canvas_png())
    assert answer["label"] == label
    shown = draw.probabilities()
    assert len(shown) == 10
    assert close(shown, answer["probabilities"])
    expect(page.locator("#prob-bars .prob-row[data-label='7'] .prob-value")).to_have_text(
        f"{answer['probabilities'][7] * 100:.1f}%"
    )
    # The 28x28 picture is the API's model_input, grey level for grey level.
    expected = [[round(v * 255) for v in row] for row in answer["model_input"]]
    assert draw.model_input_pixels() == expected
    notes = page.locator("#preprocess-notes li")
    expect(notes).to_have_text(answer["preprocessing"]["notes"])
    page.screenshot(path=artifacts / "laptop-draw.png", full_page=True)


def test_every_digit_model_guesses_and_the_picker_shows_each_in_detail(page: Page) -> None:
    draw = DrawPage(page).open()
    draw.draw(ONE)
    draw.wait_guess()
    png = draw.canvas_png()
    # Draw lists the models that read drawn digits; photo models live in the Explorer.
    models = [m for m in page.request.get("/api/models").json() if m["preprocessing"] == "digit"]
    assert models
    expect(page.locator(".model-card")).to_have_count(len(models))
    for model in models:
        card = page.locator(f".model-card[data-model='{model['id']}'] .model-guess")
        expect(card).to_have_attribute("data-state", "ready")
        draw.choose_model(model["id"])
        label = draw.wait_guess(model["id"])
        answer = api_post(page, f"/api/models/{model['id']}/predict", png)
        assert label == answer["label"] == card.get_attribute("data-label")
        shown = draw.probabilities()
        assert close(shown, answer["probabilities"])
        expect(page.locator("#bars-caption")).to_contain_text(model["name"])
    # The vertical stroke is a "1" for the models we ship.
    assert api_post(page, "/api/models/lenet5/predict", png)["label"] == "1"


def live_answers(page: Page) -> list[dict[str, Any]]:
    """The messages the page receives on its /api/live socket, from now on. (Chromium reports
    the binary frames the page sends as Blobs to no one, so the tests count the answers.)"""
    answers: list[dict[str, Any]] = []

    def watch(socket: WebSocket) -> None:
        if socket.url.endswith("/api/live"):
            socket.on("framereceived", lambda payload: answers.append(json.loads(payload)))

    page.on("websocket", watch)
    return answers


def test_drawing_is_classified_over_the_live_socket_not_rest(page: Page) -> None:
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    answers = live_answers(page)
    draw = DrawPage(page).open()
    draw.draw(SEVEN)
    assert draw.wait_guess("lenet5") == "7"
    expect(page.locator("#draw-results")).to_have_attribute("aria-busy", "false")

    assert posts == []
    assert answers[0]["type"] == "settings"
    # Every digit model, in the page's order: the three shipped first, then the others.
    shown = answers[0]["models"]
    assert shown[:3] == ["lenet5", "mnist-cnn", "mlp"]
    models = page.request.get("/api/models").json()
    assert sorted(shown) == sorted(m["id"] for m in models if m["preprocessing"] == "digit")
    last = answers[-1]
    assert last["type"] == "prediction"
    assert [p["model"] for p in last["predictions"]] == shown
    # The last answer is about the canvas as it stands: REST predict says the same, exactly.
    assert last["predictions"][0] == api_post(page, "/api/models/lenet5/predict", draw.canvas_png())


def test_undo_removes_the_last_stroke_and_clear_empties_the_pad(page: Page) -> None:
    requests = live_answers(page)
    draw = DrawPage(page).open()
    expect(page.locator("#undo-stroke")).to_be_disabled()

    draw.draw(ONE)
    draw.wait_guess()
    one_stroke = draw.signature()
    draw.draw([[(60, 120), (220, 120)]])
    page.wait_for_function("document.querySelector('#guess').dataset.label !== '1'")
    assert draw.signature() != one_stroke

    page.click("#undo-stroke")
    assert draw.signature() == one_stroke
    expect(draw.guess).to_have_attribute("data-label", "1")

    page.keyboard.press("Control+z")  # the shortcut undoes too: nothing left
    expect(draw.guess).to_have_text("Draw a digit")

    draw.draw(SEVEN)
    draw.wait_guess()
    page.click("#clear-drawing")
    expect(draw.guess).to_have_text("Draw a digit")
    expect(page.locator("#sketchpad-holder .sketchpad")).to_have_attribute("data-empty", "true")
    expect(page.locator("#prob-bars .prob-row.is-top")).to_have_count(0)
    sent = len(requests)
    draw.draw(SEVEN)
    draw.wait_guess()
    page.keyboard.press("Delete")
    expect(draw.guess).to_have_text("Draw a digit")
    page.wait_for_timeout(300)
    # An empty pad never asks the API: the last answers were for the stroke before Delete.
    assert len(requests) > sent
    count_after_clear = len(requests)
    page.wait_for_timeout(300)
    assert len(requests) == count_after_clear


def test_upload_is_classified_and_a_refused_one_shows_the_api_message(page: Page) -> None:
    draw = DrawPage(page).open()
    page.set_input_files(
        UPLOAD,
        FilePayload(name="seven.png", mimeType="image/png", buffer=digit_png("mnist-test-00000")),
    )
    assert draw.wait_guess() == "7"
    expect(page.locator("#draw-source [data-role=chosen]")).to_contain_text("seven.png")

    blank = page.evaluate(
        """() => {
          const c = Object.assign(document.createElement("canvas"), {width: 64, height: 64});
          const ctx = c.getContext("2d"); ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, 64, 64);
          // toDataURL, not toBlob: Chromium may hold toBlob back for seconds of idle time.
          return Array.from(atob(c.toDataURL("image/png").split(",")[1]), (ch) => ch.charCodeAt(0));
        }"""
    )
    refused = page.request.post(
        "/api/models/lenet5/predict",
        multipart={"image": {"name": "blank.png", "mimeType": "image/png", "buffer": bytes(blank)}},
    )
    assert refused.status == 422
    detail = refused.json()["detail"]
    page.set_input_files(
        UPLOAD,
        FilePayload(name="blank.png", mimeType="image/png", buffer=bytes(blank)),
    )
    expect(page.locator("#error-box")).to_be_visible()
    expect(page.locator("#error-box [data-role=message]")).to_have_text(detail)
    # Said once, in the box under the pad; the headline only says there is no guess.
    expect(draw.guess).to_have_text("No guess: LeNet-5 could not read the picture.")
    expect(page.get_by_text(detail, exact=False).filter(visible=True)).to_have_count(1)


def test_a_slow_answer_is_not_explained_with_the_previous_images_answer(page: Page) -> None:
    """The explanation waits for the newest image's answers: when a refused upload follows a 7
    at once and its answers are slow, the 7's answer is not explained on the new picture
    (which the API would refuse a second time, in a second place)."""
    draw = DrawPage(page).open()
    held: list[Route] = []
    explained: list[str] = []

    def predict(route: Route) -> None:
        if held or (
            route.request.post_data_buffer and b"blank.png" in route.request.post_data_buffer
        ):
            held.append(route)  # answered below, once the explanation would have been asked
        else:
            route.continue_()

    page.route("**/api/models/*/predict", predict)
    page.on("request", lambda r: explained.append(r.url) if r.url.endswith("/explain") else None)
    page.set_input_files(
        UPLOAD,
        FilePayload(name="seven.png", mimeType="image/png", buffer=digit_png("mnist-test-00000")),
    )
    assert draw.wait_guess() == "7"
    blank = png(np.full((64, 64), 255, dtype=np.uint8))
    page.set_input_files(UPLOAD, FilePayload(name="blank.png", mimeType="image/png", buffer=blank))
    page.wait_for_timeout(1500)  # well past the 400 ms after which an answer is explained
    asked_while_held = len(explained)
    for route in held:
        route.continue_()

    expect(draw.guess).to_have_text("No guess: LeNet-5 could not read the picture.")
    page.wait_for_load_state("networkidle")
    assert held, "the upload was not sent to predict"
    assert asked_while_held == 0 and explained == []
    detail = page.locator("#error-box [data-role=message]").inner_text()
    assert detail.startswith("No digit found")
    expect(page.get_by_text(detail, exact=False).filter(visible=True)).to_have_count(1)


def test_preprocessing_switches_change_what_the_model_sees(page: Page) -> None:
    draw = DrawPage(page).open()
    draw.draw(SEVEN)
    draw.wait_guess()
    fitted = draw.model_input_pixels()
    page.click("#draw-preprocess summary")
    page.uncheck("#draw-preprocess [name=fit]")
    expect(page.locator("#preprocess-notes")).to_contain_text("Fit is off")
    draw.wait_guess()
    answer = api_post(page, "/api/models/lenet5/predict", draw.canvas_png(), fit="false")
    expected = [[round(v * 255) for v in row] for row in answer["model_input"]]
    assert draw.model_input_pixels() == expected != fitted


def test_phone_draws_with_a_finger_without_overflow(phone_page: Page, artifacts: Path) -> None:
    page = phone_page
    draw = DrawPage(page).open()
    assert horizontal_overflow(page) == 0
    pad = draw.pad.bounding_box()
    assert pad and pad["width"] <= 390
    draw.draw_touch(SEVEN)
    assert draw.wait_guess() == "7"
    assert horizontal_overflow(page) == 0
    page.screenshot(path=artifacts / "phone-draw.png", full_page=True)


def test_arrow_keys_switch_models_with_a_visible_focus(page: Page) -> None:
    draw = DrawPage(page).open()
    ids = page.locator(".model-card").evaluate_all("cards => cards.map(c => c.dataset.model)")
    draw.draw(SEVEN)
    draw.wait_guess(ids[0])
    if len(ids) < 2:
        return
    page.focus("input[name=draw-model]:checked")
    page.keyboard.press("ArrowRight")
    draw.wait_guess(ids[1])
    card = page.locator(f".model-card[data-model='{ids[1]}']")
    assert card.evaluate("c => getComputedStyle(c).outlineStyle") == "solid"


TEXT_FILE = FilePayload(name="README.md", mimeType="text/markdown", buffer=b"# hi\n")


def test_nothing_above_the_pad_moves_while_a_stroke_is_drawn(page: Page) -> None:
    draw = DrawPage(page).open()
    page.set_input_files(UPLOAD, TEXT_FILE)  # an error box is up when the drawing starts
    expect(page.locator("#error-box")).to_be_visible()
    before = draw.pad.bounding_box()
    path = [draw._to_page(p) for p in interpolate(SEVEN[0])]
    page.mouse.move(*path[0])
    page.mouse.down()
    for point in path[1:8]:
        page.mouse.move(*point)
    draw.wait_guess()  # the first prediction arrives mid-stroke, and clears the error
    expect(page.locator("#error-box")).to_be_hidden()
    during = draw.pad.bounding_box()
    for point in path[8:]:
        page.mouse.move(*point)
    page.mouse.up()
    assert draw.wait_guess() == "7"  # a 7, not an L
    assert before == during == draw.pad.bounding_box()


def test_a_refused_upload_shows_no_old_notes_and_no_stale_pointer(page: Page) -> None:
    draw = DrawPage(page).open()
    draw.draw(SEVEN)
    draw.wait_guess()
    notes = page.locator("#preprocess-notes li")
    expect(notes.first).not_to_have_text("Nothing yet: draw a digit or upload a picture of one.")
    page.set_input_files(UPLOAD, TEXT_FILE)
    expect(page.locator("#error-box")).to_be_visible()
    expect(notes).to_have_text(
        ["Nothing: the picture could not be read, so it was not prepared for the models."]
    )
    chosen = page.locator("#draw-source [data-role=chosen]")
    expect(chosen).to_have_text("Could not use your file README.md (1 KB): see the message above.")

    draw.draw(ONE)
    draw.wait_guess()
    expect(page.locator("#error-box")).to_be_hidden()
    expect(page.locator("#status-line")).to_have_text("")


def test_keyboard_hint_shows_on_the_laptop_and_not_on_a_touch_phone(
    page: Page, phone_page: Page
) -> None:
    page.goto("/draw")
    expect(page.locator(".shortcuts")).to_be_visible()
    phone_page.goto("/draw")
    expect(phone_page.locator("body")).to_have_attribute("data-ready", "true")
    expect(phone_page.locator(".shortcuts")).to_be_hidden()


DOT = [[(140, 140), (141, 140)]]


def test_a_single_dot_gets_a_caution_in_place_of_a_confident_guess(
    page: Page, phone_page: Page, artifacts: Path
) -> None:
    draw = DrawPage(page).open()
    draw.draw(DOT)
    label = draw.wait_guess("lenet5")
    answer = api_post(page, "/api/models/lenet5/predict", draw.canvas_png())
    assert answer["label"] == label and answer["confidence"] > 0.9
    expect(draw.guess).to_have_text(f"LeNet-5 picks {label}, but do not trust it.")
    expect(draw.guess).to_have_attribute("data-caution", "true")
    caution = page.locator("#guess-caution")
    expect(caution).to_be_visible()
    expect(caution).to_have_text(answer["caution"])
    expect(caution).to_contain_text("A model always picks one of its 10 classes")
    page.screenshot(path=artifacts / "laptop-draw-dot.png", full_page=True)

    page.click("#clear-drawing")
    draw.draw(SEVEN)
    assert draw.wait_guess("lenet5") == "7"
    expect(draw.guess).to_contain_text("sure.")
    expect(caution).to_be_hidden()

    phone = DrawPage(phone_page).open()
    phone.draw_touch(DOT)
    phone.wait_guess("lenet5")
    expect(phone_page.locator("#pad-guess")).to_contain_text("do not trust it")
    phone_page.screenshot(path=artifacts / "phone-draw-dot.png", full_page=True)


def test_a_stroke_along_the_pads_edge_gets_no_background_note(page: Page) -> None:
    draw = DrawPage(page).open()
    draw.draw([[(2, 4), (278, 4), (120, 270)]])  # a 7 whose bar runs along the top edge
    draw.wait_guess()
    notes = page.locator("#preprocess-notes")
    expect(notes).to_contain_text("Ink: the marks")
    expect(notes).not_to_contain_text("brightness varies")


def test_the_phone_shows_a_refused_upload_message_once(phone_page: Page, artifacts: Path) -> None:
    page = phone_page
    DrawPage(page).open()
    page.set_input_files(UPLOAD, TEXT_FILE)
    box = page.locator("#error-box [data-role=message]")
    expect(box).to_be_visible()
    detail = box.inner_text()
    assert detail
    shown = page.get_by_text(detail, exact=False).filter(visible=True)
    page.screenshot(path=artifacts / "phone-draw-refused.png", full_page=True)
    expect(shown).to_have_count(1)


def test_the_draw_page_lists_digit_models_and_not_an_imported_photo_model(
    page: Page, tmp_path: Path
) -> None:
    from tests.keras_files import softmax_layer_rgb

    with imported_model(page.request, softmax_layer_rgb(), tmp_path, name="Colour shapes") as rgb:
        models = page.request.get("/api/models").json()
        assert rgb["id"] in [model["id"] for model in models]
        digit_ids = [model["id"] for model in models if model["preprocessing"] == "digit"]
        assert digit_ids
        DrawPage(page).open()
        cards = page.locator(".model-card")
        expect(cards).to_have_count(len(digit_ids))
        assert sorted(cards.evaluate_all("cards => cards.map(c => c.dataset.model)")) == sorted(
            digit_ids
        )
        expect(page.locator(f".model-card[data-model='{rgb['id']}']")).to_have_count(0)
        expect(page.locator("#model-picker-holder")).not_to_contain_text("Colour shapes")
