"""DeepDream checked against GradientTape on the Keras layers, step by step."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from app.core.model_input import scale_pixels, unscale_pixels
from app.errors import ConvLensError
from app.ml.deepdream import deepdream, plan_deepdream
from app.ml.patterns_graph import pixel_bounds
from tests.keras_files import residual_rgb
from tests.ml.test_explain import served

pytestmark = pytest.mark.keras


@pytest.fixture(scope="module")
def model() -> Any:
    return served(residual_rgb(), scale="-1..1")


def photo(height: int = 64, width: int = 64, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def reference_gradient(model: Any, x: np.ndarray, layer: str) -> np.ndarray:
    """d mean(layer) / d tile for each 32x32 tile of ``x``, each tile on its own."""
    import keras
    import tensorflow as tf

    extractor = keras.Model(model.model.input, model.model.get_layer(layer).output)
    gradient = np.zeros_like(x)
    for top in range(0, x.shape[0], 32):
        for left in range(0, x.shape[1], 32):
            tile = tf.constant(x[None, top : top + 32, left : left + 32])
            with tf.GradientTape() as tape:
                tape.watch(tile)
                value = tf.reduce_mean(extractor(tile, training=False))
            gradient[top : top + 32, left : left + 32] = tape.gradient(value, tile).numpy()[0]
    return gradient


def test_one_step_is_the_normalised_gradient_of_each_tiles_mean_activation(model: Any) -> None:
    picture = photo()
    plan = plan_deepdream(
        model, picture.shape[:2], ("reduce",), octaves=1, steps=1, step_size=0.05, side=64, seed=9
    )

    dream = deepdream(model, picture, plan)

    x = scale_pixels(picture, "-1..1")
    rng = np.random.default_rng(9)
    shift = (int(rng.integers(0, 64)), int(rng.integers(0, 64)))
    gradient = np.roll(
        reference_gradient(model, np.roll(x, shift, axis=(0, 1)), "reduce"),
        (-shift[0], -shift[1]),
        axis=(0, 1),
    )
    low, high = pixel_bounds(model)
    expected = np.clip(x + 0.05 * 2.0 * gradient / (gradient.std() + 1e-8), low, high)
    assert np.abs(dream.picture.astype(int) - unscale_pixels(expected, "-1..1")).max() <= 1
    assert dream.objective > dream.start_objective


def test_octaves_grow_from_small_to_the_asked_side_and_raise_the_objective(model: Any) -> None:
    picture = photo(90, 120)
    plan = plan_deepdream(model, picture.shape[:2], None, octaves=3, steps=4, side=100, seed=1)

    progress: list[float] = []
    dream = deepdream(model, picture, plan, progress=progress.append)

    assert plan.layers == ("reduce_elu",)  # the last layer with feature maps
    assert plan.sizes == ((38, 51), (54, 71), (75, 100))  # 75x100 over 1.4 and 1.4^2
    assert dream.picture.shape == (75, 100, 3) and dream.start.shape == (75, 100, 3)
    assert dream.objective > dream.start_objective
    assert progress == pytest.approx([n / 12 for n in range(1, 13)])


def test_the_same_seed_gives_the_same_dream(model: Any) -> None:
    picture = photo()
    plan = plan_deepdream(model, picture.shape[:2], ("stem_relu",), octaves=2, steps=3, seed=4)
    other = plan_deepdream(model, picture.shape[:2], ("stem_relu",), octaves=2, steps=3, seed=5)

    first, again, different = (deepdream(model, picture, p) for p in (plan, plan, other))

    assert np.array_equal(first.picture, again.picture)
    assert not np.array_equal(first.picture, different.picture)


@pytest.mark.parametrize(
    ("layers", "options", "words"),
    [
        (("logits",), {}, "layers must be 1 to 4 of the layers with feature maps of model"),
        (("nope",), {}, "'nope' is not one"),
        (None, {"steps": 100, "octaves": 6, "side": 512}, "Ask for fewer steps or octaves"),
    ],
)
def test_what_cannot_be_dreamt_is_refused_saying_what_would_do(
    model: Any, layers: tuple[str, ...] | None, options: dict[str, int], words: str
) -> None:
    from app.ml import deepdream as module

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "MAX_WORK_VALUES", 10_000_000)
        with pytest.raises(ConvLensError, match=words):
            plan_deepdream(model, (64, 64), layers, **options)
