"""The attacker of ``hostile.py``: each hostile request of issue 14, built once, sent in a loop.

Every payload is made here, small: a flat 4096x4096 PNG (16 KB), a 2,000,000 x 1 PNG, a TIFF of
10,000 empty pages (1.1 MB), a progressive JPEG whose smallest scan comes 2,000 times
(130 KB), a Draw page PNG carrying a 15 MB private chunk, JSON grids of 256x256x16 cells.

Two tasks attack, both on the caller's event loop and both ending by themselves at a deadline:

- :func:`attack_loop` sends one kind after another, one request at a time (four at once for the
  15 MB predicts), each on a new connection with a timeout, with a pause between kinds;
- :func:`hold_slow_connections` keeps 32 connections open that send part of their headers, or
  headers and half a body, and then nothing; one the server closes is opened again a second
  later.

:class:`AttackLog` counts what each kind got: statuses, timeouts, connections closed.
"""

from __future__ import annotations

import asyncio
import io
import json
import struct
import time
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import cv2
import numpy as np
from _http import BOUNDARY, HOST, Request, build_request, form_request, multipart_body
from _memory import FIELDS, MODEL_ID
from PIL import Image
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

REQUEST_TIMEOUT_S = 30.0  # an attack request not answered by then counts as a hang
PAUSE_S = 0.1  # between two kinds: the attacker is one persistent client, not a flood of them
BIG_PREDICTS_AT_ONCE = 4
SLOW_CONNECTIONS = 32  # half with partial headers, half with half a body
SLOW_WAIT_S = 15.0  # longer than the server's read deadline (Settings.read_timeout, 10 s)
SLOW_REOPEN_S = 1.0  # before a closed slow connection is opened again
LIVE_FLOOD_FRAMES = 300  # sent as fast as the socket takes them; the server allows bursts of 120
LIVE_KIND = f"live: {LIVE_FLOOD_FRAMES} frames at once"
SLOW_KINDS = ("slowloris: partial headers", "slowloris: half a body")


@dataclass
class AttackLog:
    """What each kind of attack got back: outcomes counted, and latencies of answered requests."""

    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)

    def record(self, kind: str, outcome: str, latency_ms: float | None = None) -> None:
        self.outcomes.setdefault(kind, Counter())[outcome] += 1
        if latency_ms is not None:
            self.latencies_ms.setdefault(kind, []).append(latency_ms)

    def bad_outcomes(self) -> int:
        """Answers an attack must never get: a 5xx other than 503, a hang, a connection reset."""
        return sum(
            count
            for counts in self.outcomes.values()
            for outcome, count in counts.items()
            if outcome in {"timeout", "reset"} or (outcome[0] == "5" and outcome != "503")
        )


# Payloads -----------------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def flat_png(side: int) -> bytes:
    """A side x side grey PNG of zeros: tiny, and as large as the pixel cap allows."""
    ok, encoded = cv2.imencode(
        ".png", np.zeros((side, side), np.uint8), [cv2.IMWRITE_PNG_COMPRESSION, 9]
    )
    assert ok
    return encoded.tobytes()


def thin_png(width: int) -> bytes:
    """A width x 1 grey PNG of zeros, written by hand (encoders refuse such widths)."""
    header = struct.pack(">IIBBBBB", width, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * (width + 1), 9)  # filter byte 0, then the row
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def padded_png(png: bytes, total_bytes: int) -> bytes:
    """``png`` with a private ancillary chunk of zeros before IEND, ``total_bytes`` in all."""
    filler = total_bytes - len(png) - 12
    return png[:-12] + _png_chunk(b"cnLz", bytes(filler)) + png[-12:]


def many_page_tiff(pages: int) -> bytes:
    """A little-endian TIFF of ``pages`` 1x1 grey pages, each one IFD chained to the next."""
    tags = [  # (tag, type: 3 SHORT, 4 LONG, value)
        (256, 3, 1),  # width
        (257, 3, 1),  # length
        (258, 3, 8),  # bits per sample
        (259, 3, 1),  # no compression
        (262, 3, 1),  # black is zero
        (273, 4, 8),  # the strip's offset: the one pixel byte after the header
        (277, 3, 1),  # samples per pixel
        (278, 3, 1),  # rows per strip
        (279, 4, 1),  # the strip's byte count
    ]
    ifd_bytes = 2 + 12 * len(tags) + 4
    out = bytearray(b"II*\0" + struct.pack("<I", 9) + b"\0")
    for page in range(pages):
        following = len(out) + ifd_bytes if page < pages - 1 else 0
        out += struct.pack("<H", len(tags))
        for tag, kind, value in tags:
            packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
            out += struct.pack("<HHI", tag, kind, 1) + packed
        out += struct.pack("<I", following)
    return bytes(out)


def repeated_scan_jpeg(side: int, repeats: int) -> bytes:
    """A progressive side x side grey JPEG whose smallest scan comes ``repeats`` times.

    libjpeg warns about such a progression and goes on: each copy is one more pass over every
    coefficient of the image.
    """
    buffer = io.BytesIO()
    Image.new("L", (side, side), 128).save(buffer, "JPEG", progressive=True, quality=50)
    data = buffer.getvalue()
    scans: list[bytes] = []
    position = 2  # after SOI
    while data[position + 1] != 0xD9:  # EOI
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        end = position + 2 + length
        if data[position + 1] == 0xDA:  # SOS: the entropy-coded data runs to the next marker
            while not (
                data[end] == 0xFF and data[end + 1] != 0 and not 0xD0 <= data[end + 1] <= 0xD7
            ):
                end += 1
            scans.append(data[position:end])
        position = end
    return data[:position] + min(scans, key=len) * repeats + data[position:]


def string_grid_body(side: int, channels: int) -> bytes:
    """``/api/convolve/matrix`` JSON whose input is a side x side x channels grid of strings."""
    grid = [[["x"] * channels] * side] * side
    return json.dumps({"input": grid, "kernel_name": "sharpen"}, separators=(",", ":")).encode()


def number_grid_body(side: int, channels: int) -> bytes:
    """A valid side x side x channels grid with padding "same": the largest JSON answer."""
    rng = np.random.default_rng(14)
    grid = rng.integers(0, 10, (side, side, channels)).tolist()
    box = [[1 / 9] * 3] * 3
    body = {"input": grid, "kernel": box, "padding": "same"}
    return json.dumps(body, separators=(",", ":")).encode()


# Requests -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpAttack:
    kind: str
    request: Request
    at_once: int = 1


def http_attacks(port: int, canvas: bytes) -> list[HttpAttack]:
    """Every HTTP attack of issue 14, built once (a few seconds, most of it the JPEG)."""
    predict = f"/api/models/{MODEL_ID}/predict"

    def form(kind: str, path: str, fields: dict[str, str], name: str, data: bytes) -> Request:
        content_type = "image/tiff" if name.endswith(".tif") else "image/png"
        if name.endswith(".jpg"):
            content_type = "image/jpeg"
        return form_request(kind, path, port, fields, (name, data, content_type))

    def matrix(kind: str, body: bytes) -> Request:
        return build_request(kind, "POST", "/api/convolve/matrix", port, body, "application/json")

    pool = {"pool_size": "15", "strides": "1", "mode": "max"}
    thin = {"kernel_name": "sharpen", "padding": "64"}
    return [
        HttpAttack("matrix: 256x256x16 strings", matrix("strings", string_grid_body(256, 16))),
        HttpAttack(
            "pool: flat 4096^2, 15x15 s1",
            form("pool", "/api/pool", pool, "flat.png", flat_png(4096)),
        ),
        HttpAttack(
            "convolve: 2,000,000x1, pad 64",
            form("thin", "/api/convolve", thin, "thin.png", thin_png(2_000_000)),
        ),
        HttpAttack(
            "predict: TIFF of 10,000 pages",
            form("tiff", predict, FIELDS, "pages.tif", many_page_tiff(10_000)),
        ),
        HttpAttack(
            "predict: JPEG, 2,000 scans",
            form("jpeg", predict, FIELDS, "scans.jpg", repeated_scan_jpeg(4096, 2_000)),
        ),
        HttpAttack(
            f"predict: 15 MB body, {BIG_PREDICTS_AT_ONCE} at once",
            form("big", predict, FIELDS, "big.png", padded_png(canvas, 15 * 1024 * 1024)),
            BIG_PREDICTS_AT_ONCE,
        ),
        HttpAttack("matrix: 256x256x16 numbers", matrix("numbers", number_grid_body(256, 16))),
    ]


def _status_and_length(head: bytes) -> tuple[int, int | None]:
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return status, int(value)
    return status, None


async def exchange(port: int, raw: bytes, timeout: float = REQUEST_TIMEOUT_S) -> tuple[str, float]:
    """Send ``raw`` on a new connection and read the whole answer: (outcome, ms).

    The outcome is the status, ``"timeout"``, ``"reset"`` (the connection broke) or
    ``"closed"`` (closed cleanly with no answer). The body is read and dropped as it comes.
    """
    start = time.perf_counter()
    writer = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(raw)  # no drain: the server may answer (413) before it has read it all
            head = await reader.readuntil(b"\r\n\r\n")
            status, length = _status_and_length(head)
            remaining = length if length is not None else 1 << 62
            while remaining > 0 and (chunk := await reader.read(min(remaining, 1 << 20))):
                remaining -= len(chunk)
            return str(status), (time.perf_counter() - start) * 1000.0
    except TimeoutError:
        return "timeout", (time.perf_counter() - start) * 1000.0
    except asyncio.IncompleteReadError as exc:
        return ("closed" if not exc.partial else "reset"), (time.perf_counter() - start) * 1000.0
    except OSError:
        return "reset", (time.perf_counter() - start) * 1000.0
    finally:
        if writer is not None:
            writer.close()


async def live_flood(port: int, frame: bytes, log: AttackLog) -> None:
    """One socket on /api/live sending frames as fast as it can, until the server closes it."""
    kind = LIVE_KIND
    start = time.perf_counter()
    settings = json.dumps({"models": [MODEL_ID]})
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT_S):
            async with connect(f"ws://{HOST}:{port}/api/live", max_size=None) as socket:
                await socket.send(settings)
                try:
                    for _ in range(LIVE_FLOOD_FRAMES):
                        await socket.send(frame)
                    async for _ in socket:  # answers, until the server closes it
                        pass
                    outcome = "not closed"
                except ConnectionClosed as exc:
                    code = exc.rcvd.code if exc.rcvd is not None else "none"
                    outcome = f"closed {code}"
    except TimeoutError:
        outcome = "timeout"
    except InvalidStatus as exc:
        outcome = str(exc.response.status_code)
    except OSError:
        outcome = "reset"
    log.record(kind, outcome, (time.perf_counter() - start) * 1000.0)


async def attack_loop(
    port: int, attacks: list[HttpAttack], frame: bytes | None, deadline: float, log: AttackLog
) -> None:
    """Each kind in turn, then the live flood (if given a frame), until ``deadline``; the last
    one is finished."""
    kinds: list[Callable[[], Awaitable[None]]] = []
    for attack in attacks:

        async def send(attack: HttpAttack = attack) -> None:
            sends = [exchange(port, attack.request.raw) for _ in range(attack.at_once)]
            for outcome, latency_ms in await asyncio.gather(*sends):
                log.record(attack.kind, outcome, latency_ms)

        kinds.append(send)
    if frame is not None:
        kinds.append(lambda: live_flood(port, frame, log))
    turn = 0
    while kinds and time.perf_counter() < deadline:
        await kinds[turn % len(kinds)]()
        turn += 1
        await asyncio.sleep(PAUSE_S)


async def _slow_connection(
    port: int, partial: bytes, kind: str, deadline: float, log: AttackLog
) -> None:
    """Open, send ``partial``, wait for the server to close it; again, until ``deadline``.

    Each connection waits up to :data:`SLOW_WAIT_S`, past the deadline if need be, so that a
    server that closes slow connections is seen doing it.
    """
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
        except OSError:
            log.record(kind, "refused")
            await asyncio.sleep(SLOW_REOPEN_S)
            continue
        try:
            writer.write(partial)
            answer = await asyncio.wait_for(reader.read(1 << 16), SLOW_WAIT_S)
            held_ms = (time.perf_counter() - start) * 1000.0
            status = answer[9:12].decode(errors="replace") if answer.startswith(b"HTTP/") else ""
            log.record(kind, f"answered {status}" if status else "closed by server", held_ms)
        except TimeoutError:
            log.record(kind, f"open after {SLOW_WAIT_S:g} s")
        except OSError:
            log.record(kind, "reset", (time.perf_counter() - start) * 1000.0)
        finally:
            writer.close()
        await asyncio.sleep(SLOW_REOPEN_S)


async def hold_slow_connections(port: int, deadline: float, log: AttackLog) -> None:
    """:data:`SLOW_CONNECTIONS` slowloris connections held until ``deadline``."""
    head = f"POST /api/models/{MODEL_ID}/predict HTTP/1.1\r\nHost: {HOST}:{port}\r\n".encode()
    partial_headers = head + b"User-Agent: slow"
    body = multipart_body(FIELDS, {"image": ("big.png", bytes(100_000), "image/png")})
    half_body = (
        head
        + f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n".encode()
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body[: len(body) // 2]
    )
    slow = [
        _slow_connection(port, partial_headers, SLOW_KINDS[0], deadline, log)
        for _ in range(SLOW_CONNECTIONS // 2)
    ] + [
        _slow_connection(port, half_body, SLOW_KINDS[1], deadline, log)
        for _ in range(SLOW_CONNECTIONS // 2)
    ]
    await asyncio.gather(*slow)
