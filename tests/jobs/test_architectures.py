"""Recipes and stacks fitted to a dataset: its input shape in, one unit per class out."""

from __future__ import annotations

import pytest

from app.core.architecture.layers import Conv2D, Dense, Flatten, Input
from app.errors import InvalidParameter
from app.jobs.architectures import RECIPES, training_stack


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_every_recipe_takes_a_small_colour_dataset(recipe: str) -> None:
    stack, summary = training_stack(recipe, (32, 32, 3), 4)

    assert stack[0] == Input(shape=(32, 32, 3), name="input")
    assert summary.output_shape == (4,)


def test_lenet5_is_the_course_version_with_swish() -> None:
    stack, _ = training_stack("lenet5", (28, 28, 1), 10)

    activations = {getattr(layer, "activation", None) for layer in stack[1:-1]} - {None}
    assert activations == {"swish"}


def test_a_stack_gets_the_datasets_input_and_one_unit_per_class() -> None:
    layers = [
        Input(shape=(99, 99, 1)),
        Conv2D(filters=4, kernel_size=3),
        Flatten(),
        Dense(units=1000, activation="softmax"),
    ]

    stack, summary = training_stack(layers, (16, 16, 3), 3)

    assert summary.input_shape == (16, 16, 3)
    assert summary.output_shape == (3,)
    assert len(stack) == 4


def test_a_recipe_too_deep_for_tiny_images_is_refused_naming_the_layer() -> None:
    with pytest.raises(InvalidParameter, match="conv2"):
        training_stack("lenet5", (8, 8, 1), 2)


def test_a_last_dense_with_another_activation_is_refused() -> None:
    layers = [Flatten(), Dense(units=2, activation="relu")]

    with pytest.raises(InvalidParameter, match='activation "relu"'):
        training_stack(layers, (8, 8, 1), 2)
