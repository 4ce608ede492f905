"""An ASGI middleware that refuses request bodies over a byte cap, before they are parsed.

Starlette spools multipart uploads to disk without a size limit, so the cap is enforced on the
raw body: at once from ``Content-Length``, and while streaming for chunked uploads. Raising an
``HTTPException`` from ``receive`` lets FastAPI's body parsing pass it on to the app's one
error handler instead of turning it into a generic 400.

JSON bodies have a cap of their own, smaller: FastAPI parses and validates them on the event
loop, so their size is how long every other request waits. A megabyte of JSON is a grid of
a quarter of a million numbers; bigger inputs are images, sent as multipart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.json_bodies import is_json_media_type
from app.i18n import translate


def too_large_detail(max_bytes: int) -> str:
    """In the request's language: the language middleware runs before this one."""
    return translate(
        "The request body is larger than {max_bytes:,} bytes, the most this server accepts. "
        "Send a smaller file: scale the image down or save it as JPEG.",
        {"max_bytes": max_bytes},
    )


def json_too_large_detail(max_bytes: int) -> str:
    return translate(
        "The JSON body is larger than {max_bytes:,} bytes, the most this server takes as JSON. "
        "Send a smaller grid, or send a picture as an image file to POST /api/convolve or "
        "/api/pool.",
        {"max_bytes": max_bytes},
    )


@dataclass(frozen=True)
class LargeBody:
    """A route that takes a bigger file than the general cap: its cap, its setting, and the
    refusal: a whole message (translated when a request is refused) with the fields
    {max_bytes} and {setting}, that says what the file is and what to do."""

    max_bytes: int
    setting: str  # "CONVLENS_MAX_IMPORT_BYTES"
    message: str  # "The model file is larger than {max_bytes:,} bytes, ... (setting {setting})."

    def detail(self) -> str:
        return translate(self.message, {"max_bytes": self.max_bytes, "setting": self.setting})


class BodySizeLimit:
    """``max_bytes`` for every body; ``large_bodies`` maps (method, path) to the cap of the few
    routes that take big files (a model, a dataset)."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        max_json_bytes: int,
        large_bodies: dict[tuple[str, str], LargeBody] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_json_bytes = min(max_json_bytes, max_bytes)
        self.large_bodies = large_bodies or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        if not content_type or is_json_media_type(content_type):  # FastAPI reads both as JSON
            cap, detail = self.max_json_bytes, json_too_large_detail(self.max_json_bytes)
        elif (scope["method"], scope["path"]) in self.large_bodies:
            large = self.large_bodies[(scope["method"], scope["path"])]
            cap, detail = large.max_bytes, large.detail()
        else:
            cap, detail = self.max_bytes, too_large_detail(self.max_bytes)
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > cap:
            await self._refuse(send, detail)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise HTTPException(413, detail)
            return message

        await self.app(scope, limited_receive, send)

    async def _refuse(self, send: Send, detail: str) -> None:
        body = json.dumps({"detail": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
