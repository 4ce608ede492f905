"""Shared fixtures: the real app, built by ``create_app`` and entered so its lifespan runs."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

# Large enough for every sample photo (the biggest is 791 KB and 640x427), small enough that the
# caps are cheap to reach in a test.
UPLOAD_CAP_BYTES = 2 * 1024 * 1024
IMAGE_CAP_PIXELS = 1024 * 1024

# A second app with tiny caps, for the 413 paths.
SMALL_UPLOAD_CAP_BYTES = 16 * 1024
SMALL_IMAGE_CAP_PIXELS = 100 * 100


def pytest_configure(config: pytest.Config) -> None:
    # Every Settings() the tests make keeps imported models in a fresh folder, never in the
    # repository's data/ (where `make run` keeps a user's own imports).
    os.environ["CONVLENS_DATA_DIR"] = tempfile.mkdtemp(prefix="convlens-test-data-")


def make_client(settings: Settings) -> TestClient:
    # raise_server_exceptions=False: a bug must show up as the 500 a user would get, so that
    # tests assert on status codes instead of crashing with the app's traceback.
    return TestClient(create_app(settings), raise_server_exceptions=False)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's data folder: imported models live here, never in the repository's."""
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def settings(data_dir: Path) -> Settings:
    # The session's tests are many users from one address: one client's cap of jobs would
    # refuse them (it has a test of its own).
    return Settings(
        max_upload_bytes=UPLOAD_CAP_BYTES,
        max_image_pixels=IMAGE_CAP_PIXELS,
        data_dir=data_dir,
        max_jobs_per_client=100,
    )


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient]:
    with make_client(settings) as test_client:
        yield test_client


@pytest.fixture
def web(client: TestClient) -> Iterator[TestClient]:
    """The shared client with no language cookie before or after (a ?lang= sets one): the
    language comes from each request's own headers."""
    client.cookies.clear()
    yield client
    client.cookies.clear()


@pytest.fixture(scope="session")
def small_caps_client() -> Iterator[TestClient]:
    settings = Settings(
        max_upload_bytes=SMALL_UPLOAD_CAP_BYTES, max_image_pixels=SMALL_IMAGE_CAP_PIXELS
    )
    with make_client(settings) as test_client:
        yield test_client
