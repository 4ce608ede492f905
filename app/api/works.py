"""Long explanations as jobs: ``POST /api/models/{id}/deepdream``, then ``/api/works/{id}``."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
import numpy as np
from fastapi import APIRouter, Form, Header, Path, Request, UploadFile, status
from fastapi.responses import FileResponse, JSONResponse
from numpy.typing import NDArray
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse

from app.api.deps import RegistryDep, SettingsDep
from app.api.images import read_image, read_upload
from app.api.jobs import JobsDep, bearer_token, status_events
from app.api.models import MAX_MODEL_ID
from app.config import Settings
from app.core.model_input import photo_pixels
from app.errors import UnknownResource
from app.jobs.queue import JobQueue
from app.jobs.records import now
from app.jobs.works import (
    DreamOptions,
    Kind,
    WorkRecord,
    WorkStatus,
    model_version,
    pixels_key,
    work_folder,
    work_id,
)
from app.ml import deepdream as dd
from app.ml.loaded import LoadedModel
from app.ml.store import Forbidden
from app.schemas.common import ErrorResponse
from app.schemas.form_fields import IMAGE_FILE, NamesAcceptedFields
from app.schemas.training import JobState

router = APIRouter(tags=["works"])

EVENTS_POLL_SECONDS = 0.25
WorkId = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-f]{24}$",
        description="A work id, as POST /api/models/{id}/deepdream returned it.",
        examples=["0123456789abcdef01234567"],
    ),
]


PhotoModelId = Annotated[
    str,
    Path(
        max_length=MAX_MODEL_ID,
        description="A model that takes photos (GET /api/models: preprocessing image).",
        examples=["colour-shapes"],
    ),
]


class DeepDreamForm(NamesAcceptedFields):
    image: UploadFile = Field(description=IMAGE_FILE)
    layers: str | None = Field(
        default=None,
        max_length=400,
        description=f"Comma-separated layers with feature maps whose mean output the dream "
        f"raises, at most {dd.MAX_LAYERS}; the last such layer if left out. Early layers give "
        "strokes and textures, later ones shapes.",
    )
    octaves: int = Field(
        default=dd.DEFAULT_OCTAVES,
        ge=1,
        le=dd.MAX_OCTAVES,
        description="Sizes the photo is dreamt at, smallest first, each octave_scale larger.",
    )
    octave_scale: float = Field(
        default=dd.DEFAULT_OCTAVE_SCALE,
        ge=1.1,
        le=2.0,
        allow_inf_nan=False,
        description="How much larger each octave is than the one before.",
    )
    steps: int = Field(
        default=dd.DEFAULT_STEPS, ge=1, le=dd.MAX_STEPS, description="Steps at each octave."
    )
    step_size: float = Field(
        default=dd.DEFAULT_STEP_SIZE,
        gt=0,
        le=dd.MAX_STEP_SIZE,
        allow_inf_nan=False,
        description="Each step's size, as a fraction of the input's value range.",
    )
    side: int = Field(
        default=dd.DEFAULT_SIDE,
        ge=8,
        le=dd.MAX_SIDE,
        description="The dream's longer side in pixels; the photo is shrunk to it.",
    )
    seed: int = Field(
        default=0, ge=0, le=2**32 - 1, description="The seed of the tiles' random shifts."
    )


class WorkCreated(WorkStatus):
    cancel_token: str | None = Field(
        default=None,
        description="Send as 'Authorization: Bearer <token>' to DELETE /api/works/{id}. Only "
        "the request that queued the work gets one; a request for a work already queued, "
        "running or done gets its status and none.",
    )


@router.post(
    "/api/models/{model_id}/deepdream",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=WorkCreated,
    responses={
        200: {"model": WorkCreated, "description": "The same dream was already made: its result."},
        429: {"model": ErrorResponse, "description": "The queue is full, or you have your fill."},
    },
)
def deepdream(
    model_id: PhotoModelId,
    form: Annotated[DeepDreamForm, Form(media_type="multipart/form-data")],
    request: Request,
    registry: RegistryDep,
    settings: SettingsDep,
    jobs: JobsDep,
) -> Any:
    """DeepDream a photo: change it to excite the chosen layers more, octave by octave. It runs
    as a job on the queue; the same model, photo and options always give the same work id, so
    a dream asked for twice is made once and shared at /api/works/{id}."""
    loaded = registry.get_model(model_id)
    layers = tuple(n.strip() for n in (form.layers or "").split(",") if n.strip()) or None
    channels = loaded.input_shape[2]
    photo = photo_pixels(read_image(form.image, settings).pixels, channels, form.side)
    plan = dd.plan_deepdream(
        loaded,
        (photo.shape[0], photo.shape[1]),
        layers,
        form.octaves,
        form.octave_scale,
        form.steps,
        form.step_size,
        form.side,
        form.seed,
    )
    options = DreamOptions(
        layers=plan.layers,
        octaves=plan.octaves,
        octave_scale=plan.octave_scale,
        steps=plan.steps,
        step_size=plan.step_size,
        side=plan.side,
        seed=plan.seed,
    )
    return queue_work(
        "deepdream", loaded, options.model_dump(mode="json"), photo, request, settings, jobs
    )


def queue_work(
    kind: Kind,
    loaded: LoadedModel,
    options: dict[str, Any],
    data: NDArray[np.uint8] | bytes | None,
    request: Request,
    settings: Settings,
    jobs: JobQueue,
) -> JSONResponse:
    """Queue ``kind`` of work unless the same one exists: 202 with its status (and the token
    when this request queued it), or 200 when it is already done; Location: its status."""
    version = model_version(settings.models_dir, settings.data_dir, loaded.id)
    key_data = pixels_key(data) if isinstance(data, np.ndarray) else (data or b"")
    key = work_id(kind, loaded.id, version, key_data, options)
    record = WorkRecord(
        id=key,
        kind=kind,
        state=JobState.queued,
        model=loaded.id,
        options=options,
        created=now(),
        url=f"/api/works/{key}",
        token_sha256="",
    )
    client = request.client.host if request.client else ""
    found, token = jobs.submit_work(record, data, client)
    answer = WorkCreated(**found.model_dump(), cancel_token=token)
    code = status.HTTP_200_OK if found.state == JobState.done else status.HTTP_202_ACCEPTED
    return JSONResponse(
        answer.model_dump(mode="json"), status_code=code, headers={"Location": found.url}
    )


def long_work(settings: Settings, work_values: int) -> bool:
    """Whether a request's work should run as a job (about a second or more here)."""
    return work_values > settings.job_work_values


async def queued_if_long(
    kind: Kind,
    loaded: LoadedModel,
    work_values: int,
    fields: BaseModel,
    request: Request,
    settings: Settings,
    jobs: JobQueue,
) -> JSONResponse | None:
    """A request that would take more than about a second, queued as a work (its ``fields``
    and upload, ``image``, kept to answer it later); None for one to answer at once."""
    if not long_work(settings, work_values):
        return None
    image = getattr(fields, "image", None)
    upload = None if image is None else await anyio.to_thread.run_sync(read_upload, image, settings)
    options = fields.model_dump(mode="json", exclude={"image"})
    return await anyio.to_thread.run_sync(
        queue_work, kind, loaded, options, upload, request, settings, jobs
    )


WORK_ANSWER: dict[int | str, dict[str, Any]] = {
    202: {
        "model": WorkCreated,
        "description": "The work would take more than about a second: it was queued as a job. "
        "Follow its url (GET /api/works/{id}); when done, its answer is this request's answer.",
    },
    429: {
        "model": ErrorResponse,
        "description": "It would be a job, but the queue is full or you have your fill of jobs.",
    },
}


@router.get("/api/works/{work_id}", response_model=WorkStatus)
def get_work(work_id: WorkId, jobs: JobsDep) -> WorkStatus:
    """A work's state and progress; when done, the URLs of its pictures."""
    return jobs.work_status(work_id)


@router.get(
    "/api/works/{work_id}/events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-sent events."}},
)
async def work_events(work_id: WorkId, jobs: JobsDep) -> EventSourceResponse:
    """The work's state as server-sent events: "progress" on every update, then one "end"."""
    first = await anyio.to_thread.run_sync(jobs.work_status, work_id)
    return EventSourceResponse(status_events(first, lambda: jobs.work_status(work_id)))


@router.get(
    "/api/works/{work_id}/{picture}.png",
    response_class=FileResponse,
    responses={
        200: {"content": {"image/png": {}}, "description": "The picture."},
        404: {"model": ErrorResponse, "description": "No such work, or not done."},
    },
)
def work_picture(
    work_id: WorkId,
    picture: Annotated[
        str,
        Path(
            pattern=r"^(dream|start)$",
            description="dream, or start: the photo as it began.",
            examples=["dream"],
        ),
    ],
    jobs: JobsDep,
    settings: SettingsDep,
) -> FileResponse:
    """A done work's picture, at the URL its status gives; it never changes."""
    work = jobs.work_status(work_id)
    path = work_folder(settings.data_dir, work_id) / f"{picture}.png"
    if work.state != JobState.done or not path.is_file():
        raise UnknownResource(
            "Work {work_id} is {state}: its pictures are there once it is done (GET "
            "/api/works/{id} says when).",
            work_id=repr(work_id),
            state=work.state.value,
            id=work_id,
        )
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "max-age=86400"})


@router.get(
    "/api/works/{work_id}/answer",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/json": {}}, "description": "The request's answer."},
        404: {"model": ErrorResponse, "description": "No such work, or not done."},
    },
)
def work_answer(work_id: WorkId, jobs: JobsDep, settings: SettingsDep) -> FileResponse:
    """A done work's answer: for an explanation, patterns or dreams, the JSON the request would
    have given at once; for a DeepDream, its result."""
    work = jobs.work_status(work_id)
    path = work_folder(settings.data_dir, work_id) / "answer.json"
    if work.state != JobState.done or not path.is_file():
        raise UnknownResource(
            "Work {work_id} is {state}: its answer is there once it is done (GET "
            "/api/works/{id} says when).",
            work_id=repr(work_id),
            state=work.state.value,
            id=work_id,
        )
    return FileResponse(path, media_type="application/json")


@router.delete(
    "/api/works/{work_id}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=WorkStatus,
    responses={
        403: {"model": ErrorResponse, "description": "Not the work's token."},
        409: {"model": ErrorResponse, "description": "The work has already ended."},
    },
)
def cancel_work(
    work_id: WorkId,
    jobs: JobsDep,
    authorization: Annotated[
        str | None,
        Header(
            description="Bearer <cancel_token>, as the request that queued it got.", max_length=200
        ),
    ] = None,
) -> WorkStatus:
    """Cancel a queued or running work, with its token."""
    refusal = Forbidden(
        "Cancelling a work needs the cancel_token the request that queued it got, sent as the "
        "header 'Authorization: Bearer <token>'."
    )
    return jobs.cancel_work(work_id, bearer_token(authorization, refusal))
