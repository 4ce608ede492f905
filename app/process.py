"""Process-wide settings for a serving process: glibc's malloc, and OpenCV's threads.

:func:`tune_process` applies both in each serving process (``app.serving.served_app``), before
the models load and the compute threads start; anything that times the app in-process calls it
too. The app itself (``create_app``) leaves the process as it found it, so tests do not change it.

OpenCV splits an operation over every core by default. A server runs requests, not one image's
pixels, in parallel: with 2 threads, decoding and preparing a digit took as long but cost 1 ms
more CPU (3.6 against 2.6 ms), the threads waiting on each other; the Kernel lab's 5x5 filter on
a 1024x1024 photo takes 6 ms on one thread instead of 4.5. ``CONVLENS_OPENCV_THREADS`` sets it.

Tuning glibc's malloc, for a server that allocates the same few-hundred-KB arrays per request:

A digit request allocates and frees a few dozen NumPy and OpenCV arrays of 0.1-4 MB (a 280x280
float32 image is 306 KB). glibc gives a block above its mmap threshold its own mapping, and hands
freed memory above its trim threshold back to the kernel; both thresholds start low (128 KB) and
only grow as the process happens to free large blocks. Until they do, every request faults the
same pages in again: in a process that has not loaded TensorFlow (whose own large allocations
raise them), ``prepare_digit`` on a 280x280 drawing took 3.6 ms, 1.2 ms of it in the kernel
serving 428 page faults; with the thresholds fixed above those sizes, 2.3 ms and no faults.
Fixing them makes the speed of a request independent of what the process allocated before.

Two arenas instead of glibc's 8 per core keep the threadpool's threads from each holding their
own heap: with the default, two workers' resident memory rose 9-11% over 5,000 requests and
then levelled off; with 2 arenas it stayed within 2.3% over 10,000.

:func:`tune_malloc` calls ``mallopt``, which applies to the running process at once (an
environment variable such as ``MALLOC_ARENA_MAX`` is read only when a process starts). On a C
library without ``mallopt`` (musl, macOS) it does nothing.
"""

from __future__ import annotations

import ctypes
import logging

import cv2

from app.config import Settings

logger = logging.getLogger(__name__)

# From glibc's <malloc.h>.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

# Larger than any array of a request on an image up to 1024x1024 (the ink search's working
# size: 4 MiB as float32); bigger ones (the Kernel lab on a large photo) still get their own
# mmap and go back to the kernel when freed.
MMAP_THRESHOLD = 8 * 1024 * 1024
TRIM_THRESHOLD = 32 * 1024 * 1024
ARENA_MAX = 2

SETTINGS = {
    "M_MMAP_THRESHOLD": (M_MMAP_THRESHOLD, MMAP_THRESHOLD),
    "M_TRIM_THRESHOLD": (M_TRIM_THRESHOLD, TRIM_THRESHOLD),
    "M_ARENA_MAX": (M_ARENA_MAX, ARENA_MAX),
}


def tune_process(settings: Settings) -> dict[str, int]:
    """Apply the malloc settings and ``settings.opencv_threads``; returns what was applied."""
    applied = tune_malloc()
    cv2.setNumThreads(settings.opencv_threads)
    applied["opencv_threads"] = cv2.getNumThreads()
    return applied


def tune_malloc() -> dict[str, int]:
    """Apply :data:`SETTINGS` with ``mallopt``; returns those it applied (none off glibc)."""
    # The process's own symbols include its C library's: no search for libc on disk.
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:
        logger.info("No mallopt in this C library: malloc keeps its defaults.")
        return {}
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    applied = {}
    for label, (option, value) in SETTINGS.items():
        if mallopt(option, value) == 1:  # mallopt returns 1 on success, 0 on error
            applied[label] = value
        else:  # pragma: no cover - glibc accepts all three
            logger.warning("mallopt(%s, %d) was refused: it keeps its default.", label, value)
    return applied
