"""Why did the model answer that? ``POST /api/models/{id}/explain``."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.api.compute import HEAVY_UPLOAD_BYTES
from app.api.deps import ComputeDep, RegistryDep, SettingsDep
from app.api.images import base64_png, read_image
from app.api.jobs import JobsDep
from app.api.json_answers import json_answer
from app.api.model_inputs import PreparedInput, prepare_input
from app.api.models import ModelId
from app.api.works import WORK_ANSWER, queued_if_long
from app.config import Settings
from app.core.heatmap import Scale, colorize, scale_for
from app.ml.explain import ExplainPlan, Explanation, explain, plan_explanation
from app.ml.explain_render import overlay
from app.ml.loaded import LoadedModel
from app.schemas.explain import ExplainForm, ExplainFormat, ExplainResponse

router = APIRouter(prefix="/api/models", tags=["explain"])

# Explanations computing more layer values than this (a few dozen LeNet-5 passes are far
# below it) take the heavy lane, so that drawings being classified do not wait behind them.
HEAVY_WORK_VALUES = 50_000_000


@router.post("/{model_id}/explain", response_model=ExplainResponse, responses=WORK_ANSWER)
async def explain_prediction(
    model_id: ModelId,
    form: Annotated[ExplainForm, Form(media_type="multipart/form-data")],
    registry: RegistryDep,
    settings: SettingsDep,
    compute: ComputeDep,
    jobs: JobsDep,
    request: Request,
) -> Response:
    """Explain one prediction: which parts of the image the class score depends on. One that
    would take more than about a second is queued as a job (202)."""
    loaded = registry.get_model(model_id)
    plan = plan_explanation(loaded, form.request())
    queued = await queued_if_long(
        "explain", loaded, plan.work_values, form, request, settings, jobs
    )
    if queued is not None:
        return queued
    heavy = (form.image.size or 0) > HEAVY_UPLOAD_BYTES or plan.work_values > HEAVY_WORK_VALUES
    return await compute.run(_explanation, loaded, plan, form, settings, heavy=heavy)


def _explanation(
    loaded: LoadedModel, plan: ExplainPlan, form: ExplainForm, settings: Settings
) -> Response:
    prepared = prepare_input(loaded, read_image(form.image, settings), form.options())
    found = explain(loaded, prepared.model_input, plan)
    return json_answer(ExplainResponse, _answer(loaded, plan, prepared, found, form.format))


def _answer(
    loaded: LoadedModel,
    plan: ExplainPlan,
    prepared: PreparedInput,
    found: Explanation,
    fmt: ExplainFormat,
) -> dict[str, Any]:
    classes = loaded.metadata.classes
    label = int(np.argmax(found.probabilities))
    scale = scale_for(found.map)
    return {
        "model": loaded.id,
        "method": plan.method,
        "label": classes[label],
        "confidence": float(found.probabilities[label]),
        "class_index": found.class_index,
        "class_name": classes[found.class_index],
        "probabilities": found.probabilities.tolist(),
        "classes": classes,
        "score": found.score,
        **prepared.described(),
        "map": _map(found.map, scale, fmt),
        "heatmap": _map(found.heatmap, scale, fmt),
        "overlay": base64_png(overlay(prepared.picture, found.heatmap, scale), "deflate")
        if fmt == "png"
        else None,
        "details": found.details,
    }


def _map(values: np.ndarray, scale: Scale, fmt: ExplainFormat) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "shape": list(values.shape),
        "value_range": [float(values.min()), float(values.max())],
        "scale": {"colormap": scale.colormap, "min": scale.min, "max": scale.max},
    }
    if fmt == "png":
        entry["png"] = base64_png(colorize(values, scale), "deflate")
    else:
        entry["values"] = values.tolist()
    return entry
