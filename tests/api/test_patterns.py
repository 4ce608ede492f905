"""GET .../patterns and .../dreams through the shipped LeNet-5, and predict with mc_samples
through an imported model with a Dropout layer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.ml import patterns_plan
from app.ml.dropout import tracing_count
from app.ml.patterns_graph import model_ascents
from tests.api.imagefiles import decode_base64_png, png, seven_png
from tests.conftest import make_client
from tests.keras_files import residual_rgb, saved, small_sequential_grey

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


@pytest.fixture(scope="module")
def seven() -> bytes:
    return seven_png()


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


def activations(client: TestClient, model_id: str, image: bytes, **form: str) -> Any:
    response = client.post(
        f"/api/models/{model_id}/activations", files={"image": ("seven.png", image)}, data=form
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_activations_with_dropout_show_the_units_one_pass_dropped(
    dropout_client: TestClient, dropout_model: str, seven: bytes, tmp_path: Path
) -> None:
    """Checked against the layers' own arithmetic: the dropout layer's output is its input with
    the dropped units zeroed and the others scaled by 1 / (1 - rate), and the Dense after it,
    computed here with NumPy from the model's own weights, gives the probabilities."""
    import keras

    plain = activations(dropout_client, dropout_model, seven)
    dropped = activations(dropout_client, dropout_model, seven, dropout="0.4", dropout_seed="7")
    again = activations(dropout_client, dropout_model, seven, dropout="0.4", dropout_seed="7")
    other = activations(dropout_client, dropout_model, seven, dropout="0.4", dropout_seed="8")

    layers = {layer["name"]: layer for layer in dropped["layers"]}
    flatten = np.asarray(layers["flatten"]["values"])
    output = np.asarray(layers["dropout"]["values"])
    gone = layers["dropout"]["dropped"]
    kept = np.setdiff1d(np.arange(flatten.size), gone)
    assert dropped["dropout"] == {"rate": 0.4, "seed": 7}
    assert 0.3 < len(gone) / flatten.size < 0.5  # 216 units at 0.4: 86 +- 22 (3 sd)
    np.testing.assert_allclose(output[gone], 0.0)
    np.testing.assert_allclose(output[kept], flatten[kept] / 0.6, rtol=1e-5)
    response = dropout_client.get(f"/api/models/{dropout_model}/download")
    (tmp_path / "model.keras").write_bytes(response.content)
    kernel, bias = (
        keras.saving.load_model(tmp_path / "model.keras").get_layer("output").get_weights()
    )
    scores = output @ kernel + bias
    expected = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()
    np.testing.assert_allclose(dropped["probabilities"], expected, atol=1e-5)
    assert (
        again["layers"] == dropped["layers"] and again["probabilities"] == dropped["probabilities"]
    )
    assert {layer["name"]: layer["dropped"] for layer in other["layers"]}["dropout"] != gone
    assert plain["dropout"] is None and plain["probabilities"] != dropped["probabilities"]


def test_activations_at_dropout_rate_0_are_the_ordinary_pass(
    dropout_client: TestClient, dropout_model: str, seven: bytes
) -> None:
    plain = activations(dropout_client, dropout_model, seven)
    at_zero = activations(dropout_client, dropout_model, seven, dropout="0")

    assert at_zero["layers"][-2]["dropped"] == []
    np.testing.assert_allclose(at_zero["probabilities"], plain["probabilities"], atol=1e-6)
    for ours, theirs in zip(at_zero["layers"], plain["layers"], strict=True):
        key = "values" if ours["values"] is not None else "maps"
        np.testing.assert_allclose(ours[key], theirs[key], atol=1e-5)
    assert isinstance(at_zero["dropout"]["seed"], int) and plain["dropout"] is None


def test_dropout_in_a_functional_model_with_batch_norm_drops_only_its_dropout_layer(
    dropout_client: TestClient, tmp_path: Path
) -> None:
    path: Path = saved(residual_rgb(), tmp_path, ".keras")
    imported = dropout_client.post(
        "/api/models",
        files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
        data={"name": "Residual", "classes": "a, b, c, d, e", "scale": "-1..1"},
    )
    assert imported.status_code == 201, imported.text
    model_id = imported.json()["id"]
    photo = png(np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8))

    plain = activations(dropout_client, model_id, photo, layers="gap,drop,logits")
    dropped = activations(
        dropout_client, model_id, photo, layers="gap,drop,logits", dropout="0.5", dropout_seed="1"
    )

    gap = np.asarray(dropped["layers"][0]["values"])
    # BatchNormalization stays in inference mode: in training mode, a batch of one would
    # normalise every channel to its own mean and move these by far more than round-off.
    np.testing.assert_allclose(gap, plain["layers"][0]["values"], atol=1e-5)
    out = np.asarray(dropped["layers"][1]["values"])
    gone = dropped["layers"][1]["dropped"]
    assert 0 < len(gone) < gap.size
    np.testing.assert_allclose(np.delete(out, gone), np.delete(gap, gone) * 2, rtol=1e-5)
    assert dropped["probabilities"] != plain["probabilities"]


@pytest.mark.parametrize(
    ("model", "rate", "words"),
    [
        ("lenet5", "0.2", "Model 'lenet5' has no Dropout layer"),
        ("lenet5", "0.95", "dropout"),
    ],
)
def test_dropout_a_model_cannot_take_is_refused(
    client: TestClient, seven: bytes, model: str, rate: str, words: str
) -> None:
    response = client.post(
        f"/api/models/{model}/activations",
        files={"image": ("seven.png", seven)},
        data={"dropout": rate},
    )

    assert response.status_code == 422
    assert words in response.json()["detail"]
