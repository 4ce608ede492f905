"""Job records and the reporter that writes them: throttled updates, estimates, staleness."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from huey.storage import MemoryStorage

from app.jobs import records
from app.jobs.records import JobRecord, JobStore, now
from app.jobs.training import (
    UPDATES_PER_SECOND,
    JobReporter,
    TrainingTooLong,
    probe_file,
    snapshot_file,
)
from app.ml.fit import EpochNumbers, Probe
from app.schemas.training import JobState, TrainingRequest

PROBE = Probe(image=np.zeros((16, 16, 3), np.uint8), label=1)


def queued_record(epochs: int = 2) -> JobRecord:
    return JobRecord(
        id="0123456789abcdef",
        state=JobState.queued,
        name="shapes",
        dataset="shapes-1234abcd",
        architecture="mlp",
        classes=["a", "b"],
        image_shape=[16, 16, 3],
        params=100,
        request=TrainingRequest(dataset="shapes-1234abcd", architecture="mlp", epochs=epochs),
        created=now(),
        token_sha256="0" * 64,
    )


class Clock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def jobs() -> JobStore:
    return JobStore(MemoryStorage("test"))


def test_batches_are_reported_a_few_times_a_second_not_every_batch(
    jobs: JobStore, tmp_path: Path
) -> None:
    clock = Clock()
    reporter = JobReporter(jobs, queued_record(), tmp_path, clock=clock)
    reporter.started(batches=40, filter_layer=None, probe=PROBE)
    seen = set()
    for batch in range(1, 41):
        clock.seconds += 1 / 16  # 16 batches a second: a write every 4th
        reporter.batch_done(1, batch, loss=0.5, accuracy=0.75)
        stored = jobs.get("0123456789abcdef")
        assert stored is not None and stored.progress is not None
        seen.add(stored.progress.batch)
    reporter.finish(JobState.cancelled)

    assert UPDATES_PER_SECOND == 4
    assert seen - {0} == set(range(4, 41, 4))


def test_an_epoch_adds_history_and_an_estimate_of_the_time_left(
    jobs: JobStore, tmp_path: Path
) -> None:
    reporter = JobReporter(jobs, queued_record(epochs=3), tmp_path, clock=Clock())
    reporter.started(batches=4, filter_layer="conv1", probe=PROBE)
    kernel = np.arange(3 * 3 * 3 * 2, dtype=np.float32).reshape(3, 3, 3, 2)
    maps = np.ones((16, 16, 2), np.float32)
    reporter.snapshot(0, kernel, maps)

    reporter.epoch_done(EpochNumbers(1, 0.9, 0.5, 0.8, 0.6, seconds=2.0))
    reporter.finish(JobState.done, model="shapes-abc123")

    stored = jobs.get("0123456789abcdef")
    assert stored is not None
    assert stored.state == JobState.done and stored.model == "shapes-abc123"
    assert [e.epoch for e in stored.history] == [1]
    assert stored.seconds_per_epoch == 2.0
    assert stored.filter_layer == "conv1" and stored.filter_epochs == [0]
    assert stored.probe_class == "b"
    with np.load(snapshot_file(tmp_path, stored.id, 0)) as saved:
        assert np.array_equal(saved["kernel"], kernel) and np.array_equal(saved["maps"], maps)
    assert np.array_equal(np.load(probe_file(tmp_path, stored.id)), PROBE.image)
    assert stored.worker


def test_an_epoch_estimate_of_time_left_counts_the_epochs_still_to_run(
    jobs: JobStore, tmp_path: Path
) -> None:
    reporter = JobReporter(jobs, queued_record(epochs=3), tmp_path, clock=Clock())
    reporter.started(batches=4, filter_layer=None, probe=PROBE)

    reporter.epoch_done(EpochNumbers(1, 0.9, 0.5, 0.8, 0.6, seconds=2.0))

    stored = jobs.get("0123456789abcdef")
    reporter.finish(JobState.cancelled)
    assert stored is not None and stored.state == JobState.running
    assert stored.seconds_left == 4.0


def test_a_running_job_without_a_heartbeat_for_long_is_shown_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(records, "STALE_SECONDS", 30.0)
    running = queued_record().model_copy(update={"state": JobState.running})

    fresh = running.model_copy(update={"heartbeat": time.time() - 5}).status()
    stale = running.model_copy(update={"heartbeat": time.time() - 60}).status()

    assert fresh.state == JobState.running
    assert stale.state == JobState.failed
    assert stale.reason is not None and "stopped answering" in stale.reason


def test_the_status_never_shows_the_token_hash() -> None:
    shown = queued_record().status(place=3)

    assert shown.place == 3
    assert "token_sha256" not in shown.model_dump()


def test_a_cancel_request_is_a_key_of_its_own(jobs: JobStore) -> None:
    jobs.put(queued_record())

    jobs.request_cancel("0123456789abcdef")

    assert jobs.cancel_requested("0123456789abcdef")
    assert not jobs.cancel_requested("fedcba9876543210")
    stored = jobs.get("0123456789abcdef")
    assert stored is not None and stored.state == JobState.queued


def test_a_job_past_the_time_cap_is_stopped_with_the_setting_named(
    jobs: JobStore, tmp_path: Path
) -> None:
    clock = Clock()
    reporter = JobReporter(jobs, queued_record(), tmp_path, clock=clock, max_seconds=60)
    reporter.started(batches=4, filter_layer=None, probe=PROBE)

    clock.seconds += 59
    assert reporter.should_stop() is False
    clock.seconds += 2
    with pytest.raises(TrainingTooLong, match="CONVLENS_MAX_TRAINING_SECONDS"):
        reporter.should_stop()
    reporter.finish(JobState.failed)


def test_the_embedded_worker_runs_below_the_web_workers_priority(tmp_path: Path) -> None:
    from app.config import Settings
    from app.jobs.worker import EMBEDDED_NICENESS, EmbeddedWorker

    worker = EmbeddedWorker(Settings(data_dir=tmp_path))
    worker.start()
    try:
        assert worker.process is not None
        pid = worker.process.pid
        deadline = time.monotonic() + 60
        nice = 0
        while time.monotonic() < deadline and nice == 0:
            stat = Path(f"/proc/{pid}/stat").read_text()
            nice = int(stat.rsplit(")", 1)[1].split()[16])  # field 19: nice
            time.sleep(0.05)
        assert nice == min(19, os.nice(0) + EMBEDDED_NICENESS)
    finally:
        worker.stop()
