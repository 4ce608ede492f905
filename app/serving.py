"""``convlens serve``: uvicorn, and with several workers a listening socket for each.

uvicorn's ``--workers N`` has its N processes accept from one shared socket. Each accepts every
connection waiting when it wakes, so keep-alive clients that connect together often all land on
one worker: with 8 clients on 2 workers, one worker served all 8 in about one load test in five
(``bench/models.py``: about 1.0 of 2 cores busy, half the predictions per second). Here each
worker listens on a socket of its own with ``SO_REUSEPORT``, and the kernel spreads new
connections over them by a hash of the client's address and port.

The supervisor is this process: it checks the port is free, starts the workers, and when one
stops, or on SIGINT or SIGTERM, stops the others and exits.

Every worker serves :func:`served_app`: the process tuned for serving (:mod:`app.process`),
then the app. ``app.main:app`` is the same app untuned, for tests and other ASGI servers.
"""

from __future__ import annotations

import copy
import logging
import multiprocessing
import signal
import socket
import sys
import threading
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI

from app.config import Settings

APP = "app.serving:served_app"
logger = logging.getLogger(__name__)


def served_app() -> FastAPI:
    """The app as ``convlens serve`` runs it, in a process tuned for serving first."""
    from app.main import create_app
    from app.process import tune_process

    settings = Settings()
    tune_process(settings)  # before the models load and the compute threads start
    return create_app(settings)


def _options(log_level: str) -> dict[str, Any]:
    """uvicorn's settings for every worker: the app factory; the log level, for ConvLens' own
    loggers (``app.*``) too, through uvicorn's handler; and WebSocket messages refused by the
    server beyond twice the live frame cap, before they are buffered."""
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["app"] = {"handlers": ["default"], "level": log_level.upper()}
    frame_cap = Settings().live_max_frame_bytes
    return {
        "factory": True,
        "log_level": log_level,
        "log_config": log_config,
        "ws_max_size": 2 * frame_cap,
    }


def serve(host: str, port: int, workers: int, reload: bool, log_level: str) -> int:
    """Serve until stopped; returns the exit status."""
    if workers == 1 or reload:
        uvicorn.run(APP, host=host, port=port, reload=reload, **_options(log_level))
        return 0
    try:
        _check_free(host, port)
    except OSError as exc:
        print(f"convlens serve: cannot listen on {host}:{port}: {exc.strerror}.", file=sys.stderr)
        return 1
    return _supervise(host, port, workers, log_level)


def _check_free(host: str, port: int) -> None:
    """Raise OSError if anything, another ConvLens included, is bound to the port.

    A socket without ``SO_REUSEPORT`` cannot share the port with any other, so binding one
    shows whether the workers would be the only ones on it.
    """
    _bound_socket(host, port, share=False).close()


def _bound_socket(host: str, port: int, share: bool) -> socket.socket:
    """A socket bound to ``host:port``; ``share``: with ``SO_REUSEPORT``, for one worker."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        if share:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def _worker(host: str, port: int, log_level: str) -> None:
    config = uvicorn.Config(APP, host=host, port=port, **_options(log_level))
    uvicorn.Server(config).run(sockets=[_bound_socket(host, port, share=True)])


def _supervise(host: str, port: int, workers: int, log_level: str) -> int:
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s:     %(message)s")
    context = multiprocessing.get_context("spawn")
    stopped = threading.Event()
    processes: list[BaseProcess] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    previous: dict[int, Any] = {
        number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        for n in range(workers):
            process = context.Process(
                target=_worker, args=(host, port, log_level), name=f"convlens-worker-{n}"
            )
            process.start()
            processes.append(process)
        logger.info(
            "ConvLens on http://%s:%d with %d workers, each on its own socket (pids %s)",
            host, port, workers, ", ".join(str(p.pid) for p in processes),
        )  # fmt: skip
        while not stopped.wait(0.5):
            ended = [p for p in processes if not p.is_alive()]
            if ended:
                logger.error("Worker %s exited with %s; stopping.", ended[0].pid, ended[0].exitcode)
                return _stop(processes) or 1
        return _stop(processes)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _stop(processes: list[BaseProcess], timeout: float = 30.0) -> int:
    """SIGTERM to each worker still running, then wait; 0 if all ended cleanly, else 1.

    uvicorn shuts down cleanly on SIGTERM or SIGINT and then re-raises the signal, so a worker
    that ended on one of them ended cleanly.
    """
    for process in processes:
        if process.is_alive():
            process.terminate()
    clean = {0, -signal.SIGTERM, -signal.SIGINT}
    for process in processes:
        process.join(timeout)
        if process.is_alive():
            logger.error("Worker %s did not stop within %.0f s; killed.", process.pid, timeout)
            process.kill()
            process.join()
    return 0 if all(p.exitcode in clean for p in processes) else 1
