"""What the limited process does with an uploaded file: read, translate, check, write arrays.

:func:`read_limited` runs in a process of its own, forked for this one file. The first thing
it does is lower its own limits (address space, CPU seconds, size of files written, open files,
no core dump), before any byte of the upload is read, so that a hostile HDF5 or zip file can
take down only that process. It writes ``stack.json`` (the translated stack), ``weights/``
(the arrays, :mod:`app.ml.weights_folder`) and ``answer.json`` (``{"ok": true, ...}`` or ``{"ok":
false, "detail": "...", "template": "...", "params": {...}}``: the refusal in English, and its
template and fields, so the parent can say it in the request's language). It never imports Keras
or TensorFlow.
"""

from __future__ import annotations

import json
import resource
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from app.core.architecture.summary import summarize_stack
from app.errors import ConvLensError, InvalidParameter
from app.ml.importing.files import FileLimits, open_model_file, read_weights
from app.ml.importing.translate import translate
from app.ml.weights_folder import save_weights

WEIGHTS_DIR = "weights"

ANSWER_FILE = "answer.json"
MIB = 1024 * 1024


def read_limited(
    source: str, out_dir: str, limits: dict[str, int], signals: Connection | None = None
) -> None:
    """The reader process: limits first, then the file; ``signals`` hears "stack" as soon as
    ``stack.json`` is written, so the parent can build while the weights are read."""
    for kind, value in (
        (resource.RLIMIT_AS, limits["memory_bytes"]),
        (resource.RLIMIT_CPU, limits["cpu_seconds"]),
        (resource.RLIMIT_FSIZE, limits["output_bytes"]),
        (resource.RLIMIT_NOFILE, 64),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(kind, (value, value))
    try:
        answer = read_to_folder(
            Path(source),
            Path(out_dir),
            limits,
            on_stack=(lambda: signals.send_bytes(b"stack")) if signals is not None else None,
        )
    except MemoryError:
        answer = refused(
            InvalidParameter(
                "Reading the file needed more memory than an import may use ({mib:,} MiB); it "
                "is refused.",
                mib=limits["memory_bytes"] // MIB,
            )
        )
    (Path(out_dir) / ANSWER_FILE).write_text(json.dumps(answer))


def read_to_folder(
    source: Path,
    out_dir: Path,
    limits: dict[str, int],
    on_stack: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Translate ``source`` into ``out_dir/stack.json`` + ``out_dir/weights/``."""
    file_limits = FileLimits(
        max_file_bytes=limits["max_file_bytes"],
        max_uncompressed_bytes=limits["max_file_bytes"],
        max_params=limits["max_params"],
    )
    try:
        model_file = open_model_file(source, file_limits)
        stack = translate(model_file.config)
        total = _checked_params(stack, file_limits.max_params)
        (out_dir / "stack.json").write_text(json.dumps(stack))
        if on_stack is not None:
            on_stack()
        weights = read_weights(model_file, file_limits.max_params)
    except ConvLensError as exc:
        return refused(exc)
    except RecursionError:
        return refused(InvalidParameter("The file's configuration is nested too deeply to read."))
    save_weights(out_dir / WEIGHTS_DIR, weights)
    return {
        "ok": True,
        "format": model_file.format,
        "keras_version": model_file.keras_version,
        "params": total,
    }


def refused(exc: ConvLensError) -> dict[str, Any]:
    """The answer that refuses the file: the message, and its template and fields."""
    return {"ok": False, "detail": exc.detail, "template": exc.template, "params": exc.params}


def _checked_params(stack: list[dict[str, Any]], max_params: int) -> int:
    """The engine validates the stack; its parameter count must be within the import cap."""
    from pydantic import TypeAdapter, ValidationError

    from app.core.architecture.layers import LAYER_TYPE_NAMES, Stack

    try:
        layers = TypeAdapter(Stack).validate_json(json.dumps(stack))
    except ValidationError as exc:
        error = exc.errors()[0]
        where, node, setting, label = "layers", stack, "", "A layer"
        node_any: Any = node
        for part in error["loc"]:
            if isinstance(part, int):
                where += f"[{part}]"
                node_any = node_any[part] if isinstance(node_any, list) else None
                if isinstance(node_any, dict):
                    label = f'{where} "{node_any.get("name")}" ({node_any.get("type")})'
            elif part == "branches":
                where += ".branches"
                node_any = node_any.get("branches") if isinstance(node_any, dict) else None
            elif part not in LAYER_TYPE_NAMES:
                setting = str(part)
        raise _out_of_bounds(label, setting, repr(error.get("input"))[:40], error["msg"]) from exc
    summary = summarize_stack(None, layers)
    if summary.total_params > max_params:
        raise InvalidParameter(
            "The model has {count:,} parameters; ConvLens imports models of up to {limit:,} "
            "(setting CONVLENS_MAX_IMPORT_PARAMS; VGG16 without its top has 14,714,688).",
            count=summary.total_params,
            limit=max_params,
        )
    return summary.total_params


def _out_of_bounds(label: str, setting: str, value: str, reason: str) -> InvalidParameter:
    """A setting the engine refuses; ``label`` is "A layer" when no layer could be named and
    ``setting`` is empty when no setting could be (each case is a sentence of its own)."""
    params = {"value": value, "reason": reason}
    if label == "A layer" and not setting:
        return InvalidParameter(
            "A layer: a setting is {value}, which ConvLens does not compute ({reason}). "
            "Rebuild the layer within those bounds.",
            **params,
        )
    if label == "A layer":
        return InvalidParameter(
            "A layer: {setting} is {value}, which ConvLens does not compute ({reason}). "
            "Rebuild the layer within those bounds.",
            setting=setting,
            **params,
        )
    if not setting:
        return InvalidParameter(
            "{label}: a setting is {value}, which ConvLens does not compute ({reason}). "
            "Rebuild the layer within those bounds.",
            label=label,
            **params,
        )
    return InvalidParameter(
        "{label}: {setting} is {value}, which ConvLens does not compute ({reason}). "
        "Rebuild the layer within those bounds.",
        label=label,
        setting=setting,
        **params,
    )
