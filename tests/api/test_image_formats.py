"""Unusual but valid uploads are handled (200), each with a note saying what was done."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.api.imagefiles import decode, decode_base64_png, encode, png, post_image, random_rgb


def convolve_1x1(client: TestClient, data: bytes, **form: str) -> dict[str, Any]:
    """Apply the kernel [[1]]: the output is the decoded input itself."""
    response = post_image(client, "/api/convolve", data, kernel="[[1]]", **form)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_an_animated_gif_uses_its_first_frame_and_says_so(client: TestClient) -> None:
    frames = [Image.new("L", (4, 3), value) for value in (10, 200, 90)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)

    result = convolve_1x1(client, data)

    assert np.array_equal(decode_base64_png(result["image"]), np.full((3, 4, 3), 10))
    assert result["input"]["format"] == "GIF"
    assert "The image has 3 frames; the first one is used." in result["input"]["notes"]


def test_a_16_bit_png_is_scaled_to_8_bits(client: TestClient) -> None:
    deep = (np.arange(12, dtype=np.uint16).reshape(3, 4) * 5957).astype(np.uint16)
    data = encode(Image.fromarray(deep))
    assert Image.open(io.BytesIO(data)).mode == "I;16"

    result = convolve_1x1(client, data)

    assert np.array_equal(decode_base64_png(result["image"]), np.rint(deep / 257))
    assert result["input"]["mode"] == "I;16"
    assert result["input"]["notes"] == ["The 16-bit image was scaled to 8 bits (value / 257)."]


def test_a_cmyk_jpeg_is_converted_to_rgb(client: TestClient) -> None:
    data = encode(Image.new("CMYK", (8, 8), (0, 255, 0, 0)), "JPEG", quality=95)

    result = convolve_1x1(client, data)

    pixels = decode_base64_png(result["image"]).astype(int)
    assert pixels.shape == (8, 8, 3)
    assert np.abs(pixels - [255, 0, 255]).max() <= 3  # no cyan, full magenta: R and B full
    assert result["input"]["mode"] == "CMYK"
    assert result["input"]["notes"] == ["The CMYK image was converted to RGB."]


def test_a_palette_png_with_a_transparent_entry_shows_white_there(client: TestClient) -> None:
    image = Image.new("P", (3, 2), 0)
    image.putpalette([0, 0, 0, 255, 0, 0, 0, 0, 255])
    image.putpixel((1, 0), 1)
    image.putpixel((2, 1), 2)

    result = convolve_1x1(client, encode(image, transparency=0))

    white, red, blue = [255, 255, 255], [255, 0, 0], [0, 0, 255]
    assert decode_base64_png(result["image"]).tolist() == [
        [white, red, white],
        [white, white, blue],
    ]
    assert result["input"]["mode"] == "P"
    assert result["input"]["notes"] == ["Transparent areas were placed on a white background."]


def test_a_palette_png_without_transparency_is_expanded_to_rgb(client: TestClient) -> None:
    image = Image.new("P", (2, 1), 0)
    image.putpalette([10, 20, 30, 40, 50, 60])
    image.putpixel((1, 0), 1)

    result = convolve_1x1(client, encode(image))

    assert decode_base64_png(result["image"]).tolist() == [[[10, 20, 30], [40, 50, 60]]]
    assert result["input"]["notes"] == ["The palette image was expanded to RGB."]


def test_rgba_is_composited_on_white(client: TestClient) -> None:
    rgba = np.array([[[255, 0, 0, 255], [0, 0, 0, 0], [0, 0, 0, 128], [0, 0, 255, 51]]], np.uint8)

    result = convolve_1x1(client, png(rgba, "RGBA"))

    # Each channel: value * alpha + 255 * (1 - alpha), alpha = A / 255.
    alpha = rgba[..., 3:] / 255
    expected = rgba[..., :3] * alpha + 255 * (1 - alpha)
    assert np.rint(expected).tolist() == [
        [[255, 0, 0], [255, 255, 255], [127, 127, 127], [204, 204, 255]]
    ]
    assert np.array_equal(decode_base64_png(result["image"]), np.rint(expected))
    assert result["input"]["channels"] == 3
    assert result["input"]["notes"] == ["Transparent areas were placed on a white background."]


def test_gray_with_alpha_stays_gray_on_white(client: TestClient) -> None:
    la = np.array([[[0, 0], [100, 255], [0, 255]]], dtype=np.uint8)

    result = convolve_1x1(client, png(la, "LA"))

    assert decode_base64_png(result["image"]).tolist() == [[255, 100, 0]]
    assert result["input"]["channels"] == 1


@pytest.mark.parametrize(
    ("orientation", "turns"),
    [(3, 2), (6, -1), (8, 1)],
    ids=["upside-down", "rotate-clockwise", "rotate-anticlockwise"],
)
def test_an_exif_rotated_jpeg_is_turned_upright(
    client: TestClient, orientation: int, turns: int
) -> None:
    stored = np.repeat(np.repeat(np.arange(6, dtype=np.uint8).reshape(2, 3) * 40, 8, 0), 8, 1)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(Image.fromarray(stored), "JPEG", exif=exif.tobytes(), quality=95)

    result = convolve_1x1(client, data)

    upright = np.rot90(decode(data), turns)  # np.rot90 turns anticlockwise for positive turns
    assert np.array_equal(decode_base64_png(result["image"]), upright)
    assert result["input"]["notes"] == [
        f"The image was rotated upright from its EXIF orientation ({orientation})."
    ]


def test_an_exif_orientation_of_1_changes_nothing(client: TestClient) -> None:
    exif = Image.Exif()
    exif[0x0112] = 1
    stored = np.full((4, 6), 77, dtype=np.uint8)

    result = convolve_1x1(client, encode(Image.fromarray(stored), "JPEG", exif=exif.tobytes()))

    assert result["output_shape"] == [4, 6]
    assert result["input"]["notes"] == []


@pytest.mark.parametrize("orientation", [0, 9, 65535])
def test_an_exif_orientation_outside_2_to_8_changes_nothing_and_says_nothing(
    client: TestClient, orientation: int
) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored = np.repeat(np.arange(6, dtype=np.uint8).reshape(2, 3) * 40, 8, 0)
    data = encode(Image.fromarray(stored), "JPEG", exif=exif.tobytes(), quality=95)

    result = convolve_1x1(client, data)

    assert np.array_equal(decode_base64_png(result["image"]), decode(data))
    assert result["input"]["notes"] == []


def test_a_1_bit_image_becomes_black_and_white_gray(client: TestClient) -> None:
    bits = Image.fromarray(np.array([[0, 255], [255, 0]], dtype=np.uint8)).convert("1")

    result = convolve_1x1(client, encode(bits))

    assert decode_base64_png(result["image"]).tolist() == [[0, 255], [255, 0]]
    assert result["input"]["mode"] == "1"


@pytest.mark.parametrize(
    ("format", "params"),
    [("BMP", {}), ("TIFF", {}), ("WEBP", {"lossless": True}), ("GIF", {})],
)
def test_each_allowed_lossless_format_decodes_to_the_exact_pixels(
    client: TestClient, format: str, params: dict[str, object]
) -> None:
    rgb = random_rgb(5, 7, seed=11)  # 35 colours: a GIF palette holds them all

    result = convolve_1x1(client, encode(Image.fromarray(rgb), format, **params))

    assert np.array_equal(decode_base64_png(result["image"]), rgb)
    assert result["input"]["format"] == format


def test_a_1_pixel_image_is_too_small_for_a_3x3_kernel_without_padding(
    client: TestClient,
) -> None:
    response = post_image(
        client, "/api/convolve", png(np.array([[7]], np.uint8)), kernel_name="identity"
    )

    assert response.status_code == 422
    assert response.json()["detail"] == (
        "The kernel (3x3) is larger than the padded input (1x1) along the rows. Use a smaller "
        'kernel, a larger input, or more padding (for example padding "same").'
    )


def test_a_1_pixel_image_takes_a_1x1_kernel(client: TestClient) -> None:
    result = post_image(
        client, "/api/convolve", png(np.array([[7]], np.uint8)), kernel="[[2]]"
    ).json()

    assert result["output_shape"] == [1, 1]
    assert decode_base64_png(result["image"]).tolist() == [[14]]


def test_a_1_pixel_image_takes_a_3x3_kernel_with_same_padding(client: TestClient) -> None:
    result = post_image(
        client,
        "/api/convolve",
        png(np.array([[7]], np.uint8)),
        kernel_name="sharpen",
        padding="same",
    ).json()

    assert decode_base64_png(result["image"]).tolist() == [[35]]
