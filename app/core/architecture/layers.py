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
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, Strict

from app.core.architecture.limits import (
    MAX_BRANCHES,
    MAX_DEPTH_MULTIPLIER,
    MAX_INPUT_CHANNELS,
    MAX_INPUT_SIDE,
    MAX_INPUT_VALUES,
    MAX_LAYERS,
    MAX_MAGNITUDE,
    MAX_NAME_LENGTH,
    MAX_NESTING,
    MAX_STRIDE,
    MAX_UNITS,
    MAX_WINDOW,
    MAX_ZERO_PADDING,
    MIN_BRANCHES,
)
from app.core.shapes import PaddingMode

ActivationName = Literal[
    "linear",
    "relu",
    "relu6",
    "leaky_relu",
    "elu",
    "selu",
    "gelu",
    "silu",
    "swish",
    "mish",
    "sigmoid",
    "hard_sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "softplus",
    "softsign",
    "exponential",
]
ACTIVATIONS: tuple[str, ...] = get_args(ActivationName)


@dataclass(frozen=True)
class Editor:
    """How the page's editor reads a setting whose JSON form is not one number, flag or choice."""

    kind: Literal["pair", "zeros", "shape", "branches"]


# Pairs are tuples; a tuple is lax (a JSON list is one) while the numbers in it stay strict.
Side = Annotated[int, Field(ge=1, le=MAX_WINDOW)]
StrideSide = Annotated[int, Field(ge=1, le=MAX_STRIDE)]
PadSide = Annotated[int, Field(ge=0, le=MAX_ZERO_PADDING)]
PadPair = Annotated[tuple[PadSide, PadSide], Strict(False)]
SidePair = Annotated[tuple[Side, Side], Strict(False)]
StridePair = Annotated[tuple[StrideSide, StrideSide], Strict(False)]
Window = Annotated[Side | SidePair, Editor("pair")]
Strides = Annotated[StrideSide | StridePair, Editor("pair")]
PoolStrides = Annotated[StrideSide | StridePair | None, Editor("pair")]
ZeroPadding = Annotated[
    PadSide | PadPair | Annotated[tuple[PadPair, PadPair], Strict(False)], Editor("zeros")
]
Units = Annotated[int, Field(ge=1, le=MAX_UNITS)]
DepthMultiplier = Annotated[int, Field(ge=1, le=MAX_DEPTH_MULTIPLIER)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Magnitude = Annotated[float, Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, le=MAX_MAGNITUDE, allow_inf_nan=False)]
# Keras takes any axis; this lab follows channels-last tensors, so only the last axis.
LastAxis = Literal[-1]
InputShape = Annotated[
    tuple[Annotated[int, Field(ge=1, le=MAX_INPUT_VALUES)], ...],
    Strict(False),
    Field(min_length=1, max_length=3),
    Editor("shape"),
]
LayerName = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME_LENGTH, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"),
]

INPUT_SHAPE = (
    f"[height, width, channels] for images (up to {MAX_INPUT_SIDE} a side, "
    f"{MAX_INPUT_CHANNELS} channels), or [length] for vectors; no batch axis."
)
KERNEL = "Window size: an integer or [rows, cols]."
STRIDES = "Window step: an integer or [rows, cols]."
PADDING = '"valid": no zeros added; "same": zeros so that the output is ceil(W / S).'
USE_BIAS = "Whether each output channel adds a learned bias."
ACTIVATION = "Applied to each output value; null means linear. No effect on shapes or params."
KEEPDIMS = "Keep a 1x1xC map instead of C values."
LAST_AXIS = "-1: the last axis (channels, or units), the only one this lab follows."
BRANCHES = (
    "Each branch is a list of layers applied to this layer's input; [] is the input itself "
    f"(an identity shortcut). {MIN_BRANCHES} to {MAX_BRANCHES} branches, nested at most "
    f"{MAX_NESTING} deep."
)


def _type_is_required(schema: dict[str, Any]) -> None:
    # "type" has a default so that Conv2D(...) needs no type=..., but JSON must always say it.
    schema["required"] = ["type", *schema.get("required", [])]


class LayerSpec(BaseModel):
    """Every layer may be given a name; unnamed layers get Keras-style ones (``conv2d_1``)."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, json_schema_extra=_type_is_required
    )

    keras_name: ClassVar[str]  # what Keras calls an unnamed one, before the _1, _2 suffixes
    name: LayerName | None = Field(
        default=None,
        description="The layer's name (unique); left out, it gets a Keras-style one such as "
        "conv2d_1.",
    )


class Input(LayerSpec):
    """the stack's input; only as the first layer, instead of input_shape"""

    type: Literal["Input"] = "Input"
    keras_name: ClassVar[str] = "input_layer"
    shape: InputShape = Field(title="Shape", description=INPUT_SHAPE, examples=[[28, 28, 1]])


class Conv2D(LayerSpec):
    """filters slide over the input"""

    type: Literal["Conv2D"] = "Conv2D"
    keras_name: ClassVar[str] = "conv2d"
    filters: Units = Field(
        title="Filters", description="How many filters, i.e. output channels.", examples=[8]
    )
    kernel_size: Window = Field(title="Kernel", description=KERNEL, examples=[3])
    strides: Strides = Field(default=1, title="Strides", description=STRIDES)
    padding: PaddingMode = Field(default="valid", title="Padding", description=PADDING)
    use_bias: bool = Field(default=True, title="Bias", description=USE_BIAS)
    activation: ActivationName | None = Field(
        default=None, title="Activation", description=ACTIVATION
    )


class DepthwiseConv2D(LayerSpec):
    """one filter per input channel"""

    type: Literal["DepthwiseConv2D"] = "DepthwiseConv2D"
    keras_name: ClassVar[str] = "depthwise_conv2d"
    kernel_size: Window = Field(title="Kernel", description=KERNEL, examples=[3])
    strides: Strides = Field(default=1, title="Strides", description=STRIDES)
    padding: PaddingMode = Field(default="valid", title="Padding", description=PADDING)
    depth_multiplier: DepthMultiplier = Field(
        default=1,
        title="Depth multiplier",
        description="Filters per input channel: output channels = C_in * this.",
    )
    use_bias: bool = Field(default=True, title="Bias", description=USE_BIAS)
    activation: ActivationName | None = Field(
        default=None, title="Activation", description=ACTIVATION
    )


class SeparableConv2D(LayerSpec):
    """a depthwise convolution, then 1x1 filters that mix its channels"""

    type: Literal["SeparableConv2D"] = "SeparableConv2D"
    keras_name: ClassVar[str] = "separable_conv2d"
    filters: Units = Field(
        title="Filters", description="How many 1x1 filters, i.e. output channels.", examples=[8]
    )
    kernel_size: Window = Field(title="Kernel", description=KERNEL, examples=[3])
    strides: Strides = Field(default=1, title="Strides", description=STRIDES)
    padding: PaddingMode = Field(default="valid", title="Padding", description=PADDING)
    depth_multiplier: DepthMultiplier = Field(
        default=1,
        title="Depth multiplier",
        description="Depthwise filters per input channel, before the 1x1 filters mix them.",
    )
    use_bias: bool = Field(default=True, title="Bias", description=USE_BIAS)
    activation: ActivationName | None = Field(
        default=None, title="Activation", description=ACTIVATION
    )


class _Pooling2D(LayerSpec):
    """The settings MaxPooling2D and AveragePooling2D share, as Keras orders them."""

    pool_size: Window = Field(default=2, title="Pool size", description=KERNEL)
    strides: PoolStrides = Field(
        default=None, title="Strides", description="Window step; null: the pool_size."
    )
    padding: PaddingMode = Field(default="valid", title="Padding", description=PADDING)


class MaxPooling2D(_Pooling2D):
    """keeps the largest value of each window"""

    type: Literal["MaxPooling2D"] = "MaxPooling2D"
    keras_name: ClassVar[str] = "max_pooling2d"


class AveragePooling2D(_Pooling2D):
    """averages each window"""

    type: Literal["AveragePooling2D"] = "AveragePooling2D"
    keras_name: ClassVar[str] = "average_pooling2d"


class GlobalAveragePooling2D(LayerSpec):
    """one average per channel"""

    type: Literal["GlobalAveragePooling2D"] = "GlobalAveragePooling2D"
    keras_name: ClassVar[str] = "global_average_pooling2d"
    keepdims: bool = Field(default=False, title="Keep 1\u00d71", description=KEEPDIMS)


class GlobalMaxPooling2D(LayerSpec):
    """one maximum per channel"""

    type: Literal["GlobalMaxPooling2D"] = "GlobalMaxPooling2D"
    keras_name: ClassVar[str] = "global_max_pooling2d"
    keepdims: bool = Field(default=False, title="Keep 1\u00d71", description=KEEPDIMS)


class ZeroPadding2D(LayerSpec):
    """adds rows and columns of zeros"""

    type: Literal["ZeroPadding2D"] = "ZeroPadding2D"
    keras_name: ClassVar[str] = "zero_padding2d"
    padding: ZeroPadding = Field(
        default=1,
        title="Zeros",
        description="Zeros per side: n, [rows, cols] or [[top, bottom], [left, right]].",
    )


class Flatten(LayerSpec):
    """lays the values out in one vector"""

    type: Literal["Flatten"] = "Flatten"
    keras_name: ClassVar[str] = "flatten"


class Dense(LayerSpec):
    """every input wired to every unit (on the last axis)"""

    type: Literal["Dense"] = "Dense"
    keras_name: ClassVar[str] = "dense"
    units: Units = Field(title="Units", description="How many output units.", examples=[10])
    use_bias: bool = Field(default=True, title="Bias", description=USE_BIAS)
    activation: ActivationName | None = Field(
        default=None, title="Activation", description=ACTIVATION
    )


class Dropout(LayerSpec):
    """zeroes a fraction of values while training"""

    type: Literal["Dropout"] = "Dropout"
    keras_name: ClassVar[str] = "dropout"
    rate: Fraction = Field(
        title="Rate", description="Fraction of values set to 0 while training.", examples=[0.5]
    )


class BatchNormalization(LayerSpec):
    """normalises each channel"""

    type: Literal["BatchNormalization"] = "BatchNormalization"
    keras_name: ClassVar[str] = "batch_normalization"
    axis: LastAxis = Field(default=-1, title="Axis", description=LAST_AXIS)
    momentum: Fraction = Field(
        default=0.99,
        title="Momentum",
        description="How much of the moving mean and variance each training step keeps.",
    )
    epsilon: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = Field(
        default=1e-3,
        title="Epsilon (\u03b5)",
        description="Added to the variance before its square root, so that it never divides by 0.",
    )
    center: bool = Field(
        default=True, title="Center (\u03b2)", description="Learn a shift (beta) per channel."
    )
    scale: bool = Field(
        default=True, title="Scale (\u03b3)", description="Learn a scale (gamma) per channel."
    )


class Activation(LayerSpec):
    """a function applied to each value"""

    type: Literal["Activation"] = "Activation"
    keras_name: ClassVar[str] = "activation"
    activation: ActivationName = Field(
        title="Activation", description="The function applied to each value.", examples=["relu"]
    )


class ReLU(LayerSpec):
    """max(x, 0), optionally capped, leaky or thresholded"""

    type: Literal["ReLU"] = "ReLU"
    keras_name: ClassVar[str] = "re_lu"
    max_value: NonNegative | None = Field(
        default=None, title="Max value", description="The largest output (6: ReLU6); null: none."
    )
    negative_slope: NonNegative = Field(
        default=0.0, title="Negative slope", description="Slope below the threshold; 0: flat."
    )
    threshold: NonNegative = Field(
        default=0.0,
        title="Threshold",
        description="Values above it pass unchanged; the rest give negative_slope * (x - this).",
    )


class LeakyReLU(LayerSpec):
    """x, or a small slope times x below 0"""

    type: Literal["LeakyReLU"] = "LeakyReLU"
    keras_name: ClassVar[str] = "leaky_re_lu"
    negative_slope: NonNegative = Field(
        default=0.3, title="Negative slope", description="Slope below 0: negative_slope * x there."
    )


class Softmax(LayerSpec):
    """turns each position's values into probabilities"""

    type: Literal["Softmax"] = "Softmax"
    keras_name: ClassVar[str] = "softmax"
    axis: LastAxis = Field(default=-1, title="Axis", description=LAST_AXIS)


class Rescaling(LayerSpec):
    """x * scale + offset, e.g. pixels 0..255 to 0..1"""

    type: Literal["Rescaling"] = "Rescaling"
    keras_name: ClassVar[str] = "rescaling"
    scale: Magnitude = Field(
        title="Scale", description="Each value is multiplied by it.", examples=[1 / 255]
    )
    offset: Magnitude = Field(
        default=0.0, title="Offset", description="Added after scaling (-1 with 1/127.5: -1..1)."
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
    """sums branches of equal shape (a residual block)"""

    type: Literal["Add"] = "Add"
    keras_name: ClassVar[str] = "add"
    branches: Branches = Field(
        title="Branches",
        description=BRANCHES,
        examples=[[[{"type": "Conv2D", "filters": 8, "kernel_size": 3, "padding": "same"}], []]],
        json_schema_extra=_nested_merges_in_brief,
    )


class Concatenate(LayerSpec):
    """stacks branches along the channels (an inception module)"""

    type: Literal["Concatenate"] = "Concatenate"
    keras_name: ClassVar[str] = "concatenate"
    branches: Branches = Field(
        title="Branches",
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
