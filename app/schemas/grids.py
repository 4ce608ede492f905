"""Number grids in request bodies, checked in passes that each stop at the first problem.

A grid of a million cells validated cell by cell builds one error object per bad cell (a grid
of strings was answered with a million errors and a 146 MB body). :func:`check_grid` checks the
nesting and lengths first, then the cells' types and values in bulk with NumPy, and reports the
first bad cell with its position and how many more are like it: one error per grid whatever its
size, for about the work of converting a valid grid of the same size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from itertools import chain
from typing import Any

import numpy as np
from pydantic import PlainValidator, TypeAdapter, ValidationError, WithJsonSchema
from pydantic_core import InitErrorDetails, PydanticCustomError

# bool is a subclass of int, so types are compared exactly: true is not the number 1 here.
_NUMBER_TYPES = frozenset({int, float})

Loc = tuple[int, ...]


@dataclass(frozen=True)
class GridShape:
    """The dimensions a grid may have, the most items along each axis, and the value bound."""

    dimensions: tuple[int, ...]
    """The numbers of dimensions accepted, e.g. ``(2, 3)`` for H x W or H x W x C."""
    max_lengths: tuple[int, ...]
    """The most items along each axis, outermost first; one per axis of the deepest grid."""
    bound: float
    """Every value must be finite and within [-bound, bound]."""


Grid = np.ndarray | list[Any]
"""A validated grid: float64 values, or the nested lists as sent when rows differ in length."""


def checked_as(shape: GridShape) -> PlainValidator:
    """Field metadata: validate a :data:`Grid` by :func:`check_grid`."""
    return PlainValidator(partial(check_grid, shape=shape))


def documented_as(nested_lists: Any) -> WithJsonSchema:
    """Field metadata: publish the JSON schema of the plain nested-list type the check accepts."""
    return WithJsonSchema(TypeAdapter(nested_lists).json_schema())


def check_grid(value: Any, shape: GridShape) -> np.ndarray | list[Any]:
    """The grid as a float64 array, or as given when ragged (the engine refuses those by name).

    Raises one validation error, for the first problem in this order: nesting and list lengths,
    then cell types, then values (finite and within the bound).
    """
    depth = _depth(value, max(shape.dimensions))
    rows, rectangular = _check_lists(value, depth, shape)
    cells = list(chain.from_iterable(rows))
    if not set(map(type, cells)) <= _NUMBER_TYPES:
        numbers = sum(map(_NUMBER_TYPES.__contains__, map(type, cells)))
        first = next(i for i, cell in enumerate(cells) if type(cell) not in _NUMBER_TYPES)
        _fail(_locate(value, depth, first), cells[first], _NOT_A_NUMBER, len(cells) - numbers)
    if depth < min(shape.dimensions):
        _fail(_locate(value, depth, 0), cells[0], _NOT_A_LIST, len(cells))
    values = _check_values(value, depth, cells, shape.bound)
    if rectangular:
        return values.reshape(_grid_shape(value, depth))
    return value  # type: ignore[no-any-return]


def _depth(value: Any, deepest: int) -> int:
    """The number of dimensions, read along the first item of each level (an empty list counts)."""
    depth, item = 0, value
    while isinstance(item, list) and depth < deepest:
        depth += 1
        if not item:
            break
        item = item[0]
    return max(depth, 1)


def _check_lists(value: Any, depth: int, shape: GridShape) -> tuple[list[Any], bool]:
    """Every level above the cells is a list of an allowed length.

    Returns the innermost lists (the rows of cells, or the pixels of a 3-D grid) and whether
    every list of a level has the same length.
    """
    level: list[Any] = [value]
    rectangular = True
    for axis in range(depth):
        most = shape.max_lengths[axis]
        lengths = list(map(len, level)) if set(map(type, level)) == {list} else []
        if not lengths or min(lengths) < 1 or max(lengths) > most:
            bad = [
                index
                for index, items in enumerate(level)
                if type(items) is not list or not 1 <= len(items) <= most
            ]
            items = level[bad[0]]
            _fail(_locate(value, axis, bad[0]), items, _list_error(items, most), len(bad))
        rectangular = rectangular and min(lengths) == max(lengths)
        if axis < depth - 1:
            level = list(chain.from_iterable(level))
    return level, rectangular


def _check_values(value: Any, depth: int, cells: list[Any], bound: float) -> np.ndarray:
    try:
        values = np.array(cells, dtype=np.float64)
    except OverflowError:  # an integer literal beyond float64's range
        values = np.array(
            [math.inf if type(cell) is int and abs(cell) > bound else cell for cell in cells],
            dtype=np.float64,
        )
    within = np.abs(values) <= bound  # False for NaN and the infinities too
    if within.all():
        return values
    bad = np.flatnonzero(~within)
    first = int(bad[0])
    cell = cells[first]
    if isinstance(cell, float) and not math.isfinite(cell):
        error = PydanticCustomError("finite_number", "Input should be a finite number")
    else:
        error = PydanticCustomError(
            "number_range", f"Input should be between {-bound:,.0f} and {bound:,.0f}"
        )
    _fail(_locate(value, depth, first), cell, error, int(bad.size))
    raise AssertionError("unreachable")


def _locate(value: Any, depth: int, index: int) -> Loc:
    """Where the ``index``-th item at ``depth`` (in reading order) sits: only run on an error."""
    if depth == 0:
        return ()
    parents: list[Any] = [value]
    for _ in range(depth - 1):
        parents = list(chain.from_iterable(parents))
    ends = np.cumsum([len(parent) for parent in parents])
    parent = int(np.searchsorted(ends, index, side="right"))
    start = int(ends[parent - 1]) if parent else 0
    return (*_locate(value, depth - 1, parent), index - start)


def _grid_shape(value: list[Any], depth: int) -> tuple[int, ...]:
    sizes, item = [], value
    for _ in range(depth):
        sizes.append(len(item))
        item = item[0]
    return tuple(sizes)


_NOT_A_LIST = PydanticCustomError("list_type", "Input should be a valid list")
_NOT_A_NUMBER = PydanticCustomError("float_type", "Input should be a valid number")


def _list_error(items: Any, most: int) -> PydanticCustomError:
    if type(items) is not list:
        return _NOT_A_LIST
    if not items:
        return PydanticCustomError(
            "too_short", "List should have at least 1 item after validation, not 0"
        )
    return PydanticCustomError(
        "too_long",
        f"List should have at most {most} items after validation, not {len(items)}",
    )


def _fail(loc: Loc, got: Any, error: PydanticCustomError, count: int) -> None:
    """Raise ``error`` for the item at ``loc``, saying how many more items fail the same way."""
    message = error.message()
    if count > 1:
        message += f" (and {count - 1:,} more like it in this grid)"
    detail = InitErrorDetails(
        type=PydanticCustomError(error.type, message),
        loc=loc,
        input=got,
    )
    raise ValidationError.from_exception_data("grid", [detail])
