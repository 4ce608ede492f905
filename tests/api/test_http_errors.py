"""Requests that go wrong before any operation runs: bodies that cannot be read, the wrong
content type, unknown paths and methods. Every answer is JSON with a ``detail``."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

JSON_ENDPOINTS = ["/api/convolve/matrix", "/api/pool/matrix"]
VALID_BODY = b'{"input": [[1, 2], [3, 4]], "kernel": [[1]]}'


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
def test_malformed_json_is_refused_with_where_it_broke(client: TestClient, path: str) -> None:
    response = client.post(
        path, content=b'{"input": [[1, 2]', headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": "The request does not match what this endpoint expects: body: not valid JSON: "
        "Expecting ',' delimiter at character 17. Fix the fields listed in 'errors' (see /docs "
        "for each field's type and range) and send it again.",
        "errors": [{"loc": ["body", 17], "msg": "JSON decode error", "type": "json_invalid"}],
    }


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
def test_a_json_body_sent_as_text_is_refused_with_415(client: TestClient, path: str) -> None:
    response = client.post(path, content=VALID_BODY, headers={"content-type": "text/plain"})

    assert response.status_code == 415
    assert response.json() == {
        "detail": "This endpoint takes a JSON object sent with Content-Type: application/json; "
        "the request's Content-Type was 'text/plain'. Send the body as JSON with that header."
    }


def test_a_json_body_sent_as_a_form_is_refused_with_415(client: TestClient) -> None:
    response = client.post("/api/convolve/matrix", data={"input": "[[1]]", "kernel": "[[1]]"})

    assert response.status_code == 415
    assert (
        "the request's Content-Type was 'application/x-www-form-urlencoded'"
        in (response.json()["detail"])
    )


def test_a_json_body_without_a_content_type_is_refused_with_415(client: TestClient) -> None:
    response = client.post("/api/convolve/matrix", content=VALID_BODY)

    assert "content-type" not in response.request.headers
    assert response.status_code == 415
    assert response.json() == {
        "detail": "This endpoint takes a JSON object sent with Content-Type: application/json; "
        "the request had no Content-Type header. Send the body as JSON with that header."
    }


def test_a_json_array_instead_of_an_object_is_refused(client: TestClient) -> None:
    response = client.post("/api/convolve/matrix", json=[[1, 2], [3, 4]])

    assert response.status_code == 422
    assert (
        "body (got [[1, 2], [3, 4]]): Input should be a valid dictionary"
        in (response.json()["detail"])
    )


def test_an_empty_json_body_is_refused_as_missing(client: TestClient) -> None:
    response = client.post(
        "/api/convolve/matrix", content=b"", headers={"content-type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["detail"].startswith(
        "The request does not match what this endpoint expects: body: Field required."
    )


def test_a_body_that_is_not_utf8_is_refused_with_400(client: TestClient) -> None:
    response = client.post(
        "/api/convolve/matrix",
        content=b'{"input": "\xe9"}',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body is not UTF-8 text: the byte at offset 11 (0xe9) is not part "
        "of a UTF-8 character. This endpoint expects JSON encoded as UTF-8, sent with "
        "Content-Type: application/json; save or re-encode the body as UTF-8 and send it again."
    }


def test_json_nested_too_deeply_to_parse_is_refused_with_400(client: TestClient) -> None:
    body = b'{"input": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    response = client.post(
        "/api/convolve/matrix", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("The request body could not be read (")


@pytest.mark.parametrize(
    ("content_type", "reason"),
    [
        ("multipart/form-data", "Missing boundary in multipart"),
        ("multipart/form-data; boundary=abc", "Invalid multipart data"),
    ],
    ids=["no boundary", "wrong boundary"],
)
def test_a_broken_multipart_body_is_refused_with_400(
    client: TestClient, content_type: str, reason: str
) -> None:
    response = client.post(
        "/api/convolve", content=b"--xyz\r\nnot a form", headers={"content-type": content_type}
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": f"The request body could not be read ({reason}). This endpoint expects a "
        "multipart/form-data form with a boundary that matches the Content-Type header; see "
        "/docs for each endpoint's body."
    }


@pytest.mark.parametrize(
    "path", ["/api/nothing", "/api/kernels/sobel", "/nothing", "/static/x.png"]
)
def test_an_unknown_path_is_a_404_that_points_to_the_docs(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "detail": f"There is nothing at {path}. See /docs for the API's paths."
    }


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/api/health", "GET"),
        ("DELETE", "/api/kernels", "GET"),
        ("GET", "/api/convolve/matrix", "POST"),
        ("PUT", "/api/convolve", "POST"),
        ("GET", "/api/pool", "POST"),
        ("PATCH", "/api/pool/matrix", "POST"),
        ("POST", "/api/samples", "GET"),
        ("PUT", "/api/models", "GET, POST"),
        ("POST", "/api/models/lenet5", "DELETE, GET"),
    ],
)
def test_a_wrong_method_is_a_405_that_names_it_and_the_allowed_one(
    client: TestClient, method: str, path: str, allowed: str
) -> None:
    response = client.request(method, path)

    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.json() == {
        "detail": f"{method} is not allowed on {path}; it takes {allowed}. See /docs for what "
        "each method does."
    }


def post_json_text(client: TestClient, path: str, body: bytes) -> Any:
    return client.post(path, content=body, headers={"content-type": "application/json"})


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-32-be"])
def test_json_in_utf16_or_utf32_is_refused_with_400(client: TestClient, encoding: str) -> None:
    body = VALID_BODY.decode().encode(encoding)

    response = post_json_text(client, "/api/convolve/matrix", body)

    assert response.status_code == 400
    assert response.json()["detail"].startswith("The request body is not UTF-8 text: ")
    assert "This endpoint expects JSON encoded as UTF-8" in response.json()["detail"]


def test_json_with_a_utf8_byte_order_mark_is_read(client: TestClient) -> None:
    response = post_json_text(client, "/api/convolve/matrix", b"\xef\xbb\xbf" + VALID_BODY)

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "key"),
    [
        ("/api/convolve/matrix", b'{"input": [[1]], "kernel": [[1]], "input": [[2]]}', "input"),
        ("/api/pool/matrix", b'{"input": [[1]], "mode": "max", "mode": "average"}', "mode"),
        (
            "/api/architectures/summary",
            b'{"input_shape": [8, 8, 1], "layers": [{"type": "Conv2D", "filters": 1, '
            b'"kernel_size": 3, "filters": 2}]}',
            "filters",
        ),
    ],
    ids=["top level", "pool mode", "inside a layer"],
)
def test_a_key_given_twice_is_refused_naming_the_key(
    client: TestClient, path: str, body: bytes, key: str
) -> None:
    response = post_json_text(client, path, body)

    assert response.status_code == 422
    assert response.json() == {
        "detail": "The request does not match what this endpoint expects: body: the key "
        f"'{key}' appears twice in one object; give each key once. Fix the fields listed in "
        "'errors' (see /docs for each field's type and range) and send it again.",
        "errors": [
            {
                "loc": ["body"],
                "msg": f"the key '{key}' appears twice in one object; give each key once",
                "type": "json_duplicate_key",
            }
        ],
    }


def test_an_integer_too_long_to_read_is_refused_in_our_words(client: TestClient) -> None:
    body = b'{"input": [[' + b"7" * 5000 + b']], "kernel": [[1]]}'

    response = post_json_text(client, "/api/convolve/matrix", body)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body could not be read (a number in it has more than 4,300 "
        "digits). This endpoint expects JSON encoded as UTF-8, sent with Content-Type: "
        "application/json; see /docs for each endpoint's body."
    }


@pytest.mark.parametrize("path", ["/", "/draw", "/explorer", "/training", "/architectures"])
def test_head_on_a_page_answers_like_get(client: TestClient, path: str) -> None:
    response = client.head(path)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


def test_head_on_health_answers_like_get(client: TestClient) -> None:
    response = client.head("/api/health")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


def test_a_request_for_another_host_is_refused_before_any_redirect(client: TestClient) -> None:
    response = client.get("/static", headers={"host": "evil.example"}, follow_redirects=False)

    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.json() == {
        "detail": "This server does not answer the host 'evil.example'. Reach it by one of its "
        "names (127.0.0.1, localhost, [::1], testserver), or, if you run it, add the name to "
        "the allowed_hosts setting (CONVLENS_ALLOWED_HOSTS)."
    }


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1", "[::1]:8000", "TESTSERVER"])
def test_the_local_names_are_answered_with_or_without_a_port(client: TestClient, host: str) -> None:
    response = client.get("/static", headers={"host": host}, follow_redirects=False)

    assert response.status_code == 307
    assert response.headers["location"] == f"http://{host}/static/"


def test_the_address_the_server_binds_to_is_an_allowed_host() -> None:
    settings = Settings(host="192.168.1.10", allowed_hosts=["convlens.example.org"])

    with TestClient(create_app(settings)) as client:
        bound = client.get("/api/health", headers={"host": "192.168.1.10:8000"})
        named = client.get("/api/health", headers={"host": "convlens.example.org"})
        other = client.get("/api/health", headers={"host": "localhost"})

    assert (bound.status_code, named.status_code, other.status_code) == (200, 200, 400)
