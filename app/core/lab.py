"""One call per Kernel-lab operation: convolve (with its trace) and pool, on arrays."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from app.core.convolution import FloatArray, Geometry
from app.core.kernels import KernelSpec, apply_kernel
from app.core.shapes import Padding, Pair
from app.core.trace import trace


@dataclass(frozen=True)
class Convolution:
    output: FloatArray
    geometry: Geometry
    trace: dict[str, Any] | None


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
    return Convolution(output, grid, explained)
