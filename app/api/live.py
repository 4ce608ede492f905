"""``/api/live``: the Draw page's WebSocket, classifying a drawing as it is drawn.

The protocol is :data:`PROTOCOL`, which ``/docs`` shows. The server works on the latest frame
only: a frame that a newer one overtakes while the models are busy is dropped, so a fast pen
never builds a queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from pydantic import Field, ValidationError
from pydantic_core import to_json
from starlette.websockets import WebSocketState

from app.api.compute import ComputeBusy, ComputeSlots
from app.api.deps import ComputeDep, RegistryDep, SettingsDep
from app.api.model_inputs import only_digit_models
from app.api.predictions import decode_digit, predictions
from app.config import Settings
from app.errors import ConvLensError, explain_validation_errors
from app.i18n import translate
from app.ml.loaded import LoadedModel
from app.ml.registry import Registry
from app.schemas.models import DigitSwitches

router = APIRouter(prefix="/api", tags=["live"])

PROTOCOL = """
### WebSocket `/api/live`: classify a drawing as it is drawn

OpenAPI cannot describe a WebSocket, so here it is. REST `predict` gives programs the same
answers one image at a time.

- **Client -> server, text:** settings as JSON, every key optional: `{"models": ["lenet5"],
  "invert": "auto", "crop": true, "fit": true, "center": true, "thicken": true}` (`models`:
  every model if left out; the switches as in `predict`). The server confirms with
  `{"type": "settings", ...}`; they apply to the frames after them.
- **Client -> server, binary:** a frame: the canvas as an image file (PNG).
- **Server -> client, text:** `{"type": "prediction", "frame": 7, "dropped": 2,
  "predictions": [...]}` for each frame worked on. `frame` counts the connection's frames from
  1; each entry of `predictions` is exactly what `POST /api/models/{id}/predict` returns. Only
  the latest frame is worked on; `dropped` counts the frames overtaken since the last answer.
- **Errors:** `{"type": "error", "frame": 7 or null, "status": 415, "detail": "..."}` for a
  bad frame or bad settings (the status REST would answer); the socket stays open. An
  oversize frame closes it with code 1009, a flood of messages with 1008, each with a reason.
  Details and reasons are in the language of the handshake's `Accept-Language` (English or
  Korean; a reason too long for a close frame in Korean is sent in English).
"""
MAX_SETTINGS_TEXT = 4096
MAX_LIVE_MODELS = 8


class LiveSettings(DigitSwitches):
    models: list[Annotated[str, Field(max_length=64)]] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_LIVE_MODELS,
        description="Model ids to classify each frame with; every model if left out.",
    )


class FloodGuard:
    """A token bucket: ``rate`` messages a second on average, bursts of up to ``burst``."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = burst, time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class _Session:
    """One connection: its settings, the latest frame waiting, and one sender at a time."""

    def __init__(
        self, socket: WebSocket, registry: Registry, settings: Settings, compute: ComputeSlots
    ) -> None:
        self.socket, self.registry = socket, registry
        self.settings, self.compute = settings, compute
        self.choices = LiveSettings()
        self.models: list[LoadedModel] = [m for m in registry.values() if m.is_digit_model]
        self.frames = 0
        self.latest: tuple[int, bytes] | None = None
        self.dropped = 0
        self.waiting = asyncio.Event()
        self.sending = asyncio.Lock()
        rate = settings.live_messages_per_second
        self.guard = FloodGuard(rate, burst=2 * rate)

    async def receive(self) -> None:
        """Read messages until the client leaves or must be closed."""
        while True:
            message = await self.socket.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            if not self.guard.allow():
                rate = self.settings.live_messages_per_second
                await self.close(
                    status.WS_1008_POLICY_VIOLATION,
                    ConvLensError(
                        "More than {rate:g} messages a second: send a frame only when the "
                        "drawing has changed.",
                        rate=rate,
                    ),
                )
                return
            if message.get("bytes") is not None:
                if not await self.take_frame(message["bytes"]):
                    return
            else:
                await self.take_settings(message.get("text") or "")

    async def take_frame(self, data: bytes) -> bool:
        self.frames += 1
        cap = self.settings.live_max_frame_bytes
        if len(data) > cap:
            await self.close(
                status.WS_1009_MESSAGE_TOO_BIG,
                ConvLensError(
                    "Frame {frame} is {size:,} bytes; frames may be at most {cap:,}. Send a PNG "
                    "of at most 512x512.",
                    frame=self.frames,
                    size=len(data),
                    cap=cap,
                ),
            )
            return False
        if self.latest is not None:
            self.dropped += 1
        self.latest = (self.frames, data)
        self.waiting.set()
        return True

    async def take_settings(self, text: str) -> None:
        try:
            if len(text) > MAX_SETTINGS_TEXT:
                raise ConvLensError(
                    "The settings message is {count:,} characters; at most "
                    "{max_settings_text:,} are accepted.",
                    count=len(text),
                    max_settings_text=MAX_SETTINGS_TEXT,
                )
            choices = LiveSettings.model_validate_json(text)
            if choices.models:
                models = [self.registry.get_model(name) for name in choices.models]
                only_digit_models(models)
            else:
                models = [m for m in self.registry.values() if m.is_digit_model]
        except ValidationError as exc:
            detail = translate(
                "The settings message does not match what /api/live expects: {problems}. Send "
                "JSON such as {example}.",
                {
                    "problems": explain_validation_errors(exc.errors()),
                    "example": '{"models": ["lenet5"], "invert": "auto"}',
                },
            )
            await self.send_error(None, 422, detail)
            return
        except ConvLensError as exc:
            await self.send_error(None, exc.status_code, exc.localized())
            return
        self.choices, self.models = choices, models
        answer = {"type": "settings", **choices.model_dump(exclude={"models"})}
        await self.send({**answer, "models": [loaded.id for loaded in models]})

    async def work(self) -> None:
        """Answer the latest frame, again and again, until cancelled or the client leaves."""
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                await self.waiting.wait()
                self.waiting.clear()
                if self.latest is not None:
                    await self.answer(*self.latest)

    async def answer(self, frame: int, data: bytes) -> None:
        self.latest = None
        dropped, self.dropped = self.dropped, 0
        try:
            answer = await self.compute.run(
                _answer, self.models, data, self.settings, self.choices, frame, dropped
            )
        except (ConvLensError, ComputeBusy) as exc:
            # ComputeBusy's detail is already in the connection's language.
            detail = exc.localized() if isinstance(exc, ConvLensError) else exc.detail
            await self.send_error(frame, exc.status_code, detail)
            return
        await self.send_text(answer)

    async def send(self, message: dict[str, Any]) -> None:
        await self.send_text(json.dumps(message))

    async def send_text(self, text: str) -> None:
        """Send, one sender at a time, unless the socket has been closed meanwhile (the flood
        guard may close it while a frame is being worked on)."""
        async with self.sending:
            if self.socket.application_state == WebSocketState.CONNECTED:
                await self.socket.send_text(text)

    async def send_error(self, frame: int | None, code: int, detail: str) -> None:
        await self.send({"type": "error", "frame": frame, "status": code, "detail": detail})

    async def close(self, code: int, reason: ConvLensError) -> None:
        """Close with a reason in the connection's language. A close frame holds 123 bytes: the
        English always fits, and stands in for a translation that would not."""
        text = closing_reason(reason)
        async with self.sending:
            await self.socket.close(code, text)


CLOSE_REASON_BYTES = 123  # RFC 6455 5.5: 125 bytes of payload, 2 of them the code


def closing_reason(reason: ConvLensError) -> str:
    """The reason in the connection's language if it fits in a close frame, else in English."""
    assert len(reason.detail.encode()) <= CLOSE_REASON_BYTES, reason.detail
    text = reason.localized()
    return text if len(text.encode()) <= CLOSE_REASON_BYTES else reason.detail


def _answer(
    models: list[LoadedModel],
    data: bytes,
    settings: Settings,
    choices: LiveSettings,
    frame: int,
    dropped: int,
) -> str:
    """In a compute slot: one decode and one preparation, then every chosen model."""
    digit = decode_digit(data, settings, choices.options())
    message = {
        "type": "prediction",
        "frame": frame,
        "dropped": dropped,
        "predictions": predictions(models, digit),
    }
    return to_json(message).decode()


@router.websocket("/live")
async def live(
    socket: WebSocket, registry: RegistryDep, settings: SettingsDep, compute: ComputeDep
) -> None:
    """Classify canvas frames as they are drawn (protocol: app/api/live.py, README)."""
    await socket.accept()
    session = _Session(socket, registry, settings, compute)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(session.work)
        try:
            await session.receive()
        except WebSocketDisconnect:
            pass
        finally:
            tasks.cancel_scope.cancel()  # the frame in work, if any, is skipped or dropped
