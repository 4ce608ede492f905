import numpy as np
import pytest

from app.core.convolution import check_input
from app.core.kernels import KERNEL_PRESETS, apply_kernel, resolve_kernel
from app.errors import InvalidKernel, UnknownName

REQUIRED = {
    "identity", "box_blur", "gaussian_blur_3x3", "gaussian_blur_5x5", "sharpen", "brighten",
    "darken", "sobel_left", "sobel_right", "sobel_top", "sobel_bottom", "sobel_magnitude",
    "outline", "emboss", "horizontal_lines", "vertical_lines",
}  # fmt: skip


def test_all_presets_named_in_the_issue_exist_with_an_explanation():
    assert set(KERNEL_PRESETS) == REQUIRED
    for preset in KERNEL_PRESETS.values():
        assert preset.explanation.endswith(".")
        assert len(preset.explanation) < 140


@pytest.mark.parametrize("name", ["box_blur", "gaussian_blur_3x3", "gaussian_blur_5x5", "identity"])
def test_averaging_presets_keep_a_flat_image_flat(name):
    assert np.sum(KERNEL_PRESETS[name].matrix) == pytest.approx(1.0)


def test_line_detectors_are_the_issue_matrices():
    assert KERNEL_PRESETS["horizontal_lines"].matrix == ((-1, -1, -1), (2, 2, 2), (-1, -1, -1))
    assert np.array_equal(
        np.transpose(KERNEL_PRESETS["horizontal_lines"].matrix),
        KERNEL_PRESETS["vertical_lines"].matrix,
    )


def test_sobel_left_is_positive_where_the_left_is_brighter():
    x = check_input(np.array([[9, 9, 0, 0]] * 3, dtype=float))
    output, _ = apply_kernel(x, resolve_kernel(None, "sobel_left", 1))
    assert output.tolist() == [[36.0, 36.0]]


def test_sobel_magnitude_is_the_hypotenuse_of_right_and_bottom():
    x = check_input(np.random.default_rng(2).uniform(0, 1, (6, 6, 3)))
    magnitude, _ = apply_kernel(x, resolve_kernel(None, "sobel_magnitude", 3), 1, "same")
    gx, _ = apply_kernel(x, resolve_kernel(None, "sobel_right", 3), 1, "same")
    gy, _ = apply_kernel(x, resolve_kernel(None, "sobel_bottom", 3), 1, "same")
    np.testing.assert_allclose(magnitude, np.hypot(gx, gy))


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(UnknownName, match=r"no kernel preset named 'blurry'.*box_blur"):
        resolve_kernel(None, "blurry", 1)


@pytest.mark.parametrize(("kernel", "name"), [(None, None), ([[1]], "sharpen")])
def test_exactly_one_of_kernel_and_name(kernel, name):
    with pytest.raises(InvalidKernel, match="Give exactly one of kernel"):
        resolve_kernel(kernel, name, 1)
