"""The caution on a guess, against hand-made 28x28 inputs and MNIST's own digits."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from app.core.caution import MAX_HALF_WIDTH, caution, thickest_half_width
from tests.data.cut_mnist import SLICE

SURE = np.array([0.0] * 9 + [1.0], np.float32)


def blank() -> np.ndarray:
    return np.zeros((28, 28), np.float32)


def one() -> np.ndarray:
    """A thin upright stroke, 20 pixels tall and 2 wide: MNIST's plainest digit."""
    image = blank()
    image[4:24, 13:15] = 1.0
    return image


def disc(radius: int) -> np.ndarray:
    image = blank()
    cv2.circle(image, (14, 14), radius, 1.0, -1)
    return image


def hatching() -> np.ndarray:
    """Thin lines one pixel apart filling the digit's 20x20 box: much ink, no thick part."""
    image = blank()
    image[4:24:2, 4:24] = 1.0
    image[4:24, 4:24:3] = 1.0
    return image


def test_a_thin_stroke_with_a_clear_winner_is_not_flagged() -> None:
    assert caution(one(), SURE) is None


def test_a_speck_is_too_little_ink() -> None:
    speck = blank()
    speck[13:16, 13:16] = 1.0
    message = caution(speck, SURE)
    assert message is not None
    assert message.startswith("There is very little ink here")
    assert "always picks one of its 10 classes" in message


def test_a_dot_enlarged_to_the_digits_box_is_one_solid_blob() -> None:
    message = caution(disc(9), SURE)
    assert message is not None
    assert message.startswith("This looks like one solid blob, not pen strokes: its thickest part")
    assert "always picks one of its 10 classes" in message


def test_a_pad_covered_in_thin_lines_is_a_scribble() -> None:
    image = hatching()
    assert thickest_half_width(image) <= MAX_HALF_WIDTH
    message = caution(image, SURE)
    assert message is not None
    assert message.startswith("This is covered in far more ink than any digit")


def test_a_flat_probability_says_no_class_stands_out() -> None:
    flat = np.array([0.3, 0.25] + [0.45 / 8] * 8, np.float32)
    assert caution(one(), flat) == (
        "No class stands out: the top guess gets only 30%, the next 25%. The model is unsure; "
        "the drawing may be unlike the digits it learned from, or look like two of them at once."
    )


@pytest.mark.parametrize(("radius", "expected"), [(1, 1.0), (3, 3.0), (9, 9.0)])
def test_the_thickest_half_width_is_a_discs_radius(radius: int, expected: float) -> None:
    assert thickest_half_width(disc(radius)) == pytest.approx(expected, abs=0.5)


def test_no_mnist_test_digit_is_flagged_for_its_shape() -> None:
    with np.load(SLICE) as data:
        digits = data["x_test"].astype(np.float32) / 255
    flagged = [i for i, digit in enumerate(digits) if caution(digit, SURE) is not None]
    assert len(digits) == 2000
    assert flagged == []
