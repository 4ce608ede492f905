"""Named kernel presets, each with a one-line explanation a learner can read next to it.

Kernels are cross-correlation kernels (no flip), so a Sobel "left" kernel answers positively
where the left side of the window is brighter than the right side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from app.core.convolution import FloatArray, Geometry, Kernel, check_kernel, conv2d
from app.core.shapes import Padding, Pair
from app.errors import N_, InvalidKernel, UnknownName
from app.i18n import gettext

Matrix = tuple[tuple[float, ...], ...]
Combine = Literal["single", "magnitude"]


@dataclass(frozen=True)
class KernelPreset:
    """A preset: one kernel, or for ``combine="magnitude"`` the pair (Gx, Gy) of a gradient."""

    name: str
    label: str
    matrix: Matrix
    explanation: str
    combine: Combine = "single"
    matrix_y: Matrix | None = None

    def as_dict(self) -> dict[str, object]:
        """The preset as the API lists it: its label and explanation in the request's language
        (the name is its identifier)."""
        return {
            "name": self.name,
            "label": gettext(self.label),
            "matrix": [list(row) for row in self.matrix],
            "explanation": gettext(self.explanation),
            "combine": self.combine,
            "matrix_y": None if self.matrix_y is None else [list(row) for row in self.matrix_y],
        }


def _gaussian_5x5() -> Matrix:
    binomial = np.array([1, 4, 6, 4, 1], dtype=np.float64)
    grid = np.outer(binomial, binomial) / 256.0
    return tuple(tuple(float(v) for v in row) for row in grid)


SOBEL_RIGHT: Matrix = ((-1, 0, 1), (-2, 0, 2), (-1, 0, 1))
SOBEL_BOTTOM: Matrix = ((-1, -2, -1), (0, 0, 0), (1, 2, 1))

# Labels and explanations are English here, marked for the catalog (N_ marks it for the
# English itself); as_dict() translates them into the request's language.
KERNEL_PRESETS: dict[str, KernelPreset] = {
    preset.name: preset
    for preset in (
        KernelPreset(
            "identity",
            N_("Identity"),
            ((0, 0, 0), (0, 1, 0), (0, 0, 0)),
            N_("Copies each pixel unchanged: only the centre weight is 1."),
        ),
        KernelPreset(
            "box_blur",
            N_("Box blur"),
            tuple(tuple(1 / 9 for _ in range(3)) for _ in range(3)),
            N_("Replaces each pixel by the plain average of its 3x3 neighbourhood."),
        ),
        KernelPreset(
            "gaussian_blur_3x3",
            N_("Gaussian blur 3x3"),
            ((1 / 16, 2 / 16, 1 / 16), (2 / 16, 4 / 16, 2 / 16), (1 / 16, 2 / 16, 1 / 16)),
            N_("A weighted average that trusts the centre most: a softer, rounder blur."),
        ),
        KernelPreset(
            "gaussian_blur_5x5",
            N_("Gaussian blur 5x5"),
            _gaussian_5x5(),
            N_(
                "A wider Gaussian average over 5x5 pixels (binomial weights / 256): "
                "a stronger blur."
            ),
        ),
        KernelPreset(
            "sharpen",
            N_("Sharpen"),
            ((0, -1, 0), (-1, 5, -1), (0, -1, 0)),
            N_("Adds each pixel's difference from its neighbours back in, so edges stand out."),
        ),
        KernelPreset(
            "brighten",
            N_("Brighten"),
            ((0, 0, 0), (0, 1.5, 0), (0, 0, 0)),
            N_("Multiplies each pixel by 1.5: brighter, and bright areas can pass 255."),
        ),
        KernelPreset(
            "darken",
            N_("Darken"),
            ((0, 0, 0), (0, 0.5, 0), (0, 0, 0)),
            N_("Multiplies each pixel by 0.5: everything gets half as bright."),
        ),
        KernelPreset(
            "sobel_left",
            N_("Sobel left"),
            ((1, 0, -1), (2, 0, -2), (1, 0, -1)),
            N_("Positive where the left of the window is brighter than the right: vertical edges."),
        ),
        KernelPreset(
            "sobel_right",
            N_("Sobel right"),
            SOBEL_RIGHT,
            N_("Positive where the right of the window is brighter than the left: vertical edges."),
        ),
        KernelPreset(
            "sobel_top",
            N_("Sobel top"),
            ((1, 2, 1), (0, 0, 0), (-1, -2, -1)),
            N_(
                "Positive where the top of the window is brighter than the bottom: "
                "horizontal edges."
            ),
        ),
        KernelPreset(
            "sobel_bottom",
            N_("Sobel bottom"),
            SOBEL_BOTTOM,
            N_(
                "Positive where the bottom of the window is brighter than the top: "
                "horizontal edges."
            ),
        ),
        KernelPreset(
            "sobel_magnitude",
            N_("Sobel gradient magnitude"),
            SOBEL_RIGHT,
            N_(
                "Edge strength in every direction: sqrt(Gx^2 + Gy^2) from Sobel right (Gx) and "
                "Sobel bottom (Gy)."
            ),
            combine="magnitude",
            matrix_y=SOBEL_BOTTOM,
        ),
        KernelPreset(
            "outline",
            N_("Outline (Laplacian)"),
            ((-1, -1, -1), (-1, 8, -1), (-1, -1, -1)),
            N_(
                "Zero on flat areas, large where a pixel differs from all its neighbours: outlines."
            ),
        ),
        KernelPreset(
            "emboss",
            N_("Emboss"),
            ((-2, -1, 0), (-1, 1, 1), (0, 1, 2)),
            N_(
                "Brightens edges facing the bottom-right and darkens those facing the top-left: "
                "a raised, embossed look."
            ),
        ),
        KernelPreset(
            "horizontal_lines",
            N_("Horizontal line detector"),
            ((-1, -1, -1), (2, 2, 2), (-1, -1, -1)),
            N_(
                "Responds to thin bright horizontal lines: the middle row is weighted against "
                "the rows above and below."
            ),
        ),
        KernelPreset(
            "vertical_lines",
            N_("Vertical line detector"),
            ((-1, 2, -1), (-1, 2, -1), (-1, 2, -1)),
            N_(
                "Responds to thin bright vertical lines: the middle column is weighted against "
                "the columns left and right."
            ),
        ),
    )
}


def get_preset(name: str) -> KernelPreset:
    try:
        return KERNEL_PRESETS[name]
    except KeyError:
        raise UnknownName(
            "There is no kernel preset named {name}. Known presets: {presets}. GET "
            "/api/kernels lists them.",
            name=repr(name),
            presets=", ".join(sorted(KERNEL_PRESETS)),
        ) from None


@dataclass(frozen=True)
class KernelSpec:
    """What to convolve with: one kernel, or the (Gx, Gy) pair of a gradient magnitude."""

    kernel: Kernel
    kernel_y: Kernel | None = None
    preset: KernelPreset | None = None


def resolve_kernel(kernel: object | None, kernel_name: str | None, in_channels: int) -> KernelSpec:
    """Exactly one of an explicit ``kernel`` or a preset ``kernel_name``."""
    if (kernel is None) == (kernel_name is None):
        raise InvalidKernel(
            "Give exactly one of kernel (a matrix such as [[0,-1,0],[-1,5,-1],[0,-1,0]]) or "
            "kernel_name (one of: {presets}).",
            presets=", ".join(sorted(KERNEL_PRESETS)),
        )
    if kernel is not None:
        return KernelSpec(check_kernel(kernel, in_channels))
    assert kernel_name is not None
    preset = get_preset(kernel_name)
    kernel_y = None if preset.matrix_y is None else check_kernel(preset.matrix_y, in_channels)
    return KernelSpec(check_kernel(preset.matrix, in_channels), kernel_y, preset)


def apply_kernel(
    inputs: FloatArray,
    spec: KernelSpec,
    strides: int | Pair | list[int] = 1,
    padding: Padding | list[int] = "valid",
    bias: float = 0.0,
) -> tuple[FloatArray, Geometry]:
    """Convolve; a magnitude spec gives ``sqrt(Gx^2 + Gy^2) + bias``."""
    if spec.kernel_y is None:
        return conv2d(inputs, spec.kernel, strides, padding, bias)
    gx, grid = conv2d(inputs, spec.kernel, strides, padding)
    gy, _ = conv2d(inputs, spec.kernel_y, strides, padding)
    return np.sqrt(gx * gx + gy * gy) + np.asarray(bias, dtype=gx.dtype), grid
