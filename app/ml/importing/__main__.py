"""The limited process that reads an uploaded model file: ``python -m app.ml.importing``.

Arguments: the uploaded file, an empty folder for the result, and the limits as JSON. The first
thing it does is lower its own limits (address space, CPU seconds, size of files written, open
files, no core dump), before any byte of the upload is read; a hostile HDF5 or zip file can then
take down only this process. It writes ``stack.json`` (the translated stack) and
``weights.npz`` (the arrays by ``<layer>/<index>``), and prints one JSON line: ``{"ok": true,
...}`` or ``{"ok": false, "detail": "..."}``. It never imports Keras or TensorFlow.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

MIB = 1024 * 1024


def _limit_self(limits: dict[str, int]) -> None:
    for kind, value in (
        (resource.RLIMIT_AS, limits["memory_bytes"]),
        (resource.RLIMIT_CPU, limits["cpu_seconds"]),
        (resource.RLIMIT_FSIZE, limits["output_bytes"]),
        (resource.RLIMIT_NOFILE, 64),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(kind, (value, value))


def main() -> int:
    source, out_dir, raw_limits = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3])
    _limit_self(raw_limits)
    # Imported only now, under the limits.
    from app.ml.importing.reader import read_to_folder

    try:
        answer = read_to_folder(Path(source), out_dir, raw_limits)
    except MemoryError:
        answer = {
            "ok": False,
            "detail": "Reading the file needed more memory than an import may use "
            f"({raw_limits['memory_bytes'] // MIB:,} MiB); it is refused.",
        }
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
