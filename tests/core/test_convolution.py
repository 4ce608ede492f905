import tracemalloc

import numpy as np
import pytest

from app.core.convolution import (
    check_input,
    check_kernel,
    check_padded_size,
    conv2d,
    geometry,
)
from app.core.shapes import MAX_EXPLICIT_PADDING
from app.errors import InvalidKernel, InvalidParameter
from tests.core.reference import correlate, keras_same_padding
from tests.worked_examples import BINARY_6X6, BLUR_3X3


def convolve(x, kernel, strides=1, padding="valid", bias=0.0):
    inputs = check_input(x)
    channels = 1 if inputs.ndim == 2 else inputs.shape[2]
    return conv2d(inputs, check_kernel(kernel, channels), strides, padding, bias)


def test_blur_of_the_6x6_binary_image_matches_the_worked_example():
    output, grid = convolve(BINARY_6X6, BLUR_3X3)
    assert output.shape == (4, 4)
    assert np.round(output[0], 2).tolist() == [0.56, 0.57, 0.57, 0.56]
    # Top-left window [[1,0,1],[0,1,0],[0,1,1]]: its ones sit under .06, .06, .25, .13 and .06.
    assert output[0, 0] == pytest.approx(0.06 + 0.06 + 0.25 + 0.13 + 0.06)
    assert grid.rows.output == grid.cols.output == 4


def test_ten_5x5_filters_with_stride_1_and_pad_2_keep_32x32():
    rng = np.random.default_rng(0)
    output, grid = convolve(rng.random((32, 32, 3)), rng.random((5, 5, 3, 10)), 1, 2)
    assert output.shape == (32, 32, 10)
    assert grid.rows.formula == "(32 - 5 + 2*2) / 1 + 1 = 31 + 1 = 32"


CASES = [
    # (input shape, kernel shape, strides, padding)
    ((7, 9), (3, 3), 1, "valid"),
    ((7, 9), (2, 4), (2, 1), "same"),
    ((8, 8, 3), (3, 3), 2, "same"),
    ((9, 6, 3), (4, 4), (3, 2), "same"),
    ((9, 6, 2), (3, 5), 1, 2),
    ((10, 10, 3), (3, 3, 3), 2, (1, 3)),
    ((11, 7, 2), (5, 5, 2, 4), (2, 3), "valid"),
    ((6, 6, 3), (2, 2, 3, 2), 1, "same"),
    ((5, 5), (1, 1), 1, 4),
    ((5, 5, 1), (3, 3, 1, 3), 1, 6),
    ((16, 16), (15, 15), 1, "same"),
    ((13, 12, 4), (4, 3, 4, 2), (4, 4), "same"),
]


@pytest.mark.parametrize(("input_shape", "kernel_shape", "strides", "padding"), CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_equals_a_loop_reference(input_shape, kernel_shape, strides, padding, dtype):
    rng = np.random.default_rng(hash((input_shape, kernel_shape)) % 2**32)
    x = rng.uniform(-1, 1, input_shape).astype(dtype)
    kernel = rng.uniform(-1, 1, kernel_shape)
    output, grid = convolve(x, kernel, strides, padding, bias=0.25)

    planes = x if x.ndim == 3 else x[..., None]
    stride_pair = strides if isinstance(strides, tuple) else (strides, strides)
    kh, kw = kernel_shape[:2]
    if padding == "same":
        pads = (
            keras_same_padding(planes.shape[0], kh, stride_pair[0]),
            keras_same_padding(planes.shape[1], kw, stride_pair[1]),
        )
    elif padding == "valid":
        pads = ((0, 0), (0, 0))
    else:
        rows, cols = padding if isinstance(padding, tuple) else (padding, padding)
        pads = ((rows, rows), (cols, cols))

    if len(kernel_shape) == 2:
        expected = np.stack(
            [
                correlate(
                    planes[..., c : c + 1], kernel[:, :, None, None], stride_pair, pads, 0.25
                )[..., 0]
                for c in range(planes.shape[2])
            ],
            axis=-1,
        )
        if x.ndim == 2:
            expected = expected[..., 0]
    elif len(kernel_shape) == 3:
        expected = correlate(planes, kernel[..., None], stride_pair, pads, 0.25)[..., 0]
    else:
        expected = correlate(planes, kernel, stride_pair, pads, 0.25)

    assert output.dtype == dtype
    assert output.shape == expected.shape
    assert (grid.rows.pad_before, grid.rows.pad_after) == pads[0]
    tolerance = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(output, expected, rtol=tolerance, atol=tolerance)


def test_same_padding_with_an_even_kernel_pads_the_extra_row_after():
    _, grid = convolve(np.zeros((6, 6)), np.ones((4, 4)), 1, "same")
    assert (grid.rows.pad_before, grid.rows.pad_after) == (1, 2)
    assert (grid.cols.pad_before, grid.cols.pad_after) == (1, 2)


def test_integer_input_is_computed_as_float():
    output, _ = convolve(np.arange(9, dtype=np.uint8).reshape(3, 3), [[1, 1], [1, 1]])
    assert output.tolist() == [[8.0, 12.0], [20.0, 24.0]]


@pytest.mark.parametrize(
    ("kernel", "message"),
    [
        ([], "kernel must have 2 dimensions"),
        ([[]], "kernel is empty"),
        ([[1, 2], [3]], "every row the same length"),
        (np.ones((16, 3)), "sizes from 1x1 to 15x15"),
        ([[1, float("nan")]], "NaN or infinity"),
        ([[1, float("inf")]], "NaN or infinity"),
        (np.ones((3, 3, 2)), "the input has 3"),
        (np.ones((3, 3, 3, 65)), "65 filters"),
        ([["a"]], "rectangular grid of numbers"),
    ],
)
def test_bad_kernels_are_refused_with_a_reason(kernel, message):
    with pytest.raises(InvalidKernel, match=message):
        check_kernel(kernel, 3)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "2-D grid"),
        ([[]], "empty"),
        ([1, 2, 3], "2-D grid"),
        ([[1, float("nan")]], "NaN or infinity"),
        (np.zeros((2, 2, 65)), "65 channels"),
    ],
)
def test_bad_inputs_are_refused_with_a_reason(values, message):
    with pytest.raises(InvalidParameter, match=message):
        check_input(values)


@pytest.mark.parametrize(
    ("strides", "padding", "message"),
    [
        (0, "valid", "strides must be at least 1"),
        ((1, -2), "valid", "strides must be at least 1"),
        (1, -1, "padding must not be negative"),
        (1, 1000, "more than the 64 allowed"),
        (1, "full", 'padding must be "valid", "same"'),
        (True, "valid", "strides must be an integer"),
    ],
)
def test_bad_strides_and_padding_are_refused(strides, padding, message):
    with pytest.raises(InvalidParameter, match=message):
        convolve(np.zeros((5, 5)), np.ones((3, 3)), strides, padding)


def test_kernel_larger_than_the_padded_input_is_refused():
    with pytest.raises(InvalidParameter, match=r"kernel \(5x5\) is larger than the padded input"):
        convolve(np.zeros((3, 3)), np.ones((5, 5)), 1, "valid")
    output, _ = convolve(np.zeros((3, 3)), np.ones((5, 5)), 1, 1)
    assert output.shape == (1, 1)


@pytest.mark.parametrize("kernel_shape", [(3, 3), (3, 3, 3), (2, 2, 3, 2)])
@pytest.mark.parametrize("padding", ["valid", "same", 3])
def test_8_bit_pixels_give_the_float32_result(kernel_shape, padding):
    rng = np.random.default_rng(9)
    pixels = rng.integers(0, 256, (9, 8, 3), dtype=np.uint8)
    kernel = rng.normal(size=kernel_shape)
    assert check_input(pixels) is pixels
    output, _ = convolve(pixels, kernel, 2, padding, bias=1.5)
    expected, _ = convolve(pixels.astype(np.float32), kernel, 2, padding, bias=1.5)
    assert output.dtype == np.float32
    np.testing.assert_allclose(output, expected, rtol=1e-6, atol=1e-4)


def test_padding_a_thin_input_past_the_padded_size_cap_is_refused_before_padding():
    # 200,000 x 1 values (800 KB) padded by 64 on every side would be 200,128 x 129: 100 MB.
    thin = check_input(np.zeros((200_000, 1), dtype=np.float32))
    kernel = check_kernel([[1.0]], 1)

    tracemalloc.start()
    try:
        with pytest.raises(InvalidParameter) as refused:
            conv2d(thin, kernel, padding=64)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert str(refused.value) == (
        "Padding the 200000x1 input (128 rows and 128 columns in all) would make it 200128x129 "
        "= 25,816,512 values per channel; at most 17,842,176 are allowed. Use less padding "
        '("valid" for none) or a smaller input.'
    )
    assert peak < 1_000_000


def test_the_largest_default_image_with_the_most_padding_is_allowed():
    grid = geometry((4096, 4096), (3, 3), 1, MAX_EXPLICIT_PADDING)

    check_padded_size(grid)  # no refusal

    assert grid.padded_hw == (4224, 4224)
    with pytest.raises(InvalidParameter, match="4225x4224"):
        check_padded_size(geometry((4097, 4096), (3, 3), 1, MAX_EXPLICIT_PADDING))
