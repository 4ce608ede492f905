"""Explanations: the Grad-CAM request against a bare GradientTape, and every method's time.

1. **Grad-CAM on LeNet-5 through the server** (``convlens serve``, one keep-alive connection,
   the first MNIST test digit as a PNG, ``method=gradcam`` on the last convolution, numbers)
   against the same computation done bare in this process on the same 28x28 input (the
   ``model_input`` the server answered): the Keras model's feature maps and pre-softmax score
   under ``tf.GradientTape``, the gradient's spatial mean as weights, ReLU of the weighted sum.
   Bare twice: eager, as a notebook writes it, and inside one ``tf.function`` (traced once, the
   fastest the bare code gets). Interleaved rounds. Goal (issue 17): request <= 2x bare. The
   predict request on the same digit is timed beside them: the floor of any request (HTTP,
   multipart, decoding, preparing the digit, JSON) that no explanation can go below.
2. **Each method's request time** with its defaults, on LeNet-5 (a digit) and on a VGG16-size
   model (``keras.applications.VGG16`` without its top, 224x224x3, 14.7 M parameters, imported
   through ``POST /api/models``; a 224x224 crop of the astronaut photo). A method the server
   refuses for its work (occlusion's positions on a large input) shows the refusal.

Run: .venv/bin/python bench/explain.py [--rounds N] [--no-vgg]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import PROJECT_ROOT, Timing, machine_line, paired_ratio, print_table, time_interleaved
from _http import BOUNDARY, Connection, build_request, form_request, multipart_body
from _server import Server
from import_model import photo_png, vgg16_file

GOAL_RATIO = 2.0
METHODS = ("gradcam", "gradcam++", "saliency", "smoothgrad", "integrated_gradients", "occlusion")
DIGIT = PROJECT_ROOT / "static" / "digits" / "mnist-test-00000.png"


def explain_call(
    connection: Connection, port: int, model_id: str, image: bytes, method: str
) -> tuple[int, dict[str, Any]]:
    request = form_request(
        method,
        f"/api/models/{model_id}/explain",
        port,
        {"method": method, "format": "numbers"},
        ("image.png", image, "image/png"),
    )
    status, body = connection.request(request)
    return status, json.loads(body)


def bare_gradcam(
    model_path: Path, layer: str, model_input: np.ndarray
) -> tuple[Any, Any, np.ndarray]:
    """Eager and traced Grad-CAM of ``model_input`` for its predicted class on ``layer`` (the
    layer the server chose: the last with feature maps); and the map."""
    import keras
    import tensorflow as tf

    model = keras.saving.load_model(model_path, compile=False)
    conv = model.get_layer(layer)
    head = model.layers[-1]
    twin = keras.Model(model.input, [conv.output, head.input])
    batch = tf.constant(model_input[np.newaxis])
    class_index = int(np.argmax(model.predict(batch, verbose=0)[0]))

    def gradcam(x: Any) -> Any:
        with tf.GradientTape() as tape:
            maps, hidden = twin(x, training=False)
            score = (tf.matmul(hidden, head.kernel) + head.bias)[0, class_index]
        weights = tf.reduce_mean(tape.gradient(score, maps), axis=(1, 2))
        return tf.nn.relu(tf.einsum("bhwk,bk->bhw", maps, weights))[0]

    traced = tf.function(gradcam)

    def eager() -> Any:
        return gradcam(batch).numpy()

    def graph() -> Any:
        return traced(batch).numpy()

    return eager, graph, graph()


def gradcam_figures(server: Server, rounds: int) -> tuple[dict[str, Timing], float]:
    digit = DIGIT.read_bytes()
    connection = Connection(server.port)
    status, answer = explain_call(connection, server.port, "lenet5", digit, "gradcam")
    assert status == 200, answer
    model_input = np.asarray(answer["model_input"], dtype=np.float32)
    layer = answer["details"]["layer"]
    eager, graph, reference = bare_gradcam(
        PROJECT_ROOT / "models" / "lenet5.keras", layer, model_input
    )
    difference = float(np.max(np.abs(np.asarray(answer["map"]["values"]) - reference)))

    def request() -> None:
        status, _ = explain_call(connection, server.port, "lenet5", digit, "gradcam")
        assert status == 200

    predict_request = form_request(
        "predict", "/api/models/lenet5/predict", server.port, {}, ("d.png", digit, "image/png")
    )

    def predict() -> None:
        status, _ = connection.request(predict_request)
        assert status == 200

    timings = time_interleaved(
        {
            "request (HTTP)": request,
            "bare, eager": eager,
            "bare, tf.function": graph,
            "predict request (HTTP), for scale": predict,
        },
        rounds,
    )
    connection.close()
    return timings, difference


def import_vgg(server: Server, folder: Path) -> str:
    path = vgg16_file(folder)
    body = multipart_body(
        {"name": "VGG16", "scale": "caffe", "fit": "crop"},
        {"file": ("vgg16.keras", path.read_bytes(), "application/octet-stream")},
    )
    connection = Connection(server.port)
    request = build_request(
        "import",
        "POST",
        "/api/models",
        server.port,
        body,
        f"multipart/form-data; boundary={BOUNDARY}",
    )
    status, answer = connection.request(request)
    connection.close()
    if status != 201:
        raise SystemExit(f"The VGG16-size model was refused ({status}): {answer[:300]!r}")
    return str(json.loads(answer)["id"])


def method_times(
    server: Server, model_id: str, image: bytes, rounds: int
) -> list[tuple[str, str, str]]:
    """(method, best / median ms, note) for each method; the first call (tracing) apart."""
    connection = Connection(server.port)
    rows = []
    for method in METHODS:
        start = time.perf_counter()
        status, answer = explain_call(connection, server.port, model_id, image, method)
        first_ms = (time.perf_counter() - start) * 1000
        if status != 200:
            rows.append((method, "-", f"{status}: {str(answer.get('detail'))[:90]}"))
            continue
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            status, _ = explain_call(connection, server.port, model_id, image, method)
            samples.append((time.perf_counter() - start) * 1000)
            assert status == 200
        rows.append(
            (
                method,
                f"{min(samples):.1f} / {statistics.median(samples):.1f}",
                f"first call {first_ms:.0f} ms",
            )
        )
    connection.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="Rounds on LeNet-5 (default 30).")
    parser.add_argument("--vgg-rounds", type=int, default=3, help="Rounds on VGG16 (default 3).")
    parser.add_argument("--no-vgg", action="store_true", help="Skip the VGG16-size model.")
    args = parser.parse_args()
    print(machine_line())
    with tempfile.TemporaryDirectory(prefix="convlens-bench-") as scratch:
        server = Server(workers=1)
        try:
            print(f"Server up in {server.wait_ready():.1f} s.")
            timings, difference = gradcam_figures(server, args.rounds)
            print(f"\n1. Grad-CAM on LeNet-5, {args.rounds} interleaved rounds (ms, best / median)")
            print(f"   the request's map vs the bare one: max difference {difference:.2e}")
            request = timings["request (HTTP)"]
            rows = [[name, timing.cell(), ""] for name, timing in timings.items()]
            rows[3][2] = f"explain / predict {paired_ratio(request, timings[rows[3][0]]):.2f}x"
            for name in ("bare, eager", "bare, tf.function"):
                ratio = paired_ratio(request, timings[name])
                rows[0][2] += f"{ratio:.2f}x {name.split(', ')[1]}  "
            print_table(["contender", "ms", "request / bare"], rows)
            strict = paired_ratio(request, timings["bare, tf.function"])
            verdict = "met" if strict <= GOAL_RATIO else "MISSED"
            print(f"   goal: request <= {GOAL_RATIO}x bare (traced): {strict:.2f}x, {verdict}")

            print("\n2. Each method's request, defaults (10 rounds on LeNet-5)")
            rows = [list(row) for row in method_times(server, "lenet5", DIGIT.read_bytes(), 10)]
            print_table(["method", "ms (best / median)", "note"], rows)
            if not args.no_vgg:
                vgg = import_vgg(server, Path(scratch))
                print(f"\n   on the VGG16-size model ({args.vgg_rounds} rounds, 224x224 photo)")
                vgg_rows = method_times(server, vgg, photo_png(0), args.vgg_rounds)
                print_table(["method", "ms (best / median)", "note"], [list(r) for r in vgg_rows])
        finally:
            server.stop()


if __name__ == "__main__":
    main()
