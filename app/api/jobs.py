"""Jobs on the queue: ``GET /api/jobs/{id}`` (and as server-sent events), ``DELETE`` cancels."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Header, Path, status
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import HTTPConnection

from app.jobs.queue import JobQueue
from app.ml.store import Forbidden
from app.schemas.common import ErrorResponse
from app.schemas.training import FINISHED, JobStatus

router = APIRouter(prefix="/api/jobs", tags=["jobs"])

# How often the event stream looks at the job: the worker writes at most 4 updates a second.
EVENTS_POLL_SECONDS = 0.25


async def get_jobs(connection: HTTPConnection) -> JobQueue:
    jobs: JobQueue = connection.state.jobs
    return jobs


JobsDep = Annotated[JobQueue, Depends(get_jobs)]
JobId = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-f]{16}$",
        description="A job id, as POST /api/training returned it.",
        examples=["3f9a1c2b7d5e4a60"],
    ),
]


@router.get("/{job_id}", response_model=JobStatus)
def get_job(job_id: JobId, jobs: JobsDep) -> JobStatus:
    """A job's state, place in the queue, progress, per-epoch history and time left."""
    return jobs.status(job_id)


@router.get(
    "/{job_id}/events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-sent events."}},
)
async def job_events(job_id: JobId, jobs: JobsDep) -> EventSourceResponse:
    """The job's state as server-sent events: "progress" on every update, then one "end"."""
    first = await anyio.to_thread.run_sync(jobs.status, job_id)  # 404 before the stream opens
    return EventSourceResponse(_events(jobs, first))


async def _events(jobs: JobQueue, job: JobStatus) -> AsyncIterator[ServerSentEvent]:
    sent: tuple[object, ...] | None = None
    while True:
        finished = job.state in FINISHED
        shown = (job.state, job.version, job.place)
        if finished or shown != sent:
            event = "end" if finished else "progress"
            yield ServerSentEvent(data=job.model_dump_json(), event=event)
            sent = shown
        if finished:
            return
        await anyio.sleep(EVENTS_POLL_SECONDS)
        job = await anyio.to_thread.run_sync(jobs.status, job.id)


@router.delete(
    "/{job_id}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobStatus,
    responses={
        403: {"model": ErrorResponse, "description": "Not the job's token."},
        409: {"model": ErrorResponse, "description": "The job has already ended."},
    },
)
def cancel_job(
    job_id: JobId,
    jobs: JobsDep,
    authorization: Annotated[
        str | None,
        Header(
            description="Bearer <cancel_token>, as POST /api/training returned it.", max_length=200
        ),
    ] = None,
) -> JobStatus:
    """Cancel a queued or running job, with its token; a running one stops within 2 s."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Forbidden(
            "Cancelling a job needs the cancel_token POST /api/training returned, sent as the "
            "header 'Authorization: Bearer <token>'."
        )
    return jobs.cancel(job_id, token.strip())
