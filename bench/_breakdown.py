"""Where the time of one model request goes, measured in this process, without HTTP.

The app (``create_app()``) is called as an ASGI application with a pre-built scope and the whole
multipart body in one ``http.request`` message, so middleware, reading the form, the compute
slot (for an upload that is not a small PNG) and the response model all count, but no HTTP
parsing or socket. The bench's form is plain, so it is answered ahead of routing
(``app.api.plain_form``). The registry is passed in the scope's state as uvicorn passes the
lifespan's, so only the models given are loaded. Each stage is then timed alone with the
functions the endpoint calls; what the stages leave of the ASGI time is middleware,
``Response`` and the event loop. Every stage gets its wall time and its CPU time (this
process's, every thread); the shares are of CPU time, which a busy machine does not inflate by
making a stage wait for a core.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Awaitable, Callable
from typing import Any

from _common import Timing
from _http import BOUNDARY
from fastapi import FastAPI, UploadFile
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import Message

from app.api import models as models_api
from app.api.images import read_image
from app.api.plain_form import parse_plain_form
from app.config import Settings
from app.core.preprocess import DigitOptions, prepare_digit
from app.ml.forward import classify, forward
from app.ml.registry import LoadedModel

AsyncCall = Callable[[], Awaitable[Any]]


class AsgiDriver:
    """Calls an ASGI app for one request and collects the response, as a server would."""

    def __init__(self, app: FastAPI, state: dict[str, Any]) -> None:
        self.app = app
        self.state = state

    def scope(self, path: str, body: bytes, method: str = "POST") -> dict[str, Any]:
        headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"application/json")]
        if method == "POST":
            headers += [
                (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
                (b"content-length", str(len(body)).encode()),
            ]
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": dict(self.state),
        }

    @staticmethod
    def receive_once(body: bytes) -> Callable[[], Awaitable[Message]]:
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.get_running_loop().create_future()  # no disconnect: wait forever
            raise AssertionError("unreachable")

        return receive

    async def post(self, path: str, body: bytes, method: str = "POST") -> tuple[int, bytes]:
        status = 0
        chunks: list[bytes] = []

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(self.scope(path, body, method), self.receive_once(body), send)
        return status, b"".join(chunks)


def model_route(path: str) -> APIRoute:
    for route in models_api.router.routes:
        if isinstance(route, APIRoute) and route.path == path:
            return route
    raise SystemExit(f"No route {path} in app.api.models.")


def compute_hops(png: bytes) -> int:
    """How many times the plain-form path hands this upload to a compute slot and back: none
    for a small PNG, which the event loop's thread works on itself."""
    return 0 if models_api.works_inline(png) else 1


def upload(png: bytes) -> UploadFile:
    return UploadFile(
        io.BytesIO(png), filename="drawing.png", headers=Headers({"content-type": "image/png"})
    )


async def time_async_interleaved(
    contenders: dict[str, AsyncCall], rounds: int, warmup: int = 5
) -> tuple[dict[str, Timing], dict[str, Timing]]:
    """:func:`_common.time_interleaved` for coroutines: wall time and this process's CPU time.

    CPU time counts every thread of the process (the threadpool too) and leaves out the time
    spent waiting for a core, so on a busy machine it still says what each stage costs.
    """
    for call in contenders.values():
        for _ in range(warmup):
            await call()
    names = list(contenders)
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            start, start_cpu = time.perf_counter(), time.process_time()
            await contenders[name]()
            cpu[name].append((time.process_time() - start_cpu) * 1000.0)
            wall[name].append((time.perf_counter() - start) * 1000.0)
    return (
        {name: Timing(tuple(values)) for name, values in wall.items()},
        {name: Timing(tuple(values)) for name, values in cpu.items()},
    )


def stage_contenders(
    driver: AsgiDriver,
    loaded: LoadedModel,
    settings: Settings,
    png: bytes,
    body: bytes,
    route: APIRoute,
) -> dict[str, AsyncCall]:
    """The whole in-process request and each of its stages, for the predict or activations
    ``route`` of ``app.api.models``."""
    endpoint = route.path.rsplit("/", 1)[1]
    path = f"/api/models/{loaded.id}/{endpoint}"
    field = route.response_field
    decoded = read_image(upload(png), settings)
    digit = prepare_digit(decoded, DigitOptions())
    hops = compute_hops(png)

    options = DigitOptions()
    layers = [layer.name for layer in loaded.layers]

    def call_endpoint() -> Any:
        """What the endpoint hands to a compute slot: the whole request but for the web."""
        if endpoint == "predict":
            return models_api._prediction(loaded, upload(png), settings, options)
        return models_api._activations(loaded, layers, "numbers", upload(png), settings, options)

    content = call_endpoint()

    async def asgi() -> None:
        status, _ = await driver.post(path, body)
        assert status == 200, status

    async def health() -> None:
        status, _ = await driver.post("/api/health", b"", "GET")
        assert status == 200, status

    async def multipart() -> None:
        # What the plain-form middleware does (app.api.plain_form); FastAPI's own form handling,
        # which it leaves the rest to, spent 0.45 ms on parsing alone (bench/README.md).
        request = Request(driver.scope(path, body), driver.receive_once(body))
        form = parse_plain_form(request.headers.get("content-type"), await request.body())
        assert form is not None, "the bench's form is not plain: the routes would leave it"

    async def round_trips() -> None:
        for _ in range(hops):
            await driver.state["compute"].run(int)

    async def endpoint_function() -> None:
        call_endpoint()

    async def decode() -> None:
        read_image(upload(png), settings)

    async def preprocess() -> None:
        prepare_digit(decoded, options)

    async def infer() -> None:
        if endpoint == "predict":
            classify(loaded, digit.model_input)  # the probabilities alone
        else:
            forward(loaded, digit.model_input)

    async def validate_and_serialize() -> None:
        value, errors = field.validate(content, {}, loc=("response",))
        assert not errors, errors
        field.serialize_json(value)

    return {
        "asgi": asgi,
        "health": health,
        "multipart": multipart,
        "hops": round_trips,
        "endpoint": endpoint_function,
        "decode": decode,
        "preprocess": preprocess,
        "forward": infer,
        "response": validate_and_serialize,
    }


def breakdown_rows(wall: dict[str, Timing], cpu: dict[str, Timing], hops: int) -> list[list[str]]:
    """Rows of (stage, wall best / median, CPU median, share of the in-process request's CPU)."""
    cost = {name: timing.median_ms for name, timing in cpu.items()}

    def share(ms: float) -> str:
        return f"{ms / cost['asgi']:.0%}"

    def row(label: str, name: str) -> list[str]:
        return [label, wall[name].cell(), f"{cost[name]:.2f}", share(cost[name])]

    def rest(label: str, ms: float) -> list[str]:
        return [label, "", f"~{ms:.2f}", share(ms)]

    inner = sum(cost[name] for name in ("decode", "preprocess", "forward"))
    outer = sum(cost[name] for name in ("multipart", "hops", "endpoint", "response"))
    return [
        row("ASGI app in this process, no HTTP", "asgi"),
        row("  the form: body + parse_plain_form", "multipart"),
        row(f"  compute-slot round trips: {hops} (none for a small PNG)", "hops"),
        row("  the endpoint's work", "endpoint"),
        row("    read_image + decode_image", "decode"),
        row("    prepare_digit", "preprocess"),
        row("    the model (classify for predict, forward for activations)", "forward"),
        rest("    the response dict: tolist, notes, layers (rest)", cost["endpoint"] - inner),
        row("  response model: validate + serialize to JSON", "response"),
        rest("  middleware, Response, event loop (rest)", cost["asgi"] - outer),
        row("for scale: GET /api/health through the same app", "health"),
    ]
