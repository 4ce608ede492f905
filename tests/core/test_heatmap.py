"""The server's colour scales: the same stops as the pages, zero in the middle when signed."""

from __future__ import annotations

import re

import numpy as np

from app.config import PROJECT_ROOT
from app.core.heatmap import (
    DIVERGING,
    SEQUENTIAL,
    Scale,
    colorize,
    scale_for,
    scale_for_range,
)


def test_the_stops_are_the_ones_the_browser_draws_with() -> None:
    config = (PROJECT_ROOT / "static" / "js" / "config.js").read_text()
    for name, stops in (("diverging", DIVERGING), ("sequential", SEQUENTIAL)):
        match = re.search(rf"^\s*{name}: \[([^\]]*)\]", config, re.MULTILINE)
        assert match is not None, name
        assert tuple(re.findall(r'"(#[0-9a-f]{6})"', match[1])) == stops


def test_signed_values_get_a_symmetric_diverging_scale() -> None:
    assert scale_for(np.array([-0.5, 2.0])) == Scale("diverging", -2.0, 2.0)
    assert scale_for(np.array([-3.0, 1.0])) == Scale("diverging", -3.0, 3.0)


def test_non_negative_values_get_a_sequential_scale_from_zero() -> None:
    assert scale_for(np.array([0.5, 4.0])) == Scale("sequential", 0.0, 4.0)
    assert scale_for(np.zeros(3)) == Scale("sequential", 0.0, 1.0)


def test_the_scale_with_its_range_is_scale_for_with_min_and_max() -> None:
    rng = np.random.default_rng(8)
    cases = [np.zeros(4), -np.zeros(4), np.array([-0.0, 0.0]), np.array([np.inf, -1.0])]
    cases += [np.array([1.0, np.nan, -2.0]), np.array([np.nan, 5.0])]
    cases += [rng.normal(size=shape).astype(np.float32) for shape in [(7,), (3, 4, 2), (5, 5)]]
    cases += [rng.random(10).astype(np.float32)]
    for values in cases:
        scale, low, high = scale_for_range(values)
        assert scale == scale_for(values)
        expected = [float(values.min()), float(values.max())]
        assert np.array([low, high]).tobytes() == np.array(expected).tobytes()  # NaN, -0.0 too


def test_colours_are_the_stops_at_the_ends_and_in_between_halfway() -> None:
    scale = Scale("diverging", -1.0, 1.0)
    pixels = colorize(np.array([[-1.0, 0.0, 1.0, -0.75]]), scale)
    assert pixels[0, 0].tolist() == [0x21, 0x66, 0xAC]
    assert pixels[0, 1].tolist() == [0xF7, 0xF7, 0xF7]  # zero is the middle stop
    assert pixels[0, 2].tolist() == [0xB2, 0x18, 0x2B]
    # -0.75 is halfway between the first two stops.
    halfway = np.rint((np.array([0x21, 0x66, 0xAC]) + np.array([0x92, 0xC5, 0xDE])) / 2)
    assert np.abs(pixels[0, 3] - halfway).max() <= 1


def test_values_outside_the_scale_take_the_end_colour_and_nan_is_white() -> None:
    pixels = colorize(np.array([[-5.0, 9.0, np.nan]]), Scale("sequential", 0.0, 1.0))
    assert pixels[0, 0].tolist() == [0xF7, 0xFB, 0xFF]
    assert pixels[0, 1].tolist() == [0x08, 0x30, 0x6B]
    assert pixels[0, 2].tolist() == [255, 255, 255]
