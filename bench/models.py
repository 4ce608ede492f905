"""POST /api/models/lenet5/predict and /activations over HTTP against a bare ``model.predict``.

The real server (``convlens serve --workers N``, as users start it; ``--launcher uvicorn`` runs
``python -m uvicorn`` with ``--app`` and ``--http`` instead) runs in a subprocess on 127.0.0.1;
this process is the client and also times the model itself. The upload
is what the Draw page sends: a 280x280 RGBA PNG of ink #111111 on white (``canvas.toDataURL``),
here an MNIST test digit scaled 10x with anti-aliased strokes about 20 pixels wide.

1. Memory: server RSS (with several workers, the workers' sum) after the first 100 mixed
   requests and after 5,000: every model, predict and activations in both formats, drawings,
   a photo and a 28x28 file, and requests that get 4xx; 8 clients. The server's log is then
   searched for TensorFlow's retracing warning.
2. Latency: one client on one keep-alive connection, in interleaved rounds; each round sends 5
   of each request and calls ``model.predict`` (Keras, this process, one image), ``model(x)``
   and the registry's runner, so a burst of load hits all of them alike.
3. Throughput: 8 clients on keep-alive connections for ``--seconds`` each, after 1 s of
   warm-up; every status is checked and a sample of the bodies parsed as JSON. The CPU time of
   the server, of this process (the client) and of the rest of the machine is measured.

Goals (from the issue): predict p50 <= 1/4 of ``model.predict``; activations p50 < 2x predict
p50; >= 500 predictions/s with 8 clients; RSS after 5,000 within 10% of RSS after 100.
Run: .venv/bin/python bench/models.py [--workers N] [--launcher convlens|uvicorn] [--help]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import PROJECT_ROOT, machine_line, print_table
from _http import (
    Connection,
    Request,
    Results,
    build_request,
    for_duration,
    form_request,
    new_event_loop,
    run_load,
)
from _memory import CLIENTS, FIELDS, MODEL_ID, get_json, memory_pool, run_memory
from _server import DEFAULT_APP, CpuMeter, CpuUse, Server, busy_processes
from _uploads import CANVAS, canvas_png, load_digits

MEMORY_MODELS = ("lenet5", "mnist-cnn", "mlp")
GOAL_LATENCY, GOAL_ACTIVATIONS, GOAL_RPS, GOAL_MEMORY = 0.25, 2.0, 500.0, 0.10
HTTP_REPS = 5
CPU_REQUESTS = 200  # per kind, one after another, to measure the server's CPU time per request
KERAS_PREDICT = "model.predict(x), Keras, this process"


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def load_line() -> str:
    return "load average {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


# --- 2. Latency --------------------------------------------------------------------------------
def time_rounds(
    contenders: dict[str, tuple[Callable[[], object], int]], rounds: int, warmup: int = 3
) -> dict[str, list[list[float]]]:
    """Per contender and round, the ms of each of its ``reps`` calls; the order rotates."""
    for run, reps in contenders.values():
        for _ in range(warmup * reps):
            run()
    names = list(contenders)
    samples: dict[str, list[list[float]]] = {name: [] for name in names}
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            run, reps = contenders[name]
            this_round = []
            for _ in range(reps):
                start = time.perf_counter()
                run()
                this_round.append((time.perf_counter() - start) * 1000.0)
            samples[name].append(this_round)
    return samples


def paired(numerator: list[list[float]], denominator: list[list[float]]) -> float:
    """Median over rounds of (this round's median / that round's median)."""
    return statistics.median(
        statistics.median(a) / statistics.median(b)
        for a, b in zip(numerator, denominator, strict=True)
    )


def sender(connection: Connection, request: Request) -> Callable[[], object]:
    def send() -> object:
        status, body = connection.request(request)
        if status != 200:
            raise SystemExit(f"{request.tag}: {status} {body[:300]!r}")
        return status

    return send


# --- 3. Throughput -----------------------------------------------------------------------------
def bad_bodies(results: Results, check: Callable[[Any], bool]) -> int:
    """How many of the sampled bodies are not JSON that ``check`` accepts."""
    bad = 0
    for bodies in results.bodies.values():
        for _, body in bodies:
            try:
                bad += not check(json.loads(body))
            except ValueError:
                bad += 1
    return bad


def cpu_cells(use: CpuUse, requests: int) -> list[str]:
    return [
        f"{use.cores(use.server_s):.2f}",
        f"{use.server_s / requests * 1000:.2f}",
        f"{use.cores(use.client_s):.2f} ({use.client_s / requests * 1e6:.0f} us/req)",
        f"{use.cores(use.others_s):.2f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument(
        "--launcher",
        default="convlens",
        choices=["convlens", "uvicorn"],
        help="convlens: `convlens serve`, as users start it (default); uvicorn: `python -m "
        "uvicorn` with --app and --http, to compare variants",
    )
    parser.add_argument("--http", default="auto", choices=["auto", "h11", "httptools"])
    parser.add_argument(
        "--app",
        default=DEFAULT_APP,
        help="with --launcher uvicorn: the ASGI app, module:attribute (a variant to compare; "
        "put its folder on PYTHONPATH)",
    )
    parser.add_argument("--rounds", type=int, default=100, help="latency rounds (default 100)")
    parser.add_argument("--seconds", type=float, default=10.0, help="each throughput run")
    parser.add_argument("--memory-requests", type=int, default=5000)
    args = parser.parse_args()
    # SIGTERM (a timeout, say) ends the script through the finally below, stopping the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # The server loads its models while we load ours.
    server = Server(args.workers, args.http, args.app, args.launcher)
    print(f"Machine: {machine_line()}")
    print(f"At start: {load_line()}; busy processes: {busy_processes(exclude={server.pid})}")
    try:
        report = run(server, args)
    finally:
        server.stop()
    summary(report, args)


def run(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    import keras

    from app.ml.registry import load_model

    digits, labels = load_digits()
    png = canvas_png(digits[0])
    model_path = PROJECT_ROOT / "models" / f"{MODEL_ID}.keras"
    loaded = load_model(model_path)
    model = keras.saving.load_model(model_path, compile=False)
    ready_s = server.wait_ready()
    loop, loop_name = new_event_loop()
    connection = Connection(server.port)
    runtimes = {m["id"]: m["runtime"] for m in get_json(connection, "/api/models")}
    print(
        f"Server: {' '.join(server.command[1:])}; ready in {ready_s:.1f} s after this process "
        f"loaded its model; runtimes: {', '.join(f'{k} {v}' for k, v in runtimes.items())}"
    )
    print(
        f"Upload: MNIST test digit {labels[0]} as the Draw page exports it, {CANVAS}x{CANVAS} "
        f"RGBA PNG, {len(png):,} bytes; fields {FIELDS}"
    )
    print(f"Client: raw sockets, pre-built requests, keep-alive; load runs on {loop_name}\n")
    report: dict[str, Any] = {}

    # 1. Memory, first: the server has served nothing yet.
    models = [m for m in MEMORY_MODELS if m in runtimes]
    missing = [m for m in MEMORY_MODELS if m not in runtimes]
    pool, note = memory_pool(connection, models, digits, args.memory_requests)
    absent = f" (not there: {', '.join(missing)})" if missing else ""
    print(
        f"1. Memory: {args.memory_requests:,} mixed requests, {CLIENTS} clients, models "
        f"{', '.join(models)}{absent}; {note}; {load_line()}"
    )
    meter = CpuMeter(server)
    rss, errors = run_memory(server, loop, pool)
    use = meter.stop()
    rows = [
        [
            f"after {point:,} requests" if point else "idle, after startup",
            f"{kib / 1024:.1f}",
            f"{(kib - rss[100]) / rss[100]:+.1%}" if point >= 100 else "",
        ]
        for point, kib in rss.items()
    ]
    print_table(["server RSS", "MiB", "vs after 100"], rows)
    retraces = server.log_text().lower().count("retracing")
    peak = max(kib for point, kib in rss.items() if point >= 100)
    print(
        f"Peak after request 100: {(peak - rss[100]) / rss[100]:+.1%}. Unexpected statuses or "
        f"lost connections: {errors}. Retracing warnings in the server log: {retraces}. "
        f"{len(pool) / use.wall_s:.0f} requests/s; other processes used "
        f"{use.cores(use.others_s):.2f} cores.\n"
    )
    report.update(rss=rss, retraces=retraces, memory_errors=errors)

    # 2. Latency: one client, interleaved with the model itself.
    predict, activations = (f"/api/models/{MODEL_ID}/{e}" for e in ("predict", "activations"))
    image = ("drawing.png", png, "image/png")
    port = server.port
    requests = {
        "GET /api/health": build_request("health", "GET", "/api/health", port),
        "POST predict": form_request("predict", predict, port, FIELDS, image),
        "POST activations, numbers": form_request(
            "numbers", activations, port, {**FIELDS, "format": "numbers"}, image
        ),
        "POST activations, png": form_request(
            "png", activations, port, {**FIELDS, "format": "png"}, image
        ),
    }
    sizes = {name: len(connection.request(request)[1]) for name, request in requests.items()}
    answer = json.loads(connection.request(requests["POST predict"])[1])
    x = np.asarray(answer["model_input"], np.float32).reshape(1, 28, 28, 1)
    contenders: dict[str, tuple[Callable[[], object], int]] = {
        name: (sender(connection, request), HTTP_REPS) for name, request in requests.items()
    }
    contenders[KERAS_PREDICT] = (lambda: model.predict(x, verbose=0), 1)
    contenders["model(x, training=False)"] = (lambda: model(x, training=False), 2)
    contenders[f"registry runner.run(x) ({loaded.runner.kind})"] = (
        lambda: loaded.runner.run(x[0]),
        20,
    )
    print(
        f"2. Latency: one client, {args.rounds} interleaved rounds, {HTTP_REPS} requests of each "
        f"kind per round (label {answer['label']}); ms; {load_line()}"
    )
    meter = CpuMeter(server)
    samples = time_rounds(contenders, args.rounds)
    use = meter.stop()
    # The server's CPU time per request, each kind alone: what one request costs it.
    server_cpu = {}
    for name in requests:
        count = CPU_REQUESTS * (5 if name == "GET /api/health" else 1)  # a cheap one: more
        meter = CpuMeter(server)
        for _ in range(count):
            contenders[name][0]()
        server_cpu[name] = meter.stop().server_s / count * 1000.0
    flat = {name: [v for r in rounds for v in r] for name, rounds in samples.items()}
    rows = [
        [name, f"{len(values)}", f"{min(values):.2f}", f"{pct(values, 50):.2f}",
         f"{pct(values, 99):.2f}", f"{server_cpu[name]:.2f}" if name in requests else "",
         f"{sizes[name]:,}" if name in sizes else ""]
        for name, values in flat.items()
    ]  # fmt: skip
    print_table(["what", "n", "best", "p50", "p99", "server CPU/req", "bytes"], rows)
    report.update(
        predict_p50=pct(flat["POST predict"], 50),
        acts_p50=pct(flat["POST activations, numbers"], 50),
        latency_ratio=paired(samples["POST predict"], samples[KERAS_PREDICT]),
        acts_ratio=paired(samples["POST activations, numbers"], samples["POST predict"]),
        server_cpu=server_cpu,
    )
    print(
        f"predict p50 / model.predict median = "
        f"{report['predict_p50'] / statistics.median(flat[KERAS_PREDICT]):.3f} (median of "
        f"per-round ratios {report['latency_ratio']:.3f}); activations p50 / predict p50 = "
        f"{report['acts_p50'] / report['predict_p50']:.2f} (per round "
        f"{report['acts_ratio']:.2f}). Other processes used {use.cores(use.others_s):.2f} cores.\n"
    )
    connection.close()

    # 3. Throughput: 8 clients.
    print(
        f"3. Throughput: {CLIENTS} clients, keep-alive, {args.seconds:g} s each after 1 s of "
        f"warm-up; {load_line()}"
    )
    layer_count = len(loaded.layers)
    checks: dict[str, Callable[[Any], bool]] = {
        "GET /api/health": lambda d: d["status"] == "ok",
        "POST predict": lambda d: d["label"] == answer["label"],
        "POST activations, numbers": lambda d: len(d["layers"]) == layer_count,
    }
    rows = []
    for name, check in checks.items():
        run_load(loop, port, CLIENTS, for_duration(requests[name], 1.0))
        meter = CpuMeter(server)
        results = run_load(loop, port, CLIENTS, for_duration(requests[name], args.seconds))
        use = meter.stop()
        done = results.completed
        latencies = [v for values in results.latencies_ms.values() for v in values]
        not_ok = sum(n for c in results.statuses.values() for s, n in c.items() if s != 200)
        errors = not_ok + len(results.connection_errors) + bad_bodies(results, check)
        report[f"rps {name}"] = done / use.wall_s
        rows.append(
            [name, f"{done / use.wall_s:.0f}", f"{done:,}", f"{errors}",
             f"{pct(latencies, 50):.2f}", f"{pct(latencies, 99):.2f}", *cpu_cells(use, done)]
        )  # fmt: skip
    print_table(
        ["request", "req/s", "n", "errors", "p50 ms", "p99 ms", "server cores",
         "server CPU ms/req", "client cores", "others cores"],
        rows,
    )  # fmt: skip
    print(
        f"Every status checked; 1 body in 50 per connection parsed as JSON and checked. Server "
        f"RSS at the end: {server.rss_kib() / 1024:.1f} MiB. {load_line()}\n"
    )
    log = server.log_text()
    if "Traceback" in log:
        print(f"The server logged errors:\n{log[log.index('Traceback') :][:3000]}\n")
    server.stop()

    loop.close()
    return report


def summary(report: dict[str, Any], args: argparse.Namespace) -> None:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    rss = report["rss"]
    growth = (rss[max(rss)] - rss[100]) / rss[100]
    rps = report["rps POST predict"]
    latency, acts, retraces = report["latency_ratio"], report["acts_ratio"], report["retraces"]
    rows = [
        ["predict p50 / model.predict median", f"{latency:.3f}", f"<= {GOAL_LATENCY}",
         verdict(latency <= GOAL_LATENCY)],
        ["activations p50 / predict p50", f"{acts:.2f}", f"< {GOAL_ACTIVATIONS:g}",
         verdict(acts < GOAL_ACTIVATIONS)],
        [f"predictions/s, {CLIENTS} clients", f"{rps:.0f}", f">= {GOAL_RPS:.0f}",
         verdict(rps >= GOAL_RPS)],
        [f"RSS growth, request 100 -> {max(rss):,}", f"{growth:+.1%}", f"<= {GOAL_MEMORY:.0%}",
         verdict(abs(growth) <= GOAL_MEMORY)],
        ["retracing warnings in the server log", f"{retraces}", "0", verdict(retraces == 0)],
    ]  # fmt: skip
    workers = f"{args.workers} worker{'s' if args.workers > 1 else ''}"
    print(f"Summary ({args.launcher}, {workers}; ratios are medians of per-round ratios):")
    print_table(["goal", "measured", "target", ""], rows)
    print(load_line())


if __name__ == "__main__":
    main()
