"""The shipped models, loaded once by the real registry, and MNIST test digits to feed them."""

from __future__ import annotations

import os

import numpy as np
import pytest

from app.config import Settings
from app.ml.registry import Registry, load_registry
from tests.data.cut_mnist import SLICE

SHIPPED = ("lenet5", "mnist-cnn", "mlp", "mnist-cnn-dropout")


@pytest.fixture(scope="session")
def registry() -> Registry:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return load_registry(Settings().models_dir)


@pytest.fixture(scope="session")
def mnist_test() -> tuple[np.ndarray, np.ndarray]:
    """The first 1,000 MNIST test digits as the models take them (0..1, 28x28x1), and labels."""
    with np.load(SLICE) as data:
        images, labels = data["x_test"][:1000], data["y_test"][:1000]
    return (images.astype(np.float32) / 255.0)[..., np.newaxis], labels
