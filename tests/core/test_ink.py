"""The ink search's own helpers, against NumPy."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from app.core.ink import _compare, percentile


@pytest.mark.parametrize("seed", range(40))
def test_percentile_equals_numpys_to_the_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(25):
        count = int(rng.integers(1, 5000))
        values = (rng.random(count) * float(rng.choice([1e-3, 1.0, 300.0]))).astype(np.float32)
        if seed % 2:  # many ties
            values = (np.round(values * 4) / 4).astype(np.float32)
        q = float(rng.choice([0.0, 10.0, 50.0, 90.0, 99.0, 100.0, 33.3]))
        expected = np.percentile(values, q)
        got = percentile(values, q)
        assert got.dtype == expected.dtype == np.float32
        assert got.tobytes() == expected.tobytes(), (count, q)


def test_percentile_leaves_its_input_unchanged() -> None:
    values = np.arange(10, 0, -1, dtype=np.float32)
    percentile(values, 90.0)
    np.testing.assert_array_equal(values, np.arange(10, 0, -1, dtype=np.float32))


@pytest.mark.parametrize("level", [0.1, 0.05, 1 / 3, 0.30000001192092896, 2.0])
def test_compare_agrees_with_numpy_at_float32_boundaries(level: float) -> None:
    # Values around the level as float32 sees it, where a comparison in float64 would differ.
    around = np.float32(level)
    values = np.array(
        [np.nextafter(around, -np.inf), around, np.nextafter(around, np.inf), 0.0, 5.0],
        np.float32,
    ).reshape(1, -1)
    np.testing.assert_array_equal(_compare(values, level, cv2.CMP_GT) > 0, values > level)
