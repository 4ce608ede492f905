"""What predict, activations and the live socket answer, worked out in a compute slot.

These run in a worker thread (:class:`app.api.compute.ComputeSlots`), never on the event loop:
decoding, preparing and classifying a digit is CPU work that holds the GIL for milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from app.api.images import base64_png, decode_capped
from app.api.model_inputs import PreparedInput, digit_input, from_digit
from app.config import Settings
from app.core.caution import caution
from app.core.heatmap import colorize, scale_for_range
from app.core.preprocess import DigitInput, DigitOptions
from app.ml.forward import channels_first, classify, forward
from app.ml.loaded import LoadedModel
from app.schemas.models import ActivationsFormat


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
    }


def activations(
    loaded: LoadedModel, names: list[str], fmt: ActivationsFormat, prepared: PreparedInput
) -> dict[str, Any]:
    """Every chosen layer's output from one forward pass: what ``.../activations`` returns."""
    result = forward(loaded, prepared.model_input)
    return {
        "model": loaded.id,
        "label": loaded.metadata.classes[result.label_index],
        "probabilities": result.probabilities.tolist(),
        "classes": loaded.metadata.classes,
        **prepared.described(),
        "layers": [_activation(loaded, name, result.outputs[name], fmt) for name in names],
    }


def _activation(
    loaded: LoadedModel, name: str, output: np.ndarray, fmt: ActivationsFormat
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
    elif fmt == "png":
        entry["tiles"] = [
            base64_png(colorize(channel, scale), "deflate") for channel in channels_first(output)
        ]
    else:
        entry["maps"] = channels_first(output).tolist()
    return entry
