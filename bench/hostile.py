"""Ordinary traffic while an attacker sends every hostile request of issue 14; then killed workers.

The real server (``convlens serve --workers N``, default 2) runs in a subprocess on 127.0.0.1.
Ordinary traffic is what the pages send, from 8 keep-alive clients that each send the next
request as soon as the last is answered, drawn at random (fixed seed): 70% Draw page predicts
(a 280x280 canvas PNG of an MNIST digit to ``/api/models/lenet5/predict``), 20%
``GET /api/health``, 10% Kernel lab convolves (``static/samples/camera.png``, preset
``sharpen``, padding ``same``, JSON with the output PNG, as the page asks). In every phase a
health checker opens a new connection every 100 ms for ``GET /api/health`` (a failure: anything
but 200 within 2 s), and each worker's RSS is read from /proc every 0.2 s.

- **calm** and **hostile**: ``--windows`` windows of ``--seconds`` each, interleaved (the order
  swaps every round), the server let go idle after each. Hostile adds the attacker of
  ``_attacks.py``: one request at a time of each kind in turn (a grid of strings, a pooling
  with no work limit, a thin image with padding, two decoder bombs, four 15 MB predicts at
  once, a 20 MB JSON answer, a WebSocket flood), and 32 slowloris connections held open.
- **worker-kill**: ordinary traffic for 30 s while ``kill -9`` hits one worker every 10 s
  (at 5, 15 and 25 s); uvicorn's supervisor starts a new one.

Goals (issue 14): ordinary p99 under attack at most 2x calm (median of the per-round ratios);
peak RSS under 2 GB per worker; no failed health check.
Run: .venv/bin/python bench/hostile.py [--workers N] [--seconds S] [--windows K]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import random
import re
import signal
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from _attacks import (
    LIVE_KIND,
    SLOW_KINDS,
    AttackLog,
    HttpAttack,
    attack_loop,
    exchange,
    hold_slow_connections,
    http_attacks,
)
from _common import SAMPLES_DIR, machine_line, print_table
from _http import Request, Results, build_request, form_request, new_event_loop, run_load
from _memory import FIELDS, MODEL_ID
from _server import CpuMeter, CpuUse, Server, busy_processes, process_rss_kib
from _uploads import canvas_png, load_digits

CLIENTS = 8
MIX = {"predict": 0.7, "health": 0.2, "convolve": 0.1}
CONVOLVE_FIELDS = {  # static/js/api.js convolveImage, the page's defaults, input already shown
    "kernel_name": "sharpen",
    "strides": "1",
    "padding": "same",
    "bias": "0",
    "color": "rgb",
    "mapping": "auto",
    "include_input": "false",
}
HEALTH_EVERY_S, HEALTH_TIMEOUT_S, RSS_EVERY_S = 0.1, 2.0, 0.2
KILL_EVERY_S, KILL_PHASE_S = 10.0, 30.0
GOAL_P99_RATIO, GOAL_RSS_MIB = 2.0, 2048.0
# The last line of a traceback in the server's log, e.g. "    | pkg.SomeError: what happened".
EXCEPTION_LINE = re.compile(
    r"^[ |+-]*((?:\w+\.)*\w*(?:Error|Exception|Disconnect\w*): .{0,120})", re.M
)


@dataclass(frozen=True)
class Attacker:
    """What the hostile windows send (``--only`` may leave some out), and what it got."""

    attacks: list[HttpAttack]
    live_frame: bytes | None
    slowloris: bool
    log: AttackLog = field(default_factory=AttackLog)

    def kinds(self) -> list[str]:
        live = [LIVE_KIND] if self.live_frame is not None else []
        return [a.kind for a in self.attacks] + live + (list(SLOW_KINDS) if self.slowloris else [])


@dataclass
class Window:
    """One window of one phase: what the ordinary clients, the health checker and /proc saw."""

    phase: str
    results: Results
    cpu: CpuUse
    health_ms: list[float] = field(default_factory=list)
    health_failures: list[str] = field(default_factory=list)
    peak_rss_kib: dict[int, int] = field(default_factory=dict)
    health_ok_at: list[float] = field(default_factory=list)  # seconds into the window
    events: list[str] = field(default_factory=list)
    load_s: float = 0.0
    settle_s: float = 0.0

    def longest_outage_s(self) -> float:
        """The longest time between two passing health checks (0.1 s when none failed)."""
        times = [0.0, *self.health_ok_at, self.cpu.wall_s]
        return max(b - a for a, b in itertools.pairwise(times))

    def ordinary_ms(self, tag: str | None = None) -> list[float]:
        if tag is not None:
            return self.results.latencies_ms.get(tag, [])
        return [ms for values in self.results.latencies_ms.values() for ms in values]

    def failed_ordinary(self) -> int:
        statuses = self.results.statuses.values()
        bad = sum(n for counts in statuses for status, n in counts.items() if status != 200)
        return bad + len(self.results.connection_errors)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def ordinary_traffic(port: int) -> dict[str, list[Request]]:
    digits, _ = load_digits()
    predict = f"/api/models/{MODEL_ID}/predict"
    photo = ("camera.png", (SAMPLES_DIR / "camera.png").read_bytes(), "image/png")
    return {
        "predict": [
            form_request(
                "predict", predict, port, FIELDS, ("drawing.png", canvas_png(d), "image/png")
            )
            for d in digits
        ],
        "health": [build_request("health", "GET", "/api/health", port)],
        "convolve": [form_request("convolve", "/api/convolve", port, CONVOLVE_FIELDS, photo)],
    }


def mixed(traffic: dict[str, list[Request]], deadline: float, seed: int) -> Iterator[Request]:
    rng = random.Random(seed)
    kinds, weights = list(MIX), list(MIX.values())
    while time.perf_counter() < deadline:
        yield rng.choice(traffic[rng.choices(kinds, weights)[0]])


async def _pause(stop: asyncio.Event, until: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), max(0.0, until - time.perf_counter()))


async def check_health(port: int, stop: asyncio.Event, window: Window, start: float) -> None:
    """GET /api/health on a new connection every 100 ms, as a load balancer's check would."""
    raw = build_request("health check", "GET", "/api/health", port).raw
    while not stop.is_set():
        began = time.perf_counter()
        outcome, latency_ms = await exchange(port, raw, HEALTH_TIMEOUT_S)
        if outcome == "200":
            window.health_ms.append(latency_ms)
            window.health_ok_at.append(time.perf_counter() - start)
        else:
            window.health_failures.append(f"{outcome} at {began - start:.1f} s")
        await _pause(stop, began + HEALTH_EVERY_S)


async def sample_rss(server: Server, stop: asyncio.Event, window: Window) -> None:
    while not stop.is_set():
        began = time.perf_counter()
        for pid in server.worker_pids():
            window.peak_rss_kib[pid] = max(window.peak_rss_kib.get(pid, 0), process_rss_kib(pid))
        await _pause(stop, began + RSS_EVERY_S)


async def kill_workers(server: Server, window: Window, start: float) -> None:
    """``kill -9`` on one worker every 10 s, and how soon the supervisor started another."""
    for turn in range(int(KILL_PHASE_S // KILL_EVERY_S)):
        await asyncio.sleep(max(0.0, start + (turn + 0.5) * KILL_EVERY_S - time.perf_counter()))
        before = server.worker_pids()
        if not before:
            window.events.append(f"{time.perf_counter() - start:.1f} s: no worker to kill")
            continue
        victim = before[0]  # one of ours: a child of the server this script started
        os.kill(victim, signal.SIGKILL)
        killed = time.perf_counter()
        note = "not replaced within 10 s"
        while time.perf_counter() - killed < 10.0:
            new = [pid for pid in server.worker_pids() if pid not in before]
            if new:
                note = f"worker {new[0]} started {time.perf_counter() - killed:.1f} s later"
                break
            await asyncio.sleep(0.05)
        window.events.append(f"{killed - start:.1f} s: killed worker {victim}; {note}")


def run_window(
    server: Server,
    loop: asyncio.AbstractEventLoop,
    traffic: dict[str, list[Request]],
    phase: str,
    seconds: float,
    seed: int,
    attacker: Attacker | None = None,
) -> Window:
    start = time.perf_counter()
    deadline = start + seconds
    meter = CpuMeter(server)
    window = Window(phase, Results(), meter.stop())
    stop = asyncio.Event()
    watchers = [
        loop.create_task(check_health(server.port, stop, window, start)),
        loop.create_task(sample_rss(server, stop, window)),
    ]
    actors: list[asyncio.Task[None]] = []
    if attacker is not None:
        loud = attack_loop(
            server.port, attacker.attacks, attacker.live_frame, deadline, attacker.log
        )
        actors.append(loop.create_task(loud))
        if attacker.slowloris:
            slow = hold_slow_connections(server.port, deadline, attacker.log)
            actors.append(loop.create_task(slow))
    if phase == "worker-kill":
        actors.append(loop.create_task(kill_workers(server, window, start)))
    window.results = run_load(loop, server.port, CLIENTS, mixed(traffic, deadline, seed))
    window.load_s = time.perf_counter() - start
    finish(loop, actors)  # each ends by itself after the deadline
    stop.set()
    finish(loop, watchers)
    window.cpu = meter.stop()
    window.settle_s = settle(server)
    return window


def finish(loop: asyncio.AbstractEventLoop, tasks: list[asyncio.Task[None]]) -> None:
    """Run the loop until ``tasks`` are done, and raise the first exception any of them raised."""
    if tasks:
        loop.run_until_complete(asyncio.wait(tasks))
    for task in tasks:
        task.result()


def settle(server: Server, limit_s: float = 30.0) -> float:
    """Seconds until the server is idle (all its processes under 0.1 core), at most ``limit_s``."""
    start = time.perf_counter()
    last = server.cpu_seconds()
    while time.perf_counter() - start < limit_s:
        time.sleep(0.5)
        now = server.cpu_seconds()
        if now - last < 0.05:
            break
        last = now
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0, help="each calm/hostile window")
    parser.add_argument("--windows", type=int, default=3, help="windows of calm and of hostile")
    parser.add_argument(
        "--only", default="", help="attack only with the kinds whose name contains this text"
    )
    parser.add_argument("--log", type=Path, help="keep the server's log in this file")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"Machine: {machine_line()}")
    print(f"At start: load average {load}; busy processes: {busy_processes(set())}")
    server = Server(args.workers)
    try:
        started = time.perf_counter()
        digits, _ = load_digits()
        frame = canvas_png(digits[0])
        attacker = Attacker(
            [a for a in http_attacks(server.port, frame) if args.only in a.kind],
            frame if args.only in LIVE_KIND else None,
            any(args.only in kind for kind in SLOW_KINDS),
        )
        built_s = time.perf_counter() - started
        ready_s = server.wait_ready()
        print(
            f"Server: {' '.join(server.command[1:])}; ready in {ready_s:.1f} s. Attack payloads "
            f"built in {built_s:.1f} s: "
            + ", ".join(f"{a.kind} {len(a.request.raw):,} B" for a in attacker.attacks)
        )
        if not attacker.kinds():
            raise SystemExit(f"--only {args.only!r} matches no attack.")
        run(server, args, attacker)
    finally:
        if args.log is not None:
            args.log.write_text(server.log_text())
        server.stop()


def run(server: Server, args: argparse.Namespace, attacker: Attacker) -> None:
    loop, loop_name = new_event_loop()
    traffic = ordinary_traffic(server.port)
    mix = ", ".join(f"{share:.0%} {kind}" for kind, share in MIX.items())
    print(
        f"Ordinary traffic: {CLIENTS} keep-alive clients ({loop_name}), {mix}; "
        f"{args.windows} calm and {args.windows} hostile windows of {args.seconds:g} s, then "
        f"{KILL_PHASE_S:g} s with a worker killed every {KILL_EVERY_S:g} s\n"
    )
    run_load(loop, server.port, CLIENTS, mixed(traffic, time.perf_counter() + 2.0, 0))  # warm-up
    settle(server)
    rounds: list[dict[str, Window]] = []
    for turn in range(args.windows):
        order = ["calm", "hostile"] if turn % 2 == 0 else ["hostile", "calm"]
        windows: dict[str, Window] = {}
        for phase in order:
            hostile = attacker if phase == "hostile" else None
            windows[phase] = run_window(
                server, loop, traffic, phase, args.seconds, turn + 1, hostile
            )
        rounds.append(windows)
    kill = run_window(server, loop, traffic, "worker-kill", KILL_PHASE_S, 99)
    report(server, rounds, kill, attacker.log)


def report(server: Server, rounds: list[dict[str, Window]], kill: Window, log: AttackLog) -> None:
    calm = [r["calm"] for r in rounds]
    hostile = [r["hostile"] for r in rounds]
    calm_p99 = percentile([ms for w in calm for ms in w.ordinary_ms()], 99)
    round_ratios = [
        percentile(r["hostile"].ordinary_ms(), 99) / percentile(r["calm"].ordinary_ms(), 99)
        for r in rounds
    ]
    ratio = statistics.median(round_ratios)
    rows = []
    peak_mib = 0.0
    for phase, windows in (("calm", calm), ("hostile", hostile), ("worker-kill", [kill])):
        ordinary = [ms for w in windows for ms in w.ordinary_ms()]
        health = [ms for w in windows for ms in w.health_ms]
        wall = sum(w.cpu.wall_s for w in windows)
        cores = sum(w.cpu.server_s for w in windows) / wall
        peak = max(max(w.peak_rss_kib.values(), default=0) for w in windows) / 1024
        peak_mib = max(peak_mib, peak)
        failed = sum(len(w.health_failures) for w in windows)
        if phase == "hostile":
            spread = f"{min(round_ratios):.2f}-{max(round_ratios):.2f}"
            versus = f"{ratio:.2f} ({spread})"
        else:
            versus = f"{percentile(ordinary, 99) / calm_p99:.2f}"
        rows.append(
            [
                phase,
                f"{len(windows)} x {windows[0].load_s:.0f} s",
                f"{len(ordinary) / sum(w.load_s for w in windows):,.0f}",
                f"{percentile(ordinary, 50):.1f} / {percentile(ordinary, 99):.1f}",
                f"{percentile(health, 50):.1f} / {percentile(health, 99):.1f}",
                versus,
                f"{peak:,.0f}",
                f"{cores:.2f}" if phase != "worker-kill" else "-",  # the dead took theirs along
                f"{max(w.settle_s for w in windows):.1f}",
                f"{failed} / {failed + sum(len(w.health_ms) for w in windows)}",
                f"{max(w.longest_outage_s() for w in windows):.1f}",
                f"{sum(w.failed_ordinary() for w in windows)}",
            ]
        )
    print_table(
        [
            "phase",
            "windows",
            "ordinary req/s",
            "ordinary p50 / p99 ms",
            "health p50 / p99 ms",
            "p99 vs calm",
            "peak RSS/worker MiB",
            "server cores",
            "idle after s",
            "failed health",
            "longest outage s",
            "failed ordinary",
        ],
        rows,
    )
    print()
    report_kinds({"calm": calm, "hostile": hostile, "worker-kill": [kill]})
    print()
    report_attacks(log)
    print("\nWorker-kill phase: " + "; ".join(kill.events))
    failures = [f"{w.phase} {f}" for w in [*calm, *hostile, kill] for f in w.health_failures]
    lost = [e for w in [*calm, *hostile, kill] for e in w.results.connection_errors]
    if failures:
        print(f"Failed health checks: {'; '.join(failures[:10])}")
    if lost:
        print(f"Ordinary requests lost: {len(lost)}, e.g. {lost[0]}")
    log_text = server.log_text()
    raised = Counter(match[1] for match in EXCEPTION_LINE.finditer(log_text))
    unhandled = log_text.count("Exception in ASGI application")
    print(
        f"Server log: {unhandled} unhandled exceptions in the app"
        + "".join(f"; {n} x {line}" for line, n in raised.most_common(3))
    )
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    health_failed = len(failures)
    print(f"\nGoals (issue 14), convlens serve --workers {server.workers}; load average {load}:")
    goal_rows = [
        [
            "ordinary p99, hostile / calm",
            f"{ratio:.2f}",
            f"<= {GOAL_P99_RATIO:g}",
            ratio <= GOAL_P99_RATIO,
        ],
        [
            "peak RSS per worker, MiB",
            f"{peak_mib:,.0f}",
            f"< {GOAL_RSS_MIB:,.0f}",
            peak_mib < GOAL_RSS_MIB,
        ],
        ["failed health checks, all phases", str(health_failed), "0", health_failed == 0],
        [
            "attacks answered 5xx (not 503), hung or reset",
            str(log.bad_outcomes()),
            "0",
            log.bad_outcomes() == 0,
        ],
    ]
    print_table(
        ["goal", "measured", "target", ""],
        [[*row[:3], "PASS" if row[3] else "MISS"] for row in goal_rows],
    )


def report_kinds(phases: dict[str, list[Window]]) -> None:
    rows = []
    for tag in MIX:
        cells = []
        for windows in phases.values():
            values = [ms for w in windows for ms in w.ordinary_ms(tag)]
            cells.append(f"{percentile(values, 50):.1f} / {percentile(values, 99):.1f}")
        statuses: dict[int, int] = {}
        for windows in phases.values():
            for w in windows:
                for status, n in w.results.statuses.get(tag, {}).items():
                    statuses[status] = statuses.get(status, 0) + n
        rows.append([tag, *cells, ", ".join(f"{s} x{n:,}" for s, n in sorted(statuses.items()))])
    print_table(["ordinary request, p50 / p99 ms", *phases, "statuses, all phases"], rows)


def report_attacks(log: AttackLog) -> None:
    rows = []
    for kind, outcomes in log.outcomes.items():
        latencies = log.latencies_ms.get(kind, [])
        rows.append(
            [
                kind,
                f"{sum(outcomes.values()):,}",
                ", ".join(f"{o} x{n}" for o, n in outcomes.most_common()),
                f"{percentile(latencies, 50):,.0f}" if latencies else "",
                f"{max(latencies):,.0f}" if latencies else "",
            ]
        )
    print_table(["attack (hostile windows)", "sent", "outcomes", "median ms", "max ms"], rows)


if __name__ == "__main__":
    main()
