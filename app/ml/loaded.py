"""A model the app serves: its Keras model, fast runner, summary, and how it takes an image.

Every model, shipped, imported or trained here, becomes a :class:`LoadedModel` through
:func:`loaded_model`, which checks what the app relies on: one image input ``H x W x C``
(C = 1 or 3, sides from 8 to 512) matching the metadata, a preprocessing that can feed it, and
one output of probabilities (softmax) or logits, one per class named in the metadata.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from app.core.architecture.tensor import Words
from app.core.model_input import check_image_settings
from app.core.shapes import as_pair, output_sizes, resolve_padding
from app.errors import N_, ConvLensError, UnknownResource
from app.ml.inference import Runner, build_runner
from app.ml.metadata import ModelMetadata
from app.ml.native_log import native_output_to_debug_log

if TYPE_CHECKING:
    import keras

# Keras layer classes whose weights are convolution kernels in (kh, kw, in, out) layout.
FILTER_LAYERS = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D")
WINDOW_LAYERS = (*FILTER_LAYERS, "MaxPooling2D", "AveragePooling2D")
PROBABILITY_LAYERS = ("Softmax",)
Origin = Literal["shipped", "imported", "trained"]
OutputKind = Literal["probabilities", "logits"]


# Why a model cannot be served (each the end of a sentence that names the model or its file).
IO_COUNT = (
    "it has {inputs} inputs and {outputs} outputs; the app serves models with one image input "
    "and one output of class scores."
)
INPUT_SHAPE = "it takes input {shape}, but its metadata says {expected}."
DIGIT_CHANNELS = (
    "its input {shape} has {channels} channels; the digit preparation makes one grey channel. "
    'Use preprocessing "image" for colour models.'
)
OUTPUT_SHAPE = (
    "its output has shape {shape}, but its metadata lists {classes} classes; the app serves "
    "models whose output is one score per class."
)
LAST_LAYER = (
    'its last layer "{layer}" ({kind}, activation {activation!r}) gives neither probabilities '
    "(softmax) nor logits (a Dense layer without activation); the app reads one of those. End "
    'the model with Dense(classes) or Dense(classes, activation="softmax").'
)


class ModelFileError(ValueError):
    """A model (file pair, or stored import) that the app cannot serve, and why: a reason in
    English, which is also a template when ``params`` fill its {name} fields (an import that
    refuses the model says it in whole sentences of its own, app.ml.importing.rebuild)."""

    def __init__(self, reason: str, /, **params: Any) -> None:
        super().__init__(reason.format(**params) if params else reason)
        self.template = reason
        self.params = params


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
    origin: Origin = "shipped"
    output: OutputKind = "probabilities"

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return self.metadata.input.shape

    @property
    def activation_values(self) -> int:
        """Values every layer's output holds together, for one input."""
        return sum(math.prod(layer.output_shape) for layer in self.layers)

    @property
    def is_digit_model(self) -> bool:
        return self.metadata.input.preprocessing == "digit"

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
            "Model {model!r} has no layer {layer!r}. Its layers are: {layers}.",
            model=self.id,
            layer=name,
            layers=", ".join(layer.name for layer in self.layers),
        )

    def filters(self, name: str) -> tuple[NDArray[np.float32], NDArray[np.float32] | None]:
        """A convolution layer's kernel ``(kh, kw, in, out)`` and bias ``(out,)`` (or None)."""
        layer = self.layer(name)
        if layer.type not in FILTER_LAYERS:
            if not self.filter_layers:
                raise UnknownResource(
                    "Layer {layer!r} of model {model!r} is a {kind}, which has no filters. "
                    "Layers with filters: none.",
                    layer=name,
                    model=self.id,
                    kind=layer.type,
                )
            raise UnknownResource(
                "Layer {layer!r} of model {model!r} is a {kind}, which has no filters. "
                "Layers with filters: {layers}.",
                layer=name,
                model=self.id,
                kind=layer.type,
                layers=", ".join(self.filter_layers),
            )
        weights = [
            np.asarray(w, dtype=np.float32) for w in self.model.get_layer(name).get_weights()
        ]
        kernel = weights[0]
        if layer.type in ("DepthwiseConv2D", "SeparableConv2D"):
            # (kh, kw, in, multiplier): one map per input channel (a separable conv's first step)
            kernel = kernel.reshape(*kernel.shape[:2], 1, -1)
        return kernel, (weights[1] if len(weights) > 1 else None)


def loaded_model(
    model_id: str, metadata: ModelMetadata, model: keras.Model, origin: Origin = "shipped"
) -> LoadedModel:
    """The model checked (see the module docstring), summarised, and given its fast runner."""
    output = check_model_io(model, metadata)
    with native_output_to_debug_log():
        runner = build_runner(model)
    return LoadedModel(
        id=model_id,
        metadata=metadata,
        model=model,
        layers=summarize_keras_model(model),
        runner=runner,
        origin=origin,
        output=output,
    )


def check_model_io(model: keras.Model, metadata: ModelMetadata) -> OutputKind:
    """Raise :class:`ModelFileError` unless the app can feed the model and read its answer."""
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ModelFileError(IO_COUNT, inputs=len(model.inputs), outputs=len(model.outputs))
    shape = tuple(model.inputs[0].shape[1:])
    contract = metadata.input
    if shape != tuple(contract.shape):
        raise ModelFileError(INPUT_SHAPE, shape=shape, expected=tuple(contract.shape))
    try:
        if contract.preprocessing == "digit" and shape[2] != 1:
            raise ModelFileError(DIGIT_CHANNELS, shape=shape, channels=shape[2])
        check_image_settings(contract.shape, contract.fit, contract.scale)
    except ConvLensError as exc:
        raise ModelFileError(exc.template, **exc.params) from exc
    outputs = tuple(model.outputs[0].shape[1:])
    if outputs != (len(metadata.classes),):
        raise ModelFileError(OUTPUT_SHAPE, shape=outputs, classes=len(metadata.classes))
    return _output_kind(model.layers[-1])


def _output_kind(last: Any) -> OutputKind:
    kind = last.__class__.__name__
    activation = last.get_config().get("activation")
    if kind in PROBABILITY_LAYERS or activation == "softmax":
        return "probabilities"
    if kind == "Dense" and activation in (None, "linear"):
        return "logits"
    raise ModelFileError(LAST_LAYER, layer=last.name, kind=kind, activation=activation)


def summarize_keras_model(model: keras.Model) -> tuple[LayerSummary, ...]:
    """``model.summary()`` as data, with each parameter count and output size worked out."""
    rows = []
    for layer in model.layers:
        kind = layer.__class__.__name__
        if kind == "InputLayer":
            continue
        # A merge (Add, Concatenate) takes a list: its first input stands for all of them.
        first_input = layer.input[0] if isinstance(layer.input, list) else layer.input
        input_shape = tuple(int(d) for d in first_input.shape[1:])
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
        return Words(N_("0 (no weights)"))
    terms = ["*".join(str(d) for d in shape) or "1" for shape in weight_shapes]
    total = sum(math.prod(shape) for shape in weight_shapes)
    if len(terms) == 1 and "*" not in terms[0]:
        return f"{total:,}"
    return f"{' + '.join(terms)} = {total:,}"


def _output_formula(
    kind: str, config: dict[str, Any], input_shape: tuple[int, ...], output_shape: tuple[int, ...]
) -> str | None:
    """How the output shape follows, as :class:`Words` (read in the request's language)."""
    if kind in WINDOW_LAYERS:
        window = as_pair(list(config.get("kernel_size") or config["pool_size"]), "window")
        strides = as_pair(list(config["strides"]), "strides")
        spatial = (input_shape[0], input_shape[1])
        padding = resolve_padding(config["padding"], spatial, window, strides)
        rows, cols = output_sizes(spatial, window, strides, padding, "window")
        depth = output_shape[-1]
        where = (
            Words(N_("{filters} filters"), filters=config["filters"])
            if "filters" in config
            else Words(N_("one map per input channel"))
            if kind != "DepthwiseConv2D"
            else Words(
                N_("{channels} channels x {multiplier}"),
                channels=input_shape[-1],
                multiplier=config.get("depth_multiplier", 1),
            )
        )
        if rows.formula == cols.formula:
            return Words(
                N_("height and width: {formula}; depth {depth} ({where})"),
                formula=rows.formula,
                depth=depth,
                where=where,
            )
        return Words(
            N_("height: {rows}; width: {cols}; depth {depth} ({where})"),
            rows=rows.formula,
            cols=cols.formula,
            depth=depth,
            where=where,
        )
    if kind == "Flatten":
        return Words(
            N_("{shape} = {count} values in a row"),
            shape=" x ".join(map(str, input_shape)),
            count=f"{math.prod(input_shape):,}",
        )
    if kind == "Dense":
        return Words(N_("{units} units"), units=config["units"])
    return None


def _plain_config(config: dict[str, Any]) -> dict[str, Any]:
    """The settings a learner reads in ``model.summary()``, in Keras' own names."""
    keys = ("filters", "kernel_size", "strides", "padding", "pool_size", "units", "use_bias")
    return {key: config[key] for key in keys if key in config}
