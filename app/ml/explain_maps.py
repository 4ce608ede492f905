"""The arithmetic of the explanations, in NumPy: from gradients (or probabilities) to maps.

The gradients themselves come from :mod:`app.ml.explain_graph`; everything here works on the
arrays it returns, one input of ``H x W x C`` at a time, in float64 where sums are taken.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import cv2
import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float32]
Float64Array = NDArray[np.float64]


def gradcam(maps: FloatArray, gradients: FloatArray) -> tuple[Float64Array, Float64Array]:
    """Grad-CAM (Selvaraju et al. 2017) of one layer.

    ``maps`` ``A`` and ``gradients`` ``d y^c / d A`` are ``(h, w, k)``. The weights are the
    spatial means of the gradients, ``alpha_k = 1/(h w) sum_ij d y^c / d A^k_ij`` ``(k,)``; the map
    is ``ReLU(sum_k alpha_k A^k)`` ``(h, w)``. Returns ``(map, alpha)``.
    """
    weights = gradients.astype(np.float64).mean(axis=(0, 1))
    return _weighted_maps(maps, weights), weights


def gradcam_plus_plus(maps: FloatArray, gradients: FloatArray) -> tuple[Float64Array, Float64Array]:
    """Grad-CAM++ (Chattopadhyay et al. 2018) of one layer, shapes as :func:`gradcam`.

    With ``Y^c = exp(y^c)`` the higher derivatives have the closed form ``d^2 Y / dA^2 =
    exp(y) g^2`` and ``d^3 Y / dA^3 = exp(y) g^3`` (``g = d y^c / d A``), so the pixel weights are

        ``a^k_ij = g_ij^2 / (2 g_ij^2 + sum_ab A^k_ab g_ij^3)``  (0 where the denominator is 0)

    and ``w_k = sum_ij a^k_ij ReLU(g^k_ij)``; the map is ``ReLU(sum_k w_k A^k)``. The paper's
    factor ``exp(y^c)``, the same for every weight, is left out: it scales the map without
    changing its shape, and overflows float32 for scores above 88. Returns ``(map, w)``.
    """
    g = gradients.astype(np.float64)
    squared = g * g
    denominator = 2.0 * squared + maps.astype(np.float64).sum(axis=(0, 1)) * squared * g
    nonzero = denominator != 0.0
    alpha = np.where(nonzero, squared / np.where(nonzero, denominator, 1.0), 0.0)
    weights = (alpha * np.maximum(g, 0.0)).sum(axis=(0, 1))
    return _weighted_maps(maps, weights), weights


def _weighted_maps(maps: FloatArray, weights: Float64Array) -> Float64Array:
    weighted = np.tensordot(maps.astype(np.float64), weights, axes=([2], [0]))
    cam: Float64Array = np.maximum(weighted, 0.0)
    return cam


def saliency(gradients: FloatArray) -> Float64Array:
    """``|d y^c / d x|``, its largest over the channels: ``(..., H, W, C)`` -> ``(..., H, W)``
    (Simonyan et al. 2014)."""
    found: Float64Array = np.abs(gradients.astype(np.float64)).max(axis=-1)
    return found


def path_points(
    model_input: FloatArray, baseline: FloatArray, steps: int, first: int, stop: int
) -> FloatArray:
    """Points ``k = first .. stop - 1`` of the straight path ``x' + (k / steps)(x - x')``,
    ``(stop - first, H, W, C)``: ``k = 0`` is the baseline ``x'``, ``k = steps`` the input."""
    fractions = (np.arange(first, stop, dtype=np.float32) / np.float32(steps))[
        :, np.newaxis, np.newaxis, np.newaxis
    ]
    points: FloatArray = baseline + fractions * (model_input - baseline)
    return points


def integrated_gradients(
    model_input: FloatArray, baseline: FloatArray, mean_gradient: Float64Array
) -> Float64Array:
    """Integrated gradients (Sundararajan et al. 2017), ``(H, W, C)``: ``(x - x')`` times
    ``mean_gradient``, the mean of ``d y^c / d x`` at ``x' + (k / steps)(x - x')`` for
    ``k = 1 .. steps`` (a right Riemann sum of the path integral), ``(H, W, C)``.

    Completeness: the attributions sum to about ``y^c(x) - y^c(x')``, closer as steps grow.
    """
    attributions: Float64Array = (model_input.astype(np.float64) - baseline) * mean_gradient
    return attributions


def blurred(model_input: FloatArray, sigma: float) -> FloatArray:
    """``model_input`` ``(H, W, C)`` blurred with a Gaussian of ``sigma`` pixels, each channel
    on its own, the border reflected (OpenCV's default)."""
    blur = cv2.GaussianBlur(model_input, (0, 0), sigmaX=sigma, sigmaY=sigma)
    out: FloatArray = np.asarray(blur, dtype=np.float32).reshape(model_input.shape)
    return out


def occlusion_grid(size: tuple[int, int], patch: int, stride: int) -> tuple[int, int]:
    """Rows and columns of patch positions: the patch wholly inside, ``(H - patch) // stride + 1``
    along the height, likewise the width (Keras' ``"valid"`` windows)."""
    height, width = size
    return (height - patch) // stride + 1, (width - patch) // stride + 1


def occluded_copies(
    model_input: FloatArray,
    patch: int,
    stride: int,
    patch_value: FloatArray,
    positions: range,
) -> FloatArray:
    """Copies of ``model_input`` ``(H, W, C)``, one per position number in ``positions`` (row
    by row over :func:`occlusion_grid`), each with the ``patch x patch`` square at its position
    set to ``patch_value`` ``(C,)``: ``(len(positions), H, W, C)``."""
    _, columns = occlusion_grid(model_input.shape[:2], patch, stride)
    copies = np.repeat(model_input[np.newaxis], len(positions), axis=0)
    for n, position in enumerate(positions):
        top, left = (position // columns) * stride, (position % columns) * stride
        copies[n, top : top + patch, left : left + patch, :] = patch_value
    return copies


def upsampled(values: Float64Array, size: tuple[int, int]) -> FloatArray:
    """``(h, w)`` -> ``(H, W)`` by bilinear interpolation between pixel centres
    (``cv2.INTER_LINEAR``, the edges repeated); the same values when the sizes agree."""
    height, width = size
    values32 = values.astype(np.float32)
    if values32.shape == (height, width):
        return values32
    resized = cv2.resize(values32, (width, height), interpolation=cv2.INTER_LINEAR)
    out: FloatArray = np.asarray(resized, dtype=np.float32)
    return out


def in_batches(
    count: int, batch: int, make: Callable[[range], FloatArray]
) -> Iterator[tuple[range, FloatArray]]:
    """``make(range)`` for consecutive ranges of at most ``batch`` of ``0 .. count - 1``: one
    batch is in memory at a time."""
    for start in range(0, count, batch):
        numbers = range(start, min(start + batch, count))
        yield numbers, make(numbers)
