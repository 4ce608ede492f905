"""The fast runners give what Keras' own layers give, for every layer of every shipped model."""

from __future__ import annotations

import numpy as np
import pytest

from app.ml.forward import classify, forward
from app.ml.inference import LiteRTRunner, TFFunctionRunner, feature_extractor
from app.ml.registry import Registry

from .conftest import SHIPPED

pytestmark = pytest.mark.keras


def keras_layer_outputs(model, x: np.ndarray) -> dict[str, np.ndarray]:
    """Each layer's output from Keras itself: a sub-model per layer, run in inference mode."""
    import keras

    outputs = {}
    for layer in model.layers[1:]:
        sub = keras.Model(model.input, layer.output)
        outputs[layer.name] = np.asarray(sub(x[np.newaxis], training=False))[0]
    return outputs


@pytest.mark.parametrize("model_id", SHIPPED)
def test_every_layer_output_equals_the_keras_layer(
    registry: Registry, mnist_test: tuple[np.ndarray, np.ndarray], model_id: str
) -> None:
    loaded = registry.get_model(model_id)
    images, _ = mnist_test
    for x in images[:3]:
        expected = keras_layer_outputs(loaded.model, x)
        got = loaded.runner.run(x)
        assert list(got) == list(expected)
        for name, value in expected.items():
            assert got[name].shape == value.shape, name
            np.testing.assert_allclose(got[name], value, rtol=1e-4, atol=1e-5, err_msg=name)


@pytest.mark.parametrize("model_id", SHIPPED)
def test_predictions_match_keras_on_a_thousand_test_digits(
    registry: Registry, mnist_test: tuple[np.ndarray, np.ndarray], model_id: str
) -> None:
    loaded = registry.get_model(model_id)
    images, labels = mnist_test
    keras_probabilities = np.asarray(loaded.model(images, training=False))
    ours = np.stack([forward(loaded, x[..., 0]).probabilities for x in images])
    np.testing.assert_allclose(ours, keras_probabilities, atol=1e-5)
    np.testing.assert_array_equal(ours.argmax(1), keras_probabilities.argmax(1))
    accuracy = float((ours.argmax(1) == labels).mean())
    assert accuracy >= 0.95  # the first 1,000 test digits; the full-set figure is in the metadata


def test_the_tf_function_fallback_gives_the_same_outputs(
    registry: Registry, mnist_test: tuple[np.ndarray, np.ndarray]
) -> None:
    loaded = registry.get_model("lenet5")
    extractor, names = feature_extractor(loaded.model)
    fallback = TFFunctionRunner(extractor, names)
    x = mnist_test[0][0]
    expected = loaded.runner.run(x)
    got = fallback.run(x)
    assert fallback.kind == "tf.function" and isinstance(loaded.runner, LiteRTRunner)
    for name in names:
        np.testing.assert_allclose(got[name], expected[name], rtol=1e-4, atol=1e-5)
    # Traced once for its fixed signature, however many different inputs follow.
    for x in mnist_test[0][1:20]:
        fallback.run(x)
    assert fallback.tracing_count == 1


def test_the_runner_is_safe_to_call_from_many_threads(
    registry: Registry, mnist_test: tuple[np.ndarray, np.ndarray]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    loaded = registry.get_model("mnist-cnn")
    images = mnist_test[0][:64]
    alone = [loaded.runner.run(x)["output"] for x in images]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda x: loaded.runner.run(x)["output"], images))
    for a, b in zip(alone, together, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("model_id", SHIPPED)
def test_classify_gives_the_last_layer_of_a_full_run_to_the_bit(
    registry: Registry, mnist_test: tuple[np.ndarray, np.ndarray], model_id: str
) -> None:
    loaded = registry.get_model(model_id)
    extractor, names = feature_extractor(loaded.model)
    fallback = TFFunctionRunner(extractor, names)
    for x in mnist_test[0][:20]:
        for runner in (loaded.runner, fallback):
            probabilities = runner.classify(x)
            assert probabilities.dtype == np.float32 and probabilities.shape == (10,)
            assert probabilities.tobytes() == runner.run(x)[names[-1]].tobytes()
        np.testing.assert_array_equal(classify(loaded, x[..., 0]), loaded.runner.classify(x))
