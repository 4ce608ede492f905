"""The numbers half of the Kernel lab: a 6x6 grid, a window that steps, pooling with argmax."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import FilePayload, Page, expect

from tests.worked_examples import BINARY_6X6, BLUR_3X3

from .lab import KernelLab, dims


def block(top: int, left: int, size: int = 3) -> list[tuple[int, int]]:
    return [(top + r, left + c) for r in range(size) for c in range(size)]


def test_example_grid_gives_the_textbook_first_row(
    numbers_lab: KernelLab, page: Page, artifacts: Path
) -> None:
    lab = numbers_lab
    assert lab.numbers_row("numbers-input", 0) == ["1", "0", "1", "1", "0", "1"]
    assert lab.numbers_row("numbers-output", 0) == ["0.56", "0.57", "0.57", "0.56"]
    expect(page.locator("#numbers-output-shape")).to_have_text(dims(4, 4))
    assert lab.window_cells() == block(0, 0)
    blocks = lab.trace_blocks()
    assert len(blocks) == 1
    assert abs(sum(blocks[0]["products"]) - blocks[0]["sums"][0]) < 1e-9
    assert blocks[0]["results"] == [0.56]
    page.screenshot(path=artifacts / "laptop-numbers.png", full_page=True)


def test_step_back_and_reset_slide_the_window(numbers_lab: KernelLab, page: Page) -> None:
    lab = numbers_lab
    result = page.locator("#numbers-result")
    expect(page.locator("#numbers-back")).to_be_disabled()
    page.click("#numbers-step")
    expect(result).to_have_attribute("data-position", "0,1")
    assert lab.window_cells() == block(0, 1)
    expect(page.locator("#numbers-output td.is-current")).to_have_attribute("data-c", "1")
    expect(page.locator("#numbers-trace [data-role=result]")).to_have_text("0.57")
    for _ in range(3):
        page.click("#numbers-step")
    expect(result).to_have_attribute("data-position", "1,0")  # wrapped onto the next row
    assert lab.window_cells() == block(1, 0)
    page.click("#numbers-back")
    expect(result).to_have_attribute("data-position", "0,3")
    page.click("#numbers-reset")
    expect(result).to_have_attribute("data-position", "0,0")
    page.click("#numbers-output td[data-r='3'][data-c='3'] button")
    expect(result).to_have_attribute("data-position", "3,3")
    expect(page.locator("#numbers-step")).to_be_disabled()


def test_fill_in_mode_reveals_the_output_as_the_window_steps(
    numbers_lab: KernelLab, page: Page
) -> None:
    lab = numbers_lab
    page.check("#numbers-reveal")
    assert lab.numbers_row("numbers-output", 0) == ["0.56", "", "", ""]
    page.click("#numbers-step")
    expect(page.locator("#numbers-result")).to_have_attribute("data-position", "0,1")
    assert lab.numbers_row("numbers-output", 0) == ["0.56", "0.57", "", ""]


def test_editing_an_input_cell_and_padding_update_the_output(
    numbers_lab: KernelLab, page: Page
) -> None:
    lab = numbers_lab
    page.fill("#numbers-input td[data-r='0'][data-c='1'] input", "1")
    expect(page.locator("#numbers-output td[data-r='0'][data-c='0']")).to_have_text("0.69")
    lab.set_padding("same", prefix="numbers")
    expect(page.locator("#numbers-output-shape")).to_have_text(dims(6, 6))
    expect(page.locator("#numbers-input td.is-pad").first).to_be_visible()
    assert lab.window_cells() == block(-1, -1)
    lab.set_stride(2, prefix="numbers")
    expect(page.locator("#numbers-output-shape")).to_have_text(dims(3, 3))


def test_max_pooling_the_output_marks_the_winning_cells(numbers_lab: KernelLab, page: Page) -> None:
    lab = numbers_lab
    page.click("#numbers-pool [data-action=pool]")
    expect(page.locator("#numbers-pooled-shape")).to_have_text(dims(2, 2))
    output = page.request.post(
        "/api/convolve/matrix", data={"input": BINARY_6X6, "kernel": BLUR_3X3}
    ).json()["output"]
    truth = page.request.post("/api/pool/matrix", data={"input": output, "pool_size": 2}).json()
    winners = sorted(tuple(cell) for row in truth["argmax"] for cell in row)
    shown = sorted(
        (int(td.get_attribute("data-r") or -1), int(td.get_attribute("data-c") or -1))
        for td in page.locator("#numbers-output td.is-winner").all()
    )
    assert shown == winners
    assert lab.numbers_row("numbers-pooled", 0) == ["0.82", "0.82"]
    page.select_option("#numbers-pool-mode", "average")
    expect(page.locator("#numbers-output td.is-winner")).to_have_count(0)


def test_an_image_tab_error_does_not_hang_over_the_numbers_tab(lab: KernelLab, page: Page) -> None:
    lab.wait_result()
    text: FilePayload = {"name": "README.md", "mimeType": "text/markdown", "buffer": b"# hi\n"}
    page.set_input_files("#image-upload", files=[text])
    error = page.locator("#error-box")
    expect(error).to_be_visible()
    lab.open_numbers()
    expect(error).to_be_hidden()
    expect(page.locator("#status-line")).not_to_contain_text("Something went wrong")
    page.click("#tab-image")  # the image tab still has its error
    expect(error).to_be_visible()


def test_filling_in_step_by_step_shows_no_pooled_value_before_its_window(
    numbers_lab: KernelLab, page: Page
) -> None:
    page.check("#numbers-reveal")
    page.click("#numbers-pool [data-action=pool]")
    expect(page.locator("#numbers-pool-result")).to_be_visible()
    pooled = page.locator("#numbers-pooled td")
    expect(pooled).to_have_count(4)  # 4 x 4 output, 2 x 2 max pool
    # At the first position only output (0, 0) is computed: no window is complete yet.
    assert pooled.evaluate_all("tds => tds.map(td => td.dataset.value)") == ["", "", "", ""]
    expect(page.locator("#numbers-output td.is-winner")).to_have_count(0)

    for _ in range(5):  # to output (1, 1): the first 2 x 2 window is complete
        page.click("#numbers-step")
    expect(page.locator("#numbers-result")).to_have_attribute("data-position", "1,1")
    expect(pooled.first).not_to_have_attribute("data-value", "")
    assert pooled.evaluate_all("tds => tds.slice(1).map(td => td.dataset.value)") == ["", "", ""]
    winners = page.locator("#numbers-output td.is-winner")
    expect(winners).to_have_count(1)
    assert winners.get_attribute("data-value") == pooled.first.get_attribute("data-value")
