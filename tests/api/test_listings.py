"""GET /api/health, /api/kernels and /api/samples."""

from __future__ import annotations

import json

import numpy as np
from fastapi.testclient import TestClient

from app import __version__
from app.config import PROJECT_ROOT
from tests.api.imagefiles import decode

SAMPLES_DIR = PROJECT_ROOT / "static" / "samples"

PRESET_NAMES = [
    "identity",
    "box_blur",
    "gaussian_blur_3x3",
    "gaussian_blur_5x5",
    "sharpen",
    "brighten",
    "darken",
    "sobel_left",
    "sobel_right",
    "sobel_top",
    "sobel_bottom",
    "sobel_magnitude",
    "outline",
    "emboss",
    "horizontal_lines",
    "vertical_lines",
]


def test_health_says_ok_with_the_version_and_preset_count(client: TestClient) -> None:
    response = client.get("/api/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__, "kernel_presets": 16}


def test_kernels_lists_the_sixteen_presets_in_order(client: TestClient) -> None:
    response = client.get("/api/kernels")

    assert response.status_code == 200
    assert [preset["name"] for preset in response.json()] == PRESET_NAMES


def test_every_kernel_preset_has_a_label_a_square_matrix_and_an_explanation(
    client: TestClient,
) -> None:
    for preset in client.get("/api/kernels").json():
        assert set(preset) == {"name", "label", "matrix", "explanation", "combine", "matrix_y"}
        assert preset["label"].strip()
        assert preset["explanation"].endswith(".")
        matrix = np.array(preset["matrix"], dtype=float)
        assert matrix.ndim == 2 and matrix.shape[0] == matrix.shape[1] in (3, 5)


def test_kernel_presets_carry_the_textbook_matrices(client: TestClient) -> None:
    presets = {preset["name"]: preset for preset in client.get("/api/kernels").json()}

    assert presets["identity"]["matrix"] == [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    assert presets["sharpen"]["matrix"] == [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
    assert presets["sobel_left"]["matrix"] == [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
    assert presets["outline"]["matrix"] == [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]
    binomial = np.array([1, 4, 6, 4, 1])
    assert np.allclose(presets["gaussian_blur_5x5"]["matrix"], np.outer(binomial, binomial) / 256)
    assert np.allclose(presets["box_blur"]["matrix"], np.full((3, 3), 1 / 9))


def test_only_the_sobel_magnitude_preset_combines_two_gradients(client: TestClient) -> None:
    presets = {preset["name"]: preset for preset in client.get("/api/kernels").json()}

    magnitude = presets.pop("sobel_magnitude")
    assert magnitude["combine"] == "magnitude"
    assert magnitude["matrix"] == presets["sobel_right"]["matrix"]
    assert magnitude["matrix_y"] == presets["sobel_bottom"]["matrix"]
    assert {(p["combine"], p["matrix_y"]) for p in presets.values()} == {("single", None)}


def test_samples_lists_each_photo_of_samples_json_with_its_real_size_and_mode(
    client: TestClient,
) -> None:
    listed = json.loads((SAMPLES_DIR / "samples.json").read_text(encoding="utf-8"))

    response = client.get("/api/samples")

    assert response.status_code == 200
    samples = response.json()
    assert [s["name"] for s in samples] == [entry["name"] for entry in listed]
    for sample, entry in zip(samples, listed, strict=True):
        pixels = decode((SAMPLES_DIR / entry["file"]).read_bytes())
        assert sample["url"] == f"/static/samples/{entry['file']}"
        assert (sample["height"], sample["width"]) == pixels.shape[:2]
        assert sample["mode"] == ("L" if pixels.ndim == 2 else "RGB")
        assert sample["title"] == entry["title"]
        assert sample["licence"] == entry["licence"]


def test_each_sample_url_serves_the_photo(client: TestClient) -> None:
    for sample in client.get("/api/samples").json():
        response = client.get(sample["url"])

        assert response.status_code == 200
        assert decode(response.content).shape[:2] == (sample["height"], sample["width"])
