"""Request and response models of the Architecture lab: layer stacks and their summaries.

A layer is ``{"type": "<Keras class>", ...its Keras arguments}``. Two types hold branches: each
branch is a list of layers that starts from the merge's input, and ``[]`` is the input itself.
A ResNet block is ``{"type": "Add", "branches": [[...main path...], []]}``; an inception module
is ``{"type": "Concatenate", "branches": [[1x1], [1x1, 3x3], [1x1, 5x5], [pool, 1x1]]}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from app.core.architecture.layers import LAYER_TYPE_NAMES, InputShape, Layer
from app.core.architecture.limits import MAX_LAYERS, stack_size_refusal
from app.errors import InvalidValue
from app.schemas.common import Strict


def _count_layers(layers: object, nesting: int, seen: int) -> int:
    """How many layers a raw JSON stack holds, stopping as soon as it is over the limits."""
    if not isinstance(layers, list):
        return seen
    for layer in layers:
        seen += 1
        branches = layer.get("branches") if isinstance(layer, dict) else None
        refusal = stack_size_refusal(seen, nesting + 1 if isinstance(branches, list) else 0)
        if refusal:
            raise InvalidValue.like(refusal)
        if isinstance(branches, list):
            for branch in branches:
                seen = _count_layers(branch, nesting + 1, seen)
    return seen


_SUMMARY_EXAMPLE_LAYERS: list[JsonValue] = [
    {"type": "Conv2D", "filters": 32, "kernel_size": 3, "activation": "relu"},
    {"type": "MaxPooling2D", "pool_size": 2},
    {"type": "Flatten"},
    {"type": "Dense", "units": 64, "activation": "relu"},
    {"type": "Dense", "units": 10, "activation": "softmax"},
]


class SummaryRequest(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"input_shape": [28, 28, 1], "layers": _SUMMARY_EXAMPLE_LAYERS}]
        }
    )

    input_shape: InputShape | None = Field(
        default=None,
        description="The input's shape. Leave it out only when layers starts with an Input.",
        examples=[[28, 28, 1]],
    )
    layers: Annotated[list[Layer], Field(max_length=MAX_LAYERS)] = Field(
        description=f"The stack, first layer first; at most {MAX_LAYERS} layers in all, "
        "branches included.",
        examples=[_SUMMARY_EXAMPLE_LAYERS],
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
    type: str = Field(
        description="The Keras layer class.", json_schema_extra={"enum": list(LAYER_TYPE_NAMES)}
    )
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
    layers: list[Layer] = Field(description="The stack, in the request format.")
    summary: SummaryResponse = Field(description="The full table, as the summary endpoint gives.")


EditorKind = Literal["int", "float", "bool", "choice", "pair", "zeros", "shape", "branches"]


class LayerSettingOut(BaseModel):
    key: str = Field(description="The setting's Keras argument name, e.g. kernel_size.")
    label: str = Field(description="A short label for a form field, e.g. Kernel.")
    description: str = Field(description="What the setting means, in a sentence.")
    kind: EditorKind = Field(
        description="int, float, bool, choice (one of options), pair (n or [rows, cols]), "
        "zeros (n, [rows, cols] or [[top, bottom], [left, right]]), shape, or branches."
    )
    required: bool = Field(description="Whether a layer of this type must give it.")
    nullable: bool = Field(description="Whether null is allowed (it then means the default).")
    default: Any = Field(description="The value when it is left out; null when required.")
    example: Any = Field(description="What a new layer starts with: the default or an example.")
    minimum: int | float | None = Field(description="The smallest number allowed, if a number.")
    maximum: int | float | None = Field(description="The largest number allowed, if a number.")
    options: list[str] = Field(description="The allowed values of a choice; [] otherwise.")


class LayerTypeOut(BaseModel):
    type: str = Field(description="The Keras layer class, as the request's type.")
    about: str = Field(description="What the layer does, in a few words.")
    keras_name: str = Field(description="What Keras calls an unnamed one (conv2d, conv2d_1...).")
    fields: list[LayerSettingOut] = Field(description="Its settings, as Keras orders them.")
    example: dict[str, Any] = Field(description="A new layer of this type, in the request format.")


class StackLimits(BaseModel):
    max_layers: int = Field(description="Layers in a stack, branches included.")
    max_nesting: int = Field(description="How deep merges may sit inside branches.")
    min_branches: int = Field(description="Fewest branches of one Add or Concatenate.")
    max_branches: int = Field(description="Most branches of one Add or Concatenate.")
    max_input_side: int = Field(description="Height or width of an image input.")
    max_input_channels: int = Field(description="Channels of an image input.")
    max_input_values: int = Field(description="Values in the input.")
    max_channels: int = Field(description="Channels any layer may give.")
    max_layer_values: int = Field(description="Values any layer may give.")
    max_total: int = Field(description="The stack's parameters, and its multiply-accumulates.")


class LayerCatalogue(BaseModel):
    layer_types: list[LayerTypeOut] = Field(description="Every layer type the lab knows.")
    limits: StackLimits = Field(description="What a whole stack must keep to.")
