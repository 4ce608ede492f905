"""An explanation's heatmap laid over the input picture, as one RGB image.

Pure NumPy, like :mod:`app.core.heatmap` whose colour scales it uses; it lives beside the
explanations because only they lay one picture over another.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from app.core.heatmap import Scale, colorize

# The heatmap's colour covers the picture this much where the value is at the scale's extent.
OVERLAY_OPACITY = 0.7
# The picture is faded this far toward white first: the scales end in dark blue (and dark red),
# which vanish on a black background such as an MNIST digit's.
PICTURE_FADE = 0.5


def overlay(
    picture: NDArray[np.uint8], heatmap: NDArray[np.floating], scale: Scale
) -> NDArray[np.uint8]:
    """``picture`` ``(H, W)`` grey or ``(H, W, 3)`` RGB with ``heatmap`` ``(H, W)`` drawn over it
    in ``scale``'s colours: ``(1 - a) faded + a colour`` with ``a = OVERLAY_OPACITY |v| / m``,
    ``m`` the scale's largest magnitude, so that values near 0 leave the (faded) picture as it
    is; ``faded = (1 - PICTURE_FADE) picture + PICTURE_FADE 255``, so that the scale's dark ends
    show on a black background too. Returns ``(H, W, 3)`` RGB."""
    rgb = np.repeat(picture[..., np.newaxis], 3, axis=2) if picture.ndim == 2 else picture
    faded = (1.0 - PICTURE_FADE) * rgb.astype(np.float64) + PICTURE_FADE * 255.0
    extent = max(abs(scale.min), abs(scale.max)) or 1.0
    opacity = OVERLAY_OPACITY * np.clip(np.abs(heatmap) / extent, 0.0, 1.0)[..., np.newaxis]
    blended = (1.0 - opacity) * faded + opacity * colorize(heatmap, scale)
    pixels: NDArray[np.uint8] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    return pixels
