"""When not to trust a guess: the input is unlike the digits the model learned from.

A classifier has no "none of these" answer: its softmax spreads 100% over its classes, so a dot,
a blob or a scribble still gets a digit, often "99% sure". :func:`caution` says so, in plain
words, from the 28x28 input the model saw and the probabilities it gave. Four checks, each with
a threshold set from MNIST itself (the 2,000 test digits of ``tests/data/mnist-slice.npz``, as
uploads, prepared the way the app prepares every image):

- **too little ink**: the input's pixels sum to under :data:`MIN_INK` (a pixel of full ink is
  1). MNIST's digits sum to 27 at the least (a thin "1"), 93 typically.
- **one solid blob**: the thickest part of the ink is more than ``2 *`` :data:`MAX_HALF_WIDTH`
  pixels across, measured as the largest distance from a pixel of ink (above 0.5) to the nearest
  pixel that is not. MNIST's strokes reach 4.65 pixels from their edge at the most (4.1 for 999
  in 1,000 digits); a dot, enlarged to fill the digit's 20-pixel box, reaches 8.
- **a scribble**: the pixels sum to over :data:`MAX_INK`; MNIST's most inked digit sums to 225
  (190 for 199 in 200), a scribbled-over pad 270 to 400.
- **no clear winner**: the most probable class has under :data:`MIN_TOP_PROBABILITY`. The
  shipped models give that to 1 to 3 of the 2,000 test digits (the MLP the most), and most of
  those they get wrong anyway.

The shape checks flag none of the 2,000 test digits; with the last one, 0.05% to 0.15% of them
are flagged, depending on the model (``tests/ml/test_caution.py`` pins the rate down).
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

MIN_INK = 20.0
MAX_INK = 250.0
MAX_HALF_WIDTH = 5.0
MIN_TOP_PROBABILITY = 0.4
INK_LEVEL = 0.5

_ALWAYS_PICKS = (
    "A model always picks one of its {classes} classes, even for something that is not a "
    "digit, so this guess tells you little."
)


def caution(model_input: NDArray[np.floating], probabilities: NDArray[np.floating]) -> str | None:
    """Why the guess for ``model_input`` (28 x 28, ink 1, background 0) should not be trusted,
    or None when the input looks like the digits the model learned from.

    ``probabilities``: the model's answer, one value per class, summing to 1.
    """
    classes = int(probabilities.size)
    always_picks = _ALWAYS_PICKS.format(classes=classes)
    ink = float(model_input.sum())
    if ink < MIN_INK:
        return (
            "There is very little ink here, less than in any digit the model learned from. "
            f"{always_picks} Draw a whole digit."
        )
    thickest = 2 * thickest_half_width(model_input)
    if thickest > 2 * MAX_HALF_WIDTH:
        return (
            f"This looks like one solid blob, not pen strokes: its thickest part is "
            f"{thickest:.0f} pixels across in the 28 x 28 input, where the digits the model "
            f"learned from have strokes under {2 * MAX_HALF_WIDTH:.0f} pixels wide (a small mark "
            f"is enlarged to fill the digit's box). {always_picks} Draw a bigger digit with "
            "thin lines."
        )
    if ink > MAX_INK:
        return (
            "This is covered in far more ink than any digit the model learned from, like a "
            f"scribble. {always_picks} Clear the pad and draw one digit."
        )
    top = float(probabilities.max())
    if top < MIN_TOP_PROBABILITY:
        second = float(np.sort(probabilities)[-2])
        return (
            f"No class stands out: the top guess gets only {top:.0%}, the next {second:.0%}. "
            "The model is unsure; the drawing may be unlike the digits it learned from, or "
            "look like two of them at once."
        )
    return None


def thickest_half_width(model_input: NDArray[np.floating]) -> float:
    """The largest distance, in pixels, from a pixel of ink (above :data:`INK_LEVEL`) to the
    nearest pixel that is not: half the width of the thickest stroke. 0 with no ink."""
    ink = np.pad((model_input > INK_LEVEL).astype(np.uint8), 1)
    distances = cv2.distanceTransform(ink, cv2.DIST_L2, 3)
    return float(distances.max())
