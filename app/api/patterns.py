"""What a unit has learned and what a class looks like: ``GET .../patterns`` and ``.../dreams``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from app.api.compute import HEAVY_UPLOAD_BYTES
from app.api.deps import ComputeDep, RegistryDep, SettingsDep
from app.api.images import base64_png, read_image
from app.api.jobs import JobsDep
from app.api.json_answers import json_answer
from app.api.model_inputs import prepare_input
from app.api.models import ModelId
from app.api.works import WORK_ANSWER, queued_if_long
from app.config import Settings
from app.core.model_input import unscale_pixels
from app.ml.loaded import LoadedModel
from app.ml.patterns import (
    AscentPlan,
    DigitSet,
    UnitPattern,
    dataset_images,
    find_patterns,
    plan_dreams,
    plan_patterns,
    shipped_digits,
)
from app.schemas.patterns import (
    DreamsForm,
    DreamsFromImageResponse,
    DreamsQuery,
    DreamsResponse,
    PatternsQuery,
    PatternsResponse,
)

router = APIRouter(prefix="/api/models", tags=["patterns"])

# As for explanations: more work than this takes the heavy lane.
HEAVY_WORK_VALUES = 50_000_000
DIGITS_DATASET = (
    "The 20 MNIST test digits this app ships in /static/digits (two of each class), not the "
    "whole test set."
)


@router.get("/{model_id}/patterns", response_model=PatternsResponse, responses=WORK_ANSWER)
async def unit_patterns(
    model_id: ModelId,
    query: Annotated[PatternsQuery, Query()],
    registry: RegistryDep,
    settings: SettingsDep,
    compute: ComputeDep,
    jobs: JobsDep,
    request: Request,
) -> Response:
    """The input each filter or unit of a layer responds to most, found by gradient ascent.
    Patterns that would take more than about a second are queued as a job (202)."""
    loaded = registry.get_model(model_id)
    plan = plan_patterns(
        loaded, query.layer, query.unit_range(), query.steps, query.seed, query.jitter, query.blur
    )
    queued = await queued_if_long(
        "patterns", loaded, plan.work_values, query, request, settings, jobs
    )
    if queued is not None:
        return queued
    digits = images_of(loaded, settings)
    heavy = plan.work_values > HEAVY_WORK_VALUES
    return await compute.run(_patterns, loaded, plan, digits, heavy=heavy)


def images_of(loaded: LoadedModel, settings: Settings) -> DigitSet | None:
    """The dataset images a model's patterns are compared with, if it has any here."""
    if loaded.is_digit_model:
        return shipped_digits(settings.static_dir)
    if loaded.origin == "trained":
        return dataset_images(
            settings.data_dir, loaded.metadata.dataset.name, loaded.metadata.classes
        )
    return None


@router.get("/{model_id}/dreams", response_model=DreamsResponse, responses=WORK_ANSWER)
async def class_dreams(
    model_id: ModelId,
    query: Annotated[DreamsQuery, Query()],
    registry: RegistryDep,
    settings: SettingsDep,
    compute: ComputeDep,
    jobs: JobsDep,
    request: Request,
) -> Response:
    """The input each class score responds to most, found by gradient ascent from noise. Dreams
    that would take more than about a second are queued as a job (202)."""
    loaded = registry.get_model(model_id)
    plan = plan_dreams(
        loaded, query.class_range(), query.steps, query.seed, query.jitter, query.blur
    )
    queued = await queued_if_long(
        "dreams", loaded, plan.work_values, query, request, settings, jobs
    )
    if queued is not None:
        return queued
    heavy = plan.work_values > HEAVY_WORK_VALUES
    return await compute.run(_dreams, loaded, plan, heavy=heavy)


@router.post("/{model_id}/dreams", response_model=DreamsFromImageResponse, responses=WORK_ANSWER)
async def dreams_from_image(
    model_id: ModelId,
    form: Annotated[DreamsForm, Form(media_type="multipart/form-data")],
    registry: RegistryDep,
    settings: SettingsDep,
    compute: ComputeDep,
    jobs: JobsDep,
    request: Request,
) -> Response:
    """What would make this image more of each class? The same ascent as GET .../dreams,
    started from your drawing or photo (prepared as predict prepares it) instead of noise."""
    loaded = registry.get_model(model_id)
    plan = plan_dreams(loaded, form.class_range(), form.steps, form.seed, form.jitter, form.blur)
    queued = await queued_if_long("dreams", loaded, plan.work_values, form, request, settings, jobs)
    if queued is not None:
        return queued
    heavy = (form.image.size or 0) > HEAVY_UPLOAD_BYTES or plan.work_values > HEAVY_WORK_VALUES
    return await compute.run(_dreams_from_image, loaded, plan, form, settings, heavy=heavy)


def _dreams_from_image(
    loaded: LoadedModel, plan: AscentPlan, form: DreamsForm, settings: Settings
) -> Response:
    prepared = prepare_input(loaded, read_image(form.image, settings), form.options())
    found = find_patterns(loaded, plan, start=prepared.model_input)
    answer = {**_dreams_answer(loaded, plan, found), **prepared.described()}
    return json_answer(DreamsFromImageResponse, answer)


def _patterns(loaded: LoadedModel, plan: AscentPlan, digits: DigitSet | None) -> Response:
    found = find_patterns(loaded, plan, digits)
    answer = {
        **_settings(loaded, plan),
        "layer": plan.target,
        "kind": plan.kind,
        "dataset": None
        if digits is None
        else DIGITS_DATASET
        if loaded.is_digit_model
        else f"{len(digits.names)} images spread evenly through the dataset "
        f"{loaded.metadata.dataset.name!r} this model was trained on.",
        "patterns": [
            {
                "unit": pattern.unit,
                "image": _png(loaded, pattern),
                "activation": pattern.activation,
                "start_activation": pattern.start_activation,
                "objective": pattern.objective,
                "start_objective": pattern.start_objective,
                "top_images": None
                if pattern.top_images is None
                else [match.__dict__ for match in pattern.top_images],
            }
            for pattern in found
        ],
    }
    return json_answer(PatternsResponse, answer)


def _dreams(loaded: LoadedModel, plan: AscentPlan) -> Response:
    return json_answer(DreamsResponse, _dreams_answer(loaded, plan, find_patterns(loaded, plan)))


def _dreams_answer(
    loaded: LoadedModel, plan: AscentPlan, found: list[UnitPattern]
) -> dict[str, Any]:
    classes = loaded.metadata.classes
    return {
        **_settings(loaded, plan),
        "classes": classes,
        "dreams": [
            {
                "class_index": dream.unit,
                "class_name": classes[dream.unit],
                "image": _png(loaded, dream),
                "score": dream.objective,
                "start_score": dream.start_objective,
                "probability": dream.activation,
                "start_probability": dream.start_activation,
                "scores": dream.objectives.tolist(),
                "probabilities": dream.reported.tolist(),
            }
            for dream in found
        ],
    }


def _settings(loaded: LoadedModel, plan: AscentPlan) -> dict[str, Any]:
    return {
        "model": loaded.id,
        "steps": plan.steps,
        "seed": plan.seed,
        "jitter": plan.jitter,
        "blur": plan.blur,
    }


def _png(loaded: LoadedModel, pattern: UnitPattern) -> str:
    return base64_png(unscale_pixels(pattern.image, loaded.metadata.input.scale), "deflate")
