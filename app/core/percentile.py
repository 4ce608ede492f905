"""NumPy's ``np.percentile`` (its default, linear method) to the bit, without its overhead.

:func:`percentile` partitions around the two ranks it needs; :func:`percentile_of_counts` reads
the same answer off a histogram, for values that come in a few levels with counts. Both
interpolate as NumPy's ``_lerp`` does, in float32 (tests compare them with NumPy).
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np
from numpy.typing import NDArray


def percentile(values: NDArray[np.float32], q: float) -> np.float32:
    """``np.percentile(values, q)`` (its default, linear method) to the bit, for a 1-D float32
    array, without its overhead: partition around the two neighbouring ranks and interpolate as
    NumPy's ``_lerp`` does, in float32 (tests compare the two).
    """
    rank = _rank(values.size, q)
    if rank is None:
        return cast(np.float32, values.max())
    lower, weight = rank
    ranked = np.partition(values, (lower, lower + 1))
    return _lerp(ranked[lower], ranked[lower + 1], weight)


def percentile_of_counts(
    values: NDArray[np.float32], counts: NDArray[np.intp], q: float
) -> np.float32:
    """:func:`percentile` of the array holding each ``values[i]`` ``counts[i]`` times (at least
    one count above 0), to the bit, without building it."""
    present = counts > 0
    values, counts = values[present], counts[present]
    order = np.argsort(values, kind="stable")
    values, cumulative = values[order], np.cumsum(counts[order])
    rank = _rank(int(cumulative[-1]), q)
    if rank is None:
        return cast(np.float32, values[-1])
    lower, weight = rank
    below, above = np.searchsorted(cumulative, (lower, lower + 1), side="right")
    return _lerp(values[below], values[above], weight)


def _rank(count: int, q: float) -> tuple[int, float] | None:
    """NumPy's linear method: the lower of the two ranks to interpolate between, and the weight
    of the upper one; None when the percentile is the largest value."""
    virtual = (count - 1) * (q / 100)
    if virtual >= count - 1:
        return None
    lower = math.floor(virtual)
    return lower, virtual - lower


def _lerp(below: np.float32, above: np.float32, weight: float) -> np.float32:
    """NumPy's ``_lerp`` between two neighbouring ranks, in float32."""
    step = above - below
    if weight >= 0.5:
        return above - step * (1 - weight)
    return below + step * weight
