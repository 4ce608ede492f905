"""ConvLens' convolution engine against cv2.filter2D and scipy.ndimage.correlate.

A 1024x1024 RGB photo (astronaut.png resized bicubically) is filtered per channel with a 3x3 and
a 5x5 kernel, strides 1 and 2, padding "same" and "valid", all with float32 results. The photo is
given twice: as the 8-bit pixels a decoded photo is (what the app's image endpoints hand the
engine; the goal is about these) and as a float32 array (what a caller with arbitrary numbers
hands it, where the engine also proves every value finite). The references compute the
stride-1 zero-padded correlation with the kernel centred, then keep the rows and columns the
strided, padded window would start at: ``full[o : o + (n - 1) * s + 1 : s]`` with
``o = k // 2 - pad_before`` (for stride 2 that is ``[::2]`` or ``[1::2]``, depending on how
"same" splits its odd padding). Every output is checked against the others before timing.

ConvLens is timed as a caller uses it: ``check_input`` + ``check_kernel`` + ``conv2d``. The
``conv2d`` column times the convolution alone, on pre-validated arguments, to show the
validation's share. Goal: ConvLens / fastest reference <= 1.5 in every case.

Run: .venv/bin/python bench/convolution.py [--rounds N]
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np
from _common import machine_line, paired_ratio, photo_rgb, print_table, time_interleaved
from numpy.typing import NDArray
from scipy import ndimage

from app.core.convolution import Kernel, check_input, check_kernel, conv2d, geometry

GOAL = 1.5
Float32Array = NDArray[np.float32]

KERNELS: dict[str, Float32Array] = {
    # Asymmetric on purpose, so that a flipped kernel (true convolution) would not pass the check.
    "3x3": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=np.float32),
    "5x5": np.random.default_rng(5).normal(size=(5, 5)).astype(np.float32),
}


def reference_slices(
    size: tuple[int, int], k: int, stride: int, padding: str
) -> tuple[slice, slice]:
    """Where the strided, padded output sits inside the stride-1, centred, zero-padded one."""
    grid = geometry(size, (k, k), stride, padding)
    slices = []
    for axis in (grid.rows, grid.cols):
        start = k // 2 - axis.pad_before
        slices.append(slice(start, start + (axis.output - 1) * stride + 1, stride))
    return slices[0], slices[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="timed rounds per case")
    args = parser.parse_args()

    pixels = photo_rgb()
    height, width = pixels.shape[:2]
    print(f"Machine: {machine_line()}")
    print(
        f"Input: {width}x{height}x3, per-channel kernel, float32 results, best / median of "
        f"{args.rounds} interleaved rounds (ms)\n"
    )
    failures: list[str] = []
    for label, photo in (("uint8", pixels), ("float32", pixels.astype(np.float32))):
        print(f"{label} input{' (the goal)' if label == 'uint8' else ''}:")
        failures += run_cases(photo, label, args.rounds)
        print()
    print(
        "ratio = ConvLens (check_input + check_kernel + conv2d) / fastest reference, the median "
        f"of the per-round ratios; best/best = ratio of the two best times. Goal: ratio <= {GOAL} "
        "on the photo's 8-bit pixels."
    )
    goal_failures = [f for f in failures if f.startswith("uint8")]
    if goal_failures:
        print(f"FAILS the goal in {len(goal_failures)} case(s): " + "; ".join(goal_failures))
    else:
        print(f"Meets the goal: every uint8 ratio <= {GOAL}.")
    if len(failures) > len(goal_failures):
        print(
            "Over 1.5 with float32 input: " + "; ".join(sorted(set(failures) - set(goal_failures)))
        )


def run_cases(photo: NDArray[np.float32] | NDArray[np.uint8], label: str, rounds: int) -> list[str]:
    height, width = photo.shape[:2]

    header = [
        "case",
        "output",
        "ConvLens",
        "conv2d only",
        "cv2.filter2D",
        "cv2 float32 first",
        "scipy.ndimage",
        "max |diff|",
        "fastest ref",
        "ratio",
        "best/best",
    ]
    rows: list[list[str]] = []
    failures: list[str] = []
    for kernel_name, kernel in KERNELS.items():
        k = kernel.shape[0]
        kernel_3d = kernel[:, :, np.newaxis]
        for stride in (1, 2):
            for padding in ("same", "valid"):
                rows_at, cols_at = reference_slices((height, width), k, stride, padding)
                checked_input = check_input(photo)
                checked_kernel = check_kernel(kernel, 3)

                def convlens(
                    stride: int = stride, padding: str = padding, kernel: Float32Array = kernel
                ) -> Float32Array:
                    inputs = check_input(photo)
                    spec = check_kernel(kernel, inputs.shape[2])
                    return conv2d(inputs, spec, stride, padding)[0]

                def conv2d_only(
                    stride: int = stride,
                    padding: str = padding,
                    inputs: Float32Array = checked_input,
                    spec: Kernel = checked_kernel,
                ) -> Float32Array:
                    return conv2d(inputs, spec, stride, padding)[0]

                def opencv(
                    kernel: Float32Array = kernel,
                    rows_at: slice = rows_at,
                    cols_at: slice = cols_at,
                ) -> Float32Array:
                    full = cv2.filter2D(photo, cv2.CV_32F, kernel, borderType=cv2.BORDER_CONSTANT)
                    return full[rows_at, cols_at]

                def opencv_float_first(
                    kernel: Float32Array = kernel,
                    rows_at: slice = rows_at,
                    cols_at: slice = cols_at,
                ) -> Float32Array:
                    floats = np.asarray(photo, dtype=np.float32)
                    full = cv2.filter2D(floats, -1, kernel, borderType=cv2.BORDER_CONSTANT)
                    return full[rows_at, cols_at]

                def scipy_ref(
                    kernel_3d: Float32Array = kernel_3d,
                    rows_at: slice = rows_at,
                    cols_at: slice = cols_at,
                ) -> Float32Array:
                    full = ndimage.correlate(
                        photo, kernel_3d, output=np.float32, mode="constant", cval=0.0
                    )
                    return full[rows_at, cols_at]

                case = f"{kernel_name} s{stride} {padding}"
                outputs = {
                    "ConvLens": convlens(),
                    "conv2d": conv2d_only(),
                    "cv2": opencv(),
                    "cv2 f32": opencv_float_first(),
                    "scipy": scipy_ref(),
                }
                expected = outputs["scipy"]
                scale = 255.0 * float(np.abs(kernel).sum())
                worst = 0.0
                for name, output in outputs.items():
                    if output.shape != expected.shape:
                        raise SystemExit(
                            f"{case}: {name} gives shape {output.shape}, scipy {expected.shape}."
                        )
                    if not np.allclose(output, expected, rtol=1e-5, atol=1e-5 * scale):
                        raise SystemExit(
                            f"{case}: {name} disagrees with scipy by up to "
                            f"{np.abs(output - expected).max():.3g}."
                        )
                    worst = max(worst, float(np.abs(output - expected).max()))

                times = time_interleaved(
                    {
                        "ConvLens": convlens,
                        "conv2d": conv2d_only,
                        "cv2": opencv,
                        "cv2 f32": opencv_float_first,
                        "scipy": scipy_ref,
                    },
                    rounds=rounds,
                )
                fastest_ref = min(("cv2", "cv2 f32", "scipy"), key=lambda n: times[n].best_ms)
                ratio = paired_ratio(times["ConvLens"], times[fastest_ref])
                ratio_best = times["ConvLens"].best_ms / times[fastest_ref].best_ms
                if ratio > GOAL:
                    failures.append(f"{label} {case}: {ratio:.2f}")
                rows.append(
                    [
                        case,
                        "x".join(str(n) for n in expected.shape),
                        times["ConvLens"].cell(),
                        times["conv2d"].cell(),
                        times["cv2"].cell(),
                        times["cv2 f32"].cell(),
                        times["scipy"].cell(),
                        f"{worst:.1e}",
                        fastest_ref,
                        f"{ratio:.2f}",
                        f"{ratio_best:.2f}",
                    ]
                )
    print_table(header, rows)
    return failures


if __name__ == "__main__":
    main()
