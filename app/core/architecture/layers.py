"""The Architecture lab's layer vocabulary, written once: named and parameterised as in Keras.

Each class is named after its Keras layer and takes the same keyword arguments with the same
defaults, so ``Conv2D(filters=96, kernel_size=11, strides=4)`` here means what
``keras.layers.Conv2D(96, 11, strides=4)`` means. The classes are Pydantic models, so one
definition gives everything else: the request body of ``POST /api/architectures/summary`` is a
list of them (``{"type": "<class name>", ...its settings}``, pairs as two-element lists), a
preset is a tuple of them, their bounds are checked wherever a layer is made, and
``GET /api/architectures/layer-types`` describes them for the page's editor (see
:mod:`app.core.architecture.catalogue`).

Two layers hold branches, each branch a tuple of layers applied to the merge's input (an empty
branch is the input itself, the identity shortcut of a residual block):

* ``Add(branches=(main, ()))`` sums the branches' outputs, which must have equal shapes;
* ``Concatenate(branches=(b1, b2, b3, b4))`` stacks them along the channel (last) axis, as an
  inception module does.

This module is the vocabulary's front door: it holds Input, Flatten and Dense, the two merges,
the ``Layer`` union (every type, in the order the catalogue lists them), :func:`walk`, and
re-exports the rest, so import any of these names from here. The rest lives in three modules:

* :mod:`app.core.architecture.layer_spec`: the base :class:`LayerSpec`, the bounded setting
  types the layers share, the activation names, the shared field descriptions;
* :mod:`app.core.architecture.spatial`: the convolutions, poolings and ZeroPadding2D;
* :mod:`app.core.architecture.elementwise`: the layers that keep their input's shape (Dropout,
  BatchNormalization, the activations, Rescaling).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import Field, Strict

from app.core.architecture.elementwise import (
    Activation,
    BatchNormalization,
    Dropout,
    LeakyReLU,
    ReLU,
    Rescaling,
    Softmax,
)
from app.core.architecture.layer_spec import (
    ACTIVATION,
    ACTIVATIONS,
    BRANCHES,
    INPUT_SHAPE,
    KEEPDIMS,
    KERNEL,
    LAST_AXIS,
    PADDING,
    STRIDES,
    USE_BIAS,
    ActivationName,
    DepthMultiplier,
    Editor,
    Fraction,
    InputShape,
    LastAxis,
    LayerName,
    LayerSpec,
    Magnitude,
    NonNegative,
    PadPair,
    PadSide,
    PoolStrides,
    Side,
    SidePair,
    StridePair,
    Strides,
    StrideSide,
    Units,
    Window,
    ZeroPadding,
)
from app.core.architecture.limits import MAX_BRANCHES, MAX_LAYERS, MIN_BRANCHES
from app.core.architecture.spatial import (
    AveragePooling2D,
    Conv2D,
    DepthwiseConv2D,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    MaxPooling2D,
    SeparableConv2D,
    ZeroPadding2D,
)
from app.errors import N_

__all__ = [
    "ACTIVATION",
    "ACTIVATIONS",
    "BRANCHES",
    "INPUT_SHAPE",
    "KEEPDIMS",
    "KERNEL",
    "LAST_AXIS",
    "LAYER_TYPES",
    "LAYER_TYPE_NAMES",
    "NESTED_MERGE",
    "PADDING",
    "STRIDES",
    "USE_BIAS",
    "Activation",
    "ActivationName",
    "Add",
    "AveragePooling2D",
    "BatchNormalization",
    "Branches",
    "Concatenate",
    "Conv2D",
    "Dense",
    "DepthMultiplier",
    "DepthwiseConv2D",
    "Dropout",
    "Editor",
    "Flatten",
    "Fraction",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling2D",
    "Input",
    "InputShape",
    "LastAxis",
    "Layer",
    "LayerName",
    "LayerSpec",
    "LeakyReLU",
    "Magnitude",
    "MaxPooling2D",
    "NonNegative",
    "PadPair",
    "PadSide",
    "PoolStrides",
    "ReLU",
    "Rescaling",
    "SeparableConv2D",
    "Side",
    "SidePair",
    "Softmax",
    "Stack",
    "StridePair",
    "StrideSide",
    "Strides",
    "Units",
    "Window",
    "ZeroPadding",
    "ZeroPadding2D",
    "layer_type",
    "walk",
]


class Input(LayerSpec):
    __doc__ = N_("the stack's input; only as the first layer, instead of input_shape")

    type: Literal["Input"] = "Input"
    keras_name: ClassVar[str] = "input_layer"
    shape: InputShape = Field(title=N_("Shape"), description=INPUT_SHAPE, examples=[[28, 28, 1]])


class Flatten(LayerSpec):
    __doc__ = N_("lays the values out in one vector")

    type: Literal["Flatten"] = "Flatten"
    keras_name: ClassVar[str] = "flatten"


class Dense(LayerSpec):
    __doc__ = N_("every input wired to every unit (on the last axis)")

    type: Literal["Dense"] = "Dense"
    keras_name: ClassVar[str] = "dense"
    units: Units = Field(title=N_("Units"), description=N_("How many output units."), examples=[10])
    use_bias: bool = Field(default=True, title=N_("Bias"), description=USE_BIAS)
    activation: ActivationName | None = Field(
        default=None, title=N_("Activation"), description=ACTIVATION
    )


NESTED_MERGE = {
    "type": "object",
    "description": "An Add or Concatenate inside a branch: the same fields as at the top level.",
    "properties": {
        "type": {"type": "string", "enum": ["Add", "Concatenate"]},
        "name": {"type": "string"},
        "branches": {"type": "array", "items": {"type": "array", "items": {"type": "object"}}},
    },
    "required": ["type", "branches"],
}


def _nested_merges_in_brief(schema: dict[str, Any]) -> None:
    """Document a merge inside a branch as a plain object; validation stays exact and recursive.

    Spelling out the recursion makes the schema describe every layer type again at every depth,
    which multiplies what schema-driven clients and fuzzers walk through about fourfold.
    """
    items = schema["items"]["items"]
    items["oneOf"] = [
        variant
        for variant in items["oneOf"]
        if variant.get("$ref", "").rsplit("/", 1)[-1] not in ("Add", "Concatenate")
    ] + [NESTED_MERGE]
    items.pop("discriminator", None)


Branches = Annotated[
    tuple[Annotated[tuple["Layer", ...], Strict(False), Field(max_length=MAX_LAYERS)], ...],
    Strict(False),
    Field(min_length=MIN_BRANCHES, max_length=MAX_BRANCHES),
    Editor("branches"),
]


class Add(LayerSpec):
    __doc__ = N_("sums branches of equal shape (a residual block)")

    type: Literal["Add"] = "Add"
    keras_name: ClassVar[str] = "add"
    branches: Branches = Field(
        title=N_("Branches"),
        description=BRANCHES,
        examples=[[[{"type": "Conv2D", "filters": 8, "kernel_size": 3, "padding": "same"}], []]],
        json_schema_extra=_nested_merges_in_brief,
    )


class Concatenate(LayerSpec):
    __doc__ = N_("stacks branches along the channels (an inception module)")

    type: Literal["Concatenate"] = "Concatenate"
    keras_name: ClassVar[str] = "concatenate"
    branches: Branches = Field(
        title=N_("Branches"),
        description=BRANCHES,
        examples=[
            [
                [{"type": "Conv2D", "filters": 8, "kernel_size": 1, "activation": "relu"}],
                [{"type": "MaxPooling2D", "pool_size": 3, "strides": 1, "padding": "same"}],
            ]
        ],
        json_schema_extra=_nested_merges_in_brief,
    )


Layer = Annotated[
    Input
    | Conv2D
    | DepthwiseConv2D
    | SeparableConv2D
    | MaxPooling2D
    | AveragePooling2D
    | GlobalAveragePooling2D
    | GlobalMaxPooling2D
    | ZeroPadding2D
    | Flatten
    | Dense
    | Dropout
    | BatchNormalization
    | Activation
    | ReLU
    | LeakyReLU
    | Softmax
    | Rescaling
    | Add
    | Concatenate,
    Field(discriminator="type"),
]
Add.model_rebuild()
Concatenate.model_rebuild()
Stack = tuple[Layer, ...]

LAYER_TYPES: tuple[type[LayerSpec], ...] = get_args(get_args(Layer)[0])
LAYER_TYPE_NAMES: tuple[str, ...] = tuple(cls.__name__ for cls in LAYER_TYPES)


def layer_type(layer: LayerSpec) -> str:
    return type(layer).__name__


def walk(layers: Sequence[Layer], depth: int = 0) -> Iterator[tuple[Layer, int]]:
    """Every layer of a stack, branches included, with how deeply it is nested."""
    for layer in layers:
        yield layer, depth
        if isinstance(layer, Add | Concatenate):
            for branch in layer.branches:
                yield from walk(branch, depth + 1)
