"""Every way into the model endpoints goes through their dependencies: an override holds for all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.api.deps import get_registry
from app.config import Settings
from tests.api.test_models import drawing
from tests.conftest import make_client


async def refuse() -> None:
    raise HTTPException(401, "Sign in first.")


@pytest.fixture(scope="module")
def refusing_client() -> Iterator[TestClient]:
    test_client = make_client(Settings())
    test_client.app.dependency_overrides[get_registry] = refuse  # type: ignore[attr-defined]
    with test_client:
        yield test_client


IMAGE = ("d.png", drawing(3), "image/png")
# What browsers, curl and programs send: a form with the file (with and without the switches),
# a file sent with a generic type, a url-encoded form, JSON, plain text, and no body at all.
BODIES = {
    "multipart": {"files": {"image": IMAGE}},
    "multipart with switches": {"files": {"image": IMAGE}, "data": {"crop": "false"}},
    "multipart octet-stream": {"files": {"image": ("d", drawing(3), "application/octet-stream")}},
    "url-encoded": {"data": {"image": "x"}},
    "json": {"json": {"image": "x"}},
    "text": {"content": b"x", "headers": {"content-type": "text/plain"}},
    "none": {},
}


@pytest.mark.parametrize("endpoint", ["predict", "activations"])
@pytest.mark.parametrize("body", BODIES)
def test_a_dependency_that_refuses_refuses_every_model_request(
    refusing_client: TestClient, endpoint: str, body: str
) -> None:
    response = refusing_client.post(f"/api/models/lenet5/{endpoint}", **BODIES[body])  # type: ignore[arg-type]

    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in first."}


def test_a_dependency_that_refuses_refuses_the_live_socket(refusing_client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect), refusing_client.websocket_connect("/api/live"):
        pass
