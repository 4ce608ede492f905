"""An upload becomes a served model: read in the limited process, rebuilt, checked, stored."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.architecture.layers import Input
from app.core.model_input import Fit, Scale, value_range
from app.errors import N_, ConvLensError, InvalidParameter
from app.ml import store
from app.ml.build import assign_weights, build_model
from app.ml.importing import ImportLimits, Reading
from app.ml.importing.reader import WEIGHTS_DIR
from app.ml.loaded import (
    DIGIT_CHANNELS,
    INPUT_SHAPE,
    IO_COUNT,
    LAST_LAYER,
    OUTPUT_SHAPE,
    LoadedModel,
    ModelFileError,
    loaded_model,
)
from app.ml.metadata import DatasetInfo, InputContract, ModelMetadata, Preprocessing
from app.ml.native_log import native_output_to_debug_log


@dataclass(frozen=True)
class ImportRequest:
    name: str
    classes: list[str] | None
    preprocessing: Preprocessing | None
    fit: Fit
    scale: Scale
    description: str = ""


@dataclass(frozen=True)
class Imported:
    loaded: LoadedModel
    delete_token: str
    format: str
    keras_version: str | None


def import_model(
    source: Path, request: ImportRequest, data_dir: Path, limits: ImportLimits, taken: set[str]
) -> Imported:
    """Read, rebuild and check ``source``; store it under a new id in ``data_dir``."""
    with tempfile.TemporaryDirectory(prefix="import-", dir=store.work_folder(data_dir)) as work:
        with Reading(source, Path(work), limits) as reading:
            stack = reading.stack()
            shape = tuple(stack[0].shape) if isinstance(stack[0], Input) else ()
            if len(shape) != 3:
                raise InvalidParameter(
                    "The model's input has shape {shape}; ConvLens serves image models, whose "
                    "input is (height, width, channels).",
                    shape=shape,
                )
            model_id = store.new_model_id(request.name, taken)
            with native_output_to_debug_log():
                model = build_model(stack, name=model_id)  # while the reader reads the weights
                read = reading.finish()
                assign_weights(model, read.weights)
        units = int(model.outputs[0].shape[-1])
        metadata = _metadata(model_id, request, (shape[0], shape[1], shape[2]), units, read.format)
        try:
            loaded = loaded_model(model_id, metadata, model, "imported")
        except ModelFileError as exc:
            raise _not_served(exc) from exc
        stack_json = (Path(work) / "stack.json").read_text()
        token = store.save_stored(data_dir, stack_json, Path(work) / WEIGHTS_DIR, metadata)
    return Imported(loaded, token, read.format, read.keras_version)


def _not_served(exc: ModelFileError) -> InvalidParameter:
    """Why the rebuilt model cannot be served, as one sentence per reason."""
    reason, params = exc.template, exc.params
    if reason == LAST_LAYER:
        return InvalidParameter(
            'The model cannot be served: its last layer "{layer}" ({kind}, activation '
            "{activation!r}) gives neither probabilities (softmax) nor logits (a Dense layer "
            "without activation); the app reads one of those. End the model with Dense(classes) "
            'or Dense(classes, activation="softmax").',
            **params,
        )
    if reason == DIGIT_CHANNELS:
        return InvalidParameter(
            "The model cannot be served: its input {shape} has {channels} channels; the digit "
            'preparation makes one grey channel. Use preprocessing "image" for colour models.',
            **params,
        )
    if reason == IO_COUNT:
        return InvalidParameter(
            "The model cannot be served: it has {inputs} inputs and {outputs} outputs; the app "
            "serves models with one image input and one output of class scores.",
            **params,
        )
    if reason == INPUT_SHAPE:
        return InvalidParameter(
            "The model cannot be served: it takes input {shape}, but its metadata says {expected}.",
            **params,
        )
    if reason == OUTPUT_SHAPE:
        return InvalidParameter(
            "The model cannot be served: its output has shape {shape}, but its metadata lists "
            "{classes} classes; the app serves models whose output is one score per class.",
            **params,
        )
    # Another check's reason (the input settings'): a message of its own, translated with this.
    return InvalidParameter(
        "The model cannot be served: {reason}", reason=ConvLensError(reason, **params)
    )


def _description(given: str, file_format: str) -> dict[str, Any]:
    """The uploader's own description, else ConvLens' sentence, kept as its template too so
    that each reader gets it in their language."""
    if given:
        return {"description": given}
    template = N_("Imported from a .{format} file; its weights as they were uploaded.")
    return {
        "description": template.format(format=file_format),
        "description_template": template,
        "description_params": {"format": file_format},
    }


def _metadata(
    model_id: str, request: ImportRequest, shape: tuple[int, int, int], units: int, file_format: str
) -> ModelMetadata:
    classes = request.classes or [str(i) for i in range(units)]
    if len(classes) != units:
        raise InvalidParameter(
            "classes names {count} classes, but the model's output has {units} values, "
            "one per class. Give {units} names, separated by commas, in output order.",
            count=len(classes),
            units=units,
        )
    preprocessing: Preprocessing = request.preprocessing or (
        "digit" if shape == (28, 28, 1) else "image"
    )
    return ModelMetadata(
        id=model_id,
        name=request.name,
        **_description(request.description, file_format),
        dataset=DatasetInfo(name="unknown (imported)"),
        classes=classes,
        input=InputContract(
            shape=shape,
            range=value_range(request.scale) if preprocessing == "image" else (0.0, 1.0),
            background="",
            ink="",
            preprocessing=preprocessing,
            fit=request.fit,
            scale=request.scale,
        ),
    )
