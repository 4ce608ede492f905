"""The real server in a subprocess, and what it costs: resident memory and CPU time from /proc.

``uvicorn app.main:app`` is started on a free port of 127.0.0.1 in its own process group, with
its output in a log file. With ``--workers N`` uvicorn runs a supervisor that spawns N worker
processes; memory is then the sum of the workers' resident sets (the supervisor serves nothing),
and CPU time counts every process of the server. :class:`CpuMeter` splits the machine's busy
time during a phase into the server, this process (the client) and everything else.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _common import PROJECT_ROOT
from _http import Connection, build_request

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:  # the process has gone
        return ""


def process_cpu_seconds(pid: int) -> float:
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def process_rss_kib(pid: int) -> int:
    for line in _read(f"/proc/{pid}/status").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found.extend(int(child) for child in _read(str(task / "children")).split())
    return found


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores together."""
    values = [int(v) for v in _read("/proc/stat").splitlines()[0].split()[1:9]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / CLOCK_TICKS, sum(values) / CLOCK_TICKS


DEFAULT_APP = "app.main:app"


class Server:
    """The server on a free port, until :meth:`stop`.

    ``launcher="convlens"``: ``convlens serve``, as users start it (``app/serving.py``).
    ``launcher="uvicorn"``: ``python -m uvicorn`` with ``http`` and ``app``, to compare
    variants.
    """

    def __init__(
        self,
        workers: int = 1,
        http: str = "auto",
        app: str = DEFAULT_APP,
        launcher: str = "convlens",
    ) -> None:
        self.workers = workers
        self.http = http
        self.port = free_port()
        self.log_path = Path(tempfile.mkstemp(prefix="convlens-bench-", suffix=".log")[1])
        address = ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
        if launcher == "convlens":
            if (app, http) != (DEFAULT_APP, "auto"):
                raise SystemExit("--app and --http are uvicorn's: add --launcher uvicorn.")
            command = [sys.executable, "-m", "app.cli", "serve", *address]
        else:
            command = [sys.executable, "-m", "uvicorn", app, *address, "--http", http]
        if workers > 1:
            command += ["--workers", str(workers)]
        self.command = command
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid = self._process.pid

    def worker_pids(self) -> list[int]:
        if self.workers == 1:
            return [self.pid]
        # uvicorn's supervisor also starts multiprocessing's resource tracker: not a worker.
        pids = children(self.pid)
        return [pid for pid in pids if "resource_tracker" not in _read(f"/proc/{pid}/cmdline")]

    def rss_kib(self) -> int:
        return sum(process_rss_kib(pid) for pid in self.worker_pids())

    def cpu_seconds(self) -> float:
        pids = {self.pid, *self.worker_pids()}
        return sum(process_cpu_seconds(pid) for pid in pids)

    def wait_ready(self, timeout: float = 300.0) -> float:
        """Wait until /api/health answers 200 and every worker has gone idle; seconds taken."""
        start = time.perf_counter()
        deadline = start + timeout
        health = build_request("health", "GET", "/api/health", self.port)
        while True:
            if self._process.poll() is not None:
                raise SystemExit(f"The server exited at startup:\n{self.log_tail()}")
            try:
                connection = Connection(self.port)
                status, _ = connection.request(health)
                connection.close()
                if status == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() > deadline:
                raise SystemExit(f"The server did not answer within {timeout:.0f} s.")
            time.sleep(0.25)
        # With several workers, one answering does not mean all have loaded their models.
        while len(self.worker_pids()) < self.workers and time.perf_counter() < deadline:
            time.sleep(0.25)
        last = self.cpu_seconds()
        while time.perf_counter() < deadline:
            time.sleep(1.0)
            now = self.cpu_seconds()
            if now - last < 0.05 * self.workers:
                break
            last = now
        return time.perf_counter() - start

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)  # our own process group, started above
                self._process.wait()
        self.log_path.unlink(missing_ok=True)


@dataclass(frozen=True)
class CpuUse:
    wall_s: float
    server_s: float
    client_s: float
    machine_busy_s: float

    @property
    def others_s(self) -> float:
        return max(0.0, self.machine_busy_s - self.server_s - self.client_s)

    def cores(self, seconds: float) -> float:
        return seconds / self.wall_s if self.wall_s else 0.0


class CpuMeter:
    """CPU seconds used by the server, this process and the rest of the machine in a phase."""

    def __init__(self, server: Server) -> None:
        self._server = server
        self._start = time.perf_counter()
        self._server_start = server.cpu_seconds()
        self._client_start = time.process_time()
        self._machine_start = machine_cpu_seconds()[0]

    def stop(self) -> CpuUse:
        return CpuUse(
            wall_s=time.perf_counter() - self._start,
            server_s=self._server.cpu_seconds() - self._server_start,
            client_s=time.process_time() - self._client_start,
            machine_busy_s=machine_cpu_seconds()[0] - self._machine_start,
        )


def busy_processes(exclude: set[int], seconds: float = 1.0, threshold: float = 0.1) -> str:
    """Other processes that used more than ``threshold`` of a core over ``seconds``."""

    def snapshot() -> dict[int, float]:
        return {int(p.name): process_cpu_seconds(int(p.name)) for p in Path("/proc").glob("[0-9]*")}

    skip = {os.getpid(), *exclude}
    before = snapshot()
    time.sleep(seconds)
    after = snapshot()
    busy = []
    for pid, cpu in after.items():
        share = (cpu - before.get(pid, cpu)) / seconds
        if pid not in skip and share >= threshold:
            args = _read(f"/proc/{pid}/cmdline").split("\0")
            if args and Path(args[0]).name.startswith("python"):
                args = args[1:]
            args = [Path(args[0]).name, *args[1:4]] if args and args[0] else ["?"]
            busy.append((share, f"{' '.join(args)[:60]} {share:.0%}"))
    return "; ".join(text for _, text in sorted(busy, reverse=True)) or "none"
