"""The plain-English notes of :mod:`app.core.model_input`: what happened to a photo, in order.

:func:`app.core.model_input.prepare_image` returns, with the model's input, one sentence per
step, for the page to show under the picture the model got: how the image was cut, padded or
stretched to the model's size (:func:`plain_note`, built from :func:`resize_verb`,
:func:`cut_text` and :func:`bars_text`), how its pixels were resampled
(:func:`resampling_note`), its colour change (:data:`TO_GREY_NOTE`, :data:`TO_RGB_NOTE`), and
how its values were scaled (:data:`SCALE_NOTES`). The geometry itself is worked out in
:mod:`app.core.model_input`; these only put it into words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # model_input imports this module; the annotation needs only the name
    from app.core.model_input import Scale

TO_GREY_NOTE = (
    "Colour was turned to grey, as the model takes one channel: each pixel's grey is "
    "0.299 red + 0.587 green + 0.114 blue (ITU-R BT.601 luma, as Pillow computes it)."
)
TO_RGB_NOTE = (
    "The grey image was copied into the red, green and blue channels, as the model takes three."
)
SCALE_NOTES: dict[Scale, str] = {
    "0..1": "Each pixel value (0 to 255) was divided by 255, so the model gets numbers from 0 "
    "to 1.",
    "-1..1": "Each pixel value (0 to 255) was divided by 127.5 and then 1 was subtracted, so "
    "the model gets numbers from -1 to 1.",
    "0..255": "The pixel values were given as they are, numbers from 0 to 255: this model "
    "scales them itself.",
    "caffe": "The colour channels were put in the order blue, green, red, and ImageNet's "
    "average colour (103.939, 116.779, 123.68 for blue, green, red) was subtracted from every "
    "pixel, as models trained with Caffe (VGG16, ResNet50) expect: the model gets numbers from "
    "about -124 to 151, 0 being an average colour.",
    "torch": "Each pixel value was divided by 255, then ImageNet's average (0.485, 0.456, 0.406 "
    "for red, green, blue) was subtracted and the result divided by its spread (standard "
    "deviation 0.229, 0.224, 0.225), as models trained with PyTorch expect: the model gets "
    "numbers from about -2.1 to 2.6, 0 being an average colour.",
}


def with_resampling(note: str, resampling: str | None) -> list[str]:
    return [note] if resampling is None else [note, resampling]


def plain_note(was: str, source: tuple[int, int], target: tuple[int, int]) -> str:
    """The note when the image keeps its shape: only its size changes, if that."""
    if source == target:
        return f"{was}, the model's input size: it was used at that size."
    resized = f"{resize_verb(source, target)} to {target[1]}x{target[0]}"
    return f"{was}; it was {resized}, keeping its shape."


def resize_verb(source: tuple[int, ...], target: tuple[int, ...]) -> str:
    if source[0] >= target[0] and source[1] >= target[1]:
        return "shrunk"
    if source[0] <= target[0] and source[1] <= target[1]:
        return "enlarged"
    return "resized"


def cut_text(first: int, second: int, unit: str, one: str, other: str, both: str) -> str:
    if first == second:
        return f"{first} {unit} from {both}"
    return f"{first} {unit} from {one} and {second} from {other}"


def bars_text(first: int, second: int, unit: str, one: str, other: str) -> str:
    if first == second:
        return f"{first} black {unit} were added {one} and {other}"
    return f"{first} black {unit} were added {one} and {second} {other}"


def resampling_note(source: tuple[int, ...], target: tuple[int, ...]) -> str | None:
    """How pixels were resampled from ``source`` to ``target`` (rows, columns), if they were."""
    shrinks = source[0] > target[0] or source[1] > target[1]
    grows = source[0] < target[0] or source[1] < target[1]
    parts = []
    if shrinks:
        parts.append(
            "shrinking averaged the pixels that each new pixel covers (area interpolation), so "
            "fine detail blends instead of flickering"
        )
    if grows:
        parts.append(
            "enlarging blended the four nearest pixels (bilinear interpolation), so edges look "
            "soft rather than blocky"
        )
    if not parts:
        return None
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."
