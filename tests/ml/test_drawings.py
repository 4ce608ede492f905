"""MNIST test digits re-drawn as a user would draw or photograph them are read as well as MNIST.

Each digit is drawn on a 280x280 canvas at a random place and size, with strokes made thinner
or thicker, as white on black, black on white, a transparent canvas (black or white ink) or a
JPEG photo of unevenly lit paper; :func:`prepare_digit` must bring it back to MNIST's layout.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from app.config import PROJECT_ROOT
from app.core.preprocess import prepare_digit
from tests.drawings import CANVAS, STYLES, mnist_test_set, paste, render, strokes

pytestmark = pytest.mark.keras

MODEL = PROJECT_ROOT / "models" / "lenet5.keras"
SAMPLES = 500
# Measured on the shipped LeNet-5 with this seed: 99.4% on the raw digits, 99.2% drawn; with six
# other seeds the drawings lost 0.4 points at worst (gained 0.6 at best). They may lose 1.5.
ALLOWED_LOSS = 0.015


@pytest.fixture(scope="module")
def lenet5():
    if not MODEL.is_file():
        pytest.fail(f"{MODEL} is missing: train it with `convlens train lenet5`.")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    return keras.saving.load_model(MODEL)


def accuracy(model, images: np.ndarray, labels: np.ndarray) -> float:
    scores = np.asarray(model(images[..., np.newaxis], training=False))
    return float(np.mean(scores.argmax(axis=1) == labels))


def test_drawn_digits_are_classified_about_as_well_as_mnists_own(lenet5):
    digits, labels = mnist_test_set()
    rng = np.random.default_rng(1998)
    chosen = rng.choice(len(digits), SAMPLES, replace=False)
    styles = [STYLES[k % len(STYLES)] for k in range(SAMPLES)]
    drawn = []
    for index, style in zip(chosen, styles, strict=True):
        ink = strokes(digits[index], int(rng.integers(60, 250)), int(rng.integers(-2, 4)))
        height, width = min(ink.shape[0], CANVAS), min(ink.shape[1], CANVAS)
        top, left = rng.integers(0, CANVAS - height + 1), rng.integers(0, CANVAS - width + 1)
        result = prepare_digit(render(paste(ink, int(top), int(left)), style, seed=int(index)))
        assert not result.empty
        drawn.append(result.model_input)

    raw = accuracy(lenet5, digits[chosen].astype(np.float32) / 255, labels[chosen])
    redrawn = accuracy(lenet5, np.stack(drawn), labels[chosen])
    by_style = {
        style: accuracy(
            lenet5,
            np.stack([d for d, s in zip(drawn, styles, strict=True) if s == style]),
            labels[chosen][[s == style for s in styles]],
        )
        for style in STYLES
    }
    print(f"raw {raw:.3f}, drawn {redrawn:.3f}, by style {by_style}")
    assert redrawn >= raw - ALLOWED_LOSS, f"raw {raw:.3f}, drawn {redrawn:.3f}, {by_style}"
