"""Trained models: listing, summary, learned filters, predictions and feature maps."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

import numpy as np
from fastapi import APIRouter, Depends, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import TypeAdapter

from app.api.compute import ComputeSlots, T, Ts
from app.api.deps import ComputeDep, RegistryDep, SettingsDep
from app.api.images import ImageUpload, base64_png, read_image, wants_png
from app.api.plain_form import PlainAnswer, PlainRequest
from app.config import Settings
from app.core.heatmap import colorize, scale_for, scale_for_range
from app.core.imaging import encode_png, png_size
from app.core.preprocess import DigitInput, DigitOptions, InkBox, InvertMode, prepare_digit
from app.errors import NoDigit, UnknownResource
from app.ml.forward import channels_first, classify, filter_grid, forward, resolve_layers
from app.ml.registry import LayerSummary, LoadedModel, Registry
from app.schemas.models import (
    ActivationsResponse,
    FiltersResponse,
    ModelDetail,
    ModelInfo,
    PredictResponse,
)

router = APIRouter(prefix="/api/models", tags=["models"])

MAX_MODEL_ID = 64
ModelId = Annotated[
    str,
    Path(
        max_length=MAX_MODEL_ID, description="A model id from GET /api/models.", examples=["lenet5"]
    ),
]
InvertField = Annotated[
    InvertMode,
    Form(
        description="Flip dark and light? MNIST digits are white on black. auto: flip when the "
        "background is light; yes / no: always / never."
    ),
]
CropField = Annotated[
    bool, Form(description="Crop to the ink's bounding box first. Off: keep the whole frame.")
]
FitField = Annotated[
    bool,
    Form(
        description="Fit the ink into a 20x20 box keeping its aspect ratio, then pad to 28x28, "
        "as MNIST did. Off: stretch the image straight to 28x28."
    ),
]
CenterField = Annotated[
    bool,
    Form(
        description="Move the digit so its centre of mass is at the centre, as MNIST did. Off: "
        "centre its bounding box."
    ),
]
ThickenField = Annotated[
    bool,
    Form(
        description="Thicken strokes that would come out thinner than 1 pixel at 28x28 (a "
        "1-pixel pen on a big canvas) to about MNIST's stroke width. Off: keep them as drawn."
    ),
]
MAX_LAYERS_TEXT = 2000
LayersField = Annotated[
    str | None,
    Form(
        max_length=MAX_LAYERS_TEXT,
        description="Comma-separated layer names (from GET /api/models/{id}); all layers if "
        "left out.",
    ),
]
ActivationsFormat = Literal["numbers", "png"]
FormatField = Annotated[
    ActivationsFormat,
    Form(
        description="numbers: each map as rows of values; png: each map as a base64 PNG tile "
        "coloured with the layer's scale."
    ),
]


async def digit_options(
    invert: InvertField = "auto",
    crop: CropField = True,
    fit: FitField = True,
    center: CenterField = True,
    thicken: ThickenField = True,
) -> DigitOptions:
    """The preprocessing switches, shared by predict and activations (async: called inline)."""
    return DigitOptions(invert, crop, fit, center, thicken)


DigitOptionsDep = Annotated[DigitOptions, Depends(digit_options)]
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
    }


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


# Plain forms (app.api.plain_form): predict and activations read the forms that clients
# actually send themselves, and leave the rest to FastAPI. A field missing from a plain form
# takes its default below, the same as the endpoint's; a value not listed here (FastAPI also
# takes "1", "on", "YES" ... for true) sends the request to FastAPI.
_FLAGS = {"true": True, "false": False}
_PLAIN_DIGIT_FIELDS: dict[str, dict[str, Any]] = {
    "invert": {mode: mode for mode in get_args(InvertMode)},
    **{flag: _FLAGS for flag in ("crop", "fit", "center", "thicken")},
}
_PLAIN_FORMATS: dict[str, ActivationsFormat] = {fmt: fmt for fmt in get_args(ActivationsFormat)}
_PLAIN_ACTIVATIONS_FIELDS: dict[str, Callable[[str], bool]] = {
    "layers": lambda text: 0 < len(text) <= MAX_LAYERS_TEXT,  # "" is left to FastAPI
    "format": lambda text: text in _PLAIN_FORMATS,
}
# A plain form's image that is a PNG of at most this many pixels and bytes (a Draw page canvas
# is 280x280 and 5-30 KB) is worked on in the event loop's thread, which it holds for a few
# milliseconds: handing it to a compute slot and back cost the server 3-8% more CPU time per
# prediction (8 clients, 2 workers; bench/README.md). Larger images go to the compute slots,
# so a big photo does not hold up the other requests.
INLINE_PIXELS = 512 * 512
INLINE_BYTES = 1024 * 1024
_PREDICT_RESPONSE = TypeAdapter(PredictResponse)
_ACTIVATIONS_RESPONSE = TypeAdapter(ActivationsResponse)


@dataclass(frozen=True)
class _PlainDigitRequest:
    loaded: LoadedModel
    upload: UploadFile
    options: DigitOptions
    settings: Settings
    compute: ComputeSlots
    fields: dict[str, str]  # the plain text fields besides the options
    small: bool  # an image to work on inline (INLINE_PIXELS)

    async def run(self, func: Callable[[*Ts], T], *args: *Ts) -> T:
        """``func(*args)``, in this thread if the image is small, else in a compute slot."""
        if self.small:
            return func(*args)
        return await self.compute.run(func, *args)


def _plain_digit_request(
    plain: PlainRequest, other_fields: Mapping[str, Callable[[str], bool]] = {}
) -> _PlainDigitRequest | None:
    """The parts of a plain predict or activations form, or None if FastAPI should read it.

    ``other_fields``: the endpoint's fields besides the options, each with a test of the texts
    the endpoint takes as they are.
    """
    model_id, form = plain.path_params["model_id"], plain.form
    if form.files.keys() != {"image"} or len(model_id) > MAX_MODEL_ID:
        return None
    options: dict[str, Any] = {}
    fields: dict[str, str] = {}
    for name, text in form.fields.items():
        if name in other_fields:
            if not other_fields[name](text):
                return None
            fields[name] = text
        elif text in _PLAIN_DIGIT_FIELDS.get(name, {}):
            options[name] = _PLAIN_DIGIT_FIELDS[name][text]
        else:
            return None
    image = form.files["image"]
    registry: Registry = plain.state["registry"]
    compute: ComputeSlots = plain.state["compute"]
    return _PlainDigitRequest(
        # After the fields, as FastAPI checks them before the endpoint looks the model up.
        loaded=registry.get_model(model_id),
        upload=UploadFile(io.BytesIO(image.data), size=len(image.data), filename=image.filename),
        options=DigitOptions(**options),
        settings=plain.settings,
        compute=compute,
        fields=fields,
        small=works_inline(image.data),
    )


def works_inline(image: bytes) -> bool:
    """Whether a plain form's image is worked on in the event loop's thread (INLINE_PIXELS)."""
    size = png_size(image)
    return size is not None and size[0] * size[1] <= INLINE_PIXELS and len(image) <= INLINE_BYTES


def _json(adapter: TypeAdapter[Any], result: dict[str, Any]) -> Response:
    """What FastAPI makes of an endpoint's result with this response model."""
    content = adapter.dump_json(adapter.validate_python(result))
    return Response(content, media_type="application/json")


async def _plain_predict(request: PlainRequest) -> Response | None:
    plain = _plain_digit_request(request)
    if plain is None:
        return None
    result = await plain.run(_prediction, plain.loaded, plain.upload, plain.settings, plain.options)
    return _json(_PREDICT_RESPONSE, result)


async def _plain_activations(request: PlainRequest) -> Response | None:
    plain = _plain_digit_request(request, _PLAIN_ACTIVATIONS_FIELDS)
    if plain is None:
        return None
    fmt = _PLAIN_FORMATS[plain.fields.get("format", "numbers")]
    names = resolve_layers(plain.loaded, plain.fields.get("layers"))
    result = await plain.run(
        _activations, plain.loaded, names, fmt, plain.upload, plain.settings, plain.options
    )
    return _json(_ACTIVATIONS_RESPONSE, result)


@router.post("/{model_id}/predict", response_model=PredictResponse)
async def predict(
    model_id: ModelId,
    registry: RegistryDep,
    settings: SettingsDep,
    compute: ComputeDep,
    image: ImageUpload,
    options: DigitOptionsDep,
) -> dict[str, Any]:
    """Classify a drawing or photo of a digit; returns the 28x28 input the model saw."""
    loaded = registry.get_model(model_id)
    return await compute.run(_prediction, loaded, image, settings, options)


@router.post("/{model_id}/activations", response_model=ActivationsResponse)
async def activations(
    model_id: ModelId,
    registry: RegistryDep,
    settings: SettingsDep,
    compute: ComputeDep,
    image: ImageUpload,
    options: DigitOptionsDep,
    layers: LayersField = None,
    format: FormatField = "numbers",
) -> dict[str, Any]:
    """Every chosen layer's output for one image, from a single forward pass."""
    loaded = registry.get_model(model_id)
    names = resolve_layers(loaded, layers)
    return await compute.run(_activations, loaded, names, format, image, settings, options)


# The answers to plain forms, which app.main puts in front of routing (app.api.plain_form).
PLAIN_FORM_ANSWERS: dict[str, PlainAnswer] = {
    f"{router.prefix}/{{model_id}}/predict": _plain_predict,
    f"{router.prefix}/{{model_id}}/activations": _plain_activations,
}


# The endpoints above are async so that they can hand their work to the compute slots; these
# run in a slot's worker thread (or, for a plain form's small PNG, in the event loop's).
def _prediction(
    loaded: LoadedModel, image: UploadFile, settings: Settings, options: DigitOptions
) -> dict[str, Any]:
    digit = _digit(image, settings, options)
    probabilities = classify(loaded, digit.model_input)
    label = int(np.argmax(probabilities))
    classes = loaded.metadata.classes
    return {
        "model": loaded.id,
        "label": classes[label],
        "confidence": float(probabilities[label]),
        "probabilities": probabilities.tolist(),
        "classes": classes,
        "model_input": digit.model_input.tolist(),
        "preprocessing": _preprocessing(digit),
    }


def _activations(
    loaded: LoadedModel,
    names: list[str],
    fmt: ActivationsFormat,
    image: UploadFile,
    settings: Settings,
    options: DigitOptions,
) -> dict[str, Any]:
    digit = _digit(image, settings, options)
    result = forward(loaded, digit.model_input)
    return {
        "model": loaded.id,
        "label": loaded.metadata.classes[result.label_index],
        "probabilities": result.probabilities.tolist(),
        "classes": loaded.metadata.classes,
        "model_input": digit.model_input.tolist(),
        "preprocessing": _preprocessing(digit),
        "layers": [_activation(loaded, name, result.outputs[name], fmt) for name in names],
    }


def _digit(image: UploadFile, settings: Settings, options: DigitOptions) -> DigitInput:
    decoded = read_image(image, settings)
    digit = prepare_digit(decoded, options)
    if digit.empty:
        raise NoDigit(digit.message)
    return digit


def _preprocessing(digit: DigitInput) -> dict[str, Any]:
    return {
        "polarity": digit.polarity,
        "inverted": digit.inverted,
        "background": digit.background,
        "ink_box": None if digit.ink_box is None else _box(digit.ink_box),
        "scale": None if digit.scale is None else list(digit.scale),
        "shift": list(digit.shift),
        "center_of_mass": None if digit.center_of_mass is None else list(digit.center_of_mass),
        "notes": list(digit.notes),
    }


def _box(box: InkBox) -> dict[str, int]:
    # Not dataclasses.asdict: its recursive copy costs 70 us, a tenth of preparing the digit.
    return {"top": box.top, "left": box.left, "height": box.height, "width": box.width}


def _activation(
    loaded: LoadedModel, name: str, output: np.ndarray, fmt: ActivationsFormat
) -> dict[str, Any]:
    layer = loaded.layer(name)
    scale, low, high = scale_for_range(output)
    entry: dict[str, Any] = {
        "name": name,
        "type": layer.type,
        "shape": list(output.shape),
        "kind": "maps" if output.ndim == 3 else "vector",
        "value_range": [low, high],
        "scale": {"colormap": scale.colormap, "min": scale.min, "max": scale.max},
    }
    if output.ndim != 3:
        entry["values"] = output.reshape(-1).tolist()
    elif fmt == "png":
        entry["tiles"] = [
            base64_png(colorize(channel, scale), "deflate") for channel in channels_first(output)
        ]
    else:
        entry["maps"] = channels_first(output).tolist()
    return entry


def _first_filter_layer(loaded: LoadedModel) -> str:
    if not loaded.filter_layers:
        raise UnknownResource(
            f"Model {loaded.id!r} has no convolution layers, so it has no filters to show. "
            "Models with filters list them in filter_layers (GET /api/models)."
        )
    return loaded.filter_layers[0]


def _info(loaded: LoadedModel) -> dict[str, Any]:
    meta = loaded.metadata
    return {
        "id": loaded.id,
        "name": meta.name,
        "description": meta.description,
        "dataset": meta.dataset.name,
        "classes": meta.classes,
        "input_shape": list(meta.input.shape),
        "parameters": loaded.total_params,
        "test_accuracy": meta.test_accuracy,
        "layers": [layer.name for layer in loaded.layers],
        "filter_layers": list(loaded.filter_layers),
        "runtime": loaded.runner.kind,
    }


def _row(layer: LayerSummary) -> dict[str, Any]:
    return {
        "name": layer.name,
        "type": layer.type,
        "input_shape": list(layer.input_shape),
        "output_shape": list(layer.output_shape),
        "params": layer.params,
        "params_formula": layer.params_formula,
        "output_formula": layer.output_formula,
        "activation": layer.activation,
        "config": layer.config,
    }
