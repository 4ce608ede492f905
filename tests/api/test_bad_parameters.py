"""Kernels, strides, padding, presets, traces and types the operations cannot work with: 422,
each with a message that says what was wrong and what would have been accepted."""

from __future__ import annotations

import json
import tracemalloc
from typing import Any

import numpy as np
import pytest
from fastapi.responses import Response
from fastapi.testclient import TestClient

from app.api.pooling import pool_matrix
from app.config import Settings
from app.schemas.lab import PoolMatrixRequest
from tests.api.imagefiles import png, post_image, random_gray
from tests.conftest import make_client

GRID_3X3 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
PRESETS = (
    "box_blur, brighten, darken, emboss, gaussian_blur_3x3, gaussian_blur_5x5, "
    "horizontal_lines, identity, outline, sharpen, sobel_bottom, sobel_left, sobel_magnitude, "
    "sobel_right, sobel_top, vertical_lines"
)
EXACTLY_ONE_KERNEL = (
    "Give exactly one of kernel (a matrix such as [[0,-1,0],[-1,5,-1],[0,-1,0]]) or "
    f"kernel_name (one of: {PRESETS})."
)
UNKNOWN_PRESET = (
    f"There is no kernel preset named 'nope'. Known presets: {PRESETS}. GET /api/kernels "
    "lists them."
)
RAGGED = (
    "{name} must be a rectangular grid of numbers with every row the same length; a ragged grid "
    "such as [[1, 2], [3]] cannot be convolved. Pad the short rows."
)
KERNEL_TOO_BIG = (
    "The kernel (5x5) is larger than the padded input (3x3) along the rows. Use a smaller kernel, "
    'a larger input, or more padding (for example padding "same").'
)


def validation_detail(explained: str) -> str:
    return (
        f"The request does not match what this endpoint expects: {explained}. Fix the fields "
        "listed in 'errors' (see /docs for each field's type and range) and send it again."
    )


def field_named_in(explained: str) -> str:
    """``"body.strides (got ...): ..."`` -> ``"strides"``."""
    return explained.removeprefix("body.").split(" ")[0].rstrip(":")


def post_matrix(client: TestClient, path: str, body: Any) -> Any:
    if isinstance(body, bytes):  # raw text, for what json.dumps will not write (NaN, Infinity)
        return client.post(path, content=body, headers={"content-type": "application/json"})
    return client.post(path, json=body)


# (body, the exact detail) for POST /api/convolve/matrix: errors the engine finds.
CONVOLVE_DOMAIN_ERRORS = {
    "ragged kernel": ({"input": GRID_3X3, "kernel": [[1, 2], [3]]}, RAGGED.format(name="kernel")),
    "ragged input": ({"input": [[1, 2], [3]], "kernel": [[1]]}, RAGGED.format(name="input")),
    "ragged channels": (
        {"input": [[[1, 2], [3]]], "kernel": [[1]]},
        RAGGED.format(name="input"),
    ),
    "kernel larger than the input": (
        {"input": GRID_3X3, "kernel": np.ones((5, 5)).tolist()},
        KERNEL_TOO_BIG,
    ),
    "kernel larger than the input after padding 0": (
        {"input": GRID_3X3, "kernel": np.ones((5, 5)).tolist(), "padding": 0},
        KERNEL_TOO_BIG,
    ),
    "unknown preset": ({"input": GRID_3X3, "kernel_name": "nope"}, UNKNOWN_PRESET),
    "kernel and kernel_name": (
        {"input": GRID_3X3, "kernel": [[1]], "kernel_name": "identity"},
        EXACTLY_ONE_KERNEL,
    ),
    "neither kernel nor kernel_name": ({"input": GRID_3X3}, EXACTLY_ONE_KERNEL),
    "both given as null": (
        {"input": GRID_3X3, "kernel": None, "kernel_name": None},
        EXACTLY_ONE_KERNEL,
    ),
    "trace outside the output": (
        {"input": GRID_3X3, "kernel": [[1, 1], [1, 1]], "trace": [2, 0]},
        "trace position [2, 0] is outside the 2x2 output; give [row, col] with 0 <= row < 2 and "
        "0 <= col < 2.",
    ),
    "3-D kernel with the wrong depth": (
        {"input": [[[1, 2]], [[3, 4]]], "kernel": [[[1, 1, 1]]]},
        "kernel has 3 channel(s) along its third axis but the input has 2. A kh x kw x C kernel "
        "needs C equal to the input's channels; use a 2-D kernel to filter each channel "
        "separately.",
    ),
    "3-D kernel on a 2-D input": (
        {"input": [[1, 2], [3, 4]], "kernel": [[[1, 1]]]},
        "kernel has 2 channel(s) along its third axis but the input has 1. A kh x kw x C kernel "
        "needs C equal to the input's channels; use a 2-D kernel to filter each channel "
        "separately.",
    ),
}


@pytest.mark.parametrize(
    ("body", "detail"), CONVOLVE_DOMAIN_ERRORS.values(), ids=CONVOLVE_DOMAIN_ERRORS.keys()
)
def test_convolve_matrix_refuses_what_the_engine_cannot_compute(
    client: TestClient, body: dict[str, Any], detail: str
) -> None:
    response = post_matrix(client, "/api/convolve/matrix", body)

    assert response.status_code == 422
    assert response.json() == {"detail": detail}


# (body, a sentence the detail must contain, the loc of one reported error)
CONVOLVE_VALIDATION_ERRORS = {
    "empty kernel": (
        {"input": GRID_3X3, "kernel": []},
        "body.kernel (got []): List should have at least 1 item after validation, not 0",
        ["body", "kernel"],
    ),
    "kernel with an empty row": (
        {"input": GRID_3X3, "kernel": [[]]},
        "body.kernel.0 (got []): List should have at least 1 item after validation, not 0",
        ["body", "kernel", 0],
    ),
    "16x16 kernel": (
        {"input": np.zeros((20, 20)).tolist(), "kernel": np.ones((16, 16)).tolist()},
        "body.kernel: List should have at most 15 items after validation, not 16",
        ["body", "kernel"],
    ),
    "NaN in the kernel": (
        b'{"input": [[1, 2], [3, 4]], "kernel": [[NaN]]}',
        "body.kernel.0.0 (got nan): Input should be a finite number",
        ["body", "kernel", 0, 0],
    ),
    "Infinity in the kernel": (
        b'{"input": [[1, 2], [3, 4]], "kernel": [[Infinity]]}',
        "body.kernel.0.0 (got inf): Input should be a finite number",
        ["body", "kernel", 0, 0],
    ),
    "-Infinity in the input": (
        b'{"input": [[1, -Infinity]], "kernel": [[1]]}',
        "body.input.0.1 (got -inf): Input should be a finite number",
        ["body", "input", 0, 1],
    ),
    "empty input": (
        {"input": [], "kernel": [[1]]},
        "body.input (got []): List should have at least 1 item after validation, not 0",
        ["body", "input"],
    ),
    "input with an empty row": (
        {"input": [[]], "kernel": [[1]]},
        "body.input.0 (got []): List should have at least 1 item after validation, not 0",
        ["body", "input", 0],
    ),
    "stride 0": (
        {"input": GRID_3X3, "kernel": [[1]], "strides": 0},
        "body.strides (got 0): Input should be greater than or equal to 1",
        ["body", "strides", "constrained-int"],
    ),
    "negative stride": (
        {"input": GRID_3X3, "kernel": [[1]], "strides": -1},
        "body.strides (got -1): Input should be greater than or equal to 1",
        ["body", "strides", "constrained-int"],
    ),
    "stride 0 in a pair": (
        {"input": GRID_3X3, "kernel": [[1]], "strides": [1, 0]},
        "body.strides.1 (got 0): Input should be greater than or equal to 1",
        ["body", "strides", "list[constrained-int]", 1],
    ),
    "negative padding": (
        {"input": GRID_3X3, "kernel": [[1]], "padding": -1},
        "body.padding (got -1): Input should be 'valid' or 'same' or Input should be greater "
        "than or equal to 0",
        ["body", "padding", "constrained-int"],
    ),
    "absurd padding": (
        {"input": GRID_3X3, "kernel": [[1]], "padding": 1000},
        "body.padding (got 1000): Input should be 'valid' or 'same' or Input should be less "
        "than or equal to 64",
        ["body", "padding", "constrained-int"],
    ),
    "unknown padding word": (
        {"input": GRID_3X3, "kernel": [[1]], "padding": "full"},
        "body.padding (got 'full'): Input should be 'valid' or 'same'",
        ["body", "padding", "literal['valid','same']"],
    ),
    "negative trace": (
        {"input": GRID_3X3, "kernel": [[1]], "trace": [-1, 0]},
        "body.trace.0 (got -1): Input should be greater than or equal to 0",
        ["body", "trace", 0],
    ),
    "strings for numbers": (
        {"input": [["1", "2"]], "kernel": [[1]]},
        "body.input.0.0 (got '1'): Input should be a valid number",
        ["body", "input", 0, 0],
    ),
    "a string for the stride": (
        {"input": GRID_3X3, "kernel": [[1]], "strides": "2"},
        "body.strides (got '2'): Input should be a valid integer",
        ["body", "strides", "constrained-int"],
    ),
    "true for the stride": (
        {"input": GRID_3X3, "kernel": [[1]], "strides": True},
        "body.strides (got True): Input should be a valid integer",
        ["body", "strides", "constrained-int"],
    ),
    "a fraction for the stride": (
        {"input": GRID_3X3, "kernel": [[1]], "strides": 1.5},
        "body.strides (got 1.5): Input should be a valid integer",
        ["body", "strides", "constrained-int"],
    ),
    "an object for the kernel": (
        {"input": GRID_3X3, "kernel": {"rows": [[1]]}},
        "body.kernel (got {'rows': [[1]]}): Input should be a valid list",
        ["body", "kernel"],
    ),
    "a string for the input": (
        {"input": "abc", "kernel": [[1]]},
        "body.input (got 'abc'): Input should be a valid list",
        ["body", "input"],
    ),
    "a number for the kernel name": (
        {"input": GRID_3X3, "kernel_name": 3},
        "body.kernel_name (got 3): Input should be a valid string",
        ["body", "kernel_name"],
    ),
    "a string for the bias": (
        {"input": GRID_3X3, "kernel": [[1]], "bias": "1"},
        "body.bias (got '1'): Input should be a valid number",
        ["body", "bias"],
    ),
    "an unknown field": (
        {"input": GRID_3X3, "kernel": [[1]], "dilation": 2},
        "body.dilation (got 2): is not a field of this request; the fields are input, kernel, "
        "kernel_name, strides, padding, bias, trace",
        ["body", "dilation"],
    ),
    "a misspelt field": (
        {"input": GRID_3X3, "kernel": [[1]], "stride": 2},
        "body.stride (got 2): is not a field of this request (did you mean strides?); the "
        "fields are input, kernel, kernel_name, strides, padding, bias, trace",
        ["body", "stride"],
    ),
    "no input": (
        {"kernel": [[1]]},
        "body.input: Field required",
        ["body", "input"],
    ),
    "a 4-D input": (
        {"input": [[[[1]]]], "kernel": [[1]]},
        "body.input.0.0.0 (got [1]): Input should be a valid number",
        ["body", "input", 0, 0, 0],
    ),
}


@pytest.mark.parametrize(
    ("body", "sentence", "loc"),
    CONVOLVE_VALIDATION_ERRORS.values(),
    ids=CONVOLVE_VALIDATION_ERRORS.keys(),
)
def test_convolve_matrix_refuses_malformed_fields_naming_each_one(
    client: TestClient, body: Any, sentence: str, loc: list[str | int]
) -> None:
    response = post_matrix(client, "/api/convolve/matrix", body)

    assert response.status_code == 422
    result = response.json()
    assert sentence in result["detail"]
    assert result["detail"].startswith("The request does not match what this endpoint expects: ")
    assert loc in [error["loc"] for error in result["errors"]]


def test_a_validation_message_lists_at_most_five_fields(client: TestClient) -> None:
    body = {"input": GRID_3X3, "kernel": [[1]], **{f"extra{n}": n for n in range(7)}}

    response = client.post("/api/convolve/matrix", json=body)

    detail = response.json()["detail"]
    assert detail == validation_detail(
        "body.extra0 (got 0): is not a field of this request; the fields are input, kernel, "
        "kernel_name, strides, padding, bias, trace; "
        "body.extra1 (got 1): is not a field of this request; "
        "body.extra2 (got 2): is not a field of this request; "
        "body.extra3 (got 3): is not a field of this request; "
        "body.extra4 (got 4): is not a field of this request (and 2 more fields)"
    )
    assert len(response.json()["errors"]) == 7


POOL_ERRORS = {
    "pool size 0": (
        {"input": GRID_3X3, "pool_size": 0},
        "body.pool_size (got 0): Input should be greater than or equal to 1",
    ),
    "pool size 16": (
        {"input": GRID_3X3, "pool_size": 16},
        "body.pool_size (got 16): Input should be less than or equal to 15",
    ),
    "stride 0": (
        {"input": GRID_3X3, "strides": 0},
        "body.strides (got 0): Input should be greater than or equal to 1",
    ),
    "numeric padding": (
        {"input": GRID_3X3, "padding": 1},
        "body.padding (got 1): Input should be 'valid' or 'same'",
    ),
    "unknown mode": (
        {"input": GRID_3X3, "mode": "min"},
        "body.mode (got 'min'): Input should be 'max' or 'average'",
    ),
    "a kernel, which pooling has not got": (
        {"input": GRID_3X3, "kernel": [[1]]},
        "body.kernel (got [[1]]): is not a field of this request; the fields are input, "
        "pool_size, strides, padding, mode",
    ),
}


@pytest.mark.parametrize(("body", "sentence"), POOL_ERRORS.values(), ids=POOL_ERRORS.keys())
def test_pool_matrix_refuses_malformed_fields(
    client: TestClient, body: dict[str, Any], sentence: str
) -> None:
    response = client.post("/api/pool/matrix", json=body)

    assert response.status_code == 422
    assert sentence in response.json()["detail"]


def test_pool_matrix_refuses_a_window_larger_than_the_input(client: TestClient) -> None:
    response = client.post("/api/pool/matrix", json={"input": GRID_3X3, "pool_size": [2, 5]})

    assert response.status_code == 422
    assert response.json() == {
        "detail": "The pooling window (2x5) is larger than the padded input (3x3) along the "
        "cols. Use a smaller pooling window, a larger input, or more padding (for example "
        'padding "same").'
    }


# (form fields, the exact detail) for the multipart POST /api/convolve on an 8x8 gray image.
CONVOLVE_FORM_ERRORS = {
    "empty kernel": (
        {"kernel": "[]"},
        "kernel must have 2 dimensions (kh x kw), 3 (kh x kw x channels) or 4 "
        "(kh x kw x channels x filters), got shape [0].",
    ),
    "kernel with an empty row": (
        {"kernel": "[[]]"},
        "kernel is empty (shape [1, 0]); give at least one number, for example [[1]].",
    ),
    "ragged kernel": ({"kernel": "[[1, 2], [3]]"}, RAGGED.format(name="kernel")),
    "16x16 kernel": (
        {"kernel": str(np.ones((16, 16), dtype=int).tolist())},
        "kernel is 16x16; sizes from 1x1 to 15x15 are supported. Use a smaller kernel.",
    ),
    "kernel larger than the image": (
        {"kernel": str(np.ones((9, 9), dtype=int).tolist())},
        "The kernel (9x9) is larger than the padded input (8x8) along the rows. Use a smaller "
        'kernel, a larger input, or more padding (for example padding "same").',
    ),
    "stride 0": (
        {"kernel": "[[1]]", "strides": "0"},
        "strides must be at least 1, got [0, 0]. A stride is how many pixels the window moves "
        "each step; use 1 to visit every position.",
    ),
    "negative stride in a pair": (
        {"kernel": "[[1]]", "strides": "2,-1"},
        "strides must be at least 1, got [2, -1]. A stride is how many pixels the window moves "
        "each step; use 1 to visit every position.",
    ),
    "negative padding": (
        {"kernel": "[[1]]", "padding": "-1"},
        'padding must not be negative, got [-1, -1]. Use 0 (or "valid") for no padding.',
    ),
    "absurd padding": (
        {"kernel": "[[1]]", "padding": "1000"},
        "padding of 1000 pixels is more than the 64 allowed; a CNN pads by about half the kernel "
        "size, so use a smaller number.",
    ),
    "trace outside the output": (
        {"kernel": "[[1]]", "trace": "8,0"},
        "trace position [8, 0] is outside the 8x8 output; give [row, col] with 0 <= row < 8 and "
        "0 <= col < 8.",
    ),
    "unknown preset": ({"kernel_name": "nope"}, UNKNOWN_PRESET),
    "kernel and kernel_name": ({"kernel": "[[1]]", "kernel_name": "sharpen"}, EXACTLY_ONE_KERNEL),
    "neither kernel nor kernel_name": ({}, EXACTLY_ONE_KERNEL),
}


@pytest.mark.parametrize(
    ("form", "detail"), CONVOLVE_FORM_ERRORS.values(), ids=CONVOLVE_FORM_ERRORS.keys()
)
def test_convolve_image_refuses_unusable_form_fields(
    client: TestClient, form: dict[str, str], detail: str
) -> None:
    response = post_image(client, "/api/convolve", png(random_gray(8, 8)), **form)

    assert response.status_code == 422
    assert response.json() == {"detail": detail}


# (form fields, what the detail explains, the field's loc) for POST /api/convolve on an 8x8
# gray image: text that does not read as the field's kind of value is a validation error that
# names the field, like any other malformed value.
A_NUMBER_OR_PAIR = "must be a whole number such as 2, or a pair rows,cols such as 2,1"
A_PADDING = (
    'must be "valid", "same", a number of zero pixels such as 1, or a pair rows,cols such as 1,2'
)
A_POSITION = "must be an output position row,col such as 3,5"
NOT_FINITE = "contains {name}; every value must be a finite number"
PLAIN_NUMBERS = (
    "values must be plain numbers; found {found}. Use a 2-D list such as [[1,2,1],[2,4,2],[1,2,1]]"
    ", or a 3-D list kh x kw x channels"
)
CONVOLVE_FORM_FORMAT_ERRORS = {
    "NaN kernel": ({"kernel": "NaN"}, "body.kernel (got 'NaN'): " + NOT_FINITE.format(name="NaN")),
    "NaN in a kernel": (
        {"kernel": "[[1, NaN]]"},
        "body.kernel (got '[[1, NaN]]'): " + NOT_FINITE.format(name="NaN"),
    ),
    "Infinity in a kernel": (
        {"kernel": "[[-Infinity]]"},
        "body.kernel (got '[[-Infinity]]'): " + NOT_FINITE.format(name="-Infinity"),
    ),
    "overflowing kernel value": (
        {"kernel": "[[1e400]]"},
        "body.kernel (got '[[1e400]]'): value inf is too large; values must lie within +-1e+06",
    ),
    "huge kernel value": (
        {"kernel": "[[2000000]]"},
        "body.kernel (got '[[2000000]]'): value 2000000 is too large; values must lie within "
        "+-1e+06",
    ),
    "kernel that is not JSON": (
        {"kernel": "blur"},
        "body.kernel (got 'blur'): must be a JSON list of rows of numbers, such as "
        "[[0,-1,0],[-1,5,-1],[0,-1,0]]; it could not be parsed: Expecting value: line 1 column 1 "
        "(char 0)",
    ),
    "kernel that is a number": (
        {"kernel": "5"},
        "body.kernel (got '5'): must be a list of rows, such as [[0,-1,0],[-1,5,-1],[0,-1,0]]",
    ),
    "booleans in a kernel": (
        {"kernel": "[[true]]"},
        "body.kernel (got '[[true]]'): " + PLAIN_NUMBERS.format(found="True"),
    ),
    "strings in a kernel": (
        {"kernel": '[["1"]]'},
        "body.kernel (got '[[\"1\"]]'): " + PLAIN_NUMBERS.format(found="'1'"),
    ),
    "kernel text too long": (
        {"kernel": " " * 20_001},
        "body.kernel: is 20,001 characters; at most 20,000 are accepted",
    ),
    "stride that is not a number": (
        {"kernel": "[[1]]", "strides": "two"},
        f"body.strides (got 'two'): {A_NUMBER_OR_PAIR}",
    ),
    "stride with an unclosed bracket": (
        {"kernel": "[[1]]", "strides": "[2"},
        f"body.strides (got '[2'): {A_NUMBER_OR_PAIR}",
    ),
    "unknown padding word": (
        {"kernel": "[[1]]", "padding": "full"},
        f"body.padding (got 'full'): {A_PADDING}",
    ),
    "padding word in capitals": (
        {"kernel": "[[1]]", "padding": "SAME"},
        f"body.padding (got 'SAME'): {A_PADDING}",
    ),
    "trace with one number": (
        {"kernel": "[[1]]", "trace": "3"},
        f"body.trace (got '3'): {A_POSITION}",
    ),
    "trace that is not a position": (
        {"kernel": "[[1]]", "trace": "middle"},
        f"body.trace (got 'middle'): {A_POSITION}",
    ),
}


@pytest.mark.parametrize(
    ("form", "explained"),
    CONVOLVE_FORM_FORMAT_ERRORS.values(),
    ids=CONVOLVE_FORM_FORMAT_ERRORS.keys(),
)
def test_convolve_image_refuses_form_text_that_does_not_read_naming_the_field(
    client: TestClient, form: dict[str, str], explained: str
) -> None:
    response = post_image(client, "/api/convolve", png(random_gray(8, 8)), **form)

    assert response.status_code == 422
    assert response.json()["detail"] == validation_detail(explained)
    field = field_named_in(explained)
    assert [error["loc"] for error in response.json()["errors"]] == [["body", field]]


def test_a_pair_field_sent_twice_is_refused(client: TestClient) -> None:
    response = client.post(
        "/api/convolve",
        files=[
            ("image", ("a.png", png(random_gray(8, 8)))),
            ("kernel", (None, "[[1]]")),
            ("strides", (None, "1")),
            ("strides", (None, "2")),
        ],
    )

    assert response.status_code == 422
    assert response.json()["detail"] == validation_detail(
        "body.strides (got ['1', '2']): must be sent once, not 2 times"
    )


CONVOLVE_FIELDS = (
    "image, color, mapping, include_input, png_compression, kernel, kernel_name, strides, "
    "padding, bias, trace"
)
POOL_FIELDS = (
    "image, color, mapping, include_input, png_compression, pool_size, strides, padding, mode, "
    "kernel, kernel_name, conv_strides, conv_padding, conv_bias"
)


@pytest.mark.parametrize(
    ("path", "form", "explained"),
    [
        (
            "/api/convolve",
            {"kernel": "[[1]]", "stride": "4"},
            "body.stride (got '4'): is not a field of this request (did you mean strides?); "
            f"the fields are {CONVOLVE_FIELDS}",
        ),
        (
            "/api/pool",
            {"pool": "3"},
            "body.pool (got '3'): is not a field of this request (did you mean pool_size?); "
            f"the fields are {POOL_FIELDS}",
        ),
        (
            "/api/pool",
            {"dilation": "2"},
            "body.dilation (got '2'): is not a field of this request; the fields are "
            + POOL_FIELDS,
        ),
    ],
    ids=["misspelt convolve strides", "misspelt pool field", "pool field nobody has"],
)
def test_an_unknown_form_field_is_refused_naming_it_and_the_accepted_ones(
    client: TestClient, path: str, form: dict[str, str], explained: str
) -> None:
    response = post_image(client, path, png(random_gray(8, 8)), **form)

    assert response.status_code == 422
    assert response.json()["detail"] == validation_detail(explained)
    assert response.json()["errors"] == [
        {
            "loc": ["body", field_named_in(explained)],
            "msg": explained.split(": ", 1)[1],
            "type": "extra_forbidden",
        }
    ]


def test_convolve_image_refuses_a_deeply_nested_kernel_without_crashing(
    client: TestClient,
) -> None:
    form = {"kernel": "[" * 5000 + "]" * 5000}

    response = post_image(client, "/api/convolve", png(random_gray(8, 8)), **form)

    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        "The request does not match what this endpoint expects: body.kernel: must be a JSON list "
        "of rows of numbers, such as [[0,-1,0],[-1,5,-1],[0,-1,0]]; it could not be parsed: "
    )


CONVOLVE_FORM_VALIDATION_ERRORS = {
    "NaN bias": (
        {"kernel": "[[1]]", "bias": "nan"},
        "body.bias (got 'nan'): Input should be a finite number",
    ),
    "infinite bias": (
        {"kernel": "[[1]]", "bias": "-inf"},
        "body.bias (got '-inf'): Input should be a finite number",
    ),
    "bias out of range": (
        {"kernel": "[[1]]", "bias": "1e7"},
        "body.bias (got '1e7'): Input should be less than or equal to 1000000",
    ),
    "unknown colour": (
        {"kernel": "[[1]]", "color": "cmyk"},
        "body.color (got 'cmyk'): Input should be 'rgb' or 'gray'",
    ),
    "unknown mapping": (
        {"kernel": "[[1]]", "mapping": "magic"},
        "body.mapping (got 'magic'): Input should be 'auto', 'clip', 'rescale' or 'absolute'",
    ),
    "include_input that is not a boolean": (
        {"kernel": "[[1]]", "include_input": "maybe"},
        "body.include_input (got 'maybe'): Input should be a valid boolean, unable to interpret "
        "input",
    ),
}


@pytest.mark.parametrize(
    ("form", "sentence"),
    CONVOLVE_FORM_VALIDATION_ERRORS.values(),
    ids=CONVOLVE_FORM_VALIDATION_ERRORS.keys(),
)
def test_convolve_image_refuses_malformed_form_fields(
    client: TestClient, form: dict[str, str], sentence: str
) -> None:
    response = post_image(client, "/api/convolve", png(random_gray(8, 8)), **form)

    assert response.status_code == 422
    assert sentence in response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/convolve", "/api/pool"])
def test_image_endpoints_require_the_image_as_a_file(client: TestClient, path: str) -> None:
    missing = client.post(path, data={"kernel": "[[1]]"})
    as_text = client.post(path, data={"image": "a.png"}, files={"other": ("x", b"x")})

    assert missing.status_code == as_text.status_code == 422
    assert missing.json()["detail"] == validation_detail("body.image: Field required")
    fields = CONVOLVE_FIELDS if path == "/api/convolve" else POOL_FIELDS
    assert as_text.json()["detail"] == validation_detail(
        "body.image (got 'a.png'): must be a file: send it as a multipart/form-data part with a "
        f"filename; body.other: is not a field of this request; the fields are {fields}"
    )


# (form fields, the exact detail) for the multipart POST /api/pool on an 8x8 gray image.
POOL_FORM_ERRORS = {
    "pool size 0": (
        {"pool_size": "0"},
        "pool_size must be between 1 and 15, got [0, 0]; 2 is the usual choice.",
    ),
    "pool size 16": (
        {"pool_size": "16,2"},
        "pool_size must be between 1 and 15, got [16, 2]; 2 is the usual choice.",
    ),
    "window larger than the image": (
        {"pool_size": "9"},
        "The pooling window (9x9) is larger than the padded input (8x8) along the rows. Use a "
        'smaller pooling window, a larger input, or more padding (for example padding "same").',
    ),
    "stride 0": (
        {"strides": "0"},
        "strides must be at least 1, got [0, 0]. A stride is how many pixels the window moves "
        "each step; use 1 to visit every position.",
    ),
    "convolution stride 0": (
        {"kernel": "[[1]]", "conv_strides": "0"},
        "strides must be at least 1, got [0, 0]. A stride is how many pixels the window moves "
        "each step; use 1 to visit every position.",
    ),
    "negative convolution padding": (
        {"kernel": "[[1]]", "conv_padding": "-3"},
        'padding must not be negative, got [-3, -3]. Use 0 (or "valid") for no padding.',
    ),
    "unknown preset": ({"kernel_name": "nope"}, UNKNOWN_PRESET),
    "kernel and kernel_name": ({"kernel": "[[1]]", "kernel_name": "sharpen"}, EXACTLY_ONE_KERNEL),
}


@pytest.mark.parametrize(("form", "detail"), POOL_FORM_ERRORS.values(), ids=POOL_FORM_ERRORS.keys())
def test_pool_image_refuses_unusable_form_fields(
    client: TestClient, form: dict[str, str], detail: str
) -> None:
    response = post_image(client, "/api/pool", png(random_gray(8, 8)), **form)

    assert response.status_code == 422
    assert response.json() == {"detail": detail}


@pytest.mark.parametrize(
    ("form", "sentence"),
    [
        ({"padding": "1"}, "body.padding (got '1'): Input should be 'valid' or 'same'"),
        ({"mode": "min"}, "body.mode (got 'min'): Input should be 'max' or 'average'"),
        (
            {"kernel": "[[1]]", "conv_bias": "nan"},
            "body.conv_bias (got 'nan'): Input should be a finite number",
        ),
        (
            {"pool_size": "big"},
            f"body.pool_size (got 'big'): {A_NUMBER_OR_PAIR}",
        ),
        (
            {"kernel": "[[1]]", "conv_strides": "x"},
            f"body.conv_strides (got 'x'): {A_NUMBER_OR_PAIR}",
        ),
        (
            {"kernel": "[[NaN]]"},
            "body.kernel (got '[[NaN]]'): " + NOT_FINITE.format(name="NaN"),
        ),
    ],
    ids=[
        "numeric padding",
        "unknown mode",
        "NaN convolution bias",
        "pool size that is not a number",
        "convolution stride that is not a number",
        "NaN kernel",
    ],
)
def test_pool_image_refuses_malformed_form_fields(
    client: TestClient, form: dict[str, str], sentence: str
) -> None:
    response = post_image(client, "/api/pool", png(random_gray(8, 8)), **form)

    assert response.status_code == 422
    assert sentence in response.json()["detail"]


def test_multi_filter_work_over_the_cap_is_refused_before_computing(client: TestClient) -> None:
    zeros = {"dtype": int}  # "0" keeps the body under the test app's 2 MiB cap
    body = {
        "input": np.zeros((110, 110, 16), **zeros).tolist(),
        "kernel": np.zeros((9, 9, 16, 64), **zeros).tolist(),
    }

    response = client.post("/api/convolve/matrix", json=body)

    assert response.status_code == 422
    assert response.json()["detail"] == (
        "This convolution needs 1,003,622,400 multiply-adds (110x110 input, 9x9 kernel, "
        "16 channels, 64 filters); at most 1,000,000,000 are allowed. Use a smaller input, "
        "a smaller kernel or fewer filters."
    )


def test_a_json_output_over_the_cap_is_refused(client: TestClient) -> None:
    body = {"input": np.zeros((200, 200, 1)).tolist(), "kernel": np.zeros((1, 1, 1, 32)).tolist()}

    response = client.post("/api/convolve/matrix", json=body)

    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        "The output would hold 1,280,000 numbers (200 x 200 x 32); at most 1,048,576"
    )


def strings_grid(rows: int, cols: int, channels: int) -> list[Any]:
    return [[["a"] * channels for _ in range(cols)] for _ in range(rows)]


def test_a_grid_of_a_million_strings_is_one_error_naming_the_first_cell_and_the_count() -> None:
    body = {"input": strings_grid(256, 256, 16), "kernel_name": "sobel_left"}

    # The body is 5.4 MB: over the default JSON cap, so raised here to show what the grid's
    # validation costs where a deployment raises the cap.
    big = 8 * 1024 * 1024
    with make_client(Settings(max_upload_bytes=big, max_json_bytes=big)) as client:
        response = client.post("/api/convolve/matrix", json=body)

    assert response.status_code == 422
    assert len(response.content) < 1000  # was 146 MB, listing 1.1 million errors
    assert response.json()["errors"] == [
        {
            "loc": ["body", "input", 0, 0, 0],
            "msg": "Input should be a valid number (and 1,048,575 more like it in this grid)",
            "type": "float_type",
        }
    ]


@pytest.mark.parametrize(
    ("value", "message", "error_type"),
    [
        (1e308, "Input should be between -1,000,000,000 and 1,000,000,000", "number_range"),
        (10**400, "Input should be between -1,000,000,000 and 1,000,000,000", "number_range"),
    ],
    ids=["1e308", "a 401-digit integer"],
)
def test_a_grid_of_values_out_of_range_is_one_error(
    client: TestClient, value: float, message: str, error_type: str
) -> None:
    body = {"input": [[1.0] * 256] + [[value] * 256] * 255, "kernel": [[1]]}
    if isinstance(value, int):  # 256 x 255 of them would be over the test client's body cap
        body["input"] = [row[:4] for row in body["input"]]

    response = client.post("/api/convolve/matrix", json=body)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "loc": ["body", "input", 1, 0],
            "msg": f"{message} (and {255 * len(body['input'][0]) - 1:,} more like it in this grid)",
            "type": error_type,
        }
    ]


def test_a_bad_grid_costs_no_more_memory_than_a_good_one(client: TestClient) -> None:
    """Validation allocates about what converting a valid grid does, not an object per cell."""

    def peak_bytes(grid: list[Any]) -> int:
        body = json.dumps({"input": grid, "pool_size": 8}).encode()
        tracemalloc.start()
        try:
            client.post(
                "/api/pool/matrix", content=body, headers={"content-type": "application/json"}
            )
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    good = peak_bytes(np.zeros((64, 64, 16)).tolist())
    bad = peak_bytes(strings_grid(64, 64, 16))

    assert bad < good * 1.5  # cell-by-cell errors made it 30 times the valid request's


def test_a_422_lists_twenty_errors_and_counts_the_rest(client: TestClient) -> None:
    layers = [{"type": "Dense", "units": "many"} for _ in range(30)]

    response = client.post(
        "/api/architectures/summary", json={"input_shape": [8], "layers": layers}
    )

    assert response.status_code == 422
    result = response.json()
    assert len(result["errors"]) == 20
    assert "(10 more errors are not listed)" in result["detail"]


def test_a_grid_answer_is_encoded_in_the_routes_worker_thread() -> None:
    """FastAPI would encode a returned dict on the event loop; the route returns the bytes."""
    body = PoolMatrixRequest.model_validate({"input": np.ones((256, 256, 16)).tolist()})

    answer = pool_matrix(body)

    assert isinstance(answer, Response)
    assert json.loads(answer.body)["output_shape"] == [128, 128, 16]
