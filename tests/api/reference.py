"""Slow, obviously-correct NumPy references that the API's numbers are checked against.

Written from the definitions (Keras ``Conv2D`` / ``MaxPooling2D`` / ``AveragePooling2D``), not
from the app's code: plain loops over output positions.
"""

from __future__ import annotations

import math

import numpy as np

Pads = tuple[tuple[int, int], tuple[int, int]]
NO_PADS: Pads = ((0, 0), (0, 0))


def keras_same_pads(size: int, window: int, stride: int) -> tuple[int, int]:
    """TensorFlow's "same": output ceil(size / stride); an odd total pads one more after."""
    total = max((math.ceil(size / stride) - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def correlate2d(
    x: np.ndarray, kernel: np.ndarray, strides: tuple[int, int] = (1, 1), pads: Pads = NO_PADS
) -> np.ndarray:
    """Cross-correlation (no flip) of an (H, W) grid with a (kh, kw) kernel, zero padding."""
    padded = np.pad(np.asarray(x, dtype=np.float64), pads)
    kernel = np.asarray(kernel, dtype=np.float64)
    kh, kw = kernel.shape
    out_h = (padded.shape[0] - kh) // strides[0] + 1
    out_w = (padded.shape[1] - kw) // strides[1] + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            total = 0.0
            for u in range(kh):
                for v in range(kw):
                    total += padded[i * strides[0] + u, j * strides[1] + v] * kernel[u, v]
            out[i, j] = total
    return out


def conv2d_filters(
    x: np.ndarray, kernel: np.ndarray, strides: tuple[int, int] = (1, 1), pads: Pads = NO_PADS
) -> np.ndarray:
    """(H, W, C) input, (kh, kw, C, K) kernel -> (H', W', K), summing over the channels.

    out[i, j, k] = sum over u, v, c of x_padded[i*sh + u, j*sw + v, c] * kernel[u, v, c, k]
    """
    padded = np.pad(np.asarray(x, dtype=np.float64), (*pads, (0, 0)))
    kernel = np.asarray(kernel, dtype=np.float64)
    kh, kw = kernel.shape[:2]
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(0, 1))
    windows = windows[:: strides[0], :: strides[1]]  # (H', W', C, kh, kw)
    return np.einsum("ijcuv,uvck->ijk", windows, kernel)


def pool2d(
    x: np.ndarray,
    size: tuple[int, int],
    strides: tuple[int, int],
    pads: Pads,
    mode: str,
) -> tuple[np.ndarray, list[list[tuple[int, int]]]]:
    """(H, W) pooling; padded cells never count. Returns the output and, for max, the winners."""
    x = np.asarray(x, dtype=np.float64)
    (top, bottom), (left, right) = pads
    out_h = (x.shape[0] + top + bottom - size[0]) // strides[0] + 1
    out_w = (x.shape[1] + left + right - size[1]) // strides[1] + 1
    out = np.zeros((out_h, out_w))
    winners: list[list[tuple[int, int]]] = []
    for i in range(out_h):
        row_winners = []
        for j in range(out_w):
            cells = [
                (r, c)
                for r in range(i * strides[0] - top, i * strides[0] - top + size[0])
                for c in range(j * strides[1] - left, j * strides[1] - left + size[1])
                if 0 <= r < x.shape[0] and 0 <= c < x.shape[1]
            ]
            values = [x[r, c] for r, c in cells]
            if mode == "max":
                best = int(np.argmax(values))  # first in reading order on ties
                out[i, j] = values[best]
                row_winners.append(cells[best])
            else:
                out[i, j] = sum(values) / len(values)
        winners.append(row_winners)
    return out, winners


def luma(rgb: np.ndarray) -> np.ndarray:
    """ITU-R 601 luma, rounded: 0.299 R + 0.587 G + 0.114 B."""
    rgb = np.asarray(rgb, dtype=np.float64)
    return np.rint(rgb @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)


def as_pixels(values: np.ndarray) -> np.ndarray:
    """The documented identity mapping for values inside 0..255: each pixel is its value, rounded
    half up."""
    return np.floor(np.asarray(values, dtype=np.float64) + 0.5).astype(np.uint8)
