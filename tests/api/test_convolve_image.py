"""POST /api/convolve with real image uploads; pixels checked against NumPy references.

The documented pixel mapping: with ``mapping=auto`` values that all lie in 0..255 are shown as
they are (rounded), otherwise min..max is stretched onto 0..255.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import PROJECT_ROOT
from tests.api.imagefiles import (
    decode,
    decode_base64_png,
    decode_png_response,
    gradient_gray,
    png,
    post_image,
    random_gray,
    random_rgb,
)
from tests.api.reference import as_pixels, correlate2d, keras_same_pads, luma

PNG = {"accept": "image/png"}
GAUSSIAN_3X3 = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16
SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
SAMPLES = json.loads((PROJECT_ROOT / "static/samples/samples.json").read_text(encoding="utf-8"))


def kernel_text(kernel: np.ndarray) -> str:
    return json.dumps(np.asarray(kernel).tolist())


def test_a_blur_within_0_255_comes_back_as_the_values_themselves(client: TestClient) -> None:
    gray = gradient_gray(8, 10)

    response = post_image(
        client, "/api/convolve", png(gray), headers=PNG, kernel_name="gaussian_blur_3x3"
    )

    assert response.status_code == 200
    expected = correlate2d(gray, GAUSSIAN_3X3)
    assert np.array_equal(decode_png_response(response), as_pixels(expected))
    assert response.headers["x-convlens-output-shape"] == "6,8"
    assert response.headers["x-convlens-pixel-map"] == "identity"
    low, high = expected.min(), expected.max()
    assert response.headers["x-convlens-value-range"] == f"{low:.6g},{high:.6g}"


def test_values_outside_0_255_are_rescaled_from_min_max_onto_0_255(client: TestClient) -> None:
    gray = gradient_gray(6, 6)  # holds 0 and 255

    response = post_image(client, "/api/convolve", png(gray), headers=PNG, kernel="[[-1]]")

    # Values -255..0: pixel = (value - (-255)) * 255 / 255 = 255 - gray.
    assert response.headers["x-convlens-pixel-map"] == "rescale"
    assert response.headers["x-convlens-value-range"] == "-255,0"
    assert np.array_equal(decode_png_response(response), 255 - gray)


def test_clip_mapping_shows_values_above_255_as_white(client: TestClient) -> None:
    gray = gradient_gray(6, 6)

    response = post_image(
        client, "/api/convolve", png(gray), headers=PNG, kernel_name="brighten", mapping="clip"
    )

    brightened = correlate2d(gray, np.array([[0, 0, 0], [0, 1.5, 0], [0, 0, 0]]))
    assert brightened.max() > 255
    assert response.headers["x-convlens-pixel-map"] == "clip"
    assert np.array_equal(decode_png_response(response), as_pixels(np.clip(brightened, 0, 255)))


def test_absolute_mapping_shows_the_size_of_negative_values(client: TestClient) -> None:
    gray = gradient_gray(6, 6)

    response = post_image(
        client, "/api/convolve", png(gray), headers=PNG, kernel="[[-1]]", mapping="absolute"
    )

    assert response.headers["x-convlens-pixel-map"] == "absolute"
    assert np.array_equal(decode_png_response(response), gray)


def test_the_json_answer_carries_the_same_png_in_base64_and_the_numbers_behind_it(
    client: TestClient,
) -> None:
    gray = random_gray(8, 10)
    as_png = post_image(client, "/api/convolve", png(gray), headers=PNG, kernel_name="sharpen")

    response = post_image(client, "/api/convolve", png(gray), kernel_name="sharpen")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    result = response.json()
    assert np.array_equal(decode_base64_png(result["image"]), decode_png_response(as_png))
    expected = correlate2d(gray, SHARPEN)
    assert result["media_type"] == "image/png"
    assert result["output_shape"] == [6, 8]
    assert result["value_range"] == [expected.min(), expected.max()]
    assert result["pixel_map"]["mapping"] == "rescale"
    assert result["kernel"] == SHARPEN.tolist()
    assert result["input"] == {
        "width": 10,
        "height": 8,
        "channels": 1,
        "format": "PNG",
        "mode": "L",
        "notes": [],
    }
    assert result["output_size"]["cols"]["formula"] == "(10 - 3 + 2*0) / 1 + 1 = 7 + 1 = 8"
    assert result["input_image"] is None
    assert result["trace"] is None


def test_rescaled_pixels_stretch_min_max_linearly_onto_0_255(client: TestClient) -> None:
    gray = random_gray(8, 10, seed=0)
    values = correlate2d(gray, SHARPEN)
    low, high = values.min(), values.max()
    # An odd range means no pixel lands exactly on .5, where float32 and float64 could round
    # differently.
    assert (low, high) == (-760, 851)

    result = post_image(client, "/api/convolve", png(gray), kernel_name="sharpen").json()

    assert result["pixel_map"]["mapping"] == "rescale"
    assert (result["pixel_map"]["value_min"], result["pixel_map"]["value_max"]) == (low, high)
    assert "stretched linearly onto 0..255" in result["pixel_map"]["description"]
    expected = np.rint((values - low) * 255 / (high - low))
    assert np.array_equal(decode_base64_png(result["image"]), expected.astype(np.uint8))


def test_accept_lists_pick_png_only_when_png_comes_before_json(client: TestClient) -> None:
    data = png(gradient_gray(4, 4))

    def content_type(accept: str) -> str:
        response = post_image(
            client, "/api/convolve", data, headers={"accept": accept}, kernel="[[1]]"
        )
        return response.headers["content-type"]

    assert content_type("image/png") == "image/png"
    assert content_type("image/png, application/json") == "image/png"
    assert content_type("application/json, image/png") == "application/json"
    assert content_type("*/*") == "application/json"


def test_rgb_filters_each_channel_with_the_kernel(client: TestClient) -> None:
    rgb = random_rgb(7, 9, seed=3)

    response = post_image(
        client, "/api/convolve", png(rgb), kernel_name="gaussian_blur_3x3", padding="same"
    )

    result = response.json()
    assert result["output_shape"] == [7, 9, 3]
    assert result["input"]["channels"] == 3
    pixels = decode_base64_png(result["image"])
    for channel in range(3):
        blurred = correlate2d(rgb[..., channel], GAUSSIAN_3X3, pads=((1, 1), (1, 1)))
        assert np.array_equal(pixels[..., channel], as_pixels(blurred))


def test_gray_runs_the_kernel_on_the_luma_of_an_rgb_image(client: TestClient) -> None:
    # Primaries and greys: their luma is exact, whatever the rounding of the converter.
    rgb = np.array(
        [
            [[255, 0, 0], [0, 255, 0], [0, 0, 255]],
            [[0, 0, 0], [128, 128, 128], [255, 255, 255]],
        ],
        dtype=np.uint8,
    )

    response = post_image(
        client, "/api/convolve", png(rgb), kernel="[[1]]", color="gray", include_input="true"
    )

    result = response.json()
    assert result["output_shape"] == [2, 3]
    assert result["input"]["channels"] == 1
    assert luma(rgb).tolist() == [[76, 150, 29], [0, 128, 255]]
    assert np.array_equal(decode_base64_png(result["image"]), luma(rgb))
    assert np.array_equal(decode_base64_png(result["input_image"]), luma(rgb))


def test_include_input_returns_the_exact_input_pixels(client: TestClient) -> None:
    rgb = random_rgb(5, 6, seed=9)

    result = post_image(
        client, "/api/convolve", png(rgb), kernel_name="outline", include_input="true"
    ).json()

    assert np.array_equal(decode_base64_png(result["input_image"]), rgb)


def test_strides_and_explicit_padding_on_an_image_match_the_reference(
    client: TestClient,
) -> None:
    gray = gradient_gray(9, 11)

    response = post_image(
        client,
        "/api/convolve",
        png(gray),
        headers=PNG,
        kernel=kernel_text(GAUSSIAN_3X3),
        strides="2,3",
        padding="[1, 2]",
    )

    expected = correlate2d(gray, GAUSSIAN_3X3, (2, 3), ((1, 1), (2, 2)))
    assert response.headers["x-convlens-output-shape"] == "5,5"
    assert np.array_equal(decode_png_response(response), as_pixels(expected))


def test_same_padding_on_an_image_follows_the_keras_rule_for_an_even_kernel(
    client: TestClient,
) -> None:
    gray = gradient_gray(7, 8)
    kernel = np.array([[1, 1], [1, 1]]) / 4

    response = post_image(
        client, "/api/convolve", png(gray), headers=PNG, kernel=kernel_text(kernel), padding="same"
    )

    pads = (keras_same_pads(7, 2, 1), keras_same_pads(8, 2, 1))
    assert pads == ((0, 1), (0, 1))
    assert np.array_equal(
        decode_png_response(response), as_pixels(correlate2d(gray, kernel, pads=pads))
    )


def test_trace_on_an_image_explains_the_raw_value_before_mapping(client: TestClient) -> None:
    rgb = random_rgb(5, 5, seed=4)

    result = post_image(
        client, "/api/convolve", png(rgb), kernel_name="sobel_left", trace="1,2"
    ).json()

    sobel_left = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    channels = result["trace"]["channels"]
    assert len(channels) == 3
    for channel, traced in enumerate(channels):
        window = rgb[1:4, 2:5, channel].astype(float)
        assert traced["contributions"][0]["window"] == window.tolist()
        assert traced["output"] == np.sum(window * sobel_left)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["name"] for s in SAMPLES])
def test_each_sample_photo_goes_through_unchanged_with_a_1x1_identity_kernel(
    client: TestClient, sample: dict[str, str]
) -> None:
    data = (PROJECT_ROOT / "static/samples" / sample["file"]).read_bytes()

    response = post_image(
        client, "/api/convolve", data, filename=sample["file"], headers=PNG, kernel="[[1]]"
    )

    assert response.status_code == 200
    assert np.array_equal(decode_png_response(response), decode(data))


def test_a_sample_photo_takes_a_gradient_preset_with_stride_2(client: TestClient) -> None:
    data = (PROJECT_ROOT / "static/samples/camera.png").read_bytes()

    response = post_image(
        client, "/api/convolve", data, headers=PNG, kernel_name="sobel_magnitude", strides="2"
    )

    assert response.status_code == 200
    assert response.headers["x-convlens-output-shape"] == "255,255"
    assert decode_png_response(response).shape == (255, 255)


def test_deflate_compression_gives_the_same_pixels_in_a_smaller_png(client: TestClient) -> None:
    photo = (PROJECT_ROOT / "static/samples/camera.png").read_bytes()
    responses = {
        compression: post_image(
            client,
            "/api/convolve",
            photo,
            headers={"accept": "image/png"},
            kernel_name="gaussian_blur_3x3",
            png_compression=compression,
        )
        for compression in ("none", "deflate")
    }

    assert all(r.status_code == 200 for r in responses.values())
    stored, deflated = responses["none"].content, responses["deflate"].content
    assert len(deflated) < len(stored) / 1.5
    np.testing.assert_array_equal(decode(stored), decode(deflated))
