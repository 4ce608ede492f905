"""POST /api/models and DELETE /api/models/{id}: stored for everyone, seen by every worker.

Two apps sharing one data folder stand for two worker processes (each has its own registry,
as each ``convlens serve`` worker does); a third, started afterwards, stands for a restart.
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

from app.config import Settings
from tests.conftest import make_client
from tests.keras_files import saved, small_sequential_grey, softmax_layer_rgb

pytestmark = pytest.mark.keras


@pytest.fixture(scope="module")
def rgb_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return saved(softmax_layer_rgb(), tmp_path_factory.mktemp("rgb"), ".keras")


@pytest.fixture(scope="module")
def grey_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return saved(small_sequential_grey(), tmp_path_factory.mktemp("grey"), ".h5")


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[TestClient, TestClient, Settings]]:
    settings = Settings(data_dir=tmp_path / "data")
    with make_client(settings) as first, make_client(settings) as second:
        yield first, second, settings


def upload(client: TestClient, path: Path, **fields: str) -> Any:
    return client.post(
        "/api/models",
        files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
        data={"name": "Shapes", **fields},
    )


def photo() -> bytes:
    buffer = io.BytesIO()
    pixels = np.zeros((30, 40, 3), dtype=np.uint8)
    pixels[5:25, 10:30] = (250, 120, 10)
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ids(client: TestClient) -> list[str]:
    return [model["id"] for model in client.get("/api/models").json()]


def test_an_import_is_served_by_every_worker_and_survives_a_restart(
    workers: tuple[TestClient, TestClient, Settings], rgb_file: Path
) -> None:
    first, second, settings = workers
    imported = upload(first, rgb_file, classes="red, green, blue")
    assert imported.status_code == 201, imported.text
    model_id = imported.json()["id"]
    image = {"image": ("photo.png", photo(), "image/png")}

    from_first = first.post(f"/api/models/{model_id}/predict", files=image)
    from_second = second.post(f"/api/models/{model_id}/predict", files=image)
    with make_client(settings) as restarted:
        from_restart = restarted.post(f"/api/models/{model_id}/predict", files=image)
        listed = restarted.get("/api/models").json()

    assert from_first.status_code == from_second.status_code == from_restart.status_code == 200
    assert from_first.json() == from_second.json() == from_restart.json()
    assert from_first.json()["classes"] == ["red", "green", "blue"]
    entry = next(model for model in listed if model["id"] == model_id)
    assert (entry["origin"], entry["preprocessing"], entry["input_shape"]) == (
        "imported",
        "image",
        [16, 24, 3],
    )
    shipped = ["colour-shapes", "lenet5", "mlp", "mnist-cnn-dropout", "mnist-cnn"]
    assert [model["id"] for model in listed][: len(shipped)] == shipped


def test_a_delete_needs_the_token_and_reaches_every_worker(
    workers: tuple[TestClient, TestClient, Settings], grey_file: Path
) -> None:
    first, second, settings = workers
    answer = upload(first, grey_file).json()
    model_id, token = answer["id"], answer["delete_token"]
    assert model_id in ids(second)

    no_token = second.delete(f"/api/models/{model_id}")
    wrong = second.delete(f"/api/models/{model_id}", headers=bearer(token[::-1]))
    deleted = second.delete(f"/api/models/{model_id}", headers=bearer(token))

    assert no_token.status_code == wrong.status_code == 403
    assert "Authorization: Bearer <token>" in no_token.json()["detail"]
    assert "does not match" in wrong.json()["detail"]
    assert deleted.status_code == 204
    assert model_id not in ids(first)
    gone = first.post(
        f"/api/models/{model_id}/predict", files={"image": ("p.png", photo(), "image/png")}
    )
    assert gone.status_code == 404
    assert not any((settings.data_dir / "models").iterdir())


def test_a_shipped_model_cannot_be_deleted(client: TestClient) -> None:
    response = client.delete("/api/models/lenet5", headers=bearer("anything"))

    assert response.status_code == 403
    assert "ships with ConvLens" in response.json()["detail"]
    assert "lenet5" in ids(client)


def test_a_digit_model_of_28x28x1_takes_drawings_and_is_offered_to_the_live_socket(
    workers: tuple[TestClient, TestClient, Settings], grey_file: Path
) -> None:
    first, _, _ = workers
    answer = upload(
        first,
        grey_file,
        classes=",".join(
            ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        ),
    )
    model_id = answer.json()["id"]
    drawing = np.full((200, 200), 255, dtype=np.uint8)
    drawing[30:170, 90:110] = 0
    buffer = io.BytesIO()
    Image.fromarray(drawing).save(buffer, format="PNG")

    predicted = first.post(
        f"/api/models/{model_id}/predict", files={"image": ("d.png", buffer.getvalue())}
    ).json()
    with first.websocket_connect("/api/live") as socket:
        socket.send_text("{}")
        settings_answer = socket.receive_json()

    assert answer.json()["model"]["preprocessing"] == "digit"
    assert predicted["preprocessing"]["kind"] == "digit"
    assert len(predicted["model_input"]) == 28
    assert model_id in settings_answer["models"]


def test_the_live_socket_refuses_an_image_model_by_name(
    workers: tuple[TestClient, TestClient, Settings], rgb_file: Path
) -> None:
    first, _, _ = workers
    model_id = upload(first, rgb_file).json()["id"]

    with first.websocket_connect("/api/live") as socket:
        socket.send_text("{}")
        default = socket.receive_json()
        socket.send_text(f'{{"models": ["{model_id}"]}}')
        refused = socket.receive_json()

    assert model_id not in default["models"]
    assert refused["status"] == 422
    assert "takes photos" in refused["detail"]


@pytest.mark.parametrize(
    ("fields", "status", "phrase"),
    [
        ({"classes": "a, b"}, 422, "the model's output has 3 values"),
        ({"classes": "a, a, b"}, 422, "same name"),
        ({"classes": "a,,b"}, 422, "class 1"),
        ({"scale": "caffe", "preprocessing": "image", "name": "x"}, 201, ""),
        ({"preprocessing": "digit"}, 422, "digit preparation makes one grey channel"),
        ({"fit": "zoom"}, 422, "fit"),
        ({"name": ""}, 422, "name"),
        ({"classs": "a, b, c"}, 422, "did you mean classes?"),
    ],
)
def test_the_form_is_checked_field_by_field(
    client: TestClient, rgb_file: Path, fields: dict[str, str], status: int, phrase: str
) -> None:
    response = upload(client, rgb_file, **fields)

    assert response.status_code == status, response.text
    if status == 201:
        body = response.json()
        client.delete(f"/api/models/{body['id']}", headers=bearer(body["delete_token"]))
    else:
        assert phrase in response.text


def test_a_model_file_bigger_than_the_cap_is_refused_before_it_is_read(
    tmp_path: Path, rgb_file: Path
) -> None:
    settings = Settings(data_dir=tmp_path, max_import_bytes=4096)
    with make_client(settings) as small:
        response = upload(small, rgb_file)

    assert response.status_code == 413
    assert "CONVLENS_MAX_IMPORT_BYTES" in response.json()["detail"]


def test_activations_send_a_channel_range_and_refuse_one_outside_the_layer(
    client: TestClient,
) -> None:
    digit = (Path(__file__).parents[2] / "static/digits/mnist-test-00000.png").read_bytes()
    files = {"image": ("d.png", digit, "image/png")}

    some = client.post(
        "/api/models/lenet5/activations",
        files=files,
        data={"layers": "conv1", "channels": "2-4"},
    )
    every = client.post("/api/models/lenet5/activations", files=files, data={"layers": "conv1"})
    outside = client.post(
        "/api/models/lenet5/activations",
        files=files,
        data={"layers": "conv1", "channels": "4-9"},
    )

    layer, whole = some.json()["layers"][0], every.json()["layers"][0]
    assert layer["channels"] == [2, 4]
    assert layer["maps"] == whole["maps"][2:5]
    assert layer["value_range"] == whole["value_range"]
    assert outside.status_code == 422
    assert "has 6 channels, 0 to 5" in outside.json()["detail"]
