"""The Architecture lab beyond its table: the stack kept in the address, deep presets folded by
stage, the glossary's definitions, and the parameter bars on a log scale."""

from __future__ import annotations

import json
import math
import re
from urllib.parse import parse_qs, quote, urlsplit

from playwright.sync_api import Page, expect

from .test_architecture_lab import TIMES, ArchitectureLab, count


def test_the_stack_is_kept_in_the_address_and_a_reload_or_a_link_restores_it(
    page: Page,
) -> None:
    lab = ArchitectureLab(page).open("alexnet")
    assert page.url.endswith("/architectures#alexnet")
    lab.set_field("layers[1]", "Strides", "2")
    layers = lab.api("GET", "/api/architectures/alexnet")["layers"]
    layers[1]["strides"] = 2
    expected = lab.api("POST", "/api/architectures/summary", {"layers": layers})["total_params"]
    expect(lab.total()).to_have_text(count(expected))
    page.wait_for_url(re.compile(r"\?stack=[A-Za-z0-9_-]+#alexnet$"))
    link = page.url

    # An open quiz question goes into the address (the question, never its answer), and a
    # reload asks it again with the table's answer still hidden.
    page.locator("#quiz-ask").click()
    quiz = page.locator("#quiz")
    expect(quiz).to_have_attribute("data-state", "asking")
    asked = f"{quiz.get_attribute('data-location')}:{quiz.get_attribute('data-kind')}"
    page.wait_for_url(re.compile(r"[?&]ask="))
    query = parse_qs(urlsplit(page.url).query)
    assert query["ask"] == [asked] and query["stack"] == parse_qs(urlsplit(link).query)["stack"]
    page.reload()
    expect(quiz).to_have_attribute("data-state", "asking")
    assert f"{quiz.get_attribute('data-location')}:{quiz.get_attribute('data-kind')}" == asked
    expect(page.locator(".quiz-hidden .value")).to_have_text("?")
    expect(lab.total()).to_have_text("hidden")

    # A new tab opening the link gets the edited AlexNet back, marked as edited.
    other = page.context.new_page()
    other.goto(link)
    expect(other.locator("body")).to_have_attribute("data-ready", "true")
    expect(other.locator("#arch-results")).to_have_attribute("data-status", "ready")
    expect(other.locator("#total-params")).to_have_text(count(expected))
    expect(other.locator("#preset-select")).to_have_value("alexnet")
    expect(other.locator("#preset-edited")).to_be_visible()
    strides = other.locator('[data-location="layers[1]"] > .params').get_by_label("Strides")
    expect(strides).to_have_value("2")
    other.close()

    # Choosing a preset puts it back as shipped: its name alone.
    page.goto(link)
    expect(lab.total()).to_have_text(count(expected))
    page.select_option("#preset-select", "lenet5")
    expect(lab.total()).to_have_text("61,706")
    page.wait_for_url(re.compile(r"/architectures#lenet5$"))

    # A lesson can write the JSON itself; a broken code says so and shows a preset.
    small = [
        {"type": "Input", "shape": [28, 28, 1]},
        {"type": "Conv2D", "filters": 4, "kernel_size": 3},
        {"type": "Flatten"},
        {"type": "Dense", "units": 10},
    ]
    page.goto(f"/architectures?stack={quote(json.dumps(small))}")
    expect(page.locator("#arch-results")).to_have_attribute("data-status", "ready")
    expect(lab.total()).to_have_text(count(3 * 3 * 4 + 4 + 26 * 26 * 4 * 10 + 10))
    page.goto("/architectures?stack=not-a-stack")
    expect(page.locator("#stack-url-message")).to_contain_text("could not be read")
    expect(lab.total()).to_have_text("61,706")


def test_the_parameter_bars_are_on_a_log_scale(page: Page) -> None:
    lab = ArchitectureLab(page).open()
    presets = {p["name"]: p for p in lab.api("GET", "/api/architectures")}
    decades = math.ceil(math.log10(max(p["total_params"] for p in presets.values())))
    expect(page.locator("#param-scale-note")).to_contain_text("log scale")
    widths = {}
    for name in ("lenet5", "alexnet", "vgg16"):
        bar = page.locator(f'#compare-table tr[data-preset="{name}"] .share-bar')
        width, track = bar.evaluate("b => [b.offsetWidth, b.parentElement.clientWidth]")
        widths[name] = width
        share = math.log10(presets[name]["total_params"]) / decades
        assert abs(width - share * track) <= 1, (name, width, track, share)
    # LeNet's 61,706 against AlexNet's 62 million: 4.8 against 7.8 decades, not 1 against 1000.
    ratio = math.log10(presets["lenet5"]["total_params"]) / math.log10(
        presets["alexnet"]["total_params"]
    )
    assert abs(widths["lenet5"] / widths["alexnet"] - ratio) < 0.02


def test_a_deep_preset_is_folded_by_stage_and_each_stage_sums_its_layers(page: Page) -> None:
    lab = ArchitectureLab(page).open("resnet50")
    rows = lab.api("GET", "/api/architectures/resnet50")["summary"]["layers"]

    def top(location: str) -> int:
        return int(re.match(r"layers\[(\d+)\]", location).group(1))  # type: ignore[union-attr]

    stages = page.locator("#stack-list > .stage-group")
    names = stages.evaluate_all("gs => gs.map(g => g.dataset.stage)")
    assert names == ["conv1", "pool1", "conv2", "conv3", "conv4", "conv5"]
    for stage in stages.all():
        first, last = (top(str(stage.get_attribute(k))) for k in ("data-first", "data-last"))
        inside = [
            r for r in rows if r["location"] != "layers[0]" and first <= top(r["location"]) <= last
        ]
        params = sum(r["params"] for r in inside)
        shape = next(r for r in inside if r["location"] == f"layers[{last}]")["output_shape"]
        expect(stage).to_have_attribute("data-params", str(params))
        expect(stage.locator(".stage-result")).to_have_text(
            f"{len(inside)} layers → {TIMES.join(map(str, shape))} · {count(params)} params"
        )
        expect(stage.locator(".layer-card").first).to_be_hidden()  # folded
    # The stages' parameters and the layers outside them add up to the total.
    outside = page.locator("#stack-list > .layer-card").count()
    assert outside == 2  # avg_pool and predictions

    # Opened from the keyboard, a stage's cards can be edited and its sum follows.
    conv5 = page.locator('.stage-group[data-stage="conv5"]')
    conv5.locator(":scope > details > summary").focus()
    page.keyboard.press("Enter")
    block = lab.card("layers[37]")  # conv5_block3_add
    block.locator(":scope > details > summary").click()
    lab.set_field("layers[37].branches[0][0]", "Filters", "256")  # conv5_block3_1_conv 512 -> 256
    # 1x1 conv 2048 -> 256 and its batch norm, then the 3x3 conv sees 256 channels.
    saved = (2048 * 512 + 512 - (2048 * 256 + 256)) + (4 * 512 - 4 * 256) + 3 * 3 * 256 * 512
    before = int(str(conv5.get_attribute("data-params")))
    expect(conv5).to_have_attribute("data-params", str(before - saved))
    expect(lab.total()).to_have_text(count(25_636_712 - saved))

    # VGG16's five blocks, each its convolutions and its pooling.
    page.select_option("#preset-select", "vgg16")
    expect(lab.total()).to_have_text("138,357,544")
    blocks = page.locator("#stack-list > .stage-group")
    expect(blocks).to_have_count(5)
    expect(blocks.first).to_have_attribute("data-layers", "3")
    expect(blocks.first).to_have_attribute("data-params", str(1792 + 36928))


OPEN = "p => p.matches(':popover-open')"


def test_the_glossary_explains_each_word_by_click_keyboard_and_touch(
    page: Page, phone_page: Page
) -> None:
    ArchitectureLab(page).open()
    head = page.locator("#summary-table thead")
    macs = head.locator(".gloss-button[data-term=macs]")
    expect(macs).to_have_accessible_name('What "MACs" means')
    macs.click()
    panel = head.locator(".gloss-panel[data-term=macs]")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Multiply-accumulates")
    expect(panel.locator("code")).to_contain_text(
        TIMES.join(["out_h", "out_w", "kh", "kw", "in_channels", "filters"])
    )
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()

    # From the keyboard: Tab reaches each button, Enter opens it, Escape closes it.
    jump = head.locator(".gloss-button[data-term=jump]")
    jump.focus()
    page.keyboard.press("Enter")
    jump_panel = head.locator(".gloss-panel[data-term=jump]")
    expect(jump_panel).to_be_visible()
    assert jump_panel.evaluate(OPEN)
    expect(jump_panel).to_contain_text(f"jump = jump_before{TIMES}stride")
    # Opening another closes the first: one definition at a time.
    head.locator(".gloss-button[data-term=receptive_field]").click()
    expect(jump_panel).to_be_hidden()
    expect(head.locator(".gloss-panel[data-term=receptive_field]")).to_contain_text(
        f"rf = rf_before + (kernel \u2212 1){TIMES}jump_before"
    )
    for term in ("output", "params"):
        expect(head.locator(f".gloss-button[data-term={term}]")).to_have_count(1)
    size = macs.evaluate("b => [b.offsetWidth, b.offsetHeight]")
    assert min(size) >= 24, size

    # On a phone the table's head is hidden; the totals carry the same buttons, opened by a tap.
    ArchitectureLab(phone_page).open()
    total = phone_page.locator(".totals .gloss-button[data-term=params]")
    total.tap()
    params = phone_page.locator(".totals .gloss-panel[data-term=params]")
    expect(params).to_be_visible()
    expect(params).to_contain_text("weights and biases")
    box = params.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
