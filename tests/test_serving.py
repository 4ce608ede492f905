"""``convlens serve --workers 2`` for real: a worker that dies is replaced while the other keeps
serving, a clean stop, and a clear refusal when the port is taken."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from websockets.asyncio.client import connect

from app.config import PROJECT_ROOT

STARTUP_SECONDS = 240
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2"]
    with log.open("wb") as out:
        return subprocess.Popen(
            [*command, "--log-level", "info"],
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def workers_of(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"resource_tracker" not in cmdline:  # multiprocessing's helper, not a worker
                found.add(int(child))
    return found


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def wait_until(condition: object, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    pytest.fail(f"not reached in {STARTUP_SECONDS} s:\n{log.read_text()}")


def test_a_killed_worker_is_replaced_and_the_other_keeps_serving(tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "server.log"
    server = serve(port, log)
    try:
        wait_until(lambda: len(workers_of(server.pid)) == 2 and healthy(port), server, log)
        wait_until(lambda: log.read_text().count("Application startup complete") == 2, server, log)
        first = workers_of(server.pid)
        killed = min(first)
        os.kill(killed, signal.SIGKILL)  # what the kernel's OOM killer does

        assert healthy(port)  # the other worker answers at once
        wait_until(lambda: len(workers_of(server.pid) - {killed}) == 2, server, log)
        replacement = workers_of(server.pid) - first
        assert len(replacement) == 1
        wait_until(lambda: log.read_text().count("Application startup complete") == 3, server, log)
        assert healthy(port)
        assert f"Child process [{killed}] died" in log.read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        assert server.wait(60) == 0
    assert not healthy(port)


def test_a_taken_port_is_refused_with_the_reason(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        second = subprocess.run(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert second.returncode == 1
    assert second.stderr == (
        f"convlens serve: cannot listen on 127.0.0.1:{port}: Address already in use. Stop what "
        "is using it, or serve on another port: convlens serve --port 8001 (make run "
        "PORT=8001).\n"
    )


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """One worker with a 1-second read deadline and room for 4 connections."""
    port, log = free_port(), tmp_path_factory.mktemp("strict") / "server.log"
    env = {**os.environ, "CONVLENS_READ_TIMEOUT": "1", "CONVLENS_MAX_CONNECTIONS": "4"}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(lambda: healthy(port), server, log)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)


def in_own_thread(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``asyncio.run(work())`` in a thread of its own: the browser tests' Playwright keeps an
    event loop running in this one for the whole session."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work()).result()


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closes the connection (rather than leaving it open for 30 s)."""
    sock.settimeout(30)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_a_client_that_stops_halfway_through_its_headers_is_closed(strict_server: int) -> None:
    with socket.create_connection(("127.0.0.1", strict_server)) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line: not done
        assert closed_by_server(sock)


def test_a_client_that_stops_halfway_through_its_body_is_closed(strict_server: int) -> None:
    with socket.create_connection(("127.0.0.1", strict_server)) as sock:
        head = (
            "POST /api/convolve/matrix HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        )
        sock.sendall(head.encode() + b'{"input": [[1, 2')
        assert closed_by_server(sock)


def test_a_slow_but_steady_body_and_a_quiet_websocket_are_left_alone(strict_server: int) -> None:
    body = b'{"input": [[1, 0], [0, 1]], "kernel": [[1]]}'
    with socket.create_connection(("127.0.0.1", strict_server)) as sock:
        sock.sendall(
            b"POST /api/convolve/matrix HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\n" + f"Content-Length: {len(body)}\r\n\r\n".encode()
        )
        for start in range(0, len(body), 10):  # 2.5 s in all, 0.5 s between pieces
            time.sleep(0.5)
            sock.sendall(body[start : start + 10])
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")

    async def quiet_socket() -> str:
        async with connect(f"ws://127.0.0.1:{strict_server}/api/live") as live:
            await asyncio.sleep(2.5)  # longer than the read deadline
            await live.send("{}")
            return json.loads(await live.recv())["type"]  # type: ignore[no-any-return]

    assert in_own_thread(quiet_socket) == "settings"


def test_connections_beyond_the_cap_are_answered_503(strict_server: int) -> None:
    async def crowd() -> int:
        sockets = [await connect(f"ws://127.0.0.1:{strict_server}/api/live") for _ in range(4)]
        try:
            answer = await asyncio.to_thread(
                urllib.request.urlopen, f"http://127.0.0.1:{strict_server}/api/health"
            )
            return int(answer.status)
        except urllib.error.HTTPError as refused:
            return refused.code
        finally:
            for live in sockets:
                await live.close()

    assert in_own_thread(crowd) == 503
    assert healthy(strict_server)  # room again once they have gone


def test_live_frames_are_never_compressed(strict_server: int) -> None:
    """The client offers permessage-deflate, as browsers do; the server declines it, so no frame
    of a flood is inflated before the flood guard sees it."""

    async def negotiated() -> tuple[str | None, str]:
        async with connect(f"ws://127.0.0.1:{strict_server}/api/live") as live:
            assert live.request is not None and live.response is not None
            offered = live.request.headers.get("Sec-WebSocket-Extensions")
            assert offered is not None and "permessage-deflate" in offered
            accepted = live.response.headers.get("Sec-WebSocket-Extensions")
            await live.send("{}")
            return accepted, json.loads(await live.recv())["type"]

    assert in_own_thread(negotiated) == (None, "settings")
