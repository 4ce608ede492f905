"""uvicorn's HTTP protocol with the read bounds it lacks: slow clients cannot hold connections.

uvicorn closes an idle keep-alive connection, but not one that sends part of its headers, or
declares a body and sends half of it, and then waits: each such connection is held as long as
the client likes. Here every read has a deadline, ``Settings.read_timeout`` seconds:

- from the connection's start, or a request's first byte, to the end of its headers;
- between two pieces of a request's body.

A connection that misses one is closed (the app, if it was reading the body, sees the client
leave). A WebSocket upgrade stops the clock: its own protocol takes over the connection.
``convlens serve`` passes this class to uvicorn as its ``http`` implementation.
"""

from __future__ import annotations

import asyncio
from functools import cache

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.config import Settings


@cache
def _read_timeout() -> float:
    return Settings().read_timeout


class BoundedReadProtocol(HttpToolsProtocol):
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_clock()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_clock()  # until the headers are in

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._start_clock()  # until the first piece of the body

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        self._start_clock()  # until the next piece

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._stop_clock()

    def handle_websocket_upgrade(self) -> None:
        self._stop_clock()
        super().handle_websocket_upgrade()

    def _start_clock(self) -> None:
        self._stop_clock()
        self._deadline = self.loop.call_later(_read_timeout(), self._too_slow)

    def _stop_clock(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        self.logger.info("Closed a connection from %s: it sent nothing for too long.", self.client)
        self.transport.close()
