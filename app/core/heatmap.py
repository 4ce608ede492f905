"""Numbers to colours, with the same two scales the browser draws (static/js/config.js).

Signed values get a diverging scale centred on zero (blue below, near-white at zero, red above),
symmetric so that zero is always the middle colour; non-negative values a sequential scale from
white at zero to dark blue at the maximum. One scale is chosen per layer, so the maps of a layer
can be compared by colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

# ColorBrewer RdBu and Blues, 5 stops each: keep equal to COLOURS in static/js/config.js.
DIVERGING = ("#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b")
SEQUENTIAL = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")


@dataclass(frozen=True)
class Scale:
    colormap: Literal["diverging", "sequential"]
    min: float
    max: float


def scale_for(values: NDArray[np.floating]) -> Scale:
    """Diverging ``[-m, m]`` when any value is negative, else sequential ``[0, max]``; NaN is
    left out."""
    low = float(np.nanmin(values)) if values.size else 0.0
    high = float(np.nanmax(values)) if values.size else 0.0
    return scale_between(low, high)


def scale_for_range(values: NDArray[np.floating]) -> tuple[Scale, float, float]:
    """:func:`scale_for`, and the values' min and max (NaN if any value is), in two passes
    over the values instead of four; NumPy's ``nanmin`` and ``nanmax`` also cost about five
    times its ``min`` and ``max``."""
    low, high = float(values.min()), float(values.max())
    if math.isnan(low):  # min and max are NaN as soon as one value is
        return scale_for(values), low, high
    return scale_between(low, high), low, high


def scale_between(low: float, high: float) -> Scale:
    """The scale of values from ``low`` to ``high``."""
    if low < 0:
        extent = max(-low, high) or 1.0
        return Scale("diverging", -extent, extent)
    return Scale("sequential", 0.0, high or 1.0)


def colorize(values: NDArray[np.floating], scale: Scale) -> NDArray[np.uint8]:
    """``(H, W)`` values -> ``(H, W, 3)`` RGB, linear between the scale's stops; NaN (a gap
    between tiles) is drawn white."""
    gaps = np.isnan(values)
    values = np.where(gaps, scale.min, values)
    stops = np.array(
        [_rgb(hex_) for hex_ in (DIVERGING if scale.colormap == "diverging" else SEQUENTIAL)],
        dtype=np.float64,
    )
    position = np.clip((values - scale.min) / (scale.max - scale.min), 0.0, 1.0)
    scaled = position * (len(stops) - 1)
    index = np.minimum(scaled.astype(np.intp), len(stops) - 2)
    fraction = (scaled - index)[..., np.newaxis]
    rgb = stops[index] + (stops[index + 1] - stops[index]) * fraction
    rgb[gaps] = 255.0
    pixels: NDArray[np.uint8] = np.rint(rgb).astype(np.uint8)
    return pixels


def _rgb(hex_: str) -> tuple[int, int, int]:
    return int(hex_[1:3], 16), int(hex_[3:5], 16), int(hex_[5:7], 16)
