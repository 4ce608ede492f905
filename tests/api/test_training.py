"""POST /api/training and /api/jobs: a tiny dataset trained through the embedded queue."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.config import Settings
from app.jobs.training import snapshot_file
from tests.conftest import make_client
from tests.datasets_files import COLOURS, SHAPES, shape_image, zip_bytes

# Polling stops after this long: a bound on a broken test, never a timing assertion.
WAIT_SECONDS = 240


def tiny_shapes(per_class: int = 20) -> bytes:
    """3 classes of coloured shapes, 16x16, as a .zip of class folders."""
    files = {
        f"{shape}/{n:02d}.png": shape_image(shape, (16, 16), COLOURS[n % len(COLOURS)])
        for shape in SHAPES
        for n in range(per_class)
    }
    return zip_bytes(files)


def upload_shapes(client: TestClient) -> dict[str, Any]:
    """The tiny shapes set, uploaded: the dataset's answer."""
    response = client.post(
        "/api/datasets",
        files={"file": ("shapes.zip", tiny_shapes(), "application/zip")},
        data={"image_size": "16"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("training-data")


@pytest.fixture(scope="module")
def client(data_dir: Path) -> Iterator[TestClient]:
    with make_client(Settings(data_dir=data_dir)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def dataset(client: TestClient) -> dict[str, Any]:
    return upload_shapes(client)


def start(client: TestClient, dataset: dict[str, Any], **fields: Any) -> dict[str, Any]:
    response = client.post(
        "/api/training", json={"dataset": dataset["id"], "architecture": "lenet5", **fields}
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def wait_for(client: TestClient, job_id: str, *states: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in states:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never reached {states}: {job}")


def test_a_job_trains_a_model_that_is_listed_as_trained_and_predicts(
    client: TestClient, dataset: dict[str, Any], data_dir: Path
) -> None:
    created = start(client, dataset, epochs=2, batch_size=8, name="tiny shapes")
    assert created["status"]["state"] == "queued"
    assert created["status"]["classes"] == ["circle", "square", "triangle"]
    assert created["status"]["image_shape"] == [16, 16, 3]

    job = wait_for(client, created["id"], "done", "failed", "cancelled")

    assert job["state"] == "done", job["reason"]
    assert [epoch["epoch"] for epoch in job["history"]] == [1, 2]
    assert all(0 <= epoch["val_accuracy"] <= 1 for epoch in job["history"])
    assert job["progress"]["fraction"] == 1
    assert job["filter_layer"] == "conv1"
    assert job["filter_epochs"] == [0, 1, 2]
    assert snapshot_file(data_dir, job["id"], 2).is_file()
    listed = {model["id"]: model for model in client.get("/api/models").json()}
    model = listed[job["model"]]
    assert model["origin"] == "trained"
    assert model["classes"] == ["circle", "square", "triangle"]
    picture = io.BytesIO()
    Image.open(io.BytesIO(shape_image("square", (40, 40), COLOURS[0]))).save(picture, "PNG")
    response = client.post(
        f"/api/models/{job['model']}/predict",
        files={"image": ("square.png", picture.getvalue(), "image/png")},
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["probabilities"]) == 3


def test_the_event_stream_sends_progress_then_the_end(
    client: TestClient, dataset: dict[str, Any]
) -> None:
    created = start(client, dataset, epochs=2, batch_size=1)

    with client.stream("GET", f"/api/jobs/{created['id']}/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _parse_events(response.iter_lines())

    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "end" and set(kinds[:-1]) == {"progress"}
    assert events[-1][1]["state"] == "done"
    assert len(events[-1][1]["history"]) == 2
    versions = [job["version"] for _, job in events]
    assert versions == sorted(set(versions)), "each event is a new state of the job"


def test_a_cancelled_job_stops_before_its_epochs_are_done(
    client: TestClient, dataset: dict[str, Any]
) -> None:
    created = start(client, dataset, epochs=50, batch_size=1)
    job_id, token = created["id"], created["cancel_token"]
    deadline = time.monotonic() + WAIT_SECONDS
    while not client.get(f"/api/jobs/{job_id}").json()["history"]:
        assert time.monotonic() < deadline, "the job never finished an epoch"
        time.sleep(0.05)

    refused = client.delete(f"/api/jobs/{job_id}", headers={"Authorization": "Bearer wrong"})
    response = client.delete(f"/api/jobs/{job_id}", headers={"Authorization": f"Bearer {token}"})

    assert refused.status_code == 403
    assert response.status_code == 202, response.text
    job = wait_for(client, job_id, "cancelled", "done", "failed")
    assert job["state"] == "cancelled"
    assert 1 <= len(job["history"]) < 50
    assert job["model"] is None
    again = client.delete(f"/api/jobs/{job_id}", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 409
    assert "already cancelled" in again.json()["detail"]


def test_a_full_queue_answers_429_with_retry_after(tmp_path: Path) -> None:
    """One job running, one waiting, and the queue holds one: the next is refused at once."""
    with make_client(Settings(data_dir=tmp_path, max_queued_jobs=1)) as small:
        dataset = upload_shapes(small)
        running = start(small, dataset, epochs=50, batch_size=1)
        wait_for(small, running["id"], "running")
        waiting = start(small, dataset, epochs=50, batch_size=1)

        refused = small.post(
            "/api/training", json={"dataset": dataset["id"], "architecture": "mlp"}
        )

        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "60"
        assert refused.json()["detail"].startswith(
            "The job queue is full: it holds 1 waiting job (setting CONVLENS_MAX_QUEUED_JOBS)."
        )
        for job in (waiting, running):
            bearer = {"Authorization": f"Bearer {job['cancel_token']}"}
            assert small.delete(f"/api/jobs/{job['id']}", headers=bearer).status_code == 202
        wait_for(small, running["id"], "cancelled")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("epochs", 0),
        ("epochs", 51),
        ("batch_size", 0),
        ("learning_rate", 0),
        ("learning_rate", 2),
        ("optimizer", "adagrad"),
        ("validation_split", 0.9),
        ("seed", -1),
        ("architecture", "resnet50"),
        ("name", ""),
    ],
)
def test_values_out_of_bounds_are_refused_naming_the_field(
    client: TestClient, dataset: dict[str, Any], field: str, value: object
) -> None:
    body = {"dataset": dataset["id"], "architecture": "lenet5", field: value}

    response = client.post("/api/training", json=body)

    assert response.status_code == 422
    assert response.json()["detail"].startswith("The request does not match")
    assert field in response.json()["detail"]


def test_flips_without_augment_are_refused(client: TestClient, dataset: dict[str, Any]) -> None:
    body = {"dataset": dataset["id"], "architecture": "mlp", "flips": True}

    response = client.post("/api/training", json=body)

    assert response.status_code == 422
    assert "set augment to true" in response.json()["detail"]


def test_an_unknown_dataset_is_refused_before_queueing(client: TestClient) -> None:
    response = client.post("/api/training", json={"dataset": "nope", "architecture": "mlp"})

    assert response.status_code == 422
    assert response.json()["detail"].startswith("dataset: There is no dataset 'nope'")


def test_a_stack_the_engine_refuses_is_refused_before_queueing(
    client: TestClient, dataset: dict[str, Any]
) -> None:
    stack = [
        {"type": "Conv2D", "filters": 4, "kernel_size": 20, "name": "big"},
        {"type": "Flatten"},
        {"type": "Dense", "units": 7, "activation": "softmax"},
    ]

    response = client.post("/api/training", json={"dataset": dataset["id"], "architecture": stack})

    assert response.status_code == 422
    assert "big" in response.json()["detail"]
    assert "id" not in response.json()


def test_a_stack_that_does_not_end_in_dense_is_refused(
    client: TestClient, dataset: dict[str, Any]
) -> None:
    stack = [{"type": "Conv2D", "filters": 4, "kernel_size": 3}, {"type": "Flatten"}]

    response = client.post("/api/training", json={"dataset": dataset["id"], "architecture": stack})

    assert response.status_code == 422
    assert response.json()["detail"].startswith("The stack ends in Flatten")


def test_an_unknown_job_is_404(client: TestClient) -> None:
    response = client.get("/api/jobs/0123456789abcdef")

    assert response.status_code == 404
    assert "no job" in response.json()["detail"]


def _parse_events(lines: Iterator[str]) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    kind = ""
    for line in lines:
        if line.startswith("event:"):
            kind = line.partition(":")[2].strip()
        elif line.startswith("data:"):
            events.append((kind, json.loads(line.partition(":")[2])))
    return events


def test_the_recipes_are_listed_with_the_layers_training_builds(client: TestClient) -> None:
    recipes = {recipe["name"]: recipe for recipe in client.get("/api/training/recipes").json()}

    assert set(recipes) == {"lenet5", "mnist-cnn", "mlp", "small-vgg"}
    lenet = recipes["lenet5"]
    assert lenet["input_shape"] == [28, 28, 1]
    assert [layer.get("activation") for layer in lenet["layers"] if layer["type"] == "Conv2D"] == [
        "swish",
        "swish",
    ]
    # small-vgg is the shipped colour model's network: the same layers, in the same order.
    shipped = client.get("/api/models/colour-shapes").json()
    vgg = recipes["small-vgg"]
    assert vgg["input_shape"] == shipped["input_shape"]
    assert [(layer["name"], layer["type"]) for layer in vgg["layers"]] == [
        (row["name"], row["type"]) for row in shipped["summary"]
    ]
