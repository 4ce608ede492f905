"""The multipart form fields as /openapi.json publishes them: the patterns say exactly what the
endpoints accept, so clients (and the schema fuzzing) can build valid requests from them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.pooling import MAX_POOL_SIZE
from app.core.shapes import MAX_EXPLICIT_PADDING
from tests.api.imagefiles import png, post_image, random_gray


def form_fields(client: TestClient, path: str) -> dict[str, Any]:
    openapi = client.get("/openapi.json").json()
    content = openapi["paths"][path]["post"]["requestBody"]["content"]
    ref = content["multipart/form-data"]["schema"]["$ref"]
    properties: dict[str, Any] = openapi["components"]["schemas"][ref.split("/")[-1]]["properties"]
    return properties


def matches(pattern: str, text: str) -> bool:
    # The patterns are ECMA-262 regexes kept to syntax Python reads the same way.
    return re.search(pattern, text) is not None


def test_the_published_pool_size_pattern_accepts_exactly_1_to_the_maximum(
    client: TestClient,
) -> None:
    pattern = form_fields(client, "/api/pool")["pool_size"]["pattern"]

    accepted = [n for n in range(-2, 40) if matches(pattern, str(n))]

    assert accepted == list(range(1, MAX_POOL_SIZE + 1))
    assert matches(pattern, "2,3") and matches(pattern, "[15, 1]")
    assert not matches(pattern, "2,16") and not matches(pattern, "[2")


@pytest.mark.parametrize(
    ("path", "field"), [("/api/convolve", "padding"), ("/api/pool", "conv_padding")]
)
def test_the_published_padding_pattern_accepts_the_words_and_0_to_the_maximum(
    client: TestClient, path: str, field: str
) -> None:
    pattern = form_fields(client, path)[field]["pattern"]

    accepted = [n for n in range(-2, 200) if matches(pattern, str(n))]

    assert accepted == list(range(0, MAX_EXPLICIT_PADDING + 1))
    assert matches(pattern, "valid") and matches(pattern, "same") and matches(pattern, " 1, 2 ")
    assert not matches(pattern, "SAME") and not matches(pattern, "full")


@pytest.mark.parametrize(
    ("path", "field"),
    [("/api/convolve", "strides"), ("/api/pool", "strides"), ("/api/pool", "conv_strides")],
)
def test_the_published_strides_pattern_accepts_positive_numbers_and_pairs(
    client: TestClient, path: str, field: str
) -> None:
    pattern = form_fields(client, path)[field]["pattern"]

    assert [n for n in range(-2, 5) if matches(pattern, str(n))] == [1, 2, 3, 4]
    assert matches(pattern, "2,1") and matches(pattern, "[2, 1]") and matches(pattern, "999999")
    assert not matches(pattern, "2,0") and not matches(pattern, "1.5") and not matches(pattern, "٣")


def test_the_published_trace_pattern_takes_only_a_row_col_pair(client: TestClient) -> None:
    pattern = form_fields(client, "/api/convolve")["trace"]["pattern"]

    assert matches(pattern, "0,0") and matches(pattern, "[3, 5]")
    assert not matches(pattern, "3") and not matches(pattern, "-1,0")


@pytest.mark.parametrize("padding", ["valid", "same", "0", "64", "1,2", "[3, 0]", "\t2 "])
def test_every_published_padding_form_is_accepted_by_the_endpoint(
    client: TestClient, padding: str
) -> None:
    response = post_image(
        client, "/api/convolve", png(random_gray(4, 4)), kernel="[[1]]", padding=padding
    )

    assert response.status_code == 200, response.text


@pytest.mark.parametrize("strides", ["1", "2,3", "[1, 2]", " 4 "])
def test_every_published_strides_form_is_accepted_by_the_endpoints(
    client: TestClient, strides: str
) -> None:
    image = png(random_gray(6, 6))

    convolved = post_image(client, "/api/convolve", image, kernel="[[1]]", strides=strides)
    pooled = post_image(client, "/api/pool", image, strides=strides, conv_strides=strides)

    assert convolved.status_code == pooled.status_code == 200
