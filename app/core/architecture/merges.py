"""Add and Concatenate: how the branches' outputs become one tensor, or why they cannot."""

from __future__ import annotations

from collections.abc import Sequence

from app.core.architecture.layers import Add, Concatenate
from app.core.architecture.tensor import Pair, Result, Tensor, Words, shape_text
from app.errors import N_, InvalidParameter


def merge(layer: Add | Concatenate, outputs: Sequence[Tensor], where: str) -> Result:
    """Add or Concatenate the branches' outputs (an empty branch passed its input through).

    The layer has at least ``MIN_BRANCHES`` branches: its model checked that when it was made.
    """
    shapes = [output.shape for output in outputs]
    listed = ", ".join(
        f"branch {b}{' (identity)' if not branch else ''} gives {shape_text(shape)}"
        for b, (branch, shape) in enumerate(zip(layer.branches, shapes, strict=True))
    )
    if isinstance(layer, Add):
        if any(shape != shapes[0] for shape in shapes):
            raise InvalidParameter(
                "{where}: its branches end in different shapes ({listed}). Add sums value by "
                "value, so every branch must end in the same shape; Keras raises ValueError "
                '("Inputs have incompatible shapes"). Give the shortcut a 1x1 Conv2D with '
                "the main path's filters and strides (a projection shortcut), or use padding "
                '"same" in the main path.',
                where=where,
                listed=listed,
            )
        shape = shapes[0]
        formula = Words(
            N_("every branch ends in {shape}: summed value by value -> {shape}"),
            shape=shape_text(shape),
        )
    else:
        if any(len(s) != len(shapes[0]) or s[:-1] != shapes[0][:-1] for s in shapes):
            raise InvalidParameter(
                "{where}: its branches end in shapes that differ in more than the channels "
                "({listed}). Concatenate stacks along the last axis, so all other sizes must "
                'match; Keras raises ValueError ("requires inputs with matching shapes '
                'except for the concatenation axis"). Use padding "same" and the same '
                "strides in every branch.",
                where=where,
                listed=listed,
            )
        channels = [s[-1] for s in shapes]
        shape = (*shapes[0][:-1], sum(channels))
        formula = Words(
            N_("channels {sum} = {total} -> {shape}"),
            sum=" + ".join(map(str, channels)),
            total=sum(channels),
            shape=shape_text(shape),
        )
    fields = [o.receptive_field for o in outputs if o.receptive_field is not None]
    jumps = [o.jump for o in outputs if o.jump is not None]
    spans = [o.span for o in outputs if o.span is not None]
    tensor = Tensor(
        shape,
        _largest(fields),
        _largest(jumps),
        _largest(spans),
        max(o.depth for o in outputs),
    )
    return Result(
        tensor,
        Words(N_("{count} branches"), count=len(outputs)),
        formula,
        Words(N_("the largest over the branches"))
        if fields
        else Words(N_("none: vectors have no spatial layout")),
    )


def _largest(pairs: Sequence[Pair]) -> Pair | None:
    if not pairs:
        return None
    return (max(p[0] for p in pairs), max(p[1] for p in pairs))
