"""Images of digits as the app receives them: Draw page exports, photos, MNIST's own files."""

from __future__ import annotations

import io
import os

import cv2
import numpy as np
from _common import PROJECT_ROOT
from numpy.typing import NDArray
from PIL import Image

UInt8Array = NDArray[np.uint8]
# The MNIST digits the tests ship (tests/data/README.md); CONVLENS_MNIST names another .npz.
MNIST = os.environ.get("CONVLENS_MNIST", str(PROJECT_ROOT / "tests/data/mnist-slice.npz"))
CANVAS, INK, PAPER = 280, 0x11, 0xFF  # static/js/config.js SKETCH: size, ink, paper


def load_digits() -> tuple[list[UInt8Array], list[int]]:
    """The first MNIST test digit of each class, with the first test digit (a 7) first."""
    with np.load(MNIST) as data:
        images, labels = data["x_test"], data["y_test"]
    order = [0] + [int(np.flatnonzero(labels == d)[0]) for d in range(10) if d != labels[0]]
    return [images[i] for i in order], [int(labels[i]) for i in order]


def canvas_png(digit: UInt8Array) -> bytes:
    """A 28x28 MNIST digit as the Draw page exports a drawing of it (``canvas.toDataURL``).

    280x280 RGBA PNG, opaque, ink #111111 on white: the digit scaled 10x, with strokes about
    20 pixels wide and anti-aliased edges one or two pixels wide, as a round brush leaves them.
    """
    big = cv2.resize(digit, (CANVAS, CANVAS), interpolation=cv2.INTER_CUBIC) / 255.0
    coverage = np.clip((big - 0.45) * 5.0 + 0.5, 0.0, 1.0)
    grey = np.rint(PAPER - coverage * (PAPER - INK)).astype(np.uint8)
    rgba = np.dstack([grey, grey, grey, np.full_like(grey, 255)])
    buffer = io.BytesIO()
    Image.fromarray(rgba).save(buffer, format="PNG")
    return buffer.getvalue()


def photo_jpeg(digit: UInt8Array, seed: int) -> bytes:
    """An 800x600 'photo' of the digit in pencil on paper lit from one side, as a JPEG."""
    rng = np.random.default_rng(seed)
    paper = np.linspace(150, 215, 800)[None, :] + rng.normal(0, 3, (600, 800))
    ink = cv2.resize(digit, (400, 400), interpolation=cv2.INTER_CUBIC) / 255.0
    paper[100:500, 200:600] -= ink * 110
    grey = np.clip(paper, 0, 255).astype(np.uint8)
    bgr = cv2.merge([grey, grey, grey])
    ok, encoded = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    return encoded.tobytes()


def plain_png(pixels: UInt8Array) -> bytes:
    """8-bit grey PNG: the file the app decodes with libspng."""
    ok, encoded = cv2.imencode(".png", pixels)
    assert ok
    return encoded.tobytes()
