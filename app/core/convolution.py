"""2-D cross-correlation exactly as Keras ``Conv2D`` / ``DepthwiseConv2D`` compute it.

Shapes (Keras layout, channels last):

- input ``(H, W)`` or ``(H, W, C)``.
- kernel ``(kh, kw)``: applied to every channel separately (depthwise); the output keeps the
  input's channels: ``(H', W')`` or ``(H', W', C)``.
- kernel ``(kh, kw, C)``: one filter that spans all channels and sums them: ``(H', W')``.
- kernel ``(kh, kw, C, K)``: ``K`` filters: ``(H', W', K)``.

Each output value is::

    out[i, j, k] = bias[k] + sum_{u, v, c} x_padded[i*sh + u, j*sw + v, c] * kernel[u, v, c, k]

with no kernel flip (this is what deep-learning libraries call convolution), and
``H' = floor((H - kh + pad_top + pad_bottom) / sh) + 1`` (likewise ``W'``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

import cv2
import numpy as np
from numpy.typing import NDArray

from app.core.shapes import (
    MAX_EXPLICIT_PADDING,
    AxisSize,
    Padding,
    Pair,
    check_strides,
    output_sizes,
    resolve_padding,
)
from app.errors import InvalidKernel, InvalidParameter

MAX_KERNEL_SIZE = 15
MAX_CHANNELS = 64
MAX_FILTERS = 64
MAX_MULTIPLY_ADDS = 1_000_000_000
# The largest padded plane an operation may build: a 4096 x 4096 image (the default image caps)
# padded by the most explicit padding allowed on every side.
MAX_PADDED_PIXELS = (4096 + 2 * MAX_EXPLICIT_PADDING) ** 2

FloatArray = NDArray[np.floating]
KernelKind = Literal["depthwise", "summed", "filters"]


@dataclass(frozen=True)
class Geometry:
    """Where the window goes: sizes, strides and padding resolved for one input and kernel."""

    rows: AxisSize
    cols: AxisSize

    @property
    def strides(self) -> Pair:
        return self.rows.stride, self.cols.stride

    @property
    def pad_top_left(self) -> Pair:
        return self.rows.pad_before, self.cols.pad_before

    @property
    def output_hw(self) -> Pair:
        return self.rows.output, self.cols.output

    @property
    def padded_hw(self) -> Pair:
        return self.rows.input + self.rows.pad_total, self.cols.input + self.cols.pad_total

    def as_dict(self) -> dict[str, object]:
        return {"rows": self.rows.as_dict(), "cols": self.cols.as_dict()}


@dataclass(frozen=True)
class Kernel:
    """A validated kernel in Keras layout ``(kh, kw, in_channels, filters)``.

    ``kind`` remembers the shape it was given in, which decides the output's channels.
    """

    weights: FloatArray
    kind: KernelKind

    @property
    def size(self) -> Pair:
        return int(self.weights.shape[0]), int(self.weights.shape[1])

    @property
    def filters(self) -> int:
        return int(self.weights.shape[3])

    @property
    def shape(self) -> list[int]:
        """The shape as given: 2-D, 3-D or 4-D."""
        dims = {"depthwise": 2, "summed": 3, "filters": 4}[self.kind]
        return [int(n) for n in self.weights.shape[:dims]]


def check_input(values: object, name: str = "input") -> FloatArray:
    """A finite, non-empty ``(H, W)`` or ``(H, W, C)`` array of float32 or float64 values.

    8-bit pixels (a uint8 array) are accepted as they are: they are finite by construction, and
    :func:`conv2d` computes on them in float32.
    """
    if isinstance(values, np.ndarray) and values.dtype == np.uint8:
        array = cast(FloatArray, values)
    else:
        array = _as_float_array(values, name, InvalidParameter)
    if array.ndim not in (2, 3):
        raise InvalidParameter(
            "{name} must be a 2-D grid (H x W) or a 3-D grid (H x W x C), got {ndim} "
            "dimension(s) with shape {shape}.",
            name=name,
            ndim=array.ndim,
            shape=list(array.shape),
        )
    if array.size == 0:
        raise InvalidParameter(
            "{name} is empty (shape {shape}); give at least 1x1.",
            name=name,
            shape=list(array.shape),
        )
    if array.ndim == 3 and not 1 <= array.shape[2] <= MAX_CHANNELS:
        raise InvalidParameter(
            "{name} has {shape} channels; between 1 and {max_channels} are supported.",
            name=name,
            shape=array.shape[2],
            max_channels=MAX_CHANNELS,
        )
    return array


def check_kernel(values: object, in_channels: int) -> Kernel:
    """Validate a kernel given as a 2-D, 3-D or 4-D nested list or array."""
    weights = _as_float_array(values, "kernel", InvalidKernel)
    if weights.ndim not in (2, 3, 4):
        raise InvalidKernel(
            "kernel must have 2 dimensions (kh x kw), 3 (kh x kw x channels) or 4 (kh x kw x "
            "channels x filters), got shape {shape}.",
            shape=list(weights.shape),
        )
    if weights.size == 0:
        raise InvalidKernel(
            "kernel is empty (shape {shape}); give at least one number, for example [[1]].",
            shape=list(weights.shape),
        )
    kh, kw = weights.shape[:2]
    if kh > MAX_KERNEL_SIZE or kw > MAX_KERNEL_SIZE:
        raise InvalidKernel(
            "kernel is {kh}x{kw}; sizes from 1x1 to {max_kernel_size}x{max_kernel_size} are "
            "supported. Use a smaller kernel.",
            kh=kh,
            kw=kw,
            max_kernel_size=MAX_KERNEL_SIZE,
        )
    if weights.ndim == 2:
        return Kernel(weights.reshape(kh, kw, 1, 1), "depthwise")
    if weights.shape[2] != in_channels:
        raise InvalidKernel(
            "kernel has {shape} channel(s) along its third axis but the input has "
            "{in_channels}. A kh x kw x C kernel needs C equal to the input's channels; use "
            "a 2-D kernel to filter each channel separately.",
            shape=weights.shape[2],
            in_channels=in_channels,
        )
    if weights.ndim == 3:
        return Kernel(weights[..., np.newaxis], "summed")
    if not 1 <= weights.shape[3] <= MAX_FILTERS:
        raise InvalidKernel(
            "kernel has {shape} filters; between 1 and {max_filters} are supported.",
            shape=weights.shape[3],
            max_filters=MAX_FILTERS,
        )
    return Kernel(weights, "filters")


def geometry(
    input_hw: Pair, kernel_hw: Pair, strides: int | Pair | list[int], padding: Padding | list[int]
) -> Geometry:
    """Resolve strides and padding and do the output-size arithmetic for one convolution."""
    stride_pair = check_strides(strides)
    pads = resolve_padding(padding, input_hw, kernel_hw, stride_pair)
    rows, cols = output_sizes(input_hw, kernel_hw, stride_pair, pads, "kernel")
    return Geometry(rows, cols)


def conv2d(
    inputs: FloatArray,
    kernel: Kernel,
    strides: int | Pair | list[int] = 1,
    padding: Padding | list[int] = "valid",
    bias: float | FloatArray = 0.0,
) -> tuple[FloatArray, Geometry]:
    """Cross-correlate ``inputs`` with ``kernel``; return the output and its geometry.

    ``inputs`` must come from :func:`check_input` and ``kernel`` from :func:`check_kernel`.
    ``bias`` is a scalar or one value per output channel.
    """
    planes = inputs if inputs.ndim == 3 else inputs[..., np.newaxis]
    grid = geometry(planes.shape[:2], kernel.size, strides, padding)
    check_padded_size(grid)
    if planes.dtype == np.uint8:
        # Converting first is faster than filter2D's own 8-bit-to-float path (bench/).
        planes = planes.astype(np.float32)
    dtype = planes.dtype
    weights = kernel.weights.astype(dtype, copy=False)

    if kernel.kind == "depthwise":
        output = _correlate(planes, weights[:, :, 0, 0], grid)
    else:
        _check_work(planes.shape, kernel)
        filters = weights.shape[3]
        output = np.zeros((*grid.output_hw, filters), dtype=dtype)
        for k in range(filters):
            for c in range(planes.shape[2]):
                output[..., k] += _correlate(planes[..., c], weights[:, :, c, k], grid)
    bias_values = np.asarray(bias, dtype=dtype)
    if np.any(bias_values):
        # In place where possible: a second full-size array costs more than the filtering.
        if output.flags.c_contiguous:
            output += bias_values
        else:
            output = output + bias_values

    if kernel.kind == "summed" or (kernel.kind == "depthwise" and inputs.ndim == 2):
        output = output[..., 0]
    return output, grid


def _check_work(input_shape: tuple[int, ...], kernel: Kernel) -> None:
    """Refuse multi-filter work that would tie a worker up for seconds."""
    height, width, channels = input_shape
    kh, kw = kernel.size
    filters = kernel.weights.shape[3]
    work = height * width * kh * kw * channels * filters
    if work > MAX_MULTIPLY_ADDS:
        raise InvalidParameter(
            "This convolution needs {work:,} multiply-adds ({height}x{width} input, "
            "{kh}x{kw} kernel, {channels} channels, {filters} filters); at most "
            "{max_multiply_adds:,} are allowed. Use a smaller input, a smaller kernel or "
            "fewer filters.",
            work=work,
            height=height,
            width=width,
            kh=kh,
            kw=kw,
            channels=channels,
            filters=filters,
            max_multiply_adds=MAX_MULTIPLY_ADDS,
        )


def check_padded_size(grid: Geometry) -> None:
    """Refuse padding that would make an input plane larger than :data:`MAX_PADDED_PIXELS`.

    Checked before any padded copy exists: a thin input grows by far more than its own size
    (2,000,000 x 1 padded by 64 on every side is 2,000,128 x 129).
    """
    (height, width), (padded_h, padded_w) = (grid.rows.input, grid.cols.input), grid.padded_hw
    if padded_h * padded_w > MAX_PADDED_PIXELS:
        raise InvalidParameter(
            "Padding the {height}x{width} input ({pad_rows} rows and {pad_cols} columns "
            "in all) would make it {padded_h}x{padded_w} = {values:,} values per channel; at "
            'most {max_padded_pixels:,} are allowed. Use less padding ("valid" for none) or '
            "a smaller input.",
            height=height,
            width=width,
            pad_rows=grid.rows.pad_total,
            pad_cols=grid.cols.pad_total,
            padded_h=padded_h,
            padded_w=padded_w,
            values=padded_h * padded_w,
            max_padded_pixels=MAX_PADDED_PIXELS,
        )


def _correlate(planes: FloatArray, kernel2d: FloatArray, grid: Geometry) -> FloatArray:
    """Correlate every channel of ``planes`` (H, W[, C]) with one 2-D kernel.

    OpenCV's ``filter2D`` computes ``D[y, x] = sum K[u, v] * X[y + u - ay, x + v - ax]`` with
    zeros outside the image. Putting the anchor ``(ay, ax)`` at the top/left padding makes
    ``D[i*sh, j*sw]`` exactly the padded correlation, with no padded copy of the input, as
    long as the padding fits inside the kernel; larger paddings get an explicit zero border.
    """
    kh, kw = kernel2d.shape
    pad_top, pad_left = grid.pad_top_left
    if grid.rows.pad_total < kh and grid.cols.pad_total < kw:
        source, anchor = planes, (pad_left, pad_top)
    else:
        source = cast_float(
            cv2.copyMakeBorder(
                planes,
                grid.rows.pad_before,
                grid.rows.pad_after,
                grid.cols.pad_before,
                grid.cols.pad_after,
                cv2.BORDER_CONSTANT,
                value=0,
            )
        )
        anchor = (0, 0)
    filtered = _filter(source, kernel2d, anchor, grid)
    return filtered if filtered.ndim == planes.ndim else filtered[..., np.newaxis]


def _filter(source: FloatArray, kernel2d: FloatArray, anchor: Pair, grid: Geometry) -> FloatArray:
    filtered = cast_float(
        cv2.filter2D(
            np.ascontiguousarray(source),
            -1,
            kernel2d,
            anchor=anchor,
            borderType=cv2.BORDER_CONSTANT,
        )
    )
    out_h, out_w = grid.output_hw
    sh, sw = grid.strides
    return filtered[: (out_h - 1) * sh + 1 : sh, : (out_w - 1) * sw + 1 : sw]


def cast_float(array: object) -> FloatArray:
    """OpenCV's stubs type every result as integer-or-float; ours are float by construction."""
    return cast(FloatArray, array)


def _as_float_array(values: object, name: str, error: type[InvalidParameter]) -> FloatArray:
    if isinstance(values, np.ndarray):
        array = values
    else:
        try:
            array = np.asarray(values, dtype=np.float64)
        except (ValueError, TypeError) as exc:
            raise error.like(
                InvalidParameter(
                    "{name} must be a rectangular grid of numbers with every row the same "
                    "length; a ragged grid such as [[1, 2], [3]] cannot be convolved. Pad the "
                    "short rows.",
                    name=name,
                )
            ) from exc
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise error.like(
            InvalidParameter(
                "{name} must contain real numbers only, got dtype {dtype}.",
                name=name,
                dtype=array.dtype,
            )
        )
    if array.dtype not in (np.float32, np.float64):
        # OpenCV computes in float32 or float64 only; small types fit float32 exactly.
        array = array.astype(np.float32 if array.dtype.itemsize <= 2 else np.float64)
    if not _all_finite(array):
        raise error.like(
            InvalidParameter(
                "{name} contains NaN or infinity; every value must be a finite number.", name=name
            )
        )
    return array


def _all_finite(array: FloatArray) -> bool:
    """True when no value is NaN or infinite, without a full-size temporary array.

    NaN and infinity absorb every sum they enter, so a finite total proves every value finite;
    OpenCV sums in double precision in one pass. Only a non-finite total (or a float64 sum that
    overflows) needs the value-by-value check.
    """
    if array.ndim >= 2 and array.flags.c_contiguous:
        total = cv2.sumElems(array.reshape(array.shape[0], -1))[0]
        if np.isfinite(total):
            return True
    return bool(np.isfinite(array).all())
