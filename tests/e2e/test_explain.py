"""The Network explorer's "Why this answer?" panel: Grad-CAM on a LeNet-5 digit by default,
integrated gradients with its completeness check, another class asked for, a refusal shown as the
server's message, an imported colour model on a sample photo, and the panel on a phone; the same
panel on the Draw page, with the heatmap blended over the drawing, and its dream from a drawing."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, Request, expect

from tests.keras_files import softmax_layer_rgb

from .digit_pages import SEVEN, DrawPage, Explorer, api_post, digit_png, horizontal_overflow
from .imported_models import imported_model

DIGIT = "mnist-test-00000"  # a 7 in the MNIST test set


def _panel(page: Page) -> Locator:
    return page.locator("#explain")


def _wait_explained(page: Page, method: str) -> None:
    page.wait_for_selector(f"#explain[data-status=ready][data-method='{method}']")


def _show_bodies(page: Page) -> None:
    """Chromium tells Playwright the body of a multipart request holding a file only when the
    request is routed: route the explain requests through unchanged."""
    page.route("**/api/models/*/explain", lambda route: route.continue_())


def _fields(request: Request) -> dict[str, str]:
    """The text fields of a multipart form request (the image left out)."""
    body = (request.post_data_buffer or b"").decode("latin-1")
    found = re.findall(r'name="([^"]+)"\r\n\r\n([^\r]*)\r\n', body)
    return dict(found)


def _decoded(image: Locator) -> bool:
    return bool(image.evaluate("img => img.complete && img.naturalWidth > 0"))


def _open_on_digit(page: Page) -> str:
    """The Explorer on LeNet-5 and DIGIT, explained; returns the network's answer."""
    explorer = Explorer(page).open()
    explorer.choose_digit(DIGIT)
    _wait_explained(page, "gradcam")
    answer = api_post(page, "/api/models/lenet5/predict", digit_png(DIGIT))
    return str(answer["label"])


def test_grad_cam_is_the_default_and_shows_the_heatmap_the_overlay_and_what_they_mean(
    page: Page, artifacts: Path
) -> None:
    label = _open_on_digit(page)
    panel = _panel(page)
    expect(page.locator("#explain-method")).to_have_value("gradcam")
    expect(page.locator("#explain-layer")).to_have_value("pool2")  # the last with feature maps
    # The class box shows what is explained: the network's own answer, first of the list.
    chosen = page.locator("#explain-class_index")
    assert chosen.evaluate("s => s.selectedIndex") == 0
    expect(chosen.locator("option").first).to_have_text(f"The network's answer ({label})")
    layers = page.locator("#explain-layer option").evaluate_all("os => os.map(o => o.value)")
    assert layers == ["conv1", "pool1", "conv2", "pool2"]
    # Options of other methods are not offered.
    for option in ("samples", "noise", "steps", "baseline", "patch", "stride"):
        expect(panel.locator(f"[data-option={option}]")).to_be_hidden()
    for role in ("input", "heatmap", "overlay"):
        image = panel.locator(f"img[data-role={role}]")
        expect(image).to_be_visible()
        assert _decoded(image), role
    expect(panel.locator(".legend")).to_contain_text("Heatmap colour")
    expect(panel.locator("[data-role=meaning]")).to_have_text(
        f"Dark blue: where the feature maps of layer pool2 pushed the score for “{label}” up "
        "(each map weighed by how fast the score grows with it); white: where they did not push "
        "it up."
    )
    expect(panel).to_have_attribute("data-class-index", label)
    expect(panel.locator("[data-role=completeness]")).to_have_count(0)
    panel.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "laptop-explain-gradcam.png")


def test_integrated_gradients_report_their_completeness_check(page: Page) -> None:
    _open_on_digit(page)
    panel = _panel(page)
    with page.expect_response("**/api/models/lenet5/explain") as answered:
        page.select_option("#explain-method", "integrated_gradients")
    details = answered.value.json()["details"]
    _wait_explained(page, "integrated_gradients")
    expect(panel.locator("[data-option=steps]")).to_be_visible()
    expect(panel.locator("[data-option=layer]")).to_be_hidden()
    check = panel.locator("[data-role=completeness]")
    numbers = details["completeness"]
    expect(check).to_contain_text("the attributions should add up to the score difference")
    expect(check.locator("dd").nth(0)).to_have_text(str(round(numbers["attributions_sum"], 3)))
    expect(check.locator("dd").nth(3)).to_have_text(str(round(numbers["score_difference"], 3)))
    expect(panel.locator("[data-role=meaning]")).to_contain_text("compared with a black picture")
    # A changed option is sent, and no other method's option.
    _show_bodies(page)
    with page.expect_request("**/api/models/lenet5/explain") as asked:
        page.fill("#explain-steps", "120")
        page.locator("#explain-steps").dispatch_event("change")
    assert _fields(asked.value) == {
        "format": "png",
        "method": "integrated_gradients",
        "steps": "120",
        "baseline": "black",
    }
    _wait_explained(page, "integrated_gradients")
    expect(check.locator("p")).to_contain_text("With 120 steps")


def test_choosing_another_class_asks_for_that_class(page: Page) -> None:
    label = _open_on_digit(page)
    other = "3" if label != "3" else "5"
    _show_bodies(page)
    with page.expect_request("**/api/models/lenet5/explain") as asked:
        page.select_option("#explain-class_index", other)
    assert _fields(asked.value)["class_index"] == other
    page.wait_for_selector(f"#explain[data-status=ready][data-class-index='{other}']")
    expect(_panel(page).locator(".explain-summary")).to_contain_text(f"Grad-CAM for “{other}”")
    expect(_panel(page).locator(".explain-summary")).to_contain_text(
        f"the network's answer is “{label}”"
    )


def test_the_method_and_class_go_into_the_url_and_a_shared_link_explains_the_same_way(
    page: Page,
) -> None:
    _open_on_digit(page)
    page.select_option("#explain-method", "saliency")
    page.select_option("#explain-class_index", "3")
    page.wait_for_selector(
        "#explain[data-status=ready][data-method='saliency'][data-class-index='3']"
    )
    shared = page.url
    assert "explain=saliency" in shared and "explain_class=3" in shared

    page.goto(shared)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")

    expect(page.locator("#explain-method")).to_have_value("saliency")
    expect(page.locator("#explain-class_index")).to_have_value("3")
    page.wait_for_selector(
        "#explain[data-status=ready][data-method='saliency'][data-class-index='3']"
    )


def test_a_refused_explanation_shows_the_servers_message(page: Page) -> None:
    _open_on_digit(page)
    page.select_option("#explain-method", "occlusion")
    _wait_explained(page, "occlusion")
    expect(page.locator("#explain-patch")).to_have_attribute("placeholder", "4")
    page.fill("#explain-patch", "40")
    page.locator("#explain-patch").dispatch_event("change")
    page.wait_for_selector("#explain[data-status=error]")
    message = page.locator(".explain-message")
    expect(message).to_have_text("patch is 40; it must be from 1 to 28. Leave it out for 4.")
    expect(_panel(page).locator("img")).to_have_count(0)  # no pictures of other settings


def test_an_imported_colour_model_explains_a_sample_photo(page: Page, tmp_path: Path) -> None:
    names = "cat, <b>dog</b>, bird"
    with imported_model(
        page.request, softmax_layer_rgb(), tmp_path, name="Colour explain test", classes=names
    ) as imported:
        model_id = imported["id"]
        explorer = Explorer(page).open(model_id)
        explorer.wait(model_id, "chelsea")
        _wait_explained(page, "gradcam")
        panel = _panel(page)
        expect(page.locator("#explain-layer")).to_have_value("conv")
        options = page.locator("#explain-class_index option")
        expect(options.nth(2)).to_have_text("<b>dog</b>")  # text, not markup
        heatmap = panel.locator("img[data-role=heatmap]")
        expect(heatmap).to_be_visible()
        assert _decoded(heatmap)
        assert heatmap.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [24, 16]
        page.click("#explorer-photos .sample-card[data-name='coffee']")
        explorer.wait(model_id, "coffee")
        _wait_explained(page, "gradcam")
        _show_bodies(page)
        with page.expect_request(f"**/api/models/{model_id}/explain") as asked:
            page.select_option("#explain-class_index", "1")
        assert _fields(asked.value)["class_index"] == "1"
        page.wait_for_selector("#explain[data-status=ready][data-class-index='1']")
        expect(panel.locator("[data-role=meaning]")).to_contain_text("score for “<b>dog</b>”")


def test_the_panel_fits_a_phone(phone_page: Page, artifacts: Path) -> None:
    page = phone_page
    Explorer(page).open()
    _wait_explained(page, "gradcam")
    page.select_option("#explain-method", "integrated_gradients")
    _wait_explained(page, "integrated_gradients")
    panel = page.locator(".explain-panel")
    panel.scroll_into_view_if_needed()
    assert horizontal_overflow(page) == 0
    figures = page.locator(".explain-figure").evaluate_all(
        "fs => fs.map(f => f.getBoundingClientRect().top)"
    )
    assert len(set(round(top) for top in figures)) == 1  # side by side, even on a phone
    panel.screenshot(path=artifacts / "phone-explain-integrated-gradients.png")


# --- The Draw page's Explain panel and "Make it more like…" ------------------------------------


def _drawn_seven(page: Page) -> DrawPage:
    draw = DrawPage(page).open()
    draw.draw(SEVEN)
    assert draw.wait_guess("lenet5") == "7"
    return draw


def test_draw_explains_a_drawn_digit_with_a_heatmap_blended_over_it(
    page: Page, artifacts: Path
) -> None:
    page.goto("/draw")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    # Before anything is drawn, only Grad-CAM's own setting is offered, as after.
    for option in ("samples", "noise", "steps", "baseline", "patch", "stride"):
        expect(_panel(page).locator(f"[data-option={option}]")).to_be_hidden()
    _drawn_seven(page)
    _wait_explained(page, "gradcam")
    panel = _panel(page)
    expect(panel).to_have_attribute("data-class-index", "7")
    for role in ("input", "heatmap", "blend-input", "blend-heatmap"):
        image = panel.locator(f"img[data-role={role}]")
        expect(image).to_be_visible()
        assert _decoded(image), role
    assert panel.locator("img[data-role=input]").evaluate("i => i.naturalWidth") == 28
    expect(panel.locator(".legend")).to_contain_text("Heatmap colour")
    blended = panel.locator("img[data-role=blend-heatmap]")
    expect(blended).to_have_css("opacity", "0.6")
    page.locator("#explain-opacity").fill("20")
    expect(blended).to_have_css("opacity", "0.2")
    page.select_option("#explain-class_index", "1")
    page.wait_for_selector("#explain[data-status=ready][data-class-index='1']")
    expect(panel.locator(".explain-summary")).to_contain_text("Grad-CAM for “1”")
    expect(page.locator("img[data-role=blend-heatmap]")).to_have_css("opacity", "0.2")  # kept
    page.select_option("#explain-method", "saliency")
    _wait_explained(page, "saliency")
    page.locator(".draw-more").scroll_into_view_if_needed()
    page.set_viewport_size({"width": 1366, "height": 768})
    assert horizontal_overflow(page) == 0
    page.screenshot(path=artifacts / "laptop-draw-explain.png", full_page=True)


def test_make_it_more_like_dreams_from_the_drawing_and_raises_the_probability(
    page: Page,
) -> None:
    _drawn_seven(page)
    dream = page.locator("#dream")
    expect(dream.locator("button[type=submit]")).to_be_enabled()
    page.select_option("#dream-class", "1")
    with page.expect_response("**/api/models/lenet5/dreams") as answered:
        dream.locator("button[type=submit]").click()
    assert answered.value.ok
    page.wait_for_selector("#dream[data-status=ready][data-class-index='1']", timeout=60_000)
    before = float(dream.get_attribute("data-before") or "nan")
    after = float(dream.get_attribute("data-after") or "nan")
    assert after > before
    for role in ("dream-start", "dream"):
        image = dream.locator(f"[data-role={role}] img")
        expect(image).to_be_visible()
        assert _decoded(image)
    expect(dream.locator(".dream-summary")).to_contain_text("probability of “1”")


def test_the_draw_panels_fit_a_phone(phone_page: Page, artifacts: Path) -> None:
    page = phone_page
    draw = DrawPage(page).open()
    draw.draw_touch(SEVEN)
    draw.wait_guess("lenet5")
    _wait_explained(page, "gradcam")
    page.locator("#dream button[type=submit]").click()
    page.wait_for_selector("#dream[data-status=ready]", timeout=60_000)
    assert horizontal_overflow(page) == 0
    targets = [
        "#explain-method",
        "#explain-class_index",
        "#explain-opacity",
        "#explain button[type=submit]",
        "#dream-class",
        "#dream button[type=submit]",
    ]
    for selector in targets:
        box = page.locator(selector).bounding_box()
        assert box and box["height"] >= 24, selector
    page.locator(".draw-more").screenshot(path=artifacts / "phone-draw-explain-dream.png")
