"""POST /api/pool with real image uploads, alone and after a kernel."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.api import pooling
from app.config import PROJECT_ROOT, Settings
from tests.api.imagefiles import (
    decode,
    decode_base64_png,
    decode_png_response,
    png,
    post_image,
    random_gray,
    random_rgb,
)
from tests.api.reference import as_pixels, correlate2d, pool2d
from tests.conftest import make_client

PNG = {"accept": "image/png"}
NO_PADS = ((0, 0), (0, 0))


def test_max_pooling_an_image_keeps_the_brightest_pixel_of_each_window(
    client: TestClient,
) -> None:
    gray = random_gray(8, 10, seed=1)

    response = post_image(client, "/api/pool", png(gray), headers=PNG, pool_size="2")

    assert response.status_code == 200
    expected, _ = pool2d(gray, (2, 2), (2, 2), NO_PADS, "max")
    assert response.headers["x-convlens-output-shape"] == "4,5"
    assert response.headers["x-convlens-pixel-map"] == "identity"
    assert np.array_equal(decode_png_response(response), expected.astype(np.uint8))


def test_average_pooling_an_image_rounds_each_windows_mean(client: TestClient) -> None:
    gray = random_gray(9, 9, seed=2)

    response = post_image(
        client, "/api/pool", png(gray), headers=PNG, pool_size="3,2", strides="2", mode="average"
    )

    expected, _ = pool2d(gray, (3, 2), (2, 2), NO_PADS, "average")
    assert response.headers["x-convlens-output-shape"] == "4,4"
    assert np.array_equal(decode_png_response(response), as_pixels(expected))


def test_same_padding_average_pooling_of_an_image_ignores_the_padding(
    client: TestClient,
) -> None:
    gray = random_gray(5, 5, seed=3)

    response = post_image(
        client, "/api/pool", png(gray), headers=PNG, mode="average", padding="same"
    )

    expected, _ = pool2d(gray, (2, 2), (2, 2), ((0, 1), (0, 1)), "average")
    assert np.array_equal(decode_png_response(response), as_pixels(expected))


def test_the_winners_image_marks_every_pixel_that_won_its_window(client: TestClient) -> None:
    gray = random_gray(6, 8, seed=4)

    result = post_image(client, "/api/pool", png(gray), pool_size="2").json()

    _, winners = pool2d(gray, (2, 2), (2, 2), NO_PADS, "max")
    mask = np.zeros(gray.shape, dtype=np.uint8)
    for row in winners:
        for r, c in row:
            mask[r, c] = 255
    assert np.array_equal(decode_base64_png(result["winners_image"]), mask)
    assert result["convolution"] is None


def test_the_winners_image_of_rgb_marks_winners_of_any_channel(client: TestClient) -> None:
    rgb = random_rgb(4, 4, seed=5)

    result = post_image(client, "/api/pool", png(rgb), pool_size="2").json()

    mask = np.zeros((4, 4), dtype=np.uint8)
    for channel in range(3):
        _, winners = pool2d(rgb[..., channel], (2, 2), (2, 2), NO_PADS, "max")
        for row in winners:
            for r, c in row:
                mask[r, c] = 255
    assert result["output_shape"] == [2, 2, 3]
    assert np.array_equal(decode_base64_png(result["winners_image"]), mask)


def test_average_pooling_has_no_winners_image(client: TestClient) -> None:
    result = post_image(
        client, "/api/pool", png(random_gray(4, 4)), pool_size="2", mode="average"
    ).json()

    assert result["winners_image"] is None


def test_pooling_after_a_kernel_pools_the_convolved_values(client: TestClient) -> None:
    gray = random_gray(8, 8, seed=6)
    outline = np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])

    result = post_image(
        client,
        "/api/pool",
        png(gray),
        pool_size="2",
        kernel_name="outline",
        conv_padding="same",
        include_input="true",
    ).json()

    convolved = correlate2d(gray, outline, pads=((1, 1), (1, 1)))
    pooled, _ = pool2d(convolved, (2, 2), (2, 2), NO_PADS, "max")
    assert result["output_shape"] == [4, 4]
    assert result["value_range"] == [pooled.min(), pooled.max()]
    assert result["convolution"]["rows"]["pad_before"] == 1
    assert result["convolution"]["rows"]["output"] == 8
    assert result["output_size"]["rows"]["input"] == 8
    assert result["pixel_map"]["mapping"] == "rescale"
    low, high = pooled.min(), pooled.max()
    assert (low, high) == (-18, 1689)  # an odd range: no pixel lands exactly on .5
    expected = np.rint((pooled - low) * 255 / (high - low)).astype(np.uint8)
    assert np.array_equal(decode_base64_png(result["image"]), expected)
    assert np.array_equal(decode_base64_png(result["input_image"]), gray)


def test_a_kernel_before_pooling_honours_its_own_strides_and_bias(client: TestClient) -> None:
    gray = random_gray(9, 9, seed=7)

    result = post_image(
        client,
        "/api/pool",
        png(gray),
        pool_size="2",
        kernel="[[0.5]]",
        conv_strides="2",
        conv_bias="10",
        mode="average",
    ).json()

    convolved = correlate2d(gray, np.array([[0.5]]), (2, 2)) + 10
    pooled, _ = pool2d(convolved, (2, 2), (2, 2), NO_PADS, "average")
    assert result["convolution"]["rows"]["output"] == 5
    assert np.array_equal(decode_base64_png(result["image"]), as_pixels(pooled))


def test_gray_pooling_of_an_rgb_image_pools_its_luma(client: TestClient) -> None:
    rgb = np.zeros((2, 2, 3), dtype=np.uint8)
    rgb[0, 0] = (0, 255, 0)  # luma 150, the brightest
    rgb[1, 1] = (255, 0, 0)  # luma 76

    result = post_image(client, "/api/pool", png(rgb), color="gray").json()

    assert result["output_shape"] == [1, 1]
    assert decode_base64_png(result["image"]).tolist() == [[150]]


def test_a_sample_photo_max_pools_to_half_its_size(client: TestClient) -> None:
    data = (PROJECT_ROOT / "static/samples/rocket.jpg").read_bytes()
    photo = decode(data)  # 427 rows, 640 columns, RGB

    response = post_image(client, "/api/pool", data, filename="rocket.jpg", headers=PNG)

    assert response.status_code == 200
    expected = photo[:426].reshape(213, 2, 320, 2, 3).max(axis=(1, 3))
    assert response.headers["x-convlens-output-shape"] == "213,320,3"
    assert np.array_equal(decode_png_response(response), expected)


def test_pooling_over_the_work_limit_is_refused_with_the_numbers(client: TestClient) -> None:
    flat = png(np.zeros((1024, 1024), dtype=np.uint8))

    response = post_image(client, "/api/pool", flat, pool_size="15", strides="1")

    assert response.status_code == 422
    assert response.json() == {
        "detail": "This pooling needs 229,522,500 window reads (1010x1010 output, 15x15 window, "
        "1 channel(s)); at most 200,000,000 are allowed. Use a larger stride (the default, the "
        "pool size, does not overlap windows), a smaller window or a smaller image."
    }


def test_pooling_over_the_work_cap_is_refused_from_the_header_before_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decoded: list[int] = []
    monkeypatch.setattr(pooling, "decode_capped", lambda data, settings: decoded.append(1))
    flat = png(np.zeros((4096, 4096), np.uint8))  # 58 KB that decode to 16 megapixels

    with make_client(Settings()) as client:
        response = client.post(
            "/api/pool",
            files={"image": ("flat.png", flat)},
            data={"pool_size": "15", "strides": "1"},
        )

    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        f"This pooling needs {4082 * 4082 * 15 * 15:,} window reads (4082x4082 output, "
        "15x15 window, 1 channel(s)); at most 200,000,000 are allowed."
    )
    assert decoded == []  # refused from the header: no pixel was decoded
