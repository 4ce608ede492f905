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

from app.i18n import translate

# Uploads larger than this are computed in the heavy lane: a Draw page canvas is 5-30 KB, a
# phone photo several MB.
HEAVY_UPLOAD_BYTES = 1024 * 1024
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
            translate(
                "The server is busy: every compute slot is working and its queue of "
                "{max_waiting} waiting requests is full. Try again in a second (Retry-After).",
                {"max_waiting": max_waiting},
            ),
            headers={"Retry-After": "1"},
        )


class ComputeSlots:
    """Runs functions in worker threads, in the order asked; :meth:`close` ends them.

    Two lanes: ``slots`` threads for ordinary calls, and ``heavy_slots`` more for calls marked
    ``heavy`` (a large upload), so that a drawing never waits behind a 15 MB photo; the two
    share the cores, and a drawing's few milliseconds fit between a photo's turns at the GIL.
    In each lane at most ``max_waiting`` calls wait for a slot; one more raises
    :class:`ComputeBusy`. A caller that is cancelled while its call waits (its client went away)
    has the call skipped; one already running finishes, and its result is dropped.
    """

    def __init__(self, slots: int, max_waiting: int = 32, heavy_slots: int = 1) -> None:
        if slots < 1 or heavy_slots < 1:
            raise ValueError(
                f"ComputeSlots needs at least 1 slot in each lane, got {slots} and {heavy_slots}."
            )
        if max_waiting < 0:
            raise ValueError(f"ComputeSlots needs max_waiting >= 0, got {max_waiting}.")
        self.max_waiting = max_waiting
        self._light = _Lane("convlens-compute", slots, max_waiting)
        self._heavy = _Lane("convlens-compute-heavy", heavy_slots, max_waiting)

    @property
    def slots(self) -> int:
        """Slots for ordinary calls."""
        return len(self._light.threads)

    @property
    def waiting(self) -> int:
        """Calls in the queues, not yet taken by a slot."""
        return self._light.waiting + self._heavy.waiting

    async def run(self, func: Callable[[*Ts], T], *args: *Ts, heavy: bool = False) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        (self._heavy if heavy else self._light).submit(_Job(loop, future, lambda: func(*args)))
        try:
            return await future
        finally:
            # An exception raised here keeps this frame in its traceback; without this, the
            # frame would keep the future, which keeps the exception: a cycle that holds the
            # call's arguments (an upload) until the garbage collector runs.
            del future

    def close(self, timeout: float = 5.0) -> None:
        """Let the threads finish what they have been given, then stop them."""
        self._light.close(timeout)
        self._heavy.close(timeout)


class _Lane:
    """``slots`` threads fed from one queue that holds at most ``max_waiting`` calls."""

    def __init__(self, name: str, slots: int, max_waiting: int) -> None:
        self.max_waiting = max_waiting
        self.waiting = 0
        self._busy = 0
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.threads = [
            threading.Thread(target=self._serve, name=f"{name}-{n}", daemon=True)
            for n in range(slots)
        ]
        for thread in self.threads:
            thread.start()

    def submit(self, job: _Job) -> None:
        with self._lock:
            idle = len(self.threads) - self._busy
            if self.waiting >= self.max_waiting + idle:
                raise ComputeBusy(self.max_waiting)
            self.waiting += 1
        self._queue.put(job)

    def close(self, timeout: float) -> None:
        for _ in self.threads:
            self._queue.put(None)
        for thread in self.threads:
            thread.join(timeout)

    def _serve(self) -> None:
        while (job := self._queue.get()) is not None:
            with self._lock:
                self.waiting -= 1
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
