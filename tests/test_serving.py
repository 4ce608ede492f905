"""``convlens serve --workers 2`` for real: a socket per worker, one server per port, clean stop,
and a stop with an error when a worker dies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2"]
    with log.open("wb") as out:
        return subprocess.Popen(
            [*command, "--log-level", "warning"],
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(n) for n in (task / "children").read_text().split()]
    return found


def listening_inodes(port: int) -> dict[str, str]:
    """Socket inode -> state for the TCP sockets on ``port`` (0A: listening, 01: established)."""
    found = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port:
            found[fields[9]] = fields[3]
    return found


def sockets_of(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def wait_for_two_workers(server: subprocess.Popen[bytes], port: int, log: Path) -> list[int]:
    """The workers' pids, once both listen on the port."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        workers = [pid for pid in children(server.pid) if b"resource_tracker" not in
                   Path(f"/proc/{pid}/cmdline").read_bytes()]  # fmt: skip
        if len(workers) == 2 and list(listening_inodes(port).values()).count("0A") == 2:
            return workers
        time.sleep(0.5)
    pytest.fail(f"no two listening workers:\n{log.read_text()}")


def health(sock: socket.socket) -> bytes:
    sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
    return sock.recv(4096)


def test_two_workers_listen_on_sockets_of_their_own_and_share_connections(tmp_path: Path) -> None:
    port = free_port()
    server = serve(port, tmp_path / "server.log")
    clients: list[socket.socket] = []
    try:
        workers = wait_for_two_workers(server, port, tmp_path / "server.log")
        listening = {inode for inode, state in listening_inodes(port).items() if state == "0A"}
        assert [len(sockets_of(pid) & listening) for pid in workers] == [1, 1]

        # 24 keep-alive clients connecting at once: each worker gets some of them.
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(24)]
        for client in clients:
            assert health(client).startswith(b"HTTP/1.1 200")
        served = [len(sockets_of(pid) & set(listening_inodes(port))) - 1 for pid in workers]
        assert sum(served) == 24 and min(served) >= 1, served

        second = subprocess.run(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1
        assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in second.stderr
    finally:
        for client in clients:
            client.close()
        os.kill(server.pid, signal.SIGTERM)
        assert server.wait(60) == 0
    assert "0A" not in listening_inodes(port).values()  # nothing listens any more


def test_a_worker_that_dies_stops_the_server_with_an_error(tmp_path: Path) -> None:
    port = free_port()
    server = serve(port, tmp_path / "server.log")
    try:
        workers = wait_for_two_workers(server, port, tmp_path / "server.log")
        os.kill(workers[0], signal.SIGKILL)
        assert server.wait(60) == 1
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGKILL)
    assert "exited with -9; stopping" in (tmp_path / "server.log").read_text()
    assert not Path(f"/proc/{workers[1]}").exists()  # the other worker was stopped and reaped
    assert "0A" not in listening_inodes(port).values()
