"""Jobs on the queue: ``GET /api/jobs/{id}`` (and as server-sent events), ``DELETE`` cancels."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal, Protocol, TypeVar

import anyio
import numpy as np
from fastapi import APIRouter, Depends, Header, Path, Query, status
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import HTTPConnection

from app.api.images import base64_png
from app.core.heatmap import Scale, colorize, scale_for_range
from app.errors import InvalidParameter, UnknownResource
from app.jobs.queue import JobQueue
from app.jobs.training import probe_file, snapshot_file
from app.ml.forward import channels_first, filter_grid
from app.ml.store import Forbidden
from app.schemas.common import ErrorResponse
from app.schemas.training import FINISHED, MAX_EPOCHS, EpochSnapshot, JobState, JobStatus

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


# Filters sent by default: the first 64 (a 5x5 grid of 64 filters is already 660 px wide).
SNAPSHOT_FILTERS = 64


@router.get(
    "/{job_id}/epochs/{epoch}",
    response_model=EpochSnapshot,
    response_model_exclude_none=True,
    responses={404: {"model": ErrorResponse, "description": "No such job, or epoch not kept."}},
)
def job_epoch(
    job_id: JobId,
    epoch: Annotated[
        int,
        Path(
            ge=0,
            le=MAX_EPOCHS,
            description="0: the initial weights; n: after epoch n.",
            examples=[1],
        ),
    ],
    jobs: JobsDep,
    format: Annotated[
        Literal["png", "numbers"],
        Query(description="png: pictures coloured with the scale; numbers: the values."),
    ] = "png",
    filters: Annotated[
        str | None,
        Query(
            max_length=11,
            pattern=r"^\s*\d{1,5}\s*(-\s*\d{1,5}\s*)?$",
            description=f"The filters to send, 'first-last' from 0; the first {SNAPSHOT_FILTERS} "
            "if left out. Value ranges and scales stay the whole layer's.",
            examples=["0-5"],
        ),
    ] = None,
) -> dict[str, Any]:
    """The first convolution's filters, and its feature maps of one fixed held-out image, as
    they were after an epoch: scrub through them to watch the filters form."""
    job = jobs.status(job_id)
    path = snapshot_file(jobs.settings.data_dir, job_id, epoch)
    if epoch not in job.filter_epochs or job.filter_layer is None or not path.is_file():
        kept = ", ".join(map(str, job.filter_epochs)) or "none yet"
        raise UnknownResource(
            "Job {job_id} has no snapshot of epoch {epoch}. Kept so far: {kept} (0 is before "
            "training; a network without a convolution keeps none).",
            job_id=repr(job_id),
            epoch=epoch,
            kept=kept,
        )
    with np.load(path, allow_pickle=False) as saved:
        kernel, maps = saved["kernel"], saved["maps"]
    probe = np.load(probe_file(jobs.settings.data_dir, job_id), allow_pickle=False)
    count = kernel.shape[3]
    first, last = _filter_range(filters, count)
    kernel_scale, kernel_low, kernel_high = scale_for_range(kernel)
    maps_scale, maps_low, maps_high = scale_for_range(maps)
    sent_kernel, sent_maps = kernel[..., first : last + 1], maps[..., first : last + 1]
    answer_filters: dict[str, Any] = {
        "kernel_shape": list(kernel.shape),
        "value_range": [kernel_low, kernel_high],
        "scale": _scale(kernel_scale),
    }
    answer_maps: dict[str, Any] = {
        "shape": list(maps.shape),
        "value_range": [maps_low, maps_high],
        "scale": _scale(maps_scale),
    }
    if format == "png":
        answer_filters["grid"] = base64_png(
            colorize(filter_grid(sent_kernel), kernel_scale), "deflate"
        )
        answer_maps["tiles"] = [
            base64_png(colorize(m, maps_scale), "deflate") for m in channels_first(sent_maps)
        ]
    else:
        answer_filters["kernels"] = np.transpose(sent_kernel, (3, 2, 0, 1)).tolist()
        answer_maps["maps"] = channels_first(sent_maps).tolist()
    return {
        "job": job_id,
        "epoch": epoch,
        "epochs": job.filter_epochs,
        "layer": job.filter_layer,
        "channels": [first, last],
        "probe_class": job.probe_class or "",
        "probe_image": base64_png(probe[:, :, 0] if probe.shape[2] == 1 else probe, "deflate"),
        "filters": answer_filters,
        "maps": answer_maps,
    }


def _filter_range(text: str | None, count: int) -> tuple[int, int]:
    if text is None:
        return 0, min(count, SNAPSHOT_FILTERS) - 1
    low, _, high = text.partition("-")
    first, last = int(low), int(high or low)
    if not first <= last < count or last - first >= SNAPSHOT_FILTERS:
        raise InvalidParameter(
            "filters={filters} is not a range of this layer's {count} filters, 0 to {last_filter}, "
            "of at most {snapshot_filters}. Ask for 'first-last' with first <= last, e.g. "
            "filters=0-{example_last}.",
            filters=repr(text.strip()),
            count=count,
            last_filter=count - 1,
            snapshot_filters=SNAPSHOT_FILTERS,
            example_last=min(count, SNAPSHOT_FILTERS) - 1,
        )
    return first, last


def _scale(scale: Scale) -> dict[str, Any]:
    return {"colormap": scale.colormap, "min": scale.min, "max": scale.max}


@router.get(
    "/{job_id}/events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-sent events."}},
)
async def job_events(job_id: JobId, jobs: JobsDep) -> EventSourceResponse:
    """The job's state as server-sent events: "progress" on every update, then one "end"."""
    first = await anyio.to_thread.run_sync(jobs.status, job_id)  # 404 before the stream opens
    return EventSourceResponse(_events(jobs, first))


def _events(jobs: JobQueue, job: JobStatus) -> AsyncIterator[ServerSentEvent]:
    return status_events(job, lambda: jobs.status(job.id))


class Followed(Protocol):
    """A job's or a work's status, as its event stream follows it."""

    state: JobState
    version: int

    def model_dump_json(self) -> str: ...


S = TypeVar("S", bound=Followed)


async def status_events(first: S, fetch: Callable[[], S]) -> AsyncIterator[ServerSentEvent]:
    """ "progress" on every change of ``fetch()`` (looked at every :data:`EVENTS_POLL_SECONDS`,
    in a thread), then one "end" when it has ended."""
    status, sent = first, None
    while True:
        finished = status.state in FINISHED
        shown = (status.state, status.version, getattr(status, "place", None))
        if finished or shown != sent:
            event = "end" if finished else "progress"
            yield ServerSentEvent(data=status.model_dump_json(), event=event)
            sent = shown
        if finished:
            return
        await anyio.sleep(EVENTS_POLL_SECONDS)
        status = await anyio.to_thread.run_sync(fetch)


def bearer_token(authorization: str | None, refusal: Forbidden) -> str:
    """The token of an 'Authorization: Bearer <token>' header, or ``refusal``, which says which
    token is needed, where it came from, and how to send it."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise refusal
    return token.strip()


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
    refusal = Forbidden(
        "Cancelling a job needs the cancel_token POST /api/training returned, sent as the "
        "header 'Authorization: Bearer <token>'."
    )
    return jobs.cancel(job_id, bearer_token(authorization, refusal))
