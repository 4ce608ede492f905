"""Real Keras model files, made by Keras itself in the tests: the benign side of the import tests.

Each builder returns a compiled-free ``keras.Model`` with seeded weights (BatchNormalization's
moving statistics set away from 0 and 1, so that they matter); :func:`saved` writes it as
``.keras`` or ``.h5`` the way a learner's notebook would.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

SEED = 7


def _seeded(model: Any) -> Any:
    """Random weights everywhere, scaled by fan-in so that values stay near 1 however deep the
    network (float32 rounding then stays far below the tests' 1e-4); BatchNormalization's
    variances positive."""
    rng = np.random.default_rng(SEED)
    for layer in model.layers:
        weights = layer.get_weights()
        if not weights:
            continue
        fresh = [
            rng.normal(0, 1 / np.sqrt(max(int(np.prod(w.shape[:-1])), 1)), w.shape).astype(
                np.float32
            )
            for w in weights
        ]
        if layer.__class__.__name__ == "BatchNormalization":
            fresh[-1] = rng.uniform(0.5, 2.0, weights[-1].shape).astype(np.float32)
        layer.set_weights(fresh)
    return model


def small_sequential_grey() -> Any:
    import keras
    from keras import layers

    return _seeded(
        keras.Sequential(
            [
                keras.Input((28, 28, 1)),
                layers.Conv2D(4, 5, activation="relu", name="conv1"),
                layers.MaxPooling2D(name="pool1"),
                layers.Conv2D(6, 3, padding="same", activation="swish", name="conv2"),
                layers.AveragePooling2D(2, name="pool2"),
                layers.Flatten(name="flatten"),
                layers.Dropout(0.3, name="dropout"),
                layers.Dense(10, activation="softmax", name="output"),
            ],
            name="small_grey",
        )
    )


def residual_rgb() -> Any:
    """A functional CNN with a residual Add, an inception-style Concatenate, BatchNormalization,
    Dropout, the activation layers and logits out."""
    import keras
    from keras import layers

    inputs = keras.Input((32, 32, 3), name="photo")
    x = layers.Rescaling(1 / 127.5, offset=-1, name="rescale")(inputs)
    x = layers.Conv2D(8, 3, padding="same", name="stem")(x)
    x = layers.BatchNormalization(epsilon=1.001e-5, name="stem_bn")(x)
    x = layers.ReLU(max_value=6.0, name="stem_relu")(x)
    shortcut = x
    y = layers.SeparableConv2D(8, 3, padding="same", name="sep")(x)
    y = layers.BatchNormalization(name="sep_bn")(y)
    y = layers.LeakyReLU(negative_slope=0.1, name="sep_leaky")(y)
    x = layers.Add(name="residual")([y, shortcut])
    a = layers.Conv2D(4, 1, activation="relu", name="branch_1x1")(x)
    b = layers.DepthwiseConv2D(3, padding="same", name="branch_dw")(x)
    c = layers.MaxPooling2D(3, strides=1, padding="same", name="branch_pool")(x)
    x = layers.Concatenate(name="mixed")([a, b, c])
    x = layers.ZeroPadding2D(1, name="pad")(x)
    x = layers.Conv2D(12, 3, strides=2, name="reduce")(x)
    x = layers.Activation("elu", name="reduce_elu")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(0.2, name="drop")(x)
    outputs = layers.Dense(5, name="logits")(x)
    return _seeded(keras.Model(inputs, outputs, name="residual_rgb"))


def softmax_layer_rgb() -> Any:
    """Ends in a Softmax layer after logits; GlobalMaxPooling2D on the way."""
    import keras
    from keras import layers

    inputs = keras.Input((16, 24, 3), name="image")
    x = layers.Conv2D(6, 3, strides=2, activation="tanh", name="conv")(inputs)
    x = layers.GlobalMaxPooling2D(name="gmp")(x)
    x = layers.Dense(3, name="scores")(x)
    outputs = layers.Softmax(name="softmax")(x)
    return _seeded(keras.Model(inputs, outputs, name="softmax_rgb"))


def vgg16_small() -> Any:
    """keras.applications' VGG16 itself, without its top, at 64x64, with a classifier head."""
    import keras

    base = keras.applications.VGG16(weights=None, include_top=False, input_shape=(64, 64, 3))
    x = keras.layers.GlobalAveragePooling2D(name="gap")(base.output)
    outputs = keras.layers.Dense(4, activation="softmax", name="predictions")(x)
    return _seeded(keras.Model(base.input, outputs, name="vgg16_small"))


def mobilenet_small() -> Any:
    """keras.applications' MobileNet (v1) without its top, at 64x64: ZeroPadding2D,
    DepthwiseConv2D, BatchNormalization and ReLU(6) as Keras builds them."""
    import keras

    base = keras.applications.MobileNet(
        weights=None, include_top=False, input_shape=(64, 64, 3), alpha=0.25, pooling="avg"
    )
    outputs = keras.layers.Dense(3, activation="softmax", name="predictions")(base.output)
    return _seeded(keras.Model(base.input, outputs, name="mobilenet_small"))


BENIGN: dict[str, Callable[[], Any]] = {
    "small_grey": small_sequential_grey,
    "residual_rgb": residual_rgb,
    "softmax_rgb": softmax_layer_rgb,
    "vgg16_small": vgg16_small,
    "mobilenet_small": mobilenet_small,
}


def saved(model: Any, folder: Path, suffix: str) -> Path:
    """``model`` saved as ``<name><suffix>`` (``.keras`` or ``.h5``) in ``folder``."""
    path = folder / f"{model.name}{suffix}"
    model.save(path)
    return path
