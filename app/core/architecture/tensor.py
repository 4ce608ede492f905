"""What the walk over a stack carries from layer to layer (:class:`Tensor`) and what each layer
gives back (:class:`Result`): shapes, receptive fields and the arithmetic, written out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Shape = tuple[int, ...]
Pair = tuple[int, int]
ParamKind = Literal["conv", "dense", "norm"]
NO_WEIGHTS = "0: no weights"
NO_MACS = "0: no multiply-accumulates counted"


@dataclass(frozen=True)
class Tensor:
    """A layer's output as the walk sees it: shape (no batch axis) and what it sees of the input.

    ``span`` is the extent of the input that all units together see (for an image tensor,
    ``r + (H - 1)*j`` per axis); ``depth`` counts weight layers on the longest path to here.
    """

    shape: Shape
    receptive_field: Pair | None
    jump: Pair | None
    span: Pair | None
    depth: int

    @classmethod
    def image(cls, shape: Shape, rf: Pair = (1, 1), jump: Pair = (1, 1), depth: int = 0) -> Tensor:
        span = (rf[0] + (shape[0] - 1) * jump[0], rf[1] + (shape[1] - 1) * jump[1])
        return cls(shape, rf, jump, span, depth)

    @classmethod
    def vector(cls, shape: Shape) -> Tensor:
        return cls(shape, None, None, None, 0)


@dataclass(frozen=True)
class Result:
    tensor: Tensor
    settings: str
    output_formula: str
    receptive_field_formula: str
    params: int = 0
    trainable: int | None = None  # None: all of them
    params_formula: str = NO_WEIGHTS
    param_kind: ParamKind | None = None
    macs: int = 0
    macs_formula: str = NO_MACS
    warnings: tuple[str, ...] = ()

    @property
    def trainable_params(self) -> int:
        return self.params if self.trainable is None else self.trainable


def shape_text(shape: Sequence[int]) -> str:
    return "x".join(str(size) for size in shape)
