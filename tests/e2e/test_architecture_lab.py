"""The Architecture lab in Chromium: edit a stack and read the new total, the inline 422, the
quiz, the comparison, and the layout on a laptop and a phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, Route, expect

READY = "#arch-results[data-status=ready]"
TIMES = " \u00d7 "  # the page writes shapes with multiplication signs


class ArchitectureLab:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, preset: str = "") -> ArchitectureLab:
        self.page.goto(f"/architectures{'#' + preset if preset else ''}")
        expect(self.page.locator("body")).to_have_attribute("data-ready", "true")
        self.page.wait_for_selector(READY)
        return self

    def total(self) -> Locator:
        return self.page.locator("#total-params")

    def card(self, location: str) -> Locator:
        return self.page.locator(f'[data-location="{location}"]').first

    def set_field(self, location: str, label: str, value: str) -> None:
        self.card(location).locator(":scope > .params").get_by_label(label, exact=True).fill(value)

    def row(self, location: str) -> Locator:
        return self.page.locator(f'#summary-table tr[data-location="{location}"]')

    def api(self, method: str, path: str, body: Any = None) -> Any:
        response = (
            self.page.request.get(path)
            if method == "GET"
            else self.page.request.post(path, data=body)
        )
        assert response.ok, response.text()
        return response.json()


def count(n: int) -> str:
    return f"{n:,}"


@pytest.fixture
def lab(page: Page) -> ArchitectureLab:
    return ArchitectureLab(page).open()


def test_editing_lenet5_updates_the_total_to_the_api_s_answer(lab: ArchitectureLab) -> None:
    expect(lab.total()).to_have_text("61,706")

    lab.set_field("layers[6]", "Units", "100")  # fc1: 120 -> 100 units

    # fc1 400*100 + 100 and fc2 100*84 + 84 replace 400*120 + 120 and 120*84 + 84.
    by_hand = 61_706 - (48_120 + 10_164) + (40_100 + 8_484)
    expect(lab.total()).to_have_text(count(by_hand))
    expect(lab.row("layers[6]")).to_contain_text("400*100 + 100 = 40,100")
    expect(lab.card("layers[6]").locator(".layer-result")).to_have_text("→ 100 · 40,100 params")

    lab.set_field("layers[1]", "Filters", "8")  # conv1: 6 -> 8 filters, so conv2 sees 8 channels
    preset = lab.api("GET", "/api/architectures/lenet5")
    layers = preset["layers"]
    layers[6]["units"] = 100
    layers[1]["filters"] = 8
    answer = lab.api("POST", "/api/architectures/summary", {"layers": layers})
    assert answer["total_params"] == by_hand + (208 - 156) + (3_216 - 2_416)
    expect(lab.total()).to_have_text(count(answer["total_params"]))
    expect(lab.page.locator("#preset-edited")).to_be_visible()


def test_what_if_alexnet_s_first_layer_had_stride_2(lab: ArchitectureLab) -> None:
    lab.page.select_option("#preset-select", "alexnet")
    expect(lab.total()).to_have_text("62,378,344")

    lab.set_field("layers[1]", "Strides", "2")

    # 227 -> (227-11)/2+1 = 109 -> pool 54 -> pool 26 -> pool5 12: fc6 sees 12*12*256 values.
    conv = 34_944 + 614_656 + 885_120 + 1_327_488 + 884_992
    fc6 = 12 * 12 * 256 * 4096 + 4096
    expected = conv + fc6 + 16_781_312 + 4_097_000
    expect(lab.total()).to_have_text(count(expected))
    expect(lab.row("layers[1]")).to_contain_text(TIMES.join(["109", "109", "96"]))
    expect(lab.row("layers[10]")).to_contain_text(
        f"36864*4096 + 4096 = {count(36_864 * 4096 + 4096)}"
    )
    # 54 - 3 = 51 is odd: the stride-2 pool leaves a row and a column unread, as Keras does.
    expect(lab.row("layers[4]")).to_contain_text(
        "rows and columns alike: the division is not exact: window number 26 starts at padded "
        "index 50 (25 steps of 2)"
    )


def test_an_impossible_stack_names_the_layer_inline(lab: ArchitectureLab) -> None:
    lab.set_field("layers[3]", "Kernel", "20")  # conv2 gets a 14x14 input

    error = lab.page.locator("#stack-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(
        'layers[3] "conv2" (Conv2D): The kernel (20x20) is larger than the padded input (14x14)'
    )
    expect(error).to_contain_text("Keras raises ValueError")
    expect(lab.card("layers[3]")).to_have_class(re.compile("has-error"))
    expect(lab.page.locator("#arch-results")).to_have_attribute("data-status", "error")

    lab.set_field("layers[3]", "Kernel", "5")
    expect(error).to_be_hidden()
    expect(lab.total()).to_have_text("61,706")
    expect(lab.card("layers[3]")).not_to_have_class(re.compile("has-error"))


def test_a_setting_that_is_not_a_number_is_caught_before_sending(lab: ArchitectureLab) -> None:
    lab.set_field("layers[1]", "Kernel", "five")

    expect(lab.card("layers[1]").locator(":scope > .layer-message")).to_contain_text(
        'Kernel: type one whole number, or two (rows, cols) like "3, 5".'
    )
    expect(lab.page.locator("#stack-error")).to_be_visible()


def test_layers_can_be_added_moved_and_removed(lab: ArchitectureLab) -> None:
    page = lab.page
    page.select_option("#add-layer-type", "Dense")
    page.click("#add-layer")
    expect(lab.total()).to_have_text(count(61_706 + 10 * 10 + 10))
    expect(lab.card("layers[9]")).to_have_attribute("data-type", "Dense")

    page.select_option("#add-layer-type", "Dropout")
    page.click("#add-layer")
    expect(lab.card("layers[10]")).to_have_attribute("data-type", "Dropout")
    # Keyboard: the focus stays on the moved layer's button, so it can keep moving.
    up = lab.card("layers[10]").locator("[data-action=up]")
    up.focus()
    page.keyboard.press("Enter")
    expect(lab.card("layers[9]")).to_have_attribute("data-type", "Dropout")
    page.keyboard.press("Enter")
    expect(lab.card("layers[8]")).to_have_attribute("data-type", "Dropout")
    expect(lab.row("layers[8]")).to_contain_text("Dropout")
    expect(lab.total()).to_have_text(count(61_706 + 110))

    lab.card("layers[8]").locator("[data-action=remove]").click()
    lab.card("layers[9]").locator("[data-action=remove]").click()
    expect(lab.total()).to_have_text("61,706")
    expect(page.locator("#stack-list > li")).to_have_count(8)


def test_a_residual_block_s_shortcut_can_be_edited_and_must_match(lab: ArchitectureLab) -> None:
    page = lab.page
    page.select_option("#preset-select", "resnet50")
    expect(lab.total()).to_have_text("25,636,712")
    block = lab.card("layers[7]")  # conv2_block1_add: main path and a 1x1 projection
    page.locator('.stage-group[data-stage="conv2"] > details > summary').click()
    block.locator(":scope > details > summary").click()
    lab.set_field("layers[7].branches[1][0]", "Filters", "128")

    error = page.locator("#stack-error")
    expect(error).to_contain_text('layers[7] "conv2_block1_add" (Add): its branches end in')
    expect(error).to_contain_text("branch 0 gives 56x56x256, branch 1 gives 56x56x128")
    expect(block).to_have_class(re.compile("has-error"))


def test_the_layer_menu_and_fields_are_built_from_the_api(page: Page) -> None:
    """Nothing about the layer types is written in the page: change the API's answer, and the
    menu and the fields change with it."""

    def altered(route: Route) -> None:
        catalogue = route.fetch().json()
        dense = next(t for t in catalogue["layer_types"] if t["type"] == "Dense")
        dense["about"] = "told by the API"
        dense["fields"][0] |= {"label": "Neurons", "maximum": 77}
        route.fulfill(json=catalogue)

    page.route("**/api/architectures/layer-types", altered)
    lab = ArchitectureLab(page).open()
    types = lab.api("GET", "/api/architectures/layer-types")["layer_types"]

    options = page.locator("#add-layer-type option")
    expect(options).to_have_count(len(types) - 1)  # every type but the Input
    texts = options.all_text_contents()
    assert texts[0] == f"Conv2D: {types[1]['about']}"
    assert "Dense: told by the API" in texts
    assert "Input" not in " ".join(texts)
    fc1 = lab.card("layers[6]").locator(":scope > .params")
    expect(fc1.get_by_label("Neurons", exact=True)).to_have_attribute("max", "77")
    expect(fc1.get_by_label("Neurons", exact=True)).to_have_value("120")

    page.select_option("#add-layer-type", "Dropout")
    page.click("#add-layer")
    rate = lab.card("layers[9]").locator(":scope > .params").get_by_label("Rate", exact=True)
    expect(rate).to_have_value("0.5")  # the API's example for a new Dropout
    expect(rate).to_have_attribute("max", "1")


def answer_for(lab: ArchitectureLab, location: str, kind: str) -> tuple[str, str]:
    """The right answer, from the API rather than the page, and the working shown for it."""
    layers = lab.api("GET", "/api/architectures/lenet5")["layers"]
    rows = lab.api("POST", "/api/architectures/summary", {"layers": layers})["layers"]
    row = next(r for r in rows if r["location"] == location)
    if kind == "shape":
        return " x ".join(map(str, row["output_shape"])), row["output_formula"]
    return count(row["params"]), row["params_formula"]


def test_the_quiz_checks_right_and_wrong_answers_and_shows_the_working(
    lab: ArchitectureLab,
) -> None:
    page = lab.page
    quiz = page.locator("#quiz")

    page.click("#quiz-ask")
    expect(quiz).to_have_attribute("data-state", "asking")
    location, kind = quiz.get_attribute("data-location"), quiz.get_attribute("data-kind")
    assert location and kind
    expect(lab.row(location).locator(".quiz-hidden .value")).to_have_text("?")
    expect(lab.card(location).locator(".layer-result")).to_contain_text("?")  # no peeking
    right, working = answer_for(lab, location, kind)
    page.fill("#quiz-answer", right)
    page.click("#quiz-check")
    expect(quiz).to_have_attribute("data-state", "right")
    expect(page.locator("#quiz-feedback")).to_contain_text("Right.")
    expect(page.locator("#quiz-feedback code")).to_have_text(working)
    expect(lab.row(location).locator(".quiz-hidden")).to_have_count(0)

    page.click("#quiz-ask")
    location, kind = quiz.get_attribute("data-location"), quiz.get_attribute("data-kind")
    assert location and kind
    right, working = answer_for(lab, location, kind)
    page.fill("#quiz-answer", "1 x 2 x 3 x 4" if kind == "shape" else "999999999")
    page.press("#quiz-answer", "Enter")
    expect(quiz).to_have_attribute("data-state", "wrong")
    expect(page.locator("#quiz-feedback")).to_contain_text(
        f"the answer is {right.replace(' x ', TIMES)}"
    )
    expect(page.locator("#quiz-feedback code")).to_have_text(working)
    expect(page.locator("#quiz-score")).to_have_text("1 of 2 right")


# Math.random answers from window.quizDraws while it holds values, so a test picks the question.
CHOOSE_QUESTION = """
const draw = Math.random;
window.quizDraws = [];
Math.random = () => (window.quizDraws.length ? window.quizDraws.shift() : draw());
"""

READABLE = """() => [
  document.body.innerText,
  ...[...document.querySelectorAll("[aria-label], [title]")].flatMap((node) =>
    [node.getAttribute("aria-label"), node.getAttribute("title")].filter(Boolean)),
  ...[...document.querySelectorAll("option")].map((option) => option.text),
].join("\\n")"""


def shape_text(shape: list[int]) -> str:
    return TIMES.join(map(str, shape))


@pytest.mark.parametrize(
    ("draws", "location", "kind"),
    [
        # 8 layers after the Input: 0.65 picks layers[6] (Dense 120), 0.1 asks its parameters.
        ([0.65, 0.1], "layers[6]", "params"),
        # 0.3 picks layers[3] (the second Conv2D), 0.9 asks its output shape.
        ([0.3, 0.9], "layers[3]", "shape"),
    ],
)
def test_an_open_quiz_question_is_not_given_away_anywhere_on_the_page(
    page: Page, draws: list[float], location: str, kind: str
) -> None:
    page.add_init_script(CHOOSE_QUESTION)
    lab = ArchitectureLab(page).open()
    preset = lab.api("GET", "/api/architectures/lenet5")
    rows = preset["summary"]["layers"]
    at = next(i for i, row in enumerate(rows) if row["location"] == location)
    row, next_row = rows[at], rows[at + 1]
    if kind == "params":
        answer = count(row["params"])
        # The total minus the visible rows, or the MACs (the weights times 1 for a Dense layer).
        giveaways = [
            answer,
            row["params_formula"],
            count(preset["total_params"]),
            count(row["macs"]),
            row["macs_formula"],
        ]
    else:
        answer = shape_text(row["output_shape"])
        # The next layer's working starts from the asked shape; so does this layer's MACs.
        giveaways = [
            answer,
            row["output_formula"],
            next_row["output_formula"],
            row["macs_formula"],
            f"Output\n{shape_text(preset['output_shape'])}",
            count(preset["total_params"]),
        ]

    page.evaluate("draws => { window.quizDraws = draws; }", draws)
    page.click("#quiz-ask")
    quiz = page.locator("#quiz")
    expect(quiz).to_have_attribute("data-state", "asking")
    expect(quiz).to_have_attribute("data-location", location)
    expect(quiz).to_have_attribute("data-kind", kind)
    expect(lab.row(location).locator(".quiz-hidden .value")).to_have_text("?")
    readable = page.evaluate(READABLE)
    assert [text for text in giveaways if text in readable] == []

    right, _ = answer_for(lab, location, kind)
    page.fill("#quiz-answer", right)
    page.click("#quiz-check")
    expect(quiz).to_have_attribute("data-state", "right")
    expect(lab.total()).to_have_text(count(preset["total_params"]))
    readable = page.evaluate(READABLE)
    assert [text for text in giveaways if text not in readable] == []


def test_the_comparison_lists_every_preset_and_loads_one(lab: ArchitectureLab) -> None:
    page = lab.page
    presets = lab.api("GET", "/api/architectures")
    table = page.locator("#compare-table")
    expect(table.locator("tbody tr")).to_have_count(len(presets))
    vgg = table.locator('tr[data-preset="vgg16"]')
    expect(vgg).to_contain_text("138,357,544")
    expect(vgg).to_contain_text("16")

    page.get_by_role("button", name="Load in the editor: GoogLeNet (Inception v1)").click()
    expect(lab.total()).to_have_text("6,998,552")
    expect(page.locator("#preset-select")).to_have_value("googlenet")


def test_laptop_and_phone_layouts_fit_the_screen(
    lab: ArchitectureLab, phone_page: Page, artifacts: Path
) -> None:
    page = lab.page
    overflow = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    assert page.evaluate(overflow) == 0
    page.screenshot(path=artifacts / "laptop-architectures.png")
    page.locator("#compare-heading").scroll_into_view_if_needed()
    page.locator(".compare").screenshot(path=artifacts / "laptop-architectures-compare.png")

    phone = ArchitectureLab(phone_page).open("resnet50")
    expect(phone.total()).to_have_text("25,636,712")
    phone_page.locator('.stage-group[data-stage="conv2"] > details > summary').click()
    phone.card("layers[7]").locator(":scope > details > summary").click()
    # The comparison is hidden while a quiz question is open: it carries the totals.
    phone_page.locator("#compare-table").screenshot(
        path=artifacts / "phone-architectures-compare.png"
    )
    phone_page.click("#quiz-ask")
    assert phone_page.evaluate(overflow) == 0
    phone_page.screenshot(path=artifacts / "phone-architectures.png", full_page=False)
    phone.card("layers[7]").screenshot(path=artifacts / "phone-architectures-block.png")


def test_input_height_zero_is_said_on_the_field_with_no_stale_totals(page: Page) -> None:
    ArchitectureLab(page).open()
    expect(page.locator("#status-line")).to_contain_text("parameters")
    page.fill("#input-height", "0")
    expect(page.locator("#arch-results")).to_have_attribute("data-status", "error")
    message = 'Height must be a whole number from 1 to 4096; got "0".'
    expect(page.locator(".input-card .layer-message")).to_have_text(message)
    expect(page.locator("#input-height")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#stack-error")).not_to_contain_text("body.layers")
    expect(page.locator("#status-line")).not_to_contain_text("parameters")
    expect(page.locator("#summary")).to_be_hidden()

    page.fill("#input-height", "28")
    page.wait_for_selector(READY)
    expect(page.locator("#status-line")).to_contain_text("61,706 parameters")
