"""Patterns and dreams checked against references written here: the analytic gradient of a
linear one-filter network, random inputs and the mean digit, and the other classes' scores."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from app.errors import ConvLensError
from app.ml import patterns_plan
from app.ml.loaded import LoadedModel
from app.ml.patterns import STEP_FRACTION, find_patterns, plan_dreams, plan_patterns
from app.ml.patterns_graph import ascent_functions, model_ascents
from app.ml.registry import Registry
from tests.ml.test_explain import served

pytestmark = pytest.mark.keras


@pytest.fixture(scope="module")
def lenet(registry: Registry) -> LoadedModel:
    return registry.get_model("lenet5")


def linear_one_filter(kernel: np.ndarray) -> Any:
    """One 3x3 filter with strides 3 and no bias or activation: its map's mean over a 9x9
    input is sum_ij x_ij w_(i mod 3)(j mod 3) / 9, whose gradient is the kernel tiled 3x3."""
    import keras
    from keras import layers

    inputs = keras.Input((9, 9, 1))
    x = layers.Conv2D(1, 3, strides=3, use_bias=False, name="conv")(inputs)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(2, activation="softmax", name="scores")(x)
    model = keras.Model(inputs, outputs, name="linear_filter")
    model.get_layer("conv").set_weights([kernel.reshape(3, 3, 1, 1)])
    return model


def test_one_step_on_a_linear_filter_moves_along_the_kernel_tiled() -> None:
    kernel = np.array([[1.0, -2.0, 0.5], [0.0, 1.5, -1.0], [2.0, -0.5, 1.0]], np.float32)
    loaded = served(linear_one_filter(kernel))
    plan = plan_patterns(loaded, "conv", (0, 0), steps=1, seed=3, jitter=0, blur=0.0)

    (pattern,) = find_patterns(loaded, plan)

    gradient = np.tile(kernel, (3, 3)) / 9.0
    expected = STEP_FRACTION * gradient / np.sqrt(np.mean(gradient**2))
    moved = pattern.image[..., 0] - pattern.start[..., 0]
    np.testing.assert_allclose(moved, expected, atol=1e-6)
    start_mean = float(np.sum(pattern.start[..., 0] * np.tile(kernel, (3, 3))) / 9.0)
    assert pattern.start_activation == pytest.approx(start_mean, abs=1e-6)


@pytest.mark.parametrize(
    ("layer", "units"), [("conv1", (0, 5)), ("conv2", (0, 3)), ("fc1", (0, 3))]
)
def test_a_pattern_excites_its_unit_more_than_its_start_random_inputs_and_the_mean_digit(
    lenet: LoadedModel,
    mnist_test: tuple[np.ndarray, np.ndarray],
    layer: str,
    units: tuple[int, int],
) -> None:
    plan = plan_patterns(lenet, layer, units, steps=64)
    found = find_patterns(lenet, plan)
    functions = ascent_functions(lenet, layer)
    randoms = np.random.default_rng(0).random((200, 28, 28, 1)).astype(np.float32)
    random_activations = functions.measure(randoms)[0]
    mean_digit = functions.measure(mnist_test[0].mean(axis=0, keepdims=True))[0][0]

    for pattern in found:
        assert pattern.activation > pattern.start_activation
        assert pattern.activation > random_activations[:, pattern.unit].max()
        assert pattern.activation > mean_digit[pattern.unit]
        assert pattern.image.min() >= 0.0 and pattern.image.max() <= 1.0


def test_the_same_seed_gives_the_same_pattern_whichever_units_are_asked(lenet: LoadedModel) -> None:
    alone = find_patterns(lenet, plan_patterns(lenet, "conv1", (2, 2), steps=16, seed=5))[0]
    among = find_patterns(lenet, plan_patterns(lenet, "conv1", (0, 3), steps=16, seed=5))[2]
    other = find_patterns(lenet, plan_patterns(lenet, "conv1", (2, 2), steps=16, seed=6))[0]

    np.testing.assert_array_equal(alone.image, among.image)
    assert not np.array_equal(alone.image, other.image)


def test_digit_models_name_the_shipped_digits_that_excite_a_unit_most(
    lenet: LoadedModel, settings: Any
) -> None:
    from app.ml.patterns import TOP_IMAGES, shipped_digits

    digits = shipped_digits(settings.static_dir)
    (pattern,) = find_patterns(lenet, plan_patterns(lenet, "fc1", (0, 0), steps=4), digits)

    assert pattern.top_images is not None and len(pattern.top_images) == TOP_IMAGES
    everyone = ascent_functions(lenet, "fc1").measure(digits.pictures[..., None] / 255.0)[0][:, 0]
    assert [m.activation for m in pattern.top_images] == pytest.approx(
        sorted(everyone, reverse=True)[:TOP_IMAGES], abs=1e-6
    )


def test_a_dream_raises_its_class_score_above_every_other_class(lenet: LoadedModel) -> None:
    dreams = find_patterns(lenet, plan_dreams(lenet, None, steps=64))

    assert [dream.unit for dream in dreams] == list(range(10))
    for dream in dreams:
        assert dream.objective > dream.start_objective
        assert int(np.argmax(dream.objectives)) == dream.unit
        assert int(np.argmax(dream.reported)) == dream.unit


def test_three_runs_trace_the_ascent_functions_once(lenet: LoadedModel) -> None:
    for seed in (1, 2, 3):
        find_patterns(lenet, plan_patterns(lenet, "conv2", (seed, seed + 2), steps=2, seed=seed))

    counts = model_ascents(lenet).tracing_counts()
    assert counts["step[conv2]"] == 1 and counts["measure[conv2]"] == 1


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            {"layer": "conv1", "units": (4, 7)},
            "units is 4-7, but layer 'conv1' has 6 filters, 0 to 5. Give first-last with first "
            "<= last <= 5, e.g. 0-5.",
        ),
        (
            {"layer": "fc1", "units": (10, 30)},
            "units 10-30 asks for 21; one request finds at most 16. Ask for 10-25, then the "
            "next ones.",
        ),
        (
            {"layer": "conv1", "units": None, "steps": 0},
            "steps is 0; it must be from 1 to 256. Leave it out for 64.",
        ),
    ],
)
def test_requests_out_of_bounds_are_refused_with_what_would_do(
    lenet: LoadedModel, arguments: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ConvLensError) as refused:
        plan_patterns(lenet, **arguments)
    assert refused.value.detail == expected


def test_work_over_the_cap_is_refused_before_any_work_naming_what_fits(
    lenet: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patterns_plan, "MAX_WORK_VALUES", 10_000_000)

    with pytest.raises(ConvLensError) as refused:
        plan_patterns(lenet, "conv2", (0, 15), steps=256)

    # conv1, pool1, conv2: 4,704 + 1,176 + 1,600 = 7,480 values; a step costs three times that.
    assert refused.value.detail == (
        "Patterns of 16 units of layer 'conv2' of model 'lenet5' over 256 steps take 4,096 "
        "gradient steps through 7,480 layer values, 91,914,240 values in all; one request "
        "computes at most 10,000,000. Ask for at most 1 units at 256 steps or at most 27 "
        "steps for 16 units."
    )
