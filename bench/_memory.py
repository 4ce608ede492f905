"""The memory phase of ``models.py``: varied requests, and the server's RSS as they go."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import numpy as np
from _http import Connection, Request, build_request, form_request, run_load
from _server import Server
from _uploads import UInt8Array, canvas_png, photo_jpeg, plain_png

MODEL_ID = "lenet5"
FIELDS = {"invert": "auto", "crop": "true", "fit": "true", "center": "true"}
CLIENTS = 8


def get_json(connection: Connection, path: str) -> Any:
    status, body = connection.request(build_request("get", "GET", path, connection.port))
    if status != 200:
        raise SystemExit(f"GET {path}: {status} {body[:200]!r}")
    return json.loads(body)


def memory_pool(
    connection: Connection, models: list[str], digits: list[UInt8Array], count: int
) -> tuple[list[tuple[Request, int]], str]:
    """``count`` varied requests, each with the status it got when probed once; and a note."""
    port = connection.port
    images = [("drawing.png", canvas_png(d), "image/png") for d in digits] + [
        ("photo.jpg", photo_jpeg(digits[3], 3), "image/jpeg"),
        ("digit.png", plain_png(digits[5]), "image/png"),  # 28x28 grey: the libspng path
    ]
    good: list[Request] = []
    for model in models:
        base = f"/api/models/{model}"
        layers = get_json(connection, base)["layers"]
        for i, image in enumerate(images):
            good.append(form_request(f"predict {model}", f"{base}/predict", port, FIELDS, image))
            if i % 3 == 0:
                fields = {**FIELDS, "format": "png" if i % 2 else "numbers"}
                url = f"{base}/activations"
                good.append(form_request(f"activations {model}", url, port, fields, image))
        off = {"invert": "yes", "crop": "false", "fit": "false", "center": "false"}
        good.append(form_request(f"predict {model}", f"{base}/predict", port, off, images[1]))
        some = {**FIELDS, "layers": ",".join(layers[:2])}
        url = f"{base}/activations"
        good.append(form_request(f"activations {model}", url, port, some, images[2]))
    blank = ("blank.png", canvas_png(np.zeros((28, 28), np.uint8)), "image/png")
    text = ("notes.png", b"this is not a picture\n" * 20, "image/png")
    lenet = f"/api/models/{MODEL_ID}"
    bad = [
        ("unknown model", "/api/models/nope/predict", FIELDS, images[0]),
        ("not an image", f"{lenet}/predict", FIELDS, text),
        ("blank drawing", f"{lenet}/predict", FIELDS, blank),
        ("no image field", f"{lenet}/predict", FIELDS, None),
        ("bad option", f"{lenet}/predict", {"invert": "sideways"}, images[0]),
        ("unknown layer", f"{lenet}/activations", {"layers": "x"}, images[0]),
    ]
    bad_requests = [form_request(f"4xx {tag}", url, port, f, i) for tag, url, f, i in bad]
    probed: list[tuple[Request, int]] = []
    for request in good + bad_requests:
        status, body = connection.request(request)
        if (status == 200) == request.tag.startswith("4xx") or status >= 500:
            raise SystemExit(f"{request.tag}: got {status} {body[:300]!r}")
        probed.append((request, status))
    got = "; ".join(f"{r.tag[4:]} {s}" for r, s in probed if s != 200)
    note = f"{len(good)} kinds of good request, {len(bad)} bad ({got})"
    rng = random.Random(7)
    weights = [0.85 / len(good)] * len(good) + [0.15 / len(bad)] * len(bad)
    return rng.choices(probed, weights, k=count), note


def run_memory(
    server: Server, loop: asyncio.AbstractEventLoop, pool: list[tuple[Request, int]]
) -> tuple[dict[int, int], int]:
    """Server RSS in KiB after 0, 100, 1,000, 2,000 ... requests; and unexpected answers."""
    expected = {request.tag: status for request, status in pool}
    checkpoints = sorted({100, *range(1000, len(pool) + 1, 1000), len(pool)})
    rss = {0: server.rss_kib()}
    done = errors = 0
    for point in checkpoints:
        batch = iter([request for request, _ in pool[done:point]])
        results = run_load(loop, server.port, CLIENTS, batch, sample_every=10**9)
        errors += len(results.connection_errors)
        for tag, counts in results.statuses.items():
            errors += sum(n for status, n in counts.items() if status != expected[tag])
        rss[point] = server.rss_kib()
        done = point
    return rss, errors
