"""The models in ``models/``, loaded once at startup, each with its fast runner and its summary.

A model is a pair ``<id>.keras`` + ``<id>.json``. A pair that cannot be used (no metadata, an
input the app cannot feed, a file Keras cannot read) is skipped with a warning that says why,
so one bad file never keeps the app from starting. With no ``.keras`` files at all, TensorFlow
is not even imported.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError

from app.core.shapes import as_pair, output_sizes, resolve_padding
from app.errors import UnknownResource
from app.ml.inference import Runner, build_runner
from app.ml.metadata import ModelMetadata
from app.ml.native_log import native_output_to_debug_log

if TYPE_CHECKING:
    import keras

log = logging.getLogger(__name__)

# What the app's preprocessing produces; a model must take exactly this.
SUPPORTED_INPUT = (28, 28, 1)
# Keras layer classes whose weights are convolution kernels in (kh, kw, in, out) layout.
FILTER_LAYERS = ("Conv2D", "DepthwiseConv2D")
WINDOW_LAYERS = ("Conv2D", "DepthwiseConv2D", "MaxPooling2D", "AveragePooling2D")


@dataclass(frozen=True)
class LayerSummary:
    """One row of ``model.summary()``, with the arithmetic behind its numbers."""

    name: str
    type: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    params: int
    params_formula: str
    output_formula: str | None
    activation: str | None
    config: dict[str, Any]


@dataclass(frozen=True)
class LoadedModel:
    id: str
    metadata: ModelMetadata
    model: keras.Model
    layers: tuple[LayerSummary, ...]
    runner: Runner

    @property
    def total_params(self) -> int:
        return sum(layer.params for layer in self.layers)

    @property
    def trainable_params(self) -> int:
        return sum(math.prod(w.shape) for w in self.model.trainable_weights)

    @property
    def filter_layers(self) -> tuple[str, ...]:
        return tuple(layer.name for layer in self.layers if layer.type in FILTER_LAYERS)

    def layer(self, name: str) -> LayerSummary:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise UnknownResource(
            f"Model {self.id!r} has no layer {name!r}. Its layers are: "
            f"{', '.join(layer.name for layer in self.layers)}."
        )

    def filters(self, name: str) -> tuple[NDArray[np.float32], NDArray[np.float32] | None]:
        """A convolution layer's kernel ``(kh, kw, in, out)`` and bias ``(out,)`` (or None)."""
        layer = self.layer(name)
        if layer.type not in FILTER_LAYERS:
            raise UnknownResource(
                f"Layer {name!r} of model {self.id!r} is a {layer.type}, which has no filters. "
                f"Layers with filters: {', '.join(self.filter_layers) or 'none'}."
            )
        weights = [
            np.asarray(w, dtype=np.float32) for w in self.model.get_layer(name).get_weights()
        ]
        kernel = weights[0]
        if layer.type == "DepthwiseConv2D":  # (kh, kw, in, multiplier): one map per channel
            kernel = kernel.reshape(*kernel.shape[:2], 1, -1)
        return kernel, (weights[1] if len(weights) > 1 else None)


class Registry(Mapping[str, LoadedModel]):
    """Read-only: models by id, in the order their files sort."""

    def __init__(self, models: dict[str, LoadedModel], skipped: dict[str, str]) -> None:
        self._models = models
        self.skipped = skipped

    def __getitem__(self, model_id: str) -> LoadedModel:
        return self._models[model_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._models)

    def __len__(self) -> int:
        return len(self._models)

    def get_model(self, model_id: str) -> LoadedModel:
        """The model, or :class:`UnknownResource` naming the ones there are."""
        if model_id in self._models:
            return self._models[model_id]
        known = ", ".join(self._models) or "none (the models/ folder has no usable model)"
        raise UnknownResource(f"There is no model {model_id!r}. Models: {known}.")


def load_registry(models_dir: Path) -> Registry:
    models: dict[str, LoadedModel] = {}
    skipped: dict[str, str] = {}
    for path in sorted(models_dir.glob("*.keras")):
        try:
            models[path.stem] = load_model(path)
        except ModelFileError as exc:
            skipped[path.stem] = str(exc)
            log.warning("Skipping %s: %s", path.name, exc)
    return Registry(models, skipped)


class ModelFileError(ValueError):
    """A ``.keras`` + ``.json`` pair that the app cannot serve."""


def load_model(path: Path) -> LoadedModel:
    metadata = _read_metadata(path)
    with native_output_to_debug_log():
        import keras

        try:
            model = keras.saving.load_model(path, compile=False)
        except Exception as exc:  # a damaged or foreign file: many exception types are possible
            raise ModelFileError(f"Keras could not load it ({exc}).") from exc
    shape = tuple(model.inputs[0].shape[1:]) if len(model.inputs) == 1 else None
    if shape != SUPPORTED_INPUT or tuple(metadata.input.shape) != SUPPORTED_INPUT:
        raise ModelFileError(
            f"it takes input {shape} (metadata says {tuple(metadata.input.shape)}); the app "
            f"feeds one {SUPPORTED_INPUT} image, as the digit preprocessing produces."
        )
    outputs = model.outputs[0].shape[-1] if len(model.outputs) == 1 else None
    if outputs != len(metadata.classes):
        raise ModelFileError(
            f"it has {outputs} outputs but its metadata lists {len(metadata.classes)} classes."
        )
    return LoadedModel(
        id=path.stem,
        metadata=metadata,
        model=model,
        layers=summarize_keras_model(model),
        runner=_quietly_built_runner(model),
    )


def _quietly_built_runner(model: keras.Model) -> Runner:
    with native_output_to_debug_log():
        return build_runner(model)


def _read_metadata(path: Path) -> ModelMetadata:
    json_path = path.with_suffix(".json")
    if not json_path.is_file():
        raise ModelFileError(f"{json_path.name} is missing; every model needs its metadata.")
    try:
        raw = json.loads(json_path.read_text())
        metadata = ModelMetadata.model_validate(raw)
    except (ValueError, ValidationError) as exc:
        raise ModelFileError(f"{json_path.name} is not valid metadata: {exc}") from exc
    if metadata.id != path.stem:
        raise ModelFileError(f"{json_path.name} says its id is {metadata.id!r}, not {path.stem!r}.")
    return metadata


def summarize_keras_model(model: keras.Model) -> tuple[LayerSummary, ...]:
    """``model.summary()`` as data, with each parameter count and output size worked out."""
    rows = []
    for layer in model.layers:
        kind = layer.__class__.__name__
        if kind == "InputLayer":
            continue
        input_shape = tuple(int(d) for d in layer.input.shape[1:])
        output_shape = tuple(int(d) for d in layer.output.shape[1:])
        config = layer.get_config()
        rows.append(
            LayerSummary(
                name=layer.name,
                type=kind,
                input_shape=input_shape,
                output_shape=output_shape,
                params=int(layer.count_params()),
                params_formula=params_formula([tuple(w.shape) for w in layer.weights]),
                output_formula=_output_formula(kind, config, input_shape, output_shape),
                activation=config.get("activation"),
                config=_plain_config(config),
            )
        )
    return tuple(rows)


def params_formula(weight_shapes: list[tuple[int, ...]]) -> str:
    """``5*5*1*6 + 6 = 156``: each weight tensor's shape multiplied out, then summed."""
    if not weight_shapes:
        return "0 (no weights)"
    terms = ["*".join(str(d) for d in shape) or "1" for shape in weight_shapes]
    total = sum(math.prod(shape) for shape in weight_shapes)
    if len(terms) == 1 and "*" not in terms[0]:
        return f"{total:,}"
    return f"{' + '.join(terms)} = {total:,}"


def _output_formula(
    kind: str, config: dict[str, Any], input_shape: tuple[int, ...], output_shape: tuple[int, ...]
) -> str | None:
    if kind in WINDOW_LAYERS:
        window = as_pair(list(config.get("kernel_size") or config["pool_size"]), "window")
        strides = as_pair(list(config["strides"]), "strides")
        spatial = (input_shape[0], input_shape[1])
        padding = resolve_padding(config["padding"], spatial, window, strides)
        rows, cols = output_sizes(spatial, window, strides, padding, "window")
        depth = output_shape[-1]
        where = (
            f"{config['filters']} filters"
            if "filters" in config
            else "one map per input channel"
            if kind != "DepthwiseConv2D"
            else f"{input_shape[-1]} channels x {config.get('depth_multiplier', 1)}"
        )
        if rows.formula == cols.formula:
            return f"height and width: {rows.formula}; depth {depth} ({where})"
        return f"height: {rows.formula}; width: {cols.formula}; depth {depth} ({where})"
    if kind == "Flatten":
        return f"{' x '.join(map(str, input_shape))} = {math.prod(input_shape):,} values in a row"
    if kind == "Dense":
        return f"{config['units']} units"
    return None


def _plain_config(config: dict[str, Any]) -> dict[str, Any]:
    """The settings a learner reads in ``model.summary()``, in Keras' own names."""
    keys = ("filters", "kernel_size", "strides", "padding", "pool_size", "units", "use_bias")
    return {key: config[key] for key in keys if key in config}
