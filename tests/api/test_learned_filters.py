"""The Kernel lab's "apply a learned filter" for an imported RGB model: POST /api/convolve with
filter f of the model's first convolution (kh x kw x 3, its bias, strides and padding) computes
what Keras ``Conv2D`` computes for that one filter on the same photo, within 1e-4.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.api.imagefiles import png, random_gray, random_rgb
from tests.keras_files import saved, softmax_layer_rgb

pytestmark = pytest.mark.keras

TOLERANCE = 1e-4
POSITIONS = [(0, 0), (0, 30), (11, 15), (22, 0), (22, 30), (5, 27)]


@pytest.fixture(scope="module")
def rgb_model(
    client: TestClient, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    path: Path = saved(softmax_layer_rgb(), tmp_path_factory.mktemp("rgb"), ".keras")
    with path.open("rb") as file:
        response = client.post(
            "/api/models",
            files={"file": (path.name, file, "application/octet-stream")},
            data={"name": "Colour shapes", "classes": "a,b,c", "preprocessing": "image"},
        )
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    yield answer
    client.delete(
        f"/api/models/{answer['id']}",
        headers={"Authorization": f"Bearer {answer['delete_token']}"},
    )


def first_layer(client: TestClient, model_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The first convolution's summary row and its filters, as the Kernel lab reads them."""
    detail = client.get(f"/api/models/{model_id}").json()
    row = next(r for r in detail["summary"] if r["name"] == detail["filter_layers"][0])
    filters = client.get(f"/api/models/{model_id}/filters").json()
    return row, filters


def lab_kernel(filters: dict[str, Any], f: int) -> np.ndarray:
    """kh x kw x in_channels, from the API's filters x in_channels x kh x kw."""
    return np.transpose(np.asarray(filters["kernels"][f], dtype=np.float64), (1, 2, 0))


def keras_conv2d(pixels: np.ndarray, row: dict[str, Any], kernel: np.ndarray, bias: float) -> Any:
    """Keras' own Conv2D with one filter (no activation) on the photo's 0..255 pixels."""
    import keras

    layer = keras.layers.Conv2D(
        1,
        tuple(row["config"]["kernel_size"]),
        strides=tuple(row["config"]["strides"]),
        padding=row["config"]["padding"],
    )
    layer.build((1, *pixels.shape))
    layer.set_weights([kernel[..., np.newaxis].astype(np.float32), np.float32([bias])])
    return np.asarray(layer(pixels[np.newaxis].astype(np.float32)))[0, ..., 0]


def lab_answer(
    client: TestClient, image: bytes, row: dict[str, Any], kernel: np.ndarray, bias: float, at: Any
) -> dict[str, Any]:
    strides = row["config"]["strides"]
    response = client.post(
        "/api/convolve",
        files={"image": ("photo.png", image, "image/png")},
        data={
            "kernel": json.dumps(kernel.tolist()),
            "strides": f"{strides[0]},{strides[1]}",
            "padding": row["config"]["padding"],
            "bias": repr(bias),
            "trace": f"{at[0]},{at[1]}",
        },
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


@pytest.mark.parametrize("f", [0, 5])
def test_a_learned_rgb_filter_applied_in_the_lab_is_keras_conv2d_summed_over_channels(
    client: TestClient, rgb_model: dict[str, Any], f: int
) -> None:
    row, filters = first_layer(client, rgb_model["id"])
    assert filters["kernel_shape"] == [3, 3, 3, 6]
    kernel, bias = lab_kernel(filters, f), filters["bias"][f]
    pixels = random_rgb(48, 64, seed=f)
    expected = keras_conv2d(pixels, row, kernel, bias)
    for at in POSITIONS:
        answer = lab_answer(client, png(pixels), row, kernel, bias, at)
        assert answer["output_shape"] == list(expected.shape) == [23, 31]
        assert np.asarray(answer["kernel"]) == pytest.approx(kernel, abs=1e-7)
        low, high = answer["value_range"]
        assert abs(low - expected.min()) < TOLERANCE and abs(high - expected.max()) < TOLERANCE
        (channel,) = answer["trace"]["channels"]
        assert [c["input_channel"] for c in channel["contributions"]] == [0, 1, 2]
        for c, contribution in enumerate(channel["contributions"]):
            assert np.asarray(contribution["kernel"]) == pytest.approx(kernel[..., c], abs=1e-7)
        assert abs(channel["output"] - expected[at]) < TOLERANCE


def test_a_grey_photo_meets_a_learned_rgb_filter_as_r_equal_g_equal_b(
    client: TestClient, rgb_model: dict[str, Any]
) -> None:
    row, filters = first_layer(client, rgb_model["id"])
    kernel, bias = lab_kernel(filters, 2), filters["bias"][2]
    grey = random_gray(48, 64, seed=3)
    expected = keras_conv2d(np.repeat(grey[..., np.newaxis], 3, axis=2), row, kernel, bias)
    answer = lab_answer(client, png(grey), row, kernel, bias, (11, 15))
    assert answer["input"]["channels"] == 3
    assert any("R = G = B" in note for note in answer["input"]["notes"])
    assert abs(answer["trace"]["channels"][0]["output"] - expected[11, 15]) < TOLERANCE
    low, high = answer["value_range"]
    assert abs(low - expected.min()) < TOLERANCE and abs(high - expected.max()) < TOLERANCE


def test_a_3_channel_kernel_as_text_that_is_not_3_deep_everywhere_is_refused_by_the_engine(
    client: TestClient,
) -> None:
    response = client.post(
        "/api/convolve",
        files={"image": ("photo.png", png(random_rgb(8, 8, seed=1)), "image/png")},
        data={"kernel": json.dumps([[[1, 0, 0], [0, 1]], [[0, 0, 1], [1, 1, 1]]])},
    )
    assert response.status_code == 422, response.text
