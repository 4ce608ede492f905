"""Real MNIST digits re-drawn as canvas drawings and photos, for the preprocessing tests.

A digit's strokes are enlarged smoothly and thresholded (a round brush's crisp outline), made
thicker or thinner, anti-aliased, and placed on a canvas; then rendered as a user's upload would
be: white on black, black on white, a transparent canvas export, or a photographed page.
"""

from __future__ import annotations

import io
from functools import cache
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from app.core.decoding import DecodedImage, decode_image
from tests.data.cut_mnist import SLICE

CANVAS = 280
Style = Literal[
    "white_on_black", "black_on_white", "transparent_black", "transparent_white", "paper_photo"
]
STYLES: tuple[Style, ...] = (
    "white_on_black",
    "black_on_white",
    "transparent_black",
    "transparent_white",
    "paper_photo",
)


@cache
def mnist_test_set() -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    with np.load(SLICE) as data:
        return data["x_test"], data["y_test"]


def strokes(digit: NDArray[np.uint8], height: int, thickness: int = 0) -> NDArray[np.float32]:
    """The digit's ink, ``height`` pixels tall, as anti-aliased coverage in [0, 1].

    ``thickness`` > 0 dilates the strokes by that many pixels on each side, < 0 erodes them.
    Drawn at 4x and reduced by area averaging, as a canvas anti-aliases its brush.
    """
    rows = np.flatnonzero(digit.any(axis=1))
    cols = np.flatnonzero(digit.any(axis=0))
    crop = digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float32) / 255
    width = max(1, round(crop.shape[1] * height / crop.shape[0]))
    big = cv2.resize(crop, (4 * width, 4 * height), interpolation=cv2.INTER_CUBIC)
    ink = (big > 0.5).astype(np.uint8)
    if thickness:
        size = 8 * abs(thickness) + 1
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
        morph = cv2.dilate if thickness > 0 else cv2.erode
        # Room to grow: pad first so dilation is not clipped at the edges.
        ink = cv2.copyMakeBorder(ink, *(size,) * 4, cv2.BORDER_CONSTANT, value=0)
        ink = morph(ink, kernel)
    small = cv2.resize(ink.astype(np.float32), None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    return np.clip(small, 0.0, 1.0)


def paste(ink: NDArray[np.float32], top: int, left: int, size: int = CANVAS) -> NDArray[np.float32]:
    """The ink placed with its top-left corner at (top, left) on an empty ``size`` canvas."""
    canvas = np.zeros((size, size), np.float32)
    bottom, right = min(size, top + ink.shape[0]), min(size, left + ink.shape[1])
    canvas[top:bottom, left:right] = ink[: bottom - top, : right - left]
    return canvas


def render(coverage: NDArray[np.float32], style: Style, seed: int = 0) -> DecodedImage:
    """Ink coverage (1 = ink) rendered as an upload in ``style``, encoded and decoded again."""
    if style == "white_on_black":
        return decode(png(_grey(coverage)))
    if style == "black_on_white":
        return decode(png(_grey(1.0 - coverage)))
    if style in ("transparent_black", "transparent_white"):
        rgba = np.zeros((*coverage.shape, 4), np.uint8)
        rgba[..., :3] = 255 if style == "transparent_white" else 0
        rgba[..., 3] = _grey(coverage)
        return decode(png(rgba))
    return decode(jpeg(photo(coverage, seed)))


def photo(coverage: NDArray[np.float32], seed: int = 0) -> NDArray[np.uint8]:
    """A page photographed in uneven light: grey paper brightening from 0.55 to 0.85 left to
    right, graphite ink at 0.2, sensor noise of 0.03, in a faintly yellow RGB."""
    rng = np.random.default_rng(seed)
    paper = np.linspace(0.55, 0.85, coverage.shape[1], dtype=np.float32)[np.newaxis, :]
    grey = paper * (1.0 - coverage) + 0.2 * coverage
    grey = grey + rng.normal(0.0, 0.03, coverage.shape).astype(np.float32)
    tint = np.array([1.0, 0.98, 0.9], np.float32)
    return np.clip(grey[..., np.newaxis] * tint * 255 + 0.5, 0, 255).astype(np.uint8)


def png(pixels: NDArray[np.uint8]) -> bytes:
    """PNG of grey ``(H, W)``, RGB or RGBA ``(H, W, 3 | 4)`` pixels (Pillow infers the mode)."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def jpeg(pixels: NDArray[np.uint8], quality: int = 75) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def decode(data: bytes) -> DecodedImage:
    return decode_image(data, 4096 * 4096)


def _grey(values: NDArray[np.float32]) -> NDArray[np.uint8]:
    return np.clip(values * 255 + 0.5, 0, 255).astype(np.uint8)
