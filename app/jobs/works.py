"""Long explanations as jobs on the training queue: DeepDream, and any explanation, patterns
or dreams request whose work would take more than about a second.

A work's id is its cache key: the hash of what it is made of (the kind, the model and the
version of its files, the photo's pixels and the options), so the same request asked twice,
by anyone, is the same work: it is queued once, and once done its result is served from the
data folder at a stable URL (``/api/works/<id>``) that a teacher can share.

The record sits beside the training jobs' records in the queue's storage
(:class:`app.jobs.records.JobStore`, key ``work:<id>``); the input and the result are files in
``<data>/works/<id>/``. The worker that runs it loads the model itself, from the models folder
or the data folder. A DeepDream reports its progress; an explanation, patterns or dreams
request is answered by the route's own code (:mod:`app.api.work_answers`, imported by the
worker when it runs one), and its answer is the JSON the request would have given at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from pydantic import BaseModel, Field

from app.config import Settings
from app.errors import ConvLensError
from app.i18n import gettext
from app.jobs.records import (
    HEARTBEAT_SECONDS,
    PRIVATE,
    STALE_SECONDS,
    failure,
    localized_reason,
    now,
)
from app.ml.loaded import LoadedModel
from app.schemas.training import FINISHED, JobState

log = logging.getLogger(__name__)
WORK_TASK = "work"
_PREFIX = "convlens."
PROGRESS_UPDATES_PER_SECOND = 4


class DreamOptions(BaseModel):
    layers: tuple[str, ...]
    octaves: int
    octave_scale: float
    steps: int
    step_size: float
    side: int
    seed: int


class DreamResult(BaseModel):
    image: str = Field(description="URL of the dream, a PNG.")
    start: str = Field(description="URL of the photo as the dream began, a PNG of the same size.")
    width: int = Field(description="Width of both pictures.")
    height: int = Field(description="Height of both pictures.")
    objective: float = Field(
        description="The sum over the layers of their mean output, for the dream (mean over "
        "the tiles of the model's input size)."
    )
    start_objective: float = Field(description="The same for the photo.")


Kind = Literal["deepdream", "explain", "patterns", "dreams"]
KINDS: tuple[Kind, ...] = get_args(Kind)


class WorkStatus(BaseModel):
    id: str = Field(description="The work's id: the same request always has the same id.")
    kind: Kind = Field(description="What it makes: a DeepDream, or a request's answer.")
    state: JobState = Field(description="queued, running, done, failed or cancelled.")
    model: str = Field(description="The model's id.")
    options: dict[str, Any] = Field(description="What was asked (DeepDream: with defaults).")
    reason: str | None = Field(default=None, description="Failed: why, and what to do.")
    progress: float | None = Field(default=None, description="Running: the fraction done.")
    created: datetime = Field(description="When it was first asked for (UTC).")
    started: datetime | None = Field(default=None, description="When it began (UTC).")
    finished: datetime | None = Field(default=None, description="When it ended (UTC).")
    result: DreamResult | None = Field(default=None, description="Done DeepDream: the pictures.")
    answer: str | None = Field(
        default=None,
        description="Done: URL of the answer: for explain, patterns or dreams the JSON the "
        "request would have given at once; for a DeepDream, its result.",
    )
    url: str = Field(description="Where this status is: share it, or its result.")
    version: int = Field(default=0, description="Grows with every update.")


class WorkRecord(WorkStatus):
    token_sha256: str
    heartbeat: float | None = None
    reason_template: str | None = None
    reason_params: dict[str, Any] = Field(default_factory=dict)

    def status(self) -> WorkStatus:
        shown = WorkStatus.model_validate(self.model_dump(exclude=PRIVATE))
        if shown.reason is not None and self.reason_template is not None:
            reason = localized_reason(shown.reason, self.reason_template, self.reason_params)
            shown = shown.model_copy(update={"reason": reason})
        stale = self.heartbeat is not None and time.time() - self.heartbeat > STALE_SECONDS
        if shown.state == JobState.running and stale:
            return shown.model_copy(
                update={
                    "state": JobState.failed,
                    "progress": None,
                    "reason": gettext(
                        "The worker that was dreaming stopped answering (it was stopped "
                        "or killed). Ask again: the same request starts it anew."
                    ),
                }
            )
        return shown

    @property
    def retry(self) -> bool:
        """Asked again, this record starts a new run: it failed or was cancelled."""
        return self.status().state in FINISHED and self.state != JobState.done


class WorkStore:
    """Work records by id, in the queue's storage, beside the training jobs' records."""

    def __init__(self, storage: Any) -> None:
        self.storage = storage

    def get(self, work_id: str) -> WorkRecord | None:
        raw = self.storage.peek_data(f"{_PREFIX}work:{work_id}")
        if not isinstance(raw, bytes | memoryview):
            return None
        return WorkRecord.model_validate_json(bytes(raw))

    def put(self, record: WorkRecord) -> None:
        self.storage.put_data(f"{_PREFIX}work:{record.id}", record.model_dump_json().encode())

    def request_cancel(self, work_id: str) -> None:
        self.storage.put_data(f"{_PREFIX}cancel:work:{work_id}", b"1")

    def clear_cancel(self, work_id: str) -> None:
        self.storage.pop_data(f"{_PREFIX}cancel:work:{work_id}")

    def cancel_requested(self, work_id: str) -> bool:
        return bool(self.storage.has_data_for_key(f"{_PREFIX}cancel:work:{work_id}"))


def work_folder(data_dir: Path, work_id: str) -> Path:
    return data_dir / "works" / work_id


def work_id(
    kind: Kind, model: str, model_version: str, data: bytes, options: dict[str, Any]
) -> str:
    """The cache key: the same kind, model files, input and options give the same id."""
    digest = hashlib.sha256()
    for part in (kind, model, model_version, json.dumps(options, sort_keys=True)):
        digest.update(part.encode() + b"\0")
    digest.update(data)
    return digest.hexdigest()[:24]


def pixels_key(pixels: NDArray[np.uint8]) -> bytes:
    """A photo's pixels, with their shape, as :func:`work_id` hashes them."""
    return json.dumps(list(pixels.shape)).encode() + b"\0" + np.ascontiguousarray(pixels).tobytes()


def model_version(models_dir: Path, data_dir: Path, model_id: str) -> str:
    """What changes when the model's files change: their sizes and modification times."""
    shipped = models_dir / f"{model_id}.keras"
    files = [shipped] if shipped.is_file() else sorted((data_dir / "models" / model_id).rglob("*"))
    stats = [(str(p.name), p.stat().st_size, p.stat().st_mtime_ns) for p in files if p.is_file()]
    return hashlib.sha256(json.dumps(stats).encode()).hexdigest()[:16]


def save_input(data_dir: Path, record_id: str, data: NDArray[np.uint8] | bytes | None) -> None:
    """A DeepDream's photo (pixels) as ``photo.png``, a request's upload as ``upload``."""
    folder = work_folder(data_dir, record_id)
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        (folder / "upload").write_bytes(data)
    elif data is not None:
        Image.fromarray(data[..., 0] if data.shape[2] == 1 else data).save(folder / "photo.png")


def run_work(record_id: str, settings: Settings, works: WorkStore) -> None:
    """Run a queued work to its end: done, failed with the reason, or cancelled."""
    data_dir, models_dir = settings.data_dir, settings.models_dir
    record = works.get(record_id)
    if record is None or record.state != JobState.queued:
        return
    reporter = _Reporter(works, record, settings.max_training_seconds)
    try:
        if works.cancel_requested(record_id):
            raise _Cancelled
        loaded = _load(models_dir, data_dir, record.model)
        if record.kind == "deepdream":
            result = _dream(loaded, data_dir, record, reporter)
            path = work_folder(data_dir, record.id) / "answer.json"
            path.write_text(result.model_dump_json())
            done: dict[str, Any] = {"result": result, "answer": f"{record.url}/answer"}
        else:
            done = {"answer": _answer(loaded, settings, record)}
    except _Cancelled:
        reporter.write(state=JobState.cancelled, finished=now(), progress=None)
    except ConvLensError as exc:
        reporter.write(state=JobState.failed, finished=now(), **failure(exc))
    except Exception as exc:
        log.exception("Work %s failed", record_id)
        stopped = ConvLensError(
            "The dream stopped with an error ({kind}: {error}). Try fewer octaves or steps; if "
            "it happens again, tell the server's admin.",
            kind=type(exc).__name__,
            error=str(exc)[:300],
        )
        reporter.write(state=JobState.failed, finished=now(), **failure(stopped))
    else:
        reporter.write(state=JobState.done, finished=now(), progress=1.0, **done)
    finally:
        reporter.stopped.set()


class _Cancelled(Exception):
    pass


class WorkTooLong(ConvLensError):
    pass


_MODELS: dict[tuple[str, str], LoadedModel] = {}


def _load(models_dir: Path, data_dir: Path, model_id: str) -> LoadedModel:
    from app.ml import store
    from app.ml.registry import load_model

    key = (model_id, model_version(models_dir, data_dir, model_id))
    if key not in _MODELS:
        shipped = models_dir / f"{model_id}.keras"
        loaded = load_model(shipped) if shipped.is_file() else store.load_stored(data_dir, model_id)
        _MODELS.clear()  # one model at a time in a worker's memory
        _MODELS[key] = loaded
    return _MODELS[key]


def _answer(loaded: LoadedModel, settings: Settings, record: WorkRecord) -> str:
    from app.api.work_answers import answer  # the route's own code builds the answer

    folder = work_folder(settings.data_dir, record.id)
    upload = folder / "upload"
    data = upload.read_bytes() if upload.is_file() else None
    body = answer(record.kind, loaded, record.options, data, settings)
    (folder / "answer.json").write_bytes(body)
    return f"/api/works/{record.id}/answer"


def _dream(
    loaded: LoadedModel, data_dir: Path, record: WorkRecord, reporter: _Reporter
) -> DreamResult:
    from app.ml.deepdream import deepdream, plan_deepdream

    folder = work_folder(data_dir, record.id)
    photo = np.asarray(Image.open(folder / "photo.png"))
    photo = photo.reshape(*photo.shape[:2], -1)
    options = DreamOptions.model_validate(record.options)
    plan = plan_deepdream(
        loaded,
        (photo.shape[0], photo.shape[1]),
        options.layers,
        options.octaves,
        options.octave_scale,
        options.steps,
        options.step_size,
        options.side,
        options.seed,
    )
    dream = deepdream(loaded, photo, plan, progress=reporter.progress)
    Image.fromarray(dream.picture).save(folder / "dream.png")
    Image.fromarray(dream.start).save(folder / "start.png")
    return DreamResult(
        image=f"/api/works/{record.id}/dream.png",
        start=f"/api/works/{record.id}/start.png",
        width=int(dream.picture.shape[1]),
        height=int(dream.picture.shape[0]),
        objective=dream.objective,
        start_objective=dream.start_objective,
    )


class _Reporter:
    def __init__(self, works: WorkStore, record: WorkRecord, max_seconds: float) -> None:
        self.works = works
        self.record = record
        self.max_seconds = max_seconds
        self.began = time.monotonic()
        self.last_write = 0.0
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.write(state=JobState.running, started=now(), progress=0.0)
        threading.Thread(target=self._heartbeat, daemon=True, name=f"beat-{record.id}").start()

    def progress(self, fraction: float) -> None:
        elapsed = time.monotonic() - self.began
        if elapsed > self.max_seconds:
            raise WorkTooLong(
                "The dream was stopped after {seconds:,.0f} s, the most one job may "
                "take here (setting CONVLENS_MAX_TRAINING_SECONDS). Ask for fewer octaves or "
                "steps, or a smaller side.",
                seconds=self.max_seconds,
            )
        if time.monotonic() - self.last_write >= 1 / PROGRESS_UPDATES_PER_SECOND:
            if self.works.cancel_requested(self.record.id):
                raise _Cancelled
            self.write(progress=round(fraction, 4))

    def write(self, **changes: object) -> None:
        with self.lock:
            self.record = self.record.model_copy(
                update={**changes, "heartbeat": time.time(), "version": self.record.version + 1}
            )
            self.works.put(self.record)
            self.last_write = time.monotonic()

    def _heartbeat(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            if time.monotonic() - self.last_write >= HEARTBEAT_SECONDS:
                self.write()
