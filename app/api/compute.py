"""A fixed number of threads per process for the CPU-bound work of the model endpoints.

Decoding, preparing and classifying a digit holds the GIL for most of its 2-3 ms, so running
more of them at once in one process adds no speed, only switching: with FastAPI's threadpool
(up to 40 at once) and 8 clients, one worker served 129 predictions/s at 10.8 ms of CPU each;
one at a time, 141/s at 7.9 ms (``bench/models.py``). Requests beyond the slots wait their turn
on the event loop, which meanwhile keeps reading and answering other requests; more throughput
comes from more worker processes (``convlens serve --workers N``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, TypeVarTuple

import anyio
import anyio.to_thread

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


class ComputeSlots:
    """Runs functions in worker threads, at most ``slots`` at a time. Create inside the loop."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError(f"ComputeSlots needs at least 1 slot, got {slots}.")
        self._limiter = anyio.CapacityLimiter(slots)

    @property
    def slots(self) -> int:
        return int(self._limiter.total_tokens)

    async def run(self, func: Callable[[*Ts], T], *args: *Ts) -> T:
        return await anyio.to_thread.run_sync(func, *args, limiter=self._limiter)
