"""The shipped models' answers, recorded so that later code can be held to them number for number.

``python -m tests.data.record_answers`` runs predict and activations (every layer, as numbers)
of each shipped model on a fixed set of inputs, through whatever ``app`` is importable, and
writes ``tests/data/shipped-answers.json``: per model and input, the SHA-256 of each answer's
numbers as JSON (probabilities, model_input, each layer's maps or values). It was run on commit
4f4d5c3, before models of any shape arrived (``PYTHONPATH=<a checkout of 4f4d5c3>``), and
``tests/api/test_shipped_answers.py`` checks today's answers against it. (When ``convlens train``
moved onto ``app.ml.fit.fit_stack``, the three models it trained again had the same weights bit
for bit, and this script, run again, wrote the same file.)
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
ANSWERS = HERE / "shipped-answers.json"
REPO = HERE.parent.parent
MODELS = ("lenet5", "mlp", "mnist-cnn")


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _jpeg(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def inputs() -> dict[str, bytes]:
    """The 20 MNIST test digits the app ships, and three hand-made pictures of other kinds."""
    files = {
        path.stem: path.read_bytes() for path in sorted((REPO / "static/digits").glob("*.png"))
    }
    canvas = np.full((280, 280), 255, dtype=np.uint8)  # a Draw-page "4": dark ink on white
    canvas[40:170, 70:95] = 0
    canvas[150:175, 70:210] = 0
    canvas[40:250, 180:205] = 0
    files["drawn-four"] = _png(canvas)
    rng = np.random.default_rng(3)  # a photo: grey paper with grain, a dark "7"
    photo = np.clip(rng.normal(180, 6, (120, 90, 3)), 0, 255).astype(np.uint8)
    photo[20:32, 15:75] = 40
    photo[30:105, 55:68] = 40
    files["photo-seven"] = _jpeg(photo)
    rgba = np.zeros((64, 64, 4), dtype=np.uint8)  # white strokes on a transparent canvas
    rgba[10:54, 28:36] = (255, 255, 255, 255)
    files["transparent-one"] = _png(rgba)
    return files


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()


def answers(client: Any) -> dict[str, dict[str, dict[str, Any]]]:
    recorded: dict[str, dict[str, dict[str, Any]]] = {}
    for model in MODELS:
        recorded[model] = {}
        for name, data in inputs().items():
            files = {"image": (f"{name}.png", data, "application/octet-stream")}
            predicted = client.post(f"/api/models/{model}/predict", files=files).json()
            shown = client.post(
                f"/api/models/{model}/activations", files=files, data={"format": "numbers"}
            ).json()
            recorded[model][name] = {
                "label": predicted["label"],
                "probabilities": _digest(predicted["probabilities"]),
                "model_input": _digest(predicted["model_input"]),
                "layers": {
                    layer["name"]: _digest(layer.get("maps") or layer.get("values"))
                    for layer in shown["layers"]
                },
            }
    return recorded


def main() -> None:
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ANSWERS)
    args = parser.parse_args()
    with TestClient(create_app(Settings())) as client:
        recorded = answers(client)
    args.out.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
    print(f"Wrote {sum(len(v) for v in recorded.values())} answers to {args.out}.")


if __name__ == "__main__":
    main()
