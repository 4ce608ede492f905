"""What every layer of :mod:`app.core.architecture.layers` is made of: the base and its settings.

:class:`LayerSpec` is the Pydantic base of every layer class (strict, frozen, no unknown
fields, ``"type"`` always required in JSON). Beside it are the setting types the layers share,
each bounded by :mod:`app.core.architecture.limits` (a window side, a stride, a count of units,
an input shape...), :class:`Editor`, which tells the page's editor how to read a setting that is
not one number, flag or choice, the activation names Keras knows (:data:`ACTIVATIONS`), and the
descriptions several layers' fields share. Import them from :mod:`app.core.architecture.layers`,
which re-exports them with the layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, Strict

from app.core.architecture.limits import (
    MAX_BRANCHES,
    MAX_DEPTH_MULTIPLIER,
    MAX_INPUT_CHANNELS,
    MAX_INPUT_SIDE,
    MAX_INPUT_VALUES,
    MAX_MAGNITUDE,
    MAX_NAME_LENGTH,
    MAX_NESTING,
    MAX_STRIDE,
    MAX_UNITS,
    MAX_WINDOW,
    MAX_ZERO_PADDING,
    MIN_BRANCHES,
)
from app.core.architecture.tensor import Words
from app.errors import N_

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

# Words: English whose translation is looked up when the catalogue is sent (catalogue.py).
INPUT_SHAPE = Words(
    N_(
        "[height, width, channels] for images (up to {max_side} a side, {max_channels} "
        "channels), or [length] for vectors; no batch axis."
    ),
    max_side=MAX_INPUT_SIDE,
    max_channels=MAX_INPUT_CHANNELS,
)
KERNEL = N_("Window size: an integer or [rows, cols].")
STRIDES = N_("Window step: an integer or [rows, cols].")
PADDING = N_('"valid": no zeros added; "same": zeros so that the output is ceil(W / S).')
USE_BIAS = N_("Whether each output channel adds a learned bias.")
ACTIVATION = N_("Applied to each output value; null means linear. No effect on shapes or params.")
KEEPDIMS = N_("Keep a 1x1xC map instead of C values.")
LAST_AXIS = N_("-1: the last axis (channels, or units), the only one this lab follows.")
BRANCHES = Words(
    N_(
        "Each branch is a list of layers applied to this layer's input; [] is the input itself "
        "(an identity shortcut). {min_branches} to {max_branches} branches, nested at most "
        "{max_nesting} deep."
    ),
    min_branches=MIN_BRANCHES,
    max_branches=MAX_BRANCHES,
    max_nesting=MAX_NESTING,
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
