"""Image files built in memory for upload tests, and decoding of the PNGs the API returns."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from httpx2 import Response
from PIL import Image


def encode(image: Image.Image, format: str = "PNG", **params: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **params)
    return buffer.getvalue()


def png(pixels: np.ndarray, mode: str | None = None) -> bytes:
    return encode(Image.fromarray(np.asarray(pixels), mode))


def decode(data: bytes) -> np.ndarray:
    """Pixels of an image file, exactly as stored (no orientation or colour conversion)."""
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image)


def decode_png_response(response: Response) -> np.ndarray:
    assert response.headers["content-type"] == "image/png"
    return decode(response.content)


def decode_base64_png(text: str) -> np.ndarray:
    data = base64.b64decode(text, validate=True)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return decode(data)


def gradient_gray(height: int = 8, width: int = 10) -> np.ndarray:
    """Every pixel a different value, 0..255 included, so crops and shifts show."""
    values = np.linspace(0, 255, height * width).round().astype(np.uint8)
    return values.reshape(height, width)


def random_rgb(height: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def random_gray(height: int, width: int, seed: int = 0) -> np.ndarray:
    return random_rgb(height, width, seed)[..., 0].copy()


def png_with_header_size(width: int, height: int) -> bytes:
    """A PNG whose IHDR claims ``width x height`` 8-bit gray pixels but whose data is one row.

    Decoding it would fail as truncated, so a 413 proves the size was judged from the header.
    """
    real = png(np.zeros((1, 1), dtype=np.uint8))
    ihdr_start = 8 + 4  # signature, then the chunk length
    fields = struct.pack(">II", width, height) + real[ihdr_start + 4 + 8 : ihdr_start + 4 + 13]
    chunk = b"IHDR" + fields
    patched_ihdr = chunk + struct.pack(">I", zlib.crc32(chunk))
    return real[:ihdr_start] + patched_ihdr + real[ihdr_start + 4 + 13 + 4 :]


def compressed_bomb_png(side: int) -> bytes:
    """A real, valid ``side x side`` 1-bit all-black PNG: a few tens of KB that decode to
    ``side**2`` pixels. Built row by row so the test never holds the whole image."""
    row = b"\x00" + bytes((side + 7) // 8)  # filter type 0, then the packed bits
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit grayscale
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def post_image(
    client: TestClient,
    path: str,
    data: bytes,
    filename: str = "upload.png",
    headers: dict[str, str] | None = None,
    **form: str,
) -> Response:
    return client.post(
        path,
        files={"image": (filename, data, "application/octet-stream")},
        data=form,
        headers=headers,
    )


def seven_png() -> bytes:
    """MNIST's first test digit (a 7), drawn 4x larger, white on black, as a PNG."""
    from tests.drawings import mnist_test_set

    images, labels = mnist_test_set()
    assert labels[0] == 7
    return png(np.kron(images[0], np.ones((4, 4), dtype=np.uint8)))
