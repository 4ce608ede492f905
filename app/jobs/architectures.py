"""The networks a training job can train: a recipe by name, or any stack, fitted to a dataset.

A recipe is written without its input and class count: the dataset gives both. So is a stack
sent in the Architecture lab's format: its ``Input`` (if any) is replaced by the dataset's
image shape and its last layer, which must be a ``Dense``, gets one unit per class.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.core.architecture.layers import Dense, Input, Layer, Stack
from app.core.architecture.presets import PRESETS
from app.core.architecture.summary import Summary, summarize_stack
from app.errors import InvalidParameter
from app.ml.recipes import colour_shapes_stack

# The last Dense's activations whose output the app can read: probabilities, or logits.
OUTPUT_ACTIVATIONS = ("softmax", "linear", None)


def _preset(name: str) -> Stack:
    """A preset of the Architecture lab without its Input: the dataset gives the input."""
    return tuple(layer for layer in PRESETS[name].layers if not isinstance(layer, Input))


def _lenet5() -> Stack:
    """LeNet-5 as the course builds it: the preset's 6 and 16 5x5 filters, 2x2 max pooling and
    dense 120, 84, with swish where the preset has relu."""
    return tuple(
        layer.model_copy(update={"activation": "swish"})
        if getattr(layer, "activation", None) == "relu"
        else layer
        for layer in _preset("lenet5")
    )


def _small_vgg() -> Stack:
    """VGG's shape, small, for colour images: the shipped ``colour-shapes`` model's stack (three
    blocks of two 3x3 convolutions with 16, 32, 64 filters and 2x2 max pooling, then dense 64
    with dropout), without its input."""
    return tuple(layer for layer in colour_shapes_stack() if not isinstance(layer, Input))


RECIPES: dict[str, Callable[[], Stack]] = {
    "lenet5": _lenet5,
    "mnist-cnn": lambda: _preset("mnist-cnn"),
    "mlp": lambda: _preset("mlp"),
    "small-vgg": _small_vgg,
}


# The input each recipe was made for (the datasets it is trained on set their own).
RECIPE_INPUTS: dict[str, tuple[int, int, int]] = {
    "lenet5": (28, 28, 1),
    "mnist-cnn": (28, 28, 1),
    "mlp": (28, 28, 1),
    "small-vgg": (32, 32, 3),
}


def training_stack(
    architecture: str | Sequence[Layer], image_shape: Sequence[int], classes: int
) -> tuple[Stack, Summary]:
    """The stack to train, with its summary; ``InvalidParameter`` when it cannot be trained."""
    layers = tuple(RECIPES[architecture]() if isinstance(architecture, str) else architecture)
    if layers and isinstance(layers[0], Input):
        layers = layers[1:]
    if not layers:
        raise InvalidParameter(
            "The stack ends in nothing; a network trained here ends in a Dense layer, whose "
            "units become one per class of the dataset. Add a Dense layer at the end "
            '(activation "softmax").'
        )
    if not isinstance(layers[-1], Dense):
        raise InvalidParameter(
            "The stack ends in {last}; a network trained here ends in a Dense layer, whose "
            "units become one per class of the dataset. Add a Dense layer at the end "
            '(activation "softmax").',
            last=type(layers[-1]).__name__,
        )
    output = layers[-1]
    assert isinstance(output, Dense)
    if output.activation not in OUTPUT_ACTIVATIONS:
        raise InvalidParameter(
            'The last Dense layer has activation "{activation}"; its outputs must be '
            'class probabilities ("softmax") or scores (no activation, "linear"). Use "softmax".',
            activation=output.activation,
        )
    stack: Stack = (
        Input(shape=tuple(image_shape), name="input"),
        *layers[:-1],
        output.model_copy(update={"units": classes}),
    )
    return stack, summarize_stack(None, stack)
