"""The evaluation of a trained model on its held-out images, on a hand-worked example."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from app.ml.evaluation import evaluate


def test_a_hand_worked_confusion_matrix_accuracies_and_mistakes() -> None:
    # Five images of classes a, b, c (c has none held out). Image 1 (a) is called b at 0.7,
    # image 3 (b) is called a at 0.9: the most confident mistake comes first.
    probabilities = np.array(
        [
            [0.8, 0.1, 0.1],
            [0.2, 0.7, 0.1],
            [0.1, 0.6, 0.3],
            [0.9, 0.05, 0.05],
            [0.3, 0.4, 0.3],
        ]
    )
    labels = np.array([0, 0, 1, 1, 1])
    images = np.arange(5 * 2 * 2, dtype=np.uint8).reshape(5, 2, 2, 1) * 10

    result = evaluate(probabilities, labels, images, ["a", "b", "c"])

    assert result.images == 5
    assert result.confusion == [[1, 1, 0], [1, 2, 0], [0, 0, 0]]
    assert result.per_class_accuracy == [0.5, 2 / 3, None]
    assert result.accuracy == 3 / 5
    assert [(m.true_class, m.predicted, m.confidence) for m in result.mistakes] == [
        ("b", "a", 0.9),
        ("a", "b", 0.7),
    ]
    first = Image.open(io.BytesIO(base64.b64decode(result.mistakes[0].image)))
    assert np.array_equal(np.asarray(first), images[3, :, :, 0])


def test_only_the_most_confident_mistakes_are_kept() -> None:
    probabilities = np.tile([[0.2, 0.8]], (30, 1))
    probabilities[:, 1] = np.linspace(0.51, 0.99, 30)
    probabilities[:, 0] = 1 - probabilities[:, 1]
    labels = np.zeros(30, dtype=np.int64)
    images = np.zeros((30, 3, 3, 3), np.uint8)

    result = evaluate(probabilities, labels, images, ["x", "y"], mistakes_kept=4)

    assert [m.confidence for m in result.mistakes] == [
        round(float(c), 6) for c in probabilities[::-1, 1][:4]
    ]
    assert result.per_class_accuracy == [0.0, None]
