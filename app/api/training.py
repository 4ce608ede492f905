"""``POST /api/training``: train a network on your dataset, as a job on the queue."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from app.api.jobs import JobsDep
from app.jobs.architectures import RECIPE_INPUTS, RECIPES
from app.schemas.common import ErrorResponse
from app.schemas.training import RecipeInfo, TrainingCreated, TrainingRequest

router = APIRouter(prefix="/api/training", tags=["training"])


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=TrainingCreated,
    responses={
        429: {
            "model": ErrorResponse,
            "description": "The queue is full, or you have as many jobs running as one client may.",
        }
    },
)
def start_training(
    request: TrainingRequest, jobs: JobsDep, http_request: Request
) -> TrainingCreated:
    """Queue a training job; the network is checked against the dataset before it is queued."""
    client = http_request.client.host if http_request.client else ""
    job, token = jobs.submit(request, client)
    return TrainingCreated(id=job.id, cancel_token=token, status=job)


@router.get("/recipes", response_model=list[RecipeInfo])
def training_recipes() -> list[RecipeInfo]:
    """The recipes' layers, as training builds them: to show one, or to edit it into a stack."""
    return [
        RecipeInfo(name=name, input_shape=list(RECIPE_INPUTS[name]), layers=list(build()))
        for name, build in RECIPES.items()
    ]
