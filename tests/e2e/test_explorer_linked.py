"""The Network explorer beyond the pictures: a map and its filter light up together, a map cell
outlines its receptive field on the input, a click on a map shows how one of its values is
computed, softmax is worked through, and the page's state lives in its URL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
from playwright.sync_api import Locator, Page, expect

from .digit_pages import Explorer, api_post, digit_png

DIGIT = "mnist-test-00000"  # a 7, the page's first digit
SHOWN = 1e-3  # the page writes 3 decimals


def activations(page: Page, model: str) -> dict[str, Any]:
    return api_post(page, f"/api/models/{model}/activations", digit_png(DIGIT))


def opened(page: Page, query: str = "model=lenet5") -> Explorer:
    page.goto(f"/explorer?{query}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.wait_for_selector("#network[data-status=ready]")
    return Explorer(page)


def field(page: Page) -> tuple[int, ...]:
    box = page.locator("[data-role=input-field]")
    expect(box).to_be_visible()
    data: dict[str, str] = box.evaluate("n => ({...n.dataset})")
    return tuple(int(data[key]) for key in ("top", "bottom", "left", "right"))


def point_at(page: Page, target: Locator, row: int, col: int, rows: int, cols: int) -> None:
    """The pointer on a cell, the picture first scrolled to the middle of the window (where the
    sticky bar at the top cannot cover it). Playwright's hover waits until the picture has stopped
    moving (the sticky bar settles after a scroll) and checks that the cell gets the pointer."""
    target.evaluate("node => node.scrollIntoView({ block: 'center' })")
    box = target.bounding_box()
    assert box
    at = {"x": (col + 0.5) * box["width"] / cols, "y": (row + 0.5) * box["height"] / rows}
    target.hover(position=at)


def conv_value(
    inputs: np.ndarray, kernels: np.ndarray, bias: float, row: int, col: int, pad: int
) -> float:
    """Keras' Conv2D at one output cell, stride 1: inputs (C, H, W), kernels (C, kh, kw)."""
    padded = np.pad(inputs, ((0, 0), (pad, pad), (pad, pad)))
    kh, kw = kernels.shape[1:]
    window = padded[:, row : row + kh, col : col + kw]
    return float((window * kernels).sum() + bias)


def test_a_map_and_its_filter_light_up_together_and_a_cell_outlines_its_receptive_field(
    page: Page,
) -> None:
    explorer = opened(page)
    conv2 = explorer.layer("conv2")
    conv2.locator(".map-tile[data-channel='3']").hover()
    expect(conv2.locator(".filter-tile.is-linked")).to_have_attribute("data-filter", "3")
    expect(conv2.locator(".map-tile.is-linked")).to_have_count(1)
    conv2.locator(".filter-tile[data-filter='7']").hover()
    expect(conv2.locator(".map-tile.is-linked")).to_have_attribute("data-channel", "7")
    conv1 = explorer.layer("conv1")
    conv1.locator(".map-tile[data-channel='4']").focus()  # the keyboard links them too
    expect(conv1.locator(".filter-tile.is-linked")).to_have_attribute("data-filter", "4")
    conv1.locator(".filter-tile[data-filter='2'] a").focus()
    expect(conv1.locator(".map-tile.is-linked")).to_have_attribute("data-channel", "2")

    # LeNet-5: conv1 5x5 "same" (2 zeros padded before), pool1 2x2 stride 2, conv2 5x5 "valid".
    # conv2 row 0 reads pool1 rows 0..4, which read conv1 rows 0..9, which read input rows
    # 0-2..9-2+4 = -2..11: on the picture, 0..11. Row 9: pool1 9..13, conv1 18..27, input 16..29.
    canvas = conv2.locator(".map-tile[data-channel='3'] canvas")
    point_at(page, canvas, 0, 0, 10, 10)
    assert field(page) == (0, 11, 0, 11)
    point_at(page, canvas, 9, 4, 10, 10)
    assert field(page) == (16, 27, 6, 19)
    # The small input in the sticky bar shows the same field while deep layers scroll by.
    bar = page.locator("[data-role=bar-field]")
    expect(bar).to_have_attribute("data-top", "16")
    expect(bar).to_have_attribute("data-right", "19")
    dash = "\N{EN DASH}"
    words = f"depends on input rows 16{dash}27, columns 6{dash}19"
    assert words in explorer.readout("conv2")["text"]
    point_at(page, explorer.layer("pool2").locator(".map-tile canvas").first, 0, 0, 5, 5)
    # pool2 row 0: conv2 rows 0..1, pool1 0..5, conv1 0..11, input -2..13.
    assert field(page) == (0, 13, 0, 13)

    # The arithmetic on its own, for the hand-worked case with "valid" padding everywhere.
    rows = page.evaluate(
        """async () => {
          const { fieldOf } = await import("/static/js/explorer/receptive_field.js");
          const conv = (name, size) => ({ name, type: "Conv2D", input_shape: [size, size, 1],
            output_shape: [0, 0, 1],
            config: { kernel_size: [5, 5], strides: [1, 1], padding: "valid" } });
          const pool = { name: "pool1", type: "MaxPooling2D", input_shape: [24, 24, 6],
            output_shape: [12, 12, 6],
            config: { pool_size: [2, 2], strides: [2, 2], padding: "valid" } };
          const stack = [conv("conv1", 28), pool, conv("conv2", 12)];
          const f = fieldOf(stack, "conv2", 0, 0, [28, 28]);
          return [f.top, f.bottom, f.left, f.right];
        }"""
    )
    assert rows == [0, 13, 0, 13]


def test_a_conv_maps_value_is_the_shown_sum_step_by_step_and_a_reload_reopens_it(
    page: Page, artifacts: Path
) -> None:
    explorer = opened(page)
    answer = activations(page, "lenet5")
    layers = {layer["name"]: layer for layer in answer["layers"]}
    filters = page.request.get("/api/models/lenet5/filters?layer=conv2").json()
    kernels = np.array(filters["kernels"])  # (filters, channels, kh, kw)
    pool1 = np.array(layers["pool1"]["maps"])  # (channels, 14, 14)

    explorer.layer("conv2").locator(".map-tile[data-channel='5']").click()
    dialog = page.locator("dialog.map-dialog")
    expect(dialog).to_have_attribute("data-channel", "5")
    explorer.hover_cell(dialog.locator("canvas.map-dialog-canvas"), 6, 3, 10, 10)
    page.mouse.down()  # selects the cell
    page.mouse.up()
    expect(dialog).to_have_attribute("data-row", "6")
    expect(dialog).to_have_attribute("data-col", "3")
    summary = dialog.locator("[data-role=calc-summary]")
    total = float(summary.get_attribute("data-total") or "nan")
    expected = conv_value(pool1, kernels[5], filters["bias"][5], 6, 3, pad=0)
    assert abs(total - expected) < 1e-4
    shown_value = float(summary.get_attribute("data-value") or "nan")
    assert abs(shown_value - layers["conv2"]["maps"][5][6][3]) < 1e-4
    assert abs(max(expected, 0.0) - layers["conv2"]["maps"][5][6][3]) < 1e-4

    # Step through with the keyboard: six window sums, the bias, then ReLU.
    calc = dialog.locator("[data-role=calc]")
    expect(calc).to_have_attribute("data-steps", "8")
    step = calc.locator(".calc-step")
    sums = []
    next_step = calc.locator("[data-role=calc-next]")
    next_step.focus()
    for channel in range(6):
        expect(step).to_have_attribute("data-step", str(channel))
        expect(step.locator("canvas.calc-map")).to_have_attribute(
            "aria-label", f"The window on pool1 map {channel}"
        )
        sums.append(float(step.locator(".calc-sum").get_attribute("data-value") or "nan"))
        page.keyboard.press("Enter")
    for channel, value in enumerate(sums):
        alone = conv_value(
            pool1[channel : channel + 1], kernels[5][channel : channel + 1], 0, 6, 3, 0
        )
        assert abs(value - alone) < 1e-4
    expect(step).to_have_attribute("data-kind", "bias")
    pre = float(step.locator("[data-role=pre-activation]").get_attribute("data-value") or "nan")
    assert abs(pre - (sum(sums) + filters["bias"][5])) < 1e-5
    page.keyboard.press("Enter")
    expect(step).to_have_attribute("data-kind", "activation")
    value_text = step.locator("[data-role=calc-value] strong").inner_text()
    assert abs(float(value_text) - layers["conv2"]["maps"][5][6][3]) <= SHOWN / 2 + 1e-9
    # The map's filter is marked as chosen, and the cell's field is on the input copy.
    expect(explorer.layer("conv2").locator(".filter-tile.is-selected")).to_have_attribute(
        "data-filter", "5"
    )
    expect(dialog.locator("[data-role=detail-field]")).to_have_attribute("data-top", "10")
    page.screenshot(path=artifacts / "laptop-explorer-calculation.png")
    assert "layer=conv2" in page.url and "map=5" in page.url and "px=6%2C3" in page.url

    # The first layer reads the model input itself, zero-padded ("same").
    page.keyboard.press("Escape")
    expect(dialog).not_to_have_attribute("open", "")
    expect(page).to_have_url(re.compile(r"^(?!.*px=).*layer=conv2&map=5"))  # the cell is let go
    page.goto(page.url.replace("map=5", "map=2").replace("layer=conv2", "layer=conv1") + "&px=0,1")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog).to_have_attribute("data-layer", "conv1")
    expect(dialog).to_have_attribute("data-channel", "2")
    expect(dialog).to_have_attribute("data-col", "1")
    conv1 = page.request.get("/api/models/lenet5/filters?layer=conv1").json()
    image = np.array(answer["model_input"], dtype=float).reshape(1, 28, 28)
    expected = conv_value(image, np.array(conv1["kernels"][2]), conv1["bias"][2], 0, 1, pad=2)
    total = float(dialog.locator("[data-role=calc-summary]").get_attribute("data-total") or "nan")
    assert abs(total - expected) < 1e-4
    expect(dialog.locator(".calc-grid td.is-pad").first).to_be_visible()
    expect(explorer.layer("conv1").locator(".map-tile.is-selected")).to_have_attribute(
        "data-channel", "2"
    )


def tile_rgb(tile: Locator, row: int, col: int) -> list[int]:
    rgb: list[int] = tile.locator("canvas").evaluate(
        "(c, [r, k]) => Array.from(c.getContext('2d').getImageData(k, r, 1, 1).data.slice(0, 3))",
        [row, col],
    )
    return rgb


def test_per_map_colours_softmax_and_a_paged_filter_bank_survive_a_reload(page: Page) -> None:
    model = "mnist-cnn"
    explorer = opened(page, f"model={model}&digit={DIGIT}")
    answer = activations(page, model)
    conv2 = next(layer for layer in answer["layers"] if layer["name"] == "conv2")
    maps = np.array(conv2["maps"])
    # A map whose largest value is well below the layer's: dark blue only on its own scale.
    channel = int(np.argmin([m.max() if m.max() > 0 else np.inf for m in maps]))
    row, col = np.unravel_index(int(maps[channel].argmax()), maps[channel].shape)
    tile = explorer.layer("conv2").locator(f".map-tile[data-channel='{channel}']")
    darkest = [8, 48, 107]  # the sequential scale's top colour
    assert tile_rgb(tile, int(row), int(col)) != darkest
    per_map = page.locator("input[name=map-scale][value=map]")
    per_map.check()
    expect(page.locator("#network")).to_have_attribute("data-scale", "map")
    assert "scale=map" in page.url
    assert tile_rgb(tile, int(row), int(col)) == darkest
    expect(explorer.layer("conv2").locator("[data-scale=map] .legend")).to_contain_text(
        "one scale per map"
    )

    # The 64 filters of 3 x 3 x 32: a page of 16 at a time, zoomable; choosing map 40 turns
    # the bank to the page that holds filter 40.
    bank = explorer.layer("conv2").locator("[data-role=filter-bank]")
    expect(bank.locator(".filter-tile")).to_have_count(16)
    explorer.layer("conv2").get_by_role("button", name="Next filters").click()
    expect(bank.locator(".filter-tile").first).to_have_attribute("data-filter", "16")
    width = bank.locator("canvas").first.bounding_box()
    explorer.layer("conv2").get_by_role("button", name="Zoom in").click()
    wider = bank.locator("canvas").first.bounding_box()
    assert width and wider and wider["width"] > width["width"]
    explorer.layer("conv2").locator(".map-tile[data-channel='40']").click()
    page.keyboard.press("Escape")
    expect(bank.locator(".filter-tile.is-selected")).to_have_attribute("data-filter", "40")

    # Softmax from the probabilities: e^(z - z_top) adds up to 1 / p_top, and each row's
    # share is its probability.
    output = explorer.layer("output")
    output.locator(".softmax summary").click()
    probabilities = answer["probabilities"]
    total = float(output.locator("[data-role=softmax-sum]").get_attribute("data-value") or "nan")
    assert abs(total - 1 / max(probabilities)) < 1e-6 * total
    shares = output.locator(".softmax tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.label, Number(r.dataset.probability)])"
    )
    for label, share in shares:
        assert abs(share - probabilities[answer["classes"].index(label)]) < 1e-6  # float32 sums

    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("#network")).to_have_attribute("data-scale", "map")
    expect(per_map).to_be_checked()
    expect(page.locator(f".digit-list .sample-card[data-name='{DIGIT}']")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(explorer.layer("conv2").locator(".map-tile.is-selected")).to_have_attribute(
        "data-channel", "40"
    )
    expect(bank.locator(".filter-tile.is-selected")).to_have_attribute("data-filter", "40")
