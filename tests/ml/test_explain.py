"""Explanations checked against references written here, not against the code under test:
the closed form of Grad-CAM (and Grad-CAM++) on a CAM network, GradientTape on the Keras model,
central finite differences in float64, integrated gradients' completeness with the scores
computed from the Keras layers, and occlusion by a plain loop of ``model.predict``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from app.core.model_input import Scale
from app.errors import ConvLensError
from app.ml import explain_plan
from app.ml.explain import ExplainRequest, explain, plan_explanation
from app.ml.explain_graph import model_gradients
from app.ml.explain_plan import Method
from app.ml.loaded import LoadedModel, loaded_model
from app.ml.metadata import DatasetInfo, InputContract, ModelMetadata
from app.ml.registry import Registry
from tests.keras_files import residual_rgb

pytestmark = pytest.mark.keras

SEED = 17


def served(model: Any, scale: Scale = "0..1") -> LoadedModel:
    """``model`` as the app serves it: an image model with one class per output."""
    height, width, channels = (int(d) for d in model.inputs[0].shape[1:])
    classes = int(model.outputs[0].shape[-1])
    metadata = ModelMetadata(
        id=model.name,
        name=model.name,
        dataset=DatasetInfo(name="none"),
        classes=[f"class {n}" for n in range(classes)],
        input=InputContract(
            shape=(height, width, channels),
            preprocessing="image",
            scale=scale,
        ),
    )
    return loaded_model(model.name, metadata, model, origin="imported")


def seeded(model: Any) -> Any:
    rng = np.random.default_rng(SEED)
    for layer in model.layers:
        weights = layer.get_weights()
        if weights:
            layer.set_weights(
                [
                    rng.normal(0, 1 / np.sqrt(max(np.prod(w.shape[:-1]), 1)), w.shape)
                    for w in weights
                ]
            )
    return model


def cam_network() -> Any:
    """Conv -> GlobalAveragePooling -> Dense(softmax): the network CAM was defined on."""
    import keras
    from keras import layers

    inputs = keras.Input((10, 12, 3))
    x = layers.Conv2D(4, 3, activation="relu", name="conv")(inputs)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(3, activation="softmax", name="scores")(x)
    model = seeded(keras.Model(inputs, outputs, name="cam"))
    # Every class weighs some channels up and some down: no class's map is zero everywhere.
    kernel = np.array([[1, -1, 0.5], [-0.5, 1, -1], [0.8, 0.3, -0.2], [-1, 0.4, 1]], np.float32)
    model.get_layer("scores").set_weights([kernel, np.array([0.1, -0.2, 0.3], np.float32)])
    return model


def smooth_network(head: str, dtype: str = "float32") -> Any:
    """A tanh conv net small enough for finite differences; ``head`` says how it ends:
    ``dense_softmax``, ``softmax_layer`` or ``logits`` (also the float64 reference)."""
    import keras
    from keras import layers

    inputs = keras.Input((8, 8, 1), dtype=dtype)
    x = layers.Conv2D(3, 3, activation="tanh", name="conv", dtype=dtype)(inputs)
    x = layers.Flatten(name="flatten", dtype=dtype)(x)
    activation = "softmax" if head == "dense_softmax" else None
    x = layers.Dense(4, activation=activation, name="dense", dtype=dtype)(x)
    if head == "softmax_layer":
        x = layers.Softmax(name="softmax")(x)
    return seeded(keras.Model(inputs, x, name=f"smooth_{head}"))


def big_input_network() -> Any:
    import keras
    from keras import layers

    inputs = keras.Input((48, 48, 1))
    x = layers.Conv2D(2, 3, activation="relu", name="conv")(inputs)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(2, activation="softmax", name="scores")(x)
    return seeded(keras.Model(inputs, outputs, name="wide"))


@pytest.fixture(scope="module")
def cam() -> LoadedModel:
    return served(cam_network())


@pytest.fixture(scope="module")
def lenet(registry: Registry) -> LoadedModel:
    return registry.get_model("lenet5")


@pytest.fixture(scope="module")
def digit(mnist_test: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    seven: np.ndarray = mnist_test[0][0]
    return seven


def random_input(loaded: LoadedModel, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 1, loaded.input_shape).astype(np.float32)


def run(loaded: LoadedModel, x: np.ndarray, method: Method, **options: Any) -> Any:
    return explain(loaded, x, plan_explanation(loaded, ExplainRequest(method, **options)))


def pre_softmax_scores(model: Any, x: np.ndarray) -> np.ndarray:
    """``h W + b`` of the last Dense, from the Keras layers, in float64: ``(n, classes)``."""
    import keras

    dense = next(layer for layer in reversed(model.layers) if layer.__class__.__name__ == "Dense")
    features = keras.Model(model.inputs[0], dense.input)(x, training=False)
    kernel, bias = dense.get_weights()
    scores: np.ndarray = np.asarray(features, np.float64) @ kernel + bias
    return scores


@pytest.mark.parametrize("class_index", [0, 1, 2])
def test_gradcam_on_a_cam_network_is_the_class_activation_map(
    cam: LoadedModel, class_index: int
) -> None:
    import keras

    x = np.random.default_rng(class_index).normal(0, 1, cam.input_shape).astype(np.float32)
    found = run(cam, x, "gradcam", class_index=class_index)

    feature_maps = np.asarray(
        keras.Model(cam.model.inputs[0], cam.model.get_layer("conv").output)(x[None])
    )[0]
    kernel = cam.model.get_layer("scores").get_weights()[0]  # (4, 3)
    height, width = feature_maps.shape[:2]
    cam_map = np.maximum(feature_maps @ kernel[:, class_index], 0) / (height * width)
    assert found.details["layer"] == "conv"
    np.testing.assert_allclose(
        found.details["channel_weights"], kernel[:, class_index] / (height * width), rtol=1e-5
    )
    np.testing.assert_allclose(found.map, cam_map, rtol=1e-4, atol=1e-7)
    assert cam_map.max() > 0
    normalised = found.map / found.map.max()
    np.testing.assert_allclose(normalised, cam_map / cam_map.max(), atol=1e-5)
    assert found.heatmap.shape == (10, 12)


def test_gradcam_plus_plus_on_a_cam_network_has_its_closed_form(cam: LoadedModel) -> None:
    import keras

    x = random_input(cam, seed=3)
    found = run(cam, x, "gradcam++", class_index=1)
    feature_maps = np.asarray(
        keras.Model(cam.model.inputs[0], cam.model.get_layer("conv").output)(x[None]), np.float64
    )[0]
    kernel = cam.model.get_layer("scores").get_weights()[0].astype(np.float64)
    height, width = feature_maps.shape[:2]
    # The score is linear in A, so g = w_k1 / (h w) everywhere; alpha = 1 / (2 + g sum_ab A^k_ab).
    g = kernel[:, 1] / (height * width)
    alpha = np.where(g != 0, 1.0 / (2.0 + g * feature_maps.sum(axis=(0, 1))), 0.0)
    weights = height * width * alpha * np.maximum(g, 0)
    np.testing.assert_allclose(found.details["channel_weights"], weights, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(
        found.map, np.maximum(feature_maps @ weights, 0), rtol=1e-4, atol=1e-7
    )


def test_gradcam_equals_gradient_tape_on_a_chosen_lenet_layer(
    lenet: LoadedModel, digit: np.ndarray
) -> None:
    import keras
    import tensorflow as tf

    found = run(lenet, digit, "gradcam", layer="conv2", class_index=3)
    output = lenet.model.get_layer("output")
    twin = keras.Model(lenet.model.inputs[0], [lenet.model.get_layer("conv2").output, output.input])
    with tf.GradientTape() as tape:
        feature_maps, hidden = twin(digit[None], training=False)
        score = (tf.matmul(hidden, output.kernel) + output.bias)[0, 3]
    gradients = tape.gradient(score, feature_maps).numpy()[0]
    alpha = gradients.mean(axis=(0, 1))
    reference = np.maximum(np.einsum("hwk,k->hw", feature_maps.numpy()[0], alpha), 0)
    assert found.map.shape == (10, 10)
    np.testing.assert_allclose(found.map, reference, atol=1e-4 * max(reference.max(), 1e-6))
    assert found.score == pytest.approx(float(score), rel=1e-5)


@pytest.mark.parametrize("head", ["dense_softmax", "softmax_layer", "logits"])
def test_saliency_equals_central_differences_of_the_score_before_the_softmax(head: str) -> None:
    loaded = served(smooth_network(head))
    reference = smooth_network("logits", dtype="float64")
    dense_weights = loaded.model.get_layer("dense").get_weights()
    reference.get_layer("conv").set_weights(loaded.model.get_layer("conv").get_weights())
    reference.get_layer("dense").set_weights(dense_weights)
    x = random_input(loaded, seed=5)
    found = run(loaded, x, "saliency", class_index=2)

    step = 1e-5
    base = x.astype(np.float64)
    shifted = np.repeat(base[None], 2 * x.size, axis=0).reshape(2, x.size, *x.shape)
    flat = shifted.reshape(2, x.size, -1)
    flat[0, np.arange(x.size), np.arange(x.size)] += step
    flat[1, np.arange(x.size), np.arange(x.size)] -= step
    scores = np.asarray(reference(shifted.reshape(-1, *x.shape), training=False))[:, 2]
    plus, minus = scores.reshape(2, x.size)
    differences = np.abs((plus - minus) / (2 * step)).reshape(x.shape).max(axis=-1)
    np.testing.assert_allclose(found.map, differences, atol=1e-4 * differences.max())
    assert found.score == pytest.approx(float(np.asarray(reference(base[None]))[0, 2]), rel=1e-5)


def test_smoothgrad_is_seeded_and_with_no_noise_is_the_saliency(
    lenet: LoadedModel, digit: np.ndarray
) -> None:
    first = run(lenet, digit, "smoothgrad", samples=8, noise=0.2, seed=4)
    again = run(lenet, digit, "smoothgrad", samples=8, noise=0.2, seed=4)
    other = run(lenet, digit, "smoothgrad", samples=8, noise=0.2, seed=5)
    np.testing.assert_array_equal(first.map, again.map)
    assert not np.array_equal(first.map, other.map)
    assert first.details["noise_sigma"] == pytest.approx(0.2)  # of the 0..1 range
    quiet = run(lenet, digit, "smoothgrad", samples=3, noise=0.0)
    single = run(lenet, digit, "saliency").map  # one input, not a batch: float32 rounding differs
    np.testing.assert_allclose(quiet.map, single, atol=1e-6 * single.max())


@pytest.mark.parametrize("baseline", ["black", "blurred"])
def test_integrated_gradients_add_up_to_the_score_difference_within_1_percent(
    lenet: LoadedModel, digit: np.ndarray, baseline: str
) -> None:
    import cv2

    found = run(lenet, digit, "integrated_gradients", steps=200, baseline=baseline)
    c = found.class_index
    if baseline == "black":
        start = np.zeros_like(digit)
    else:
        sigma = 28 / 8
        start = cv2.GaussianBlur(digit, (0, 0), sigma)[..., None]
    at_input, at_baseline = pre_softmax_scores(lenet.model, np.stack([digit, start]))[:, c]
    check = found.details["completeness"]
    assert check["score_at_input"] == pytest.approx(at_input, rel=1e-4)
    assert check["score_at_baseline"] == pytest.approx(at_baseline, rel=1e-4, abs=1e-4)
    assert abs(found.map.sum() - (at_input - at_baseline)) <= 0.01 * abs(at_input - at_baseline)
    assert abs(check["relative_difference"]) <= 0.01
    assert found.map.shape == (28, 28)


@pytest.mark.parametrize(("patch", "stride"), [(7, 7), (5, 3)])
def test_occlusion_equals_a_loop_of_model_predict(
    lenet: LoadedModel, digit: np.ndarray, patch: int, stride: int
) -> None:
    found = run(lenet, digit, "occlusion", patch=patch, stride=stride, class_index=7)
    unoccluded = lenet.model.predict(digit[None], verbose=0)[0, 7]
    positions = range(0, 28 - patch + 1, stride)
    drops = np.zeros((len(positions), len(positions)))
    for i, top in enumerate(positions):
        for j, left in enumerate(positions):
            hidden = digit.copy()
            hidden[top : top + patch, left : left + patch] = 0.0
            drops[i, j] = unoccluded - lenet.model.predict(hidden[None], verbose=0)[0, 7]
    np.testing.assert_allclose(found.map, drops, atol=1e-5)
    assert found.details["patch_value"] == [0.0]


def test_occlusion_of_a_logits_model_measures_probabilities_with_a_given_patch_value() -> None:
    loaded = served(residual_rgb(), scale="-1..1")
    x = np.random.default_rng(2).uniform(-1, 1, loaded.input_shape).astype(np.float32)
    found = run(loaded, x, "occlusion", patch=8, stride=8, patch_value=0.5, class_index=1)

    def probability(image: np.ndarray) -> float:
        logits = loaded.model.predict(image[None], verbose=0)[0].astype(np.float64)
        return float(np.exp(logits[1]) / np.exp(logits).sum())

    drops = np.zeros((4, 4))
    for i in range(4):
        for j in range(4):
            hidden = x.copy()
            hidden[8 * i : 8 * i + 8, 8 * j : 8 * j + 8, :] = 0.5
            drops[i, j] = probability(x) - probability(hidden)
    np.testing.assert_allclose(found.map, drops, atol=1e-5)
    assert found.details["patch_value"] == [0.5, 0.5, 0.5]
    black = run(loaded, x, "occlusion", patch=8, stride=8)
    assert black.details["patch_value"] == [-1.0, -1.0, -1.0]  # black in -1..1


def test_gradcam_moves_left_with_a_digit_shifted_left(
    lenet: LoadedModel, digit: np.ndarray
) -> None:
    left, right = np.zeros_like(digit), np.zeros_like(digit)
    left[:, :22], right[:, 6:] = digit[:, 6:], digit[:, :22]
    columns = np.arange(28)

    def centre(x: np.ndarray) -> float:
        heat = run(lenet, x, "gradcam", layer="conv2", class_index=7).heatmap
        return float((heat.sum(axis=0) * columns).sum() / heat.sum())

    assert centre(left) < centre(digit) - 2 < centre(right) - 4


def test_every_method_traces_its_function_once_over_three_requests(
    lenet: LoadedModel, mnist_test: tuple[np.ndarray, np.ndarray]
) -> None:
    for n, (image, class_index) in enumerate(zip(mnist_test[0][:3], [None, 2, 9], strict=True)):
        for method in ("gradcam", "gradcam++", "saliency", "smoothgrad", "integrated_gradients"):
            run(lenet, image, method, class_index=class_index)
        run(lenet, image, "occlusion", class_index=class_index, stride=3 + n)
    counts = model_gradients(lenet).tracing_counts()
    assert {"input_gradients", "probabilities", "layer_gradients[pool2]"} <= set(counts)
    assert set(counts.values()) == {1}


def refusal(loaded: LoadedModel, method: str, **options: Any) -> str:
    with pytest.raises(ConvLensError) as raised:
        plan_explanation(loaded, ExplainRequest(method, **options))  # type: ignore[arg-type]
    assert raised.value.status_code == 422
    return raised.value.detail


def test_gradcam_refuses_a_dense_layer_and_names_the_layers_with_feature_maps(
    lenet: LoadedModel,
) -> None:
    detail = refusal(lenet, "gradcam", layer="fc1")
    assert detail == (
        "layer 'fc1' is a Dense layer whose output 120 is not feature maps; gradcam weighs the "
        "feature maps (height x width x channels) of a layer. Layers with feature maps: conv1, "
        "pool1, conv2, pool2 (the default is the last)."
    )
    assert "is not a layer of model 'lenet5'" in refusal(lenet, "gradcam++", layer="conv9")


def test_gradcam_on_a_model_without_feature_maps_points_to_the_other_methods(
    registry: Registry,
) -> None:
    detail = refusal(registry.get_model("mlp"), "gradcam")
    assert detail.startswith("Model 'mlp' has no layer with feature maps")
    assert "method=saliency" in detail


@pytest.mark.parametrize(
    ("method", "options", "expected"),
    [
        (
            "saliency",
            {"class_index": 10},
            "class_index is 10, but model 'lenet5' has 10 classes, 0 to 9",
        ),
        ("smoothgrad", {"samples": 51}, "samples is 51; it must be from 1 to 50"),
        ("smoothgrad", {"noise": 1.5}, "noise is 1.5; it must be from 0.0 to 1.0"),
        ("integrated_gradients", {"steps": 0}, "steps is 0; it must be from 1 to 200"),
        ("occlusion", {"patch": 29}, "patch is 29; it must be from 1 to 28"),
        ("occlusion", {"patch_value": 2.0}, "patch_value is 2, outside the 0 to 1 this model's"),
        ("gradcam", {"steps": 10}, "steps is an option of integrated_gradients, not of gradcam"),
        (
            "saliency",
            {"layer": "conv1"},
            "layer is an option of gradcam and gradcam++, not of saliency (it takes no options)",
        ),
    ],
)
def test_out_of_bounds_options_are_refused_before_any_work(
    lenet: LoadedModel, method: str, options: dict[str, Any], expected: str
) -> None:
    assert expected in refusal(lenet, method, **options)


def test_occlusion_refuses_more_than_1024_positions_and_names_the_least_stride() -> None:
    wide = served(big_input_network())
    detail = refusal(wide, "occlusion", patch=1, stride=1)
    assert detail == (
        "patch 1 with stride 1 on a 48x48 input makes 48x48 = 2,304 positions; occlusion tries "
        "at most 1,024. Use a larger stride (at least 2) or a larger patch."
    )
    plan = plan_explanation(wide, ExplainRequest("occlusion", patch=1))
    assert plan.grid[0] * plan.grid[1] <= explain_plan.MAX_POSITIONS


def test_a_request_over_the_work_cap_is_refused_with_the_option_to_lower(
    lenet: LoadedModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(explain_plan, "MAX_WORK_VALUES", 1_000_000)
    detail = refusal(lenet, "integrated_gradients", steps=200)
    assert detail == (
        "integrated_gradients on model 'lenet5' takes 201 gradient passes through its 8,494 "
        "layer values, 5,121,882 values in all; one request computes at most 1,000,000. Use "
        "fewer steps, or a smaller model."
    )
    assert plan_explanation(lenet, ExplainRequest("saliency")).work_values == 3 * 8494


def test_an_unknown_method_is_refused_naming_the_methods(lenet: LoadedModel) -> None:
    detail = refusal(lenet, "lime")
    assert detail == (
        "There is no method 'lime'. Methods: gradcam, gradcam++, saliency, smoothgrad, "
        "integrated_gradients, occlusion."
    )


def test_the_traced_functions_do_not_keep_a_deleted_model_alive() -> None:
    import gc
    import weakref

    loaded = served(cam_network())
    for method in ("gradcam", "saliency", "occlusion"):
        run(loaded, random_input(loaded), method)
    model = weakref.ref(loaded.model)
    del loaded
    gc.collect()
    assert model() is None  # an imported model, once deleted, frees its functions too


def test_the_overlay_shows_the_map_on_a_black_picture_and_leaves_zero_as_the_faded_picture() -> (
    None
):
    """A dark-blue value must stand out on MNIST's black background: the picture is faded toward
    white first, and a value of 0 leaves that faded picture untouched (hand-worked pixels)."""
    from app.core.heatmap import colorize, scale_for
    from app.ml.explain_render import OVERLAY_OPACITY, PICTURE_FADE, overlay

    picture = np.zeros((1, 2), dtype=np.uint8)  # black
    heatmap = np.array([[0.0, 1.0]])
    scale = scale_for(heatmap)

    pixels = overlay(picture, heatmap, scale).astype(np.float64)

    faded = PICTURE_FADE * 255.0
    assert pixels[0, 0].tolist() == [round(faded)] * 3
    darkest = colorize(np.array([[1.0]]), scale)[0, 0].astype(np.float64)
    expected = (1 - OVERLAY_OPACITY) * faded + OVERLAY_OPACITY * darkest
    assert pixels[0, 1].tolist() == np.rint(expected).tolist()
    assert np.abs(pixels[0, 1] - pixels[0, 0]).max() > 60  # it stands out
