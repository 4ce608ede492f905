"""What this lab takes and follows: each argument's bounds, and what a whole stack may grow to.

Each layer's arguments are bounded (``MAX_UNITS`` and the rest, used by
:mod:`app.core.architecture.layers`), and so is what a stack may reach: 299 DepthwiseConv2D
layers with depth_multiplier 256, each argument in bounds, would still reach 720-digit channel
counts. Totals stay below ``MAX_TOTAL`` = 10**18, so that every count, and 4 bytes a value of it,
fits a signed 64-bit integer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from app.core.architecture.tensor import Shape, shape_text
from app.errors import InvalidParameter

MAX_LAYERS = 300
MAX_NESTING = 4
MIN_BRANCHES = 2
MAX_BRANCHES = 8
MAX_INPUT_SIDE = 4096
MAX_INPUT_CHANNELS = 4096
MAX_INPUT_VALUES = 16_777_216
MAX_UNITS = 65_536
MAX_WINDOW = 256
MAX_STRIDE = 256
MAX_ZERO_PADDING = 512
MAX_DEPTH_MULTIPLIER = 256
MAX_MAGNITUDE = 1e6  # slopes, thresholds, caps, scales and offsets: finite and within +-this
MAX_NAME_LENGTH = 64
MAX_CHANNELS = 2**20
MAX_LAYER_VALUES = 2**40
MAX_TOTAL = 10**18


def stack_size_refusal(count: int, depth: int) -> InvalidParameter | None:
    """Why a stack of ``count`` layers with merges ``depth`` deep is too big, or None."""
    if count > MAX_LAYERS:
        return InvalidParameter(
            "The stack has more than {max_layers} layers (branches included), the most this lab "
            "summarises. ResNet-50 needs under 200; remove some layers.",
            max_layers=MAX_LAYERS,
        )
    if depth > MAX_NESTING:
        return InvalidParameter(
            "Branches are nested more than {max_nesting} deep (an Add or Concatenate inside a "
            "branch of another, {depth} times). Flatten the structure: put merges one after "
            "another instead of inside each other.",
            max_nesting=MAX_NESTING,
            depth=depth,
        )
    return None


def check_growth(where: str, shape: Shape, params: int, macs: int) -> None:
    """Refuse a layer that takes the stack past what this lab follows (see MAX_CHANNELS)."""
    if len(shape) == 3 and shape[2] > MAX_CHANNELS:
        raise InvalidParameter(
            "{where} gives {shape:,} channels; this lab follows up to {max_channels:,} "
            "channels a layer (depth multipliers multiply them, concatenations add them up). "
            "Use fewer filters, a smaller depth_multiplier or fewer branches.",
            where=where,
            shape=shape[2],
            max_channels=MAX_CHANNELS,
        )
    values = math.prod(shape)
    if values > MAX_LAYER_VALUES:
        raise InvalidParameter(
            "{where} gives {shape} = {values:,} values; this lab follows up to "
            "{max_layer_values:,} values a layer. Use a smaller input, downsample (strides "
            "or pooling) before this layer, or use fewer channels or units.",
            where=where,
            shape=shape_text(shape),
            values=values,
            max_layer_values=MAX_LAYER_VALUES,
        )
    if params > MAX_TOTAL:
        raise InvalidParameter(
            "{where} brings the stack to {total:,} parameters; this lab counts up to "
            "{max_total:,} (so that every count fits a 64-bit integer). Use fewer "
            "filters or units, or downsample before the largest layers.",
            where=where,
            total=params,
            max_total=MAX_TOTAL,
        )
    if macs > MAX_TOTAL:
        raise InvalidParameter(
            "{where} brings the stack to {total:,} multiply-accumulates; this lab counts up to "
            "{max_total:,} (so that every count fits a 64-bit integer). Use fewer "
            "filters or units, or downsample before the largest layers.",
            where=where,
            total=macs,
            max_total=MAX_TOTAL,
        )


def check_input_shape(shape: Sequence[int], location: str) -> Shape:
    values = tuple(shape)
    if len(values) not in (1, 3) or any(
        isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in values
    ):
        raise InvalidParameter(
            "{location} is {values}; an input is [height, width, channels] for images or "
            "[length] for vectors, with every size a whole number of at least 1.",
            location=location,
            values=repr(list(values)),
        )
    if len(values) == 3 and (max(values[:2]) > MAX_INPUT_SIDE or values[2] > MAX_INPUT_CHANNELS):
        raise InvalidParameter(
            "{location} is {values}; this lab takes images up to {max_input_side} pixels a "
            "side with up to {max_input_channels} channels. Use a smaller input.",
            location=location,
            values=repr(list(values)),
            max_input_side=MAX_INPUT_SIDE,
            max_input_channels=MAX_INPUT_CHANNELS,
        )
    if math.prod(values) > MAX_INPUT_VALUES:
        raise InvalidParameter(
            "{location} is {values}, {prod:,} values; this lab takes inputs of up to "
            "{max_input_values:,} values. Use a smaller input.",
            location=location,
            values=repr(list(values)),
            prod=math.prod(values),
            max_input_values=MAX_INPUT_VALUES,
        )
    return values
