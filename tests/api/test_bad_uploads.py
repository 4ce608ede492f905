"""Uploads that are not images, broken images, and bodies or images over the caps."""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.config import PROJECT_ROOT, Settings
from tests.api.imagefiles import (
    compressed_bomb_png,
    encode,
    png,
    png_with_header_size,
    post_image,
    random_rgb,
)
from tests.conftest import SMALL_UPLOAD_CAP_BYTES, make_client

NOT_AN_IMAGE = (
    "The upload is not an image this app can read. Supported formats: PNG, JPEG, GIF, BMP, "
    "WEBP, TIFF. Save it as PNG or JPEG and try again."
)
TOO_LARGE_BODY = (
    "The request body is larger than 16,384 bytes, the most this server accepts. Send a "
    "smaller file: scale the image down or save it as JPEG."
)
TOO_LARGE_JSON = (
    "The JSON body is larger than 16,384 bytes, the most this server takes as JSON. Send a "
    "smaller grid, or send a picture as an image file to POST /api/convolve or /api/pool."
)
IMAGE_ENDPOINTS = [
    "/api/convolve",
    "/api/pool",
    "/api/models/lenet5/predict",
    "/api/models/mnist-cnn/activations",
]


@pytest.mark.parametrize("path", IMAGE_ENDPOINTS)
@pytest.mark.parametrize(
    "data",
    [b"hello, world", b"%PDF-1.4\n1 0 obj\n", b"<svg xmlns='http://www.w3.org/2000/svg'/>"],
    ids=["text", "pdf", "svg"],
)
def test_bytes_that_are_not_an_image_are_refused_with_415(
    client: TestClient, path: str, data: bytes
) -> None:
    # Every form refuses fields it does not take: only the lab's have a kernel.
    form = {"kernel_name": "identity"} if path in ("/api/convolve", "/api/pool") else {}

    response = post_image(client, path, data, **form)

    assert response.status_code == 415
    assert response.json() == {"detail": NOT_AN_IMAGE}


@pytest.mark.parametrize("path", IMAGE_ENDPOINTS)
def test_an_empty_file_is_refused_with_415(client: TestClient, path: str) -> None:
    response = post_image(client, path, b"")

    assert response.status_code == 415
    assert response.json() == {
        "detail": "The uploaded image is empty (0 bytes). Choose a PNG or JPEG file."
    }


@pytest.mark.parametrize("format", ["PNG", "JPEG"])
def test_an_image_cut_off_in_its_pixel_data_is_refused_as_truncated(
    client: TestClient, format: str
) -> None:
    data = encode(Image.fromarray(random_rgb(64, 64)), format)

    response = post_image(client, "/api/convolve", data[: len(data) // 2], kernel="[[1]]")

    assert response.status_code == 415
    detail = response.json()["detail"]
    assert detail.startswith(f"The {format} image could not be decoded (image file is truncated")
    assert detail.endswith("the file may be truncated or corrupt. Re-save it and try again.")


def test_a_jpeg_cut_off_in_its_header_is_refused_with_415(client: TestClient) -> None:
    data = encode(Image.fromarray(random_rgb(8, 8)), "JPEG")

    response = post_image(client, "/api/convolve", data[:200], kernel="[[1]]")

    assert response.status_code == 415
    assert response.json()["detail"].startswith("The image header could not be read")


def test_a_png_cut_off_in_its_header_is_refused_with_415(client: TestClient) -> None:
    data = png(random_rgb(8, 8))

    response = post_image(client, "/api/convolve", data[:30], kernel="[[1]]")

    assert response.status_code == 415
    assert response.json() == {"detail": NOT_AN_IMAGE}


def test_an_image_whose_header_claims_too_many_pixels_is_refused_before_decoding(
    client: TestClient,
) -> None:
    # 67 bytes whose header says 5000x5000. Decoding would fail as truncated (415), so a 413
    # shows the pixel count was judged from the header alone.
    data = png_with_header_size(5000, 5000)

    response = post_image(client, "/api/convolve", data, kernel="[[1]]")

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The image has 5000x5000 = 25,000,000 pixels; at most 1,048,576 pixels are "
        "accepted. Scale it down (for example to 1024 pixels on its longer side) and upload it "
        "again."
    }


THIN_IMAGE_REFUSED = (
    "The image is {width}x{height} pixels; each side may be at most 4,096 pixels. Crop it or "
    "scale it down so that its longer side is at most 4,096 pixels, and upload it again."
)


@pytest.mark.parametrize("path", IMAGE_ENDPOINTS)
def test_a_thin_image_under_the_pixel_cap_is_refused_by_the_side_cap(
    client: TestClient, path: str
) -> None:
    # 5,000 pixels, far under the 1,048,576-pixel cap: padded by 64 on every side it would hold
    # 129 times as many, which is why each side is capped on its own.
    data = png(np.zeros((5000, 1), dtype=np.uint8))
    form = {"kernel": "[[1]]", "padding": "64"} if path == "/api/convolve" else {}

    response = post_image(client, path, data, **form)

    assert response.status_code == 413
    assert response.json() == {"detail": THIN_IMAGE_REFUSED.format(width=1, height=5000)}


def test_a_header_claiming_a_side_over_the_cap_is_refused_before_decoding(
    client: TestClient,
) -> None:
    response = post_image(client, "/api/convolve", png_with_header_size(4097, 1), kernel="[[1]]")

    assert response.status_code == 413
    assert response.json() == {"detail": THIN_IMAGE_REFUSED.format(width=4097, height=1)}


def test_an_image_at_the_side_cap_is_accepted(client: TestClient) -> None:
    data = png(np.zeros((1, 4096), dtype=np.uint8))

    response = post_image(client, "/api/convolve", data, kernel="[[1]]")

    assert response.status_code == 200


@pytest.mark.parametrize("path", IMAGE_ENDPOINTS)
def test_a_real_image_one_pixel_over_the_cap_is_refused(
    small_caps_client: TestClient, path: str
) -> None:
    data = png(np.zeros((100, 101), dtype=np.uint8))

    response = post_image(small_caps_client, path, data)

    assert response.status_code == 413
    assert response.json()["detail"].startswith(
        "The image has 101x100 = 10,100 pixels; at most 10,000 pixels are accepted."
    )


def test_an_image_at_the_pixel_cap_is_accepted(small_caps_client: TestClient) -> None:
    response = post_image(small_caps_client, "/api/pool", png(np.zeros((100, 100), dtype=np.uint8)))

    assert response.status_code == 200


def test_a_decompression_bomb_is_refused_with_413(client: TestClient) -> None:
    # 48 KB of PNG that would decode to 20000x20000 = 400 million pixels.
    bomb = compressed_bomb_png(20_000)

    response = post_image(client, "/api/convolve", bomb, kernel="[[1]]")

    assert response.status_code == 413
    assert "at most 1,048,576 pixels are accepted" in response.json()["detail"]


def test_a_decompression_bomb_is_refused_with_its_pixel_count(client: TestClient) -> None:
    response = post_image(client, "/api/convolve", compressed_bomb_png(20_000), kernel="[[1]]")

    # Pillow's own limit fires before the header can be read, so the count comes from Pillow.
    assert response.json()["detail"].startswith("The image has 400,000,000 pixels;")


@pytest.mark.parametrize("path", IMAGE_ENDPOINTS)
def test_an_upload_over_the_byte_cap_is_refused_from_its_content_length(
    small_caps_client: TestClient, path: str
) -> None:
    response = post_image(small_caps_client, path, b"\x00" * (SMALL_UPLOAD_CAP_BYTES + 1))

    assert response.request.headers["content-length"].isdigit()
    assert response.status_code == 413
    assert response.json() == {"detail": TOO_LARGE_BODY}


# The model endpoints stream their uploads too: the cap holds there as for the Kernel lab.
@pytest.mark.parametrize("path", ["/api/convolve", "/api/models/lenet5/predict"])
def test_an_upload_over_the_byte_cap_is_refused_while_streaming_without_a_length(
    small_caps_client: TestClient, path: str
) -> None:
    boundary = "convlens-test"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + b"\x00" * (2 * SMALL_UPLOAD_CAP_BYTES)
        + f"\r\n--{boundary}--\r\n".encode()
    )

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    response = small_caps_client.post(
        path,
        content=chunks(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json() == {"detail": TOO_LARGE_BODY}


@pytest.mark.parametrize("path", ["/api/convolve/matrix", "/api/pool/matrix"])
def test_a_json_body_over_the_byte_cap_is_refused_from_its_content_length(
    small_caps_client: TestClient, path: str
) -> None:
    body = {"input": [[0.5] * 100] * 100, "kernel": [[1]]}

    response = small_caps_client.post(path, json=body)

    assert int(response.request.headers["content-length"]) > SMALL_UPLOAD_CAP_BYTES
    assert response.status_code == 413
    assert response.json() == {"detail": TOO_LARGE_JSON}


@pytest.mark.parametrize("path", ["/api/convolve/matrix", "/api/pool/matrix"])
def test_a_json_body_over_the_byte_cap_is_refused_while_streaming(
    small_caps_client: TestClient, path: str
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"input": ['
        for _ in range(1000):
            yield b"[1, 2, 3, 4, 5, 6, 7, 8, 9, 10],"
        yield b"[0]]}"

    response = small_caps_client.post(
        path, content=chunks(), headers={"content-type": "application/json"}
    )

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.json() == {"detail": TOO_LARGE_JSON}


def test_json_has_a_smaller_cap_than_uploads_and_a_body_without_a_type_counts_as_json() -> None:
    grid = json.dumps({"input": [[1] * 60] * 60, "kernel": [[1]]}).encode()  # 11 KB
    assert 8192 < len(grid) < 16_384
    photo = (PROJECT_ROOT / "static/samples/camera.png").read_bytes()  # 474 KB
    with make_client(Settings(max_json_bytes=8192)) as capped:
        as_json = capped.post(
            "/api/convolve/matrix", content=grid, headers={"content-type": "application/json"}
        )
        untyped = capped.post("/api/convolve/matrix", content=grid)
        image = capped.post(
            "/api/convolve", files={"image": ("c.png", photo)}, data={"kernel_name": "identity"}
        )

    for refused in (as_json, untyped):
        assert refused.status_code == 413
        assert refused.json()["detail"].startswith("The JSON body is larger than 8,192 bytes")
    assert image.status_code == 200
