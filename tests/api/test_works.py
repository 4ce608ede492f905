"""DeepDream as a job: POST /api/models/{id}/deepdream, then /api/works/{id}, through the
embedded queue and the shipped colour model."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.config import Settings
from app.core.model_input import photo_pixels
from app.ml.deepdream import deepdream, plan_deepdream
from tests.conftest import make_client

pytestmark = pytest.mark.keras

PHOTO = Path("static/samples/chelsea.png")
SMALL = {"octaves": "2", "steps": "3", "side": "48", "layers": "block1_conv2"}
WAIT_SECONDS = 240


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("works")


@pytest.fixture(scope="module")
def client(data_dir: Path) -> Iterator[TestClient]:
    with make_client(Settings(data_dir=data_dir, max_jobs_per_client=100)) as test_client:
        yield test_client


def dream(client: TestClient, model: str = "colour-shapes", **fields: str) -> Any:
    return client.post(
        f"/api/models/{model}/deepdream",
        files={"image": (PHOTO.name, PHOTO.read_bytes(), "image/png")},
        data=fields,
    )


def wait_for(client: TestClient, work_id: str, *states: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        work: dict[str, Any] = client.get(f"/api/works/{work_id}").json()
        if work["state"] in states:
            return work
        time.sleep(0.1)
    raise AssertionError(f"work {work_id} never reached {states}: {work}")


def test_a_dream_is_a_job_whose_picture_is_what_deepdream_makes_of_the_photo(
    client: TestClient,
) -> None:
    created = dream(client, **SMALL)

    assert created.status_code == 202, created.text
    body = created.json()
    assert body["cancel_token"] and body["url"] == f"/api/works/{body['id']}"
    assert body["options"]["layers"] == ["block1_conv2"] and body["options"]["octaves"] == 2
    work = wait_for(client, body["id"], "done", "failed", "cancelled")
    assert work["state"] == "done", work["reason"]
    result = work["result"]
    picture = client.get(result["image"])
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    served = np.asarray(Image.open(io.BytesIO(picture.content)))
    assert (
        served.shape == (result["height"], result["width"], 3) == (32, 48, 3)
    )  # chelsea.png is 451x300
    assert result["objective"] > result["start_objective"]
    assert client.get(work["answer"]).json() == result

    loaded = client.app_state["registry"].get_model("colour-shapes")
    photo = photo_pixels(np.asarray(Image.open(PHOTO).convert("RGB")), 3, 48)
    plan = plan_deepdream(loaded, photo.shape[:2], ("block1_conv2",), octaves=2, steps=3, side=48)
    here = deepdream(loaded, photo, plan)
    assert np.abs(served.astype(int) - here.picture.astype(int)).max() <= 1


def test_the_same_dream_asked_again_is_the_same_work_and_is_not_made_twice(
    client: TestClient,
) -> None:
    first = dream(client, **SMALL)
    wait_for(client, first.json()["id"], "done")

    again = dream(client, **SMALL)
    other_seed = dream(client, **{**SMALL, "seed": "5"})

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["cancel_token"] is None
    assert again.json()["state"] == "done" and again.json()["version"] == first_version(
        client, first.json()["id"]
    )
    assert other_seed.status_code == 202 and other_seed.json()["id"] != first.json()["id"]
    wait_for(client, other_seed.json()["id"], "done", "failed")


def first_version(client: TestClient, work_id: str) -> int:
    version: int = client.get(f"/api/works/{work_id}").json()["version"]
    return version


def test_a_running_dream_can_be_cancelled_with_its_token_only(client: TestClient) -> None:
    created = dream(client, octaves="4", steps="100", side="256", seed="77").json()
    wait_for(client, created["id"], "running")

    refused = client.delete(f"/api/works/{created['id']}", headers={"Authorization": "Bearer no"})
    bearer = {"Authorization": f"Bearer {created['cancel_token']}"}
    cancelled = client.delete(f"/api/works/{created['id']}", headers=bearer)

    assert refused.status_code == 403
    assert cancelled.status_code == 202, cancelled.text
    work = wait_for(client, created["id"], "cancelled", "done", "failed")
    assert work["state"] == "cancelled"
    picture = client.get(f"/api/works/{created['id']}/dream.png")
    assert picture.status_code == 404 and "is cancelled" in picture.json()["detail"]


def test_the_events_stream_ends_with_the_done_work(client: TestClient) -> None:
    created = dream(client, **{**SMALL, "seed": "11"}).json()

    with client.stream("GET", f"/api/works/{created['id']}/events") as response:
        lines = [line for line in response.iter_lines() if line.startswith("event:")]

    assert lines[-1] == "event: end" and set(lines[:-1]) <= {"event: progress"}
    assert client.get(f"/api/works/{created['id']}").json()["state"] == "done"


@pytest.mark.parametrize(
    ("model", "fields", "words"),
    [
        ("lenet5", {}, "DeepDream changes a photo; model 'lenet5' reads digits"),
        ("colour-shapes", {"layers": "nope"}, "'nope' is not one"),
        ("colour-shapes", {"octaves": "9"}, "octaves"),
    ],
)
def test_a_dream_that_cannot_be_made_is_refused_before_queueing(
    client: TestClient, model: str, fields: dict[str, str], words: str
) -> None:
    response = dream(client, model, **fields)

    assert response.status_code == 422
    assert words in response.json()["detail"]


def test_a_dream_over_the_work_cap_is_refused_naming_its_work(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ml import deepdream as module

    monkeypatch.setattr(module, "MAX_WORK_VALUES", 1_000_000)
    response = dream(client, steps="50", octaves="3", side="128")

    assert response.status_code == 422
    assert (
        "over 3 octaves, 50 steps each); one dream computes at most 1,000,000"
        in (response.json()["detail"])
    )


def test_an_unknown_work_is_404(client: TestClient) -> None:
    response = client.get("/api/works/0123456789abcdef01234567")

    assert response.status_code == 404
    assert "There is no work" in response.json()["detail"]


@pytest.fixture(scope="module")
def long_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Every explanation, patterns and dreams request is long here: each runs as a job."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("long"), job_work_values=0, max_jobs_per_client=100
    )
    with make_client(settings) as test_client:
        yield test_client


DIGIT = Path("static/digits/mnist-test-00000.png")


def answered_as_work(long_client: TestClient, response: Any) -> Any:
    assert response.status_code == 202, response.text
    work = response.json()
    assert response.headers["location"] == work["url"] == f"/api/works/{work['id']}"
    done = wait_for(long_client, work["id"], "done", "failed", "cancelled")
    assert done["state"] == "done", done["reason"]
    answer = long_client.get(done["answer"])
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    return answer.json()


def test_a_long_explanation_is_a_job_whose_answer_is_the_requests_answer(
    long_client: TestClient, client: TestClient
) -> None:
    def explain(on: TestClient) -> Any:
        return on.post(
            "/api/models/lenet5/explain",
            files={"image": ("seven.png", DIGIT.read_bytes(), "image/png")},
            data={"method": "smoothgrad", "samples": "4", "seed": "3"},
        )

    from_job = answered_as_work(long_client, explain(long_client))
    at_once = explain(client)

    assert at_once.status_code == 200, at_once.text
    expected = at_once.json()
    assert from_job["label"] == expected["label"] and from_job["method"] == "smoothgrad"
    np.testing.assert_allclose(from_job["map"]["values"], expected["map"]["values"], atol=1e-5)
    again = explain(long_client)
    assert again.status_code == 200 and again.json()["state"] == "done"


def test_long_patterns_and_dreams_are_jobs_answering_as_the_requests_would(
    long_client: TestClient, client: TestClient
) -> None:
    patterns = {"layer": "conv1", "units": "0-1", "steps": "8"}
    from_job = answered_as_work(
        long_client, long_client.get("/api/models/lenet5/patterns", params=patterns)
    )
    at_once = client.get("/api/models/lenet5/patterns", params=patterns).json()
    assert [p["image"] for p in from_job["patterns"]] == [p["image"] for p in at_once["patterns"]]

    fields = {"classes": "1", "steps": "4"}
    image = {"image": ("seven.png", DIGIT.read_bytes(), "image/png")}
    dreamt = answered_as_work(
        long_client, long_client.post("/api/models/lenet5/dreams", files=image, data=fields)
    )
    direct = client.post("/api/models/lenet5/dreams", files=image, data=fields).json()
    assert dreamt["dreams"][0]["image"] == direct["dreams"][0]["image"]
    assert dreamt["model_input"] == direct["model_input"]
