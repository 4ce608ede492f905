"""The ink search's own helpers, against NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.ink import percentile


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
