"""The Kernel lab's operations, each one call: on number grids and on decoded images.

An image goes through one pipeline: colour (RGB or luma) -> 8-bit input checked -> convolution
and/or pooling -> values mapped to pixels. Every limit (window fit, padded size, work) is
checked before the arrays of its step are made.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from app.core.convolution import FloatArray, Geometry, check_input, geometry
from app.core.decoding import DecodedImage, UInt8Array
from app.core.encoding import ColorMode, PixelMap, PixelMapping, to_color, to_pixels
from app.core.kernels import KernelSpec, apply_kernel, resolve_kernel
from app.core.pooling import (
    Pooled,
    PoolMode,
    check_pool_work,
    plan_pool,
    pool2d,
    pool_geometry,
    winners_mask,
)
from app.core.shapes import Padding, PaddingMode, Pair
from app.core.trace import trace
from app.errors import InvalidParameter
from app.i18n import gettext

MAX_GRID_OUTPUT_VALUES = 1_048_576


@dataclass(frozen=True)
class KernelStep:
    """A convolution to apply: exactly one of ``kernel`` (a matrix) or ``kernel_name``."""

    kernel: object | None = None
    kernel_name: str | None = None
    strides: int | Pair | list[int] = 1
    padding: Padding | list[int] = "valid"
    bias: float = 0.0


@dataclass(frozen=True)
class PoolStep:
    pool_size: int | Pair | list[int] = 2
    strides: int | Pair | list[int] | None = None
    padding: PaddingMode = "valid"
    mode: PoolMode = "max"


@dataclass(frozen=True)
class Convolution:
    output: FloatArray
    geometry: Geometry
    trace: dict[str, Any] | None
    spec: KernelSpec


def convolve(
    inputs: FloatArray,
    spec: KernelSpec,
    strides: int | Pair | list[int] = 1,
    padding: Padding | list[int] = "valid",
    bias: float = 0.0,
    trace_at: list[int] | tuple[int, int] | None = None,
) -> Convolution:
    """Convolve ``inputs`` and, if ``trace_at`` is given, explain that output position."""
    output, grid = apply_kernel(inputs, spec, strides, padding, bias)
    explained = None
    if trace_at is not None:
        if spec.kernel_y is None:
            explained = asdict(trace(inputs, spec.kernel, grid, trace_at, bias))
        else:
            gx = trace(inputs, spec.kernel, grid, trace_at, 0.0)
            gy = trace(inputs, spec.kernel_y, grid, trace_at, 0.0)
            explained = asdict(gx)
            explained["gradient"] = {
                "gradient_y": asdict(gy)["channels"],
                "magnitude": [
                    math.hypot(x.output, y.output) + bias
                    for x, y in zip(gx.channels, gy.channels, strict=True)
                ],
            }
    return Convolution(output, grid, explained, spec)


def convolve_step(
    inputs: FloatArray, step: KernelStep, trace_at: list[int] | tuple[int, int] | None = None
) -> Convolution:
    """Resolve the step's kernel for ``inputs`` (from :func:`check_input`) and convolve."""
    channels = 1 if inputs.ndim == 2 else inputs.shape[2]
    spec = resolve_kernel(step.kernel, step.kernel_name, channels)
    return convolve(inputs, spec, step.strides, step.padding, step.bias, trace_at)


def convolve_grid(
    values: object, step: KernelStep, trace_at: list[int] | tuple[int, int] | None = None
) -> Convolution:
    """Convolve a grid of numbers whose output is returned as numbers, so it is capped."""
    result = convolve_step(check_input(values), step, trace_at)
    if result.output.size > MAX_GRID_OUTPUT_VALUES:
        raise InvalidParameter(
            "The output would hold {size:,} numbers ({shape}); at most "
            "{max_grid_output_values:,} are returned as JSON. Use fewer filters, a larger "
            "stride, or POST /api/convolve for images.",
            size=result.output.size,
            shape=" x ".join(map(str, result.output.shape)),
            max_grid_output_values=MAX_GRID_OUTPUT_VALUES,
        )
    return result


def pool_grid(values: object, step: PoolStep) -> Pooled:
    return pool2d(check_input(values), step.pool_size, step.strides, step.padding, step.mode)


@dataclass(frozen=True)
class ImageOutcome:
    """What an image operation ran on, what it computed, and how that became pixels."""

    decoded: DecodedImage
    pixels: UInt8Array
    """The exact 8-bit input the operation ran on (after the colour choice)."""
    output: FloatArray
    geometry: Geometry
    shown: UInt8Array
    pixel_map: PixelMap


@dataclass(frozen=True)
class ConvolvedImage(ImageOutcome):
    kernel: list[Any]
    """The kernel applied: kh x kw (for magnitude presets: Gx), or kh x kw x C when summed."""
    trace: dict[str, Any] | None


@dataclass(frozen=True)
class PooledImage(ImageOutcome):
    convolution: Geometry | None
    """The convolution's arithmetic, when a kernel ran before the pooling."""
    argmax: NDArray[np.int64] | None

    def winners(self) -> UInt8Array | None:
        """Max pooling: a mask as large as the pooled input, 255 where a pixel won a window."""
        if self.argmax is None:
            return None
        rows, cols = self.geometry.rows.input, self.geometry.cols.input
        return winners_mask(self.argmax, (rows, cols))


def convolve_image(
    decoded: DecodedImage,
    step: KernelStep,
    color: ColorMode = "rgb",
    mapping: PixelMapping = "auto",
    trace_at: tuple[int, int] | None = None,
) -> ConvolvedImage:
    decoded, pixels = _pixels_for(decoded, color, step)
    result = convolve_step(check_input(pixels), step, trace_at)
    kernel = result.spec.kernel
    applied = kernel.weights[:, :, :, 0] if kernel.kind == "summed" else kernel.weights[:, :, 0, 0]
    return ConvolvedImage(
        **_shown(decoded, pixels, result.output, result.geometry, mapping),
        kernel=applied.tolist(),
        trace=result.trace,
    )


def _kernel_channels(step: KernelStep | None) -> int | None:
    """C of a kh x kw x C kernel given as nested lists; None for any other kernel."""
    kernel = step.kernel if step is not None else None
    if not (isinstance(kernel, list) and kernel and isinstance(kernel[0], list) and kernel[0]):
        return None
    cell = kernel[0][0]
    return len(cell) if isinstance(cell, list) else None


def _pixels_for(
    decoded: DecodedImage, color: ColorMode, step: KernelStep | None
) -> tuple[DecodedImage, UInt8Array]:
    """The 8-bit input in ``color``; a grey one given to a 3-channel filter as R = G = B.

    A colour model reads a grey photo that way (its preparation converts to RGB), so a learned
    RGB filter shows here what it shows inside the model: grey x (the sum of its three slices).
    """
    pixels = to_color(decoded.pixels, color)
    if pixels.ndim == 2 and _kernel_channels(step) == 3:
        pixels = cast(UInt8Array, np.repeat(pixels[..., np.newaxis], 3, axis=2))
        note = gettext(  # in the request's language, as decoding's own notes are
            "The kernel has 3 input channels (R, G, B) and the picture is grey: it was given to "
            "the kernel as R = G = B, as a colour model's preparation reads a grey photo."
        )
        decoded = replace(decoded, notes=[*decoded.notes, note])
    return decoded, pixels


def check_pool_before_decoding(
    size: tuple[int, int] | None, step: PoolStep, max_pixels: int, max_side: int
) -> None:
    """Refuse pooling whose work is over the cap even on one channel, from the image's header
    size (width, height) alone: a 58 KB file that decodes to 4096x4096 is not decoded only to
    be refused. Anything else, an image over the size caps or a window that does not fit, is
    left to decoding and :func:`pool_image`, which check again, exactly, in their usual order.
    """
    if size is None or max(size) > max_side or size[0] * size[1] > max_pixels:
        return
    try:
        grid = pool_geometry((size[1], size[0]), step.pool_size, step.strides, step.padding)
    except InvalidParameter:
        return
    check_pool_work(grid, 1)


def pool_image(
    decoded: DecodedImage,
    step: PoolStep,
    kernel: KernelStep | None = None,
    color: ColorMode = "rgb",
    mapping: PixelMapping = "auto",
) -> PooledImage:
    """Pool an image, after a convolution when ``kernel`` is given.

    The pooling's work is checked on the convolution's output size before the convolution
    runs, so a refused request costs no convolution either.
    """
    decoded, pixels = _pixels_for(decoded, color, kernel)
    values = check_input(pixels)
    channels = 1 if values.ndim == 2 else values.shape[2]
    convolution = None
    if kernel is not None:
        spec = resolve_kernel(kernel.kernel, kernel.kernel_name, channels)
        conv_grid = geometry(values.shape[:2], spec.kernel.size, kernel.strides, kernel.padding)
        # A 2-D kernel keeps the channels; the others make one map per filter.
        conv_channels = channels if spec.kernel.kind == "depthwise" else spec.kernel.filters
        plan_pool(conv_grid.output_hw, conv_channels, step.pool_size, step.strides, step.padding)
        result = convolve(values, spec, kernel.strides, kernel.padding, kernel.bias)
        values, convolution = result.output, result.geometry
    pooled = pool2d(
        values, step.pool_size, step.strides, step.padding, step.mode, step.mode == "max"
    )
    return PooledImage(
        **_shown(decoded, pixels, pooled.output, pooled.geometry, mapping),
        convolution=convolution,
        argmax=pooled.argmax,
    )


def _shown(
    decoded: DecodedImage,
    pixels: UInt8Array,
    output: FloatArray,
    grid: Geometry,
    mapping: PixelMapping,
) -> dict[str, Any]:
    """The :class:`ImageOutcome` fields of an operation's ``output``, mapped to pixels."""
    shown, pixel_map = to_pixels(output, mapping)
    return {
        "decoded": decoded,
        "pixels": pixels,
        "output": output,
        "geometry": grid,
        "shown": shown,
        "pixel_map": pixel_map,
    }
