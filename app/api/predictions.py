"""What predict, activations and the live socket answer, worked out in a compute slot.

These run in a worker thread (:class:`app.api.compute.ComputeSlots`), never on the event loop:
decoding, preparing and classifying a digit is CPU work that holds the GIL for milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from app.api.images import base64_png, decode_capped
from app.config import Settings
from app.core.caution import caution
from app.core.decoding import DecodedImage
from app.core.heatmap import colorize, scale_for_range
from app.core.preprocess import DigitInput, DigitOptions, InkBox, prepare_digit
from app.errors import NoDigit
from app.ml.forward import channels_first, classify, forward
from app.ml.registry import LoadedModel
from app.schemas.models import ActivationsFormat


def digit_input(image: DecodedImage, options: DigitOptions) -> DigitInput:
    """The 28x28 input the models take, or NoDigit when the image has no ink."""
    digit = prepare_digit(image, options)
    if digit.empty:
        raise NoDigit(digit.message)
    return digit


def decode_digit(data: bytes, settings: Settings, options: DigitOptions) -> DigitInput:
    return digit_input(decode_capped(data, settings), options)


def predictions(models: Sequence[LoadedModel], digit: DigitInput) -> list[dict[str, Any]]:
    """Each model's answer for one prepared digit: what ``POST .../predict`` returns."""
    preprocessing = _preprocessing(digit)
    model_input = digit.model_input.tolist()
    answers = []
    for loaded in models:
        probabilities = classify(loaded, digit.model_input)
        label = int(np.argmax(probabilities))
        classes = loaded.metadata.classes
        answers.append(
            {
                "model": loaded.id,
                "label": classes[label],
                "confidence": float(probabilities[label]),
                "probabilities": probabilities.tolist(),
                "classes": classes,
                "model_input": model_input,
                "preprocessing": preprocessing,
                "caution": caution(digit.model_input, probabilities),
            }
        )
    return answers


def activations(
    loaded: LoadedModel, names: list[str], fmt: ActivationsFormat, digit: DigitInput
) -> dict[str, Any]:
    """Every chosen layer's output from one forward pass: what ``.../activations`` returns."""
    result = forward(loaded, digit.model_input)
    return {
        "model": loaded.id,
        "label": loaded.metadata.classes[result.label_index],
        "probabilities": result.probabilities.tolist(),
        "classes": loaded.metadata.classes,
        "model_input": digit.model_input.tolist(),
        "preprocessing": _preprocessing(digit),
        "layers": [_activation(loaded, name, result.outputs[name], fmt) for name in names],
    }


def _preprocessing(digit: DigitInput) -> dict[str, Any]:
    return {
        "polarity": digit.polarity,
        "inverted": digit.inverted,
        "background": digit.background,
        "ink_box": None if digit.ink_box is None else _box(digit.ink_box),
        "scale": None if digit.scale is None else list(digit.scale),
        "shift": list(digit.shift),
        "center_of_mass": None if digit.center_of_mass is None else list(digit.center_of_mass),
        "notes": list(digit.notes),
    }


def _box(box: InkBox) -> dict[str, int]:
    return {"top": box.top, "left": box.left, "height": box.height, "width": box.width}


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
