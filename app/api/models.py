"""Trained models: listing, summary, learned filters, predictions and feature maps."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from app.api.compute import HEAVY_UPLOAD_BYTES
from app.api.deps import ComputeDep, RegistryDep, SettingsDep
from app.api.images import read_image, wants_png
from app.api.json_answers import json_answer
from app.api.model_inputs import prepare_input
from app.api.predictions import activations as layer_activations
from app.api.predictions import check_activations_size, prediction
from app.config import Settings
from app.core.architecture.tensor import localized
from app.core.encoding import encode_png
from app.core.heatmap import colorize, scale_for
from app.errors import UnknownResource
from app.i18n import gettext
from app.jobs.records import localized_reason
from app.ml import store
from app.ml.dropout import check_dropout_rate, check_mc_dropout, dropped_pass
from app.ml.dropout import spread_answer as dropout_spread
from app.ml.forward import filter_grid, resolve_layers
from app.ml.loaded import LayerSummary, LoadedModel
from app.ml.native_log import native_output_to_debug_log
from app.schemas.models import (
    ActivationsForm,
    ActivationsResponse,
    FiltersResponse,
    ModelDetail,
    ModelInfo,
    PredictForm,
    PredictionForm,
    PredictResponse,
)

router = APIRouter(prefix="/api/models", tags=["models"])

MAX_MODEL_ID = 64
ModelId = Annotated[
    str,
    PathParam(
        max_length=MAX_MODEL_ID, description="A model id from GET /api/models.", examples=["lenet5"]
    ),
]
PNG_GRID = {
    "description": "With `Accept: image/png`: all filters as one picture, a column per "
    "filter and a row per input channel; the colour scale is in the headers.",
    "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
}


@router.get("", response_model=list[ModelInfo])
def list_models(registry: RegistryDep) -> list[dict[str, Any]]:
    """The trained models this server hosts."""
    return [_info(loaded) for loaded in registry.values()]


@router.get("/{model_id}", response_model=ModelDetail)
def model_detail(model_id: ModelId, registry: RegistryDep) -> dict[str, Any]:
    """A model's summary, layer by layer, with the arithmetic, and its training history."""
    loaded = registry.get_model(model_id)
    meta = loaded.metadata
    return {
        **_info(loaded),
        "summary": [_row(layer) for layer in loaded.layers],
        "total_params": loaded.total_params,
        "trainable_params": loaded.trainable_params,
        "test_loss": meta.test_loss,
        "epochs": meta.epochs,
        "seed": meta.seed,
        "history": meta.history,
        "training": meta.training,
        "evaluation": meta.evaluation,
    }


@router.get(
    "/{model_id}/download",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The model as a .keras file, for keras.saving.load_model, or to "
            "import again with POST /api/models.",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
def download_model(model_id: ModelId, registry: RegistryDep, settings: SettingsDep) -> Any:
    """The model as a ``.keras`` file: the shipped file, or the stored model saved by Keras."""
    loaded = registry.get_model(model_id)
    name = f"{loaded.id}.keras"
    if registry.is_shipped(loaded.id):
        return FileResponse(settings.models_dir / name, filename=name)
    folder = Path(tempfile.mkdtemp(prefix="download-", dir=store.work_folder(settings.data_dir)))
    try:
        with native_output_to_debug_log():
            loaded.model.save(folder / name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        folder / name,
        filename=name,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


@router.get("/{model_id}/filters", response_model=FiltersResponse, responses={200: PNG_GRID})
def model_filters(
    request: Request,
    model_id: ModelId,
    registry: RegistryDep,
    layer: Annotated[
        str | None,
        Query(max_length=64, description="A convolution layer; the first one if left out."),
    ] = None,
) -> Any:
    """The learned kernels of a convolution layer, as numbers or as a PNG grid."""
    loaded = registry.get_model(model_id)
    name = layer if layer is not None else _first_filter_layer(loaded)
    kernel, bias = loaded.filters(name)
    if wants_png(request):
        grid = filter_grid(kernel)
        scale = scale_for(grid)
        return Response(
            content=encode_png(colorize(grid, scale), "deflate"),
            media_type="image/png",
            headers={
                "X-ConvLens-Colour-Scale": f"{scale.colormap},{scale.min:.6g},{scale.max:.6g}",
                "X-ConvLens-Kernel-Shape": ",".join(map(str, kernel.shape)),
            },
        )
    return {
        "model": loaded.id,
        "layer": name,
        "kernel_shape": list(kernel.shape),
        "kernels": np.transpose(kernel, (3, 2, 0, 1)).tolist(),
        "bias": None if bias is None else bias.tolist(),
        "value_range": [float(kernel.min()), float(kernel.max())],
    }


@router.post("/{model_id}/predict", response_model=PredictResponse)
async def predict(
    model_id: ModelId,
    form: Annotated[PredictionForm, Form(media_type="multipart/form-data")],
    registry: RegistryDep,
    settings: SettingsDep,
    compute: ComputeDep,
) -> Response:
    """Classify an image as the model's metadata prepares it; returns the input it saw."""
    loaded = registry.get_model(model_id)
    if form.mc_samples is not None:
        check_mc_dropout(loaded, form.mc_samples)
    return await compute.run(_prediction, loaded, form, settings, heavy=_heavy(form))


@router.post("/{model_id}/activations", response_model=ActivationsResponse)
async def activations(
    model_id: ModelId,
    form: Annotated[ActivationsForm, Form(media_type="multipart/form-data")],
    registry: RegistryDep,
    settings: SettingsDep,
    compute: ComputeDep,
) -> Response:
    """Every chosen layer's output for one image, from a single forward pass."""
    loaded = registry.get_model(model_id)
    names = resolve_layers(loaded, form.layers)
    check_activations_size(loaded, names, form.format, form.channel_range())
    if form.dropout is not None:
        check_dropout_rate(loaded, form.dropout)
    return await compute.run(_activations, loaded, names, form, settings, heavy=_heavy(form))


def _heavy(form: PredictForm) -> bool:
    return (form.image.size or 0) > HEAVY_UPLOAD_BYTES


# The endpoints above are async so that they can hand their work to the compute slots, where
# these two run, answers checked and encoded included.
def _prediction(loaded: LoadedModel, form: PredictionForm, settings: Settings) -> Response:
    prepared = prepare_input(loaded, read_image(form.image, settings), form.options())
    answer = prediction(loaded, prepared)
    if form.mc_samples is not None:
        answer["mc_dropout"] = dropout_spread(loaded, prepared.model_input, form.mc_samples)
    return json_answer(PredictResponse, answer)


def _activations(
    loaded: LoadedModel, names: list[str], form: ActivationsForm, settings: Settings
) -> Response:
    prepared = prepare_input(loaded, read_image(form.image, settings), form.options())
    dropped = None
    if form.dropout is not None:
        seed = form.dropout_seed
        if seed is None:
            seed = secrets.randbelow(2**32)
        dropped = dropped_pass(loaded, prepared.model_input, form.dropout, seed)
    answer = layer_activations(loaded, names, form.format, prepared, form.channel_range(), dropped)
    return json_answer(ActivationsResponse, answer)


def _first_filter_layer(loaded: LoadedModel) -> str:
    if not loaded.filter_layers:
        raise UnknownResource(
            "Model {id} has no convolution layers, so it has no filters to show. Models with "
            "filters list them in filter_layers (GET /api/models).",
            id=repr(loaded.id),
        )
    return loaded.filter_layers[0]


def _info(loaded: LoadedModel) -> dict[str, Any]:
    meta = loaded.metadata
    return {
        "id": loaded.id,
        # A shipped model's name and description are in the catalogs (area "data").
        "name": gettext(meta.name),
        # ConvLens' own description of an import or a training run, read like a job's reason.
        "description": localized_reason(
            meta.description, meta.description_template, meta.description_params
        )
        if meta.description_template
        else gettext(meta.description),
        "dataset": meta.dataset.name,
        "classes": meta.classes,
        "input_shape": list(meta.input.shape),
        "parameters": loaded.total_params,
        "test_accuracy": meta.test_accuracy,
        "layers": [layer.name for layer in loaded.layers],
        "filter_layers": list(loaded.filter_layers),
        "runtime": loaded.runner.kind,
        "origin": loaded.origin,
        "preprocessing": loaded.metadata.input.preprocessing,
        "fit": loaded.metadata.input.fit,
        "scale": loaded.metadata.input.scale,
    }


def _row(layer: LayerSummary) -> dict[str, Any]:
    return {
        "name": layer.name,
        "type": layer.type,
        "input_shape": list(layer.input_shape),
        "output_shape": list(layer.output_shape),
        "params": layer.params,
        "params_formula": localized(layer.params_formula),  # in the request's language
        "output_formula": localized(layer.output_formula),
        "activation": layer.activation,
        "config": layer.config,
    }
