"""The job queue: one Huey instance (SQLite in the data folder, or Redis), the training task
registered on it, and the job records beside the queue in the same storage.

Huey is the engine: ``SqliteHuey`` needs no server, ``RedisHuey`` lets ``convlens worker``
processes on many machines share one queue, with the same task code. Tasks carry only the job
id; everything else is in the job's record (:mod:`app.jobs.records`).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import numpy as np
from huey import Huey, RedisHuey, SqliteHuey
from numpy.typing import NDArray

from app.config import Settings
from app.errors import ConvLensError, InvalidParameter, UnknownResource
from app.jobs.architectures import training_stack
from app.jobs.records import JobRecord, JobStore, now
from app.jobs.training import run_training
from app.jobs.works import WORK_TASK, WorkRecord, WorkStatus, WorkStore, run_work, save_input
from app.ml import dataset_store
from app.ml.store import Forbidden, token_hash
from app.schemas.training import JobState, JobStatus, TrainingRequest

QUEUE_NAME = "convlens"
TASK_NAME = "train"


class QueueFull(ConvLensError):
    status_code = 429
    headers: ClassVar[dict[str, str] | None] = {"Retry-After": "60"}


class JobFinished(ConvLensError):
    status_code = 409


def _finished(kind: str, job_id: str, state: JobState) -> JobFinished:
    """A finished job (``kind`` "job") or work cannot be cancelled: a sentence per state."""
    if kind == "job" and state == JobState.done:
        return JobFinished(
            "Job {job!r} is already done; only a queued or running job can be cancelled.",
            job=job_id,
        )
    if kind == "job" and state == JobState.failed:
        return JobFinished(
            "Job {job!r} is already failed; only a queued or running job can be cancelled.",
            job=job_id,
        )
    if kind == "job":
        return JobFinished(
            "Job {job!r} is already cancelled; only a queued or running job can be cancelled.",
            job=job_id,
        )
    if state == JobState.done:
        return JobFinished(
            "Work {work!r} is already done; only a queued or running one can be cancelled.",
            work=job_id,
        )
    if state == JobState.failed:
        return JobFinished(
            "Work {work!r} is already failed; only a queued or running one can be cancelled.",
            work=job_id,
        )
    return JobFinished(
        "Work {work!r} is already cancelled; only a queued or running one can be cancelled.",
        work=job_id,
    )


def make_huey(settings: Settings) -> Huey:
    if settings.queue_url:
        return RedisHuey(QUEUE_NAME, url=settings.queue_url, results=False)
    return SqliteHuey(QUEUE_NAME, filename=str(queue_file(settings.data_dir)), results=False)


def queue_file(data_dir: Path) -> Path:
    folder = data_dir / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "queue.db"


class JobQueue:
    def __init__(self, settings: Settings, on_submit: Callable[[], None] | None = None) -> None:
        self.settings = settings
        self.huey = make_huey(settings)
        self.jobs = JobStore(self.huey.storage)
        self.on_submit = on_submit
        data_dir, jobs = settings.data_dir, self.jobs

        max_seconds = settings.max_training_seconds

        def train(job_id: str) -> None:
            run_training(job_id, data_dir, jobs, max_seconds)

        self.train_task = self.huey.task(name=TASK_NAME)(train)
        self.works = WorkStore(self.huey.storage)
        works = self.works

        def work(work_id: str) -> None:
            run_work(work_id, settings, works)

        self.work_task = self.huey.task(name=WORK_TASK)(work)

    def pending(self) -> int:
        return int(self.huey.pending_count())

    def submit(self, request: TrainingRequest, client: str = "") -> tuple[JobStatus, str]:
        """Queue a training job after checking what can be checked before it runs; returns its
        status and the token that cancels it. ``client`` is the caller's address."""
        try:
            dataset = dataset_store.dataset_detail(
                self.settings.data_dir, request.dataset, touch=False
            )
        except UnknownResource:
            raise dataset_store.unknown_in_request(
                self.settings.data_dir, request.dataset
            ) from None
        classes = [c.name for c in dataset.classes]
        _, summary = training_stack(request.architecture, dataset.image_shape, len(classes))
        cap = self.settings.max_training_params
        if summary.total_params > cap:
            raise InvalidParameter(
                "The network has {count:,} parameters on this dataset's {shape} images; "
                "networks trained here may have at most {limit:,} (setting "
                "CONVLENS_MAX_TRAINING_PARAMS). Use fewer filters or units, or pool before the "
                "first Dense layer.",
                count=summary.total_params,
                shape="x".join(map(str, dataset.image_shape)),
                limit=cap,
            )
        self._check_full()
        client_key, active = self._client_room(client)
        token = secrets.token_urlsafe(24)
        record = JobRecord(
            id=secrets.token_hex(8),
            state=JobState.queued,
            name=request.name or f"{dataset.name} {request.architecture_name}",
            dataset=request.dataset,
            architecture=request.architecture_name,
            classes=classes,
            image_shape=dataset.image_shape,
            params=summary.total_params,
            request=request,
            created=now(),
            token_sha256=token_hash(token),
        )
        self.jobs.put(record)
        self.jobs.set_client_jobs(client_key, [*active, record.id])
        self.huey.enqueue(self.train_task.s(record.id, id=record.id))
        if self.on_submit is not None:
            self.on_submit()
        return self.status(record.id), token

    def submit_work(
        self, record: WorkRecord, data: NDArray[np.uint8] | bytes | None, client: str = ""
    ) -> tuple[WorkStatus, str | None]:
        """Queue a work unless the same one is queued, running or done; returns its status and,
        when this call queued it, the token that cancels it."""
        existing = self.works.get(record.id)
        if existing is not None and not existing.retry:
            return existing.status(), None
        self._check_full()
        client_key, active = self._client_room(client)
        token = secrets.token_urlsafe(24)
        save_input(self.settings.data_dir, record.id, data)
        record = record.model_copy(update={"token_sha256": token_hash(token), "created": now()})
        self.works.clear_cancel(record.id)
        self.works.put(record)
        self.jobs.set_client_jobs(client_key, [*active, record.id])
        self.huey.enqueue(
            self.work_task.s(record.id, id=f"work-{record.id}-{secrets.token_hex(4)}")
        )
        if self.on_submit is not None:
            self.on_submit()
        return record.status(), token

    def work_status(self, work_id: str) -> WorkStatus:
        return self._work(work_id).status()

    def cancel_work(self, work_id: str, token: str) -> WorkStatus:
        record = self._work(work_id)
        if not hmac.compare_digest(record.token_sha256, token_hash(token)):
            raise Forbidden(
                "The token does not match work {work!r}. Only the cancel_token of the request "
                "that queued it cancels it; send it as 'Authorization: Bearer <token>'.",
                work=work_id,
            )
        status = record.status()
        if status.state not in (JobState.queued, JobState.running):
            raise _finished("work", work_id, status.state)
        self.works.request_cancel(work_id)
        if status.state == JobState.queued:
            self.works.put(
                record.model_copy(update={"state": JobState.cancelled, "finished": now()})
            )
        return self.work_status(work_id)

    def _work(self, work_id: str) -> WorkRecord:
        record = self.works.get(work_id)
        if record is None:
            raise UnknownResource(
                "There is no work {work!r}. Work ids are what POST "
                "/api/models/{{id}}/deepdream, or a long explanation, returned.",
                work=work_id[:40],
            )
        return record

    def _check_full(self) -> None:
        most = self.settings.max_queued_jobs
        if self.pending() >= most and most == 1:
            raise QueueFull(
                "The job queue is full: it holds {count:,} waiting job (setting "
                "CONVLENS_MAX_QUEUED_JOBS). Try again in a minute or two (Retry-After), when "
                "some have run.",
                count=most,
            )
        if self.pending() >= most:
            raise QueueFull(
                "The job queue is full: it holds {count:,} waiting jobs (setting "
                "CONVLENS_MAX_QUEUED_JOBS). Try again in a minute or two (Retry-After), when "
                "some have run.",
                count=most,
            )

    def _client_room(self, client: str) -> tuple[str, list[str]]:
        """The client's key and its active jobs, or :class:`QueueFull` when it has its fill."""
        client_key = token_hash(f"client:{client}")
        active = [job_id for job_id in self.jobs.client_jobs(client_key) if self._active(job_id)]
        per_client = self.settings.max_jobs_per_client
        if len(active) >= per_client and len(active) == 1:
            raise QueueFull(
                "You already have {count} job queued or running; one client may have at most "
                "{limit} at once (setting CONVLENS_MAX_JOBS_PER_CLIENT). Wait for one to end, or "
                "cancel one, then ask again.",
                count=len(active),
                limit=per_client,
            )
        if len(active) >= per_client:
            raise QueueFull(
                "You already have {count} jobs queued or running; one client may have at most "
                "{limit} at once (setting CONVLENS_MAX_JOBS_PER_CLIENT). Wait for one to end, or "
                "cancel one, then ask again.",
                count=len(active),
                limit=per_client,
            )
        return client_key, active

    def status(self, job_id: str) -> JobStatus:
        record = self._record(job_id)
        if record.state == JobState.queued:
            if self.jobs.cancel_requested(job_id):
                return record.model_copy(update={"state": JobState.cancelled}).status()
            return record.status(place=self._place(job_id))
        return record.status()

    def cancel(self, job_id: str, token: str) -> JobStatus:
        record = self._record(job_id)
        if not hmac.compare_digest(record.token_sha256, token_hash(token)):
            raise Forbidden(
                "The token does not match job {job!r}. Only the cancel_token that POST "
                "/api/training returned cancels it; send it as 'Authorization: Bearer <token>'.",
                job=job_id,
            )
        status = self.status(job_id)
        if status.state not in (JobState.queued, JobState.running):
            raise _finished("job", job_id, status.state)
        self.jobs.request_cancel(job_id)
        return self.status(job_id)

    def _active(self, job_id: str) -> bool:
        """A training job or a work of a client's, still queued or running."""
        record = self.jobs.get(job_id)
        if record is not None and not self.jobs.cancel_requested(job_id):
            return record.status().state in (JobState.queued, JobState.running)
        work = self.works.get(job_id)
        return work is not None and work.status().state in (JobState.queued, JobState.running)

    def _record(self, job_id: str) -> JobRecord:
        record = self.jobs.get(job_id)
        if record is None:
            raise UnknownResource(
                "There is no job {job!r}. Job ids are what POST /api/training returned.",
                job=job_id[:40],
            )
        return record

    def _place(self, job_id: str) -> int | None:
        waiting = [
            task.id for task in self.huey.pending() if not self.jobs.cancel_requested(task.id)
        ]
        return waiting.index(job_id) + 1 if job_id in waiting else None
