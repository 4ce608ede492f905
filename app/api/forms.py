"""Parsing of the text form fields that multipart endpoints take (numbers, pairs, matrices)."""

from __future__ import annotations

import json
import re
from typing import Any

from app.core.shapes import Padding, Pair
from app.errors import InvalidKernel, InvalidParameter

PAIR_PATTERN = r"^\s*\[?\s*-?\d{1,6}\s*(,\s*-?\d{1,6}\s*)?\]?\s*$"
PADDING_PATTERN = r"^\s*(valid|same|\[?\s*-?\d{1,6}\s*(,\s*-?\d{1,6}\s*)?\]?)\s*$"
MAX_KERNEL_TEXT = 20_000
MAX_KERNEL_VALUE = 1e6


def parse_pair(text: str, name: str) -> int | Pair:
    """``"2"`` -> 2, ``"2,1"`` or ``"[2, 1]"`` -> (2, 1)."""
    if not re.fullmatch(PAIR_PATTERN, text):
        raise InvalidParameter(
            f"{name} must be a whole number such as 2, or a pair rows,cols such as 2,1; "
            f"got {text[:50]!r}."
        )
    numbers = [int(n) for n in re.findall(r"-?\d+", text)]
    return numbers[0] if len(numbers) == 1 else (numbers[0], numbers[1])


def parse_position(text: str) -> Pair:
    """An output position ``"row,col"``."""
    position = parse_pair(text, "trace")
    if isinstance(position, int):
        raise InvalidParameter(f"trace must be an output position row,col such as 3,5; got {text!r}.")
    return position


def parse_padding(text: str) -> Padding:
    cleaned = text.strip().lower()
    if cleaned in ("valid", "same"):
        return cleaned  # type: ignore[return-value]
    if not re.fullmatch(PADDING_PATTERN, text):
        raise InvalidParameter(
            'padding must be "valid", "same", a number of zero pixels such as 1, or a pair '
            f"rows,cols such as 1,2; got {text[:50]!r}."
        )
    return parse_pair(text, "padding")


def parse_matrix(text: str) -> Any:
    """A kernel given as JSON text, e.g. ``[[0,-1,0],[-1,5,-1],[0,-1,0]]``."""
    if len(text) > MAX_KERNEL_TEXT:
        raise InvalidKernel(
            f"kernel text is {len(text):,} characters; at most {MAX_KERNEL_TEXT:,} are accepted."
        )
    try:
        matrix = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise InvalidKernel(
            "kernel must be a JSON list of rows of numbers, such as [[0,-1,0],[-1,5,-1],"
            f"[0,-1,0]]; it could not be parsed: {exc}."
        ) from None
    if not isinstance(matrix, list) or not all(isinstance(row, list) for row in matrix):
        raise InvalidKernel(
            "kernel must be a list of rows, such as [[0,-1,0],[-1,5,-1],[0,-1,0]]; "
            f"got {text[:60]!r}."
        )
    for row in matrix:
        for value in row:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidKernel(
                    f"kernel values must be plain numbers; found {value!r}. Use a 2-D list "
                    "such as [[1,2,1],[2,4,2],[1,2,1]]."
                )
            if abs(value) > MAX_KERNEL_VALUE:
                raise InvalidKernel(
                    f"kernel value {value} is too large; values must lie within "
                    f"+-{MAX_KERNEL_VALUE:g}."
                )
    return matrix


def _reject_constant(name: str) -> None:
    raise InvalidKernel(f"kernel contains {name}; every value must be a finite number.")
