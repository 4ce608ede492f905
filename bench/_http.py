"""A cheap HTTP/1.1 client for load tests: pre-built requests, raw sockets, Content-Length only.

The client shares the machine with the server it measures, so it does as little as it can: each
request is built once as bytes (request line, headers, multipart body), sent as is, and a
response is read by finding the end of its headers and counting ``Content-Length`` bytes. Only
the status line is parsed on every response; callers parse a sample of the bodies as JSON.

:class:`Connection` is one blocking keep-alive connection, for one request at a time.
:func:`run_load` drives several keep-alive connections at once from one asyncio event loop
(uvloop when installed), each with a protocol that sends its next request as soon as the last
response is complete.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

HOST = "127.0.0.1"
BOUNDARY = "----ConvLensBenchBoundary7MA4YWxkTrZu0gW"
HEADER_END = b"\r\n\r\n"


@dataclass(frozen=True)
class Request:
    """One HTTP request as bytes, with a tag to group its results by."""

    tag: str
    raw: bytes


def multipart_body(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> bytes:
    """``multipart/form-data`` as a browser's FormData sends it: files first, then fields."""
    parts = []
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    for name, value in fields.items():
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def build_request(
    tag: str,
    method: str,
    path: str,
    port: int,
    body: bytes = b"",
    content_type: str | None = None,
    accept: str = "application/json",
) -> Request:
    headers = [
        f"{method} {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "User-Agent: convlens-bench/1",
        f"Accept: {accept}",
        "Accept-Encoding: gzip, deflate",
    ]
    if method == "POST":
        if content_type is not None:
            headers.append(f"Content-Type: {content_type}")
        headers.append(f"Content-Length: {len(body)}")
    return Request(tag, ("\r\n".join(headers) + "\r\n\r\n").encode("latin-1") + body)


def form_request(
    tag: str,
    path: str,
    port: int,
    fields: dict[str, str],
    image: tuple[str, bytes, str] | None,
) -> Request:
    body = multipart_body(fields, {"image": image} if image is not None else {})
    return build_request(tag, "POST", path, port, body, f"multipart/form-data; boundary={BOUNDARY}")


def _parse_head(head: bytes) -> tuple[int, int, bool]:
    """(status, Content-Length, whether the server will close) from a response's header block."""
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = -1
    close = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            close = True
    if length < 0:
        raise ConnectionError(f"Response without Content-Length: {head[:200]!r}")
    return status, length, close


class Connection:
    """One blocking keep-alive connection: send a request, read its whole response."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._sock = self._connect()
        self._buffer = bytearray()

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((HOST, self.port), timeout=60)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def request(self, request: Request) -> tuple[int, bytes]:
        try:
            self._sock.sendall(request.raw)
            self._fill()
        except (ConnectionError, BrokenPipeError):
            # An idle keep-alive connection the server has closed (uvicorn: after 5 s): once more.
            self.reopen()
            self._sock.sendall(request.raw)
        while (end := self._buffer.find(HEADER_END)) < 0:
            self._fill()
        status, length, close = _parse_head(bytes(self._buffer[:end]))
        total = end + 4 + length
        while len(self._buffer) < total:
            self._fill()
        body = bytes(self._buffer[end + 4 : total])
        del self._buffer[:total]
        if close:
            self.reopen()
        return status, body

    def _fill(self) -> None:
        chunk = self._sock.recv(1 << 18)
        if not chunk:
            raise ConnectionError("The server closed the connection mid-response.")
        self._buffer += chunk

    def reopen(self) -> None:
        self._sock.close()
        self._sock = self._connect()
        self._buffer.clear()

    def close(self) -> None:
        self._sock.close()


@dataclass
class Results:
    """What a load run saw, per request tag."""

    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    bodies: dict[str, list[tuple[int, bytes]]] = field(default_factory=dict)  # a sample
    connection_errors: list[str] = field(default_factory=list)
    bytes_received: int = 0

    @property
    def completed(self) -> int:
        return sum(len(values) for values in self.latencies_ms.values())

    def record(self, tag: str, status: int, latency_ms: float, body: bytes | None) -> None:
        self.latencies_ms.setdefault(tag, []).append(latency_ms)
        counts = self.statuses.setdefault(tag, {})
        counts[status] = counts.get(status, 0) + 1
        if body is not None:
            self.bodies.setdefault(tag, []).append((status, body))


class _LoadProtocol(asyncio.Protocol):
    """One keep-alive connection that sends the next request as soon as a response is in."""

    def __init__(
        self,
        next_request: Callable[[], Request | None],
        results: Results,
        sample_every: int,
        done: asyncio.Future[bool],
    ) -> None:
        self._next = next_request
        self._results = results
        self._sample_every = sample_every
        self._done = done
        self._buffer = bytearray()
        self._expected = -1
        self._head_end = -1
        self._status = 0
        self._close = False
        self._current: Request | None = None
        self._started = 0.0
        self._count = 0
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have the same methods.
        self._transport = transport  # type: ignore[assignment]
        self._send_next()

    def _send_next(self) -> None:
        assert self._transport is not None
        self._current = self._next()
        if self._current is None:
            self._transport.close()
            if not self._done.done():
                self._done.set_result(True)
            return
        self._started = time.perf_counter()
        self._transport.write(self._current.raw)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self._expected < 0:
            end = self._buffer.find(HEADER_END)
            if end < 0:
                return
            self._status, length, self._close = _parse_head(bytes(self._buffer[:end]))
            self._head_end = end + 4
            self._expected = self._head_end + length
        if len(self._buffer) < self._expected:
            return
        latency_ms = (time.perf_counter() - self._started) * 1000.0
        assert self._current is not None
        self._count += 1
        sampled = self._count == 1 or self._count % self._sample_every == 0
        body = bytes(self._buffer[self._head_end : self._expected]) if sampled else None
        self._results.bytes_received += self._expected
        self._results.record(self._current.tag, self._status, latency_ms, body)
        del self._buffer[: self._expected]
        self._expected = -1
        if self._close:  # the server said it would close: end here, the driver reconnects
            self._current = None
            assert self._transport is not None
            self._transport.close()
            if not self._done.done():
                self._done.set_result(False)
            return
        self._send_next()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._current is not None:
            self._results.connection_errors.append(
                f"{self._current.tag}: connection lost mid-request ({exc})"
            )
        if not self._done.done():
            self._done.set_result(False)


def new_event_loop() -> tuple[asyncio.AbstractEventLoop, str]:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop(), "asyncio"
    return uvloop.new_event_loop(), "uvloop"


def run_load(
    loop: asyncio.AbstractEventLoop,
    port: int,
    clients: int,
    requests: Iterator[Request],
    sample_every: int = 50,
) -> Results:
    """Send every request of ``requests`` over ``clients`` keep-alive connections at once."""
    results = Results()

    def next_request() -> Request | None:
        return next(requests, None)

    async def client() -> None:
        while True:
            done: asyncio.Future[bool] = loop.create_future()

            def protocol(done: asyncio.Future[bool] = done) -> _LoadProtocol:
                return _LoadProtocol(next_request, results, sample_every, done)

            await loop.create_connection(protocol, HOST, port)
            if await done:  # the requests ran out; otherwise the connection closed: reconnect
                return

    async def main() -> None:
        await asyncio.gather(*(client() for _ in range(clients)))

    loop.run_until_complete(main())
    return results


def for_duration(request: Request, seconds: float) -> Iterator[Request]:
    """The same request again and again until ``seconds`` have passed."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        yield request
