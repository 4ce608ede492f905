"""A training job as a worker runs it: dataset -> :mod:`app.ml.fit` -> a stored "trained" model.

Progress is written to the job's record at most :data:`UPDATES_PER_SECOND` times a second
(and at every epoch's end); the cancel flag and the time cap are checked as often. Before
training and after every epoch, the first convolution's filters and its feature maps of one
fixed held-out image (the probe) are kept as ``<data>/jobs/<id>/epochs/<epoch>.npz`` (epoch 0:
the initial weights), so the page can scrub through them.
"""

from __future__ import annotations

import logging
import math
import os
import platform
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydantic import TypeAdapter

from app.core.architecture.layers import Stack
from app.errors import N_, ConvLensError
from app.jobs.architectures import training_stack
from app.jobs.records import HEARTBEAT_SECONDS, JobRecord, JobStore, failure, now
from app.ml import dataset_store, store
from app.ml.evaluation import evaluate
from app.ml.fit import (
    EpochNumbers,
    FitOptions,
    Fitted,
    Probe,
    TrainingCancelled,
    fit_stack,
    layer_weights,
)
from app.ml.metadata import (
    DatasetInfo,
    Evaluation,
    History,
    InputContract,
    ModelMetadata,
    TrainingInfo,
)
from app.ml.weights_folder import save_weights
from app.schemas.training import EpochResult, JobState, Progress

log = logging.getLogger(__name__)
UPDATES_PER_SECOND = 4
# A model trained here describes itself; readers get it in their language (app.api.models).
TRAINED_HERE = N_("Trained here on the dataset {dataset} ({architecture}, {epochs} epochs).")


def jobs_folder(data_dir: Path, job_id: str) -> Path:
    return data_dir / "jobs" / job_id


def snapshot_file(data_dir: Path, job_id: str, epoch: int) -> Path:
    """The epoch's ``kernel`` (kh x kw x in x out) and ``maps`` (H x W x out) of the probe."""
    return jobs_folder(data_dir, job_id) / "epochs" / f"{epoch}.npz"


def probe_file(data_dir: Path, job_id: str) -> Path:
    """The probe image (uint8, H x W x C) whose feature maps every snapshot holds."""
    return jobs_folder(data_dir, job_id) / "probe.npy"


class TrainingTooLong(ConvLensError):
    """The job ran past the time cap."""


def run_training(
    job_id: str, data_dir: Path, jobs: JobStore, max_seconds: float = math.inf
) -> None:
    """Run a queued job to its end: done, failed with the reason, or cancelled."""
    record = jobs.get(job_id)
    if record is None or record.state != JobState.queued:
        log.warning("Job %s is not waiting to run (%s); skipped.", job_id, record and record.state)
        return
    if jobs.cancel_requested(job_id):
        jobs.put(record.model_copy(update={"state": JobState.cancelled, "finished": now()}))
        return
    reporter = JobReporter(jobs, record, data_dir, max_seconds=max_seconds)
    try:
        model_id = _train(record, data_dir, reporter)
    except _Cancelled:
        reporter.finish(JobState.cancelled)
    except ConvLensError as exc:
        reporter.finish(JobState.failed, reason=exc)
    except Exception as exc:
        log.exception("Training job %s failed", job_id)
        reporter.finish(
            JobState.failed,
            reason=ConvLensError(
                "Training stopped with an error ({kind}: {error}). Try a smaller network or "
                "batch size; if it happens again, tell the server's admin.",
                kind=type(exc).__name__,
                error=str(exc)[:300],
            ),
        )
    else:
        reporter.finish(JobState.done, model=model_id)


class _Cancelled(Exception):
    pass


def _train(record: JobRecord, data_dir: Path, reporter: JobReporter) -> str:
    request = record.request
    x, y = dataset_store.load_arrays(data_dir, request.dataset)
    stack, _ = training_stack(request.architecture, x.shape[1:], len(record.classes))
    options = FitOptions(
        epochs=request.epochs,
        batch_size=request.batch_size,
        learning_rate=request.learning_rate,
        optimizer=request.optimizer,
        validation_split=request.validation_split,
        augment=request.augment,
        flips=request.flips,
        seed=request.seed,
    )
    model_id = store.new_model_id(record.name, set(store.stored_ids(data_dir)))
    try:
        fitted = fit_stack(stack, x, y, options, reporter, name=model_id)
    except TrainingCancelled:
        raise _Cancelled from None
    history = fitted.history
    evaluation = _evaluate(fitted, x, y, record.classes, options.batch_size)
    described: dict[str, str | int] = {
        "dataset": record.dataset,
        "architecture": record.architecture,
        "epochs": len(history),
    }
    metadata = ModelMetadata(
        id=model_id,
        name=record.name,
        description=TRAINED_HERE.format(**described),
        description_template=TRAINED_HERE,
        description_params=described,
        dataset=DatasetInfo(
            name=record.dataset,
            train_images=fitted.train_images,
            val_images=fitted.val_images,
        ),
        classes=record.classes,
        input=InputContract(
            shape=(int(x.shape[1]), int(x.shape[2]), int(x.shape[3])),
            range=(0.0, 1.0),
            background="",
            ink="",
            layout="the image stretched to the input size, as the dataset's images were",
            preprocessing="image",
            fit="stretch",
            scale="0..1",
        ),
        epochs=len(history),
        seed=request.seed,
        history=History(
            loss=[round(e.loss, 6) for e in history],
            accuracy=[round(e.accuracy, 6) for e in history],
            val_loss=[round(e.val_loss, 6) for e in history],
            val_accuracy=[round(e.val_accuracy, 6) for e in history],
        ),
        training=_training_info(record, fitted.seconds, len(history)),
        evaluation=evaluation,
    )
    work = Path(tempfile.mkdtemp(prefix="train-", dir=store.work_folder(data_dir)))
    try:
        save_weights(work / store.WEIGHTS_DIR, layer_weights(fitted.model))
        stack_json = TypeAdapter(Stack).dump_json(stack).decode()
        store.store_model(
            data_dir,
            stack_json,
            work / store.WEIGHTS_DIR,
            metadata,
            record.token_sha256,
            "trained",
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return model_id


def _evaluate(
    fitted: Fitted, x: NDArray[np.uint8], y: NDArray[np.int32], classes: list[str], batch: int
) -> Evaluation:
    import keras

    images = x[fitted.val_at]
    outputs = fitted.model.predict(images / np.float32(255), batch_size=batch, verbose=0)
    if fitted.logits:
        outputs = keras.ops.convert_to_numpy(keras.activations.softmax(outputs))
    return evaluate(np.asarray(outputs), y[fitted.val_at], images, classes)


def _training_info(record: JobRecord, seconds: float, epochs: int) -> TrainingInfo:
    import keras
    import tensorflow as tf

    request = record.request
    return TrainingInfo.model_validate(
        {
            "optimizer": request.optimizer,
            "learning_rate": request.learning_rate,
            "batch_size": request.batch_size,
            "loss": "sparse_categorical_crossentropy",
            "seconds": round(seconds, 1),
            "seconds_per_epoch": round(seconds / max(epochs, 1), 2),
            "trained_on": now().date().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "architecture": record.architecture,
            "validation_split": request.validation_split,
            "augment": request.augment,
            "flips": request.flips,
            "job": record.id,
        }
    )


def _finite(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None


class JobReporter:
    """The job's record as training goes: the :class:`app.ml.fit.FitWatcher` of a job."""

    def __init__(
        self,
        jobs: JobStore,
        record: JobRecord,
        data_dir: Path,
        clock: Callable[[], float] = time.monotonic,
        max_seconds: float = math.inf,
    ) -> None:
        self.jobs = jobs
        self.data_dir = data_dir
        self.clock = clock
        self.max_seconds = max_seconds
        self.began = clock()
        self.lock = threading.Lock()
        self.last_write = 0.0
        self.last_check = 0.0
        self.epoch_started = clock()
        self.stopped = threading.Event()
        self.record = record
        worker = f"{socket.gethostname()}:{os.getpid()}"
        self._write(state=JobState.running, started=now(), worker=worker)
        self.beat = threading.Thread(target=self._heartbeat, name=f"heartbeat-{record.id}")
        self.beat.daemon = True
        self.beat.start()

    def started(self, batches: int, filter_layer: str | None, probe: Probe) -> None:
        epochs = self.record.request.epochs
        progress = Progress(epoch=1, epochs=epochs, batch=0, batches=batches, fraction=0.0)
        path = probe_file(self.data_dir, self.record.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, probe.image, allow_pickle=False)
        self._write(
            progress=progress,
            filter_layer=filter_layer,
            probe_class=self.record.classes[probe.label],
        )
        self.epoch_started = self.clock()

    def snapshot(self, epoch: int, kernel: NDArray[np.float32], maps: NDArray[np.float32]) -> None:
        path = snapshot_file(self.data_dir, self.record.id, epoch)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as file:
            np.savez(file, kernel=kernel, maps=maps)
        self._write(filter_epochs=[*self.record.filter_epochs, epoch])

    def batch_done(self, epoch: int, batch: int, loss: float, accuracy: float) -> None:
        if self.clock() - self.last_write < 1 / UPDATES_PER_SECOND:
            return
        progress = self.record.progress
        assert progress is not None
        done = (epoch - 1 + batch / progress.batches) / progress.epochs
        in_epoch = self.clock() - self.epoch_started
        self._write(
            progress=progress.model_copy(
                update={
                    "epoch": epoch,
                    "batch": batch,
                    "fraction": round(done, 4),
                    "loss": _finite(loss),
                    "accuracy": _finite(accuracy),
                }
            ),
            seconds_left=self._seconds_left(epoch - 1, batch / progress.batches, in_epoch),
        )

    def epoch_done(self, numbers: EpochNumbers) -> None:
        history = [
            *self.record.history,
            EpochResult(
                epoch=numbers.epoch,
                loss=_finite(numbers.loss),
                accuracy=_finite(numbers.accuracy),
                val_loss=_finite(numbers.val_loss),
                val_accuracy=_finite(numbers.val_accuracy),
                seconds=round(numbers.seconds, 3),
            ),
        ]
        progress = self.record.progress
        assert progress is not None
        per_epoch = sum(e.seconds for e in history) / len(history)
        self.epoch_started = self.clock()
        self._write(
            history=history,
            seconds_per_epoch=round(per_epoch, 3),
            seconds_left=round(per_epoch * (progress.epochs - numbers.epoch), 1),
            progress=progress.model_copy(
                update={
                    "epoch": min(numbers.epoch + 1, progress.epochs),
                    "batch": 0 if numbers.epoch < progress.epochs else progress.batches,
                    "fraction": round(numbers.epoch / progress.epochs, 4),
                }
            ),
        )

    def should_stop(self) -> bool:
        """True when the job was cancelled; :class:`TrainingTooLong` past the time cap."""
        if self.clock() - self.last_check < 1 / UPDATES_PER_SECOND:
            return False
        self.last_check = self.clock()
        if self.clock() - self.began > self.max_seconds:
            raise TrainingTooLong(
                "Training was stopped after {seconds:,.0f} s, the most one job may "
                "take here (setting CONVLENS_MAX_TRAINING_SECONDS); what it had trained is "
                "lost. Train for fewer epochs, on fewer or smaller images, or a smaller network.",
                seconds=self.max_seconds,
            )
        return self.jobs.cancel_requested(self.record.id)

    def finish(
        self, state: JobState, reason: ConvLensError | None = None, model: str | None = None
    ) -> None:
        """The job's end; a failed job's ``reason`` is kept with its template (translated when
        read, :meth:`JobRecord.status`)."""
        self.stopped.set()
        self._write(
            state=state,
            **(failure(reason) if reason is not None else {"reason": None}),
            model=model,
            finished=now(),
            seconds_left=None if state != JobState.done else 0.0,
        )

    def _seconds_left(self, epochs_done: int, epoch_fraction: float, in_epoch: float) -> float:
        history = self.record.history
        epochs = self.record.request.epochs
        if history:
            per_epoch = sum(e.seconds for e in history) / len(history)
        elif epoch_fraction > 0:
            per_epoch = in_epoch / epoch_fraction
        else:
            return math.nan
        return round(max(per_epoch * (epochs - epochs_done) - in_epoch, 0.0), 1)

    def _heartbeat(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            if self.clock() - self.last_write >= HEARTBEAT_SECONDS:
                self._write()

    def _write(self, **changes: object) -> None:
        with self.lock:
            if "seconds_left" in changes and changes["seconds_left"] is not None:
                left = changes["seconds_left"]
                assert isinstance(left, float)
                changes["seconds_left"] = left if math.isfinite(left) else None
            self.record = self.record.model_copy(
                update={**changes, "heartbeat": time.time(), "version": self.record.version + 1}
            )
            self.jobs.put(self.record)
            self.last_write = self.clock()
