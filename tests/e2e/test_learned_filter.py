"""The Kernel lab's "apply a filter a model learned", for an imported RGB model: the link and the
form apply filter f of the first convolution (3 slices shown, summed over R, G and B), and the
lab lists only models whose first layer it can apply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import Page, Response, expect

from tests.keras_files import softmax_layer_rgb

from .imported_models import imported_model
from .lab import READY, KernelLab


def pytest_approx(values: np.ndarray) -> Any:
    return pytest.approx(values, abs=1e-7)


def convolve_answer(response: Response) -> bool:
    return response.url.endswith("/api/convolve") and response.request.method == "POST"


def first_filters(page: Page, model_id: str) -> dict[str, Any]:
    filters: dict[str, Any] = page.request.get(f"/api/models/{model_id}/filters").json()
    return filters


def expected_kernel(filters: dict[str, Any], f: int) -> np.ndarray:
    return np.transpose(np.asarray(filters["kernels"][f]), (1, 2, 0))


def test_a_link_applies_an_rgb_models_learned_filter_summed_over_channels(
    page: Page, tmp_path: Path, artifacts: Path
) -> None:
    with imported_model(page.request, softmax_layer_rgb(), tmp_path, name="Colour shapes") as rgb:
        filters = first_filters(page, rgb["id"])
        lab = KernelLab(page)
        with page.expect_response(
            lambda r: convolve_answer(r) and np.asarray(r.json()["kernel"]).ndim == 3
        ) as caught:
            lab.open(f"#model={rgb['id']}&filter=2")
        answer = caught.value.json()
        assert np.asarray(answer["kernel"]) == pytest_approx(expected_kernel(filters, 2))
        page.wait_for_selector(READY)
        slices = page.locator("#learned-filter .learned-slice")
        expect(slices).to_have_count(3)
        expect(slices.locator("figcaption")).to_have_text(["R slice", "G slice", "B slice"])
        expect(page.locator("#image-kernel")).to_be_hidden()
        expect(page.locator("#image-stride")).to_have_value("2")
        expect(page.locator("#image-padding")).to_have_value("valid")
        assert abs(float(page.locator("#image-bias").input_value()) - filters["bias"][2]) < 1e-9
        summed = "R \N{ASTERISK OPERATOR} R slice + G \N{ASTERISK OPERATOR} G slice"
        expect(page.locator("[data-role=learned-sum]")).to_contain_text(summed)
        # The first sample (the cameraman) is grey: the filter reads it as R = G = B.
        expect(page.locator("#image-summary")).to_contain_text("R = G = B")
        expect(page.locator("#image-summary")).to_contain_text("Colour shapes conv filter 2")
        page.screenshot(path=artifacts / "laptop-kernel-lab-learned-rgb.png", full_page=True)


def test_the_lab_lists_models_whose_first_layer_it_can_apply_and_the_form_applies_one(
    page: Page, tmp_path: Path
) -> None:
    with imported_model(page.request, softmax_layer_rgb(), tmp_path, name="Colour shapes") as rgb:
        lab = KernelLab(page).open()
        lab.wait_result()
        page.click("#learned-filter > summary")
        options = page.locator("#learned-model option")
        expect(options).not_to_have_count(0)
        listed = options.evaluate_all("os => os.map(o => o.value)")
        models = {m["id"]: m for m in page.request.get("/api/models").json()}
        assert rgb["id"] in listed
        assert "lenet5" in listed
        # The MLP has no convolution, so no learned filter to apply.
        assert all(models[m]["filter_layers"] for m in listed)
        assert "mlp" not in listed
        page.select_option("#learned-model", rgb["id"])
        page.fill("#learned-index", "4")
        before = lab.renders()
        with page.expect_response(convolve_answer) as caught:
            page.click("#learned-filter button[type=submit]")
        page.wait_for_function(
            f"Number(document.getElementById('image-result').dataset.renders) > {before}"
        )
        filters = first_filters(page, rgb["id"])
        assert np.asarray(caught.value.json()["kernel"]) == pytest_approx(
            expected_kernel(filters, 4)
        )
        expect(page.locator("#learned-filter .learned-slice")).to_have_count(3)
        assert page.evaluate("location.hash") == f"#model={rgb['id']}&filter=4"
        # Back to the editor: the preset kernel is applied again.
        page.click("[data-action=edit-kernel]")
        expect(page.locator("#image-kernel")).to_be_visible()
        expect(page.locator("#learned-filter .learned-slice")).to_have_count(0)


def test_a_learned_rgb_filter_fits_a_phone(
    phone_page: Page, tmp_path: Path, artifacts: Path
) -> None:
    with imported_model(
        phone_page.request, softmax_layer_rgb(), tmp_path, name="Colour shapes"
    ) as rgb:
        lab = KernelLab(phone_page).open(f"#model={rgb['id']}&filter=0")
        phone_page.wait_for_selector(READY)
        expect(phone_page.locator("#learned-filter .learned-slice")).to_have_count(3)
        assert lab.horizontal_overflow() == 0
        phone_page.screenshot(path=artifacts / "phone-kernel-lab-learned-rgb.png", full_page=True)


def test_a_caffe_models_filter_meets_the_photo_in_red_green_blue_order(
    page: Page, tmp_path: Path
) -> None:
    """A caffe-scaled model (VGG16, ResNet50) reads blue, green, red: its slices are reversed so
    that the blue slice meets the photo's blue channel."""
    with imported_model(
        page.request, softmax_layer_rgb(), tmp_path, name="BGR shapes", scale="caffe"
    ) as bgr:
        filters = first_filters(page, bgr["id"])
        lab = KernelLab(page)
        with page.expect_response(
            lambda r: convolve_answer(r) and np.asarray(r.json()["kernel"]).ndim == 3
        ) as caught:
            lab.open(f"#model={bgr['id']}&filter=1")
        sent = np.asarray(caught.value.json()["kernel"])
        assert sent == pytest_approx(expected_kernel(filters, 1)[:, :, ::-1])
        expect(page.locator("[data-role=learned-sum]")).to_contain_text("reads blue, green, red")
