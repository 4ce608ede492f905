"""Your own Keras model, imported without running its code (flow 5 of ARCHITECTURE.md).

The uploaded file is read by a separate, limited process (:mod:`app.ml.importing.reader`):
its config is read as JSON and translated into the Architecture lab's stack
(:mod:`.translate`), which the engine validates and counts; its weights are read with h5py as
arrays (:mod:`.files`). This process gets back only that stack, as JSON our own schema checks
again, and plain arrays (:mod:`app.ml.weights_folder`); :mod:`app.ml.build` makes the Keras
model from them. No byte of the upload reaches Keras' deserialisation (``load_model``,
``model_from_json``, ``deserialize_keras_object``), whose record of running code from model
files (CVE-2024-3660, CVE-2025-1550, -8747, -9905, -9906) is why this exists.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import re
import time
from dataclasses import dataclass
from multiprocessing.context import ForkServerContext
from pathlib import Path
from string import Formatter
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import TypeAdapter

from app.core.architecture.layers import Layer, Stack
from app.errors import InvalidParameter
from app.ml.importing.reader import ANSWER_FILE, WEIGHTS_DIR, read_limited
from app.ml.weights_folder import load_weights

log = logging.getLogger(__name__)
STACK_FILE = "stack.json"
MIB = 1024 * 1024
_PLAIN_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class ImportLimits:
    max_file_bytes: int
    max_params: int
    memory_bytes: int
    cpu_seconds: int
    wall_seconds: float


@dataclass(frozen=True)
class ReadModel:
    """What the limited process read: the stack, each layer's arrays, and where they came from."""

    stack: tuple[Layer, ...]
    weights: dict[str, list[NDArray[np.float32]]]
    format: str
    keras_version: str | None
    params: int


class Reading:
    """One file being read by a limited process: :meth:`stack` as soon as the config is
    translated and checked, :meth:`finish` once the weights are read too. Building the model
    from the stack while the reader reads the weights overlaps the two (0.14 s of VGG16's
    0.5 s import)."""

    def __init__(self, source: Path, work_dir: Path, limits: ImportLimits) -> None:
        settings = {
            "max_file_bytes": limits.max_file_bytes,
            "max_params": limits.max_params,
            "memory_bytes": limits.memory_bytes,
            "cpu_seconds": limits.cpu_seconds,
            # Arrays are written as float32: a float16 file doubles; plus the stack's JSON.
            "output_bytes": 4 * limits.max_params + 64 * MIB,
        }
        context = _reader_context()
        self._signals, child_end = context.Pipe(duplex=False)
        self._process = context.Process(
            target=read_limited,
            args=(str(source), str(work_dir), settings, child_end),
            daemon=True,
        )
        self._work_dir = work_dir
        self._limits = limits
        self._deadline = time.monotonic() + limits.wall_seconds
        self._process.start()
        child_end.close()

    def stack(self) -> tuple[Layer, ...]:
        """The translated stack, checked by the reader and by our schema again; or the refusal."""
        try:
            ready = self._signals.poll(self._left()) and self._signals.recv_bytes(16) == b"stack"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.finish()  # raises the reader's refusal, or says it was stopped
        return TypeAdapter(Stack).validate_json((self._work_dir / STACK_FILE).read_bytes())

    def finish(self) -> ReadModel:
        self._process.join(self._left())
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
            raise InvalidParameter(
                "Reading the file took longer than {seconds:g} s, the most an import may take; "
                "it is refused. A Keras model file of this size reads in seconds.",
                seconds=self._limits.wall_seconds,
            )
        self._signals.close()
        answer = _answer(self._process.exitcode, self._work_dir / ANSWER_FILE)
        if answer is None:
            raise InvalidParameter(
                "Reading the file stopped the reader (it ran out of the memory or time an "
                "import may use, or the file crashed it); it is refused. If it is a model saved "
                "by Keras, save it again with model.save('name.keras') and upload that."
            )
        if not answer.get("ok"):
            raise _refusal(answer)
        return ReadModel(
            stack=TypeAdapter(Stack).validate_json((self._work_dir / STACK_FILE).read_bytes()),
            weights=load_weights(self._work_dir / WEIGHTS_DIR),
            format=str(answer["format"]),
            keras_version=answer.get("keras_version"),
            params=int(answer["params"]),
        )

    def _left(self) -> float:
        return max(0.0, self._deadline - time.monotonic())

    def __enter__(self) -> Reading:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """A reader left behind (the caller failed between stack() and finish()) is stopped."""
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._signals.close()


def read_model_file(source: Path, work_dir: Path, limits: ImportLimits) -> ReadModel:
    """Read ``source`` in a limited process; ``work_dir`` is an empty folder for its output.

    Raises ``InvalidParameter`` saying what was refused, or that the reader was stopped.
    """
    with Reading(source, work_dir, limits) as reading:
        return reading.finish()


def _reader_context() -> ForkServerContext:
    """Readers fork from a server process that imported the reader once (``forkserver``, set
    up on the first import): a fresh process per file, without 0.5 s of Python start-up each,
    and without this process' threads or memory."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["app.ml.importing.reader"])
    return context


def _answer(exitcode: int | None, answer_path: Path) -> dict[str, Any] | None:
    """The reader's answer, or None when it stopped without one."""
    if exitcode == 0 and answer_path.is_file():
        try:
            answer = json.loads(answer_path.read_text())
        except ValueError:
            answer = None
        if isinstance(answer, dict):
            return answer
    log.warning("The model reader stopped with exit code %s.", exitcode)
    return None


def _refusal(answer: dict[str, Any]) -> InvalidParameter:
    """The reader's refusal, with its template and fields so that it can be translated. They
    are taken only as plain fields ({name}, {name:,}, {name!r}) of plain values that give back
    the English message: the reader reads hostile files, so its answer is checked, not run."""
    detail = answer.get("detail")
    if not isinstance(detail, str):
        return InvalidParameter("The file was refused.")
    template, params = answer.get("template"), answer.get("params")
    if not isinstance(template, str) or not isinstance(params, dict) or not params:
        return InvalidParameter(detail)
    try:
        fields = [(f, spec) for _, f, spec, _ in Formatter().parse(template) if f is not None]
        plain = all(_PLAIN_FIELD.fullmatch(f) and "{" not in (spec or "") for f, spec in fields)
        values = all(
            isinstance(value, str | int | float) and not isinstance(value, bool)
            for value in params.values()
        )
        if plain and values and template.format(**params) == detail:
            return InvalidParameter(template, **params)
    except (ValueError, KeyError, IndexError, TypeError):
        pass
    return InvalidParameter(detail)
