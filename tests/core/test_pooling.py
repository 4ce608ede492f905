import contextlib
import tracemalloc
from collections.abc import Callable

import numpy as np
import pytest

from app.core.convolution import check_input
from app.core.pooling import pool2d
from app.errors import InvalidParameter
from tests.core.reference import keras_same_padding
from tests.worked_examples import POOL_4X4


def test_2x2_max_pooling_matches_the_worked_example_and_names_the_winners():
    pooled = pool2d(check_input(POOL_4X4), 2)
    assert pooled.output.tolist() == [[256, 153], [23, 55]]
    assert pooled.argmax is not None
    assert pooled.argmax.tolist() == [[[0, 1], [0, 2]], [[3, 0], [2, 3]]]


def test_2x2_average_pooling_of_the_worked_example():
    pooled = pool2d(check_input(POOL_4X4), 2, mode="average")
    assert pooled.output.tolist() == [
        [(110 + 256 + 12 + 89) / 4, (153 + 67 + 88 + 43) / 4],
        [(10 + 15 + 23 + 9) / 4, (50 + 55 + 49 + 23) / 4],
    ]
    assert pooled.argmax is None


def loop_pool(x, size, strides, padding, mode):
    """Reference: each window's max, or mean over the cells inside the input."""
    h, w, c = x.shape
    if padding == "same":
        (top, _), (left, _) = (
            keras_same_padding(h, size[0], strides[0]),
            keras_same_padding(w, size[1], strides[1]),
        )
        out_h, out_w = -(-h // strides[0]), -(-w // strides[1])
    else:
        top = left = 0
        out_h, out_w = (h - size[0]) // strides[0] + 1, (w - size[1]) // strides[1] + 1
    out = np.zeros((out_h, out_w, c))
    for i in range(out_h):
        for j in range(out_w):
            r0, c0 = i * strides[0] - top, j * strides[1] - left
            window = x[max(r0, 0) : r0 + size[0], max(c0, 0) : c0 + size[1]]
            out[i, j] = window.max(axis=(0, 1)) if mode == "max" else window.mean(axis=(0, 1))
    return out


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize(
    ("shape", "size", "strides", "padding"),
    [
        ((8, 8, 1), (2, 2), None, "valid"),
        ((7, 9, 3), (2, 2), None, "same"),
        ((7, 9, 3), (3, 3), (2, 2), "same"),
        ((10, 5, 2), (3, 2), (1, 2), "valid"),
        ((5, 5, 1), (4, 4), (3, 3), "same"),
    ],
)
def test_pooling_equals_a_loop_reference(mode, shape, size, strides, padding):
    x = np.random.default_rng(3).uniform(-5, 5, shape)
    pooled = pool2d(check_input(x), size, strides, padding, mode)
    expected = loop_pool(x, size, strides or size, padding, mode)
    np.testing.assert_allclose(pooled.output, expected, rtol=1e-12)
    if mode == "max":
        rows, cols = pooled.argmax[..., 0], pooled.argmax[..., 1]
        channels = np.arange(shape[2])[None, None, :]
        np.testing.assert_array_equal(x[rows, cols, channels], pooled.output)


def test_same_max_pooling_never_picks_padding_even_when_all_values_are_negative():
    x = -np.ones((3, 3))
    pooled = pool2d(check_input(x), 2, padding="same")
    assert pooled.output.tolist() == [[-1, -1], [-1, -1]]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pool_size": 0}, "pool_size must be between 1 and 15"),
        ({"pool_size": 16}, "pool_size must be between 1 and 15"),
        ({"pool_size": 2, "strides": 0}, "strides must be at least 1"),
        ({"pool_size": 5}, r"pooling window \(5x5\) is larger than the padded input"),
        ({"mode": "min"}, 'mode must be "max" or "average"'),
        ({"padding": 1}, 'pooling padding must be "valid" or "same"'),
    ],
)
def test_bad_pooling_parameters_are_refused(kwargs, message):
    with pytest.raises(InvalidParameter, match=message):
        pool2d(check_input(np.zeros((4, 4))), **kwargs)


@pytest.mark.parametrize("mode", ["max", "average"])
def test_8_bit_pixels_pool_like_floats(mode):
    pixels = np.random.default_rng(4).integers(0, 256, (7, 7, 3), dtype=np.uint8)
    pooled = pool2d(check_input(pixels), 2, padding="same", mode=mode)
    expected = pool2d(check_input(pixels.astype(np.float32)), 2, padding="same", mode=mode)
    np.testing.assert_array_equal(pooled.output, expected.output)


def peak_bytes_while(run: Callable[[], object]) -> int:
    """The most memory Python and NumPy held at once, above the start, while ``run`` ran."""
    tracemalloc.start()
    try:
        with contextlib.suppress(InvalidParameter):
            run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_pooling_over_the_work_limit_is_refused_before_any_output_array_exists():
    # A flat 4096x4096 image as a read-only view of one byte: the refusal must come from the
    # check on the geometry, before the float copy (64 MB) or an output array (66 MB) is made.
    flat = np.broadcast_to(np.uint8(0), (4096, 4096))

    with pytest.raises(InvalidParameter) as refused:
        pool2d(flat, 15, 1)

    assert str(refused.value) == (
        "This pooling needs 3,749,112,900 window reads (4082x4082 output, 15x15 window, "
        "1 channel(s)); at most 200,000,000 are allowed. Use a larger stride (the default, the "
        "pool size, does not overlap windows), a smaller window or a smaller image."
    )
    assert peak_bytes_while(lambda: pool2d(flat, 15, 1)) < 1_000_000


def test_pooling_at_the_work_limit_is_computed():
    # 200 x 200 outputs x 5,000 cells would be 200,000,000 reads exactly: allowed.
    x = np.zeros((1000, 1000), dtype=np.float32)

    pooled = pool2d(x, (1, 5), (5, 5), mode="average")

    assert pooled.output.shape == (200, 200)
    with pytest.raises(InvalidParameter, match="window reads"):
        pool2d(np.zeros((4001, 4001), dtype=np.uint8), 10, 2)


def test_padding_that_would_make_a_huge_plane_is_refused_before_padding():
    # 4,500,000 x 1 is under the work limit with 15x15 windows at stride 15, but padded "same"
    # it would be a 4,500,000 x 15 plane.
    thin = np.broadcast_to(np.float32(0), (4_500_000, 1))

    with pytest.raises(InvalidParameter) as refused:
        pool2d(thin, 15, 15, "same")

    assert str(refused.value) == (
        "Padding the 4500000x1 input (0 rows and 14 columns in all) would make it 4500000x15 "
        "= 67,500,000 values per channel; at most 17,842,176 are allowed. Use less padding "
        '("valid" for none) or a smaller input.'
    )
    assert peak_bytes_while(lambda: pool2d(thin, 15, 15, "same")) < 1_000_000
