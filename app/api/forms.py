"""Parsing of the text form fields that multipart endpoints take (numbers, pairs, matrices)."""

from __future__ import annotations

import json
import re
from typing import Any

from app.core.shapes import Padding, Pair
from app.errors import InvalidKernel, InvalidParameter

# Form fields carry numbers as text. The parsers below read any whole numbers, negative ones
# included, so that a value out of range gets the engine's own message ("strides must be at least
# 1") instead of a quoted regex. The OpenAPI schema publishes the narrower patterns of what is
# accepted. All are ECMA-262 regexes kept to what Python reads alike: ASCII digits, spaces, tabs.


def _pair_pattern(number: str, words: tuple[str, ...] = (), pair_only: bool = False) -> str:
    """``n``, ``n,m`` or ``[n, m]`` (only the pairs with ``pair_only``), or one of ``words``."""
    second = rf"[ \t]*,[ \t]*{number}"
    pair = f"{number}{second}" if pair_only else f"{number}({second})?"
    choices = [*words, pair, rf"\[[ \t]*{pair}[ \t]*\]"]
    return rf"^[ \t]*({'|'.join(choices)})[ \t]*$"


_WHOLE_NUMBER = r"-?[0-9]{1,6}"
PAIR_PATTERN = _pair_pattern(_WHOLE_NUMBER)
POSITION_PATTERN = _pair_pattern(_WHOLE_NUMBER, pair_only=True)
PADDING_PATTERN = _pair_pattern(_WHOLE_NUMBER, words=("valid", "same"))

# Published in the schema. tests/api checks them against MAX_POOL_SIZE and MAX_EXPLICIT_PADDING.
STRIDES_SCHEMA = {"pattern": _pair_pattern(r"[1-9][0-9]{0,5}")}
POOL_SIZE_SCHEMA = {"pattern": _pair_pattern(r"([1-9]|1[0-5])")}
PADDING_SCHEMA = {"pattern": _pair_pattern(r"([0-9]|[1-5][0-9]|6[0-4])", words=("valid", "same"))}
POSITION_SCHEMA = {"pattern": _pair_pattern(r"[0-9]{1,6}", pair_only=True)}
MAX_KERNEL_TEXT = 20_000
MAX_KERNEL_VALUE = 1e6


def parse_pair(text: str, name: str) -> int | Pair:
    """``"2"`` -> 2, ``"2,1"`` or ``"[2, 1]"`` -> (2, 1)."""
    if not re.fullmatch(PAIR_PATTERN, text):
        raise InvalidParameter(
            f"{name} must be a whole number such as 2, or a pair rows,cols such as 2,1; "
            f"got {text[:50]!r}."
        )
    numbers = [int(n) for n in re.findall(r"-?[0-9]+", text)]
    return numbers[0] if len(numbers) == 1 else (numbers[0], numbers[1])


def parse_position(text: str) -> Pair:
    """An output position ``"row,col"``."""
    if not re.fullmatch(POSITION_PATTERN, text):
        raise InvalidParameter(
            f"trace must be an output position row,col such as 3,5; got {text[:50]!r}."
        )
    row, col = (int(n) for n in re.findall(r"-?[0-9]+", text))
    return row, col


def parse_padding(text: str) -> Padding:
    match = re.fullmatch(PADDING_PATTERN, text)
    if match is None:
        raise InvalidParameter(
            'padding must be "valid", "same", a number of zero pixels such as 1, or a pair '
            f"rows,cols such as 1,2; got {text[:50]!r}."
        )
    word = match.group(1)
    if word in ("valid", "same"):
        return word  # type: ignore[return-value]
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
