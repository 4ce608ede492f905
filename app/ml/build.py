"""A Keras model built from a stack spec by our own code, and weights checked into it.

The spec is the Architecture lab's format (:mod:`app.core.architecture.layers`): each layer
class there is named and parameterised as its Keras layer, so each becomes
``keras.layers.<type>(**its settings)``. ``Add`` and ``Concatenate`` apply each branch to the
merge's input (an empty branch is the input itself) and merge the branches' outputs. Layer names
are the engine's (``summarize_stack``), so the summary, the built model and its weights agree.

Nothing here reads a file or deserialises anything: it is how imported models are rebuilt
without giving Keras the user's file, and how models trained here will be built.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from app.core.architecture.layers import Add, Concatenate, Input, Layer, layer_type
from app.core.architecture.summary import Summary, summarize_stack
from app.errors import InvalidParameter

if TYPE_CHECKING:
    import keras

Weights = Mapping[str, Sequence[NDArray[np.float32]]]


def build_model(layers: Sequence[Layer], name: str = "model") -> keras.Model:
    """The functional Keras model of ``layers`` (the first an ``Input``), checked by the engine.

    Raises ``InvalidParameter`` naming the layer when the engine refuses the stack.
    """
    summary = summarize_stack(None, layers)
    import keras

    first = layers[0]
    assert isinstance(first, Input)  # summarize_stack refuses a stack without one
    names = _names_by_location(summary)
    inputs = keras.Input(shape=tuple(first.shape), name=names["layers[0]"])
    outputs = _Builder(names).run(inputs, layers[1:], "layers", offset=1)
    return keras.Model(inputs, outputs, name=name)


def assign_weights(model: keras.Model, weights: Weights) -> None:
    """Give each layer its arrays, after checking their count, shapes and values.

    ``weights`` maps layer names to arrays in the order of ``layer.weights``. Raises
    ``InvalidParameter`` naming the first layer whose arrays do not fit.
    """
    known = {layer.name for layer in model.layers}
    for extra in weights:
        if extra not in known and weights[extra]:
            raise InvalidParameter(
                "The file holds weights for a layer {layer!r} that its configuration does not "
                "have. Save the model again with model.save() so that both come from one model.",
                layer=extra,
            )
    for layer in model.layers:
        expected = [tuple(int(d) for d in w.shape) for w in layer.weights]
        given = list(weights.get(layer.name, ()))
        where = {"layer": layer.name, "kind": layer.__class__.__name__}
        if len(given) != len(expected):
            raise _arrays_differ(where, expected, [tuple(a.shape) for a in given])
        for index, (array, shape) in enumerate(zip(given, expected, strict=True)):
            if tuple(array.shape) != shape:
                raise InvalidParameter(
                    'layer "{layer}" ({kind}): weight {index} has shape {shape}, but the layer '
                    "as configured needs {expected}. The weights do not belong to this "
                    "configuration; save the model again with model.save().",
                    index=index,
                    shape=tuple(array.shape),
                    expected=shape,
                    **where,
                )
            if not np.all(np.isfinite(array)):
                raise InvalidParameter(
                    'layer "{layer}" ({kind}): weight {index} holds NaN or infinite values, so '
                    "every answer would be NaN. Train the model again, or load a checkpoint "
                    "from before training diverged.",
                    index=index,
                    **where,
                )
        if given:
            layer.set_weights([np.asarray(a, dtype=np.float32) for a in given])


def _arrays_differ(
    where: dict[str, str], expected: Sequence[tuple[int, ...]], given: Sequence[tuple[int, ...]]
) -> InvalidParameter:
    """A layer given another number of arrays than it has (either may be none)."""
    params = {
        "count": len(expected),
        "shapes": _shapes(expected),
        "given": len(given),
        "given_shapes": _shapes(given),
        **where,
    }
    if not given:
        return InvalidParameter(
            'layer "{layer}" ({kind}) needs {count} weight arrays ({shapes}) but the file '
            "holds {given} (none). The weights do not belong to this configuration; save the "
            "model again with model.save().",
            **params,
        )
    if not expected:
        return InvalidParameter(
            'layer "{layer}" ({kind}) needs {count} weight arrays (none) but the file '
            "holds {given} ({given_shapes}). The weights do not belong to this configuration; "
            "save the model again with model.save().",
            **params,
        )
    return InvalidParameter(
        'layer "{layer}" ({kind}) needs {count} weight arrays ({shapes}) but the file '
        "holds {given} ({given_shapes}). The weights do not belong to this configuration; "
        "save the model again with model.save().",
        **params,
    )


def _shapes(shapes: Sequence[tuple[int, ...]]) -> str:
    return ", ".join(str(tuple(s)) for s in shapes)


def _names_by_location(summary: Summary) -> dict[str, str]:
    return {row.location: row.name for row in summary.rows}


class _Builder:
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def run(self, tensor: Any, layers: Sequence[Layer], prefix: str, offset: int = 0) -> Any:
        for position, layer in enumerate(layers):
            tensor = self.layer(tensor, layer, f"{prefix}[{position + offset}]")
        return tensor

    def layer(self, tensor: Any, layer: Layer, location: str) -> Any:
        import keras

        name = self.names[location]
        if isinstance(layer, Add | Concatenate):
            outputs = [
                self.run(tensor, branch, f"{location}.branches[{b}]")
                for b, branch in enumerate(layer.branches)
            ]
            merge = keras.layers.Add if isinstance(layer, Add) else keras.layers.Concatenate
            return merge(name=name)(outputs)
        settings = layer.model_dump(exclude={"type", "name"})
        keras_class = getattr(keras.layers, layer_type(layer))
        return keras_class(**settings, name=name)(tensor)
