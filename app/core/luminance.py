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
from app.i18n import gettext, translate

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
            translate(
                "The {height}x{width} image was reduced to {reduced_h}x{reduced_w} (averaging "
                "areas) to find the ink; the digit ends up 20 pixels tall either way.",
                {"height": height, "width": width, "reduced_h": size[1], "reduced_w": size[0]},
            )
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
        notes.append(gettext("The image is fully transparent: there is nothing drawn on it."))
        return grey
    transparency = 1.0 - alpha
    premultiplied = grey - transparency
    opaque_luminance = float(premultiplied.sum()) / covered
    light = opaque_luminance >= 0.5
    mostly_opaque = covered / alpha.size >= 0.5
    fill = float(light) if mostly_opaque else float(not light)
    notes.append(_transparency_note(light, mostly_opaque, opaque_luminance))
    if fill == 1.0:
        return grey
    return cast(FloatArray, np.clip(premultiplied, 0.0, 1.0))


def _transparency_note(light: bool, mostly_opaque: bool, luminance: float) -> str:
    """How the transparent parts were filled and why, in the request's language."""
    params = {"luminance": luminance}
    match light, mostly_opaque:
        case True, True:
            return translate(
                "The opaque pixels are light (mean luminance {luminance:.2f}): most of the image "
                "is opaque, so its transparent parts were given its own tone, white.",
                params,
            )
        case False, True:
            return translate(
                "The opaque pixels are dark (mean luminance {luminance:.2f}): most of the image "
                "is opaque, so its transparent parts were given its own tone, black.",
                params,
            )
        case True, False:
            return translate(
                "The opaque pixels are light (mean luminance {luminance:.2f}): transparent areas "
                "were filled to contrast with the strokes, black.",
                params,
            )
        case _:
            return translate(
                "The opaque pixels are dark (mean luminance {luminance:.2f}): transparent areas "
                "were filled to contrast with the strokes, white.",
                params,
            )
