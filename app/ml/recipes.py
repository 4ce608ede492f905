"""The models ConvLens ships, as Keras builders: functional, every layer named.

The layer names (``conv1``, ``pool1``, ``fc1`` ...) are the API's contract for feature maps and
filters, so they never change once a model is shipped. Every model takes MNIST as the app feeds
it: ``(28, 28, 1)`` float32 in 0..1, white ink on black, and ends in a 10-way softmax.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keras

INPUT_SHAPE = (28, 28, 1)
CLASSES = tuple(str(digit) for digit in range(10))


@dataclass(frozen=True)
class Recipe:
    """How a shipped model is trained: ``convlens train <id>`` uses these unless told otherwise."""

    id: str
    name: str
    description: str
    build: Callable[[], keras.Model]
    epochs: int
    batch_size: int = 128
    learning_rate: float = 1e-3


def lenet5() -> keras.Model:
    """LeNet-5 as taught: 6 5x5 filters (same), pool, 16 5x5 filters, pool, dense 120, 84, 10.

    As most courses teach it today, with ReLU and 2x2 max pooling; LeCun et al. (1998) used
    tanh-like squashing and pooled by averaging (trained here that way it stops at 98.8%).
    """
    from keras import Input, Model, layers

    inputs = Input(shape=INPUT_SHAPE, name="input")
    x = layers.Conv2D(6, 5, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(16, 5, padding="valid", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(120, activation="relu", name="fc1")(x)
    x = layers.Dense(84, activation="relu", name="fc2")(x)
    outputs = layers.Dense(10, activation="softmax", name="output")(x)
    return Model(inputs, outputs, name="lenet5")


def mnist_cnn() -> keras.Model:
    """The classic course CNN: two 3x3 conv + 2x2 max-pool stages, then dense 64, 32, 10."""
    from keras import Input, Model, layers

    inputs = Input(shape=INPUT_SHAPE, name="input")
    x = layers.Conv2D(32, 3, activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(64, 3, activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(64, activation="relu", name="fc1")(x)
    x = layers.Dense(32, activation="relu", name="fc2")(x)
    outputs = layers.Dense(10, activation="softmax", name="output")(x)
    return Model(inputs, outputs, name="mnist_cnn")


def mlp() -> keras.Model:
    """The dense baseline: every pixel wired to 84 units, then 10. No convolution at all."""
    from keras import Input, Model, layers

    inputs = Input(shape=INPUT_SHAPE, name="input")
    x = layers.Flatten(name="flatten")(inputs)
    x = layers.Dense(84, activation="relu", name="fc1")(x)
    outputs = layers.Dense(10, activation="softmax", name="output")(x)
    return Model(inputs, outputs, name="mlp")


RECIPES: dict[str, Recipe] = {
    recipe.id: recipe
    for recipe in (
        Recipe(
            id="lenet5",
            name="LeNet-5",
            description=(
                "LeCun's 1998 digit reader: two convolution + pooling stages, then three "
                "dense layers (61,706 parameters)."
            ),
            build=lenet5,
            epochs=20,
        ),
        Recipe(
            id="mnist-cnn",
            name="MNIST CNN",
            description=(
                "The classic course model: 32 and 64 3x3 filters with 2x2 max pooling, then "
                "dense 64, 32, 10 (123,690 parameters)."
            ),
            build=mnist_cnn,
            epochs=10,
        ),
        Recipe(
            id="mlp",
            name="Dense baseline (MLP)",
            description=(
                "No convolution: the 784 pixels feed 84 dense units, then 10 (66,790 "
                "parameters). Compare what convolution buys."
            ),
            build=mlp,
            epochs=15,
        ),
    )
}
