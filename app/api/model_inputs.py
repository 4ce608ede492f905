"""An uploaded image becomes one model's input, as the model's metadata says, and is described.

``"digit"`` models get the MNIST preparation (:mod:`app.core.preprocess`: ink found, centred,
28x28), resized to the model's own size when that is not 28x28; ``"image"`` models get
:mod:`app.core.model_input` (colour, fit, scale). Either way the answer shows what the model got:
the numbers (``model_input``, when there are at most ``MAX_INPUT_NUMBERS`` of them) and the
picture (``input_picture``, a PNG).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from app.api.images import base64_png
from app.core.decoding import DecodedImage
from app.core.model_input import prepare_image
from app.core.preprocess import DigitInput, DigitOptions, InkBox, prepare_digit
from app.errors import InvalidParameter, NoDigit, Phrase
from app.i18n import translate
from app.ml.loaded import LoadedModel
from app.schemas.models import MAX_INPUT_NUMBERS

DIGIT_SIDE = 28
FloatArray = NDArray[np.float32]


@dataclass(frozen=True)
class PreparedInput:
    """One model's input (``H x W x C``), the picture of it, and how it was made."""

    model_input: FloatArray
    picture: NDArray[np.uint8]
    preprocessing: dict[str, Any]
    digit: DigitInput | None = None

    def numbers(self) -> list[Any] | None:
        """The input as nested lists: rows of values (one channel) or of [r, g, b]."""
        if self.model_input.size > MAX_INPUT_NUMBERS:
            return None
        values = self.model_input
        numbers: list[Any] = (values[..., 0] if values.shape[-1] == 1 else values).tolist()
        return numbers

    def described(self) -> dict[str, Any]:
        return {
            "model_input": self.numbers(),
            "input_picture": base64_png(self.picture, "deflate"),
            "preprocessing": self.preprocessing,
        }


def digit_input(image: DecodedImage, options: DigitOptions) -> DigitInput:
    """The 28x28 digit, or NoDigit when the image has no ink."""
    digit = prepare_digit(image, options)
    if digit.empty:
        message = digit.message  # a Phrase whose message is the NoDigit to raise
        raise message.message if isinstance(message, Phrase) else NoDigit(message)
    return digit


def prepare_input(loaded: LoadedModel, image: DecodedImage, options: DigitOptions) -> PreparedInput:
    """``image`` as ``loaded`` takes it (see the module docstring)."""
    if loaded.is_digit_model:
        return from_digit(loaded, digit_input(image, options))
    contract = loaded.metadata.input
    prepared = prepare_image(image, loaded.input_shape, contract.fit, contract.scale)
    return PreparedInput(
        model_input=prepared.model_input,
        picture=prepared.picture,
        preprocessing={
            "kind": "image",
            "fit": prepared.fit,
            "scale": prepared.scale,
            "value_range": list(prepared.value_range),
            "notes": list(prepared.notes),
        },
    )


def from_digit(loaded: LoadedModel, digit: DigitInput) -> PreparedInput:
    """A prepared digit as the input of a digit model of any size."""
    height, width, _ = loaded.input_shape
    values = digit.model_input.astype(np.float32)
    notes = list(digit.notes)
    if (height, width) != (DIGIT_SIDE, DIGIT_SIDE):
        shrinking = height * width < DIGIT_SIDE * DIGIT_SIDE
        interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
        values = np.asarray(
            cv2.resize(values, (width, height), interpolation=interpolation), dtype=np.float32
        )
        notes.append(
            translate(
                "The 28x28 digit was resized to {width}x{height}, the size this model takes.",
                {"width": width, "height": height},
            )
        )
    model_input = values.reshape(height, width, 1).astype(np.float32)
    picture = np.clip(np.rint(model_input[..., 0] * 255), 0, 255).astype(np.uint8)
    return PreparedInput(model_input, picture, digit_preprocessing(digit, notes), digit)


def digit_preprocessing(digit: DigitInput, notes: Sequence[str] | None = None) -> dict[str, Any]:
    return {
        "kind": "digit",
        "polarity": digit.polarity,
        "inverted": digit.inverted,
        "background": digit.background,
        "ink_box": None if digit.ink_box is None else _box(digit.ink_box),
        "scale": None if digit.scale is None else list(digit.scale),
        "shift": list(digit.shift),
        "center_of_mass": None if digit.center_of_mass is None else list(digit.center_of_mass),
        "notes": list(digit.notes if notes is None else notes),
    }


def only_digit_models(models: Sequence[LoadedModel]) -> None:
    """The live socket and the Draw page classify drawings: digit models only."""
    for loaded in models:
        if not loaded.is_digit_model:
            raise InvalidParameter(
                "Model {id} takes photos ({shape}), not drawn digits; the live classifier runs "
                "digit models. Send the photo to POST /api/models/{model_id}/predict instead.",
                id=repr(loaded.id),
                shape="x".join(map(str, loaded.input_shape)),
                model_id=loaded.id,
            )


def _box(box: InkBox) -> dict[str, int]:
    return {"top": box.top, "left": box.left, "height": box.height, "width": box.width}
