"""Arrays as pictures: colour mode, float values mapped to 0..255 pixels (saying how), PNG."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

import cv2
import numpy as np
from numpy.typing import NDArray

from app.core.decoding import UInt8Array
from app.errors import InvalidParameter
from app.i18n import translate

# How results are encoded; both are lossless PNG. Deflating (zlib level 1, run-length matching,
# the Up filter) makes a file about 2.3 times smaller but costs more than the convolution itself
# (bench/endpoint.py measures both), so storing the rows is the default.
PngCompression = Literal["none", "deflate"]
PNG_PARAMS: dict[PngCompression, list[int]] = {
    "none": [cv2.IMWRITE_PNG_COMPRESSION, 0, cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_NONE],
    "deflate": [
        cv2.IMWRITE_PNG_COMPRESSION, 1,
        cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE,
        cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_UP,
    ],
}  # fmt: skip
ColorMode = Literal["rgb", "gray"]
PixelMapping = Literal["auto", "clip", "rescale", "absolute"]


@dataclass(frozen=True)
class PixelMap:
    """How float results were turned into 0..255 pixels, said plainly."""

    mapping: Literal["identity", "clip", "rescale", "absolute"]
    value_min: float
    value_max: float
    description: str


def to_color(pixels: UInt8Array, color: ColorMode) -> UInt8Array:
    """``gray`` gives luma (ITU-R 601: 0.299 R + 0.587 G + 0.114 B); ``rgb`` leaves it as is."""
    if color == "gray" and pixels.ndim == 3:
        return cast(UInt8Array, cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY))
    return pixels


def to_pixels(
    values: NDArray[np.floating], mapping: PixelMapping = "auto"
) -> tuple[UInt8Array, PixelMap]:
    """Map float results to 0..255, saying how; nothing is clipped without saying so."""
    if values.size == 0:
        raise InvalidParameter("There are no values to show: the result is empty.")
    low, high = float(values.min()), float(values.max())
    in_range = low >= 0.0 and high <= 255.0
    if mapping == "auto":
        mapping = "clip" if in_range else "rescale"
        if in_range:
            return _saturate(values), PixelMap(
                "identity",
                low,
                high,
                translate(
                    "Values lie in [{low:.4g}, {high:.4g}], inside 0..255: each pixel is its "
                    "value, rounded.",
                    {"low": low, "high": high},
                ),
            )
    if mapping == "clip":
        return _saturate(values), PixelMap(
            "clip",
            low,
            high,
            translate(
                "Values lie in [{low:.4g}, {high:.4g}]; values below 0 are shown as 0 (black) and "
                "above 255 as 255 (white).",
                {"low": low, "high": high},
            ),
        )
    if mapping == "absolute":
        return _saturate(np.abs(values)), PixelMap(
            "absolute",
            low,
            high,
            translate(
                "Values lie in [{low:.4g}, {high:.4g}]; each pixel shows |value|, with |value| "
                "above 255 shown as 255, so strong negative and positive responses both look "
                "bright.",
                {"low": low, "high": high},
            ),
        )
    if mapping != "rescale":
        raise InvalidParameter(
            'mapping must be "auto", "clip", "rescale" or "absolute", got {mapping}.',
            mapping=repr(mapping),
        )
    if high == low:
        flat = np.full(values.shape, 128, dtype=np.uint8)
        return flat, PixelMap(
            "rescale",
            low,
            high,
            translate("Every value equals {low:.4g}; shown as mid-grey 128.", {"low": low}),
        )
    scale = 255.0 / (high - low)
    pixels = cv2.convertScaleAbs(values, alpha=scale, beta=-low * scale)
    fields = {"low": low, "high": high, "offset": abs(low), "span": high - low}
    if low < 0:
        stretched = translate(
            "Values lie in [{low:.4g}, {high:.4g}] and are stretched linearly onto 0..255: "
            "pixel = (value + {offset:.4g}) * 255 / {span:.4g}.",
            fields,
        )
    else:
        stretched = translate(
            "Values lie in [{low:.4g}, {high:.4g}] and are stretched linearly onto 0..255: "
            "pixel = (value - {offset:.4g}) * 255 / {span:.4g}.",
            fields,
        )
    if low < 0 < high:
        zero = translate("Zero is shown as {zero:.0f}.", {"zero": -low * scale})
        stretched = f"{stretched} {zero}"
    return cast(UInt8Array, pixels).reshape(values.shape), PixelMap("rescale", low, high, stretched)


def encode_png(pixels: UInt8Array, compression: PngCompression = "none") -> bytes:
    """Lossless PNG: ``none`` stores the rows (fastest), ``deflate`` compresses them."""
    bgr = cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR) if pixels.ndim == 3 else pixels
    ok, encoded = cv2.imencode(".png", bgr, PNG_PARAMS[compression])
    if not ok:  # pragma: no cover - OpenCV only fails here on unsupported shapes
        raise InvalidParameter("Could not encode a PNG of shape {shape}.", shape=list(pixels.shape))
    return encoded.tobytes()


def _saturate(values: NDArray[np.floating]) -> UInt8Array:
    return cast(UInt8Array, np.clip(values + 0.5, 0, 255).astype(np.uint8))
