"""``convlens serve``: uvicorn, with its own process manager for several workers.

``--workers N`` is uvicorn's: N processes accept from one listening socket, and uvicorn's
supervisor replaces a worker that dies (the kernel's OOM killer, a crash) or stops answering
its health check, while the others keep serving. Every worker serves :func:`served_app`: the
process tuned for serving (:mod:`app.process`), then the app. ``app.main:app`` is the same app
untuned, for tests and other ASGI servers.
"""

from __future__ import annotations

import copy
import socket
import sys
from typing import Any

import uvicorn
from fastapi import FastAPI

from app.config import Settings

APP = "app.serving:served_app"


def served_app() -> FastAPI:
    """The app as ``convlens serve`` runs it, in a process tuned for serving first."""
    from app.main import create_app
    from app.process import tune_process

    settings = Settings()
    tune_process(settings)  # before the models load and the compute threads start
    return create_app(settings)


def uvicorn_options(log_level: str) -> dict[str, Any]:
    """uvicorn's settings for every worker: the app factory; the log level, for ConvLens' own
    loggers (``app.*``) too, through uvicorn's handler; WebSocket messages refused by the
    server beyond twice the live frame cap, before they are buffered, and never compressed
    (permessage-deflate off: frames are PNGs already, and inflating every frame of a flood was
    most of what it cost the server); the HTTP protocol with
    read deadlines (:mod:`app.http_protocol`); and a cap on connections held at once."""
    from app.http_protocol import BoundedReadProtocol

    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["app"] = {"handlers": ["default"], "level": log_level.upper()}
    settings = Settings()
    return {
        "factory": True,
        "log_level": log_level,
        "log_config": log_config,
        "ws_max_size": 2 * settings.live_max_frame_bytes,
        "ws_per_message_deflate": False,
        "http": BoundedReadProtocol,
        "limit_concurrency": settings.max_connections,
    }


def _check_free(host: str, port: int) -> None:
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        probe.bind(address)


def serve(host: str, port: int, workers: int, reload: bool, log_level: str) -> int:
    """Serve until stopped (SIGINT or SIGTERM); returns the exit status."""
    try:  # a plain sentence before any worker starts (uvicorn would find it too, with errno)
        _check_free(host, port)
    except OSError as exc:
        print(
            f"convlens serve: cannot listen on {host}:{port}: {exc.strerror}. Stop what is "
            "using it, or serve on another port: convlens serve --port 8001 "
            "(make run PORT=8001).",
            file=sys.stderr,
        )
        return 1
    uvicorn.run(
        APP, host=host, port=port, workers=workers, reload=reload, **uvicorn_options(log_level)
    )
    return 0
