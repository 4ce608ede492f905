"""Window arithmetic of the Architecture lab: output sizes per axis, what Keras leaves unread,
and reading the window settings (sizes, strides, zero padding) of a layer.

For one spatial axis of size W, a window F moved with stride S gives, as Keras computes it::

    "valid": floor((W - F) / S) + 1, impossible when W < F (Keras raises ValueError)
    "same":  ceil(W / S), with (ceil(W / S) - 1)*S + F - W zeros added, the odd one after
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.core.architecture_layers import MAX_ZERO_PADDING
from app.core.shapes import PaddingMode, same_padding
from app.errors import InvalidParameter

Shape = tuple[int, ...]
Pair = tuple[int, int]


@dataclass(frozen=True)
class Axis:
    """The output size along one spatial axis, its formula, and the numbers behind them."""

    name: Literal["rows", "cols"]
    output: int
    formula: str
    numbers: tuple[int, int, int, int, int]  # size, zeros added, window, stride, span

    def warning(self, name: str | None = None) -> str | None:
        return _uneven(name or self.name, *self.numbers, self.output)


def axes(
    shape: Shape, window: Pair, strides: Pair, padding: PaddingMode, where: str, what: str
) -> tuple[Axis, Axis]:
    if padding not in ("valid", "same"):
        raise InvalidParameter(f'{where} has padding {padding!r}; use "valid" or "same".')
    axes = []
    for index, name in enumerate(("rows", "cols")):
        size, win, stride = shape[index], window[index], strides[index]
        if padding == "same":
            output = -(-size // stride)
            before, after = same_padding(size, win, stride)
            span = size + before + after - win
            added = f"adds {before}+{after} zeros" if before + after else "adds no zeros"
            formula = f'ceil({size} / {stride}) = {output} ("same" {added})'
        else:
            before = after = 0
            span = size - win
            if span < 0:
                raise InvalidParameter(
                    f"{where}: its {window[0]}x{window[1]} {what} is larger than its "
                    f"{shape[0]}x{shape[1]} input along the {name} ({size} < {win}), so not one "
                    f"window fits: ({size} - {win} + 2*0) / {stride} + 1 gives "
                    f'{span // stride + 1}. Keras raises ValueError ("Computed output size '
                    'would be zero or negative") when it builds this layer. Use padding '
                    f'"same", a smaller {what}, or fewer downsampling layers before it.'
                )
            output = span // stride + 1
            division = f"({size} - {win} + 2*0) / {stride}"
            formula = (
                f"{division} + 1 = {output}"
                if span % stride == 0
                else f"floor({division}) + 1 = floor({_decimal(span, stride)}) + 1 = {output}"
            )
        numbers = (size, before + after, win, stride, span)
        axes.append(Axis(name, output, formula, numbers))  # type: ignore[arg-type]
    return axes[0], axes[1]


def _uneven(
    name: str, size: int, pad: int, window: int, stride: int, span: int, output: int
) -> str | None:
    """What Keras leaves out when (size + zeros - window) is not a multiple of the stride."""
    unread = span % stride
    if unread == 0:
        return None
    one, many = {
        "rows": ("row", "rows"),
        "cols": ("column", "columns"),
        "both": ("row and column", "rows and columns"),
    }[name]
    if unread > 1:
        left = f"the last {unread} {many} are"
    else:
        left = f"the last {one} {'are' if name == 'both' else 'is'}"
    padded = f"{size} + {pad}" if pad else str(size)
    axis = "rows and columns" if name == "both" else name
    return (
        f"{axis}: {padded} - {window} = {span} is not a multiple of the stride {stride}, so "
        f"{left} never read. Keras floors the division and gives {output}; change the stride, "
        "the window or the padding to use every pixel."
    )


def axes_formula(rows: Axis, cols: Axis) -> str:
    if rows.formula == cols.formula:
        return rows.formula
    return f"rows: {rows.formula}; cols: {cols.formula}"


def uneven_warnings(rows: Axis, cols: Axis) -> tuple[str, ...]:
    if rows.numbers == cols.numbers:  # the same on both axes: say it once
        both = rows.warning("both")
        return (both,) if both else ()
    return tuple(warning for warning in (rows.warning(), cols.warning()) if warning)


def read_pair(value: object, name: str, where: str, maximum: int) -> Pair:
    if isinstance(value, int) and not isinstance(value, bool):
        pair = (value, value)
    elif (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        pair = (int(value[0]), int(value[1]))
    else:
        raise InvalidParameter(
            f"{where} has {name} {value!r}; give a whole number or a pair [rows, cols]."
        )
    if min(pair) < 1 or max(pair) > maximum:
        raise InvalidParameter(
            f"{where} has {name} {list(pair)}; each must be from 1 to {maximum}."
        )
    return pair


def read_count(value: object, name: str, where: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise InvalidParameter(
            f"{where} has {name} {value!r}; it must be a whole number from 1 to {maximum:,}."
        )
    return value


def zero_padding_amounts(value: object, where: str) -> tuple[Pair, Pair]:
    def amount(v: object) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_ZERO_PADDING:
            raise InvalidParameter(
                f"{where} has padding {value!r}; give zeros per side as n, [rows, cols] or "
                f"[[top, bottom], [left, right]], each from 0 to {MAX_ZERO_PADDING}."
            )
        return v

    if isinstance(value, tuple) and len(value) == 2:
        rows, cols = value
        if isinstance(rows, tuple) and isinstance(cols, tuple) and len(rows) == len(cols) == 2:
            return (amount(rows[0]), amount(rows[1])), (amount(cols[0]), amount(cols[1]))
        return (amount(rows), amount(rows)), (amount(cols), amount(cols))
    return (amount(value), amount(value)), (amount(value), amount(value))


def _decimal(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.3f}".rstrip("0").rstrip(".")
