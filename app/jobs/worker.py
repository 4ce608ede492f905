"""Who runs the queue's jobs: ``convlens worker`` processes, or the app's own worker process.

With no ``CONVLENS_QUEUE_URL`` the app runs jobs itself: each web worker starts one
:class:`EmbeddedWorker` process (when the first job is queued, or at start-up when jobs wait),
and the processes take turns by a file lock in the data folder, so that one runs the queue at a
time (``training_workers`` jobs at once) and another takes over if it dies. The process reads
its settings from its standard input and exits when that pipe closes, which happens when its
web worker exits, however it exits. It runs at a lower priority (:data:`EMBEDDED_NICENESS`)
than the web workers beside it, so that pages and predictions stay quick while a job trains.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import threading

from app.config import Settings
from app.jobs.queue import JobQueue, queue_file

# How long an idle SQLite consumer waits at most between two looks at the queue.
SQLITE_POLL_SECONDS = 0.5
# The embedded worker's niceness: the kernel gives the web workers the cores first.
EMBEDDED_NICENESS = 10


def run_consumer(settings: Settings, workers: int) -> None:
    """Run jobs from the queue until a signal stops it (Huey's consumer, a thread per job)."""
    queue = JobQueue(settings)
    consumer = queue.huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=False,
        max_delay=SQLITE_POLL_SECONDS if settings.queue_url is None else 10.0,
    )
    consumer.run()


class EmbeddedWorker:
    """The app's own worker process, for a queue with no server of its own."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.process: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()

    def start(self) -> None:
        with self.lock:
            if self.process is not None and self.process.poll() is None:
                return
            env = {
                **os.environ,
                "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
            }
            process = subprocess.Popen(
                [sys.executable, "-m", "app.jobs.worker"], stdin=subprocess.PIPE, env=env
            )
            assert process.stdin is not None
            process.stdin.write(self.settings.model_dump_json().encode() + b"\n")
            process.stdin.flush()
            self.process = process

    def stop(self) -> None:
        with self.lock:
            process, self.process = self.process, None
        if process is None:
            return
        assert process.stdin is not None
        with contextlib.suppress(OSError):
            process.stdin.close()  # the process exits when its input closes
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _exit_when_input_closes() -> None:
    sys.stdin.buffer.read()
    os._exit(0)


def _embedded_main() -> None:
    settings = Settings.model_validate_json(sys.stdin.buffer.readline())
    os.nice(EMBEDDED_NICENESS)
    threading.Thread(target=_exit_when_input_closes, daemon=True).start()
    with queue_file(settings.data_dir).with_name("worker.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another web worker's process may hold it: wait
        run_consumer(settings, settings.training_workers)


if __name__ == "__main__":
    _embedded_main()
