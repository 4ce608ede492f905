"""Shapes, parameters, multiply-accumulates and receptive fields of a layer stack, as in Keras.

``summarize_stack(input_shape, layers)`` walks a stack of :mod:`app.core.architecture.layers`
and writes out, for every layer (branches included), the arithmetic a learner would do by hand:

* output size per spatial axis, as :mod:`app.core.shapes` writes it for the Kernel lab:
  ``floor((W - F + P_before + P_after) / S) + 1``, where ``"same"`` pads as Keras does;
* parameters: ``kh*kw*C_in*filters + filters`` for Conv2D, ``kh*kw*C_in*m + C_in*m`` for
  DepthwiseConv2D, ``in*units + units`` for Dense (on the last axis, as Keras applies it),
  ``4*C`` for BatchNormalization, of which ``2*C`` (moving mean and variance) are not trainable;
* multiply-accumulates: ``H'*W'*kh*kw*C_in*filters`` for Conv2D, ``H'*W'*kh*kw*C_in*m`` for
  DepthwiseConv2D, ``(values before the last axis)*in*units`` for Dense. Pooling, normalisation,
  activations and merges count 0: they compare, scale or add, they do not multiply-accumulate;
* activation memory: the number of output values, and 4 bytes each at float32;
* receptive field on the input, per axis: ``r_out = r_in + (k - 1)*j_in`` and
  ``j_out = j_in*s`` (global pooling is a window as large as its input; after Flatten, the first
  Dense sees the span of the whole last feature map; a merge takes the largest over branches).

A window that does not fit its input (the output would be zero or negative) makes the stack
impossible: Keras raises ``ValueError`` and so do we, as ``InvalidParameter`` naming the layer. A
division with a remainder is only a warning on that layer: Keras floors it. So that every answer
stays a number a learner can read, a layer's channels, values and parameters, and the stack's
totals, are bounded (``MAX_CHANNELS`` and the rest below); a stack past them is refused.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.core.architecture import ops
from app.core.architecture.layers import Add, Concatenate, Input, Layer, layer_type, walk
from app.core.architecture.limits import check_growth, check_input_shape, stack_size_refusal
from app.core.architecture.merges import merge
from app.core.architecture.tensor import ParamKind, Shape, Tensor, Words, shape_text
from app.errors import N_, InvalidParameter

BYTES_PER_VALUE = 4  # float32


@dataclass(frozen=True)
class LayerRow:
    """One line of the table: a layer, where it sits in the request, and its arithmetic."""

    index: int
    type: str
    name: str
    location: str
    nesting: int
    settings: str  # str or Words, as every text below: translated when sent (tensor.localized)
    input_shapes: tuple[Shape, ...]
    output_shape: Shape
    output_formula: str
    params: int
    trainable_params: int
    params_formula: str
    param_kind: ParamKind | None
    macs: int
    macs_formula: str
    receptive_field: tuple[int, int] | None
    jump: tuple[int, int] | None
    receptive_field_formula: str
    warnings: tuple[str, ...]

    @property
    def non_trainable_params(self) -> int:
        return self.params - self.trainable_params

    @property
    def activation_values(self) -> int:
        return math.prod(self.output_shape)

    @property
    def activation_bytes(self) -> int:
        return self.activation_values * BYTES_PER_VALUE

    def as_dict(self) -> dict[str, object]:
        return {
            "index": self.index,
            "type": self.type,
            "name": self.name,
            "location": self.location,
            "nesting": self.nesting,
            "settings": self.settings,
            "input_shapes": [list(shape) for shape in self.input_shapes],
            "output_shape": list(self.output_shape),
            "output_formula": self.output_formula,
            "params": self.params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "params_formula": self.params_formula,
            "param_kind": self.param_kind,
            "macs": self.macs,
            "macs_formula": self.macs_formula,
            "activation_values": self.activation_values,
            "activation_bytes": self.activation_bytes,
            "receptive_field": _listed(self.receptive_field),
            "jump": _listed(self.jump),
            "receptive_field_formula": self.receptive_field_formula,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Summary:
    input_shape: Shape
    rows: tuple[LayerRow, ...]
    output_shape: Shape
    depth: int
    receptive_field: tuple[int, int] | None
    params_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def total_params(self) -> int:
        return sum(row.params for row in self.rows)

    @property
    def trainable_params(self) -> int:
        return sum(row.trainable_params for row in self.rows)

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    @property
    def total_macs(self) -> int:
        return sum(row.macs for row in self.rows)

    @property
    def activation_values(self) -> int:
        return sum(row.activation_values for row in self.rows)

    @property
    def weight_layers(self) -> int:
        return sum(1 for row in self.rows if row.param_kind in ("conv", "dense"))

    def as_dict(self) -> dict[str, object]:
        return {
            "input_shape": list(self.input_shape),
            "output_shape": list(self.output_shape),
            "layers": [row.as_dict() for row in self.rows],
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "params_bytes": self.total_params * BYTES_PER_VALUE,
            "params_by_kind": self.params_by_kind,
            "total_macs": self.total_macs,
            "activation_values": self.activation_values,
            "activation_bytes": self.activation_values * BYTES_PER_VALUE,
            "depth": self.depth,
            "weight_layers": self.weight_layers,
            "receptive_field": _listed(self.receptive_field),
            "warnings": self.warnings,
        }

    @property
    def warnings(self) -> list[str]:
        return [
            Words(
                N_("{location} {name}: {warning}"),
                location=row.location,
                name=repr(row.name),
                warning=text,
            )
            for row in self.rows
            for text in row.warnings
        ]


def summarize_stack(input_shape: Sequence[int] | None, layers: Sequence[Layer]) -> Summary:
    """The table for ``layers`` applied to an input of ``input_shape`` (no batch axis).

    The input is ``input_shape`` or, when that is None, the stack's first layer, an ``Input``.
    Raises ``InvalidParameter`` naming the layer when the stack is impossible.
    """
    _check_size(layers)
    input_layer, body, input_location = _split_input(input_shape, layers)
    shape = check_input_shape(input_layer.shape, input_location)
    names = _Names(layers)
    tensor = Tensor.image(shape) if len(shape) == 3 else Tensor.vector(shape)
    name = input_layer.name or names.next(Input.keras_name)
    walker = _Walker(names)
    walker.rows.append(
        LayerRow(
            index=0,
            type="Input",
            name=name,
            location=input_location,
            nesting=0,
            settings=Words(N_("shape {shape}"), shape=shape_text(shape)),
            input_shapes=(),
            output_shape=shape,
            output_formula=Words(N_("the input: {shape}"), shape=shape_text(shape)),
            params=0,
            trainable_params=0,
            params_formula=Words(N_("0: the input has no weights")),
            param_kind=None,
            macs=0,
            macs_formula="0",
            receptive_field=tensor.receptive_field,
            jump=tensor.jump,
            receptive_field_formula=Words(N_("1 pixel: each input value sees itself"))
            if tensor.receptive_field
            else Words(N_("none: a vector has no spatial layout")),
            warnings=(),
        )
    )
    offset = 1 if input_shape is None else 0
    output = walker.run(tensor, body, "layers", 0, offset)
    by_kind: Counter[str] = Counter({"conv": 0, "dense": 0, "norm": 0})
    for row in walker.rows:
        if row.param_kind:
            by_kind[row.param_kind] += row.params
    return Summary(
        input_shape=shape,
        rows=tuple(walker.rows),
        output_shape=output.shape,
        depth=output.depth,
        receptive_field=output.receptive_field,
        params_by_kind=dict(by_kind),
    )


class _Names:
    """Keras-style names for unnamed layers, never clashing with the names that were given."""

    def __init__(self, layers: Sequence[Layer]) -> None:
        self.used: set[str] = set()
        for layer, _ in walk(layers):
            if layer.name is None:
                continue
            if layer.name in self.used:
                raise InvalidParameter(
                    "Two layers are named {name}. Keras needs every layer name in a model to "
                    "be unique (it raises ValueError otherwise): rename one of them, or "
                    "leave the name out to get an automatic one.",
                    name=repr(layer.name),
                )
            self.used.add(layer.name)
        self.counts: Counter[str] = Counter()

    def next(self, base: str) -> str:
        while True:
            count = self.counts[base]
            self.counts[base] += 1
            candidate = base if count == 0 else f"{base}_{count}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate


class _Walker:
    def __init__(self, names: _Names) -> None:
        self.names = names
        self.rows: list[LayerRow] = []
        self.params = 0
        self.macs = 0

    def run(
        self, tensor: Tensor, layers: Sequence[Layer], prefix: str, nesting: int, offset: int = 0
    ) -> Tensor:
        for position, layer in enumerate(layers):
            location = f"{prefix}[{position + offset}]"
            tensor = self.layer(tensor, layer, location, nesting)
        return tensor

    def layer(self, tensor: Tensor, layer: Layer, location: str, nesting: int) -> Tensor:
        type_name = layer_type(layer)
        name = layer.name or self.names.next(layer.keras_name)
        where = f'{location} "{name}" ({type_name})'
        if isinstance(layer, Input):
            raise InvalidParameter(
                "{where}: an Input layer can only come first, as the stack's input. Remove "
                "it, or start a new stack with it.",
                where=where,
            )
        if isinstance(layer, Add | Concatenate):
            outputs = [
                self.run(tensor, branch, f"{location}.branches[{b}]", nesting + 1)
                for b, branch in enumerate(layer.branches)
            ]
            result = merge(layer, outputs, where)
            inputs = tuple(output.shape for output in outputs)
        else:
            result = ops.apply(layer, tensor, where)
            inputs = (tensor.shape,)
        output = result.tensor
        self.params += result.params
        self.macs += result.macs
        check_growth(where, output.shape, self.params, self.macs)
        self.rows.append(
            LayerRow(
                index=len(self.rows),
                type=type_name,
                name=name,
                location=location,
                nesting=nesting,
                settings=result.settings,
                input_shapes=inputs,
                output_shape=output.shape,
                output_formula=result.output_formula,
                params=result.params,
                trainable_params=result.trainable_params,
                params_formula=result.params_formula,
                param_kind=result.param_kind,
                macs=result.macs,
                macs_formula=result.macs_formula,
                receptive_field=output.receptive_field,
                jump=output.jump,
                receptive_field_formula=result.receptive_field_formula,
                warnings=result.warnings,
            )
        )
        return output


def _check_size(layers: Sequence[Layer]) -> None:
    deepest = 0
    for count, (_, depth) in enumerate(walk(layers), start=1):
        deepest = max(deepest, depth)
        refusal = stack_size_refusal(count, deepest)
        if refusal:
            raise refusal


def _split_input(
    input_shape: Sequence[int] | None, layers: Sequence[Layer]
) -> tuple[Input, Sequence[Layer], str]:
    starts_with_input = bool(layers) and isinstance(layers[0], Input)
    if input_shape is not None and starts_with_input:
        raise InvalidParameter(
            "The input is given twice: as input_shape and as an Input layer at layers[0]. "
            "Keep one of them."
        )
    if input_shape is None:
        if not starts_with_input:
            raise InvalidParameter(
                "The stack has no input: give input_shape, e.g. [28, 28, 1], or start the layers "
                'with {"type": "Input", "shape": [28, 28, 1]}.'
            )
        first = layers[0]
        assert isinstance(first, Input)
        return first, layers[1:], "layers[0]"
    # Not validated here: _check_input_shape says what is wrong with it, naming input_shape.
    return Input.model_construct(shape=tuple(input_shape)), layers, "input_shape"


def _listed(pair: tuple[int, int] | None) -> list[int] | None:
    return None if pair is None else list(pair)
