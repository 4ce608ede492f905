"""A decoded photo -> the input of an image classifier: ``(H, W, C)`` float32, C = 1 or 3.

The ``"image"`` preprocessing of a model (the ``"digit"`` one is :mod:`app.core.preprocess`).
Three steps, each chosen by the model's metadata and recorded in plain words:

1. **colour**: to the model's channels. RGB -> grey is ITU-R BT.601 luma exactly as Pillow's
   ``convert("L")`` computes it, ``(19595 R + 38470 G + 7471 B + 32768) >> 16`` (0.299 R +
   0.587 G + 0.114 B, rounded), so a model trained on images read with Pillow sees the same
   grey; grey -> RGB copies the grey into each channel.
2. **fit** to ``H x W``, one of :data:`FITS`:

   - ``"stretch"``: resize to ``H x W``, ignoring the aspect ratio;
   - ``"crop"``: cut the largest centred box of the model's aspect ratio out of the image, then
     resize it; the box is Keras' ``crop_to_aspect_ratio=True`` (``image_dataset_from_directory``,
     ``Resizing``): ``crop_height = min(h, floor(w * H / W))``, likewise ``crop_width``, its
     start ``floor((h - crop_height) / 2)``;
   - ``"pad"``: resize so the whole image fits (its longer side, relative to the model's shape,
     fills the frame), then centre it on black (0), the fill of Keras'
     ``pad_to_aspect_ratio=True``. Keras pads first (``floor(margin / 2)`` on both sides) and
     resizes after; resizing first gives the same geometry up to a pixel's rounding (an odd
     margin leaves its extra row at the bottom, or column on the right), keeps the bars pure
     black instead of blending the image's edge into them, and never builds a padded copy of
     the full-size photo (a 4000x10 strip would become 4000x4000).

   Resizing averages the source pixels each new pixel covers (``cv2.INTER_AREA``) when
   shrinking, so fine detail blends instead of flickering between samples, and interpolates
   between the four nearest pixels (``cv2.INTER_LINEAR``, bilinear) when enlarging; an image
   that shrinks along one axis and grows along the other is resized one axis at a time. The
   result is the uint8 ``picture``: exactly what the model sees, before scaling.
3. **scale** the picture's values, one of :data:`SCALES`, computed in float32 in the same
   order as Keras, so the numbers match ``keras.applications.imagenet_utils.preprocess_input``
   bit for bit:

   - ``"0..1"``: ``x / 255``;
   - ``"-1..1"``: ``x / 127.5 - 1`` (``preprocess_input(mode="tf")``: MobileNet, Inception,
     Xception, ResNet V2);
   - ``"0..255"``: ``x`` as it is, as float (EfficientNet, ConvNeXt: they scale inside);
   - ``"caffe"``: RGB -> BGR, then subtract ImageNet's mean ``[103.939, 116.779, 123.68]``
     (B, G, R), no scaling (``mode="caffe"``: VGG16, VGG19, ResNet50);
   - ``"torch"``: ``x / 255``, subtract ``[0.485, 0.456, 0.406]``, divide by
     ``[0.229, 0.224, 0.225]`` (R, G, B) (``mode="torch"``: DenseNet).

   ``"caffe"`` and ``"torch"`` are defined per colour channel, so they need an RGB model
   (:func:`scale_problem`). :func:`unscale_pixels` undoes the step, to show what a model got.

This module does the arithmetic; the notes' wording (one sentence per step, in
:attr:`ImageInput.notes`) is in :mod:`app.core.model_input_notes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast, get_args

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from app.core.decoding import DecodedImage, UInt8Array
from app.core.model_input_notes import (
    SCALE_NOTES,
    TO_GREY_NOTE,
    TO_RGB_NOTE,
    cropped_note,
    padded_note,
    plain_note,
    resampling_note,
    stretched_note,
    with_resampling,
)
from app.errors import InvalidParameter
from app.i18n import gettext

FloatArray = NDArray[np.float32]

Fit = Literal["stretch", "crop", "pad"]
Scale = Literal["0..1", "-1..1", "0..255", "caffe", "torch"]
FITS: tuple[Fit, ...] = get_args(Fit)
SCALES: tuple[Scale, ...] = get_args(Scale)
# Scales defined per colour channel (ImageNet's mean and spread of R, G and B).
RGB_ONLY_SCALES: tuple[Scale, ...] = ("caffe", "torch")
CHANNELS = (1, 3)
MIN_SIDE = 8
MAX_SIDE = 512

_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
_TORCH_MEAN_RGB = (0.485, 0.456, 0.406)
_TORCH_STD_RGB = (0.229, 0.224, 0.225)


@dataclass(frozen=True, eq=False)
class ImageInput:
    """The model's input and how it was made.

    ``model_input``: float32 ``(H, W, C)``, exactly what the model is given (add the batch axis:
    ``model_input[None]``). ``picture``: uint8 ``(H, W)`` (C = 1) or ``(H, W, 3)``, the resized
    image before scaling, for display; ``scale_pixels(picture, scale)`` is ``model_input``.
    ``value_range``: the smallest and largest value ``scale`` can produce, over all channels.
    ``notes``: each step in plain words, in order.
    """

    model_input: FloatArray
    picture: UInt8Array
    fit: Fit
    scale: Scale
    value_range: tuple[float, float]
    notes: tuple[str, ...]


def prepare_image(
    image: DecodedImage, input_shape: tuple[int, int, int], fit: Fit, scale: Scale
) -> ImageInput:
    """Turn a decoded image into the input of a model whose input is ``input_shape``.

    ``image.pixels`` is uint8 ``(h, w)`` grey or ``(h, w, 3)`` RGB, already upright and
    composited onto white. ``input_shape`` is the model's ``(H, W, C)`` without the batch axis:
    ``MIN_SIDE <= H, W <= MAX_SIDE``, C in :data:`CHANNELS`. Returns an :class:`ImageInput`
    whose ``model_input`` is float32 ``(H, W, C)`` (see the module docstring for the steps).
    Raises :class:`InvalidParameter` for a shape, fit or scale that cannot work together.
    """
    check_image_settings(input_shape, fit, scale)
    height, width, channels = input_shape
    source = image.pixels
    if fit == "crop":
        top, left, crop_height, crop_width = crop_box(source.shape[:2], (height, width))
        source = source[top : top + crop_height, left : left + crop_width]
    colour_notes: list[str] = []
    # Grey before resizing and RGB after: either way a third of the pixels to resize.
    if channels == 1 and source.ndim == 3:
        source = _to_grey(source)
        colour_notes.append(gettext(TO_GREY_NOTE))
    picture, notes = _fit(source, image.pixels.shape[:2], (height, width), fit)
    if channels == 3 and picture.ndim == 2:
        picture = cast(UInt8Array, cv2.cvtColor(picture, cv2.COLOR_GRAY2RGB))
        colour_notes.append(gettext(TO_RGB_NOTE))
    notes += [*colour_notes, gettext(SCALE_NOTES[scale])]
    return ImageInput(
        model_input=scale_pixels(picture, scale).reshape(input_shape),
        picture=picture,
        fit=fit,
        scale=scale,
        value_range=value_range(scale),
        notes=tuple(notes),
    )


def check_image_settings(input_shape: tuple[int, int, int], fit: str, scale: str) -> None:
    """Raise :class:`InvalidParameter` unless an image model's input shape, fit and scale work
    together: the checks :func:`prepare_image` makes, for a metadata validator to call first."""
    if len(input_shape) != 3:
        raise InvalidParameter(
            "The model's input shape is {input_shape}; an image model takes (height, width, "
            "channels), without the batch axis. Give the model an input such as (224, 224, "
            "3).",
            input_shape=tuple(input_shape),
        )
    height, width, channels = input_shape
    if channels not in CHANNELS or not (
        MIN_SIDE <= height <= MAX_SIDE and MIN_SIDE <= width <= MAX_SIDE
    ):
        raise InvalidParameter(
            "The model's input is {height}x{width}x{channels} (height x width x channels); "
            "image models take 1 (grey) or 3 (RGB) channels and sides from {min_side} to "
            "{max_side} pixels. Use a model whose input fits, such as 224x224x3.",
            height=height,
            width=width,
            channels=channels,
            min_side=MIN_SIDE,
            max_side=MAX_SIDE,
        )
    if fit not in FITS:
        raise InvalidParameter(
            'fit is {fit}; it must be one of {listed}. Use "crop" for photos of one object, '
            '"pad" to keep the whole image, "stretch" to fill the frame.',
            fit=repr(fit),
            listed=_listed(FITS),
        )
    if scale not in SCALES:
        raise InvalidParameter(
            "scale is {scale}; it must be one of {listed}. Use the one the model was trained "
            "with (for keras.applications models, what its preprocess_input does).",
            scale=repr(scale),
            listed=_listed(SCALES),
        )
    refusal = scale_refusal(scale, channels)
    if refusal:
        raise refusal


def scale_problem(scale: Scale, channels: int) -> str | None:
    """Why ``scale`` cannot feed a model with ``channels`` channels, or None if it can."""
    refusal = scale_refusal(scale, channels)
    return refusal.detail if refusal else None


def scale_refusal(scale: Scale, channels: int) -> InvalidParameter | None:
    """:func:`scale_problem` as the error to raise, its message translatable."""
    if scale not in RGB_ONLY_SCALES or channels == 3:
        return None
    others = _listed(tuple(s for s in SCALES if s not in RGB_ONLY_SCALES))
    if scale == "caffe":
        return InvalidParameter(
            'The scale "{scale}" subtracts ImageNet\'s average blue, green and red, one value per '
            "colour channel, so it needs a model with 3 (RGB) input channels; this model takes "
            "{channels}. Use {others} for a grey model, or give the model an RGB input.",
            scale=scale,
            channels=channels,
            others=others,
        )
    return InvalidParameter(
        'The scale "{scale}" normalises red, green and blue by ImageNet\'s average and spread, '
        "one value per colour channel, so it needs a model with 3 (RGB) input channels; this "
        "model takes {channels}. Use {others} for a grey model, or give the model an RGB input.",
        scale=scale,
        channels=channels,
        others=others,
    )


def crop_box(
    source_size: tuple[int, int], target_size: tuple[int, int]
) -> tuple[int, int, int, int]:
    """``(top, left, height, width)`` of the centred box of ``target_size``'s aspect ratio cut
    from an image of ``source_size`` (both ``(height, width)``), as Keras'
    ``crop_to_aspect_ratio=True`` computes it::

        crop_height = max(1, min(h, floor(w * H / W)))   crop_width likewise
        top = floor((h - crop_height) / 2)                left likewise
    """
    (height, width), (target_height, target_width) = source_size, target_size
    crop_height = max(1, min(height, width * target_height // target_width))
    crop_width = max(1, min(width, height * target_width // target_height))
    return (height - crop_height) // 2, (width - crop_width) // 2, crop_height, crop_width


def scale_pixels(picture: UInt8Array, scale: Scale) -> FloatArray:
    """The scale step: uint8 ``(H, W)`` or ``(H, W, C)`` -> float32 of the same shape.

    Computed in float32 in Keras' order (see the module docstring), so ``"-1..1"``,
    ``"caffe"`` and ``"torch"`` equal ``preprocess_input`` with ``mode="tf"``, ``"caffe"`` and
    ``"torch"``. ``"caffe"`` and ``"torch"`` need 3 channels.
    """
    _check_channels(picture, scale)
    values = picture.astype(np.float32)
    if scale == "0..1":
        values /= np.float32(255.0)
    elif scale == "-1..1":
        values /= np.float32(127.5)
        values -= np.float32(1.0)
    elif scale == "caffe":
        values = values[..., ::-1] - np.array(_CAFFE_MEAN_BGR, np.float32)
    elif scale == "torch":
        values /= np.float32(255.0)
        values -= np.array(_TORCH_MEAN_RGB, np.float32)
        values /= np.array(_TORCH_STD_RGB, np.float32)
    return cast(FloatArray, np.ascontiguousarray(values, dtype=np.float32))


def unscale_pixels(model_input: NDArray[np.floating], scale: Scale) -> UInt8Array:
    """The scale step undone: a model input ``(H, W)`` or ``(H, W, C)`` -> a uint8 picture.

    ``(H, W, 1)`` comes back ``(H, W)``, ``(H, W, 3)`` as RGB. Values are rounded to the nearest
    level and clipped to 0..255 (NaN shows as 0), so an input changed by an explanation or a
    dream, which can leave the range, still displays; ``unscale_pixels(scale_pixels(p, s), s)``
    is ``p``.
    """
    _check_channels(model_input, scale)
    values = np.asarray(model_input, dtype=np.float64)
    if scale == "0..1":
        values = values * 255.0
    elif scale == "-1..1":
        values = (values + 1.0) * 127.5
    elif scale == "caffe":
        values = (values + np.array(_CAFFE_MEAN_BGR))[..., ::-1]
    elif scale == "torch":
        values = (values * np.array(_TORCH_STD_RGB) + np.array(_TORCH_MEAN_RGB)) * 255.0
    values = np.nan_to_num(values, nan=0.0, posinf=255.0, neginf=0.0)
    picture = np.rint(np.clip(values, 0.0, 255.0)).astype(np.uint8)
    if picture.ndim == 3 and picture.shape[2] == 1:
        picture = picture[:, :, 0]
    return cast(UInt8Array, np.ascontiguousarray(picture))


def value_range(scale: Scale) -> tuple[float, float]:
    """The smallest and largest value ``scale`` gives pixels 0..255, over every channel."""
    if scale == "0..1":
        return 0.0, 1.0
    if scale == "-1..1":
        return -1.0, 1.0
    if scale == "0..255":
        return 0.0, 255.0
    if scale == "caffe":
        return -max(_CAFFE_MEAN_BGR), 255.0 - min(_CAFFE_MEAN_BGR)
    lows = (-m / s for m, s in zip(_TORCH_MEAN_RGB, _TORCH_STD_RGB, strict=True))
    highs = ((1.0 - m) / s for m, s in zip(_TORCH_MEAN_RGB, _TORCH_STD_RGB, strict=True))
    return min(lows), max(highs)


def _check_channels(values: NDArray[np.generic], scale: Scale) -> None:
    channels = values.shape[2] if values.ndim == 3 else 1
    if values.ndim not in (2, 3) or channels not in CHANNELS:
        raise InvalidParameter(
            "The pixels have shape {shape}; expected (height, width) or (height, width, "
            "channels) with 1 or 3 channels. Pass one image, without the batch axis.",
            shape=values.shape,
        )
    refusal = scale_refusal(scale, channels)
    if refusal:
        raise refusal


def photo_pixels(pixels: UInt8Array, channels: int, side: int) -> UInt8Array:
    """A decoded image ``(H, W)`` or ``(H, W, 3)`` as ``(h, w, channels)``, shrunk (area
    averaging) so that its longer side is at most ``side``; its aspect ratio kept."""
    if channels == 1:
        pixels = _to_grey(pixels) if pixels.ndim == 3 else pixels
    elif pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, np.newaxis], 3, axis=2)
    height, width = pixels.shape[:2]
    fit = min(1.0, side / max(height, width))
    size = (max(1, round(height * fit)), max(1, round(width * fit)))
    return _resize(pixels, size).reshape(size[0], size[1], channels)


def _to_grey(pixels: UInt8Array) -> UInt8Array:
    """RGB -> grey exactly as Pillow's ``convert("L")`` does (its own code, so no rounding
    difference: OpenCV's weights are rounded to 14 bits, Pillow's to 16)."""
    return cast(UInt8Array, np.asarray(Image.fromarray(np.ascontiguousarray(pixels)).convert("L")))


def _fit(
    pixels: UInt8Array, original: tuple[int, ...], target: tuple[int, int], fit: Fit
) -> tuple[UInt8Array, list[str]]:
    """``pixels`` (already cropped for ``"crop"``) resized into ``target``, ``(H, W)``; the
    notes: what happened to the image's size and shape, then how it was resampled."""
    height, width = target
    source = (int(original[0]), int(original[1]))
    if fit == "pad":
        factor = min(height / pixels.shape[0], width / pixels.shape[1])
        inner = (
            min(height, max(1, round(pixels.shape[0] * factor))),
            min(width, max(1, round(pixels.shape[1] * factor))),
        )
        top, left = (height - inner[0]) // 2, (width - inner[1]) // 2
        bottom, right = height - inner[0] - top, width - inner[1] - left
        framed = cast(
            UInt8Array,
            cv2.copyMakeBorder(
                _resize(pixels, inner), top, bottom, left, right, cv2.BORDER_CONSTANT, value=0
            ),
        )
        resampling = resampling_note(source, inner)
        if inner == target:
            return framed, with_resampling(plain_note(source, target), resampling)
        rows = bool(top or bottom)
        bars = (top, bottom) if rows else (left, right)
        note = padded_note(source, inner, target, bars, rows)
        return framed, with_resampling(note, resampling)
    picture = _resize(pixels, target)
    resampling = resampling_note(pixels.shape[:2], target)
    cut_height, cut_width = source[0] - pixels.shape[0], source[1] - pixels.shape[1]
    if fit == "crop" and (cut_height or cut_width):
        top, left, _, _ = crop_box(source, target)
        rows = bool(cut_height)
        cut = (top, cut_height - top) if rows else (left, cut_width - left)
        cropped = (int(pixels.shape[0]), int(pixels.shape[1]))
        note = cropped_note(source, cropped, target, cut, rows)
        return picture, with_resampling(note, resampling)
    if fit == "stretch" and source[1] * height != source[0] * width:
        return picture, with_resampling(stretched_note(source, target), resampling)
    return picture, with_resampling(plain_note(source, target), resampling)


def _resize(pixels: UInt8Array, size: tuple[int, int]) -> UInt8Array:
    """Resize to ``size`` (rows, columns): area averaging to shrink, bilinear to enlarge.

    OpenCV averages areas only when both sides shrink, so a mixed resize is done one axis at a
    time.
    """
    height, width = pixels.shape[:2]
    if (height, width) == size:
        return cast(UInt8Array, np.ascontiguousarray(pixels))
    if (size[0] - height) * (size[1] - width) < 0:
        return _resize(_resize(pixels, (size[0], width)), size)
    shrink = size[0] <= height and size[1] <= width
    method = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    resized = cv2.resize(np.ascontiguousarray(pixels), (size[1], size[0]), interpolation=method)
    return cast(UInt8Array, resized)


def _listed(names: tuple[str, ...]) -> str:
    quoted = [f'"{name}"' for name in names]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]
