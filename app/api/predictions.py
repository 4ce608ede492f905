"""What predict, activations and the live socket answer, worked out in a compute slot.

These run in a worker thread (:class:`app.api.compute.ComputeSlots`), never on the event loop:
decoding, preparing and classifying a digit is CPU work that holds the GIL for milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from app.api.images import base64_png, decode_capped
from app.api.model_inputs import PreparedInput, digit_input, from_digit
from app.config import Settings
from app.core.caution import caution
from app.core.heatmap import colorize, scale_for_range
from app.core.preprocess import DigitInput, DigitOptions
from app.errors import InvalidParameter
from app.ml.dropout import DroppedPass
from app.ml.forward import channels_first, classify, forward
from app.ml.loaded import LoadedModel
from app.schemas.models import ActivationsFormat

# An answer's size is bounded before any work: VGG16's 13 conv layers on a 224x224 photo hold
# about 15 million values; one layer of them at a time fits both caps.
MAX_ANSWER_VALUES = 4_000_000
MAX_ANSWER_PIXELS = 16_000_000


def decode_digit(data: bytes, settings: Settings, options: DigitOptions) -> DigitInput:
    return digit_input(decode_capped(data, settings), options)


def predictions(models: Sequence[LoadedModel], digit: DigitInput) -> list[dict[str, Any]]:
    """Each digit model's answer for one prepared drawing (the live socket's, one each)."""
    return [prediction(loaded, from_digit(loaded, digit)) for loaded in models]


def prediction(loaded: LoadedModel, prepared: PreparedInput) -> dict[str, Any]:
    """One model's answer for its prepared input: what ``POST .../predict`` returns."""
    probabilities = classify(loaded, prepared.model_input)
    label = int(np.argmax(probabilities))
    classes = loaded.metadata.classes
    return {
        "model": loaded.id,
        "label": classes[label],
        "confidence": float(probabilities[label]),
        "probabilities": probabilities.tolist(),
        "classes": classes,
        **prepared.described(),
        "caution": None
        if prepared.digit is None
        else caution(prepared.digit.model_input, probabilities),
        "mc_dropout": None,  # predict with mc_samples fills it in
    }


def activations(
    loaded: LoadedModel,
    names: list[str],
    fmt: ActivationsFormat,
    prepared: PreparedInput,
    channels: tuple[int, int] | None = None,
    dropped: DroppedPass | None = None,
) -> dict[str, Any]:
    """Every chosen layer's output from one forward pass: what ``.../activations`` returns;
    with ``dropped``, that pass with dropout on instead."""
    if dropped is None:
        result = forward(loaded, prepared.model_input)
        outputs, probabilities = result.outputs, result.probabilities
    else:
        outputs, probabilities = dropped.outputs, dropped.probabilities
    layers = [_activation(loaded, name, outputs[name], fmt, channels) for name in names]
    if dropped is not None:
        for layer in layers:
            if layer["name"] in dropped.dropped:
                layer["dropped"] = dropped.dropped[layer["name"]].tolist()
    return {
        "model": loaded.id,
        "label": loaded.metadata.classes[int(np.argmax(probabilities))],
        "probabilities": probabilities.tolist(),
        "classes": loaded.metadata.classes,
        **prepared.described(),
        "layers": layers,
        "dropout": None if dropped is None else {"rate": dropped.rate, "seed": dropped.seed},
    }


def check_activations_size(
    loaded: LoadedModel,
    names: list[str],
    fmt: ActivationsFormat,
    channels: tuple[int, int] | None,
) -> None:
    """Refuse, before any work, an answer larger than ``MAX_ANSWER_VALUES`` (numbers) or
    ``MAX_ANSWER_PIXELS`` (PNG tiles), or a channel range outside a chosen layer."""
    total = 0
    for name in names:
        shape = loaded.layer(name).output_shape
        if len(shape) == 3 and channels is not None:
            first, last = channels
            if not first <= last < shape[2]:
                raise InvalidParameter(
                    "channels is {first}-{last}, but layer {name} has {channels} channels, 0 to "
                    "{last_channel}. Ask for a range within them, or one layer at a time.",
                    first=first,
                    last=last,
                    name=repr(name),
                    channels=shape[2],
                    last_channel=shape[2] - 1,
                )
            shape = (shape[0], shape[1], last - first + 1)
        total += math.prod(shape)
    cap = MAX_ANSWER_VALUES if fmt == "numbers" else MAX_ANSWER_PIXELS
    if total > cap:
        if fmt == "numbers":
            raise InvalidParameter(
                "The chosen layers hold {total:,} values as numbers; one answer sends at most "
                "{cap:,}. Ask for fewer layers (layers=conv1), fewer channels (channels=0-15), "
                "or format=png.",
                total=total,
                cap=cap,
            )
        raise InvalidParameter(
            "The chosen layers hold {total:,} pixels of PNG tiles; one answer sends at most "
            "{cap:,}. Ask for fewer layers (layers=conv1), fewer channels (channels=0-15).",
            total=total,
            cap=cap,
        )


def _activation(
    loaded: LoadedModel,
    name: str,
    output: np.ndarray,
    fmt: ActivationsFormat,
    channels: tuple[int, int] | None = None,
) -> dict[str, Any]:
    layer = loaded.layer(name)
    scale, low, high = scale_for_range(output)
    entry: dict[str, Any] = {
        "name": name,
        "type": layer.type,
        "shape": list(output.shape),
        "kind": "maps" if output.ndim == 3 else "vector",
        "value_range": [low, high],
        "scale": {"colormap": scale.colormap, "min": scale.min, "max": scale.max},
    }
    if output.ndim != 3:
        entry["values"] = output.reshape(-1).tolist()
        return entry
    first, last = channels if channels is not None else (0, output.shape[2] - 1)
    output = output[:, :, first : last + 1]
    entry["channels"] = [first, last]
    if fmt == "png":
        entry["tiles"] = [
            base64_png(colorize(channel, scale), "deflate") for channel in channels_first(output)
        ]
    else:
        entry["maps"] = channels_first(output).tolist()
    return entry
