"""Layer specifications for the Architecture lab, named and parameterised as in Keras.

A stack is a tuple of these frozen dataclasses. Each class is named after its Keras layer and
takes the same keyword arguments with the same defaults, so ``Conv2D(filters=96,
kernel_size=11, strides=4)`` here means what ``keras.layers.Conv2D(96, 11, strides=4)`` means.

Two layers hold branches, each branch a tuple of layers applied to the merge's input (an empty
branch is the input itself, the identity shortcut of a residual block):

* ``Add(branches=(main, ()))`` sums the branches' outputs, which must have equal shapes;
* ``Concatenate(branches=(b1, b2, b3, b4))`` stacks them along the channel (last) axis, as an
  inception module does.

The JSON form (what ``POST /api/architectures/summary`` takes and the presets are listed in) is
``{"type": "<class name>", <keyword arguments>}`` with pairs written as two-element lists.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import MISSING, dataclass, fields
from typing import Any, Literal, get_args

from app.core.shapes import PaddingMode
from app.errors import InvalidParameter, UnknownName

MAX_LAYERS = 300
MAX_NESTING = 4
MAX_BRANCHES = 8
MAX_INPUT_SIDE = 4096
MAX_INPUT_CHANNELS = 4096
MAX_INPUT_VALUES = 16_777_216
MAX_UNITS = 65_536
MAX_WINDOW = 256
MAX_STRIDE = 256
MAX_ZERO_PADDING = 512
MAX_DEPTH_MULTIPLIER = 256
MAX_NAME_LENGTH = 64

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

IntPair = tuple[int, int]
Size = int | IntPair
ZeroPadding = int | IntPair | tuple[IntPair, IntPair]


@dataclass(frozen=True, kw_only=True)
class LayerSpec:
    """Every layer may be given a name; unnamed layers get Keras-style ones (``conv2d_1``)."""

    name: str | None = None


@dataclass(frozen=True, kw_only=True)
class Input(LayerSpec):
    shape: tuple[int, ...]


@dataclass(frozen=True, kw_only=True)
class Conv2D(LayerSpec):
    filters: int
    kernel_size: Size
    strides: Size = 1
    padding: PaddingMode = "valid"
    use_bias: bool = True
    activation: ActivationName | None = None


@dataclass(frozen=True, kw_only=True)
class DepthwiseConv2D(LayerSpec):
    kernel_size: Size
    strides: Size = 1
    padding: PaddingMode = "valid"
    depth_multiplier: int = 1
    use_bias: bool = True
    activation: ActivationName | None = None


@dataclass(frozen=True, kw_only=True)
class MaxPooling2D(LayerSpec):
    pool_size: Size = 2
    strides: Size | None = None
    padding: PaddingMode = "valid"


@dataclass(frozen=True, kw_only=True)
class AveragePooling2D(LayerSpec):
    pool_size: Size = 2
    strides: Size | None = None
    padding: PaddingMode = "valid"


@dataclass(frozen=True, kw_only=True)
class GlobalAveragePooling2D(LayerSpec):
    keepdims: bool = False


@dataclass(frozen=True, kw_only=True)
class GlobalMaxPooling2D(LayerSpec):
    keepdims: bool = False


@dataclass(frozen=True, kw_only=True)
class ZeroPadding2D(LayerSpec):
    padding: ZeroPadding = 1


@dataclass(frozen=True, kw_only=True)
class Flatten(LayerSpec):
    pass


@dataclass(frozen=True, kw_only=True)
class Dense(LayerSpec):
    units: int
    use_bias: bool = True
    activation: ActivationName | None = None


@dataclass(frozen=True, kw_only=True)
class Dropout(LayerSpec):
    rate: float


@dataclass(frozen=True, kw_only=True)
class BatchNormalization(LayerSpec):
    center: bool = True
    scale: bool = True


@dataclass(frozen=True, kw_only=True)
class Activation(LayerSpec):
    activation: ActivationName


@dataclass(frozen=True, kw_only=True)
class Add(LayerSpec):
    branches: tuple[tuple[Layer, ...], ...]


@dataclass(frozen=True, kw_only=True)
class Concatenate(LayerSpec):
    branches: tuple[tuple[Layer, ...], ...]


Layer = (
    Input
    | Conv2D
    | DepthwiseConv2D
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
    | Add
    | Concatenate
)
Merge = Add | Concatenate
Stack = tuple[Layer, ...]

LAYER_TYPES: dict[str, type[LayerSpec]] = {cls.__name__: cls for cls in get_args(Layer)}
LayerType = Literal[
    "Input",
    "Conv2D",
    "DepthwiseConv2D",
    "MaxPooling2D",
    "AveragePooling2D",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling2D",
    "ZeroPadding2D",
    "Flatten",
    "Dense",
    "Dropout",
    "BatchNormalization",
    "Activation",
    "Add",
    "Concatenate",
]

# The names Keras gives unnamed layers, before the _1, _2 ... suffixes.
KERAS_BASE_NAMES = {
    "Input": "input_layer",
    "Conv2D": "conv2d",
    "DepthwiseConv2D": "depthwise_conv2d",
    "MaxPooling2D": "max_pooling2d",
    "AveragePooling2D": "average_pooling2d",
    "GlobalAveragePooling2D": "global_average_pooling2d",
    "GlobalMaxPooling2D": "global_max_pooling2d",
    "ZeroPadding2D": "zero_padding2d",
    "Flatten": "flatten",
    "Dense": "dense",
    "Dropout": "dropout",
    "BatchNormalization": "batch_normalization",
    "Activation": "activation",
    "Add": "add",
    "Concatenate": "concatenate",
}


def layer_type(layer: LayerSpec) -> str:
    return type(layer).__name__


def walk(layers: Sequence[Layer], depth: int = 0) -> Iterator[tuple[Layer, int]]:
    """Every layer of a stack, branches included, with how deeply it is nested."""
    for layer in layers:
        yield layer, depth
        if isinstance(layer, Add | Concatenate):
            for branch in layer.branches:
                yield from walk(branch, depth + 1)


def layer_to_json(layer: Layer) -> dict[str, Any]:
    """The request form: ``{"type": ..., **settings}``, leaving out settings left at default."""
    data: dict[str, Any] = {"type": layer_type(layer)}
    for field in fields(layer):
        value = getattr(layer, field.name)
        if field.default is not MISSING and value == field.default:
            continue
        if field.name == "branches":
            data["branches"] = [[layer_to_json(inner) for inner in branch] for branch in value]
        else:
            data[field.name] = _to_json_value(value)
    return data


def layer_from_json(data: Mapping[str, Any], location: str = "layers[0]") -> Layer:
    """Build a layer from its request form; pairs may be lists, branches lists of layers."""
    type_name = data.get("type")
    cls = LAYER_TYPES.get(type_name) if isinstance(type_name, str) else None
    if cls is None:
        raise UnknownName(
            f"{location} has the type {type_name!r}, which is not a layer this lab knows. "
            f"Use one of: {', '.join(LAYER_TYPES)}."
        )
    settings = {key: value for key, value in data.items() if key != "type"}
    accepted = {field.name for field in fields(cls)}
    unknown = sorted(set(settings) - accepted)
    if unknown:
        raise InvalidParameter(
            f"{location} ({type_name}) has no setting {', '.join(map(repr, unknown))}. "
            f"{type_name} takes: {', '.join(sorted(accepted))}."
        )
    required = {f.name for f in fields(cls) if f.default is MISSING}
    missing = sorted(required - set(settings))
    if missing:
        raise InvalidParameter(
            f"{location} ({type_name}) needs {', '.join(map(repr, missing))}; add "
            f"{'it' if len(missing) == 1 else 'them'} to the layer."
        )
    if "branches" in settings:
        settings["branches"] = tuple(
            tuple(
                layer_from_json(inner, f"{location}.branches[{b}][{i}]")
                for i, inner in enumerate(branch)
            )
            for b, branch in enumerate(settings["branches"])
        )
    for key, value in settings.items():
        if key != "branches":
            settings[key] = _to_tuple(value)
    return cls(**settings)  # type: ignore[return-value]


def stack_from_json(layers: Sequence[Mapping[str, Any]]) -> Stack:
    return tuple(layer_from_json(layer, f"layers[{i}]") for i, layer in enumerate(layers))


def _to_json_value(value: object) -> object:
    if isinstance(value, tuple):
        return [_to_json_value(item) for item in value]
    return value


def _to_tuple(value: object) -> object:
    if isinstance(value, list | tuple):
        return tuple(_to_tuple(item) for item in value)
    return value
