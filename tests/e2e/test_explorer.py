"""The Network explorer: one digit through a trained model, layer by layer, checked against the
API's own numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from .digit_pages import ONE, DrawPage, Explorer, api_post, digit_png, horizontal_overflow
from .lab import KernelLab

DIGIT = "mnist-test-00000"  # a 7
TOLERANCE = 1e-6


def activations(page: Page, model: str = "lenet5") -> dict[str, Any]:
    return api_post(page, f"/api/models/{model}/activations", digit_png(DIGIT))


def test_every_layer_shows_one_tile_per_channel_and_hovered_values_match_the_api(
    page: Page, artifacts: Path
) -> None:
    explorer = Explorer(page).open()
    explorer.choose_digit(DIGIT)
    answer = activations(page)
    maps_layers = [layer for layer in answer["layers"] if layer["kind"] == "maps"]
    assert maps_layers
    for layer in maps_layers:
        tiles = explorer.layer(layer["name"]).locator(".map-tile")
        expect(tiles).to_have_count(layer["shape"][2])

    conv1 = next(layer for layer in maps_layers if layer["name"] == "conv1")
    rows, cols, _ = conv1["shape"]
    for channel, row, col in [(2, 10, 12), (5, 20, 14), (0, 3, 3)]:
        canvas = explorer.layer("conv1").locator(f".map-tile[data-channel='{channel}'] canvas")
        explorer.hover_cell(canvas, row, col, rows, cols)
        shown = explorer.readout("conv1")
        assert (int(shown["channel"]), int(shown["row"]), int(shown["col"])) == (channel, row, col)
        assert abs(float(shown["value"]) - conv1["maps"][channel][row][col]) < TOLERANCE

    fc1 = next(layer for layer in answer["layers"] if layer["name"] == "fc1")
    bars = explorer.layer("fc1").locator("canvas")
    bars.scroll_into_view_if_needed()
    box = bars.bounding_box()
    assert box
    unit = max(range(len(fc1["values"])), key=lambda i: fc1["values"][i])
    page.mouse.move(
        box["x"] + (unit + 0.5) * box["width"] / len(fc1["values"]), box["y"] + box["height"] - 2
    )
    shown = explorer.readout("fc1")
    assert int(shown["unit"]) == unit
    assert abs(float(shown["value"]) - fc1["values"][unit]) < TOLERANCE

    output = explorer.layer("output").locator(".prob-row")
    expect(output).to_have_count(10)
    expect(explorer.layer("output").locator(".prob-row.is-top")).to_have_attribute(
        "data-label", answer["label"]
    )
    page.screenshot(path=artifacts / "laptop-explorer.png", full_page=True)


def test_summary_table_rows_and_total_match_the_model(page: Page) -> None:
    explorer = Explorer(page).open()
    explorer.choose_digit(DIGIT)
    detail = page.request.get("/api/models/lenet5").json()
    expect(page.locator(".summary-table tr").nth(1)).to_contain_text(
        "28 \N{MULTIPLICATION SIGN} 28 grey pixels, 0 (black) to 1 (white)"
    )
    expect(page.locator("#summary-total")).to_have_attribute(
        "data-value", str(detail["total_params"])
    )
    for row in detail["summary"]:
        table_row = page.locator(f".summary-table tr[data-layer='{row['name']}']")
        expect(table_row).to_contain_text(row["params_formula"])
        if row["output_formula"]:
            expect(table_row).to_contain_text(row["output_formula"])
    shown = page.locator(".summary-table [data-role=params]").evaluate_all(
        "cells => cells.map(c => Number(c.dataset.value))"
    )
    assert sum(shown) == detail["total_params"]


def test_clicking_a_map_enlarges_it_and_escape_closes_it(page: Page, artifacts: Path) -> None:
    explorer = Explorer(page).open()
    explorer.choose_digit(DIGIT)
    answer = activations(page)
    pool1 = next(layer for layer in answer["layers"] if layer["name"] == "pool1")
    tile = explorer.layer("pool1").locator(".map-tile[data-channel='3']")
    tile.click()
    dialog = page.locator("dialog.map-dialog")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog).to_have_attribute("data-channel", "3")
    canvas = dialog.locator("canvas")
    box = canvas.bounding_box()
    assert box and box["width"] > 300
    rows, cols, _ = pool1["shape"]
    explorer.hover_cell(canvas, 7, 6, rows, cols)
    readout = dialog.locator("[data-role=readout]")
    expect(readout).to_have_attribute("data-row", "7")
    value = float(readout.get_attribute("data-value") or "nan")
    assert abs(value - pool1["maps"][3][7][6]) < TOLERANCE
    page.keyboard.press("ArrowDown")  # the keyboard reads values too
    expect(readout).to_have_attribute("data-row", "8")
    page.screenshot(path=artifacts / "laptop-explorer-dialog.png")
    page.keyboard.press("Escape")
    expect(dialog).not_to_have_attribute("open", "")
    expect(tile).to_be_focused()


def test_apply_in_the_kernel_lab_loads_the_filter_weights(page: Page, artifacts: Path) -> None:
    explorer = Explorer(page).open()
    explorer.choose_digit(DIGIT)
    filters = page.request.get("/api/models/lenet5/filters?layer=conv1").json()
    weights = filters["kernels"][3][0]
    page.locator(".filter-tile[data-filter='3'] a", has_text="Apply in the Kernel lab").click()
    page.wait_for_url("**/#kernel=*")
    lab = KernelLab(page)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    lab.wait_result(kernel="custom")
    rows = len(weights)
    shown = [lab.numbers_row("image-kernel", r) for r in range(rows)]

    def as_shown(value: float) -> str:
        rounded = round(value, 3) + 0.0
        text = f"{rounded:.3f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text

    assert shown == [[as_shown(w) for w in row] for row in weights]
    expect(page.locator(".kernel-explanation").first).to_contain_text("LeNet-5 conv1 filter 3")
    expect(page.locator("#image-summary")).to_contain_text("LeNet-5 conv1 filter 3")
    page.screenshot(path=artifacts / "laptop-kernel-lab-from-filter.png")


def test_a_drawing_and_another_model_run_through_the_network(page: Page) -> None:
    explorer = Explorer(page).open()
    explorer.choose_digit(DIGIT)
    DrawPage(page, pad="#explorer-pad").draw(ONE)
    explorer.wait("lenet5", "drawing")
    expect(explorer.layer("output").locator(".prob-row.is-top")).to_have_attribute(
        "data-label", "1"
    )
    expect(page.locator(".digit-list [aria-pressed=true]")).to_have_count(0)
    # The drawing goes on to another digit model; photo models (preprocessing "image") take
    # photos, not drawings, so the Explorer shows them with a photo instead.
    models = page.request.get("/api/models").json()
    other = next((m for m in models if m["id"] != "lenet5" and m["preprocessing"] == "digit"), None)
    if other is None:
        return
    page.click(f".model-card[data-model='{other['id']}']")
    explorer.wait(other["id"], "drawing")
    assert f"model={other['id']}" in page.url
    for layer in other["layers"]:
        expect(explorer.layer(layer)).to_have_count(1)
    detail = page.request.get(f"/api/models/{other['id']}").json()
    expect(page.locator("#summary-total")).to_have_attribute(
        "data-value", str(detail["total_params"])
    )


def test_phone_explorer_fits_the_screen(phone_page: Page, artifacts: Path) -> None:
    page = phone_page
    explorer = Explorer(page).open()
    explorer.wait(
        "lenet5", page.locator(".digit-list [aria-pressed=true]").get_attribute("data-name") or ""
    )
    assert horizontal_overflow(page) == 0
    page.screenshot(path=artifacts / "phone-explorer.png", full_page=True)
    explorer.layer("conv1").locator(".map-tile").first.tap()
    expect(page.locator("dialog.map-dialog")).to_have_attribute("open", "")
    assert horizontal_overflow(page) == 0
    page.screenshot(path=artifacts / "phone-explorer-dialog.png")


def test_a_refused_upload_leaves_no_old_answer(page: Page) -> None:
    Explorer(page).open()
    page.wait_for_selector("#network[data-status=ready]")
    expect(page.locator("#network-answer")).to_contain_text("reads")
    page.set_input_files(
        "#explorer-upload",
        files=[{"name": "README.md", "mimeType": "text/markdown", "buffer": b"# hi\n"}],
    )
    expect(page.locator("#network")).to_have_attribute("data-status", "error")
    expect(page.locator("#network-answer")).to_have_text(
        "No answer: README.md could not be run through the network."
    )
    expect(page.locator("#network .layer")).to_have_count(0)
    expect(page.locator("#explorer-source [data-role=chosen]")).to_have_text(
        "Could not use your file README.md (1 KB): see the message above."
    )
