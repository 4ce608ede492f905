"""Scaled out: a real redis-server, two ``convlens worker`` processes, the app as a client only."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.jobs import records
from tests.api.test_training import WAIT_SECONDS, start, upload_shapes, wait_for
from tests.conftest import make_client

REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None,
    reason="redis-server is not installed (Debian: apt-get install redis-server; `make test` "
    "installs it when run as root)",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert REDIS_SERVER is not None
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shared-data")


def start_worker(data_dir: Path, redis_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CONVLENS_DATA_DIR": str(data_dir),
        "CONVLENS_QUEUE_URL": redis_url,
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    return subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], env=env)


@pytest.fixture(scope="module")
def workers(data_dir: Path, redis_url: str) -> Iterator[list[subprocess.Popen[bytes]]]:
    started = [start_worker(data_dir, redis_url) for _ in range(2)]
    try:
        yield started
    finally:
        for worker in started:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in started:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


@pytest.fixture(scope="module")
def client(
    data_dir: Path, redis_url: str, workers: list[subprocess.Popen[bytes]]
) -> Iterator[TestClient]:
    with make_client(Settings(data_dir=data_dir, queue_url=redis_url)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def dataset(client: TestClient) -> dict[str, Any]:
    return upload_shapes(client)


def test_jobs_queued_in_redis_are_trained_by_the_workers(
    client: TestClient, dataset: dict[str, Any]
) -> None:
    created = [start(client, dataset, epochs=1, architecture="mlp") for _ in range(2)]

    finished = [wait_for(client, job["id"], "done", "failed", "cancelled") for job in created]

    assert [job["state"] for job in finished] == ["done", "done"]
    assert all(job["worker"] for job in finished)
    listed = {model["id"]: model for model in client.get("/api/models").json()}
    assert {listed[job["model"]]["origin"] for job in finished} == {"trained"}


def test_a_job_whose_worker_is_killed_ends_failed_with_the_reason(
    client: TestClient,
    dataset: dict[str, Any],
    workers: list[subprocess.Popen[bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(records, "STALE_SECONDS", 6.0)  # the app's reading of the heartbeat
    created = start(client, dataset, epochs=50, batch_size=1)
    deadline = time.monotonic() + WAIT_SECONDS
    while not (job := client.get(f"/api/jobs/{created['id']}").json())["history"]:
        assert time.monotonic() < deadline, "the job never finished an epoch"
        time.sleep(0.05)
    pid = int(job["worker"].rpartition(":")[2])
    killed = next(worker for worker in workers if worker.pid == pid)

    killed.kill()
    killed.wait()

    job = wait_for(client, created["id"], "failed", "done", "cancelled")
    assert job["state"] == "failed"
    assert job["reason"].startswith("The worker that was training it stopped answering")
    assert 1 <= len(job["history"]) < 50
