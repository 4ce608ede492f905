"""GET .../patterns and .../dreams through the shipped LeNet-5, and predict with mc_samples
through an imported model with a Dropout layer."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.config import Settings
from app.ml import patterns_plan
from app.ml.dropout import tracing_count
from app.ml.patterns_graph import model_ascents
from tests.api.imagefiles import decode_base64_png
from tests.conftest import make_client
from tests.drawings import mnist_test_set
from tests.keras_files import saved, small_sequential_grey

pytestmark = pytest.mark.keras


def test_lenet5_conv1_patterns_answer_each_filter_with_its_picture_and_digits(
    client: TestClient,
) -> None:
    response = client.get(
        "/api/models/lenet5/patterns", params={"layer": "conv1", "units": "0-5", "steps": "32"}
    )
    assert response.status_code == 200, response.text
    answer = response.json()

    assert answer["layer"] == "conv1" and answer["kind"] == "maps"
    assert (answer["steps"], answer["seed"], answer["jitter"]) == (32, 0, 0)
    assert "20 MNIST test digits" in answer["dataset"]
    assert [pattern["unit"] for pattern in answer["patterns"]] == list(range(6))
    for pattern in answer["patterns"]:
        picture = decode_base64_png(pattern["image"])
        assert picture.shape == (28, 28) and picture.dtype == np.uint8
        assert pattern["activation"] > pattern["start_activation"]
        tops = [image["activation"] for image in pattern["top_images"]]
        assert len(tops) == 5 and tops == sorted(tops, reverse=True)
        assert pattern["top_images"][0]["url"].startswith("/static/digits/")


def test_the_pattern_picture_is_the_pattern_mapped_back_to_pixels(client: TestClient) -> None:
    from app.ml.patterns import find_patterns, plan_patterns

    answer = client.get("/api/models/lenet5/patterns", params={"layer": "fc1", "units": "3"})
    loaded = client.app_state["registry"].get_model("lenet5")
    (pattern,) = find_patterns(loaded, plan_patterns(loaded, "fc1", (3, 3)))

    picture = decode_base64_png(answer.json()["patterns"][0]["image"])
    np.testing.assert_array_equal(picture, np.rint(pattern.image[..., 0] * 255).astype(np.uint8))


def test_lenet5_dreams_make_each_class_the_winner(client: TestClient) -> None:
    response = client.get("/api/models/lenet5/dreams", params={"steps": "64", "seed": "4"})
    assert response.status_code == 200, response.text
    answer = response.json()

    assert [dream["class_index"] for dream in answer["dreams"]] == list(range(10))
    for dream in answer["dreams"]:
        assert dream["score"] > dream["start_score"]
        assert int(np.argmax(dream["scores"])) == dream["class_index"]
        assert dream["probability"] == max(dream["probabilities"])
        assert decode_base64_png(dream["image"]).shape == (28, 28)


def test_three_requests_trace_the_ascent_step_once(client: TestClient) -> None:
    for units in ("0-1", "2-5", "7"):
        params = {"layer": "conv2", "units": units, "steps": "3", "seed": units[0]}
        assert client.get("/api/models/lenet5/patterns", params=params).status_code == 200
    loaded = client.app_state["registry"].get_model("lenet5")
    assert model_ascents(loaded).tracing_counts()["step[conv2]"] == 1


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        (
            "patterns",
            {"layer": "conv1", "units": "0-9"},
            "units is 0-9, but layer 'conv1' has 6 filters, 0 to 5. Give first-last with first "
            "<= last <= 5, e.g. 0-5.",
        ),
        (
            "patterns",
            {"layer": "flatten", "units": "0-20"},
            "units 0-20 asks for 21; one request finds at most 16. Ask for 0-15, then the next "
            "ones.",
        ),
        (
            "patterns",
            {"layer": "conv9"},
            "layer 'conv9' is not a layer of model 'lenet5'. Patterns are found for the filters "
            "of a layer with feature maps (height x width x channels) or the units of a vector: "
            "conv1, pool1, conv2, pool2, flatten, fc1, fc2, output.",
        ),
        (
            "dreams",
            {"classes": "8-10"},
            "classes is 8-10, but model 'lenet5' has 10 classes, 0 to 9. Give first-last with "
            "first <= last <= 9, e.g. 0-9.",
        ),
    ],
)
def test_requests_the_model_cannot_take_are_refused_with_what_would_do(
    client: TestClient, path: str, params: dict[str, str], expected: str
) -> None:
    response = client.get(f"/api/models/lenet5/{path}", params=params)
    assert response.status_code == 422
    assert response.json()["detail"] == expected


def test_work_over_the_cap_is_refused_before_any_work(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patterns_plan, "MAX_WORK_VALUES", 1_000_000)

    response = client.get("/api/models/lenet5/dreams", params={"steps": "256"})

    assert response.status_code == 422
    assert response.json()["detail"] == (
        "Dreams of 10 classes of model 'lenet5' over 256 steps take 2,560 gradient "
        "steps through 8,494 layer values, 65,233,920 values in all; one request computes at "
        "most 1,000,000. Ask for at most 3 steps for 10 classes."
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"steps": "257"}, "steps"),
        ({"blur": "nan"}, "blur"),
        ({"units": "a-b"}, "units"),
        ({"jitter": "17"}, "jitter"),
        ({"seed": "-1"}, "seed"),
        ({"layers": "conv1"}, "layers"),
    ],
)
def test_out_of_range_query_fields_are_refused(
    client: TestClient, params: dict[str, str], field: str
) -> None:
    response = client.get("/api/models/lenet5/patterns", params=params)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["errors"]] == [["query", field]]


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def seven() -> bytes:
    images, _ = mnist_test_set()
    return png(np.kron(images[0], np.ones((4, 4), dtype=np.uint8)))


def predict(client: TestClient, model_id: str, image: bytes, **form: str) -> Any:
    return client.post(
        f"/api/models/{model_id}/predict", files={"image": ("seven.png", image)}, data=form
    )


def test_a_dream_from_a_drawing_starts_at_the_drawing_and_raises_each_class(
    client: TestClient, seven: bytes
) -> None:
    """What would make this 7 more of a 1, or of a 9? The start is the drawing as predict saw
    it; each ascent raises its class, and stays nearer the drawing than a dream from noise."""
    predicted = predict(client, "lenet5", seven).json()

    response = client.post(
        "/api/models/lenet5/dreams",
        files={"image": ("seven.png", seven)},
        data={"classes": "1-9", "steps": "24"},
    )
    from_noise = client.get("/api/models/lenet5/dreams", params={"classes": "1-9", "steps": "24"})

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["model_input"] == predicted["model_input"]
    drawing = np.asarray(predicted["model_input"])[..., 0]
    for dream, noise_dream in zip(answer["dreams"], from_noise.json()["dreams"], strict=True):
        c = dream["class_index"]
        assert dream["start_probability"] == pytest.approx(predicted["probabilities"][c], abs=1e-5)
        assert dream["score"] > dream["start_score"]
        picture = decode_base64_png(dream["image"]) / 255
        noise_picture = decode_base64_png(noise_dream["image"]) / 255
        assert np.abs(picture - drawing).mean() < np.abs(noise_picture - drawing).mean()


def test_a_dream_from_an_image_that_is_not_one_is_refused(client: TestClient) -> None:
    response = client.post(
        "/api/models/lenet5/dreams",
        files={"image": ("notes.txt", b"not a picture")},
        data={"classes": "3"},
    )

    assert response.status_code in (400, 415, 422)
    assert "image" in response.json()["detail"].lower()


def test_predict_with_mc_samples_on_a_model_without_dropout_is_refused(
    client: TestClient, seven: bytes
) -> None:
    response = predict(client, "lenet5", seven, mc_samples="10")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Model 'lenet5' has no Dropout layer")
    out_of_range = predict(client, "lenet5", seven, mc_samples="1")
    assert [e["loc"] for e in out_of_range.json()["errors"]] == [["body", "mc_samples"]]
    assert predict(client, "lenet5", seven).json()["mc_dropout"] is None


@pytest.fixture(scope="module")
def dropout_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with make_client(Settings(data_dir=tmp_path_factory.mktemp("data"))) as client:
        yield client


@pytest.fixture(scope="module")
def dropout_model(dropout_client: TestClient, tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = saved(small_sequential_grey(), tmp_path_factory.mktemp("grey"), ".h5")
    response = dropout_client.post(
        "/api/models",
        files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
        data={"name": "Dropout digits", "classes": ", ".join(map(str, range(10)))},
    )
    assert response.status_code == 201, response.text
    model_id: str = response.json()["id"]
    return model_id


def test_predict_with_mc_samples_answers_each_classs_spread(
    dropout_client: TestClient, dropout_model: str, seven: bytes
) -> None:
    plain = predict(dropout_client, dropout_model, seven)
    assert plain.status_code == 200, plain.text
    answers = [predict(dropout_client, dropout_model, seven, mc_samples=n) for n in ("40", "7")]
    assert all(answer.status_code == 200 for answer in answers), answers[0].text

    spread = answers[0].json()["mc_dropout"]
    assert spread["samples"] == 40 and spread["dropout_layers"] == ["dropout"]
    assert max(spread["std"]) > 0
    assert sum(spread["mean"]) == pytest.approx(1.0, abs=1e-4)
    assert all(low <= high for low, high in zip(spread["min"], spread["max"], strict=True))
    assert answers[0].json()["probabilities"] == plain.json()["probabilities"]
    assert plain.json()["mc_dropout"] is None
    loaded = dropout_client.app_state["registry"].get_model(dropout_model)
    assert tracing_count(loaded) == 1
