"""Models imported into the served app for one test, with POST /api/models, and deleted after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import APIRequestContext

from tests.keras_files import saved


@contextmanager
def imported_model(
    request: APIRequestContext, model: Any, folder: Path, **fields: str
) -> Iterator[dict[str, Any]]:
    """``model`` (a keras.Model) saved as .keras, uploaded, and deleted with its token after."""
    path = saved(model, folder, ".keras")
    response = request.post(
        "/api/models",
        multipart={
            "file": {
                "name": path.name,
                "mimeType": "application/octet-stream",
                "buffer": path.read_bytes(),
            },
            "name": fields.pop("name", model.name),
            **fields,
        },
        timeout=120_000,
    )
    assert response.status == 201, response.text()
    answer: dict[str, Any] = response.json()
    try:
        yield answer
    finally:
        request.delete(
            f"/api/models/{answer['id']}",
            headers={"Authorization": f"Bearer {answer['delete_token']}"},
        )
