"""The Kernel lab on a phone: one column, touch, and nothing wider than the screen."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from .lab import KernelLab, dims


def test_phone_has_no_horizontal_overflow_and_tapping_traces(
    phone_page: Page, artifacts: Path
) -> None:
    lab = KernelLab(phone_page).open()
    page = phone_page
    lab.wait_result()
    assert lab.horizontal_overflow() == 0
    page.screenshot(path=artifacts / "phone-image.png", full_page=True)

    page.select_option("#image-kernel-preset", "sobel_magnitude")
    page.select_option("#image-kernel-rows", "7")
    page.select_option("#image-kernel-cols", "7")
    lab.wait_result(kernel="custom")
    page.locator("#output-canvas").tap()
    expect(page.locator("#trace-summary")).to_contain_text("selected")
    assert lab.horizontal_overflow() == 0
    page.locator("#image-trace-panel").screenshot(path=artifacts / "phone-image-trace.png")

    lab.open_numbers()
    page.select_option("#numbers-cols", "12")
    expect(page.locator("#numbers-output-shape")).to_have_text(dims(4, 10))
    assert lab.horizontal_overflow() == 0
    page.screenshot(path=artifacts / "phone-numbers.png", full_page=True)


def test_laptop_shows_input_and_output_side_by_side(
    lab: KernelLab, page: Page, artifacts: Path
) -> None:
    lab.wait_result()
    input_box = page.locator("#input-canvas").bounding_box()
    output_box = page.locator("#output-canvas").bounding_box()
    assert input_box and output_box
    assert abs(input_box["y"] - output_box["y"]) < 2
    assert output_box["x"] > input_box["x"] + input_box["width"]
    rendering = page.locator("#output-canvas").evaluate("c => getComputedStyle(c).imageRendering")
    assert rendering == "pixelated"
    assert lab.horizontal_overflow() == 0
    page.screenshot(path=artifacts / "laptop-image.png")
