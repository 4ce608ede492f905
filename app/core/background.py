"""The background behind the ink: the border ring, a smooth surface fitted to it, its noise.

The border is a ring :data:`BORDER_FRACTION` of the shorter side wide. A drawing's border is one
tone, and so is its background; a photographed page, lit from one side or darker towards the
corners, varies across the image, and :func:`background_surface` fits a quadratic surface to the
border so that subtracting it evens the page out. The spread of the border around the surface
measures the paper's noise.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from app.core.luminance import FloatArray
from app.i18n import translate

BORDER_FRACTION = 1 / 40
FIT_SAMPLES = 2000


def _ring(height: int, width: int) -> int:
    """How many pixels wide the border is."""
    return max(1, int(min(height, width) * BORDER_FRACTION))


def border_mask(shape: tuple[int, ...]) -> NDArray[np.bool_]:
    height, width = shape
    ring = _ring(height, width)
    border = np.zeros((height, width), bool)
    border[:ring] = border[-ring:] = True
    border[:, :ring] = border[:, -ring:] = True
    return border


def border_range(grey8: NDArray[np.uint8]) -> tuple[int, int]:
    """The darkest and lightest grey level on the border (``grey8[border_mask(...)]``), read
    from its four strips in place: no mask to build, no copy of the border."""
    ring = _ring(grey8.shape[0], grey8.shape[1])
    strips = (grey8[:ring], grey8[-ring:], grey8[:, :ring], grey8[:, -ring:])
    extremes = [cv2.minMaxLoc(strip)[:2] for strip in strips]
    return int(min(low for low, _ in extremes)), int(max(high for _, high in extremes))


def background_surface(
    grey: FloatArray,
    border: NDArray[np.bool_],
    values: FloatArray,
    extremes: tuple[float, float],
    notes: list[str],
) -> tuple[FloatArray, float]:
    """The background's brightness across the image, and the noise around it.

    A quadratic surface ``c0 + c1 x + c2 y + c3 x^2 + c4 x y + c5 y^2`` (``x``, ``y`` from -1 to
    1 across the image) fitted by least squares to the border pixels: a plane for a page lit from
    one side, a bowl for a lens's vignetting, both common in photos. The top and bottom rows fix
    the ``x`` terms, the side columns the ``y`` terms, the corners ``x y``. The fit is done twice,
    the second time without the border pixels more than 3 noise deviations off the first (a
    stroke that reaches the edge); the noise is the robust standard deviation of the border
    around the surface (1.4826 x the median absolute deviation). A border of one tone (a drawing)
    is that tone, with no noise. ``values`` are ``grey[border]``, ``extremes`` their min and max.
    """
    low, high = extremes
    if high - low < 0.5 / 255:
        return np.full((1, 1), (low + high) / 2, np.float32), 0.0
    height, width = grey.shape
    cols, rows = _unit_axis(width), _unit_axis(height)
    row_index, col_index = np.nonzero(border)
    # A few thousand border pixels pin six coefficients down as well as all of them would.
    step = max(1, values.size // FIT_SAMPLES)
    row_index, col_index, targets = row_index[::step], col_index[::step], values[::step]
    x, y = cols[col_index].astype(np.float64), rows[row_index].astype(np.float64)
    design = np.column_stack([np.ones(x.size), x, y, x * x, x * y, y * y])
    targets = targets.astype(np.float64)
    keep = np.ones(targets.size, bool)
    noise = 0.0
    for _ in range(2):
        kept = design[keep]
        # Normal equations (6x6); lstsq copes when a thin image makes them singular. einsum,
        # not matmul: BLAS threads stall on a busy server for products this small.
        normal = np.einsum("ij,ik->jk", kept, kept)
        coefficients = np.linalg.lstsq(normal, np.einsum("ij,i->j", kept, targets[keep]))[0]
        deviation = targets - np.einsum("ij,j->i", design, coefficients)
        noise = 1.4826 * float(np.median(np.abs(deviation[keep])))
        keep = np.abs(deviation) <= max(3.0 * noise, 2.0 / 255)
    c0, c1, c2, c3, c4, c5 = (np.float32(c) for c in coefficients)
    along_x = (c1 + c3 * cols) * cols
    along_y = c0 + (c2 + c5 * rows) * rows
    surface = along_x[np.newaxis, :] + along_y[:, np.newaxis] + c4 * np.outer(rows, cols)
    span = float(surface.max() - surface.min())
    if span >= 0.05:
        notes.append(
            translate(
                "The background's brightness varies by {span:.2f} across the image, as on a page "
                "in uneven light; a smooth surface fitted to the border was subtracted to even it "
                "out.",
                {"span": span},
            )
        )
    return surface, noise


def _unit_axis(size: int) -> FloatArray:
    """Pixel positions along one side, from -1 to 1 (0 for a side one pixel long)."""
    if size == 1:
        return np.zeros(1, np.float32)
    return np.linspace(-1.0, 1.0, size, dtype=np.float32)
