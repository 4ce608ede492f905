"""/docs can be tried as published: what Swagger UI fills in from the schema is answered with 2xx.

Swagger UI builds a Try-it-out body from the schema's first ``examples`` entry, or, when the
schema has none, property by property from each one's example, else its default. Path
parameters start from their example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.api.imagefiles import png
from tests.api.test_training import wait_for
from tests.api.test_works import wait_for as wait_for_work
from tests.datasets_files import grey_set, zip_bytes
from tests.keras_files import saved, small_sequential_grey

Spec = dict[str, Any]
Operation = tuple[str, str, dict[str, Any]]
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def resolve(spec: Spec, schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def example(schema: dict[str, Any]) -> list[Any]:
    """The field's example as a one-item list, or [] when it has none."""
    if schema.get("examples"):
        return [schema["examples"][0]]
    if "example" in schema:
        return [schema["example"]]
    # Swagger UI samples a union from its first branch, whose example wins over a null default.
    return example(schema["anyOf"][0]) if schema.get("anyOf") else []


def has_sample(schema: dict[str, Any]) -> bool:
    return bool(example(schema)) or "default" in schema


def sample(schema: dict[str, Any]) -> Any:
    """The value Swagger UI starts a field with: its example, else its default."""
    found = example(schema)
    return found[0] if found else schema["default"]


def property_by_property(spec: Spec, schema: dict[str, Any]) -> dict[str, Any]:
    properties = resolve(spec, schema)["properties"]
    return {name: sample(field) for name, field in properties.items() if has_sample(field)}


def operations(spec: Spec) -> list[Operation]:
    return [
        (method, path, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]


def body_schema(operation: dict[str, Any], media_types: tuple[str, ...]) -> dict[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {})
    return next((content[media]["schema"] for media in media_types if media in content), None)


def url(path: str, operation: dict[str, Any], made: dict[str, str] | None = None) -> str:
    """The path with each parameter's published example, or the id of a resource ``made`` by
    the test (a dataset exists only once someone uploads one)."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            value = (made or {}).get(parameter["name"]) or parameter.get(
                "example", parameter["schema"].get("examples", [None])[0]
            )
            assert value is not None, f"{path}: path parameter {parameter['name']} has no example"
            path = path.replace("{" + parameter["name"] + "}", str(value))
    return path


def form_text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def with_dataset(body: Any, dataset_id: str) -> Any:
    """A training body names a dataset, which exists only once someone uploads one."""
    return {**body, "dataset": dataset_id} if isinstance(body, dict) and "dataset" in body else body


def refused(responses: dict[str, Any]) -> dict[str, Any]:
    return {op: answer for op, answer in responses.items() if not 200 <= answer[0] < 300}


@pytest.fixture(scope="module")
def spec(client: TestClient) -> Spec:
    return client.app.openapi()  # type: ignore[attr-defined,no-any-return]


@pytest.fixture(scope="module")
def dataset_id(client: TestClient) -> str:
    dataset = client.post(
        "/api/datasets", files={"file": ("set.zip", zip_bytes(grey_set()), "application/zip")}
    )
    assert dataset.status_code == 201, dataset.text
    return str(dataset.json()["id"])


def test_every_json_body_s_published_example_is_answered_with_a_2xx(
    client: TestClient, spec: Spec, dataset_id: str
) -> None:
    responses = {}
    for method, path, operation in operations(spec):
        schema = body_schema(operation, ("application/json",))
        if schema is None:
            continue
        examples = resolve(spec, schema).get("examples")
        assert examples, f"{method.upper()} {path}: the request body publishes no example"
        body = with_dataset(examples[0], dataset_id)
        response = client.request(method, url(path, operation), json=body)
        responses[f"{method.upper()} {path}"] = (response.status_code, response.text[:300])

    assert responses, "no operation takes a JSON body"
    assert refused(responses) == {}


def test_every_json_body_built_from_its_fields_examples_and_defaults_is_answered_with_a_2xx(
    client: TestClient, spec: Spec, dataset_id: str
) -> None:
    responses = {}
    for method, path, operation in operations(spec):
        schema = body_schema(operation, ("application/json",))
        if schema is None:
            continue
        body = with_dataset(property_by_property(spec, schema), dataset_id)
        response = client.request(method, url(path, operation), json=body)
        responses[f"{method.upper()} {path}"] = (response.status_code, response.text[:300])

    assert refused(responses) == {}


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A small real .keras file, for the form that imports one."""
    path = saved(small_sequential_grey(), tmp_path_factory.mktemp("model"), ".keras")
    return path.read_bytes()


def test_every_form_filled_in_with_its_examples_and_defaults_is_answered_with_a_2xx(
    client: TestClient, spec: Spec, model_file: bytes
) -> None:
    stroke = np.zeros((28, 28), dtype=np.uint8)
    stroke[6:22, 12:16] = 255  # a "1", which the digit endpoints find and read
    upload = png(stroke)
    responses = {}
    imported = []
    for method, path, operation in operations(spec):
        schema = body_schema(operation, FORM_TYPES)
        if schema is None:
            continue
        properties = resolve(spec, schema)["properties"]
        files = {
            name: (f"{name}.keras", model_file, "application/octet-stream")
            if ".keras" in field.get("description", "")
            else (f"{name}.zip", zip_bytes(grey_set()), "application/zip")
            if ".zip" in field.get("description", "")
            else (f"{name}.png", upload, "image/png")
            for name, field in properties.items()
            if field.get("contentMediaType") == "application/octet-stream"
            or field.get("format") == "binary"
        }
        # Swagger UI leaves a field empty, and does not send it, when it starts as null.
        fields = {
            name: form_text(value)
            for name, value in property_by_property(spec, schema).items()
            if name not in files and value is not None
        }
        response = client.request(method, url(path, operation), data=fields, files=files)
        responses[f"{method.upper()} {path}"] = (response.status_code, response.text[:300])
        if response.status_code == 201 and "model" in response.json():
            imported.append(response.json())

    assert responses, "no operation takes a form"
    assert refused(responses) == {}
    assert [answer["model"]["input_shape"] for answer in imported] == [[28, 28, 1]]
    for answer in imported:
        deleted = client.delete(
            f"/api/models/{answer['id']}",
            headers={"Authorization": f"Bearer {answer['delete_token']}"},
        )
        assert deleted.status_code == 204


def test_every_get_answers_with_its_path_parameters_published_examples(
    client: TestClient, spec: Spec, dataset_id: str
) -> None:
    """A job that has ended (so that its epochs' snapshots are there) and a dataset stand in
    for the ids an example cannot know."""
    stack = [
        {"type": "Conv2D", "filters": 2, "kernel_size": 3},
        {"type": "Flatten"},
        {"type": "Dense", "units": 2, "activation": "softmax"},
    ]
    job = client.post(
        "/api/training", json={"dataset": dataset_id, "architecture": stack, "epochs": 1}
    )
    assert job.status_code == 202, job.text
    ended = wait_for(client, job.json()["id"], "done", "failed")
    assert ended["state"] == "done", ended["reason"]
    photo = Path("static/samples/chelsea.png").read_bytes()
    work = client.post(
        "/api/models/colour-shapes/deepdream",
        files={"image": ("chelsea.png", photo, "image/png")},
        data={"octaves": "1", "steps": "1", "side": "32"},
    )
    assert work.status_code in (200, 202), work.text
    assert wait_for_work(client, work.json()["id"], "done", "failed")["state"] == "done"
    made = {"dataset_id": dataset_id, "job_id": ended["id"], "work_id": work.json()["id"]}
    responses = {}
    for method, path, operation in operations(spec):
        if method == "get":
            response = client.get(url(path, operation, made))
            responses[f"GET {path}"] = (response.status_code, response.text[:300])

    assert refused(responses) == {}


def test_every_form_with_a_file_is_published_as_multipart(spec: Spec) -> None:
    url_encoded_uploads = []
    for method, path, operation in operations(spec):
        schema = body_schema(operation, ("application/x-www-form-urlencoded",))
        if schema is None:
            continue
        properties = resolve(spec, schema)["properties"].values()
        if any(field.get("contentMediaType") == "application/octet-stream" for field in properties):
            url_encoded_uploads.append(f"{method.upper()} {path}")

    assert url_encoded_uploads == []
