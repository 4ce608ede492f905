"""The multiply-and-sum behind one output value of a convolution, laid out for a learner."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.core.convolution import FloatArray, Geometry, Kernel
from app.errors import InvalidParameter

Grid = list[list[float]]


@dataclass(frozen=True)
class Contribution:
    """One input channel's share of an output value: window * kernel, summed."""

    input_channel: int
    window: Grid
    kernel: Grid
    products: Grid
    sum: float


@dataclass(frozen=True)
class ChannelTrace:
    output_channel: int
    contributions: list[Contribution]
    sum: float
    bias: float
    output: float


@dataclass(frozen=True)
class Trace:
    """How ``output[row, col]`` came about.

    ``window_origin`` is the input position of the window's top-left cell; it is negative where
    the window starts in the zero padding, and ``in_padding`` marks those cells.
    """

    position: tuple[int, int]
    window_origin: tuple[int, int]
    in_padding: list[list[bool]]
    channels: list[ChannelTrace]


def trace(
    inputs: FloatArray,
    kernel: Kernel,
    grid: Geometry,
    position: tuple[int, int] | list[int],
    bias: float = 0.0,
) -> Trace:
    """Recompute one output position term by term (independently of the fast path)."""
    row, col = _check_position(position, grid)
    planes = inputs if inputs.ndim == 3 else inputs[..., np.newaxis]
    kh, kw = kernel.size
    top = row * grid.rows.stride - grid.rows.pad_before
    left = col * grid.cols.stride - grid.cols.pad_before
    height, width = planes.shape[:2]

    window = np.zeros((kh, kw, planes.shape[2]), dtype=np.float64)
    in_padding = np.ones((kh, kw), dtype=bool)
    # The part of the window inside the input; empty when the window lies wholly in padding.
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = max(min(top + kh, height), r0), max(min(left + kw, width), c0)
    window[r0 - top : r1 - top, c0 - left : c1 - left] = planes[r0:r1, c0:c1]
    in_padding[r0 - top : r1 - top, c0 - left : c1 - left] = False

    weights = kernel.weights.astype(np.float64)
    channels: list[ChannelTrace] = []
    if kernel.kind == "depthwise":
        for c in range(planes.shape[2]):
            channels.append(_channel(c, [(c, window[..., c], weights[:, :, 0, 0])], bias))
    else:
        for k in range(weights.shape[3]):
            pairs = [(c, window[..., c], weights[:, :, c, k]) for c in range(planes.shape[2])]
            channels.append(_channel(k, pairs, bias))
    return Trace(
        position=(row, col),
        window_origin=(top, left),
        in_padding=in_padding.tolist(),
        channels=channels,
    )


def _channel(
    output_channel: int, pairs: Sequence[tuple[int, FloatArray, FloatArray]], bias: float
) -> ChannelTrace:
    contributions = []
    for input_channel, window, weights in pairs:
        products = window * weights
        contributions.append(
            Contribution(
                input_channel=input_channel,
                window=window.tolist(),
                kernel=weights.tolist(),
                products=products.tolist(),
                sum=float(products.sum()),
            )
        )
    total = float(sum(c.sum for c in contributions))
    return ChannelTrace(
        output_channel=output_channel,
        contributions=contributions,
        sum=total,
        bias=float(bias),
        output=total + float(bias),
    )


def _check_position(position: tuple[int, int] | list[int], grid: Geometry) -> tuple[int, int]:
    out_h, out_w = grid.output_hw
    if (
        len(position) != 2
        or not all(isinstance(p, int) and not isinstance(p, bool) for p in position)
        or not (0 <= position[0] < out_h and 0 <= position[1] < out_w)
    ):
        raise InvalidParameter(
            "trace position {position} is outside the {out_h}x{out_w} output; give [row, "
            "col] with 0 <= row < {out_h} and 0 <= col < {out_w}.",
            position=list(position),
            out_h=out_h,
            out_w=out_w,
        )
    return int(position[0]), int(position[1])
