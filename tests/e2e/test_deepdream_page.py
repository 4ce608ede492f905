"""The Network explorer's "Dream" (DeepDream of the current photo, for photo models) and "What
each class looks like to the model" (each class's dream from noise, for any model)."""

from __future__ import annotations

import random
from pathlib import Path

from playwright.sync_api import Locator, Page, ViewportSize, expect

from .digit_pages import Explorer, horizontal_overflow

MODEL = "colour-shapes"
PHOTO = "chelsea"  # the Explorer's default photo
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
DREAM_SECONDS = 90_000  # a small dream takes a few seconds; the queue may hold others first


def fresh_seed() -> int:
    """A seed no earlier run has used: a dream already made would answer at once."""
    return random.randrange(1, 2**31)


def open_photo_model(page: Page, query: str = "") -> Locator:
    page.goto(f"/explorer?model={MODEL}{query}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.wait_for_selector(f"#network[data-status=ready][data-model='{MODEL}']")
    section = page.locator("#dream-section")
    expect(section).to_be_visible()
    return section


def fill(page: Page, **options: int | float) -> None:
    for name, value in options.items():
        page.fill(f"#dream [name={name}]", str(value))


def watch_states(page: Page) -> None:
    """Keep every data-state the dream section goes through, and whether its bar showed."""
    page.evaluate(
        """() => {
          const root = document.getElementById("dream");
          window.dreamStates = [];
          window.dreamBarShown = false;
          new MutationObserver(() => {
            window.dreamStates.push(root.dataset.state ?? "");
            if (!root.querySelector("progress").hidden) window.dreamBarShown = true;
          }).observe(root, { attributes: true, subtree: true });
        }"""
    )


def wait_done(page: Page) -> str:
    expect(page.locator("#dream")).to_have_attribute("data-state", "done", timeout=DREAM_SECONDS)
    work = page.locator("#dream").get_attribute("data-work")
    assert work
    return work


def assert_pictures_loaded(page: Page) -> None:
    pictures = page.locator("#dream .deepdream-figure img")
    expect(pictures).to_have_count(2)
    for picture in pictures.all():
        expect(picture).to_have_js_property("complete", True)
        assert picture.evaluate("img => img.naturalWidth") > 0


def small_targets(scope: Locator) -> list[str]:
    """The visible buttons, links and fields in scope smaller than 24 x 24 CSS pixels."""
    found: list[str] = scope.locator("button, a, input, select, summary").evaluate_all(
        """nodes => nodes.filter(n => n.offsetParent !== null).map(n => {
             const r = n.getBoundingClientRect();
             const small = r.width < 24 || r.height < 24;
             return small ? `${n.outerHTML.slice(0, 80)} ${r.width}x${r.height}` : null;
           }).filter(Boolean)"""
    )
    return found


def test_a_digit_model_has_no_dream_section(page: Page) -> None:
    Explorer(page).open()
    page.wait_for_selector("#network[data-status=ready]")
    expect(page.locator("#dream-section")).to_be_hidden()
    expect(page.locator("#class-dreams [data-role=show]")).to_be_visible()


def test_a_small_dream_shows_progress_then_the_dream_and_again_answers_at_once(
    page: Page, artifacts: Path
) -> None:
    section = open_photo_model(page, f"&dream_seed={fresh_seed()}")
    layers = page.locator("#dream-layer option").evaluate_all("os => os.map(o => o.value)")
    detail = page.request.get(f"/api/models/{MODEL}").json()
    maps = [r["name"] for r in detail["summary"] if len(r["output_shape"]) == 3]
    assert layers == maps
    expect(page.locator("#dream-layer")).to_have_value(maps[-1])
    page.select_option("#dream-layer", maps[1])
    fill(page, octaves=2, steps=3, side=56)
    watch_states(page)
    page.click("#dream [data-role=dream]")
    work = wait_done(page)
    states = page.evaluate("window.dreamStates")
    assert {"queued", "running"} & set(states), states
    assert page.evaluate("window.dreamBarShown")
    assert_pictures_loaded(page)
    expect(page.locator("#dream [data-role=objective]")).to_contain_text(
        f"{maps[1]}'s mean response went from"
    )
    dream_url = page.locator("#dream [data-role=dream-url]").input_value()
    assert dream_url.startswith("http") and dream_url.endswith(f"/api/works/{work}/dream.png")
    page_url = page.locator("#dream [data-role=page-url]").input_value()
    assert f"photo={PHOTO}" in page_url and "dream_steps=3" in page_url

    # The same settings again: the server has the dream, so it shows at once, at the same id.
    watch_states(page)
    page.click("#dream [data-role=dream]")
    assert wait_done(page) == work
    assert not {"queued", "running"} & set(page.evaluate("window.dreamStates"))
    expect(page.locator("#dream [data-role=dream-url]")).to_have_value(dream_url)

    page.set_viewport_size(LAPTOP)
    section.scroll_into_view_if_needed()
    assert horizontal_overflow(page) == 0
    assert small_targets(section) == []
    section.screenshot(path=artifacts / "laptop-deepdream.png")

    # The page's link opens on the same photo and settings, and finds the same dream.
    shared = page.context.new_page()
    shared.goto(page_url)
    expect(shared.locator("#dream")).to_have_attribute("data-state", "done", timeout=30_000)
    assert shared.locator("#dream").get_attribute("data-work") == work
    expect(shared.locator("#dream-layer")).to_have_value(maps[1])
    shared.close()


def test_cancel_stops_a_long_dream(page: Page, artifacts: Path) -> None:
    page.set_viewport_size(LAPTOP)
    section = open_photo_model(page, f"&dream_seed={fresh_seed()}")
    fill(page, octaves=4, steps=100, side=256)
    page.click("#dream [data-role=dream]")
    cancel = page.locator("#dream [data-role=cancel]")
    expect(cancel).to_be_visible(timeout=30_000)
    expect(page.locator("#dream progress")).to_be_visible()
    assert small_targets(section) == []
    section.screenshot(path=artifacts / "laptop-deepdream-running.png")
    cancel.click()
    expect(page.locator("#dream")).to_have_attribute("data-state", "cancelled", timeout=30_000)
    expect(page.locator("#dream [data-role=message]")).to_contain_text("Cancelled")
    expect(cancel).to_be_hidden()
    expect(page.locator("#dream [data-role=dream]")).to_be_enabled()


def test_a_bad_option_shows_the_servers_words_next_to_the_form(page: Page) -> None:
    open_photo_model(page)
    fill(page, steps=500)
    page.click("#dream [data-role=dream]")
    message = page.locator("#dream [data-role=message]")
    expect(message).to_have_attribute("data-state", "error")
    expect(message).to_contain_text("steps")


def test_a_full_queue_shows_the_servers_message(page: Page) -> None:
    detail = "The queue is full: 8 jobs are waiting. Try again in a few minutes."
    page.route(
        "**/api/models/*/deepdream",
        lambda route: route.fulfill(status=429, json={"detail": detail}),
    )
    open_photo_model(page)
    page.click("#dream [data-role=dream]")
    message = page.locator("#dream [data-role=message]")
    expect(message).to_have_text(detail)
    expect(message).to_have_attribute("data-state", "error")
    expect(page.locator("#dream [data-role=dream]")).to_be_enabled()


def test_each_class_of_lenet5_has_its_dream(page: Page, artifacts: Path) -> None:
    page.set_viewport_size(LAPTOP)
    Explorer(page).open()
    page.wait_for_selector("#network[data-status=ready]")
    page.click("#class-dreams [data-role=show]")
    cards = page.locator("#class-dreams .class-dream")
    expect(cards).to_have_count(10, timeout=60_000)
    expect(cards.locator(".class-dream-name")).to_have_text([str(d) for d in range(10)])
    for picture in cards.locator("img").all():
        expect(picture).to_have_js_property("complete", True)
        assert picture.evaluate("img => img.naturalWidth") == 28
    expect(cards.first.locator(".class-dream-probability")).to_contain_text("%")
    expect(page.locator("#class-dreams [data-role=show]")).to_be_hidden()
    assert horizontal_overflow(page) == 0
    page.locator(".class-dreams-panel").screenshot(path=artifacts / "laptop-class-dreams.png")


def test_phone_dream_fits_the_screen(phone_page: Page, artifacts: Path) -> None:
    page = phone_page
    seed = fresh_seed()
    section = open_photo_model(
        page, f"&photo=coffee&dream_seed={seed}&dream_octaves=1&dream_steps=2&dream_side=48"
    )
    wait_done(page)  # a link with dream options dreams at once
    assert_pictures_loaded(page)
    assert "photo=coffee" in page.locator("#dream [data-role=page-url]").input_value()
    section.scroll_into_view_if_needed()
    assert horizontal_overflow(page) == 0
    assert small_targets(section) == []
    section.screenshot(path=artifacts / "phone-deepdream.png")
    page.click("#class-dreams [data-role=show]")
    expect(page.locator("#class-dreams .class-dream")).to_have_count(8, timeout=60_000)
    assert horizontal_overflow(page) == 0
    page.locator(".class-dreams-panel").screenshot(path=artifacts / "phone-class-dreams.png")
