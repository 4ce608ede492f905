"""An ASGI middleware that refuses request bodies over a byte cap, before they are parsed.

Starlette spools multipart uploads to disk without a size limit, so the cap is enforced on the
raw body: at once from ``Content-Length``, and while streaming for chunked uploads. Raising an
``HTTPException`` from ``receive`` lets FastAPI's body parsing pass it on to the app's one
error handler instead of turning it into a generic 400.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def too_large_detail(max_bytes: int) -> str:
    return (
        f"The request body is larger than {max_bytes:,} bytes, the most this server accepts. "
        "Send a smaller file: scale the image down or save it as JPEG."
    )


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, too_large_detail(self.max_bytes))
            return message

        await self.app(scope, limited_receive, send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": too_large_detail(self.max_bytes)}).encode()
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
