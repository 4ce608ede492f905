"""A Keras model configuration, read as data, translated into the Architecture lab's stack.

Nothing here imports Keras or resolves a name to code. Each layer must be one of the engine's
types (:mod:`app.core.architecture.layers`, named as in Keras) from Keras' own ``keras.layers``
module; each of its settings is either one the engine takes (then the engine's bounds apply) or
one that cannot change what the model computes at inference (an initializer, a regulariser, the
dtype, ``trainable``), which is never read (:mod:`.entries`); anything else is refused by name. The
graph of a functional model must be a stack whose forks end in an ``Add`` or ``Concatenate``
(residual and inception blocks, :mod:`.graph`); each refusal names the first layer that does not
fit and says what to do.

Both config formats are read: Keras 3's (``.keras`` files, and ``.h5`` files it saves) and
Keras 2's (``tf.keras`` ``.h5`` files: no ``module``, nodes as ``[name, node, tensor, kwargs]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.architecture.limits import MAX_LAYERS
from app.errors import InvalidParameter
from app.ml.importing.entries import (
    MODEL_BODY,
    MODEL_CLASSES,
    MODEL_CONFIG,
    MODEL_MODULES,
    as_mapping,
    input_shape,
    layer_spec,
    shown,
)
from app.ml.importing.graph import functional_stack


def translate(config: object) -> list[dict[str, Any]]:
    """The stack (a JSON-able list, ``Input`` first) equivalent to a Keras model config."""
    model = as_mapping(config, MODEL_CONFIG)
    class_name = model.get("class_name")
    if class_name not in MODEL_CLASSES:
        raise InvalidParameter(
            "The file's model is a {kind}; ConvLens reads Sequential and "
            "functional models (keras.Sequential, keras.Model). Subclassed models hold Python "
            "code, which is never run here: rebuild the model as Sequential or functional.",
            kind=shown(class_name),
        )
    if model.get("module") not in MODEL_MODULES or model.get("registered_name") not in (
        None,
        class_name,
    ):
        raise InvalidParameter(
            "The model names module {module} and registered name {registered}; only Keras' "
            "own model classes are read (custom model classes are code, which is never run "
            "here).",
            module=shown(model.get("module")),
            registered=shown(model.get("registered_name")),
        )
    body = as_mapping(model.get("config"), MODEL_BODY)
    entries = body.get("layers")
    if not isinstance(entries, list) or not entries:
        raise InvalidParameter("The model's config lists no layers; the file holds no model.")
    if len(entries) > MAX_LAYERS:
        raise InvalidParameter(
            "The model has {count} layers; ConvLens reads models of up to {limit}.",
            count=len(entries),
            limit=MAX_LAYERS,
        )
    if class_name == "Sequential":
        return _sequential(entries, body)
    return functional_stack(entries, body)


def _sequential(entries: list[Any], body: Mapping[str, Any]) -> list[dict[str, Any]]:
    stack: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        stack.append(layer_spec(entry, f"layers[{index}]"))
    if stack[0]["type"] != "Input":
        shape = body.get("build_input_shape")
        if shape is None:
            raise InvalidParameter(
                "The Sequential model has no input shape (no Input layer and never built). "
                "Start it with keras.Input(shape=(height, width, channels)) and save it again."
            )
        stack.insert(0, {"type": "Input", "shape": input_shape(shape, "build_input_shape")})
    return stack
