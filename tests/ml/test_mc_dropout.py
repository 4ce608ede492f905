"""Monte Carlo dropout: a spread only where dropout is, inference mode everywhere else."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from app.errors import ConvLensError
from app.ml.dropout import mc_dropout, tracing_count
from app.ml.registry import Registry
from tests.ml.test_explain import seeded, served

pytestmark = pytest.mark.keras


def dense_dropout_dense(rate: float, sequential: bool, batch_norm: bool = False) -> Any:
    """Flatten -> Dense(16) [-> BatchNormalization] -> Dropout(rate) -> Dense(3, softmax)."""
    import keras
    from keras import layers

    stack = [layers.Flatten(name="flatten"), layers.Dense(16, activation="relu", name="hidden")]
    if batch_norm:
        stack.append(layers.BatchNormalization(name="norm"))
    stack += [layers.Dropout(rate, name="dropout"), layers.Dense(3, activation="softmax")]
    name = f"dropout_{int(rate * 10)}_{'seq' if sequential else 'fun'}_{int(batch_norm)}"
    if sequential:
        model = keras.Sequential([keras.Input((8, 8, 1)), *stack], name=name)
    else:
        inputs = keras.Input((8, 8, 1))
        x = inputs
        for layer in stack:
            x = layer(x)
        model = keras.Model(inputs, x, name=name)
    model = seeded(model)
    if batch_norm:  # moving statistics far from a batch's own, so that the mode shows
        norm = model.get_layer("norm")
        gamma, beta, _, _ = norm.get_weights()
        norm.set_weights([gamma, beta, np.full(16, 3.0), np.full(16, 0.25)])
    return model


def digit_like(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((8, 8, 1)).astype(np.float32)


@pytest.mark.parametrize("sequential", [True, False])
def test_dropout_spreads_the_probabilities_and_rate_zero_does_not(sequential: bool) -> None:
    x = digit_like()
    dropping = served(dense_dropout_dense(0.5, sequential))
    keeping_model = dense_dropout_dense(0.0, sequential)
    keeping = served(keeping_model)

    spread = mc_dropout(dropping, x, 50)
    still = mc_dropout(keeping, x, 50)

    assert spread.std.max() > 0.01
    assert np.all(spread.min <= spread.mean) and np.all(spread.mean <= spread.max)
    assert spread.mean.sum() == pytest.approx(1.0, abs=1e-5)
    assert spread.dropout_layers == ("dropout",)
    # Rate 0: the copies agree up to float rounding (a batched matmul may order its sums apart).
    np.testing.assert_allclose(still.std, np.zeros(3, np.float32), atol=1e-6)
    np.testing.assert_allclose(still.mean, keeping_model(x[None], training=False)[0], atol=1e-6)


def test_batch_normalization_stays_in_inference_mode() -> None:
    import tensorflow as tf

    model = dense_dropout_dense(0.0, sequential=False, batch_norm=True)
    x = digit_like(1)
    copies = tf.constant(np.repeat(x[None], 4, axis=0))

    spread = mc_dropout(served(model), x, 4)

    np.testing.assert_allclose(spread.mean, model(copies, training=False)[0], atol=1e-6)
    assert not np.allclose(spread.mean, model(copies, training=True)[0], atol=1e-3)


def test_three_requests_with_other_sample_counts_trace_once() -> None:
    loaded = served(dense_dropout_dense(0.3, sequential=False))
    for samples in (2, 17, 100):
        assert mc_dropout(loaded, digit_like(samples), samples).samples == samples
    assert tracing_count(loaded) == 1


def test_a_model_without_dropout_is_refused_saying_so(registry: Registry) -> None:
    with pytest.raises(ConvLensError) as refused:
        mc_dropout(registry.get_model("lenet5"), np.zeros((28, 28, 1), np.float32), 10)
    assert refused.value.detail == (
        "Model 'lenet5' has no Dropout layer (its layers are Conv2D, MaxPooling2D, Flatten, "
        "Dense), so every pass with dropout on would give the same answer. Leave mc_samples "
        "out, or use a model with Dropout layers (train one with dropout, or import one)."
    )


@pytest.mark.parametrize("samples", [1, 101])
def test_sample_counts_out_of_range_are_refused(samples: int) -> None:
    loaded = served(dense_dropout_dense(0.5, sequential=True))
    with pytest.raises(ConvLensError) as refused:
        mc_dropout(loaded, digit_like(), samples)
    assert refused.value.detail == (
        f"mc_samples is {samples}; it must be from 2 to 100. Leave it out for one ordinary "
        "prediction."
    )
