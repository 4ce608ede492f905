"""Request and response models of the Architecture lab: layer stacks and their summaries.

A layer is ``{"type": "<Keras class>", ...its Keras arguments}``. Two types hold branches: each
branch is a list of layers that starts from the merge's input, and ``[]`` is the input itself.
A ResNet block is ``{"type": "Add", "branches": [[...main path...], []]}``; an inception module
is ``{"type": "Concatenate", "branches": [[1x1], [1x1, 3x3], [1x1, 5x5], [pool, 1x1]]}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from app.core.architecture_layers import (
    MAX_BRANCHES,
    MAX_DEPTH_MULTIPLIER,
    MAX_INPUT_VALUES,
    MAX_LAYERS,
    MAX_NAME_LENGTH,
    MAX_NESTING,
    MAX_STRIDE,
    MAX_UNITS,
    MAX_WINDOW,
    MAX_ZERO_PADDING,
    ActivationName,
    LayerType,
)
from app.core.shapes import PaddingMode
from app.schemas.common import Strict

LayerName = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME_LENGTH, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"),
]
Side = Annotated[int, Field(ge=1, le=MAX_WINDOW)]
Window = Side | Annotated[list[Side], Field(min_length=2, max_length=2)]
StrideSide = Annotated[int, Field(ge=1, le=MAX_STRIDE)]
Strides = StrideSide | Annotated[list[StrideSide], Field(min_length=2, max_length=2)]
Units = Annotated[int, Field(ge=1, le=MAX_UNITS)]
PadSide = Annotated[int, Field(ge=0, le=MAX_ZERO_PADDING)]
PadPair = Annotated[list[PadSide], Field(min_length=2, max_length=2)]
ZeroPadding = PadSide | PadPair | Annotated[list[PadPair], Field(min_length=2, max_length=2)]
ShapeSide = Annotated[int, Field(ge=1, le=MAX_INPUT_VALUES)]
InputShape = Annotated[
    list[ShapeSide],
    Field(
        min_length=1,
        max_length=3,
        description="[height, width, channels] for images (up to 4096 a side, 4096 channels), "
        "or [length] for vectors; no batch axis.",
        examples=[[28, 28, 1]],
    ),
]

NAME = "The layer's name (unique); left out, it gets a Keras-style one such as conv2d_1."
KERNEL = "Window size: an integer or [rows, cols]."
STRIDES = "Window step: an integer or [rows, cols]."
PADDING = '"valid": no padding, output floor((W - F) / S) + 1; "same": output ceil(W / S).'
USE_BIAS = "Whether each output channel adds a learned bias."
ACTIVATION = "Applied to each output value; null means linear. No effect on shapes or params."


class LayerBase(Strict):
    name: LayerName | None = Field(default=None, description=NAME)


class InputSpec(LayerBase):
    type: Literal["Input"] = Field(description="Only as the first layer, instead of input_shape.")
    shape: InputShape


class Conv2DSpec(LayerBase):
    type: Literal["Conv2D"] = Field(description="keras.layers.Conv2D")
    filters: Units = Field(description="How many filters, i.e. output channels.")
    kernel_size: Window = Field(description=KERNEL)
    strides: Strides = Field(default=1, description=STRIDES)
    padding: PaddingMode = Field(default="valid", description=PADDING)
    use_bias: bool = Field(default=True, description=USE_BIAS)
    activation: ActivationName | None = Field(default=None, description=ACTIVATION)


class DepthwiseConv2DSpec(LayerBase):
    type: Literal["DepthwiseConv2D"] = Field(description="keras.layers.DepthwiseConv2D")
    kernel_size: Window = Field(description=KERNEL)
    strides: Strides = Field(default=1, description=STRIDES)
    padding: PaddingMode = Field(default="valid", description=PADDING)
    depth_multiplier: Annotated[int, Field(ge=1, le=MAX_DEPTH_MULTIPLIER)] = Field(
        default=1, description="Filters per input channel: output channels = C_in * this."
    )
    use_bias: bool = Field(default=True, description=USE_BIAS)
    activation: ActivationName | None = Field(default=None, description=ACTIVATION)


class MaxPooling2DSpec(LayerBase):
    type: Literal["MaxPooling2D"] = Field(description="keras.layers.MaxPooling2D")
    pool_size: Window = Field(default=2, description=KERNEL)
    strides: Strides | None = Field(default=None, description="Defaults to pool_size.")
    padding: PaddingMode = Field(default="valid", description=PADDING)


class AveragePooling2DSpec(LayerBase):
    type: Literal["AveragePooling2D"] = Field(description="keras.layers.AveragePooling2D")
    pool_size: Window = Field(default=2, description=KERNEL)
    strides: Strides | None = Field(default=None, description="Defaults to pool_size.")
    padding: PaddingMode = Field(default="valid", description=PADDING)


class GlobalAveragePooling2DSpec(LayerBase):
    type: Literal["GlobalAveragePooling2D"] = Field(
        description="keras.layers.GlobalAveragePooling2D"
    )
    keepdims: bool = Field(default=False, description="Keep a 1x1xC map instead of C values.")


class GlobalMaxPooling2DSpec(LayerBase):
    type: Literal["GlobalMaxPooling2D"] = Field(description="keras.layers.GlobalMaxPooling2D")
    keepdims: bool = Field(default=False, description="Keep a 1x1xC map instead of C values.")


class ZeroPadding2DSpec(LayerBase):
    type: Literal["ZeroPadding2D"] = Field(description="keras.layers.ZeroPadding2D")
    padding: ZeroPadding = Field(
        default=1, description="Zeros per side: n, [rows, cols] or [[top, bottom], [left, right]]."
    )


class FlattenSpec(LayerBase):
    type: Literal["Flatten"] = Field(description="keras.layers.Flatten")


class DenseSpec(LayerBase):
    type: Literal["Dense"] = Field(description="keras.layers.Dense; acts on the last axis.")
    units: Units = Field(description="How many output units.")
    use_bias: bool = Field(default=True, description=USE_BIAS)
    activation: ActivationName | None = Field(default=None, description=ACTIVATION)


class DropoutSpec(LayerBase):
    type: Literal["Dropout"] = Field(description="keras.layers.Dropout")
    rate: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = Field(
        description="Fraction of values set to 0 while training."
    )


class BatchNormalizationSpec(LayerBase):
    type: Literal["BatchNormalization"] = Field(description="keras.layers.BatchNormalization")
    center: bool = Field(default=True, description="Learn a shift (beta) per channel.")
    scale: bool = Field(default=True, description="Learn a scale (gamma) per channel.")


class ActivationSpec(LayerBase):
    type: Literal["Activation"] = Field(description="keras.layers.Activation")
    activation: ActivationName = Field(description="The function applied to each value.")


BRANCHES = (
    "Each branch is a list of layers applied to this layer's input; [] is the input itself "
    f"(an identity shortcut). 2 to {MAX_BRANCHES} branches, nested at most {MAX_NESTING} deep."
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
        if not any(merge in variant.get("$ref", "") for merge in ("AddSpec", "ConcatenateSpec"))
    ] + [NESTED_MERGE]
    items.pop("discriminator", None)


class AddSpec(LayerBase):
    type: Literal["Add"] = Field(description="keras.layers.Add: sums branches of equal shape.")
    branches: Annotated[
        list[Annotated[list[LayerSpecIn], Field(max_length=MAX_LAYERS)]],
        Field(min_length=2, max_length=MAX_BRANCHES),
    ] = Field(
        description=BRANCHES,
        examples=[[[{"type": "Conv2D", "filters": 1, "kernel_size": 3, "padding": "same"}], []]],
        json_schema_extra=_nested_merges_in_brief,
    )


class ConcatenateSpec(LayerBase):
    type: Literal["Concatenate"] = Field(
        description="keras.layers.Concatenate: stacks branches along the channel (last) axis."
    )
    branches: Annotated[
        list[Annotated[list[LayerSpecIn], Field(max_length=MAX_LAYERS)]],
        Field(min_length=2, max_length=MAX_BRANCHES),
    ] = Field(description=BRANCHES, json_schema_extra=_nested_merges_in_brief)


LayerSpecIn = Annotated[
    InputSpec
    | Conv2DSpec
    | DepthwiseConv2DSpec
    | MaxPooling2DSpec
    | AveragePooling2DSpec
    | GlobalAveragePooling2DSpec
    | GlobalMaxPooling2DSpec
    | ZeroPadding2DSpec
    | FlattenSpec
    | DenseSpec
    | DropoutSpec
    | BatchNormalizationSpec
    | ActivationSpec
    | AddSpec
    | ConcatenateSpec,
    Field(discriminator="type"),
]
AddSpec.model_rebuild()
ConcatenateSpec.model_rebuild()


def _count_layers(layers: object, nesting: int, seen: int) -> int:
    """How many layers a raw JSON stack holds, stopping as soon as it is over the limits."""
    if not isinstance(layers, list):
        return seen
    for layer in layers:
        seen += 1
        if seen > MAX_LAYERS:
            raise ValueError(
                f"the stack has more than {MAX_LAYERS} layers, branches included; remove some"
            )
        branches = layer.get("branches") if isinstance(layer, dict) else None
        if isinstance(branches, list):
            if nesting >= MAX_NESTING:
                raise ValueError(
                    f"branches are nested more than {MAX_NESTING} deep; put merges one after "
                    "another instead of inside each other"
                )
            for branch in branches:
                seen = _count_layers(branch, nesting + 1, seen)
    return seen


class SummaryRequest(Strict):
    input_shape: InputShape | None = Field(
        default=None,
        description="The input's shape. Leave it out only when layers starts with an Input.",
    )
    layers: Annotated[list[LayerSpecIn], Field(max_length=MAX_LAYERS)] = Field(
        description=f"The stack, first layer first; at most {MAX_LAYERS} layers in all, "
        "branches included.",
        examples=[
            [
                {"type": "Conv2D", "filters": 32, "kernel_size": 3, "activation": "relu"},
                {"type": "MaxPooling2D", "pool_size": 2},
                {"type": "Flatten"},
                {"type": "Dense", "units": 64, "activation": "relu"},
                {"type": "Dense", "units": 10, "activation": "softmax"},
            ]
        ],
    )

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: Any) -> Any:
        # Counted on the raw JSON, so that a huge or deeply nested body is refused cheaply.
        if isinstance(data, dict):
            _count_layers(data.get("layers"), 0, 0)
        return data


ParamKind = Literal["conv", "dense", "norm"]


class LayerRowOut(BaseModel):
    index: int = Field(description="Row number; row 0 is the input.")
    type: LayerType = Field(description="The Keras layer class.")
    name: str = Field(description="The layer's name, given or Keras-style.")
    location: str = Field(
        description='Where the layer is in the request, e.g. "layers[5].branches[1][0]".'
    )
    nesting: int = Field(description="0 for the main stack, 1 inside a branch, and so on.")
    settings: str = Field(description="The layer's settings in words.")
    input_shapes: list[list[int]] = Field(description="Input shape (one per branch for merges).")
    output_shape: list[int] = Field(description="Output shape, no batch axis.")
    output_formula: str = Field(description="How the output shape follows, numbers filled in.")
    params: int = Field(description="Parameters (weights and biases) of this layer.")
    trainable_params: int = Field(description="Parameters that training updates.")
    non_trainable_params: int = Field(description="BatchNormalization's moving statistics.")
    params_formula: str = Field(description="e.g. 11*11*3*96 + 96 = 34,944")
    param_kind: ParamKind | None = Field(description="conv, dense or norm; null: no weights.")
    macs: int = Field(description="Multiply-accumulate operations for one input.")
    macs_formula: str = Field(description="e.g. 55*55*11*11*3*96 = 105,415,200")
    activation_values: int = Field(description="Values in the output (activation memory).")
    activation_bytes: int = Field(description="activation_values * 4 (float32).")
    receptive_field: list[int] | None = Field(
        description="[rows, cols] of input pixels one output unit sees; null for vectors."
    )
    jump: list[int] | None = Field(description="Input pixels between neighbouring units.")
    receptive_field_formula: str = Field(description="r_in + (k - 1)*j_in, numbers filled in.")
    warnings: list[str] = Field(description="e.g. an uneven division that Keras floors.")


class ParamsByKind(BaseModel):
    conv: int = Field(description="Parameters in Conv2D and DepthwiseConv2D layers.")
    dense: int = Field(description="Parameters in Dense layers.")
    norm: int = Field(description="Parameters in BatchNormalization layers.")


class Totals(BaseModel):
    input_shape: list[int] = Field(description="The input's shape.")
    output_shape: list[int] = Field(description="The last layer's output shape.")
    total_params: int = Field(description="All parameters, as model.summary() counts them.")
    trainable_params: int = Field(description="Parameters that training updates.")
    non_trainable_params: int = Field(description="total_params - trainable_params.")
    params_bytes: int = Field(description="total_params * 4 (float32).")
    params_by_kind: ParamsByKind = Field(description="Where the parameters sit.")
    total_macs: int = Field(description="Multiply-accumulates for one input, all layers.")
    activation_values: int = Field(description="Output values of all layers together.")
    activation_bytes: int = Field(description="activation_values * 4 (float32).")
    depth: int = Field(description="Conv and Dense layers on the longest path (VGG16: 16).")
    weight_layers: int = Field(description="Conv and Dense layers in all.")
    receptive_field: list[int] | None = Field(description="The last layer's receptive field.")


class SummaryResponse(Totals):
    layers: list[LayerRowOut] = Field(description="One row per layer, branches before merges.")
    warnings: list[str] = Field(description="Every row's warnings, each naming its layer.")


class PresetInfo(Totals):
    name: str = Field(description="Identifier for GET /api/architectures/{name}.")
    title: str = Field(description="Human-readable name.")
    description: str = Field(description="What the architecture is, in a sentence or two.")
    source: str = Field(description="The paper (or model) it comes from.")
    layer_count: int = Field(description="Layers in the table, the input included.")
    receptive_field_growth: list[int | None] = Field(
        description="Receptive field (rows) after each layer of the main stack, input first."
    )


class PresetResponse(PresetInfo):
    layers: list[LayerSpecIn] = Field(description="The stack, in the request format.")
    summary: SummaryResponse = Field(description="The full table, as the summary endpoint gives.")
