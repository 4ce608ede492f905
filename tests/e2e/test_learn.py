"""The Learn page: seven steps in the course's order, each with a live page in an iframe whose
state is in its URL, and a question checked on the page; the step lives in the address."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from app.core.architecture.presets import preset_summary
from app.core.shapes import output_sizes

from .lab import KernelLab, dims

STEPS = [
    ("kernel", "What a kernel does"),
    ("stride-padding", "Stride, padding and the output size"),
    ("channels", "Several filters and channels"),
    ("pooling", "Pooling"),
    ("network", "A whole network"),
    ("parameters", "Parameters"),
    ("own-images", "Your own images"),
]
APP_PAGES = {"/", "/draw", "/explorer", "/training", "/architectures"}

EDGE_KERNEL = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
EDGE_WINDOW = [[200, 120, 40], [210, 100, 30], [190, 110, 50]]
POOL_MAP = [[1, 3, 2, 0], [5, 4, 1, 1], [0, 2, 6, 7], [3, 1, 8, 2]]


def _lenet_row(name: str) -> Any:
    """A row of LeNet-5's summary, as the Architecture lab's server computes it."""
    return next(row for row in preset_summary("lenet5").rows if row.name == name)


def _flatten_size() -> int:
    (size,) = _lenet_row("flatten").output_shape
    return int(size)


# Each number question: the answer worked out here, independently of the page's JavaScript, and
# a wrong answer with the feedback that explains it.
NUMBER_ANSWERS = {
    # Keras Conv2D is cross-correlation: weight times the pixel in the same place, no flip.
    "kernel": (
        sum(EDGE_WINDOW[r][c] * EDGE_KERNEL[r][c] for r in range(3) for c in range(3)),
        "-660",
        "textbook convolution",
    ),
    # The project's own output-size arithmetic, the one place it lives on the server.
    "stride-padding": (
        output_sizes((28, 28), (5, 5), (2, 2), ((0, 0), (0, 0)), "kernel")[1].output,
        "24",
        "stride 1",
    ),
    "channels": (5 * 5 * 3, "25", "one channel's slice"),
    "pooling": (
        max(POOL_MAP[2][2], POOL_MAP[2][3], POOL_MAP[3][2], POOL_MAP[3][3]),
        "5.75",
        "average",
    ),
    "network": (_flatten_size(), "784", "valid"),
    "parameters": (_lenet_row("conv2").params, "2400", "bias"),
}


# What each step's live page shows once its URL's state took effect: (selector, attribute or
# None for the text, value). The stride step's 4 x 4 is its text's floor((7 + 2 - 3) / 2) + 1.
FRAME_STATE = {
    "stride-padding": ("#numbers-output-shape", None, dims(4, 4)),
    "channels": ("#network[data-status=ready]", "data-scale", "map"),
    "pooling": ("#numbers-pooled-shape", None, dims(2, 2)),
    "network": ("#network[data-status=ready]", "data-source", "mnist-test-00000"),
    "parameters": ("#quiz[data-state=asking]", "data-location", "layers[3]"),
}


def open_learn(page: Page, address: str = "/learn") -> None:
    page.goto(address)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def expect_step(page: Page, index: int) -> None:
    step_id, title = STEPS[index]
    expect(page.locator("#learn-step-heading")).to_have_text(title)
    expect(page.locator("#learn-count")).to_have_text(f"Step {index + 1} of 7")
    expect(page.locator("#learn-step-list a[aria-current=step]")).to_have_attribute(
        "href", f"#{step_id}"
    )
    expect(page.locator("iframe")).to_have_count(1)  # only the shown step's page is live
    expect(page.locator("iframe.learn-frame")).to_have_attribute("data-step", step_id)


def check_live_page(page: Page, index: int) -> None:
    """The step's iframe shows one of the app's pages, and that address answers 200."""
    frame = page.locator("iframe.learn-frame")
    src = frame.get_attribute("src") or ""
    assert urlsplit(src).path in APP_PAGES, src
    assert frame.get_attribute("title")
    assert frame.get_attribute("loading") == "lazy"
    expect(page.locator("#learn-full-page")).to_have_attribute("href", src)
    response = page.request.get(src)
    assert response.status == 200, src
    inner = page.frame_locator("iframe.learn-frame")
    expect(inner.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    if STEPS[index][0] in FRAME_STATE:
        selector, attribute, value = FRAME_STATE[STEPS[index][0]]
        shown = inner.locator(selector)
        if attribute == "value":
            expect(shown).to_have_value(value)
        elif attribute:
            expect(shown).to_have_attribute(attribute, value, timeout=30_000)
        else:
            expect(shown).to_have_text(value)


def answer_number(page: Page, step_id: str) -> None:
    right, wrong, why = NUMBER_ANSWERS[step_id]
    field = page.locator(f"#learn-{step_id}-answer")
    feedback = page.locator(".learn-feedback")
    field.fill(wrong)
    field.press("Enter")  # the keyboard path: Enter in the field checks
    expect(feedback).to_have_attribute("data-result", "wrong")
    expect(feedback).to_contain_text("Not quite")
    expect(feedback).to_contain_text(why)
    expect(page.locator(".learn-worked")).to_be_visible()
    field.fill(f"{right:,}")  # "2,416" is read as 2416
    page.get_by_role("button", name="Check").click()
    expect(feedback).to_have_attribute("data-result", "right")
    expect(feedback).to_contain_text("Right. ")
    expect(feedback).to_contain_text(str(right))
    expect(page.locator(".learn-worked")).to_be_hidden()


def answer_choice(page: Page) -> None:
    feedback = page.locator(".learn-feedback")
    page.get_by_label("The validation images are broken.").check()
    page.get_by_role("button", name="Check").click()
    expect(feedback).to_have_attribute("data-result", "wrong")
    expect(feedback).to_contain_text("from the first epoch")
    page.get_by_label("overfitting").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(feedback).to_have_attribute("data-result", "right")
    expect(feedback).to_contain_text("Right. It gets better on the images it trains on")


def test_the_seven_steps_in_order_with_live_pages_questions_and_the_step_in_the_address(
    page: Page,
) -> None:
    open_learn(page)
    links = page.locator("#learn-step-list a")
    hrefs = links.evaluate_all("links => links.map((a) => a.getAttribute('href'))")
    assert hrefs == [f"#{step_id}" for step_id, _ in STEPS]
    expect(page.locator("#learn-previous")).to_be_hidden()

    for index, (step_id, _title) in enumerate(STEPS):
        expect_step(page, index)
        check_live_page(page, index)
        if step_id in NUMBER_ANSWERS:
            answer_number(page, step_id)
        else:
            answer_choice(page)
        # Answered right: the step list ticks it.
        expect(page.locator(f"#learn-step-list a[href='#{step_id}']")).to_have_class("is-solved")
        if index < len(STEPS) - 1:
            page.locator("#learn-next").click()
            expect(page).to_have_url(re.compile(rf"/learn#{STEPS[index + 1][0]}$"))
            expect(page.locator("#learn-step-heading")).to_be_focused()
    expect(page.locator("#learn-next")).to_be_hidden()

    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect_step(page, 6)
    page.locator("#learn-previous").click()
    expect_step(page, 5)
    page.go_back()
    expect_step(page, 6)


def test_a_teachers_link_opens_one_step_and_the_step_list_works_by_keyboard(page: Page) -> None:
    open_learn(page, "/learn?step=4")
    expect_step(page, 3)
    assert page.url.endswith("/learn#pooling")

    page.locator("#learn-step-list a[href='#pooling']").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#learn-step-list a[href='#network']")).to_be_focused()
    page.keyboard.press("Enter")
    expect_step(page, 4)
    # The skip link's #main is not a step: the step stays.
    page.goto(page.url.replace("#network", "#main"))
    expect_step(page, 4)


def test_the_kernel_steps_live_page_opens_with_the_preset_kernel(page: Page) -> None:
    open_learn(page, "/learn#kernel")
    frame = page.frame_locator("iframe.learn-frame")
    expect(frame.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    expect(frame.locator("#image-result")).to_have_attribute("data-status", "ready")
    cells = frame.locator("#image-kernel .kernel-grid input")
    expect(cells).to_have_count(9)
    values = [float(v) for v in cells.evaluate_all("inputs => inputs.map((i) => i.value)")]
    assert values == [w for row in EDGE_KERNEL for w in row]
    expect(frame.locator("#image-result")).to_have_attribute("data-source", "camera")
    # The frame, not this page, is scrolled to the step's part of the lab: input and output.
    iframe = page.locator("iframe.learn-frame")
    expect(iframe).to_have_attribute("data-shown", "#image-result-heading")
    heading_top = frame.locator("#image-result-heading").evaluate(
        "h => h.getBoundingClientRect().top"
    )
    assert 0 <= heading_top < 300  # unscrolled, it is below the frame's bottom
    assert page.evaluate("window.scrollY") == 0

    # What the learner changes in the frame comes along to the full page.
    frame.locator("#image-kernel-preset").select_option("box_blur")
    expect(frame.locator("#image-result")).to_have_attribute("data-kernel", "box_blur")
    full = page.locator("#learn-full-page")
    expect(full).to_have_attribute("href", re.compile(r"^/#kernel="))
    page.wait_for_function(
        "document.querySelector('.learn-frame').contentWindow.location.hash.includes('box_blur')"
    )
    full.hover()
    expect(full).to_have_attribute("href", re.compile(r"^/#.*preset=box_blur"))


@pytest.mark.parametrize("step_id", ["kernel", "own-images"])
def test_phone_fits_the_screen_with_24_px_targets(
    phone_page: Page, step_id: str, artifacts: Path
) -> None:
    open_learn(phone_page, f"/learn#{step_id}")
    inner = phone_page.frame_locator("iframe.learn-frame").locator("body")
    expect(inner).to_have_attribute("data-ready", "true", timeout=30_000)
    assert KernelLab(phone_page).horizontal_overflow() == 0
    boxes = phone_page.locator(
        "#learn-step-list a, #learn-question fieldset label, .learn-pager a:visible"
    ).evaluate_all(
        "nodes => nodes.map((n) => { const b = n.getBoundingClientRect();"
        " return {name: n.textContent.trim(), width: b.width, height: b.height}; })"
    )
    small = [b for b in boxes if b["width"] < 24 or b["height"] < 24]
    assert boxes and small == []
    phone_page.screenshot(path=artifacts / f"phone-learn-{step_id}.png", full_page=True)
