"""A fixed number of threads per process for the CPU-bound work of the model endpoints.

Decoding, preparing and classifying a digit holds the GIL for most of its few milliseconds, so
running more of them at once in one process adds no speed, only switching (``bench/models.py``
measured it against FastAPI's threadpool of 40). Requests beyond the slots wait their turn in a
queue, while the event loop keeps reading and answering other requests; more throughput comes
from more worker processes (``convlens serve --workers N``).

The slots are threads of their own, fed from one queue, rather than anyio's worker threads
behind a capacity limiter: handing a call over and its result back costs a queue put and a
``call_soon_threadsafe``, less than anyio's cancel scopes and limiter wake-ups.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, TypeVarTuple

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


@dataclass
class _Job:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    call: Callable[[], Any]
    context: contextvars.Context = field(default_factory=contextvars.copy_context)


class ComputeSlots:
    """Runs functions in ``slots`` worker threads, in the order asked; :meth:`close` ends them.

    A caller that is cancelled while its call waits in the queue (its client went away) has the
    call skipped; one already running finishes, and its result is dropped.
    """

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError(f"ComputeSlots needs at least 1 slot, got {slots}.")
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._serve, name=f"convlens-compute-{n}", daemon=True)
            for n in range(slots)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def slots(self) -> int:
        return len(self._threads)

    async def run(self, func: Callable[[*Ts], T], *args: *Ts) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Job(loop, future, lambda: func(*args)))
        return await future

    def close(self, timeout: float = 5.0) -> None:
        """Let the threads finish what they have been given, then stop them."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout)

    def _serve(self) -> None:
        while (job := self._queue.get()) is not None:
            if not job.future.cancelled():  # a plain flag: safe to read from this thread
                _compute(job)
            del job  # hold nothing of a request (its upload, its answer) while waiting


def _compute(job: _Job) -> None:
    result, error = None, None
    try:
        result = job.context.run(job.call)
    except BaseException as exc:  # handed to the caller as it is
        error = exc
    with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting
        job.loop.call_soon_threadsafe(_settle, job.future, result, error)


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    """On the loop: hand the outcome over, unless the caller has stopped waiting."""
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)
