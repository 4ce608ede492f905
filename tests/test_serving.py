"""``convlens serve --workers 2`` for real: a worker that dies is replaced while the other keeps
serving, a clean stop, and a clear refusal when the port is taken."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT

STARTUP_SECONDS = 240


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
