"""Monte Carlo dropout: one input through a model ``N`` times with its dropout switched on.

Gal and Ghahramani's reading of dropout: each pass with a fresh random mask is one sample of a
model; the spread of the class probabilities over ``N`` passes says how unsure that family of
models is. Only the dropout layers (``Dropout`` and its spatial kinds) run as in training;
every other layer, ``BatchNormalization`` included, stays in inference mode, so that the
spread comes from the masks alone.

The ``N`` passes are one batch of ``N`` copies of the input (each copy gets its own mask),
through a ``tf.function`` with a fixed signature, ``x`` ``(1, H, W, C)`` and ``samples`` a
scalar, traced once per model and kept while the Keras model lives (like
:mod:`app.ml.explain_graph`). The masks are not seeded: two requests give two draws.

:func:`dropped_pass` is one such pass shown: every layer's output with dropout at a chosen
rate, and which units each Dropout layer dropped. Its masks are drawn here with NumPy from a
seed (so the page can show the same draw again) and fed to a copy of the model's graph in
which each Dropout layer multiplies by its mask: kept units are scaled by ``1 / (1 - rate)``
as Keras' Dropout does; ``SpatialDropout`` layers drop whole channels.
"""

from __future__ import annotations

import inspect
import threading
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.errors import InvalidParameter
from app.ml.explain_plan import MAX_WORK_VALUES
from app.ml.loaded import LoadedModel

FloatArray = NDArray[np.float32]
MIN_SAMPLES, MAX_SAMPLES = 2, 100
# The passes run in batches of about this many bytes of layer values.
BATCH_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class DropoutSpread:
    """Each class's probability over ``samples`` passes with dropout on, ``(classes,)`` each."""

    samples: int
    mean: FloatArray
    std: FloatArray
    min: FloatArray
    max: FloatArray
    dropout_layers: tuple[str, ...]


def dropout_layers(loaded: LoadedModel) -> tuple[str, ...]:
    """The model's layers that drop units while training (``Dropout``, ``SpatialDropout2D``...)."""
    import keras

    return tuple(
        layer.name for layer in loaded.model.layers if isinstance(layer, keras.layers.Dropout)
    )


def check_mc_dropout(loaded: LoadedModel, samples: int) -> None:
    """Raise :class:`InvalidParameter` unless ``loaded`` has dropout and ``samples`` is in range."""
    if not MIN_SAMPLES <= samples <= MAX_SAMPLES:
        raise InvalidParameter(
            "mc_samples is {samples}; it must be from {low} to {high}. "
            "Leave it out for one ordinary prediction.",
            samples=samples,
            low=MIN_SAMPLES,
            high=MAX_SAMPLES,
        )
    _require_dropout(loaded, "mc_samples")
    work = samples * loaded.activation_values
    if work > MAX_WORK_VALUES:
        most = MAX_WORK_VALUES // loaded.activation_values
        raise InvalidParameter(
            "mc_samples={samples} passes through the {values:,} layer values of model {model!r} "
            "compute {work:,} values; one request computes at most {limit:,}. Ask for at most "
            "{most} samples.",
            samples=samples,
            values=loaded.activation_values,
            model=loaded.id,
            work=work,
            limit=MAX_WORK_VALUES,
            most=most,
        )


def mc_dropout(loaded: LoadedModel, model_input: FloatArray, samples: int) -> DropoutSpread:
    """``samples`` passes of ``model_input`` ``(H, W, C)`` with dropout on, and their spread."""
    check_mc_dropout(loaded, samples)
    x = np.ascontiguousarray(model_input.reshape(1, *loaded.input_shape), dtype=np.float32)
    passes = _passes(loaded)
    batch = max(1, BATCH_BYTES // max(1, 4 * loaded.activation_values))
    probabilities = np.concatenate(
        [
            np.asarray(passes(x, np.int32(min(batch, samples - first))), dtype=np.float64)
            for first in range(0, samples, batch)
        ]
    )
    return DropoutSpread(
        samples=samples,
        mean=probabilities.mean(axis=0).astype(np.float32),
        std=probabilities.std(axis=0).astype(np.float32),
        min=probabilities.min(axis=0).astype(np.float32),
        max=probabilities.max(axis=0).astype(np.float32),
        dropout_layers=dropout_layers(loaded),
    )


def spread_answer(loaded: LoadedModel, model_input: FloatArray, samples: int) -> dict[str, Any]:
    """:func:`mc_dropout` as predict's ``mc_dropout`` field."""
    spread = mc_dropout(loaded, model_input, samples)
    return {
        "samples": spread.samples,
        "mean": spread.mean.tolist(),
        "std": spread.std.tolist(),
        "min": spread.min.tolist(),
        "max": spread.max.tolist(),
        "dropout_layers": list(spread.dropout_layers),
    }


MAX_RATE = 0.9


def _require_dropout(loaded: LoadedModel, field: str) -> None:
    """Refuse ``field`` ("mc_samples" or "dropout") for a model without dropout."""
    if dropout_layers(loaded):
        return
    kinds = ", ".join(dict.fromkeys(layer.type for layer in loaded.layers))
    if field == "mc_samples":
        raise InvalidParameter(
            "Model {model!r} has no Dropout layer (its layers are {kinds}), so every pass with "
            "dropout on would give the same answer. Leave mc_samples out, or use a model with "
            "Dropout layers (train one with dropout, or import one).",
            model=loaded.id,
            kinds=kinds,
        )
    raise InvalidParameter(
        "Model {model!r} has no Dropout layer (its layers are {kinds}), so there is nothing to "
        "drop. Leave dropout out, or use a model with Dropout layers (train one with dropout, "
        "or import one).",
        model=loaded.id,
        kinds=kinds,
    )


@dataclass(frozen=True)
class DroppedPass:
    """One pass with dropout at ``rate``: every layer's output (no batch axis), the class
    probabilities, and per Dropout layer the flat indices (row-major, over the layer's output
    shape) of the units it dropped."""

    rate: float
    seed: int
    outputs: dict[str, FloatArray]
    probabilities: FloatArray
    dropped: dict[str, NDArray[np.int64]]


def check_dropout_rate(loaded: LoadedModel, rate: float) -> None:
    if not 0.0 <= rate <= MAX_RATE:
        raise InvalidParameter(
            "dropout is {rate}; it must be from 0 (nothing dropped) to {high}. The course "
            "compares 0, 0.2 and 0.4.",
            rate=rate,
            high=MAX_RATE,
        )
    _require_dropout(loaded, "dropout")


def dropped_pass(
    loaded: LoadedModel, model_input: FloatArray, rate: float, seed: int
) -> DroppedPass:
    """One pass of ``model_input`` with every Dropout layer dropping at ``rate`` (see the
    module docstring); the same seed drops the same units."""
    check_dropout_rate(loaded, rate)
    graph = _cached(_MASKED, loaded, _build_masked)
    rng = np.random.default_rng(seed)
    masks, dropped = [], {}
    for name, shape, spatial in graph.mask_layers:
        drawn = (1, 1, shape[-1]) if spatial else shape
        drop = np.broadcast_to(rng.random(drawn) < rate, shape)
        keep = 0.0 if rate >= 1.0 else 1.0 / (1.0 - rate)
        masks.append(np.where(drop, 0.0, keep).astype(np.float32)[np.newaxis])
        dropped[name] = np.flatnonzero(drop)
    x = np.ascontiguousarray(model_input.reshape(1, *loaded.input_shape), dtype=np.float32)
    found = graph.function(x, *masks)
    outputs = {name: np.asarray(value)[0] for name, value in zip(graph.names, found, strict=True)}
    last = outputs[graph.names[-1]]
    if loaded.output == "logits":
        shifted = np.exp(last.astype(np.float64) - float(np.max(last)))
        probabilities = (shifted / shifted.sum()).astype(np.float32)
    else:
        probabilities = last.astype(np.float32)
    return DroppedPass(rate, seed, outputs, probabilities, dropped)


@dataclass(frozen=True)
class _MaskedGraph:
    function: Any
    names: tuple[str, ...]  # every layer's, in the model's order (the input layer left out)
    mask_layers: tuple[tuple[str, tuple[int, ...], bool], ...]  # name, output shape, spatial


def _build_masked(loaded: LoadedModel) -> _MaskedGraph:
    import keras
    import tensorflow as tf

    model = loaded.model
    dropouts = [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    mask_inputs = {
        layer.name: keras.Input(tuple(layer.output.shape[1:]), name=f"mask_{n}")
        for n, layer in enumerate(dropouts)
    }
    recorded: dict[str, Any] = {}

    def call_function(layer: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(layer, keras.layers.Dropout):
            out = keras.ops.multiply(args[0], mask_inputs[layer.name])
        else:
            if "training" in inspect.signature(layer.call).parameters:
                kwargs["training"] = False
            out = layer(*args, **kwargs)
        recorded[layer.name] = out
        return out

    inputs = keras.Input(model.inputs[0].shape[1:])
    if isinstance(model, keras.Sequential):
        outputs = inputs
        for layer in model.layers:
            outputs = call_function(layer, outputs)
    else:
        # What keras.models.clone_model does with a call_function, without building a model
        # of the copy alone: its Dropout layers now hang on the mask inputs too.
        model._run_through_graph(inputs, operation_fn=lambda layer: layer, call_fn=call_function)
    names = tuple(name for name in loaded.runner.layer_names if name in recorded)
    graph = keras.Model([inputs, *mask_inputs.values()], [recorded[name] for name in names])
    signature = [tf.TensorSpec((1, *loaded.input_shape), tf.float32)] + [
        tf.TensorSpec((1, *mask.shape[1:]), tf.float32) for mask in mask_inputs.values()
    ]
    function = tf.function(lambda x, *masks: graph([x, *masks]), input_signature=signature)
    function.get_concrete_function()
    spatial = (
        keras.layers.SpatialDropout1D,
        keras.layers.SpatialDropout2D,
        keras.layers.SpatialDropout3D,
    )
    return _MaskedGraph(
        function=function,
        names=names,
        mask_layers=tuple(
            (layer.name, tuple(int(d) for d in layer.output.shape[1:]), isinstance(layer, spatial))
            for layer in dropouts
        ),
    )


def tracing_count(loaded: LoadedModel) -> int:
    """How often the model's passes function was traced: 1, unless something retraced."""
    return int(_passes(loaded).experimental_get_tracing_count())


def _build(loaded: LoadedModel) -> Any:
    import keras
    import tensorflow as tf

    def call_function(layer: Any, *args: Any, **kwargs: Any) -> Any:
        # The flag is recorded in the cloned graph, and the clone is called without one, so
        # nothing overrides it: dropout on, everything else as in inference.
        if isinstance(layer, keras.layers.Dropout):
            kwargs["training"] = True
        elif "training" in inspect.signature(layer.call).parameters:
            kwargs["training"] = False
        return layer(*args, **kwargs)

    # The sampler calls the model's own layers (same weights); it does not keep the model.
    model = loaded.model
    if isinstance(model, keras.Sequential):  # clone_model takes call_function from Functional only
        inputs = keras.Input(model.inputs[0].shape[1:])
        outputs = inputs
        for layer in model.layers:
            outputs = call_function(layer, outputs)
        sampler = keras.Model(inputs, outputs)
    else:
        sampler = keras.models.clone_model(
            model, clone_function=lambda layer: layer, call_function=call_function
        )
    logits = loaded.output == "logits"
    shape = loaded.input_shape

    def passes(x: Any, samples: Any) -> Any:
        copies = tf.repeat(x, samples, axis=0)
        outputs = sampler(copies)
        return tf.nn.softmax(outputs, axis=-1) if logits else outputs

    function = tf.function(
        passes,
        input_signature=[
            tf.TensorSpec((1, *shape), tf.float32),
            tf.TensorSpec((), tf.int32),
        ],
    )
    function.get_concrete_function()
    return function


_PASSES: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_MASKED: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _cached(store: weakref.WeakKeyDictionary[Any, Any], loaded: LoadedModel, build: Any) -> Any:
    """What ``build(loaded)`` made for this Keras model, made once and kept while it lives."""
    with _LOCK:
        found = store.get(loaded.model)
        if found is None:
            found = store[loaded.model] = build(loaded)
        return found


def _passes(loaded: LoadedModel) -> Any:
    return _cached(_PASSES, loaded, _build)
