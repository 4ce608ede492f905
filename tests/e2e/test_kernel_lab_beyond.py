"""The Kernel lab beyond the anchors (issue 18): the sum beside the output, Play / Pause, the
zero-padding ring, the output at its true scale, one filter over all channels, and the whole
view in the address."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from .lab import KernelLab, dims
from .test_image_lab import api_convolve

# chelsea.png is 451 wide and 300 high: with a 3 x 3 kernel, stride 3 and 2 zeros per side the
# output is (300 - 3 + 4) // 3 + 1 = 101 rows and (451 - 3 + 4) // 3 + 1 = 151 columns.
CHELSEA = "#sample=chelsea&stride=3&padding=2&zoom=4"
STRIDE, PAD, COLS = 3, 2, 151


def origin_of(row: int, col: int) -> tuple[int, int]:
    return row * STRIDE - PAD, col * STRIDE - PAD


def in_view(page: Page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    assert box and size
    return box["y"] >= 0 and box["y"] + min(box["height"], 60) <= size["height"]


def test_stepping_and_playing_slide_the_window_in_reading_order_and_the_link_restores_it(
    page: Page, artifacts: Path
) -> None:
    lab = KernelLab(page).open(f"{CHELSEA}&pixel=0,{COLS - 2}")
    lab.wait_result(source="chelsea")
    expect(page.locator("#output-shape")).to_have_text(dims(101, COLS))
    expect(page.locator("#image-trace")).to_have_attribute("data-position", f"0,{COLS - 2}")
    assert lab.window_origin() == origin_of(0, COLS - 2)

    # True scale at 4x: an output pixel is as wide as an input pixel; the ring is 2 zeros wide.
    sizes = page.evaluate(
        """() => ['input-stage', 'output-stage'].map((id) => {
          const style = getComputedStyle(document.getElementById(id));
          return [style.width, style.paddingLeft, style.paddingTop].map(parseFloat);
        })"""
    )
    assert sizes == [[(451 + 2 * PAD) * 4, PAD * 4, PAD * 4], [COLS * 4, 0, 0]]
    expect(page.locator("#input-pad-note")).to_have_text("+ 2 zeros around (hatched)")

    page.click("#image-step")
    page.click("#image-step")  # past the last column: onto the next row
    expect(page.locator("#image-trace")).to_have_attribute("data-position", "1,0")
    assert lab.selected_pixel() == (1, 0)
    assert lab.window_origin() == origin_of(1, 0) == (1, -2)
    expect(page.locator("#trace-summary")).to_contain_text("(row 1, col 0), selected")
    page.click("#image-back")
    assert lab.selected_pixel() == (0, COLS - 1)
    for _ in range(4):
        page.click("#image-step")
    assert lab.selected_pixel() == (1, 3)
    assert lab.window_origin() == origin_of(1, 3) == (1, 7)
    # The sum sits beside the output: both in view at once.
    page.locator("#output-canvas").scroll_into_view_if_needed()
    assert in_view(page, "#output-stage [data-role=selected]")
    assert in_view(page, "#image-trace [data-role=products]")

    page.select_option("#image-speed", "10")
    play = page.locator("#image-play")
    play.click()
    expect(play).to_have_text("❚❚ Pause")
    expect(page.locator("#trace-summary")).to_have_attribute("aria-live", "off")  # not chased
    page.wait_for_function(
        "document.querySelector('#output-stage [data-role=selected]').dataset.position !== '1,3'"
    )
    play.click()
    expect(play).to_have_text("▶ Play")
    expect(page.locator("#trace-summary")).to_have_attribute("aria-live", "polite")
    row, col = lab.selected_pixel()
    assert row == 1 and col > 3
    assert lab.window_origin() == origin_of(row, col)
    page.screenshot(path=artifacts / "laptop-kernel-lab-played.png")

    lab.wait_link(pixel=f"{row},{col}", sample="chelsea", stride="3", padding="2", zoom="4")
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    lab.wait_result(source="chelsea")
    expect(page.locator("#image-trace")).to_have_attribute("data-position", f"{row},{col}")
    assert lab.window_origin() == origin_of(row, col)
    expect(page.locator("#image-zoom")).to_have_value("4")
    expect(page.locator("#image-pad-amount")).to_have_value("2")


def test_one_filter_over_all_channels_sums_r_g_and_b_into_one_map(page: Page) -> None:
    lab = KernelLab(page).open("#channels=all")
    lab.wait_result(source="camera", kernel="sharpen")
    # The grey cameraman has one channel: the plain 3 x 3 kernel, not three times its sum.
    answer = api_convolve(page, "camera.png", kernel_name="sharpen", mapping="clip")
    plain = answer["pixel_map"]["description"]
    expect(page.locator("#pixel-map")).to_have_text(f"From values to pixels: {plain}")
    page.click("#image-back")  # nothing selected yet: Back starts from the last pixel
    assert lab.selected_pixel() == (509, 509)
    page.check("input[name=channels][value=each]")
    lab.choose_sample("astronaut")
    expect(page.locator("#output-channels")).to_have_text("(3 channels)")
    page.check("input[name=channels][value=all]")
    expect(page.locator("#output-channels")).to_have_text("(1 channel)")
    lab.wait_result(kernel="sharpen")
    lab.wait_link(channels="all", sample="astronaut")
    page.focus("#output-canvas")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#image-trace")).to_have_attribute("data-position", "1,0")
    sharpen = [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
    summed = [[[w, w, w] for w in row] for row in sharpen]
    truth = api_convolve(page, "astronaut.png", kernel=json.dumps(summed), trace="1,0")
    assert truth["output_shape"] == [510, 510]
    blocks = lab.trace_blocks()
    assert len(blocks) == 1  # one output map ...
    expect(page.locator("#image-trace .trace-row-title")).to_have_text(
        ["Red input", "Green input", "Blue input"]  # ... adding up the three channels
    )
    channel = truth["trace"]["channels"][0]
    assert blocks[0]["sums"] == [channel["sum"]]
    assert blocks[0]["results"] == [channel["output"]]

    page.select_option("#image-kernel-preset", "sobel_magnitude")
    expect(page.locator("#image-result")).to_have_attribute("data-status", "invalid")
    expect(page.locator("#image-params .field-message")).to_contain_text(
        "choose “each channel separately”"
    )
    page.check("input[name=channels][value=each]")
    lab.wait_result(kernel="sobel_magnitude")
    expect(page.locator("#output-channels")).to_have_text("(3 channels)")


def test_numbers_play_wraps_round_and_the_link_keeps_the_tab_and_its_settings(
    page: Page,
) -> None:
    page.emulate_media(reduced_motion="reduce")
    lab = KernelLab(page).open("#numbers")  # the old link to the tab still works
    lab.open_numbers()
    expect(page.locator("#numbers-speed")).to_have_value("0.5")  # reduced motion: slowest
    lab.set_stride(2, prefix="numbers")
    expect(page.locator("#numbers-output-shape")).to_have_text(dims(2, 2))
    result = page.locator("#numbers-result")
    for _ in range(3):
        page.click("#numbers-step")
    expect(result).to_have_attribute("data-position", "1,1")
    assert lab.window_cells() == [(r, c) for r in (2, 3, 4) for c in (2, 3, 4)]

    page.select_option("#numbers-speed", "10")
    play = page.locator("#numbers-play")
    play.click()  # the first step comes at once: from the last position round to the first
    expect(result).to_have_attribute("data-position", "0,0")
    page.wait_for_function("document.getElementById('numbers-result').dataset.position !== '0,0'")
    play.click()
    expect(play).to_have_text("▶ Play")
    expect(result).to_have_attribute("data-status", "ready")  # a step asked before the pause
    row, col = map(int, (result.get_attribute("data-position") or "").split(","))
    assert lab.window_cells() == [(2 * row + r, 2 * col + c) for r in range(3) for c in range(3)]

    page.fill("#numbers-input td[data-r='0'][data-c='0'] input", "7")
    page.check("#numbers-reveal")
    page.select_option("#numbers-pool-mode", "average")
    page.click("#numbers-pool [data-action=pool]")
    expect(page.locator("#numbers-pooled-shape")).to_have_text(dims(1, 1))
    expected = {"tab": "numbers", "stride": "2", "fill": "1", "pool": "average"}
    if (row, col) != (0, 0):
        expected["pixel"] = f"{row},{col}"
    lab.wait_link(**expected)
    assert json.loads(lab.link()["input"])[0][:2] == [7, 0]
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.wait_for_selector("#numbers-result[data-status=ready]")
    expect(page.locator("#tab-numbers")).to_have_attribute("aria-selected", "true")
    expect(result).to_have_attribute("data-position", f"{row},{col}")
    expect(page.locator("#numbers-stride")).to_have_value("2")
    expect(page.locator("#numbers-reveal")).to_be_checked()
    expect(page.locator("#numbers-pooled-shape")).to_have_text(dims(1, 1))
    expect(page.locator("#numbers-pool-mode")).to_have_value("average")
    assert lab.numbers_row("numbers-input", 0)[0] == "7"

    # A link followed on the page itself (only the hash changes) opens its view too.
    page.evaluate("location.hash = '#preset=identity&sample=coffee'")
    lab.wait_result(source="coffee", kernel="identity")
    expect(page.locator("#tab-image")).to_have_attribute("aria-selected", "true")


def test_on_a_phone_the_sum_is_in_view_with_the_output(phone_page: Page, artifacts: Path) -> None:
    page = phone_page
    lab = KernelLab(page).open("#padding=same&pixel=60,60&zoom=8&stride=x")
    lab.wait_result()
    expect(page.locator("#link-problems")).to_have_text(
        'The link\'s stride="x" was ignored: expected a whole number from 1 to 8.'
    )
    expect(page.locator("#image-trace")).to_have_attribute("data-position", "60,60")
    assert lab.window_origin() == (59, 59)
    # At 8x the pixel is 480 px into its picture: the output scrolled to bring it into sight.
    marker = page.locator("#output-stage [data-role=selected]").bounding_box()
    scroller = page.locator("#output-stage").locator("..").bounding_box()
    assert marker and scroller
    assert scroller["x"] <= marker["x"] <= scroller["x"] + scroller["width"] - marker["width"]
    assert scroller["y"] <= marker["y"] <= scroller["y"] + scroller["height"] - marker["height"]
    page.locator("#output-stage [data-role=selected]").scroll_into_view_if_needed()
    assert in_view(page, "#output-stage [data-role=selected]")
    assert in_view(page, "#trace-summary")
    assert lab.horizontal_overflow() == 0
    page.screenshot(path=artifacts / "phone-kernel-lab-sum-docked.png")
