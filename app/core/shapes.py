"""Output-size arithmetic for convolution and pooling windows.

For one spatial dimension of size ``W``, a window of size ``F`` moved with stride ``S`` over the
input padded with ``P_before + P_after`` zeros gives::

    output = floor((W - F + P_before + P_after) / S) + 1

which is the textbook ``(W - F + 2P) / S + 1`` when the padding is symmetric. When the division
is not exact, the last ``(W - F + P_total) mod S`` padded rows (or columns) are never reached by
the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from app.core.architecture.tensor import Clause, Words
from app.errors import N_, ConvLensError, InvalidParameter

PaddingMode = Literal["valid", "same"]
Padding = PaddingMode | int | tuple[int, int]
Pair = tuple[int, int]

MAX_EXPLICIT_PADDING = 64


@dataclass(frozen=True)
class AxisSize:
    """The arithmetic behind one spatial dimension of an output."""

    axis: Literal["rows", "cols"]
    input: int
    window: int
    stride: int
    pad_before: int
    pad_after: int
    output: int
    unreached: int

    @property
    def pad_total(self) -> int:
        return self.pad_before + self.pad_after

    @property
    def divides_evenly(self) -> bool:
        return self.unreached == 0

    @property
    def formula(self) -> str:
        quotient = (self.input - self.window + self.pad_total) / self.stride
        padding = (
            f"2*{self.pad_before}"
            if self.pad_before == self.pad_after
            else f"({self.pad_before}+{self.pad_after})"
        )
        exact = f"{quotient:g} + 1" if self.divides_evenly else f"floor({quotient:g}) + 1"
        return (
            f"({self.input} - {self.window} + {padding}) / {self.stride} + 1 = {exact}"
            f" = {self.output}"
        )

    @property
    def explanation(self) -> str:
        return self.explained().detail

    def explained(self) -> ConvLensError:
        """:attr:`explanation` as a message (a ConvLensError, never raised) whose
        ``localized()`` is the same sentence in the request's language."""
        if self.divides_evenly:
            padded = self.input + self.pad_total
            if self.axis == "rows":
                return ConvLensError(
                    "The {window}-wide window fits exactly: every one of the {padded} padded rows "
                    "is covered.",
                    window=self.window,
                    padded=padded,
                )
            return ConvLensError(
                "The {window}-wide window fits exactly: every one of the {padded} padded columns "
                "is covered.",
                window=self.window,
                padded=padded,
            )
        params = {
            "output": self.output,
            "start": (self.output - 1) * self.stride,
            "steps": self.output - 1,
            "stride": self.stride,
            "unreached": self.unreached,
        }
        match self.axis, self.unreached == 1:
            case "rows", True:
                return ConvLensError(
                    "The division is not exact: window number {output} starts at padded index "
                    "{start} ({steps} steps of {stride}) and one more step would run past the "
                    "edge, so the last padded row is never reached by the window. Keras does the "
                    "same; change the stride or padding to make it divide evenly.",
                    **params,
                )
            case "rows", False:
                return ConvLensError(
                    "The division is not exact: window number {output} starts at padded index "
                    "{start} ({steps} steps of {stride}) and one more step would run past the "
                    "edge, so the last {unreached} padded rows are never reached by the window. "
                    "Keras does the same; change the stride or padding to make it divide evenly.",
                    **params,
                )
            case _, True:
                return ConvLensError(
                    "The division is not exact: window number {output} starts at padded index "
                    "{start} ({steps} steps of {stride}) and one more step would run past the "
                    "edge, so the last padded column is never reached by the window. Keras does "
                    "the same; change the stride or padding to make it divide evenly.",
                    **params,
                )
            case _:
                return ConvLensError(
                    "The division is not exact: window number {output} starts at padded index "
                    "{start} ({steps} steps of {stride}) and one more step would run past the "
                    "edge, so the last {unreached} padded columns are never reached by the "
                    "window. Keras does the same; change the stride or padding to make it divide "
                    "evenly.",
                    **params,
                )

    def as_dict(self) -> dict[str, object]:
        return {
            "axis": self.axis,
            "input": self.input,
            "window": self.window,
            "stride": self.stride,
            "pad_before": self.pad_before,
            "pad_after": self.pad_after,
            "pad_total": self.pad_total,
            "output": self.output,
            "divides_evenly": self.divides_evenly,
            "unreached": self.unreached,
            "formula": self.formula,
            "explanation": self.explained().localized(),  # in the request's language
        }


def as_pair(value: int | tuple[int, int] | list[int], name: str) -> Pair:
    """Turn an int or a two-element sequence into a (rows, cols) pair of ints."""
    if isinstance(value, bool):
        raise InvalidParameter(
            "{name} must be an integer or a pair of integers, got {value}.",
            name=name,
            value=repr(value),
        )
    if isinstance(value, int):
        return (value, value)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        first, second = value
        if all(isinstance(v, int) and not isinstance(v, bool) for v in (first, second)):
            return (int(first), int(second))
    raise InvalidParameter(
        "{name} must be an integer or a pair [rows, cols] of integers, got {value}.",
        name=name,
        value=repr(value),
    )


def check_strides(strides: int | tuple[int, int] | list[int]) -> Pair:
    pair = as_pair(strides, "strides")
    if min(pair) < 1:
        raise InvalidParameter(
            "strides must be at least 1, got {strides}. A stride is how many pixels the window "
            "moves each step; use 1 to visit every position.",
            strides=list(pair),
        )
    return pair


def same_padding(size: int, window: int, stride: int) -> tuple[int, int]:
    """Keras/TensorFlow "same" padding: output = ceil(size / stride), extra pixel after."""
    output = math.ceil(size / stride)
    total = max((output - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def resolve_padding(
    padding: Padding | list[int], input_shape: Pair, window: Pair, strides: Pair
) -> tuple[Pair, Pair]:
    """Return ((top, bottom), (left, right)) zero padding for the given padding spec."""
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":
        return (
            same_padding(input_shape[0], window[0], strides[0]),
            same_padding(input_shape[1], window[1], strides[1]),
        )
    if isinstance(padding, str):
        raise InvalidParameter(
            'padding must be "valid", "same", an integer or a pair of integers, got {padding}.',
            padding=repr(padding),
        )
    rows, cols = as_pair(padding, "padding")
    if min(rows, cols) < 0:
        raise InvalidParameter(
            'padding must not be negative, got {value}. Use 0 (or "valid") for no padding.',
            value=[rows, cols],
        )
    if max(rows, cols) > MAX_EXPLICIT_PADDING:
        raise InvalidParameter(
            "padding of {padding} pixels is more than the {max_padding} allowed; a CNN "
            "pads by about half the kernel size, so use a smaller number.",
            padding=max(rows, cols),
            max_padding=MAX_EXPLICIT_PADDING,
        )
    return (rows, rows), (cols, cols)


def output_sizes(
    input_shape: Pair, window: Pair, strides: Pair, padding: tuple[Pair, Pair], what: str
) -> tuple[AxisSize, AxisSize]:
    """The arithmetic for rows and cols; raises if the window does not fit the padded input."""
    sizes = []
    for index, axis in enumerate(("rows", "cols")):
        size, win, stride = input_shape[index], window[index], strides[index]
        before, after = padding[index]
        span = size + before + after - win
        if span < 0:
            raise _larger_than_input(
                what,
                axis,
                kernel=f"{window[0]}x{window[1]}",
                padded=f"{input_shape[0] + sum(padding[0])}x{input_shape[1] + sum(padding[1])}",
            )
        sizes.append(
            AxisSize(
                axis=axis,  # type: ignore[arg-type]
                input=size,
                window=win,
                stride=stride,
                pad_before=before,
                pad_after=after,
                output=span // stride + 1,
                unreached=span % stride,
            )
        )
    return sizes[0], sizes[1]


def _larger_than_input(what: str, axis: str, **sizes: str) -> InvalidParameter:
    """A window larger than the padded input, one whole sentence per window and axis."""
    match what, axis:
        case "kernel", "rows":
            return InvalidParameter(
                "The kernel ({kernel}) is larger than the padded input ({padded}) along the "
                "rows. Use a smaller kernel, a larger input, or more padding (for example padding "
                '"same").',
                **sizes,
            )
        case "kernel", _:
            return InvalidParameter(
                "The kernel ({kernel}) is larger than the padded input ({padded}) along the "
                "cols. Use a smaller kernel, a larger input, or more padding (for example padding "
                '"same").',
                **sizes,
            )
        case "pooling window", "rows":
            return InvalidParameter(
                "The pooling window ({kernel}) is larger than the padded input ({padded}) along "
                "the rows. Use a smaller pooling window, a larger input, or more padding (for "
                'example padding "same").',
                **sizes,
            )
        case "pooling window", _:
            return InvalidParameter(
                "The pooling window ({kernel}) is larger than the padded input ({padded}) along "
                "the cols. Use a smaller pooling window, a larger input, or more padding (for "
                'example padding "same").',
                **sizes,
            )
        case _, "rows":
            return InvalidParameter(
                "The window ({kernel}) is larger than the padded input ({padded}) along the "
                "rows. Use a smaller window, a larger input, or more padding (for example padding "
                '"same").',
                **sizes,
            )
        case _:
            return InvalidParameter(
                "The window ({kernel}) is larger than the padded input ({padded}) along the "
                "cols. Use a smaller window, a larger input, or more padding (for example padding "
                '"same").',
                **sizes,
            )


def both_axes_formula(rows: AxisSize, cols: AxisSize) -> str:
    """The formula once when both axes work out alike, else each axis named."""
    if rows.formula == cols.formula:
        return rows.formula
    return Words(N_("rows: {rows}; cols: {cols}"), rows=rows.formula, cols=cols.formula)


def uneven_explanations(rows: AxisSize, cols: AxisSize) -> tuple[str, ...]:
    """The explanation of each axis the window does not divide evenly, said once if alike
    (:class:`Words`, read in the request's language when the answer is sent)."""

    def clause(size: AxisSize) -> Clause:
        message = size.explained()
        return Clause(message.template, **message.params)

    if rows.formula == cols.formula and not rows.divides_evenly:
        return (Words(N_("rows and columns alike: {explanation}"), explanation=clause(rows)),)
    return tuple(
        Words(N_("rows: {explanation}"), explanation=clause(size))
        if size.axis == "rows"
        else Words(N_("cols: {explanation}"), explanation=clause(size))
        for size in (rows, cols)
        if not size.divides_evenly
    )
