"""The image half of the Kernel lab, driven in Chromium against the real API."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import FilePayload, Page, Route, expect

from .conftest import ROOT
from .lab import KernelLab, dims, size_text

SAMPLES = ROOT / "static" / "samples"


def api_convolve(page: Page, sample: str, **fields: str) -> dict[str, Any]:
    """What /api/convolve itself answers for a sample file and form fields."""
    path = SAMPLES / sample
    response = page.request.post(
        "/api/convolve",
        multipart={
            "image": {"name": path.name, "mimeType": "image/png", "buffer": path.read_bytes()},
            **fields,
        },
    )
    assert response.ok, response.text()
    return response.json()  # type: ignore[no-any-return]


def test_page_lists_samples_with_licences_and_every_preset(lab: KernelLab, page: Page) -> None:
    samples = page.request.get("/api/samples").json()
    presets = page.request.get("/api/kernels").json()
    cards = page.locator(".sample-card")
    expect(cards).to_have_count(len(samples))
    for sample in samples:
        card = page.locator(f".sample-card[data-name={sample['name']}]")
        expect(card).to_contain_text(sample["title"])
        expect(card).to_contain_text(sample["licence"])
    values = page.locator("#image-kernel-preset option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    assert values == ["", *[p["name"] for p in presets]]
    lab.wait_result(source=samples[0]["name"])


def test_two_presets_change_the_output_and_match_the_api_shape(lab: KernelLab, page: Page) -> None:
    lab.choose_sample("astronaut")
    lab.choose_preset("sharpen")
    sharpened = lab.canvas_signature()
    expected = api_convolve(page, "astronaut.png", kernel_name="sharpen")["output_shape"]
    assert lab.output_shape() == size_text(expected) == dims(510, 510)
    expect(page.locator(".kernel-explanation").first).to_contain_text("edges stand out")

    lab.choose_preset("gaussian_blur_5x5")
    assert lab.canvas_signature() != sharpened
    expected = api_convolve(page, "astronaut.png", kernel_name="gaussian_blur_5x5")["output_shape"]
    assert lab.output_shape() == size_text(expected) == dims(508, 508)


def test_grayscale_and_pixel_mapping_reach_the_api(lab: KernelLab, page: Page) -> None:
    lab.choose_sample("astronaut")
    expect(page.locator("#output-channels")).to_have_text("(3 channels)")
    page.check("input[name=color][value=gray]")
    expect(page.locator("#output-channels")).to_have_text("(1 channel)")
    page.check("input[name=mapping][value=rescale]")
    expected = api_convolve(
        page, "astronaut.png", kernel_name="sharpen", color="gray", mapping="rescale"
    )["pixel_map"]["description"]
    expect(page.locator("#pixel-map")).to_have_text(f"From values to pixels: {expected}")


def test_stride_and_padding_change_the_shown_output_size(lab: KernelLab, page: Page) -> None:
    lab.choose_sample("astronaut")
    lab.set_stride(2)
    lab.set_padding("same")
    expect(page.locator("#output-shape")).to_have_text(dims(256, 256))
    expect(page.locator("#image-size [data-axis=rows] code")).to_contain_text("= 256")
    expect(page.locator("#image-size .size-note")).to_have_count(0)

    lab.set_padding(2)
    expect(page.locator("#output-shape")).to_have_text(dims(257, 257))  # (512-3+4)//2+1

    lab.choose_sample("chelsea")  # 451 wide, 300 high
    lab.choose_preset("gaussian_blur_5x5")
    lab.set_padding("valid")
    expect(page.locator("#output-shape")).to_have_text(dims(148, 224))
    expect(page.locator("#image-size [data-axis=cols] code")).to_have_text(
        "(451 - 5 + 2*0) / 2 + 1 = 223 + 1 = 224"
    )
    note = page.locator("#image-size .size-note[data-axis=rows]")
    expected = api_convolve(
        page, "chelsea.png", kernel_name="gaussian_blur_5x5", strides="2", padding="valid"
    )["output_size"]["rows"]
    assert not expected["divides_evenly"]
    expect(note).to_contain_text(expected["explanation"])


def test_clicking_an_output_pixel_traces_its_multiply_and_sum(
    lab: KernelLab, page: Page, artifacts: Path
) -> None:
    lab.choose_sample("astronaut")
    lab.choose_preset("sobel_left")
    canvas = page.locator("#output-canvas")
    box = canvas.bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.2)
    expect(page.locator("#image-trace .trace-block")).to_have_count(3)  # hover, one per channel
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.3)
    expect(page.locator("#trace-summary")).to_contain_text("selected")
    expect(page.locator("#input-stage [data-role=window]")).to_be_visible()
    expect(page.locator("#output-stage [data-role=selected]")).to_be_visible()

    position = page.locator("#image-trace").get_attribute("data-position") or ""
    row, col = map(int, position.split(","))
    truth = api_convolve(page, "astronaut.png", kernel_name="sobel_left", trace=f"{row},{col}")
    blocks = lab.trace_blocks()
    assert len(blocks) == 3
    for block, channel in zip(blocks, truth["trace"]["channels"], strict=True):
        assert block["sums"] == [sum(block["products"])] == [channel["sum"]]
        assert abs(sum(block["shown"]) - block["sums"][0]) < 1e-6  # integers: nothing rounded
        assert block["results"] == [channel["output"]]
    expect(page.locator("#trace-summary")).to_contain_text(f"(row {row}, col {col})")
    # The page's default mapping clips, as a photo editor does.
    expect(page.locator("#trace-summary")).to_contain_text("values below 0 are shown as 0")
    page.screenshot(path=artifacts / "laptop-image-trace.png", full_page=True)


def test_arrow_keys_move_the_selected_pixel_and_enter_selects(lab: KernelLab, page: Page) -> None:
    lab.choose_sample("camera")
    page.focus("#output-canvas")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#image-trace")).to_have_attribute("data-position", "1,2")
    expect(page.locator("#trace-summary")).to_contain_text("(row 1, col 2), selected")
    expect(page.locator("#image-trace .trace-block")).to_have_count(1)  # a gray photo


def test_gradient_magnitude_trace_shows_gx_gy_and_the_magnitude(lab: KernelLab, page: Page) -> None:
    lab.choose_sample("camera")
    lab.choose_preset("sobel_magnitude")
    expect(page.locator(".kernel-gy").first).to_be_visible()
    page.focus("#output-canvas")
    page.keyboard.press("Enter")
    trace = page.locator("#image-trace")
    expect(trace.locator(".trace-row-title")).to_have_text(["Gx", "Gy"])
    expect(trace).to_contain_text("Magnitude √(Gx² + Gy²)")
    truth = api_convolve(page, "camera.png", kernel_name="sobel_magnitude", trace="0,0")
    shown = float(trace.locator("[data-role=result]").inner_text())
    magnitude = truth["trace"]["gradient"]["magnitude"][0]
    assert abs(shown - magnitude) < 1e-3

    page.fill("#image-bias", "10")  # the magnitude's bias comes after the square root
    expect(trace).to_contain_text("+ bias 10 =")
    shown = float(trace.locator("[data-role=result]").inner_text())
    assert abs(shown - (magnitude + 10)) < 1e-3


def test_editing_a_kernel_cell_switches_to_custom(lab: KernelLab, page: Page) -> None:
    lab.choose_sample("camera")
    page.select_option("#image-kernel-rows", "5")
    page.select_option("#image-kernel-cols", "5")
    expect(page.locator("#image-kernel-preset")).to_have_value("")
    lab.wait_result(kernel="custom")
    expect(page.locator("#output-shape")).to_have_text(dims(508, 508))
    page.select_option("#image-kernel-preset", "identity")
    lab.wait_result(kernel="identity")
    page.fill("#image-kernel td[data-r='1'][data-c='1'] input", "2")
    expect(page.locator("#image-kernel-preset")).to_have_value("")
    lab.wait_result(kernel="custom")


def test_pooling_shows_the_pooled_size_and_the_winning_pixels(
    lab: KernelLab, page: Page, artifacts: Path
) -> None:
    lab.choose_sample("camera")  # sharpen -> 510 x 510
    page.click("#image-pool [data-action=pool]")
    expect(page.locator("#pooled-shape")).to_have_text(dims(255, 255))
    expect(page.locator("#winners-canvas")).to_be_attached()
    size = page.evaluate(
        "[...['winners-canvas', 'output-canvas']].map(id => "
        "[document.getElementById(id).width, document.getElementById(id).height])"
    )
    assert size[0] == size[1] == [510, 510]
    page.select_option("#image-zoom", "4")
    expect(page.locator("#winners-canvas")).to_be_visible()
    stage = page.locator("#output-stage")
    assert stage.evaluate("s => s.getBoundingClientRect().width") == 510 * 4
    stage.locator("..").screenshot(path=artifacts / "laptop-winners-zoomed.png")
    page.fill("#image-pool-size", "3")
    expect(page.locator("#pooled-shape")).to_have_text(dims(170, 170))
    page.select_option("#image-pool-mode", "average")
    expect(page.locator("#pool-summary")).to_contain_text("Average pooling")
    expect(page.locator("#winners-canvas")).to_be_hidden()
    page.locator("#image-pool").screenshot(path=artifacts / "laptop-image-pool.png")


def _png_bytes(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_uploading_with_the_file_input_convolves_that_file(lab: KernelLab, page: Page) -> None:
    tiny: FilePayload = {"name": "tiny.png", "mimeType": "image/png", "buffer": _png_bytes(40, 30)}
    page.set_input_files("#image-upload", files=[tiny])
    lab.wait_result(source="upload")
    expect(page.locator("#output-shape")).to_have_text(dims(28, 38))
    # A file cannot travel in a link: the page says so where it offers the link.
    expect(page.locator("#image-share")).to_contain_text("not your own picture")
    expect(page.locator("#image-source [data-role=chosen]")).to_contain_text("tiny.png")
    expect(page.locator(".sample-card[aria-pressed=true]")).to_have_count(0)


def test_dropping_a_file_on_the_drop_zone_convolves_it(lab: KernelLab, page: Page) -> None:
    page.evaluate(
        """async (bytes) => {
            const file = new File([new Uint8Array(bytes)], "dropped.png", {type: "image/png"});
            const data = new DataTransfer();
            data.items.add(file);
            const zone = document.querySelector("[data-role=dropzone]");
            const init = {dataTransfer: data, bubbles: true, cancelable: true};
            zone.dispatchEvent(new DragEvent("dragover", init));
            zone.dispatchEvent(new DragEvent("drop", init));
        }""",
        list(_png_bytes(20, 10)),
    )
    lab.wait_result(source="upload")
    expect(page.locator("#output-shape")).to_have_text(dims(8, 18))


def test_a_file_dropped_while_the_default_sample_loads_is_not_replaced_by_it(page: Page) -> None:
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/static/samples/**", hold)
    lab = KernelLab(page).open()
    expect(page.locator("#image-source [data-role=chosen]")).to_contain_text("Chosen:")
    buffer = _png_bytes(20, 10)
    early: FilePayload = {"name": "early.png", "mimeType": "image/png", "buffer": buffer}
    page.set_input_files("#image-upload", files=[early])
    lab.wait_result(source="upload")
    for route in held:
        route.continue_()
    page.unroute("**/static/samples/**")  # also lets through any request held since
    page.wait_for_load_state("networkidle")
    lab.wait_result(source="upload")
    expect(page.locator("#output-shape")).to_have_text(dims(8, 18))
    expect(page.locator("#image-source [data-role=chosen]")).to_contain_text("early.png")


def test_uploading_a_text_file_shows_the_apis_message(lab: KernelLab, page: Page) -> None:
    lab.wait_result()
    text: FilePayload = {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not an image\n"}
    truth = page.request.post("/api/convolve", multipart={"image": text, "kernel_name": "identity"})
    assert truth.status == 415
    page.set_input_files("#image-upload", files=[text])
    error = page.locator("#error-box")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error.locator("[data-role=message]")).to_have_text(truth.json()["detail"])
    expect(page.locator("#image-result")).to_have_attribute("data-status", "error")


TEXT_FILE: FilePayload = {"name": "README.md", "mimeType": "text/markdown", "buffer": b"# hi\n"}


def test_image_kernels_are_clipped_as_a_photo_editor_shows_them_with_a_colour_bar(
    lab: KernelLab, page: Page
) -> None:
    lab.wait_result(source="camera", kernel="sharpen")
    expect(page.locator("input[name=mapping][value=clip]")).to_be_checked()
    clipped = api_convolve(page, "camera.png", kernel_name="sharpen", mapping="clip")
    expect(page.locator("#pixel-map")).to_have_text(
        f"From values to pixels: {clipped['pixel_map']['description']}"
    )
    legend = page.locator("#output-legend")
    expect(legend).to_have_attribute("data-mapping", "clip")
    expect(legend.locator(".legend-bar")).to_be_visible()
    expect(legend).to_contain_text("black at 0 or below, white at 255 or above")

    page.check("input[name=mapping][value=rescale]")  # the other mappings: one click away
    expect(legend).to_have_attribute("data-mapping", "rescale")
    expect(legend).to_contain_text("black at the lowest value -232, white at the highest 584")


def test_a_kernel_cell_that_is_not_a_number_is_said_on_the_grid(lab: KernelLab, page: Page) -> None:
    lab.wait_result()
    cell = page.locator("#image-kernel .kernel-grid input").nth(4)  # Sharpen's 5 in the middle
    cell.fill("abc")
    expect(page.locator("#image-result")).to_have_attribute("data-status", "invalid")
    message = page.locator("#image-kernel .field-message")
    expect(message).to_have_text('Kernel weight, row 1, column 1: "abc" is not a number; type one.')
    expect(cell).to_have_attribute("aria-invalid", "true")
    assert cell.evaluate("input => input.closest('td').style.background") == ""
    expect(page.locator("#image-summary")).to_contain_text("fix the field marked in red")
    expect(page.locator("#error-box")).to_be_hidden()

    cell.fill("4")
    lab.wait_result(kernel="custom")
    expect(message).to_have_count(0)


def test_stride_zero_is_said_on_the_field_not_in_an_error_box(lab: KernelLab, page: Page) -> None:
    lab.wait_result()
    lab.set_stride(0)
    expect(page.locator("#image-result")).to_have_attribute("data-status", "invalid")
    stride = page.locator("#image-stride")
    expect(stride).to_have_attribute("aria-invalid", "true")
    message = page.locator("#image-params .field-message")
    expect(message).to_have_text('Stride must be a whole number from 1 to 8; got "0".')
    expect(stride).to_have_attribute("aria-describedby", message.get_attribute("id") or "?")
    expect(page.locator("#error-box")).to_be_hidden()
    # (The page fixture fails the test on any console.error, such as a stack trace.)
    lab.set_stride(2)
    expect(page.locator("#output-shape")).to_have_text(dims(255, 255))
    expect(message).to_have_count(0)


def test_a_refused_upload_leaves_no_old_picture_under_its_name(lab: KernelLab, page: Page) -> None:
    lab.wait_result()
    page.set_input_files("#image-upload", files=[TEXT_FILE])
    expect(page.locator("#image-result")).to_have_attribute("data-status", "error")
    chosen = page.locator("#image-source [data-role=chosen]")
    expect(chosen).to_have_text("Could not use your file README.md (1 KB): see the message above.")
    assert page.locator("#output-canvas").evaluate("c => c.width") == 0
    assert page.locator("#input-canvas").evaluate("c => c.width") == 0
    expect(page.locator("#image-summary")).to_have_text(
        "No output: README.md could not be convolved; see the message above."
    )
    expect(page.locator("#output-legend")).to_be_empty()

    page.click(".sample-card[data-name=astronaut]")
    lab.wait_result(source="astronaut")
    expect(page.locator("#error-box")).to_be_hidden()
    expect(page.locator("#status-line")).not_to_contain_text("Something went wrong")


def test_max_pool_winners_wait_for_a_zoom_at_which_they_can_be_seen(
    lab: KernelLab, page: Page
) -> None:
    lab.choose_sample("astronaut")  # 3 channels, 510 x 510 out, shown at "fit"
    page.click("#image-pool [data-action=pool]")
    expect(page.locator("#pooled-shape")).to_have_text(dims(255, 255))
    winners = page.locator("#winners-canvas")
    expect(winners).to_be_hidden()  # a yellow mesh over the whole picture otherwise
    expect(page.locator("#winners-note")).to_contain_text("choose a zoom of 4\u00d7")
    expect(page.locator("#pooled-legend")).to_have_attribute("data-mapping", "clip")

    page.select_option("#image-zoom", "4")
    expect(winners).to_be_visible()
    expect(page.locator("#winners-note")).to_be_hidden()
