"""A fixed number of threads per process for the CPU-bound work of the model endpoints.

Decoding, preparing and classifying a digit holds the GIL for most of its few milliseconds, so
running more of them at once in one process adds no speed, only switching (``bench/models.py``
measured it against FastAPI's threadpool of 40). Requests beyond the slots wait their turn in a
queue, while the event loop keeps reading and answering other requests; more throughput comes
from more worker processes (``convlens serve --workers N``).

The queue is bounded: a request that finds ``max_waiting`` calls already waiting is refused
at once with 503 and ``Retry-After`` (:class:`ComputeBusy`) instead of holding its upload in
memory for as long as the queue takes.

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

from starlette.exceptions import HTTPException

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


@dataclass
class _Job:
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    call: Callable[[], Any]
    context: contextvars.Context = field(default_factory=contextvars.copy_context)


class ComputeBusy(HTTPException):
    """Every slot is busy and the queue is full: come back in a second."""

    def __init__(self, max_waiting: int) -> None:
        super().__init__(
            503,
            "The server is busy: every compute slot is working and its queue of "
            f"{max_waiting} waiting requests is full. Try again in a second (Retry-After).",
            headers={"Retry-After": "1"},
        )


class ComputeSlots:
    """Runs functions in ``slots`` worker threads, in the order asked; :meth:`close` ends them.

    At most ``max_waiting`` calls wait for a slot; one more raises :class:`ComputeBusy`. A
    caller that is cancelled while its call waits in the queue (its client went away) has the
    call skipped; one already running finishes, and its result is dropped.
    """

    def __init__(self, slots: int, max_waiting: int = 32) -> None:
        if slots < 1:
            raise ValueError(f"ComputeSlots needs at least 1 slot, got {slots}.")
        if max_waiting < 0:
            raise ValueError(f"ComputeSlots needs max_waiting >= 0, got {max_waiting}.")
        self.max_waiting = max_waiting
        self._waiting = 0
        self._busy = 0
        self._lock = threading.Lock()
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

    @property
    def waiting(self) -> int:
        """Calls in the queue, not yet taken by a slot."""
        return self._waiting

    async def run(self, func: Callable[[*Ts], T], *args: *Ts) -> T:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._waiting >= self.max_waiting + self._idle_slots():
                raise ComputeBusy(self.max_waiting)
            self._waiting += 1
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Job(loop, future, lambda: func(*args)))
        try:
            return await future
        finally:
            # An exception raised here keeps this frame in its traceback; without this, the
            # frame would keep the future, which keeps the exception: a cycle that holds the
            # call's arguments (an upload) until the garbage collector runs.
            del future

    def _idle_slots(self) -> int:
        return len(self._threads) - self._busy

    def close(self, timeout: float = 5.0) -> None:
        """Let the threads finish what they have been given, then stop them."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout)

    def _serve(self) -> None:
        while (job := self._queue.get()) is not None:
            with self._lock:
                self._waiting -= 1
                self._busy += 1
            if not job.future.cancelled():  # a plain flag: safe to read from this thread
                _compute(job)
            del job  # hold nothing of a request (its upload, its answer) while waiting
            with self._lock:
                self._busy -= 1


def _compute(job: _Job) -> None:
    result, error = _outcome(job.context, job.call)
    with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting
        job.loop.call_soon_threadsafe(_settle, job.future, result, error)
    # An exception's traceback keeps this frame (the f_back of the frame it was caught in):
    # holding the job here would be a cycle, exception -> frame -> job -> future -> exception,
    # that keeps the call's arguments (an upload) until the garbage collector runs.
    del job, result, error


def _outcome(context: contextvars.Context, call: Callable[[], Any]) -> tuple[Any, Any]:
    """The call's result, or the exception it raised."""
    try:
        return context.run(call), None
    except BaseException as exc:  # handed to the caller as it is
        return None, exc


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    """On the loop: hand the outcome over, unless the caller has stopped waiting."""
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)
