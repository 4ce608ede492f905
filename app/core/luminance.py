"""The ink search's grey image: luminance in [0, 1], a large image reduced, transparency composited.

This is the **grey** step of :func:`app.core.ink.find_ink`: images over :data:`WORKING_SIZE`
pixels on a side are reduced by area averaging (the digit ends up 20 pixels tall either way), and
transparency is composited onto a background that contrasts with the strokes (:func:`composite`).
"""

from __future__ import annotations

from typing import cast

import cv2
import numpy as np
from numpy.typing import NDArray

from app.core.decoding import DecodedImage, UInt8Array

FloatArray = NDArray[np.float32]

WORKING_SIZE = 1024


def working_grey(
    image: DecodedImage, notes: list[str]
) -> tuple[NDArray[np.uint8], NDArray[np.uint8] | None, float]:
    """Luminance and alpha (uint8), reduced if large, alpha None if opaque; the reduction factor."""
    pixels = image.pixels
    grey = cast(
        UInt8Array, cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY) if pixels.ndim == 3 else pixels
    )
    alpha = image.alpha
    height, width = grey.shape
    factor = max(height, width) / WORKING_SIZE
    if factor > 1.0:
        size = (max(1, round(width / factor)), max(1, round(height / factor)))
        grey = cast(UInt8Array, cv2.resize(grey, size, interpolation=cv2.INTER_AREA))
        if alpha is not None:
            alpha = cast(UInt8Array, cv2.resize(alpha, size, interpolation=cv2.INTER_AREA))
        notes.append(
            f"The {height}x{width} image was reduced to {size[1]}x{size[0]} (averaging areas) to "
            "find the ink; the digit ends up 20 pixels tall either way."
        )
    else:
        factor = 1.0
    if alpha is not None and int(alpha.min()) == 255:
        alpha = None  # opaque: nothing to composite (a canvas export with a filled background)
    return grey, alpha, factor


def to_unit(pixels: NDArray[np.uint8]) -> FloatArray:
    return cast(FloatArray, np.multiply(pixels, np.float32(1 / 255), dtype=np.float32))


LEVELS = to_unit(np.arange(256, dtype=np.uint8))  # what each grey level becomes in [0, 1]
LEVELS.flags.writeable = False


def composite(grey: FloatArray, alpha: FloatArray, notes: list[str]) -> FloatArray:
    """Composite again, onto a background that contrasts with the strokes.

    ``grey`` arrives composited onto white, ``grey = alpha * colour + (1 - alpha)``, so
    ``grey - (1 - alpha)`` is the premultiplied colour, and adding ``(1 - alpha) * b`` puts it on
    background ``b`` instead. A transparent canvas has its strokes opaque and its background
    transparent, often black at alpha 0: black strokes belong on white, but white strokes would
    vanish there, so the strokes' mean luminance (weighted by alpha) picks white or black.
    Compositing, rather than taking alpha itself as the ink, keeps one path for every source:
    polarity, background and ink are then found the same way as for an opaque image, strokes of
    any colour work, and anti-aliased edges keep their coverage. When most of the image is
    opaque, the opaque part is the picture itself (a photo with rounded or cut-out corners): its
    transparent parts then take its own tone, so they do not look like ink.
    """
    if float(alpha.min()) >= 1.0:
        return grey
    covered = float(alpha.sum())
    if covered == 0.0:
        notes.append("The image is fully transparent: there is nothing drawn on it.")
        return grey
    transparency = 1.0 - alpha
    premultiplied = grey - transparency
    opaque_luminance = float(premultiplied.sum()) / covered
    light = opaque_luminance >= 0.5
    if covered / alpha.size >= 0.5:
        fill = 1.0 if light else 0.0
        why = "most of the image is opaque, so its transparent parts were given its own tone"
    else:
        fill = 0.0 if light else 1.0
        why = "transparent areas were filled to contrast with the strokes"
    notes.append(
        f"The opaque pixels are {'light' if light else 'dark'} (mean luminance "
        f"{opaque_luminance:.2f}): {why}, {'white' if fill else 'black'}."
    )
    if fill == 1.0:
        return grey
    return cast(FloatArray, np.clip(premultiplied, 0.0, 1.0))
