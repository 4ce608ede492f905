"""How a trained model does on its held-out images: the confusion matrix, each class's
accuracy, and the images it got wrong with the most confidence (the ones worth looking at)."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from app.core.encoding import encode_png
from app.ml.metadata import Evaluation, Mistake

MISTAKES_KEPT = 12


def evaluate(
    probabilities: NDArray[np.floating],
    labels: NDArray[np.integer],
    images: NDArray[np.uint8],
    classes: Sequence[str],
    mistakes_kept: int = MISTAKES_KEPT,
) -> Evaluation:
    """``probabilities`` N x K for the held-out ``images`` (N x H x W x C) of class ``labels``."""
    count = len(classes)
    predicted = np.argmax(probabilities, axis=1)
    confusion = np.zeros((count, count), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    held = confusion.sum(axis=1)
    right = np.diag(confusion)
    per_class = [float(right[c] / held[c]) if held[c] else None for c in range(count)]
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    worst = wrong[np.argsort(-confidence, kind="stable")][:mistakes_kept]
    mistakes = [
        Mistake(
            image=base64.b64encode(encode_png(_picture(images[i]), "deflate")).decode("ascii"),
            true_class=classes[int(labels[i])],
            predicted=classes[int(predicted[i])],
            confidence=round(float(probabilities[i, predicted[i]]), 6),
        )
        for i in worst
    ]
    return Evaluation(
        images=len(labels),
        accuracy=float(right.sum() / max(len(labels), 1)),
        confusion=confusion.tolist(),
        per_class_accuracy=per_class,
        mistakes=mistakes,
    )


def _picture(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    return image[:, :, 0] if image.shape[2] == 1 else image
