"""POST /api/convolve/matrix: numbers in, numbers out, checked against NumPy references."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.api.reference import conv2d_filters, correlate2d, keras_same_pads
from tests.worked_examples import BINARY_6X6, BLUR_3X3

SOBEL_RIGHT = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
SOBEL_BOTTOM = [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]


def convolve(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/convolve/matrix", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_blurring_the_6x6_binary_image_gives_the_worked_example(client: TestClient) -> None:
    result = convolve(client, input=BINARY_6X6, kernel=BLUR_3X3)

    assert result["output_shape"] == [4, 4]
    assert np.round(result["output"][0], 2).tolist() == [0.56, 0.57, 0.57, 0.56]
    # The top-left window [[1,0,1],[0,1,0],[0,1,1]] keeps .06, .06, .25, .13 and .06.
    assert result["output"][0][0] == pytest.approx(0.56)
    assert np.allclose(result["output"], correlate2d(np.array(BINARY_6X6), np.array(BLUR_3X3)))
    assert result["kernel_shape"] == [3, 3]
    assert result["kernel_kind"] == "depthwise"
    assert result["trace"] is None


def test_trace_shows_the_window_products_sum_and_result_of_one_position(
    client: TestClient,
) -> None:
    x, kernel = np.array(BINARY_6X6, dtype=float), np.array(BLUR_3X3)

    result = convolve(client, input=BINARY_6X6, kernel=BLUR_3X3, bias=0.5, trace=[1, 2])

    trace = result["trace"]
    window = x[1:4, 2:5]
    assert trace["position"] == [1, 2]
    assert trace["window_origin"] == [1, 2]
    assert trace["in_padding"] == [[False] * 3] * 3
    [channel] = trace["channels"]
    [contribution] = channel["contributions"]
    assert contribution["window"] == window.tolist()
    assert contribution["kernel"] == BLUR_3X3
    assert np.allclose(contribution["products"], window * kernel)
    assert contribution["sum"] == pytest.approx(np.sum(window * kernel))
    assert channel["sum"] == pytest.approx(np.sum(window * kernel))
    assert channel["bias"] == 0.5
    assert channel["output"] == pytest.approx(np.sum(window * kernel) + 0.5)
    assert channel["output"] == pytest.approx(result["output"][1][2])
    assert trace["gradient"] is None


def test_trace_at_a_corner_with_same_padding_marks_the_padded_cells(client: TestClient) -> None:
    x = np.arange(1, 17, dtype=float).reshape(4, 4)

    result = convolve(
        client, input=x.tolist(), kernel=np.ones((3, 3)).tolist(), padding="same", trace=[0, 0]
    )

    trace = result["trace"]
    assert trace["window_origin"] == [-1, -1]
    assert trace["in_padding"] == [[True, True, True], [True, False, False], [True, False, False]]
    [channel] = trace["channels"]
    assert channel["contributions"][0]["window"] == [[0, 0, 0], [0, 1, 2], [0, 5, 6]]
    assert channel["output"] == 1 + 2 + 5 + 6 == result["output"][0][0]


def test_trace_of_a_window_wholly_in_the_top_left_padding_shows_only_zeros(
    client: TestClient,
) -> None:
    response = client.post(
        "/api/convolve/matrix",
        json={
            "input": [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
            "kernel": [[1]],
            "padding": 2,
            "trace": [0, 0],
        },
    )

    assert response.status_code == 200
    trace = response.json()["trace"]
    assert trace["window_origin"] == [-2, -2]
    assert trace["in_padding"] == [[True]]
    assert trace["channels"][0]["contributions"][0]["window"] == [[0]]
    assert trace["channels"][0]["output"] == 0 == response.json()["output"][0][0]


def test_trace_of_a_window_wholly_in_the_bottom_right_padding_shows_only_zeros(
    client: TestClient,
) -> None:
    response = client.post(
        "/api/convolve/matrix",
        json={
            "input": [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
            "kernel": np.ones((3, 3)).tolist(),
            "padding": 4,
            "trace": [8, 8],
        },
    )

    assert response.status_code == 200
    trace = response.json()["trace"]
    assert trace["window_origin"] == [4, 4]
    assert trace["in_padding"] == [[True] * 3] * 3
    assert trace["channels"][0]["contributions"][0]["window"] == [[0] * 3] * 3
    assert trace["channels"][0]["output"] == 0 == response.json()["output"][8][8]


def test_same_padding_with_an_even_kernel_pads_the_extra_row_and_column_after(
    client: TestClient,
) -> None:
    x = np.arange(25, dtype=float).reshape(5, 5)
    kernel = np.array([[1.0, 2.0], [3.0, 4.0]])

    result = convolve(client, input=x.tolist(), kernel=kernel.tolist(), padding="same")

    # Keras: total padding 1 per axis, none before, one row at the bottom and one column right.
    expected = correlate2d(x, kernel, pads=((0, 1), (0, 1)))
    assert result["output_shape"] == [5, 5]
    assert np.allclose(result["output"], expected)
    for axis in ("rows", "cols"):
        size = result["output_size"][axis]
        assert (size["pad_before"], size["pad_after"], size["pad_total"]) == (0, 1, 1)


@pytest.mark.parametrize("size", [(5, 7), (6, 6), (7, 4)])
@pytest.mark.parametrize("kernel_size", [(2, 2), (3, 4), (4, 3)])
@pytest.mark.parametrize("strides", [(1, 1), (2, 2), (3, 1)])
def test_same_padding_matches_the_keras_rule(
    client: TestClient,
    size: tuple[int, int],
    kernel_size: tuple[int, int],
    strides: tuple[int, int],
) -> None:
    rng = np.random.default_rng(sum(size) * 100 + sum(kernel_size) * 10 + sum(strides))
    x = rng.integers(-9, 10, size).astype(float)
    kernel = rng.integers(-3, 4, kernel_size).astype(float)
    pads = (
        keras_same_pads(size[0], kernel_size[0], strides[0]),
        keras_same_pads(size[1], kernel_size[1], strides[1]),
    )

    result = convolve(
        client, input=x.tolist(), kernel=kernel.tolist(), padding="same", strides=list(strides)
    )

    expected = correlate2d(x, kernel, strides, pads)
    assert result["output_shape"] == [-(-size[0] // strides[0]), -(-size[1] // strides[1])]
    assert np.array_equal(result["output"], expected)


def test_a_strides_pair_moves_rows_and_columns_by_different_steps(client: TestClient) -> None:
    x = np.arange(30, dtype=float).reshape(5, 6)
    kernel = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])

    result = convolve(client, input=x.tolist(), kernel=kernel.tolist(), strides=[2, 1])

    assert result["output_shape"] == [2, 4]
    assert np.array_equal(result["output"], correlate2d(x, kernel, (2, 1)))
    assert result["output_size"]["rows"]["stride"] == 2
    assert result["output_size"]["cols"]["stride"] == 1


def test_an_explicit_padding_pair_adds_zero_rows_and_columns(client: TestClient) -> None:
    x = np.arange(12, dtype=float).reshape(3, 4)
    kernel = np.array([[1.0, 1.0], [1.0, 1.0]])

    result = convolve(client, input=x.tolist(), kernel=kernel.tolist(), padding=[1, 2])

    assert result["output_shape"] == [4, 7]
    assert np.array_equal(result["output"], correlate2d(x, kernel, pads=((1, 1), (2, 2))))


def test_bias_is_added_to_every_output_value(client: TestClient) -> None:
    x = np.arange(16, dtype=float).reshape(4, 4)

    result = convolve(client, input=x.tolist(), kernel=SOBEL_RIGHT, bias=-2.5)

    assert np.array_equal(result["output"], correlate2d(x, np.array(SOBEL_RIGHT)) - 2.5)


def test_a_2d_kernel_filters_each_channel_of_a_3d_input_separately(client: TestClient) -> None:
    x = np.random.default_rng(1).integers(0, 10, (4, 5, 2)).astype(float)
    kernel = np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]])

    result = convolve(client, input=x.tolist(), kernel=kernel.tolist())

    assert result["output_shape"] == [2, 3, 2]
    assert result["kernel_shape"] == [3, 3]
    assert result["kernel_kind"] == "depthwise"
    output = np.array(result["output"])
    for channel in range(2):
        assert np.array_equal(output[..., channel], correlate2d(x[..., channel], kernel))


def test_a_3d_kernel_spans_all_channels_and_sums_them_into_one_map(client: TestClient) -> None:
    x = np.random.default_rng(2).integers(0, 10, (4, 5, 2)).astype(float)
    kernel = np.random.default_rng(3).integers(-2, 3, (3, 3, 2)).astype(float)

    result = convolve(client, input=x.tolist(), kernel=kernel.tolist())

    assert result["output_shape"] == [2, 3]
    assert result["kernel_shape"] == [3, 3, 2]
    assert result["kernel_kind"] == "summed"
    expected = correlate2d(x[..., 0], kernel[..., 0]) + correlate2d(x[..., 1], kernel[..., 1])
    assert np.array_equal(result["output"], expected)


def test_a_4d_kernel_gives_one_output_channel_per_filter(client: TestClient) -> None:
    x = np.random.default_rng(4).integers(0, 10, (4, 5, 2)).astype(float)
    kernel = np.random.default_rng(5).integers(-2, 3, (3, 3, 2, 4)).astype(float)

    result = convolve(client, input=x.tolist(), kernel=kernel.tolist(), trace=[1, 2])

    assert result["output_shape"] == [2, 3, 4]
    assert result["kernel_shape"] == [3, 3, 2, 4]
    assert result["kernel_kind"] == "filters"
    assert np.array_equal(result["output"], conv2d_filters(x, kernel))
    channels = result["trace"]["channels"]
    assert [c["output_channel"] for c in channels] == [0, 1, 2, 3]
    for k, channel in enumerate(channels):
        window = x[1:4, 2:5]
        assert [c["sum"] for c in channel["contributions"]] == [
            np.sum(window[..., c] * kernel[:, :, c, k]) for c in range(2)
        ]
        assert channel["output"] == result["output"][1][2][k]


def test_ten_5x5_filters_over_a_32x32x3_input_with_padding_2_keep_the_size(
    client: TestClient,
) -> None:
    rng = np.random.default_rng(32)
    x = rng.integers(0, 256, (32, 32, 3)).astype(float)
    kernel = rng.integers(-4, 5, (5, 5, 3, 10)).astype(float) / 4

    result = convolve(client, input=x.tolist(), kernel=kernel.tolist(), strides=1, padding=2)

    assert result["output_shape"] == [32, 32, 10]
    assert result["kernel_shape"] == [5, 5, 3, 10]
    assert np.array_equal(result["output"], conv2d_filters(x, kernel, pads=((2, 2), (2, 2))))
    rows = result["output_size"]["rows"]
    assert rows["formula"] == "(32 - 5 + 2*2) / 1 + 1 = 31 + 1 = 32"


def test_output_size_reports_the_rows_a_stride_that_does_not_divide_leaves_unreached(
    client: TestClient,
) -> None:
    x = np.arange(49, dtype=float).reshape(7, 7)

    result = convolve(client, input=x.tolist(), kernel=np.ones((3, 3)).tolist(), strides=3)

    assert result["output_shape"] == [2, 2]
    rows = result["output_size"]["rows"]
    assert rows == {
        "axis": "rows",
        "input": 7,
        "window": 3,
        "stride": 3,
        "pad_before": 0,
        "pad_after": 0,
        "pad_total": 0,
        "output": 2,
        "divides_evenly": False,
        "unreached": 1,
        "formula": "(7 - 3 + 2*0) / 3 + 1 = floor(1.33333) + 1 = 2",
        "explanation": rows["explanation"],
    }
    assert "never reached" in rows["explanation"]
    assert result["output_size"]["cols"]["unreached"] == 1
    # Windows start at rows/cols 0 and 3; row and column 6 never enter a sum.
    assert np.array_equal(result["output"], correlate2d(x, np.ones((3, 3)), (3, 3)))


def test_output_size_says_when_the_window_fits_exactly(client: TestClient) -> None:
    result = convolve(
        client, input=np.zeros((7, 7)).tolist(), kernel=np.ones((3, 3)).tolist(), strides=2
    )

    rows = result["output_size"]["rows"]
    assert (rows["output"], rows["divides_evenly"], rows["unreached"]) == (3, True, 0)
    assert rows["formula"] == "(7 - 3 + 2*0) / 2 + 1 = 2 + 1 = 3"


def test_a_preset_name_applies_that_preset(client: TestClient) -> None:
    x = np.random.default_rng(6).integers(0, 10, (5, 5)).astype(float)

    result = convolve(client, input=x.tolist(), kernel_name="sharpen", padding="same")

    sharpen = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    assert np.array_equal(result["output"], correlate2d(x, sharpen, pads=((1, 1), (1, 1))))


def test_the_sobel_magnitude_preset_gives_the_gradient_length_and_traces_both_parts(
    client: TestClient,
) -> None:
    x = np.random.default_rng(7).integers(0, 10, (5, 6)).astype(float)

    result = convolve(client, input=x.tolist(), kernel_name="sobel_magnitude", trace=[2, 1])

    gx = correlate2d(x, np.array(SOBEL_RIGHT))
    gy = correlate2d(x, np.array(SOBEL_BOTTOM))
    assert np.allclose(result["output"], np.hypot(gx, gy))
    trace = result["trace"]
    assert trace["channels"][0]["output"] == gx[2, 1]
    assert trace["gradient"]["gradient_y"][0]["output"] == gy[2, 1]
    assert trace["gradient"]["magnitude"] == [pytest.approx(np.hypot(gx[2, 1], gy[2, 1]))]
