"""The models ConvLens ships, as layer stacks in the Architecture lab's format, and how each is
trained: ``convlens train <id>`` builds the stack with :func:`app.ml.build.build_model` and
trains it with :func:`app.ml.fit.fit_stack`, the code the training jobs run.

The layer names (``conv1``, ``pool1``, ``fc1`` ...) are the API's contract for feature maps and
filters, so they never change once a model is shipped. The MNIST models take digits as the app
feeds them: ``(28, 28, 1)`` float32 in 0..1, white ink on black; ``colour-shapes`` takes 32x32
RGB images in 0..1 (:mod:`app.ml.colour_set`). Every model ends in a softmax.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from app.core.architecture.layers import (
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Input,
    Layer,
    MaxPooling2D,
    Stack,
)
from app.core.architecture.presets import PRESETS
from app.ml import colour_set
from app.ml.build import build_model
from app.ml.fit import Augmentation

if TYPE_CHECKING:
    import keras

INPUT_SHAPE = (28, 28, 1)
CLASSES = tuple(str(digit) for digit in range(10))
# The MNIST models' augmentation: rotation up to 0.02 of a turn (about 7 degrees), zoom and
# shift up to 8% (about 2 pixels): a hand's variation, and it keeps LeNet-5 from overfitting
# (99.6% train vs 98.8% test without it).
MNIST_AUGMENTATION = Augmentation(rotation=0.02, zoom=0.08, shift=0.08)

DatasetName = Literal["mnist", "colour-shapes"]


@dataclass(frozen=True)
class Recipe:
    """How a shipped model is trained: ``convlens train <id>`` uses these unless told otherwise."""

    id: str
    name: str
    description: str
    stack: Callable[[], Stack]  # starting with its Input
    model_name: str  # the Keras model's name
    dataset: DatasetName
    epochs: int
    batch_size: int = 128
    learning_rate: float = 1e-3
    learning_rate_decay: float = 0.9  # times this after every epoch
    augmentation: Augmentation | None = MNIST_AUGMENTATION
    # Held out when the dataset does not name its validation images (MNIST does).
    validation_split: float = 0.1

    @property
    def classes(self) -> tuple[str, ...]:
        return CLASSES if self.dataset == "mnist" else colour_set.CLASSES

    def build(self) -> keras.Model:
        return build_model(self.stack(), name=self.model_name)


def _digits(name: str) -> Stack:
    """An Architecture lab preset of a shipped MNIST model: the one place its layers are."""
    return PRESETS[name].layers


def mnist_cnn_dropout_stack() -> Stack:
    """The course CNN with dropout: 25% after the second pooling, 50% before the output."""
    layers = list(_digits("mnist-cnn"))
    at_flatten = next(i for i, layer in enumerate(layers) if isinstance(layer, Flatten))
    layers.insert(at_flatten, Dropout(rate=0.25, name="drop1"))
    layers.insert(len(layers) - 1, Dropout(rate=0.5, name="drop2"))
    return tuple(layers)


def colour_shapes_stack() -> Stack:
    """VGG's shape, small, for 32x32 colour images: three blocks of two 3x3 convolutions
    ("same") with 16, 32, 64 filters, each block ending in 2x2 max pooling; then dense 64 with
    30% dropout and one output per shape (the training jobs' "small-vgg")."""
    layers: list[Layer] = [Input(shape=(colour_set.SIDE, colour_set.SIDE, 3), name="input")]
    for block, filters in enumerate((16, 32, 64), 1):
        layers += [
            Conv2D(
                filters=filters,
                kernel_size=3,
                padding="same",
                activation="relu",
                name=f"block{block}_conv{i}",
            )
            for i in (1, 2)
        ]
        layers.append(MaxPooling2D(pool_size=2, name=f"block{block}_pool"))
    return (
        *layers,
        Flatten(name="flatten"),
        Dense(units=64, activation="relu", name="fc1"),
        Dropout(rate=0.3, name="drop1"),
        Dense(units=len(colour_set.CLASSES), activation="softmax", name="output"),
    )


def lenet5() -> keras.Model:
    """LeNet-5 as taught: 6 5x5 filters (same), pool, 16 5x5 filters, pool, dense 120, 84, 10.

    As most courses teach it today, with ReLU and 2x2 max pooling; LeCun et al. (1998) used
    tanh-like squashing and pooled by averaging (trained here that way it stops at 98.8%).
    """
    return RECIPES["lenet5"].build()


def mnist_cnn() -> keras.Model:
    """The classic course CNN: two 3x3 conv + 2x2 max-pool stages, then dense 64, 32, 10."""
    return RECIPES["mnist-cnn"].build()


def mlp() -> keras.Model:
    """The dense baseline: every pixel wired to 84 units, then 10. No convolution at all."""
    return RECIPES["mlp"].build()


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
            stack=lambda: _digits("lenet5"),
            model_name="lenet5",
            dataset="mnist",
            epochs=20,
        ),
        Recipe(
            id="mnist-cnn",
            name="MNIST CNN",
            description=(
                "The classic course model: 32 and 64 3x3 filters with 2x2 max pooling, then "
                "dense 64, 32, 10 (123,690 parameters)."
            ),
            stack=lambda: _digits("mnist-cnn"),
            model_name="mnist_cnn",
            dataset="mnist",
            epochs=10,
        ),
        Recipe(
            id="mnist-cnn-dropout",
            name="MNIST CNN with dropout",
            description=(
                "The classic course model with dropout: 25% of the pooled maps and 50% of the "
                "last hidden layer are dropped at random while training (123,690 parameters)."
            ),
            stack=mnist_cnn_dropout_stack,
            model_name="mnist_cnn_dropout",
            dataset="mnist",
            epochs=15,
        ),
        Recipe(
            id="mlp",
            name="Dense baseline (MLP)",
            description=(
                "No convolution: the 784 pixels feed 84 dense units, then 10 (66,790 "
                "parameters). Compare what convolution buys."
            ),
            stack=lambda: _digits("mlp"),
            model_name="mlp",
            dataset="mnist",
            epochs=15,
        ),
        Recipe(
            id="colour-shapes",
            name="Colour shapes (small VGG)",
            description=(
                "A small VGG-style network for colour images: three blocks of two 3x3 "
                "convolutions (16, 32, 64 filters) with 2x2 max pooling, then dense 64 and 8 "
                "outputs, trained on coloured shapes on textured backgrounds that the project "
                "draws itself (138,200 parameters)."
            ),
            stack=colour_shapes_stack,
            model_name="colour_shapes",
            dataset="colour-shapes",
            epochs=20,
            batch_size=64,
            augmentation=None,
        ),
    )
}
