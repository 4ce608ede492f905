"""Slow, obviously-correct NumPy references the fast engine is checked against."""

from __future__ import annotations

import math

import numpy as np


def keras_same_padding(size: int, window: int, stride: int) -> tuple[int, int]:
    total = max((math.ceil(size / stride) - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def correlate(x, kernel, strides=(1, 1), pads=((0, 0), (0, 0)), bias=0.0):
    """Plain loops: x (H, W, C), kernel (kh, kw, C, K) -> (H', W', K)."""
    x = np.pad(np.asarray(x, dtype=np.float64), (*pads, (0, 0)))
    kernel = np.asarray(kernel, dtype=np.float64)
    kh, kw, _, filters = kernel.shape
    out_h = (x.shape[0] - kh) // strides[0] + 1
    out_w = (x.shape[1] - kw) // strides[1] + 1
    out = np.zeros((out_h, out_w, filters))
    for i in range(out_h):
        for j in range(out_w):
            window = x[i * strides[0] : i * strides[0] + kh, j * strides[1] : j * strides[1] + kw]
            for k in range(filters):
                out[i, j, k] = np.sum(window * kernel[..., k]) + bias
    return out
