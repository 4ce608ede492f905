"""What a finished training job leaves: epoch snapshots, the evaluation, the .keras download;
and the caps on one client's jobs and on one job's time."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.config import Settings
from app.ml import dataset_store
from app.ml.fit import split
from tests.api.test_training import start, upload_shapes, wait_for
from tests.conftest import make_client

SEED = 7
VALIDATION_SPLIT = 0.25


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("training-results")


@pytest.fixture(scope="module")
def client(data_dir: Path) -> Iterator[TestClient]:
    with make_client(Settings(data_dir=data_dir)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def dataset(client: TestClient) -> dict[str, Any]:
    return upload_shapes(client)


@pytest.fixture(scope="module")
def job(client: TestClient, dataset: dict[str, Any]) -> dict[str, Any]:
    created = start(
        client,
        dataset,
        epochs=2,
        batch_size=8,
        seed=SEED,
        validation_split=VALIDATION_SPLIT,
        name="results",
    )
    finished = wait_for(client, created["id"], "done", "failed", "cancelled")
    assert finished["state"] == "done", finished["reason"]
    return finished


def held_out(data_dir: Path, dataset_id: str) -> tuple[np.ndarray, np.ndarray]:
    """The held-out images and labels, chosen here as the training code's split does."""
    x, y = dataset_store.load_arrays(data_dir, dataset_id)
    _, val_at = split(len(x), VALIDATION_SPLIT, SEED)
    return x[val_at], y[val_at]


def downloaded_model(client: TestClient, model_id: str, folder: Path) -> Any:
    import keras

    response = client.get(f"/api/models/{model_id}/download")
    assert response.status_code == 200, response.text
    assert f'filename="{model_id}.keras"' in response.headers["content-disposition"]
    path = folder / f"{model_id}.keras"
    path.write_bytes(response.content)
    return keras.saving.load_model(path, safe_mode=True)


def png_pixels(encoded: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded))))


def test_every_epoch_keeps_the_filters_and_the_probes_feature_maps(
    client: TestClient, job: dict[str, Any], data_dir: Path, tmp_path: Path
) -> None:
    """The last snapshot is the trained model: its kernel and, for the probe image (the first
    held-out one), the first layer's maps as the downloaded model computes them."""
    import keras

    assert job["filter_epochs"] == [0, 1, 2]
    x_val, y_val = held_out(data_dir, job["dataset"])
    assert job["probe_class"] == job["classes"][int(y_val[0])]

    last = client.get(f"/api/jobs/{job['id']}/epochs/2?format=numbers")
    first = client.get(f"/api/jobs/{job['id']}/epochs/0?format=numbers")

    assert last.status_code == 200, last.text
    snapshot = last.json()
    assert snapshot["epochs"] == [0, 1, 2] and snapshot["layer"] == "conv1"
    model = downloaded_model(client, job["model"], tmp_path)
    kernel = model.get_layer("conv1").get_weights()[0]
    assert snapshot["filters"]["kernel_shape"] == list(kernel.shape)
    assert np.allclose(snapshot["filters"]["kernels"], np.transpose(kernel, (3, 2, 0, 1)))
    maps_of = keras.Model(model.input, model.get_layer("conv1").output)
    expected = np.asarray(maps_of(x_val[:1] / np.float32(255)))[0]
    assert np.allclose(snapshot["maps"]["maps"], np.moveaxis(expected, -1, 0), atol=1e-5)
    assert np.array_equal(png_pixels(snapshot["probe_image"]), x_val[0])
    initial = np.asarray(first.json()["filters"]["kernels"])
    assert not np.allclose(initial, snapshot["filters"]["kernels"]), "training moved the filters"


def test_a_snapshot_as_pictures_has_a_tile_per_map_and_a_grid_of_filters(
    client: TestClient, job: dict[str, Any]
) -> None:
    response = client.get(f"/api/jobs/{job['id']}/epochs/1?filters=0-1")

    assert response.status_code == 200, response.text
    snapshot = response.json()
    height, width, _ = snapshot["maps"]["shape"]
    kh, kw, channels, _ = snapshot["filters"]["kernel_shape"]
    assert snapshot["channels"] == [0, 1]
    assert [png_pixels(tile).shape for tile in snapshot["maps"]["tiles"]] == [
        (height, width, 3)
    ] * 2
    # filter_grid: 8 pixels a weight, 2 pixels between filters and between input channels.
    grid = png_pixels(snapshot["filters"]["grid"])
    assert grid.shape[:2] == (channels * (kh * 8 + 2) - 2, 2 * (kw * 8 + 2) - 2)
    assert "kernels" not in snapshot["filters"] and "maps" not in snapshot["maps"]


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("epochs/3", 404, "no snapshot of epoch 3. Kept so far: 0, 1, 2"),
        ("epochs/0?filters=2-9", 422, "is not a range of this layer's 6 filters"),
        ("epochs/-1", 422, "epoch"),
    ],
)
def test_a_snapshot_that_is_not_there_is_refused_saying_what_is(
    client: TestClient, job: dict[str, Any], path: str, status: int, words: str
) -> None:
    response = client.get(f"/api/jobs/{job['id']}/{path}")

    assert response.status_code == status
    assert words in response.json()["detail"]


def test_the_evaluation_is_the_held_out_images_confusion_matrix(
    client: TestClient, job: dict[str, Any], data_dir: Path, tmp_path: Path
) -> None:
    """Recomputed here from the downloaded model's answers on the same held-out images."""
    detail = client.get(f"/api/models/{job['model']}").json()
    evaluation = detail["evaluation"]
    x_val, y_val = held_out(data_dir, job["dataset"])
    probabilities = downloaded_model(client, job["model"], tmp_path).predict(
        x_val / np.float32(255), verbose=0
    )
    predicted = probabilities.argmax(axis=1)

    confusion = [[int(np.sum((y_val == t) & (predicted == p))) for p in range(3)] for t in range(3)]
    assert evaluation["images"] == len(y_val)
    assert evaluation["confusion"] == confusion
    for t in range(3):
        assert evaluation["per_class_accuracy"][t] == pytest.approx(
            np.mean(predicted[y_val == t] == t)
        )
    assert evaluation["accuracy"] == pytest.approx(np.mean(predicted == y_val))
    assert evaluation["accuracy"] == pytest.approx(job["history"][-1]["val_accuracy"], abs=1e-6)
    wrong = np.flatnonzero(predicted != y_val)
    assert len(evaluation["mistakes"]) == min(len(wrong), 12)
    confidences = [m["confidence"] for m in evaluation["mistakes"]]
    assert confidences == sorted(confidences, reverse=True)
    for mistake in evaluation["mistakes"]:
        assert mistake["true_class"] != mistake["predicted"]


def test_a_trained_model_downloads_as_a_keras_file_that_answers_as_the_server_does(
    client: TestClient, job: dict[str, Any], data_dir: Path, tmp_path: Path
) -> None:
    x_val, _ = held_out(data_dir, job["dataset"])
    picture = io.BytesIO()
    Image.fromarray(x_val[0]).save(picture, "PNG")
    served = client.post(
        f"/api/models/{job['model']}/predict",
        files={"image": ("probe.png", picture.getvalue(), "image/png")},
    ).json()["probabilities"]

    model = downloaded_model(client, job["model"], tmp_path)

    local = model.predict(x_val[:1] / np.float32(255), verbose=0)[0]
    assert np.allclose(served, local, atol=1e-5)
    assert not list((data_dir / "models" / ".work").glob("download-*")), "temporary file left"


def test_a_shipped_model_downloads_as_its_own_file(client: TestClient) -> None:
    response = client.get("/api/models/lenet5/download")

    assert response.status_code == 200
    assert response.content == (Path("models") / "lenet5.keras").read_bytes()


def test_an_unknown_model_cannot_be_downloaded(client: TestClient) -> None:
    response = client.get("/api/models/nope/download")

    assert response.status_code == 404
    assert "There is no model 'nope'" in response.json()["detail"]


def test_one_client_may_have_only_so_many_jobs_at_once(tmp_path: Path) -> None:
    with make_client(Settings(data_dir=tmp_path, max_jobs_per_client=1)) as small:
        dataset = upload_shapes(small)
        running = start(small, dataset, epochs=50, batch_size=1)

        refused = small.post(
            "/api/training", json={"dataset": dataset["id"], "architecture": "mlp"}
        )

        assert refused.status_code == 429
        assert refused.json()["detail"].startswith(
            "You already have 1 job queued or running; one client may have at most 1 "
            "at once (setting CONVLENS_MAX_JOBS_PER_CLIENT)."
        )
        bearer = {"Authorization": f"Bearer {running['cancel_token']}"}
        assert small.delete(f"/api/jobs/{running['id']}", headers=bearer).status_code == 202
        again = small.post(
            "/api/training", json={"dataset": dataset["id"], "architecture": "mlp", "epochs": 1}
        )
        assert again.status_code == 202, again.text
        wait_for(small, again.json()["id"], "done", "failed")


def test_a_job_longer_than_the_time_cap_fails_saying_so(tmp_path: Path) -> None:
    with make_client(Settings(data_dir=tmp_path, max_training_seconds=1)) as small:
        dataset = upload_shapes(small)
        created = start(small, dataset, epochs=50, batch_size=1)

        job = wait_for(small, created["id"], "done", "failed", "cancelled")

    assert job["state"] == "failed"
    assert job["reason"].startswith("Training was stopped after 1 s, the most one job may take")
    assert "CONVLENS_MAX_TRAINING_SECONDS" in job["reason"]
    assert job["model"] is None


def test_a_trained_models_patterns_come_with_the_images_of_its_dataset_that_excite_them_most(
    client: TestClient, job: dict[str, Any], data_dir: Path, tmp_path: Path
) -> None:
    """Checked with the downloaded model: conv1's mean output over each of the dataset's images
    (all of them: the tiny set has fewer than 200), highest first."""
    import keras

    response = client.get(
        f"/api/models/{job['model']}/patterns",
        params={"layer": "conv1", "units": "0-1", "steps": "4"},
    )

    assert response.status_code == 200, response.text
    answer = response.json()
    assert job["dataset"] in answer["dataset"]
    x, y = dataset_store.load_arrays(data_dir, job["dataset"])
    model = downloaded_model(client, job["model"], tmp_path)
    maps = keras.Model(model.input, model.get_layer("conv1").output)(x / np.float32(255))
    means = np.asarray(maps).mean(axis=(1, 2))
    for pattern in answer["patterns"]:
        unit = pattern["unit"]
        tops = pattern["top_images"]
        order = np.argsort(-means[:, unit], kind="stable")[:5]
        np.testing.assert_allclose([t["activation"] for t in tops], means[order, unit], rtol=1e-4)
        assert [t["label"] for t in tops] == [job["classes"][int(y[i])] for i in order]
        assert all(t["url"].startswith("data:image/png;base64,") for t in tops)


def test_a_trained_models_description_is_read_in_the_readers_language(
    web: TestClient, job: dict[str, Any]
) -> None:
    english = web.get(f"/api/models/{job['model']}").json()["description"]
    korean = web.get(f"/api/models/{job['model']}", headers={"accept-language": "ko"}).json()[
        "description"
    ]

    architecture = job["architecture"]
    assert english == (f"Trained here on the dataset {job['dataset']} ({architecture}, 2 epochs).")
    # The dataset's id ends in a digit or a letter: after a digit read 영 삼 육 the particle is
    # 으로, after 일 이 사 오 칠 팔 구 it is 로; after a letter both forms stay.
    last = job["dataset"][-1]
    particle = "(으)로" if not last.isdigit() else "으로" if last in "036" else "로"
    assert korean == (
        f"이 앱에서 데이터셋 {job['dataset']}{particle} 학습한 모델입니다({architecture}, "
        "에포크 2개)."
    )
