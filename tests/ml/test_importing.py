"""Your own Keras model, imported: each benign file answers exactly as Keras answers for it.

The files are made by Keras in the test (``tests/keras_files.py``), saved as ``.keras`` and as
legacy ``.h5``, uploaded to ``POST /api/models``, and compared, layer by layer, with the model
Keras holds in memory: predict's probabilities and every layer's activations for the very input
array the API reports it gave the model (``model_input``), within 1e-4.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.keras_files import BENIGN, saved

pytestmark = pytest.mark.keras

TOLERANCE = 1e-4


def photo(height: int = 48, width: int = 64) -> bytes:
    """A colourful test card: gradients in each channel and a bright disc."""
    rows, cols = np.mgrid[0:height, 0:width]
    red = (cols * 255 // max(width - 1, 1)).astype(np.uint8)
    green = (rows * 255 // max(height - 1, 1)).astype(np.uint8)
    disc = (rows - height / 2) ** 2 + (cols - width / 3) ** 2 < (height / 4) ** 2
    blue = np.where(disc, 230, 40).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(np.dstack([red, green, blue])).save(buffer, format="PNG")
    return buffer.getvalue()


def digit() -> bytes:
    pixels = np.zeros((28, 28), dtype=np.uint8)
    pixels[5:23, 13:16] = 255
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, Path, Path]]:
    folder = tmp_path_factory.mktemp("keras-files")
    made = {}
    for name, build in BENIGN.items():
        model = build()
        made[name] = (model, saved(model, folder, ".keras"), saved(model, folder, ".h5"))
    return made


def upload(client: TestClient, path: Path, **fields: str) -> Any:
    with path.open("rb") as file:
        return client.post(
            "/api/models",
            files={"file": (path.name, file, "application/octet-stream")},
            data={"name": fields.pop("name", path.stem), **fields},
        )


def layer_outputs(model: Any, x: np.ndarray) -> dict[str, np.ndarray]:
    import keras

    layers = [layer for layer in model.layers if layer.__class__.__name__ != "InputLayer"]
    extractor = keras.Model(model.inputs[0], [layer.output for layer in layers])
    outputs = extractor(x[np.newaxis], training=False)
    return {layer.name: np.asarray(o[0]) for layer, o in zip(layers, outputs, strict=True)}


def as_array(model_input: list[Any], shape: tuple[int, ...]) -> np.ndarray:
    return np.asarray(model_input, dtype=np.float32).reshape(shape)


@pytest.fixture(scope="module")
def imported(
    client: TestClient, originals: dict[str, tuple[Any, Path, Path]]
) -> Iterator[dict[str, dict[str, Any]]]:
    answers = {}
    for name, (_, keras_path, h5_path) in originals.items():
        for path in (keras_path, h5_path):
            response = upload(client, path, name=f"{name} {path.suffix}")
            assert response.status_code == 201, response.text
            answers[f"{name}{path.suffix}"] = response.json()
    yield answers
    for answer in answers.values():
        client.delete(
            f"/api/models/{answer['id']}",
            headers={"Authorization": f"Bearer {answer['delete_token']}"},
        )


@pytest.mark.parametrize("name", list(BENIGN))
@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_an_imported_model_predicts_and_shows_every_layer_as_keras_does(
    client: TestClient,
    originals: dict[str, tuple[Any, Path, Path]],
    imported: dict[str, dict[str, Any]],
    name: str,
    suffix: str,
) -> None:
    model = originals[name][0]
    answer = imported[f"{name}{suffix}"]
    shape = tuple(model.inputs[0].shape[1:])
    assert answer["format"] == suffix.removeprefix(".")
    assert answer["model"]["input_shape"] == list(shape)
    assert answer["model"]["layers"] == [
        layer.name for layer in model.layers if layer.__class__.__name__ != "InputLayer"
    ]
    assert answer["model"]["parameters"] == model.count_params()
    image = digit() if shape[-1] == 1 else photo()
    files = {"image": ("input.png", image, "image/png")}

    predicted = client.post(f"/api/models/{answer['id']}/predict", files=files)
    shown = client.post(
        f"/api/models/{answer['id']}/activations", files=files, data={"format": "numbers"}
    )

    assert predicted.status_code == 200, predicted.text
    assert shown.status_code == 200, shown.text
    x = as_array(predicted.json()["model_input"], shape)
    expected = layer_outputs(model, x)
    last = expected[model.layers[-1].name]
    probabilities = np.asarray(predicted.json()["probabilities"])
    if model.layers[-1].get_config().get("activation") in ("linear", None) and (
        model.layers[-1].__class__.__name__ == "Dense"
    ):  # logits: the API gives their softmax
        last = np.exp(last - last.max()) / np.exp(last - last.max()).sum()
    np.testing.assert_allclose(probabilities, last, atol=TOLERANCE)
    for layer in shown.json()["layers"]:
        values = layer["maps"] if layer["kind"] == "maps" else layer["values"]
        got = np.asarray(values, dtype=np.float32)
        if layer["kind"] == "maps":
            got = np.moveaxis(got, 0, -1)
        want = expected[layer["name"]].reshape(got.shape)
        np.testing.assert_allclose(got, want, atol=TOLERANCE, err_msg=layer["name"])


def test_the_model_input_is_what_the_metadata_says(client: TestClient, tmp_path: Path) -> None:
    import keras

    model = BENIGN["softmax_rgb"]()
    path = saved(model, tmp_path, ".keras")
    response = upload(client, path, classes="cat, dog, bird", fit="crop", scale="-1..1")
    assert response.status_code == 201, response.text
    model_id = response.json()["id"]

    answer = client.post(
        f"/api/models/{model_id}/predict", files={"image": ("p.png", photo(48, 64), "image/png")}
    ).json()

    # A 64x48 photo cropped to the model's 3:2 (24x16) box: 64 wide stays, 48 high -> 42.
    reference = np.asarray(Image.open(io.BytesIO(photo(48, 64))), dtype=np.float32)
    assert answer["classes"] == ["cat", "dog", "bird"]
    assert answer["preprocessing"]["kind"] == "image"
    assert answer["preprocessing"]["scale"] == "-1..1"
    x = np.asarray(answer["model_input"], dtype=np.float32)
    assert x.shape == (16, 24, 3)
    assert x.min() >= -1 and x.max() <= 1
    # The top-left pixel of the crop is the photo's row 3 (of 48): red 0, so -1 after scaling.
    assert x[0, 0, 0] == pytest.approx(reference[3, 0, 0] / 127.5 - 1, abs=0.05)
    probabilities = np.asarray(keras.ops.convert_to_numpy(model(x[np.newaxis])))[0]
    np.testing.assert_allclose(answer["probabilities"], probabilities, atol=TOLERANCE)
