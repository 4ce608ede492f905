"""The colour shapes set: the same seed draws the same images, balanced over the classes."""

from __future__ import annotations

import numpy as np

from app.ml.colour_set import CLASSES, colour_shapes


def test_the_same_seed_draws_the_same_set_and_another_seed_another() -> None:
    first, again, other = (colour_shapes(seed, 40, 16) for seed in (7, 7, 8))

    np.testing.assert_array_equal(first.x_train, again.x_train)
    np.testing.assert_array_equal(first.y_test, again.y_test)
    assert not np.array_equal(first.x_train, other.x_train)


def test_images_are_32x32_rgb_and_every_class_is_drawn_equally_often() -> None:
    shapes = colour_shapes(1, 80, 16)

    assert shapes.x_train.shape == (80, 32, 32, 3) and shapes.x_train.dtype == np.uint8
    assert shapes.x_test.shape == (16, 32, 32, 3)
    assert np.bincount(shapes.y_train).tolist() == [80 // len(CLASSES)] * len(CLASSES)
    # Every image shows something besides a flat background.
    assert all(image.std() > 10 for image in shapes.x_train)


def test_the_test_images_do_not_depend_on_how_many_training_images_are_drawn() -> None:
    small, large = colour_shapes(3, 8, 16), colour_shapes(3, 24, 16)

    np.testing.assert_array_equal(small.x_test, large.x_test)
