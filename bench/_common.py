"""What the benchmark scripts share: the project on sys.path, the test photo, and timing.

Timing is interleaved: every round runs each contender once, in turn, so that a burst of load on
a noisy machine hits all of them alike instead of ruining one contender's whole series. Each
contender is warmed up first; the figures are the best and the median of the rounds, in ms, and
ratios are the median of the per-round ratios.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

SAMPLES_DIR = PROJECT_ROOT / "static" / "samples"
PHOTO_SIZE = 1024


@dataclass(frozen=True)
class Timing:
    samples_ms: tuple[float, ...]

    @property
    def best_ms(self) -> float:
        return min(self.samples_ms)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    def cell(self) -> str:
        return f"{self.best_ms:.2f} / {self.median_ms:.2f}"


def paired_ratio(numerator: Timing, denominator: Timing) -> float:
    """Median over rounds of numerator / denominator measured in the same round.

    Both ran seconds apart under the same background load, so this is steadier on a noisy
    machine than a ratio of two independent minima or medians.
    """
    return statistics.median(
        a / b for a, b in zip(numerator.samples_ms, denominator.samples_ms, strict=True)
    )


def photo_rgb(size: int = PHOTO_SIZE) -> NDArray[np.uint8]:
    """astronaut.png (512x512 RGB) resized to ``size`` x ``size`` with bicubic interpolation."""
    bgr = cv2.imread(str(SAMPLES_DIR / "astronaut.png"), cv2.IMREAD_COLOR)
    if bgr is None:
        raise SystemExit(f"Cannot read {SAMPLES_DIR / 'astronaut.png'}.")
    resized = cv2.resize(bgr, (size, size), interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(cv2.cvtColor(resized, cv2.COLOR_BGR2RGB))


def time_interleaved(
    contenders: Mapping[str, Callable[[], object]], rounds: int, warmup: int = 3
) -> dict[str, Timing]:
    """Wall time of each contender over ``rounds`` interleaved rounds, in ms.

    The order rotates each round, so no contender always runs right after the same neighbour
    (whose freed memory, for instance, it would reuse).
    """
    for run in contenders.values():
        for _ in range(warmup):
            run()
    names = list(contenders)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_index in range(rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            run = contenders[name]
            start = time.perf_counter()
            run()
            samples[name].append((time.perf_counter() - start) * 1000.0)
    return {name: Timing(tuple(values)) for name, values in samples.items()}


def machine_line() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"NumPy {np.__version__}, OpenCV {cv2.__version__} ({cv2.getNumThreads()} threads)"
    )


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    print(line(header))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print(line(row))
