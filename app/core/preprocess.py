"""A drawing or photo of a digit -> the ``(28, 28)`` input an MNIST model expects.

MNIST's digits were made from black-and-white NIST scans in two steps (LeCun et al., 1998): each
digit was scaled to fit a 20x20 box keeping its aspect ratio (the anti-aliasing of that scaling
made the grey edge pixels), then placed in a 28x28 frame so that its centre of mass sat at the
centre. A model trained on MNIST has seen nothing else: white ink (1.0) on black (0.0), the
longer side 20 pixels, strokes 2-3 pixels wide, centred by mass. A digit drawn anywhere on a
canvas, or photographed on paper, is classified about as well as MNIST's own test digits once it
has gone through the same steps, which :func:`prepare_digit` applies and records:

1. **grey**: luminance (ITU-R 601) in [0, 1]; transparent pixels are composited onto a
   background that contrasts with the strokes (see :mod:`app.core.ink`);
2. **ink**: the background, a smooth surface fitted to the border pixels, is subtracted, so
   uneven lighting on a photographed page evens out; the marks that stand out from it, and from
   the paper's own noise, are the ink; the side they lie on (darker or lighter) is the
   polarity; ink is scaled to 1 and the background set to 0;
3. **crop** to the ink's bounding box;
4. **thicken** strokes that would end up thinner than MNIST's thinnest (a fine pen on a big
   canvas shrinks to a faint hairline that MNIST models misread);
5. **fit** into 20x20 keeping the aspect ratio, averaging areas (``cv2.INTER_AREA``) when
   shrinking so that thin strokes fade instead of vanishing between samples;
6. **centre**: pad to 28x28 and shift by whole pixels so the centre of mass is at pixel
   ``(14, 14)``, counting from 0. That is MNIST's convention, measured on its 10,000 test
   digits: their centres of mass average (13.99, 14.01) and every one lies within half a pixel
   of (14, 14), the mark of a whole-pixel shift onto pixel 14.

The polarity and each step from 3 on can be switched off with :class:`DigitOptions`, to see
what it does. Finding the ink is :mod:`app.core.ink`; this module shapes it into MNIST's frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, cast

import cv2
import numpy as np

from app.core.decoding import DecodedImage
from app.core.ink import Ink, find_ink
from app.core.luminance import FloatArray
from app.core.marks import WHOLE, Window, as_mask
from app.errors import NoDigit, Phrase, as_message
from app.i18n import gettext, translate

InvertMode = Literal["auto", "yes", "no"]

INPUT_SIZE = 28
FIT_SIZE = 20
MASS_CENTRE = 14.0
# MNIST's strokes at 28x28, measured as 2 * area / perimeter of the pixels above 0.5 (the width
# of a long stroke): median about 2, 5th percentile 1.3, 0.5th percentile 1.0. Strokes that
# would end up thinner than 1.0 are thickened to 1.8. Measured on the shipped LeNet-5: five
# digits drawn with a one-pixel line on a 280x280 canvas were read 2 of 5 right (confidence
# under 0.5) as they were, 5 of 5 (confidence 1.00) thickened; MNIST test digits re-drawn with
# strokes eroded to 0.6-0.8 pixels were read 89% right as they were and 93% thickened, and
# from 0.8 up thickening changed nothing. It is rounded to whole source pixels, so a source
# near the model's own scale (MNIST itself: 1 of its first 1,000 test digits) is practically
# never thickened.
MIN_STROKE = 1.0
TARGET_STROKE = 1.8


@dataclass(frozen=True)
class DigitOptions:
    """Which steps to apply; every default is what MNIST did.

    ``invert``: ``"auto"`` makes the ink white on black whatever the source; ``"yes"`` shows the
    source's luminance inverted and ``"no"`` shows it as it is (ink and background scaled to
    0 and 1 either way), so a dark-on-light drawing with ``"no"`` reaches the model as MNIST
    never looked. ``crop``: cut the image to the ink's bounding box first. ``fit``: scale into
    20x20 keeping the aspect ratio (off: stretch the whole image onto 28x28). ``center``: shift
    the centre of mass to pixel (14, 14) (off: centre the bounding box). ``thicken``: strokes
    that would end up thinner than MNIST's thinnest (a fine pen on a large canvas) are widened
    to its typical 1.8 pixels before scaling.
    """

    invert: InvertMode = "auto"
    crop: bool = True
    fit: bool = True
    center: bool = True
    thicken: bool = True


@dataclass(frozen=True)
class InkBox:
    """The ink's bounding box in source pixels: rows ``top:top+height``, columns likewise."""

    top: int
    left: int
    height: int
    width: int


@dataclass(frozen=True, eq=False)
class DigitInput:
    """The model's input and how it was made.

    ``model_input``: float32 ``(28, 28)`` in [0, 1], exactly what the model is given (add the
    batch and channel axes: ``model_input[None, :, :, None]``). ``empty``: no ink was found;
    ``model_input`` is then all zeros and ``message`` says why. ``inverted``: the source's
    luminance was inverted. ``background``: the background's luminance in the source, 0..1.
    ``ink_box``: the ink's bounding box in source pixels. ``scale``: model pixels per source
    pixel, ``(rows, columns)``; the two are equal unless ``fit`` is off. ``shift``: whole pixels
    ``(down, right)`` that centring moved the digit by. ``center_of_mass``: ``(row, column)`` of
    the ink in ``model_input``. ``notes``: each step in plain words, in order.
    """

    model_input: FloatArray
    empty: bool
    message: str
    inverted: bool
    polarity: str
    background: float
    ink_box: InkBox | None = None
    scale: tuple[float, float] | None = None
    shift: tuple[int, int] = (0, 0)
    center_of_mass: tuple[float, float] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def prepare_digit(image: DecodedImage, options: DigitOptions | None = None) -> DigitInput:
    """Turn a decoded drawing or photo of one digit into the 28x28 input of an MNIST model.

    ``image.pixels`` is ``(H, W)`` or ``(H, W, 3)`` uint8, with ``image.alpha`` ``(H, W)`` when
    the source had transparency. Returns a :class:`DigitInput` whose ``model_input`` is float32
    ``(28, 28)`` in [0, 1]: white ink on black, the longer side of the ink 20 pixels, its centre
    of mass at pixel (14, 14), as in MNIST (unless ``options`` switch steps off). An image with
    no ink (blank, one flat tone, noise or specks only) comes back with ``empty=True``.
    """
    options = options or DigitOptions()
    if options.invert not in ("auto", "yes", "no"):
        raise ValueError(f'invert must be "auto", "yes" or "no", got {options.invert!r}.')
    ink = find_ink(image)
    notes = list(ink.notes)
    if ink.empty:
        message = Phrase(
            NoDigit(
                "No digit found: {reason} Draw a digit, or upload a photo of one, and try again.",
                reason=as_message(ink.empty_reason),
            )
        )
        return DigitInput(
            np.zeros((INPUT_SIZE, INPUT_SIZE), np.float32),
            empty=True,
            message=message,
            inverted=False,
            polarity=gettext("No ink was found, so there was no polarity to decide."),
            background=ink.background,
            notes=(*notes, message),
        )

    inverted, polarity, flip_output = _polarity(ink, options.invert)
    notes.append(polarity)
    box = _bounding_box(ink.image, ink.window)
    region = ink.image[box[0] : box[0] + box[2], box[1] : box[1] + box[3]]
    if options.crop:
        notes.append(
            translate(
                "Cropped to the ink: {height}x{width} pixels (height x width), as MNIST's digits "
                "were measured by their ink alone.",
                {"height": box[2], "width": box[3]},
            )
        )
    else:
        region = ink.image
        notes.append(gettext("Crop is off: the whole image, margins included, is scaled."))

    if options.thicken:
        region = _thicken(region, FIT_SIZE if options.fit else INPUT_SIZE, notes)
    patch, scale = _fit(region, options.fit, notes)
    canvas, shift = _place(patch, options.center, notes)
    center_of_mass = _center_of_mass(canvas)
    model_input = 1.0 - canvas if flip_output else canvas
    factor = ink.source_per_working
    source_scale = (scale[0] / factor, scale[1] / factor)
    return DigitInput(
        model_input.astype(np.float32, copy=False),
        empty=False,
        message=gettext("A digit was found and prepared the way MNIST's digits were."),
        inverted=inverted,
        polarity=polarity,
        background=ink.background,
        ink_box=_source_box(box, factor, ink.source_shape),
        scale=source_scale,
        shift=shift,
        center_of_mass=center_of_mass,
        notes=tuple(notes),
    )


def _polarity(ink: Ink, invert: InvertMode) -> tuple[bool, str, bool]:
    """(inverted, what was decided and why, whether the model sees dark ink on light).

    The ink itself is always found on the side where the marks are (``Ink.dark``); ``invert``
    only decides what the model is shown.
    """
    if invert == "auto":
        return ink.dark, _polarity_note(ink.dark, ink.background, None), False
    inverted = invert == "yes"
    flip_output = inverted != ink.dark
    return inverted, _polarity_note(ink.dark, ink.background, inverted), flip_output


def _polarity_note(dark: bool, background: float, inverted: bool | None) -> str:
    """What was decided of the ink's polarity and why, one whole sentence per case (``inverted``
    None: decided automatically)."""
    on_light = background >= 0.5
    params = {"luminance": background}
    match dark, on_light, inverted:
        case True, True, None:
            return translate(
                "The marks are dark ink on a light background (luminance {luminance:.2f}): "
                "inverted to white on black, as in MNIST.",
                params,
            )
        case True, False, None:
            return translate(
                "The marks are dark ink on a dark background (luminance {luminance:.2f}): "
                "inverted to white on black, as in MNIST.",
                params,
            )
        case False, True, None:
            return translate(
                "The marks are light ink on a light background (luminance {luminance:.2f}): "
                "kept, as in MNIST.",
                params,
            )
        case False, False, None:
            return translate(
                "The marks are light ink on a dark background (luminance {luminance:.2f}): "
                "kept, as in MNIST.",
                params,
            )
        case True, True, True:
            return translate(
                "The marks are dark ink on a light background (luminance {luminance:.2f}); "
                "inverted as asked: the model sees white ink on black.",
                params,
            )
        case True, False, True:
            return translate(
                "The marks are dark ink on a dark background (luminance {luminance:.2f}); "
                "inverted as asked: the model sees white ink on black.",
                params,
            )
        case True, True, False:
            return translate(
                "The marks are dark ink on a light background (luminance {luminance:.2f}); "
                "not inverted as asked: the model sees dark ink on a light background, which "
                "MNIST models never saw.",
                params,
            )
        case True, False, False:
            return translate(
                "The marks are dark ink on a dark background (luminance {luminance:.2f}); "
                "not inverted as asked: the model sees dark ink on a light background, which "
                "MNIST models never saw.",
                params,
            )
        case False, True, True:
            return translate(
                "The marks are light ink on a light background (luminance {luminance:.2f}); "
                "inverted as asked: the model sees dark ink on a light background, which MNIST "
                "models never saw.",
                params,
            )
        case False, False, True:
            return translate(
                "The marks are light ink on a dark background (luminance {luminance:.2f}); "
                "inverted as asked: the model sees dark ink on a light background, which MNIST "
                "models never saw.",
                params,
            )
        case False, True, _:
            return translate(
                "The marks are light ink on a light background (luminance {luminance:.2f}); "
                "not inverted as asked: the model sees white ink on black.",
                params,
            )
        case _:
            return translate(
                "The marks are light ink on a dark background (luminance {luminance:.2f}); "
                "not inverted as asked: the model sees white ink on black.",
                params,
            )


def _bounding_box(ink_image: FloatArray, window: Window = WHOLE) -> tuple[int, int, int, int]:
    """(top, left, height, width) of the non-zero pixels, which lie inside ``window``; the
    caller has checked there are some.

    Every pixel above zero counts, as in MNIST, whose digits' boxes measured at threshold 0 have
    a longer side of exactly 20 (9,997 of the 10,000 test digits; the others 19).
    """
    left, top, width, height = cv2.boundingRect(as_mask(ink_image[window] > 0))
    return top + (window[0].start or 0), left + (window[1].start or 0), height, width


def _stroke_width(region: FloatArray) -> float:
    """Typical stroke width in pixels: ``2 * area / perimeter`` of the pixels above 0.5.

    A stroke ``w`` wide and ``l`` long has area ``w * l`` and perimeter ``2 * (w + l)``, so for
    long strokes this is ``w``; the perimeter counts pixel edges between ink and not-ink.
    """
    ink = as_mask(region > 0.5)
    area = cv2.countNonZero(ink)
    if area == 0:
        return 0.0
    # With a ring of not-ink around it, the edges on the region's border are counted as the
    # changes between neighbours too.
    ringed = cv2.copyMakeBorder(ink, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    edges = cv2.countNonZero(cv2.bitwise_xor(ringed[1:], ringed[:-1]))
    edges += cv2.countNonZero(cv2.bitwise_xor(ringed[:, 1:], ringed[:, :-1]))
    return 2.0 * area / edges


def _thicken(region: FloatArray, size: int, notes: list[str]) -> FloatArray:
    """Widen strokes that would be thinner than MIN_STROKE once the region's longer side is
    ``size`` pixels, to TARGET_STROKE: every pixel within ``n`` of the ink becomes ink, as if
    a round brush were drawn along the strokes.

    Growing the strokes by ``n`` pixels on each side also grows the region by ``2 n``, so ``n``
    solves ``(width + 2 n) * size / (longer + 2 n) = TARGET_STROKE``.
    """
    longer = max(region.shape)
    width = _stroke_width(region)
    if width * size / longer >= MIN_STROKE:
        return region
    grow = round((TARGET_STROKE * longer - size * width) / (2.0 * (size - TARGET_STROKE)))
    if grow < 1:  # a source near the model's own scale: a pixel more would overshoot
        return region
    padded = cv2.copyMakeBorder(region, grow, grow, grow, grow, cv2.BORDER_CONSTANT, value=0.0)
    # Distance to the nearest ink pixel, in one pass whatever the brush size (a dilation with
    # a large disk costs its area per pixel); the brush's rim is anti-aliased over one pixel.
    outside = (padded <= 0.5).astype(np.uint8)
    distance = cv2.distanceTransform(outside, cv2.DIST_L2, cv2.DIST_MASK_5)
    brush = np.clip(grow + 0.5 - distance, 0.0, 1.0)
    notes.append(
        translate(
            "The strokes are about {width:.1f} pixels wide, which would be {scaled:.2g} after "
            "scaling, thinner than MNIST's (1 to 3, typically {target}): thickened by {grow} "
            "pixels on each side, to about {target}.",
            {
                "width": width,
                "scaled": width * size / longer,
                "target": TARGET_STROKE,
                "grow": grow,
            },
        )
    )
    return cast(FloatArray, np.maximum(padded, brush))


def _fit(region: FloatArray, fit: bool, notes: list[str]) -> tuple[FloatArray, tuple[float, float]]:
    """Scale the region into 20x20 keeping its aspect ratio, or (``fit`` off) onto 28x28.

    Returns the scaled region and the scale factor (rows, columns): with ``fit`` one factor,
    20 / the longer side (the shorter side's pixel count is rounded), without it one per axis.
    """
    height, width = region.shape
    if fit:
        factor = FIT_SIZE / max(height, width)
        size = (max(1, round(height * factor)), max(1, round(width * factor)))
        notes.append(
            translate(
                "Scaled by {factor:.3g} to {height}x{width}, so that the longer side is {fit} "
                "pixels, keeping the aspect ratio: MNIST's digits fill a 20x20 box.",
                {"factor": factor, "height": size[0], "width": size[1], "fit": FIT_SIZE},
            )
        )
        return _resize(region, size), (factor, factor)
    notes.append(
        translate(
            "Fit is off: the {height}x{width} image is stretched onto {side}x{side}, filling the "
            "frame (MNIST's digits keep their shape and a 4-pixel margin).",
            {"height": height, "width": width, "side": INPUT_SIZE},
        )
    )
    return _resize(region, (INPUT_SIZE, INPUT_SIZE)), (INPUT_SIZE / height, INPUT_SIZE / width)


def _resize(region: FloatArray, size: tuple[int, int]) -> FloatArray:
    """Resize to ``size`` (rows, columns): area averaging to shrink, bilinear to enlarge.

    OpenCV averages areas only when both sides shrink, so a mixed resize is done one axis at a
    time.
    """
    height, width = region.shape
    if (height, width) == size:
        return region
    if (size[0] - height) * (size[1] - width) < 0:
        return _resize(_resize(region, (size[0], width)), size)
    shrink = size[0] <= height and size[1] <= width
    method = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    resized = cv2.resize(region, (size[1], size[0]), interpolation=method)
    return cast(FloatArray, np.clip(resized.reshape(size), 0.0, 1.0))


def _place(patch: FloatArray, center: bool, notes: list[str]) -> tuple[FloatArray, tuple[int, int]]:
    """Pad to 28x28 with the patch's box centred, then shift it so its mass is at (14, 14).

    The shift is in whole pixels, as MNIST's was, and is limited so that no ink leaves the frame.
    """
    canvas = np.zeros((INPUT_SIZE, INPUT_SIZE), np.float32)
    height, width = patch.shape
    top, left = (INPUT_SIZE - height) // 2, (INPUT_SIZE - width) // 2
    canvas[top : top + height, left : left + width] = patch
    if not center:
        notes.append(
            gettext(
                "Centring is off: the digit's box sits in the middle of the 28x28 frame, "
                "wherever its mass lies."
            )
        )
        return canvas, (0, 0)
    row, col = _center_of_mass(canvas)
    top, left, height, width = _bounding_box(canvas)
    down = min(max(math.floor(MASS_CENTRE - row + 0.5), -top), INPUT_SIZE - top - height)
    right = min(max(math.floor(MASS_CENTRE - col + 0.5), -left), INPUT_SIZE - left - width)
    shifted = np.zeros_like(canvas)
    shifted[_span(down), _span(right)] = canvas[_span(-down), _span(-right)]
    notes.append(
        translate(
            "Padded to {side}x{side} and shifted {down} down and {right} right, so that the "
            "centre of mass (was row {row:.1f}, column {col:.1f}) falls on pixel (14, 14), where "
            "MNIST put it.",
            {"side": INPUT_SIZE, "down": down, "right": right, "row": row, "col": col},
        )
    )
    return shifted, (down, right)


def _span(offset: int) -> slice:
    """Where a row (or column) range lands when moved by ``offset`` inside the frame."""
    return slice(max(offset, 0), INPUT_SIZE + min(offset, 0))


def _center_of_mass(canvas: FloatArray) -> tuple[float, float]:
    """(row, column) of the centre of mass, counting pixels from 0."""
    total = float(canvas.sum())
    if total <= 0.0:
        return (INPUT_SIZE - 1) / 2, (INPUT_SIZE - 1) / 2
    rows = float(canvas.sum(axis=1) @ np.arange(canvas.shape[0])) / total
    cols = float(canvas.sum(axis=0) @ np.arange(canvas.shape[1])) / total
    return rows, cols


def _source_box(
    box: tuple[int, int, int, int], factor: float, source_shape: tuple[int, int]
) -> InkBox:
    """A box in working pixels, in source pixels (the same unless the source was reduced)."""
    top, left, height, width = box
    if factor == 1.0:
        return InkBox(top, left, height, width)
    top_s, left_s = math.floor(top * factor), math.floor(left * factor)
    bottom_s = min(source_shape[0], math.ceil((top + height) * factor))
    right_s = min(source_shape[1], math.ceil((left + width) * factor))
    return InkBox(top_s, left_s, bottom_s - top_s, right_s - left_s)
