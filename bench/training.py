"""Training jobs against a bare ``model.fit``, and the server's answers while jobs train.

1. **Training speed**: images per second through a job (the real server, ``convlens serve``,
   its embedded worker, POST /api/training) against ``model.fit`` in this process of the same
   stack on the same arrays (read from the data folder the server stored them in), held out
   with the same seed, with the same batch size, optimizer and epochs. A third contender,
   ``fit_stack`` in this process with a watcher that does nothing, separates what the training
   code costs (its ``tf.data`` pipeline, its callback) from what the job around it costs (the
   record's writes, the worker process). Each epoch's time includes its validation on every
   side; the first epoch (tracing) is left out. Interleaved rounds; goal: job / bare >= 0.9.
   Each contender's CPU time per epoch (all threads of the process that trains: the worker's
   read from /proc as its epochs end) is printed too: other load on the machine moves it far
   less than wall time, so it tells extra work from a busy neighbour.
2. **Upload to first epoch**: from POST /api/datasets until GET /api/jobs/{id} shows the first
   epoch's numbers: on a fresh server (the worker process starts with the first job) and again
   with the worker running.
3. **Health latency**: GET /api/health on one keep-alive connection, a few hundred times, with
   no job, then while two jobs train at once (``CONVLENS_TRAINING_WORKERS=2``).

The dataset is MNIST's digits the tests ship (``tests/data/mnist-slice.npz``, train and test
together: 5,000 images), as a .zip of PNG files in class folders.

Run: .venv/bin/python bench/training.py [--rounds N] [--epochs N] [--architecture lenet5]
"""

from __future__ import annotations

import argparse
import io
import math
import os
import statistics
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from _common import PROJECT_ROOT, machine_line, print_table
from _http import Connection, build_request
from _server import Server, process_cpu_seconds
from PIL import Image

GOAL_RATIO = 0.9
SEED = 1998
VALIDATION_SPLIT = 0.2
# Following a job as the Training page does: its event stream looks at the job 4 times a second
# (app/api/jobs.py EVENTS_POLL_SECONDS). Polling faster takes CPU from the training itself.
POLL_SECONDS = 0.25


def digits_zip() -> bytes:
    with np.load(PROJECT_ROOT / "tests/data/mnist-slice.npz") as data:
        images = np.concatenate([data["x_train"], data["x_test"]])
        labels = np.concatenate([data["y_train"], data["y_test"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, (image, label) in enumerate(zip(images, labels, strict=True)):
            png = io.BytesIO()
            Image.fromarray(image).save(png, format="PNG")
            archive.writestr(f"digits/{label}/{n:05d}.png", png.getvalue())
    return buffer.getvalue()


class Api:
    """The server's JSON endpoints, through httpx."""

    def __init__(self, port: int) -> None:
        import httpx2 as httpx

        self.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300)

    def upload(self, archive: bytes) -> dict[str, Any]:
        answer = self.client.post(
            "/api/datasets",
            files={"file": ("digits.zip", archive, "application/zip")},
            data={"image_size": "28"},
        )
        assert answer.status_code == 201, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def train(self, dataset: str, **fields: Any) -> dict[str, Any]:
        request = {"dataset": dataset, "seed": SEED, "validation_split": VALIDATION_SPLIT}
        answer = self.client.post("/api/training", json={**request, **fields})
        assert answer.status_code == 202, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def job(self, job_id: str) -> dict[str, Any]:
        body: dict[str, Any] = self.client.get(f"/api/jobs/{job_id}").json()
        return body

    def wait(self, job_id: str, until: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        deadline = time.monotonic() + 1800
        while not until(job := self.job(job_id)):
            if job["state"] in ("failed", "cancelled") or time.monotonic() > deadline:
                raise SystemExit(f"Job {job_id} ended or hung: {job['state']} {job['reason']}")
            time.sleep(POLL_SECONDS)
        return job

    def cancel(self, created: dict[str, Any]) -> None:
        bearer = {"Authorization": f"Bearer {created['cancel_token']}"}
        self.client.delete(f"/api/jobs/{created['id']}", headers=bearer)
        self.wait(created["id"], lambda job: job["state"] in ("cancelled", "done"))


def upload_to_first_epoch(api: Api, archive: bytes, fields: dict[str, Any]) -> list[float]:
    """Seconds from the upload's start until: uploaded, queued, running, first epoch shown."""
    start = time.perf_counter()
    dataset = api.upload(archive)
    uploaded = time.perf_counter() - start
    created = api.train(dataset["id"], **fields)
    queued = time.perf_counter() - start
    api.wait(created["id"], lambda job: job["state"] != "queued")
    running = time.perf_counter() - start
    api.wait(created["id"], lambda job: bool(job["history"]))
    first_epoch = time.perf_counter() - start
    api.cancel(created)
    return [uploaded, queued, running, first_epoch]


@dataclass(frozen=True)
class Epochs:
    seconds: list[float]  # wall time of each epoch, validation included
    cpu: float  # CPU seconds per epoch after the first, all threads of the training process


def worker_cpu_seconds(worker: str) -> float:
    """CPU seconds of the job's worker process, from its "host:pid"."""
    return process_cpu_seconds(int(worker.rsplit(":", 1)[1]))


def _cpu_per_epoch(cpu_at: list[float]) -> float:
    """From this process's CPU time at the end of each epoch."""
    return (cpu_at[-1] - cpu_at[0]) / (len(cpu_at) - 1) if len(cpu_at) > 1 else math.nan


class _NullWatcher:
    """A fit watcher that keeps nothing and never stops the fit; notes the CPU time at the end
    of each epoch."""

    def __init__(self) -> None:
        self.cpu_at: list[float] = []

    def epoch_done(self, numbers: object) -> None:
        self.cpu_at.append(time.process_time())

    def __getattr__(self, name: str) -> Callable[..., bool]:
        return lambda *args, **kwargs: False


def epoch_timer() -> Any:
    import keras

    class EpochTimer(keras.callbacks.Callback):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []
            self.cpu_at: list[float] = []

        def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            self.seconds.append(time.perf_counter() - self.started)
            self.cpu_at.append(time.process_time())

    return EpochTimer()


class Contenders:
    """The three ways of training the same stack on the same arrays, each returning the
    seconds of every epoch."""

    def __init__(self, api: Api, data_dir: Path, dataset: dict[str, Any], fields: dict[str, Any]):
        from app.jobs.architectures import training_stack
        from app.ml import dataset_store

        self.api, self.dataset, self.fields = api, dataset, fields
        self.x, self.y = dataset_store.load_arrays(data_dir, dataset["id"])
        self.stack, _ = training_stack(fields["architecture"], self.x.shape[1:], 10)

    def job(self) -> Epochs:
        """The job's own epoch times; its worker's CPU time read from /proc as epochs end."""
        created = self.api.train(self.dataset["id"], **self.fields)
        cpu_at: dict[int, float] = {}
        while (job := self.api.job(created["id"]))["state"] != "done":
            if job["state"] in ("failed", "cancelled"):
                raise SystemExit(f"The job {job['state']}: {job['reason']}")
            if job["worker"]:
                cpu_at.setdefault(len(job["history"]), worker_cpu_seconds(job["worker"]))
            time.sleep(POLL_SECONDS)
        first, last = min(n for n in cpu_at if n >= 1), max(cpu_at)  # the last: with "done"?
        cpu = (cpu_at[last] - cpu_at[first]) / (last - first) if last > first else math.nan
        return Epochs([float(epoch["seconds"]) for epoch in job["history"]], cpu)

    def bare(self) -> Epochs:
        import keras

        from app.ml.build import build_model
        from app.ml.fit import split

        keras.utils.set_random_seed(SEED)
        train_at, val_at = split(len(self.x), VALIDATION_SPLIT, SEED)
        model = build_model(self.stack)
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=1e-3),
            loss=keras.losses.SparseCategoricalCrossentropy(),
            metrics=["accuracy"],
        )
        images = self.x.astype(np.float32) / 255
        timer = epoch_timer()
        model.fit(
            images[train_at],
            self.y[train_at],
            batch_size=self.fields["batch_size"],
            epochs=self.fields["epochs"],
            validation_data=(images[val_at], self.y[val_at]),
            callbacks=[timer],
            verbose=0,
        )
        return Epochs(timer.seconds, _cpu_per_epoch(timer.cpu_at))

    def fit_stack(self) -> Epochs:
        from app.ml.fit import FitOptions, fit_stack

        options = FitOptions(
            epochs=self.fields["epochs"],
            batch_size=self.fields["batch_size"],
            learning_rate=1e-3,
            optimizer="adam",
            validation_split=VALIDATION_SPLIT,
            augment=False,
            flips=False,
            seed=SEED,
        )
        watcher = _NullWatcher()
        fitted = fit_stack(self.stack, self.x, self.y, options, watcher)  # type: ignore[arg-type]
        return Epochs([epoch.seconds for epoch in fitted.history], _cpu_per_epoch(watcher.cpu_at))


JOB, BARE, STACK = (
    "job (POST /api/training)",
    "model.fit on NumPy arrays",
    "fit_stack, null watcher",
)


def report_training(measured: dict[str, list[Epochs]], train_images: int) -> None:
    wall = {
        name: [statistics.median(run.seconds[1:]) for run in runs]
        for name, runs in measured.items()
    }
    cpu = {name: [run.cpu for run in runs] for name, runs in measured.items()}
    rows = []
    for name, seconds in wall.items():
        rows.append(
            [
                name,
                f"{min(seconds):.3f} / {statistics.median(seconds):.3f}",
                f"{train_images / statistics.median(seconds):,.0f}",
                f"{statistics.median(cpu[name]):.2f}",
                " ".join(f"{s:.2f}" for run in measured[name] for s in run.seconds),
            ]
        )
    print_table(
        ["contender", "s per epoch best / median", "images/s", "CPU s/epoch", "every epoch, s"],
        rows,
    )

    def ratio(times: dict[str, list[float]], faster: str, slower: str) -> float:
        """Median over rounds of the speed of ``slower`` relative to ``faster``."""
        return statistics.median(f / s for f, s in zip(times[faster], times[slower], strict=True))

    goal = ratio(wall, BARE, JOB)
    verdict = "MEETS" if goal >= GOAL_RATIO else "MISSES"
    print(
        f"ratio job / bare model.fit, images per second = {goal:.2f}; goal >= {GOAL_RATIO}: "
        f"{verdict}"
    )
    print(f"  by CPU time per epoch: {ratio(cpu, BARE, JOB):.2f}")
    print(
        f"ratio fit_stack (null watcher) / bare model.fit = {ratio(wall, BARE, STACK):.2f} "
        f"(CPU {ratio(cpu, BARE, STACK):.2f}); job / fit_stack = {ratio(wall, STACK, JOB):.2f} "
        f"(CPU {ratio(cpu, STACK, JOB):.2f})"
    )


def health_latencies(port: int, count: int) -> list[float]:
    """ms of each GET /api/health on one keep-alive connection, 5 ms apart."""
    request = build_request("health", "GET", "/api/health", port)
    connection = Connection(port)
    latencies = []
    for _ in range(count):
        start = time.perf_counter()
        status, _ = connection.request(request)
        latencies.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
        time.sleep(0.005)
    connection.close()
    return latencies


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--architecture", default="lenet5")
    parser.add_argument("--health", type=int, default=400, help="health requests per phase")
    args = parser.parse_args()
    fields = {
        "architecture": args.architecture,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
    }
    print(machine_line())
    print(
        f"TF_ENABLE_ONEDNN_OPTS={os.environ.get('TF_ENABLE_ONEDNN_OPTS', '(unset)')} on both sides"
    )
    archive = digits_zip()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        os.environ["CONVLENS_DATA_DIR"] = str(data_dir)
        os.environ["CONVLENS_TRAINING_WORKERS"] = "2"
        server = Server(workers=1)
        try:
            server.wait_ready()
            api = Api(server.port)
            idle_health = health_latencies(server.port, args.health)
            cold = upload_to_first_epoch(api, archive, fields)
            warm = upload_to_first_epoch(api, archive, fields)
            dataset = api.upload(archive)
            contenders = Contenders(api, data_dir, dataset, fields)
            runs: dict[str, Callable[[], Epochs]] = {
                JOB: contenders.job,
                BARE: contenders.bare,
                STACK: contenders.fit_stack,
            }
            measured: dict[str, list[Epochs]] = {name: [] for name in runs}
            names = list(runs)
            for round_index in range(args.rounds):
                shift = round_index % len(names)
                for name in names[shift:] + names[:shift]:
                    measured[name].append(runs[name]())
            busy = [api.train(dataset["id"], **{**fields, "epochs": 50}) for _ in range(2)]
            for created in busy:
                api.wait(
                    created["id"],
                    lambda job: bool(job["progress"]) and job["progress"]["batch"] > 0,
                )
            training_health = health_latencies(server.port, args.health)
            both_running = all(api.job(created["id"])["state"] == "running" for created in busy)
            for created in busy:
                api.cancel(created)
        finally:
            server.stop()

    from app.ml.fit import split

    train_images = len(split(len(contenders.x), VALIDATION_SPLIT, SEED)[0])
    print(
        f"\nTraining: {args.architecture}, {len(contenders.x):,} images of "
        f"{'x'.join(map(str, contenders.x.shape[1:]))} ({train_images:,} trained on, the rest "
        f"held out), batch {args.batch_size}, {args.epochs} epochs, Adam 1e-3; "
        f"{args.rounds} interleaved rounds; epochs 2-{args.epochs} of each run, validation "
        "included; CPU: all threads of the process that trains"
    )
    report_training(measured, train_images)
    print(
        f"\nFrom the upload (5,000 PNG digits, {len(archive) / 1e6:.1f} MB) to the first epoch "
        "shown, seconds"
    )
    print_table(
        ["server", "uploaded", "queued", "running", "first epoch in GET /api/jobs"],
        [
            ["fresh (worker starts)", *(f"{s:.2f}" for s in cold)],
            ["worker running", *(f"{s:.2f}" for s in warm)],
        ],
    )

    print(f"\nGET /api/health, {args.health} requests on one keep-alive connection, 5 ms apart, ms")
    rows = []
    for name, values in (("no job", idle_health), ("two jobs training", training_health)):
        rows.append(
            [name, *(f"{percentile(values, q):.2f}" for q in (50, 95, 99)), f"{max(values):.2f}"]
        )
    print_table(["phase", "p50", "p95", "p99", "max"], rows)
    ratios = ", ".join(
        f"p{q} {percentile(training_health, q) / percentile(idle_health, q):.2f}"
        for q in (50, 95, 99)
    )
    note = "" if both_running else " (but the two jobs were not both running)"
    print(f"ratio two jobs / no job: {ratios}{note}")


if __name__ == "__main__":
    main()
