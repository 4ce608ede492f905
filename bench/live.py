"""Live drawing over ``/api/live`` (WebSocket) against REST ``POST .../predict``, in one run.

The real server (``convlens serve --workers N``, default 2) runs in a subprocess on 127.0.0.1.
Three kinds of load take turns in interleaved windows of ``--seconds`` each, after a warm-up:

- REST: 8 clients on keep-alive connections, each posting the Draw page's canvas PNG (a 280x280
  RGBA MNIST digit) to ``/api/models/lenet5/predict`` as soon as its last answer is in.
- live, 1 model: 8 WebSocket clients, each sending the same PNG as a frame with settings
  ``{"models": ["lenet5"]}`` as soon as its last answer is in: one prediction per frame.
- live, 3 models: the same with every shipped model chosen, as the Draw page does: one frame,
  one decode and preparation, three predictions.

For each window: predictions per second, and the server's CPU time per prediction (all of its
processes, from /proc). Ratios are medians over the windows of live / REST.
Goals (issue 13): live CPU per prediction <= 0.6x REST's; >= 1,000 predictions/s live.
Run: .venv/bin/python bench/live.py [--workers N] [--seconds S] [--windows K]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import time
from collections.abc import Awaitable, Callable

from _common import machine_line, print_table
from _http import Request, for_duration, form_request, new_event_loop, run_load
from _memory import FIELDS
from _server import CpuMeter, Server
from _uploads import canvas_png, load_digits
from websockets.asyncio.client import connect

CLIENTS = 8
SHIPPED = ["lenet5", "mnist-cnn", "mlp"]
GOAL_CPU_RATIO, GOAL_LIVE_RPS = 0.6, 1000.0


async def live_load(port: int, png: bytes, models: list[str], seconds: float) -> int:
    """8 socket clients, one frame in flight each, for ``seconds``; returns predictions made."""
    settings = json.dumps({"models": models, **{k: v == "true" or v for k, v in FIELDS.items()}})
    deadline = time.perf_counter() + seconds
    counts = [0] * CLIENTS

    async def client(index: int) -> None:
        async with connect(f"ws://127.0.0.1:{port}/api/live", max_size=None) as socket:
            await socket.send(settings)
            assert json.loads(await socket.recv())["type"] == "settings"
            while time.perf_counter() < deadline:
                await socket.send(png)
                answer = await socket.recv()
                if not answer.startswith('{"type":"prediction"'):
                    raise SystemExit(f"live answer: {answer[:300]!r}")
                counts[index] += len(models)

    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    return sum(counts)


def rest_load(loop: asyncio.AbstractEventLoop, port: int, request: Request, seconds: float) -> int:
    results = run_load(loop, port, CLIENTS, for_duration(request, seconds))
    statuses = results.statuses.get(request.tag, {})
    if set(statuses) != {200} or results.connection_errors:
        raise SystemExit(f"REST: {statuses}, {results.connection_errors[:3]}")
    return results.completed


def window(server: Server, run: Callable[[], int]) -> tuple[float, float, float, float]:
    """Predictions per second, server CPU ms per prediction, and the cores the server and this
    process (the client) kept busy, for one window of load."""
    meter = CpuMeter(server)
    start = time.perf_counter()
    predictions = run()
    wall = time.perf_counter() - start
    use = meter.stop()
    return (
        predictions / wall,
        1000 * use.server_s / predictions,
        use.cores(use.server_s),
        use.cores(use.client_s),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5.0, help="each window")
    parser.add_argument("--windows", type=int, default=4, help="windows of each kind")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Each client sends its next frame as soon as the last is answered, hundreds a second:
    # over the flood limit that protects the server from a real client doing that.
    os.environ["CONVLENS_LIVE_MESSAGES_PER_SECOND"] = "10000"
    server = Server(args.workers)
    print(f"Machine: {machine_line()}")
    try:
        server.wait_ready()
        run(server, args)
    finally:
        server.stop()


def run(server: Server, args: argparse.Namespace) -> None:
    digits, _ = load_digits()
    png = canvas_png(digits[0])
    loop, loop_name = new_event_loop()
    request = form_request(
        "predict", "/api/models/lenet5/predict", server.port, FIELDS, ("d.png", png, "image/png")
    )

    def live(models: list[str]) -> Callable[[], int]:
        def go(seconds: float = args.seconds) -> int:
            work: Awaitable[int] = live_load(server.port, png, models, seconds)
            return loop.run_until_complete(work)

        return go

    kinds: dict[str, Callable[[], int]] = {
        "REST predict": lambda: rest_load(loop, server.port, request, args.seconds),
        "live, 1 model a frame": live(["lenet5"]),
        "live, 3 models a frame": live(SHIPPED),
    }
    print(
        f"Server: convlens serve --workers {args.workers}; {CLIENTS} clients of each kind, "
        f"{args.windows} interleaved windows of {args.seconds:g} s; upload {len(png):,} bytes; "
        f"client loop {loop_name}\n"
    )
    rest_load(loop, server.port, request, 1.0)  # warm-up: every worker has run every model
    live(SHIPPED)(1.0)
    measured: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in kinds}
    for _ in range(args.windows):
        for name, go in kinds.items():
            measured[name].append(window(server, go))
    report(measured)


def report(measured: dict[str, list[tuple[float, float, float, float]]]) -> None:
    rest = measured["REST predict"]
    rows = []
    for name, windows in measured.items():
        rps, cpu, server, client = (list(column) for column in zip(*windows, strict=True))
        ratio = statistics.median(w[1] / r[1] for w, r in zip(windows, rest, strict=True))
        rows.append(
            [
                name,
                f"{statistics.median(rps):,.0f}",
                f"{min(rps):,.0f}-{max(rps):,.0f}",
                f"{statistics.median(cpu):.2f}",
                f"{ratio:.2f}",
                f"{statistics.median(server):.2f}",
                f"{statistics.median(client):.2f}",
            ]
        )
    print_table(
        ["load", "predictions/s (median)", "range", "server CPU ms/prediction", "CPU vs REST",
         "server cores", "client cores"],
        rows,
    )  # fmt: skip
    live_rps = statistics.median(w[0] for w in measured["live, 1 model a frame"])
    live_ratio = float(rows[1][4])
    print(
        f"\nGoals: live CPU per prediction <= {GOAL_CPU_RATIO}x REST's (1 model a frame: "
        f"{live_ratio:.2f}, {'PASS' if live_ratio <= GOAL_CPU_RATIO else 'MISS'}); live >= "
        f"{GOAL_LIVE_RPS:,.0f} predictions/s (1 model a frame: {live_rps:,.0f}, "
        f"{'PASS' if live_rps >= GOAL_LIVE_RPS else 'MISS'})."
    )


if __name__ == "__main__":
    main()
