"""The trained-model endpoints, checked against Keras loading the same files independently."""

from __future__ import annotations

import os
from dataclasses import asdict
from functools import cache
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import PROJECT_ROOT
from app.core.decoding import decode_image
from app.core.preprocess import prepare_digit
from tests.api.imagefiles import decode_base64_png, decode_png_response, png, post_image
from tests.data.cut_mnist import SLICE

pytestmark = pytest.mark.keras

MODELS = PROJECT_ROOT / "models"
# The digit models, in the registry's order (file names: "mnist-cnn-dropout.keras" sorts first).
SHIPPED = ["lenet5", "mlp", "mnist-cnn-dropout", "mnist-cnn"]
COLOUR = "colour-shapes"  # the shipped colour model


@cache
def keras_model(model_id: str) -> Any:
    """The shipped file loaded by Keras itself: the reference the API is compared with."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    return keras.saving.load_model(MODELS / f"{model_id}.keras", compile=False)


def keras_outputs(model_id: str, model_input: list[list[float]]) -> dict[str, np.ndarray]:
    import keras

    model = keras_model(model_id)
    x = np.asarray(model_input, dtype=np.float32)[np.newaxis, :, :, np.newaxis]
    layers = model.layers[1:]
    extractor = keras.Model(model.input, [layer.output for layer in layers])
    outputs = extractor(x, training=False)
    return {layer.name: np.asarray(out)[0] for layer, out in zip(layers, outputs, strict=True)}


@cache
def mnist_digits() -> tuple[np.ndarray, np.ndarray]:
    with np.load(SLICE) as data:
        return data["x_test"][:40], data["y_test"][:40]


def drawing(digit: int = 0, invert: bool = False) -> bytes:
    """An MNIST test digit drawn large on a 280x280 canvas, off-centre, as a user might."""
    images, _ = mnist_digits()
    canvas = np.zeros((280, 280), np.uint8)
    big = cv2.resize(images[digit], (168, 168), interpolation=cv2.INTER_LINEAR)
    canvas[20:188, 90:258] = big
    return png(255 - canvas if invert else canvas)


def test_the_listing_names_the_shipped_models(client: TestClient) -> None:
    listing = client.get("/api/models").json()

    assert [m["id"] for m in listing if m["origin"] == "shipped"] == [COLOUR, *SHIPPED]
    by_id = {m["id"]: m for m in listing}
    assert by_id["lenet5"]["parameters"] == 61_706
    assert by_id["mnist-cnn"]["parameters"] == by_id["mnist-cnn-dropout"]["parameters"] == 123_690
    assert by_id["mlp"]["parameters"] == 66_790
    assert by_id["lenet5"]["test_accuracy"] >= 0.99
    assert by_id["lenet5"]["filter_layers"] == ["conv1", "conv2"]
    assert by_id["mlp"]["filter_layers"] == []
    digits = [m for m in listing if m["id"] in SHIPPED]
    assert all(m["input_shape"] == [28, 28, 1] and len(m["classes"]) == 10 for m in digits)
    colour = by_id[COLOUR]
    assert (colour["input_shape"], colour["preprocessing"], len(colour["classes"])) == (
        [32, 32, 3],
        "image",
        8,
    )


@pytest.mark.parametrize("model_id", SHIPPED)
def test_the_summary_counts_equal_keras(client: TestClient, model_id: str) -> None:
    detail = client.get(f"/api/models/{model_id}").json()
    model = keras_model(model_id)

    assert detail["total_params"] == model.count_params() == detail["parameters"]
    assert detail["trainable_params"] == sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert [row["name"] for row in detail["summary"]] == [layer.name for layer in model.layers[1:]]
    for row in detail["summary"]:
        layer = model.get_layer(row["name"])
        assert row["params"] == layer.count_params()
        assert row["output_shape"] == list(layer.output.shape[1:])
        assert row["type"] == type(layer).__name__
    history = detail["history"]
    assert len(history["loss"]) == len(history["val_accuracy"]) == detail["epochs"]
    assert detail["training"]["command"] == f".venv/bin/convlens train {model_id}"


def test_the_summary_writes_out_lenets_arithmetic(client: TestClient) -> None:
    rows = {row["name"]: row for row in client.get("/api/models/lenet5").json()["summary"]}

    assert rows["conv1"]["params_formula"] == "5*5*1*6 + 6 = 156"
    assert rows["fc1"]["params_formula"] == "400*120 + 120 = 48,120"
    assert "(28 - 5 + 2*2) / 1 + 1" in rows["conv1"]["output_formula"]
    assert rows["conv1"]["config"] == {
        "filters": 6,
        "kernel_size": [5, 5],
        "strides": [1, 1],
        "padding": "same",
        "use_bias": True,
    }


def test_an_unknown_model_is_a_404_listing_the_models(client: TestClient) -> None:
    for path in ("/api/models/lenet", "/api/models/lenet/filters"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {
            "detail": "There is no model 'lenet'. Models: colour-shapes, lenet5, mlp, "
            "mnist-cnn-dropout, mnist-cnn."
        }
    response = post_image(client, "/api/models/resnet/predict", drawing())
    assert response.status_code == 404


def test_filters_are_the_keras_kernels_filter_by_filter(client: TestClient) -> None:
    body = client.get("/api/models/lenet5/filters", params={"layer": "conv2"}).json()
    kernel, bias = keras_model("lenet5").get_layer("conv2").get_weights()

    assert body["kernel_shape"] == [5, 5, 6, 16]
    kernels = np.asarray(body["kernels"])  # [filter][channel][row][col]
    assert kernels.shape == (16, 6, 5, 5)
    np.testing.assert_allclose(kernels[3, 2], kernel[:, :, 2, 3], rtol=1e-6)
    np.testing.assert_allclose(body["bias"], bias, rtol=1e-6)
    assert body["value_range"] == pytest.approx([kernel.min(), kernel.max()])


def test_filters_default_to_the_first_convolution(client: TestClient) -> None:
    assert client.get("/api/models/mnist-cnn/filters").json()["layer"] == "conv1"


def test_filters_as_png_are_a_grid_of_all_kernels(client: TestClient) -> None:
    response = client.get("/api/models/lenet5/filters", headers={"Accept": "image/png"})

    pixels = decode_png_response(response)
    # 6 filters of 5x5 weights drawn 8 px each with 2 px gaps, one row per input channel.
    assert pixels.shape == (40, 6 * 42 - 2, 3)
    colormap, low, high = response.headers["X-ConvLens-Colour-Scale"].split(",")
    assert colormap == "diverging" and float(low) == -float(high)
    assert response.headers["X-ConvLens-Kernel-Shape"] == "5,5,1,6"


@pytest.mark.parametrize(
    ("model_id", "layer", "message"),
    [
        ("lenet5", "fc1", "Layer 'fc1' of model 'lenet5' is a Dense, which has no filters."),
        ("lenet5", "conv9", "Model 'lenet5' has no layer 'conv9'. Its layers are: conv1, pool1"),
        ("mlp", None, "Model 'mlp' has no convolution layers, so it has no filters to show."),
    ],
)
def test_filters_of_a_layer_without_any_are_a_404_saying_where_they_are(
    client: TestClient, model_id: str, layer: str | None, message: str
) -> None:
    response = client.get(
        f"/api/models/{model_id}/filters", params={"layer": layer} if layer else {}
    )

    assert response.status_code == 404
    assert response.json()["detail"].startswith(message)


@pytest.mark.parametrize("model_id", SHIPPED)
def test_predict_gives_keras_probabilities_for_the_input_it_reports(
    client: TestClient, model_id: str
) -> None:
    body = post_image(client, f"/api/models/{model_id}/predict", drawing(0)).json()

    model_input = np.asarray(body["model_input"])
    assert model_input.shape == (28, 28)
    assert model_input.min() >= 0.0 and model_input.max() <= 1.0
    expected = keras_outputs(model_id, body["model_input"])["output"]
    np.testing.assert_allclose(body["probabilities"], expected, atol=1e-5)
    assert body["classes"] == [str(d) for d in range(10)]
    assert body["label"] == str(int(np.argmax(expected)))
    assert body["confidence"] == pytest.approx(float(expected.max()), abs=1e-6)


def test_predict_reads_mnist_test_digits_drawn_large_and_off_centre(client: TestClient) -> None:
    _, labels = mnist_digits()
    answers = [
        post_image(client, "/api/models/lenet5/predict", drawing(i, invert=i % 2 == 1)).json()
        for i in range(20)
    ]
    correct = sum(answer["label"] == str(labels[i]) for i, answer in enumerate(answers))
    assert correct >= 19
    assert answers[1]["preprocessing"]["inverted"] is True
    assert answers[0]["preprocessing"]["inverted"] is False


def test_predict_reports_the_preprocessing_as_prepare_digit_records_it(
    client: TestClient,
) -> None:
    data = drawing(3, invert=True)
    body = post_image(client, "/api/models/lenet5/predict", data).json()
    digit = prepare_digit(decode_image(data, 1 << 24))
    assert digit.ink_box is not None
    assert body["preprocessing"]["ink_box"] == asdict(digit.ink_box)
    assert body["preprocessing"]["notes"] == list(digit.notes)
    assert body["model_input"] == digit.model_input.tolist()


def test_the_preprocessing_switches_change_what_the_model_sees(client: TestClient) -> None:
    path = "/api/models/lenet5/predict"
    full = np.asarray(post_image(client, path, drawing(0, invert=True)).json()["model_input"])
    kept = post_image(client, path, drawing(0, invert=True), invert="no").json()
    uncropped = post_image(client, path, drawing(0), crop="false").json()

    # Dark ink on white, not inverted: the background reaches the model as 1, not 0.
    assert np.asarray(kept["model_input"])[0, 0] == pytest.approx(1.0)
    assert full[0, 0] == pytest.approx(0.0)
    assert not np.allclose(uncropped["model_input"], full)
    assert kept["preprocessing"]["inverted"] is False


def test_an_empty_canvas_is_a_422_instead_of_a_guess(client: TestClient) -> None:
    for blank in (np.zeros((280, 280), np.uint8), np.full((280, 280, 3), 255, np.uint8)):
        response = post_image(client, "/api/models/lenet5/predict", png(blank))
        assert response.status_code == 422
        assert response.json()["detail"].startswith("No digit found")


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"invert": "maybe"}, "invert"),
        ({"crop": "sometimes"}, "crop"),
        ({"format": "jpeg"}, "format"),
    ],
)
def test_bad_switches_are_a_422_naming_the_field(
    client: TestClient, form: dict[str, str], field: str
) -> None:
    response = post_image(client, "/api/models/lenet5/activations", drawing(), **form)

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", field]


@pytest.mark.parametrize("model_id", SHIPPED)
def test_activations_equal_each_keras_layers_output(client: TestClient, model_id: str) -> None:
    body = post_image(client, f"/api/models/{model_id}/activations", drawing(3)).json()
    expected = keras_outputs(model_id, body["model_input"])

    assert [layer["name"] for layer in body["layers"]] == list(expected)
    for layer in body["layers"]:
        reference = expected[layer["name"]]
        assert layer["shape"] == list(reference.shape)
        if reference.ndim == 3:
            assert layer["kind"] == "maps"
            got = np.moveaxis(np.asarray(layer["maps"]), 0, -1)
        else:
            assert layer["kind"] == "vector"
            got = np.asarray(layer["values"])
        np.testing.assert_allclose(got, reference, rtol=1e-4, atol=1e-5, err_msg=layer["name"])
        assert layer["value_range"] == pytest.approx([reference.min(), reference.max()], abs=1e-5)
    assert body["label"] == str(int(np.argmax(expected["output"])))


def test_activations_of_chosen_layers_come_in_network_order(client: TestClient) -> None:
    body = post_image(
        client, "/api/models/lenet5/activations", drawing(), layers="fc1, conv1"
    ).json()

    assert [layer["name"] for layer in body["layers"]] == ["conv1", "fc1"]


def test_activations_as_png_tiles_use_the_stated_colour_scale(client: TestClient) -> None:
    body = post_image(
        client, "/api/models/lenet5/activations", drawing(), layers="conv1", format="png"
    ).json()
    (conv1,) = body["layers"]
    expected = keras_outputs("lenet5", body["model_input"])["conv1"]

    assert conv1["maps"] is None and len(conv1["tiles"]) == 6
    assert conv1["scale"] == {
        "colormap": "sequential",
        "min": 0.0,
        "max": pytest.approx(expected.max()),
    }
    tile = decode_base64_png(conv1["tiles"][2])
    assert tile.shape == (28, 28, 3)
    # Sequential scale: zero is the first stop (#f7fbff), the maximum the last (#08306b).
    channel = expected[:, :, 2]
    assert tuple(tile[np.unravel_index(np.argmin(channel), channel.shape)]) == (0xF7, 0xFB, 0xFF)
    if channel.max() == expected.max():
        assert tuple(tile[np.unravel_index(np.argmax(channel), channel.shape)]) == (8, 48, 107)


def test_an_unknown_layer_is_a_404_listing_the_layers(client: TestClient) -> None:
    response = post_image(client, "/api/models/mlp/activations", drawing(), layers="conv1")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "Model 'mlp' has no layer 'conv1'. Its layers are: flatten, fc1, output."
    }


@pytest.mark.parametrize("endpoint", ["predict", "activations"])
def test_an_unknown_form_field_is_refused_naming_the_fields_there_are(
    client: TestClient, endpoint: str
) -> None:
    response = client.post(
        f"/api/models/lenet5/{endpoint}",
        files={"image": ("d.png", drawing(), "image/png")},
        data={"invrt": "yes"},
    )

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "body.invrt (got 'yes'): is not a field of this request (did you mean invert?)" in detail
    assert "the fields are invert, crop, fit, center, thicken, image" in detail
