"""TensorFlow's and LiteRT's start-up chatter, moved from the terminal to the debug log.

Importing TensorFlow and converting a model print dozens of lines from C++ straight to the
process's stderr, before TensorFlow's own log settings apply (``TF_CPP_MIN_LOG_LEVEL`` does not
silence them): where oneDNN is on, that no CUDA driver was found, a ``cuInit`` error on every
machine without a GPU, the converter's progress. None of it is for the user of ConvLens.
:func:`native_output_to_debug_log` sends file descriptor 2 to a temporary file while TensorFlow
works, then logs what looks like TensorFlow's output at DEBUG (``--log-level debug`` shows it)
and writes anything else back to stderr as it was.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

# glog/absl lines ("I0000 00:00:1796.. 123 file.cc:45] ..."), and the few bare lines TensorFlow
# and LiteRT print around them.
_NATIVE = re.compile(
    r"^([IWEF]\d{4} \d\d:\d\d:|WARNING: All log messages before absl|To enable the following "
    r"instructions|INFO: Created TensorFlow Lite|WARNING: AutoGraph|W\d{4} )"
)


@contextmanager
def native_output_to_debug_log() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            _replay(sink.read().decode(errors="replace"))


def _replay(text: str) -> None:
    for line in text.splitlines():
        if _NATIVE.match(line):
            log.debug("%s", line)
        elif line.strip():
            print(line, file=sys.stderr)
