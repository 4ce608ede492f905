"""Max and average pooling, equal to Keras ``MaxPooling2D`` and ``AveragePooling2D``.

Input ``(H, W)`` or ``(H, W, C)``; each channel is pooled on its own. A ``ph x pw`` window moves
with ``strides`` (default: the pool size, so windows do not overlap) and::

    max:     out[i, j, c] = max  over the window of x[i*sh + u - pad_top, j*sw + v - pad_left, c]
    average: out[i, j, c] = mean over the window cells that lie inside the input

With ``padding="same"`` the padded cells never count, exactly as in TensorFlow: they never win a
max and are left out of an average's denominator. ``argmax`` gives, for max pooling, the input
position ``(row, col)`` of the winning value (the first one in reading order on ties).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from app.core.convolution import FloatArray, Geometry, check_padded_size
from app.core.shapes import PaddingMode, as_pair, check_strides, output_sizes, resolve_padding
from app.errors import InvalidParameter

PoolMode = Literal["max", "average"]
MAX_POOL_SIZE = 15
MAX_POOL_WORK = 200_000_000


@dataclass(frozen=True)
class Pooled:
    output: FloatArray
    geometry: Geometry
    argmax: NDArray[np.int64] | None
    """For max pooling: ``output.shape + (2,)`` input (row, col) of each window's winner."""


def pool_geometry(
    input_hw: tuple[int, int],
    pool_size: int | tuple[int, int] | list[int],
    strides: int | tuple[int, int] | list[int] | None,
    padding: PaddingMode,
) -> Geometry:
    size = as_pair(pool_size, "pool_size")
    if not all(1 <= s <= MAX_POOL_SIZE for s in size):
        raise InvalidParameter(
            "pool_size must be between 1 and {max_pool_size}, got {size}; 2 is the usual choice.",
            max_pool_size=MAX_POOL_SIZE,
            size=list(size),
        )
    stride_pair = check_strides(size if strides is None else strides)
    if padding not in ("valid", "same"):
        raise InvalidParameter(
            'pooling padding must be "valid" or "same", got {padding}.', padding=repr(padding)
        )
    pads = resolve_padding(padding, input_hw, size, stride_pair)
    rows, cols = output_sizes(input_hw, size, stride_pair, pads, "pooling window")
    return Geometry(rows, cols)


def plan_pool(
    input_hw: tuple[int, int],
    channels: int,
    pool_size: int | tuple[int, int] | list[int],
    strides: int | tuple[int, int] | list[int] | None,
    padding: PaddingMode,
) -> Geometry:
    """The pooling's geometry, once its padded size and its work are known to be allowed."""
    grid = pool_geometry(input_hw, pool_size, strides, padding)
    check_pool_work(grid, channels)
    check_padded_size(grid)
    return grid


def check_pool_work(grid: Geometry, channels: int) -> None:
    """Refuse pooling that would tie a worker up for seconds, before any output array exists.

    Each output value looks at every cell of its window: ``rows' x cols' x channels x ph x pw``
    comparisons (or additions), as convolution counts its multiply-adds.
    """
    out_h, out_w = grid.output_hw
    ph, pw = grid.rows.window, grid.cols.window
    work = out_h * out_w * channels * ph * pw
    if work > MAX_POOL_WORK:
        raise InvalidParameter(
            "This pooling needs {work:,} window reads ({out_h}x{out_w} output, {ph}x{pw} "
            "window, {channels} channel(s)); at most {max_pool_work:,} are allowed. Use a "
            "larger stride (the default, the pool size, does not overlap windows), a smaller "
            "window or a smaller image.",
            work=work,
            out_h=out_h,
            out_w=out_w,
            ph=ph,
            pw=pw,
            channels=channels,
            max_pool_work=MAX_POOL_WORK,
        )


def winners_mask(argmax: NDArray[np.int64], input_hw: tuple[int, int]) -> NDArray[np.uint8]:
    """An ``input_hw`` mask: 255 where an input cell won its window (in any channel), else 0."""
    mask = np.zeros(input_hw, dtype=np.uint8)
    mask[argmax[..., 0].ravel(), argmax[..., 1].ravel()] = 255
    return mask


def pool2d(
    inputs: FloatArray,
    pool_size: int | tuple[int, int] | list[int] = 2,
    strides: int | tuple[int, int] | list[int] | None = None,
    padding: PaddingMode = "valid",
    mode: PoolMode = "max",
    with_argmax: bool = True,
) -> Pooled:
    """Pool ``inputs`` (from :func:`app.core.convolution.check_input`)."""
    if mode not in ("max", "average"):
        raise InvalidParameter('mode must be "max" or "average", got {mode}.', mode=repr(mode))
    planes = inputs if inputs.ndim == 3 else inputs[..., np.newaxis]
    grid = plan_pool(planes.shape[:2], planes.shape[2], pool_size, strides, padding)
    if planes.dtype == np.uint8:  # pixels: padding with -inf needs floats
        planes = planes.astype(np.float32)
    (top, bottom), (left, right) = (
        (grid.rows.pad_before, grid.rows.pad_after),
        (grid.cols.pad_before, grid.cols.pad_after),
    )
    fill = -np.inf if mode == "max" else 0.0
    padded = np.pad(planes, ((top, bottom), (left, right), (0, 0)), constant_values=fill)
    out_h, out_w = grid.output_hw
    sh, sw = grid.strides
    ph, pw = grid.rows.window, grid.cols.window

    def window_cells() -> list[tuple[int, int, FloatArray]]:
        return [
            (u, v, padded[u : u + (out_h - 1) * sh + 1 : sh, v : v + (out_w - 1) * sw + 1 : sw])
            for u in range(ph)
            for v in range(pw)
        ]

    argmax = None
    if mode == "max":
        output = np.full((out_h, out_w, planes.shape[2]), -np.inf, dtype=planes.dtype)
        if with_argmax:
            # Window offsets fit a byte (MAX_POOL_SIZE): an eighth of the memory of int64 ones.
            winner_u = np.zeros(output.shape, dtype=np.uint8)
            winner_v = np.zeros(output.shape, dtype=np.uint8)
            better = np.empty(output.shape, dtype=bool)
        for u, v, cells in window_cells():
            if with_argmax:
                np.greater(cells, output, out=better)
                winner_u[better] = u
                winner_v[better] = v
            np.maximum(output, cells, out=output)
        if with_argmax:
            rows = np.arange(out_h)[:, None, None] * sh - top + winner_u
            cols = np.arange(out_w)[None, :, None] * sw - left + winner_v
            argmax = np.stack([rows, cols], axis=-1)
    else:
        total = np.zeros((out_h, out_w, planes.shape[2]), dtype=np.float64)
        for _, _, cells in window_cells():
            total += cells
        counts = _inside_counts(grid)
        output = (total / counts[:, :, None]).astype(planes.dtype)

    if inputs.ndim == 2:
        output = output[..., 0]
        argmax = None if argmax is None else argmax[:, :, 0]
    return Pooled(output=output, geometry=grid, argmax=argmax)


def _inside_counts(grid: Geometry) -> FloatArray:
    """How many cells of each window lie inside the (unpadded) input."""
    counts = []
    for axis in (grid.rows, grid.cols):
        starts = np.arange(axis.output) * axis.stride - axis.pad_before
        ends = np.minimum(starts + axis.window, axis.input)
        counts.append(ends - np.maximum(starts, 0))
    return np.outer(counts[0], counts[1]).astype(np.float64)
