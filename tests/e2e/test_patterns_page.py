"""The Network explorer's "What each unit looks for": a page of unit patterns per layer, paged
with Previous and Next and kept in the URL; a unit clicked shows its pattern beside its feature
map for the current input and the shipped digits that excite it most."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from .digit_pages import Explorer, horizontal_overflow

ASCENT_MS = 90_000  # gradient ascent for a page of units, on a busy machine


def _panel(page: Page) -> Locator:
    return page.locator("#patterns")


def _wait_page(page: Page, layer: str, number: int) -> None:
    page.wait_for_selector(
        f"#patterns[data-status=ready][data-layer='{layer}'][data-page='{number}']",
        timeout=ASCENT_MS,
    )


def _cards(page: Page) -> Locator:
    return _panel(page).locator(".pattern-card")


def _decoded(image: Locator) -> bool:
    return bool(image.evaluate("img => img.complete && img.naturalWidth > 0"))


def _pictures(page: Page) -> list[str]:
    sources: list[str] = _cards(page).locator("img").evaluate_all("imgs => imgs.map(i => i.src)")
    return sources


def test_the_grid_shows_one_picture_per_unit_and_paging_changes_them(page: Page) -> None:
    Explorer(page).open()
    _wait_page(page, "conv1", 0)
    expect(_cards(page)).to_have_count(6)  # LeNet-5's conv1 has 6 filters: one page
    expect(page.locator("#patterns [data-role=next]")).to_be_disabled()

    page.select_option("#patterns-layer", "conv2")
    _wait_page(page, "conv2", 0)
    expect(_cards(page)).to_have_count(8)
    units = _cards(page).evaluate_all("cs => cs.map(c => Number(c.dataset.unit))")
    assert units == list(range(8))
    first = _pictures(page)
    assert len(set(first)) == 8  # one picture per unit, each its own
    expect(page.locator("#patterns [data-role=previous]")).to_be_disabled()
    expect(_panel(page)).to_contain_text("Units 0\u20137 of 16")

    page.click("#patterns [data-role=next]")
    _wait_page(page, "conv2", 1)
    units = _cards(page).evaluate_all("cs => cs.map(c => Number(c.dataset.unit))")
    assert units == list(range(8, 16))
    second = _pictures(page)
    assert not set(first) & set(second)
    assert all(_decoded(image) for image in _cards(page).locator("img").all())
    expect(page.locator("#patterns [data-role=next]")).to_be_disabled()
    assert "pattern_layer=conv2" in page.url and "pattern_page=1" in page.url

    # The link opens on the same layer and page; the cached page comes back at once.
    page.goto(page.url)
    _wait_page(page, "conv2", 1)
    expect(page.locator("#patterns-layer")).to_have_value("conv2")
    assert _pictures(page) == second
    page.click("#patterns [data-role=previous]")
    _wait_page(page, "conv2", 0)
    assert _pictures(page) == first


def test_clicking_a_unit_shows_its_pattern_and_its_feature_map(page: Page, artifacts: Path) -> None:
    explorer = Explorer(page).open()
    explorer.choose_digit("mnist-test-00000")
    _wait_page(page, "conv1", 0)
    _cards(page).nth(2).click()
    detail = _panel(page).locator("[data-role=unit-detail]")
    expect(detail).to_be_visible()
    expect(detail).to_have_attribute("data-unit", "2")
    expect(_cards(page).nth(2)).to_have_attribute("aria-pressed", "true")
    pattern = detail.locator("[data-role=unit-pattern] img")
    expect(pattern).to_have_attribute("src", _pictures(page)[2])
    feature_map = detail.locator("[data-role=unit-map] img")
    expect(feature_map).to_be_visible(timeout=30_000)
    assert _decoded(feature_map)
    size = feature_map.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert size == [28, 28]  # conv1 pads "same"
    expect(detail.locator("[data-role=unit-map] figcaption")).to_contain_text("feature map")
    digits = detail.locator("[data-role=top-images] li")
    assert digits.count() > 0
    expect(detail.locator("[data-role=top-images]")).to_contain_text("20 MNIST test digits")

    # Another input: the open unit shows its map for that one.
    before = feature_map.get_attribute("src")
    explorer.choose_digit("mnist-test-00002")
    expect(detail.locator("[data-role=unit-map] img")).not_to_have_attribute(
        "src", before or "", timeout=30_000
    )
    page.locator(".patterns-panel").scroll_into_view_if_needed()
    page.set_viewport_size({"width": 1366, "height": 768})
    assert horizontal_overflow(page) == 0
    page.locator(".patterns-panel").screenshot(path=artifacts / "laptop-patterns.png")


def test_a_dense_layer_shows_a_units_value_for_the_input(page: Page) -> None:
    Explorer(page).open("mlp")
    page.wait_for_selector("#network[data-status=ready]")
    _wait_page(page, page.locator("#patterns-layer").input_value(), 0)
    _cards(page).first.click()
    value = _panel(page).locator("[data-role=unit-map] .pattern-value")
    expect(value).to_be_visible(timeout=30_000)
    expect(_panel(page).locator("[data-role=unit-map] figcaption")).to_contain_text(
        "For your input it gives"
    )


def test_the_patterns_fit_a_phone(phone_page: Page, artifacts: Path) -> None:
    page = phone_page
    Explorer(page).open()
    _wait_page(page, "conv1", 0)
    page.wait_for_selector("#network[data-status=ready]")
    _cards(page).first.click()
    expect(_panel(page).locator("[data-role=unit-map] img")).to_be_visible(timeout=30_000)
    assert horizontal_overflow(page) == 0
    for target in [*_cards(page).all(), page.locator("#patterns [data-role=next]")]:
        box = target.bounding_box()
        assert box and box["width"] >= 24 and box["height"] >= 24
    page.locator(".patterns-panel").screenshot(path=artifacts / "phone-patterns.png")
