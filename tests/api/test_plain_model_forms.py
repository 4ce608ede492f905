"""Predict and activations with plain forms read by ConvLens, against FastAPI's form handling.

Two apps differ only in ``plain_forms``. Every request goes to both, and the answers must be the
same to the byte: status, headers and body. A spy on ``Request.form`` (FastAPI's way into a
form) shows which requests the plain path answered itself.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.types import Message

from app.api import models
from app.api.compute import ComputeSlots
from app.config import PROJECT_ROOT, Settings
from tests.api.imagefiles import png_with_header_size
from tests.conftest import make_client
from tests.drawings import jpeg, png

BOUNDARY = "----WebKitFormBoundaryq1PbYSmDhGhtM3Zv"
DIGITS = sorted((PROJECT_ROOT / "static/digits").glob("mnist-test-*.png"))


@pytest.fixture(scope="module")
def fastapi_only(settings: Settings) -> Iterator[TestClient]:
    with make_client(settings.model_copy(update={"plain_forms": False})) as test_client:
        yield test_client


@pytest.fixture
def forms_read_by_fastapi(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the requests whose form FastAPI read, from now on."""
    seen: list[str] = []
    original = Request.form

    def spy(self: Request, *args: object, **kwargs: object) -> object:
        seen.append(self.url.path)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Request, "form", spy)
    return seen


def canvas(digit: Path) -> bytes:
    """A shipped MNIST digit as the Draw page exports it: 280x280 RGBA, dark ink on white."""
    grey = 255 - cv2.resize(cv2.imread(str(digit), cv2.IMREAD_GRAYSCALE), (280, 280))
    return png(np.dstack([grey, grey, grey, np.full_like(grey, 255)]))


def form(
    image: bytes | None,
    fields: dict[str, str],
    filename: str = "blob",
    image_type: str = "image/png",
) -> bytes:
    """The body Chrome's FormData sends, fields first as the pages append them."""
    parts = [
        f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}'.encode()
        for name, value in fields.items()
    ]
    if image is not None:
        head = f'Content-Disposition: form-data; name="image"; filename="{filename}"'
        parts.append(f"{head}\r\nContent-Type: {image_type}\r\n\r\n".encode() + image)
    delimiter = f"--{BOUNDARY}".encode()
    return b"".join(delimiter + b"\r\n" + p + b"\r\n" for p in parts) + delimiter + b"--\r\n"


@dataclass(frozen=True)
class Case:
    model: str
    body: bytes
    content_type: str = f"multipart/form-data; boundary={BOUNDARY}"
    endpoint: str = "predict"

    def post(self, client: TestClient) -> tuple[int, list[tuple[str, str]], bytes]:
        response = client.post(
            f"/api/models/{self.model}/{self.endpoint}",
            content=self.body,
            headers={"content-type": self.content_type},
        )
        return response.status_code, list(response.headers.items()), response.content


OPTIONS = [
    {},
    {"invert": "auto", "crop": "true", "fit": "true", "center": "true", "thicken": "true"},
    *(
        {"invert": invert, "crop": crop, "fit": fit, "center": center, "thicken": thicken}
        for invert, crop, fit, center, thicken in itertools.islice(
            itertools.product(("no", "yes", "auto"), *[("false", "true")] * 4), 0, None, 5
        )
    ),
    {"center": "false"},
    {"thicken": "false", "invert": "yes"},
]
PLAIN = {
    **{
        f"{model} {digit.stem} options {i}": Case(model, form(canvas(digit), options))
        for i, options in enumerate(OPTIONS)
        for model, digit in zip(("lenet5", "mnist-cnn", "mlp"), DIGITS[i % 7 :: 7], strict=False)
    },
    "a digit PNG as shipped": Case("lenet5", form(DIGITS[3].read_bytes(), {})),
    "a photo as JPEG": Case(
        "mnist-cnn", form(jpeg(255 - cv2.imread(str(DIGITS[5]))), {}, "p.jpg", "image/jpeg")
    ),
    "any filename and type": Case("mlp", form(canvas(DIGITS[1]), {}, "my 7 (1).png", "a/b")),
    "a blank canvas": Case("lenet5", form(png(np.full((280, 280, 4), 255, np.uint8)), {})),
    "not an image": Case("lenet5", form(b"hello", {}, "notes.txt", "text/plain")),
    "a truncated PNG": Case("lenet5", form(canvas(DIGITS[2])[:-40], {})),
    "an image over the pixel cap": Case("lenet5", form(png_with_header_size(5000, 5000), {})),
    "an empty file": Case("lenet5", form(b"", {})),
    "an unknown model": Case("resnet", form(canvas(DIGITS[0]), {})),
    **{
        f"activations of {model} {digit.stem} {fields}": Case(
            model, form(canvas(digit), fields), endpoint="activations"
        )
        for model, digit, fields in [
            ("lenet5", DIGITS[0], {}),
            ("mnist-cnn", DIGITS[1], {"format": "png"}),
            ("mlp", DIGITS[2], {"format": "numbers", "invert": "no", "fit": "false"}),
            ("lenet5", DIGITS[3], {"layers": "conv1", "format": "png"}),
            ("lenet5", DIGITS[4], {"layers": " pool2 ,conv1,, ", "crop": "false"}),
            ("mnist-cnn", DIGITS[5], {"center": "false", "layers": "conv2"}),
        ]
    },
    "activations of an unknown layer": Case(
        "lenet5", form(canvas(DIGITS[0]), {"layers": "conv1,conv9"}), endpoint="activations"
    ),
    "activations of an unknown model and layer": Case(
        "resnet", form(canvas(DIGITS[0]), {"layers": "conv9"}), endpoint="activations"
    ),
    "activations of a blank canvas": Case(
        "mlp", form(png(np.zeros((280, 280), np.uint8)), {}), endpoint="activations"
    ),
}
NOT_PLAIN = {
    "no image": Case("lenet5", form(None, {"crop": "true"})),
    "a bad invert": Case("lenet5", form(canvas(DIGITS[0]), {"invert": "maybe"})),
    "a bad flag": Case("lenet5", form(canvas(DIGITS[0]), {"crop": "sometimes"})),
    "a flag FastAPI reads but the plain path leaves": Case(
        "lenet5", form(canvas(DIGITS[0]), {"crop": "0", "fit": "YES"})
    ),
    "an unknown field": Case("lenet5", form(canvas(DIGITS[0]), {"layers": "conv1"})),
    "a model id over 64 characters": Case("x" * 65, form(canvas(DIGITS[0]), {})),
    "an unknown model and a bad flag": Case("resnet", form(canvas(DIGITS[0]), {"fit": "2"})),
    "not multipart": Case("lenet5", b"crop=true", "application/x-www-form-urlencoded"),
    "activations with no layers named": Case(
        "lenet5", form(canvas(DIGITS[0]), {"layers": ""}), endpoint="activations"
    ),
    "activations with a layer list over 2,000 characters": Case(
        "lenet5", form(canvas(DIGITS[0]), {"layers": "conv1," * 400}), endpoint="activations"
    ),
    "activations as JPEG": Case(
        "lenet5", form(canvas(DIGITS[0]), {"format": "jpeg"}), endpoint="activations"
    ),
    "activations of an unknown model as JPEG": Case(
        "resnet", form(canvas(DIGITS[0]), {"format": "jpeg"}), endpoint="activations"
    ),
    "activations with a field of predict's spelled wrong": Case(
        "mlp", form(canvas(DIGITS[0]), {"centre": "false"}), endpoint="activations"
    ),
    # Cut short before the file: cut inside it, Starlette leaves its temporary file to the GC.
    "a broken form": Case("lenet5", form(canvas(DIGITS[0]), {"crop": "true"})[:70]),
}


@pytest.mark.parametrize("case", PLAIN)
def test_plain_forms_are_answered_as_fastapi_answers_them(
    client: TestClient, fastapi_only: TestClient, forms_read_by_fastapi: list[str], case: str
) -> None:
    plain = PLAIN[case].post(client)
    assert forms_read_by_fastapi == []  # the plain path answered
    assert plain == PLAIN[case].post(fastapi_only)
    assert len(forms_read_by_fastapi) == 1


@pytest.mark.parametrize("case", NOT_PLAIN)
def test_other_forms_are_left_to_fastapi(
    client: TestClient, fastapi_only: TestClient, forms_read_by_fastapi: list[str], case: str
) -> None:
    answer = NOT_PLAIN[case].post(client)
    assert len(forms_read_by_fastapi) == 1
    assert answer == NOT_PLAIN[case].post(fastapi_only)


def drive(
    test_client: TestClient, headers: list[tuple[bytes, bytes]], messages: list[Message]
) -> list[Message]:
    """What the app sends for a predict request whose body arrives as ``messages``."""
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/models/lenet5/predict",
        "raw_path": b"/api/models/lenet5/predict",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
            *headers,
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": dict(test_client.app_state),
    }
    pending = list(messages)
    sent: list[Message] = []

    async def receive() -> Message:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(test_client.app(scope, receive, send))
    return sent


def chunked(body: bytes, *cuts: int) -> list[Message]:
    """``body`` as the server hands it over, in pieces cut at ``cuts``."""
    edges = [0, *cuts, len(body)]
    return [
        {"type": "http.request", "body": body[a:b], "more_body": b < len(body)}
        for a, b in itertools.pairwise(edges)
    ]


def test_a_client_gone_before_its_body_arrives_is_answered_as_fastapi_answers_it(
    client: TestClient, fastapi_only: TestClient
) -> None:
    sent = drive(client, [], [])
    assert sent[0]["status"] == 400
    assert sent == drive(fastapi_only, [], [])


def test_a_client_gone_halfway_through_its_body_is_answered_as_fastapi_answers_it(
    client: TestClient, fastapi_only: TestClient, forms_read_by_fastapi: list[str]
) -> None:
    body = form(canvas(DIGITS[0]), {})
    length = [(b"content-length", str(len(body)).encode())]
    half = chunked(body, 1000, 2000)[:2]  # then the client is gone

    sent = drive(client, length, half)

    assert forms_read_by_fastapi == ["/api/models/lenet5/predict"]  # handed on as received
    assert sent[0]["status"] == 400
    assert sent == drive(fastapi_only, length, half)


def test_a_body_in_pieces_is_read_whole(
    client: TestClient, fastapi_only: TestClient, forms_read_by_fastapi: list[str]
) -> None:
    body = form(canvas(DIGITS[4]), {"invert": "auto"})
    length = [(b"content-length", str(len(body)).encode())]
    pieces = chunked(body, 1, 150, 151, len(body) - 3)

    sent = drive(client, length, pieces)

    assert forms_read_by_fastapi == []
    assert sent[0]["status"] == 200
    assert sent == drive(fastapi_only, length, pieces)


def test_the_first_content_type_counts_as_starlette_reads_it(
    client: TestClient, fastapi_only: TestClient, forms_read_by_fastapi: list[str]
) -> None:
    body = form(canvas(DIGITS[2]), {})
    headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"text/plain")]

    sent = drive(client, headers, chunked(body))

    assert forms_read_by_fastapi == []
    assert sent[0]["status"] == 200
    assert sent == drive(fastapi_only, headers, chunked(body))


def test_an_error_without_a_handler_goes_up_as_it_does_from_the_route(
    client: TestClient, fastapi_only: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> object:
        raise ZeroDivisionError("a bug in the endpoint")

    monkeypatch.setattr(models, "_prediction", broken)
    case = PLAIN["a digit PNG as shipped"]

    answer = case.post(client)

    assert answer[0] == 500  # Starlette's ServerErrorMiddleware, outside both paths
    assert answer == case.post(fastapi_only)


@pytest.mark.parametrize(
    ("image", "inline"),
    [
        ("canvas", True),  # 280x280
        ("512x512", True),
        ("512x513", False),
        ("jpeg", False),
        ("over 1 MiB", False),
    ],
)
def test_small_pngs_are_worked_on_inline_and_the_rest_in_a_compute_slot(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, image: str, inline: bool
) -> None:
    noise = np.random.default_rng(5).integers(0, 256, (512, 512, 4), np.uint8)  # 512x512
    data = {
        "canvas": canvas(DIGITS[0]),
        "512x512": png(np.full((512, 512), 255, np.uint8)),
        "512x513": png(np.full((513, 512), 255, np.uint8)),
        "jpeg": jpeg(np.full((100, 100, 3), 255, np.uint8)),
        "over 1 MiB": png(noise),
    }[image]
    assert (len(data) > 1024 * 1024) == (image == "over 1 MiB")
    slots: list[object] = []
    original = ComputeSlots.run

    async def spy(self: ComputeSlots, func: Any, *args: Any) -> Any:
        slots.append(func)
        return await original(self, func, *args)

    monkeypatch.setattr(ComputeSlots, "run", spy)
    for endpoint in ("predict", "activations"):
        status = Case("lenet5", form(data, {}), endpoint=endpoint).post(client)[0]
        assert status in (200, 422)  # a digit, or none found
    assert len(slots) == (0 if inline else 2)


def test_the_cases_cover_success_and_every_kind_of_error(
    client: TestClient, fastapi_only: TestClient
) -> None:
    statuses = {case.post(fastapi_only)[0] for case in PLAIN.values()}
    assert statuses == {200, 404, 413, 415, 422}
    assert {case.post(client)[0] for case in NOT_PLAIN.values()} == {200, 422}
