"""POST /api/models/{id}/explain: through the shipped LeNet-5 and an imported colour model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.ml.explain_graph import model_gradients
from tests.api.imagefiles import decode_base64_png, png, post_image, seven_png
from tests.conftest import make_client
from tests.keras_files import saved, softmax_layer_rgb

pytestmark = pytest.mark.keras

METHODS = ("gradcam", "gradcam++", "saliency", "smoothgrad", "integrated_gradients", "occlusion")


@pytest.fixture(scope="module")
def seven() -> bytes:
    return seven_png()


def explain(client: TestClient, model_id: str, image: bytes, **form: str) -> Any:
    return client.post(
        f"/api/models/{model_id}/explain", files={"image": ("upload.png", image)}, data=form
    )


def test_gradcam_of_lenet5_explains_the_predicted_class_at_the_layers_resolution(
    client: TestClient, seven: bytes
) -> None:
    response = explain(client, "lenet5", seven, method="gradcam")
    assert response.status_code == 200, response.text
    answer = response.json()
    predicted = post_image(client, "/api/models/lenet5/predict", seven).json()

    assert answer["label"] == "7" and answer["class_index"] == 7 and answer["class_name"] == "7"
    assert answer["probabilities"] == pytest.approx(predicted["probabilities"])
    assert answer["model_input"] == predicted["model_input"]
    assert answer["input_picture"] == predicted["input_picture"]
    assert answer["preprocessing"]["kind"] == "digit"
    assert answer["details"]["layer"] == "pool2"
    assert len(answer["details"]["channel_weights"]) == 16
    gradcam_map, heatmap = answer["map"], answer["heatmap"]
    assert gradcam_map["shape"] == [5, 5] and np.shape(gradcam_map["values"]) == (5, 5)
    assert heatmap["shape"] == [28, 28] and np.shape(heatmap["values"]) == (28, 28)
    assert gradcam_map["scale"] == heatmap["scale"]
    assert gradcam_map["scale"]["colormap"] == "sequential"  # ReLU: never below 0
    assert gradcam_map["value_range"] == [
        min(map(min, gradcam_map["values"])),
        max(map(max, gradcam_map["values"])),
    ]
    assert answer["overlay"] is None and gradcam_map["png"] is None


def test_saliency_through_the_api_equals_gradient_tape_on_the_input_it_reports(
    client: TestClient, seven: bytes
) -> None:
    import keras
    import tensorflow as tf

    answer = explain(client, "lenet5", seven, method="saliency", class_index="2").json()
    model = client.app_state["registry"].get_model("lenet5").model
    x = tf.constant(np.asarray(answer["model_input"], np.float32)[None, ..., None])
    output = model.get_layer("output")
    hidden = keras.Model(model.inputs[0], output.input)
    with tf.GradientTape() as tape:
        tape.watch(x)
        score = (tf.matmul(hidden(x), output.kernel) + output.bias)[0, 2]
    reference = np.abs(tape.gradient(score, x).numpy()[0]).max(axis=-1)

    assert answer["class_index"] == 2 and answer["label"] == "7"
    assert answer["score"] == pytest.approx(float(score), rel=1e-5)
    np.testing.assert_allclose(answer["map"]["values"], reference, atol=1e-4 * reference.max())
    assert answer["heatmap"]["values"] == answer["map"]["values"]


@pytest.mark.parametrize("method", METHODS)
def test_every_method_answers_with_png_map_heatmap_and_overlay(
    client: TestClient, seven: bytes, method: str
) -> None:
    response = explain(client, "lenet5", seven, method=method, format="png")
    assert response.status_code == 200, response.text
    answer = response.json()
    own = {"gradcam": (5, 5), "gradcam++": (5, 5), "occlusion": (13, 13)}.get(method, (28, 28))
    assert answer["method"] == method
    assert decode_base64_png(answer["map"]["png"]).shape[:2] == own
    assert decode_base64_png(answer["heatmap"]["png"]).shape[:2] == (28, 28)
    assert decode_base64_png(answer["overlay"]).shape == (28, 28, 3)
    assert answer["map"]["values"] is None


def test_the_method_details_report_what_was_used(client: TestClient, seven: bytes) -> None:
    smooth = explain(client, "lenet5", seven, method="smoothgrad", samples="5", noise="0.1")
    again = explain(client, "lenet5", seven, method="smoothgrad", samples="5", noise="0.1")
    path = explain(client, "lenet5", seven, method="integrated_gradients", steps="200")
    occluded = explain(client, "lenet5", seven, method="occlusion", patch="6", stride="4")

    details = smooth.json()["details"]
    assert (details["samples"], details["noise"], details["seed"]) == (5, 0.1, 0)
    assert details["noise_sigma"] == pytest.approx(0.1)  # of LeNet-5's 0..1 inputs
    assert smooth.json()["map"] == again.json()["map"]  # seeded: the same answer twice
    completeness = path.json()["details"]["completeness"]
    assert abs(completeness["relative_difference"]) < 0.01
    assert completeness["difference"] == pytest.approx(
        completeness["attributions_sum"] - completeness["score_difference"]
    )
    assert path.json()["map"]["scale"]["colormap"] == "diverging"
    assert occluded.json()["map"]["shape"] == [6, 6]  # (28 - 6) // 4 + 1
    assert occluded.json()["details"]["patch_value"] == [0.0]
    assert occluded.json()["score"] is None


def test_three_requests_trace_the_gradient_function_once(client: TestClient, seven: bytes) -> None:
    for class_index in ("1", "4", "7"):
        response = explain(client, "lenet5", seven, method="gradcam", class_index=class_index)
        assert response.status_code == 200
    loaded = client.app_state["registry"].get_model("lenet5")
    assert model_gradients(loaded).tracing_counts()["layer_gradients[pool2]"] == 1


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (
            {"class_index": "10"},
            "class_index is 10, but model 'lenet5' has 10 classes, 0 to 9. Leave it out to "
            "explain the predicted class.",
        ),
        (
            {"layer": "fc1"},
            "layer 'fc1' is a Dense layer whose output 120 is not feature maps; gradcam weighs "
            "the feature maps (height x width x channels) of a layer. Layers with feature maps: "
            "conv1, pool1, conv2, pool2 (the default is the last).",
        ),
        (
            {"steps": "20"},
            "steps is an option of integrated_gradients, not of gradcam (its options are "
            "layer). Leave steps out, or choose method=integrated_gradients.",
        ),
        (
            {"method": "occlusion", "patch": "40"},
            "patch is 40; it must be from 1 to 28. Leave it out for 4.",
        ),
    ],
)
def test_requests_the_model_cannot_take_are_refused_with_what_would_do(
    client: TestClient, seven: bytes, form: dict[str, str], expected: str
) -> None:
    response = explain(client, "lenet5", seven, **form)
    assert response.status_code == 422
    assert response.json()["detail"] == expected


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"method": "lime"}, "method"),
        ({"method": "smoothgrad", "samples": "51"}, "samples"),
        ({"method": "smoothgrad", "noise": "nan"}, "noise"),
        ({"method": "integrated_gradients", "steps": "201"}, "steps"),
        ({"method": "integrated_gradients", "baseline": "white"}, "baseline"),
        ({"class_index": "-1"}, "class_index"),
        ({"format": "jpeg"}, "format"),
    ],
)
def test_out_of_range_fields_are_refused_by_the_form(
    client: TestClient, seven: bytes, form: dict[str, str], field: str
) -> None:
    response = explain(client, "lenet5", seven, **form)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["errors"]] == [["body", field]]


def test_gradcam_of_a_model_without_feature_maps_is_refused(
    client: TestClient, seven: bytes
) -> None:
    response = explain(client, "mlp", seven, method="gradcam")
    assert response.status_code == 422
    assert "Use method=saliency, integrated_gradients or occlusion" in response.json()["detail"]


@pytest.fixture(scope="module")
def importing_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with make_client(Settings(data_dir=tmp_path_factory.mktemp("data"))) as client:
        yield client


@pytest.fixture(scope="module")
def rgb_model(importing_client: TestClient, tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = saved(softmax_layer_rgb(), tmp_path_factory.mktemp("rgb"), ".keras")
    response = importing_client.post(
        "/api/models",
        files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
        data={"name": "Colours", "classes": "red, green, blue"},
    )
    assert response.status_code == 201, response.text
    model_id: str = response.json()["id"]
    return model_id


def photo() -> bytes:
    pixels = np.zeros((32, 48, 3), dtype=np.uint8)
    pixels[4:20, 10:30] = (250, 120, 10)
    pixels[18:30, 30:44] = (20, 200, 240)
    return png(pixels)


def test_an_imported_colour_model_is_explained_through_its_softmax_input(
    importing_client: TestClient, rgb_model: str
) -> None:
    import keras

    response = explain(importing_client, rgb_model, photo(), method="gradcam", format="png")
    assert response.status_code == 200, response.text
    answer = response.json()
    model = importing_client.app_state["registry"].get_model(rgb_model).model
    x = np.asarray(
        explain(importing_client, rgb_model, photo(), method="saliency").json()["model_input"],
        np.float32,
    )
    scores = keras.Model(model.inputs[0], model.get_layer("softmax").input)(x[None])

    assert answer["preprocessing"]["kind"] == "image"
    assert answer["class_name"] in ("red", "green", "blue")
    assert answer["details"]["layer"] == "conv"
    assert answer["map"]["shape"] == [7, 11]
    assert answer["heatmap"]["shape"] == [16, 24]
    assert decode_base64_png(answer["overlay"]).shape == (16, 24, 3)
    assert answer["score"] == pytest.approx(float(scores[0, answer["class_index"]]), rel=1e-5)


def test_occlusion_of_an_imported_colour_model_uses_black_in_its_scale(
    importing_client: TestClient, rgb_model: str
) -> None:
    answer = explain(
        importing_client, rgb_model, photo(), method="occlusion", patch="4", stride="2"
    ).json()
    assert answer["map"]["shape"] == [7, 11]  # (16 - 4) // 2 + 1, (24 - 4) // 2 + 1
    assert answer["details"]["patch_value"] == [0.0, 0.0, 0.0]
    assert answer["heatmap"]["shape"] == [16, 24]
    assert np.shape(answer["model_input"]) == (16, 24, 3)
