"""An explanation's heatmap laid over the input picture, as one RGB image.

Pure NumPy, like :mod:`app.core.heatmap` whose colour scales it uses; it lives beside the
explanations because only they lay one picture over another.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from app.core.heatmap import Scale, colorize

# The heatmap's colour covers the picture this much where the value is at the scale's extent.
OVERLAY_OPACITY = 0.6


def overlay(
    picture: NDArray[np.uint8], heatmap: NDArray[np.floating], scale: Scale
) -> NDArray[np.uint8]:
    """``picture`` ``(H, W)`` grey or ``(H, W, 3)`` RGB with ``heatmap`` ``(H, W)`` drawn over it
    in ``scale``'s colours: ``(1 - a) picture + a colour`` with ``a = OVERLAY_OPACITY |v| / m``,
    ``m`` the scale's largest magnitude, so that values near 0 leave the picture as it is.
    Returns ``(H, W, 3)`` RGB."""
    rgb = np.repeat(picture[..., np.newaxis], 3, axis=2) if picture.ndim == 2 else picture
    extent = max(abs(scale.min), abs(scale.max)) or 1.0
    opacity = OVERLAY_OPACITY * np.clip(np.abs(heatmap) / extent, 0.0, 1.0)[..., np.newaxis]
    blended = (1.0 - opacity) * rgb.astype(np.float64) + opacity * colorize(heatmap, scale)
    pixels: NDArray[np.uint8] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    return pixels
