"""Where the ink is in a drawing or photo: background, polarity, and the marks that make a digit.

:func:`find_ink` turns a decoded image into an ink image: float32, ``(h, w)``, ink 1 and
background exactly 0, whichever way round the source was. Its steps, and why each is there:

- **grey** (:mod:`app.core.luminance`): luminance in [0, 1]. Transparency is composited onto a
  background that contrasts with the strokes (:func:`~app.core.luminance.composite`). Images
  over 1024 pixels on a side are first reduced by area averaging: the digit ends up 20 pixels
  tall, and a digit too small to survive that reduction (under 2% of the image) would be too
  small to read anyway.
- **background** (:mod:`app.core.background`): a smooth (quadratic) surface fitted to the border
  pixels (a ring 1/40 of the shorter side wide), refitted without the pixels that stray from it,
  so a digit touching the edge does not bend it. A drawing's background is flat and so is the
  surface (every step is then a table over the 256 grey levels,
  :func:`_ink_on_flat_background`), even where strokes run along the edge
  (:func:`_drawn_paper`); a photographed page, lit from one side or darker towards the corners,
  varies across the image, and subtracting the surface evens it out. The spread of the
  border around the surface (median absolute deviation) measures the paper's noise. Dark ink is
  then measured relative to the paper's brightness where it lies (Weber contrast), since shade
  darkens ink and paper alike.
- **polarity**: the marks that differ from the background by at least the ink threshold (0.1, or
  6 times the noise if that is more) are summed on each side; the side with more is the ink.
- **ink** (:mod:`app.core.marks`): connected marks whose contrast exceeds half the threshold (or
  3 times the noise) and that reach the full threshold somewhere (hysteresis, as in Canny's edge
  detector: a light pencil stroke keeps its faint parts, isolated noise has nothing strong to
  hang on); the largest such component must be at least 1/40 of the image across, or nothing
  counts as a digit; components under 5% of its area are specks and are dropped, so a stray dot
  cannot stretch the bounding box. The kept marks, with a one-pixel margin for their
  anti-aliased edges, are scaled so that the 90th percentile of the ink's strength is 1, then
  clipped (:mod:`app.core.percentile`: NumPy's percentile, to the bit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np
from numpy.typing import NDArray

from app.core.background import background_surface, border_mask, border_range
from app.core.decoding import DecodedImage, UInt8Array
from app.core.luminance import LEVELS, FloatArray, composite, to_unit, working_grey
from app.core.marks import WHOLE, Window, as_mask, find_marks, no_seeds_reason
from app.core.percentile import percentile, percentile_of_counts
from app.errors import ConvLensError, Phrase
from app.i18n import translate

# Weaker marks are not ink: about 25 grey levels. A light pencil line on white paper differs by
# 0.2 or more; the noise and JPEG ringing of a blank photographed page stays under 0.05.
MIN_CONTRAST = 0.1
MIN_PAPER = 0.05
SEED_NOISE_SIGMAS = 6.0
FLOOR_NOISE_SIGMAS = 3.0
INK_PERCENTILE = 90.0
# A border this much of one exact level, and this little between it and ink, is a drawing's.
DRAWN_PAPER_SHARE = 0.5
DRAWN_FRINGE_SHARE = 0.05


@dataclass(frozen=True, eq=False)
class Ink:
    """The ink image (float32 ``(h, w)``, ink 1, background 0) and what was found on the way.

    ``dark``: the ink is darker than the background. ``background``: the background's
    luminance (median of the border, 0..1). ``source_per_working``: source pixels per pixel of
    ``image`` (above 1 when a large source was reduced). ``empty_reason``: why there is no
    digit, or ``""``. ``window``: the rows and columns of ``image`` outside which it is 0.
    """

    image: FloatArray
    dark: bool
    background: float
    source_shape: tuple[int, int]
    source_per_working: float
    notes: tuple[str, ...]
    empty_reason: str = ""
    window: Window = WHOLE

    @property
    def empty(self) -> bool:
        return bool(self.empty_reason)


def find_ink(image: DecodedImage) -> Ink:
    """The ink of a decoded image: ``pixels`` ``(H, W)`` or ``(H, W, 3)`` uint8, optional alpha."""
    notes: list[str] = []
    source_shape = (int(image.pixels.shape[0]), int(image.pixels.shape[1]))
    grey8, alpha8, factor = working_grey(image, notes)
    if alpha8 is None:
        low8, high8 = border_range(grey8)
        if low8 == high8:  # a drawing: one tone all round the edge
            return _ink_on_flat_background(grey8, low8, source_shape, factor, notes)
    border = border_mask(grey8.shape)
    if alpha8 is None:
        paper = _drawn_paper(grey8[border])
        if paper is not None:  # a drawing whose strokes reach the edge
            return _ink_on_flat_background(grey8, paper, source_shape, factor, notes)
    return _ink_on_surface(grey8, alpha8, border, source_shape, factor, notes)


def _ink_on_surface(
    grey8: NDArray[np.uint8],
    alpha8: NDArray[np.uint8] | None,
    border: NDArray[np.bool_],
    source_shape: tuple[int, int],
    factor: float,
    notes: list[str],
) -> Ink:
    """:func:`find_ink` in general: any background, transparency composited first."""
    grey = to_unit(grey8)
    if alpha8 is not None:
        grey = composite(grey, to_unit(alpha8), notes)
    border_values = grey[border]
    low, high = (float(v) for v in cv2.minMaxLoc(border_values)[:2])
    # A flat border (a drawing) is its own median: no need for np.median's partition.
    background = low if low == high else float(np.median(border_values))
    surface, noise = background_surface(grey, border, border_values, (low, high), notes)
    residual: FloatArray = grey - surface

    def no_ink(reason: str) -> Ink:
        empty = np.zeros_like(grey)
        return Ink(empty, False, background, source_shape, factor, tuple(notes), reason)

    grey_low, grey_high = cv2.minMaxLoc(grey)[:2]
    if _one_tone(grey_low, grey_high):
        return no_ink(_one_tone_reason(background))
    threshold = max(SEED_NOISE_SIGMAS * noise, MIN_CONTRAST)
    darker = float(residual[residual < -threshold].sum())
    lighter = float(residual[residual > threshold].sum())
    if darker == 0.0 and lighter == 0.0:
        return no_ink(_no_contrast_reason(threshold, noise))
    dark = -darker > lighter
    if dark:
        # Light falls on paper and ink alike: in the shaded part of a page the ink is less dark
        # in absolute terms, but as dark relative to the paper around it (Weber contrast). A
        # dark background says nothing about the light, so light ink keeps absolute contrast.
        contrast = _weber(surface, grey)
        noise /= max(background, MIN_PAPER)
        threshold = max(SEED_NOISE_SIGMAS * noise, MIN_CONTRAST)
    else:
        contrast = residual
    floor = FLOOR_NOISE_SIGMAS * noise
    low_mark = max(floor, MIN_CONTRAST / 2)
    seeds = as_mask(contrast > threshold)
    marks = find_marks(as_mask(contrast > low_mark), seeds, threshold)
    if isinstance(marks, str):
        return no_ink(marks)
    mask, specks, window = marks
    marked = contrast[window]  # a view: contrast is this call's own array
    strength = float(percentile(marked[(mask & seeds[window]).view(bool)], INK_PERCENTILE))
    ink_image = np.zeros_like(grey)
    ink_image[window] = _ink_scale(marked, floor, strength) * mask
    notes.append(_ink_note(threshold, dark, specks, strength))
    return Ink(ink_image, dark, background, source_shape, factor, tuple(notes), window=window)


def _ink_on_flat_background(
    grey8: NDArray[np.uint8],
    tone: int,
    source_shape: tuple[int, int],
    factor: float,
    notes: list[str],
) -> Ink:
    """:func:`find_ink` for an opaque image whose border is all grey level ``tone``.

    With a flat border the background surface is that one tone and the noise is 0, so every
    per-pixel quantity (residual, contrast, the marks' thresholds, the scaled ink) depends on
    the pixel's grey level alone. Each is computed once per level, with the same float32
    operations as the general path, and looked up per pixel: the same pixels, notes and
    numbers (tests compare the two paths), with fewer passes over the image. Contrast rises or
    falls with the grey level, so a threshold on it is one on the levels, and its ranks are
    theirs. The one difference: when there are marks both darker and lighter than the
    background, the sums that decide the polarity come from a histogram in float64, not from
    adding the pixels up in float32, so marks that balance to 7 digits could come out the other
    way round.
    """
    background = float(LEVELS[tone])
    surface = np.full(1, LEVELS[tone], np.float32)
    residual: FloatArray = LEVELS - surface

    def no_ink(reason: str) -> Ink:
        empty = np.zeros(grey8.shape, np.float32)
        return Ink(empty, False, background, source_shape, factor, tuple(notes), reason)

    grey_low, grey_high = (int(v) for v in cv2.minMaxLoc(grey8)[:2])
    if _one_tone(float(LEVELS[grey_low]), float(LEVELS[grey_high])):
        return no_ink(_one_tone_reason(background))
    threshold = MIN_CONTRAST  # the noise is 0
    darker_levels, lighter_levels = residual < -threshold, residual > threshold
    # Residual rises with the level: the darkest pixel tells whether any is dark enough.
    has_darker, has_lighter = bool(darker_levels[grey_low]), bool(lighter_levels[grey_high])
    if not (has_darker or has_lighter):
        return no_ink(_no_contrast_reason(threshold, 0.0))
    dark = has_darker  # -darker > lighter = 0
    if has_darker and has_lighter:
        counts = np.bincount(grey8.reshape(-1), minlength=256).astype(np.float64)
        darker = float(counts[darker_levels] @ residual[darker_levels])
        lighter = float(counts[lighter_levels] @ residual[lighter_levels])
        dark = -darker > lighter
    contrast = _weber(surface, LEVELS) if dark else residual
    floor = 0.0
    low_mark = max(floor, MIN_CONTRAST / 2)
    weak = _pixels_at(grey8, contrast > low_mark)
    seeds = _pixels_at(grey8, contrast > threshold)
    marks = find_marks(weak, seeds, threshold)
    if isinstance(marks, str):
        return no_ink(marks)
    mask, specks, window = marks
    # The marks and seeds lie inside the window: the rest of the image is not read again.
    grey_in = grey8[window]
    inked = _histogram(grey_in, cast(UInt8Array, cv2.bitwise_and(mask, seeds[window])))
    strength = float(percentile_of_counts(contrast, inked, INK_PERCENTILE))
    levels = _ink_scale(contrast, floor, strength)  # contrast is this call's own array
    ink_image = np.zeros(grey8.shape, np.float32)
    marked = cast(FloatArray, cv2.LUT(grey_in, levels))
    marked *= mask
    ink_image[window] = marked
    notes.append(_ink_note(threshold, dark, specks, strength))
    return Ink(ink_image, dark, background, source_shape, factor, tuple(notes), window=window)


def _drawn_paper(border_values: NDArray[np.uint8]) -> int | None:
    """The paper's grey level when the border is a drawing's: one exact tone, apart from
    strokes that reach the edge; None for a photo.

    A stroke drawn along the edge of a drawing pad puts ink in the border, and a surface fitted
    to it would bend towards the ink ("the background's brightness varies"), or call the ink
    background altogether. A drawing is told from a photo by its border's histogram: at least
    :data:`DRAWN_PAPER_SHARE` of it is the paper's one level, and under
    :data:`DRAWN_FRINGE_SHARE` lies between the paper and ink (the strokes' anti-aliased
    fringes). A photographed page's noise and shading put most of its border in between.
    """
    counts = np.bincount(border_values, minlength=256)
    paper = int(np.argmax(counts))
    total = int(border_values.size)
    distance = np.abs(np.arange(256) - paper)
    fringe = int(counts[(distance > 0) & (distance < MIN_CONTRAST * 255)].sum())
    if counts[paper] >= DRAWN_PAPER_SHARE * total and fringe < DRAWN_FRINGE_SHARE * total:
        return paper
    return None


def _histogram(grey8: NDArray[np.uint8], mask: NDArray[np.uint8]) -> NDArray[np.intp]:
    """How many pixels under ``mask`` (uint8 0/1) have each of the 256 grey levels.

    OpenCV's histogram reads the pixels under the mask in place, where ``np.bincount(grey8[mask])``
    copies them out first; its float32 counts are exact up to 2**24 pixels, 16 times the largest
    working image.
    """
    counts = cv2.calcHist([grey8], [0], mask, [256], [0, 256])
    return counts.reshape(-1).astype(np.intp)


def _pixels_at(grey8: NDArray[np.uint8], levels: NDArray[np.bool_]) -> NDArray[np.uint8]:
    """uint8 0/1: the pixels whose grey level is one of ``levels`` (a flag per level).

    The levels are a run from black or to white whenever they come from a threshold on a
    quantity that rises or falls with the level; one comparison then does it.
    """
    count = int(np.count_nonzero(levels))
    if levels[:count].all():
        return as_mask(np.less(grey8, count))
    if levels[256 - count :].all():
        return as_mask(np.greater_equal(grey8, 256 - count))
    return cast(UInt8Array, cv2.LUT(grey8, as_mask(levels)))


def _one_tone(grey_low: float, grey_high: float) -> bool:
    return float(np.float32(grey_high) - np.float32(grey_low)) < 1.5 / 255


def _one_tone_reason(background: float) -> str:
    return Phrase(
        ConvLensError(
            "the picture is one even shade ({background:.0%} bright), with nothing drawn on it.",
            background=background,
        )
    )


def _no_contrast_reason(threshold: float, noise: float) -> str:
    if noise * SEED_NOISE_SIGMAS < threshold:
        return no_seeds_reason(threshold)
    return Phrase(
        ConvLensError(
            "the marks are too faint to tell apart from the grain of the background: here ink "
            "must be {threshold:.0%} darker or lighter than the background, because the "
            "background itself varies by about {noise:.0%} from pixel to pixel.",
            threshold=threshold,
            noise=noise,
        )
    )


def _weber(surface: FloatArray, grey: FloatArray) -> FloatArray:
    """Dark ink's contrast relative to the paper: ``(surface - grey) / surface``, the paper
    floored at MIN_PAPER. (``surface - grey`` is the residual negated, to the bit.)"""
    contrast = cast(FloatArray, np.subtract(surface, grey))
    contrast /= np.maximum(surface, np.float32(MIN_PAPER))
    return contrast


def _ink_scale(contrast: FloatArray, floor: float, strength: float) -> FloatArray:
    """In place: ``(contrast - floor)`` scaled so that ``strength`` is 1, clipped to [0, 1]."""
    contrast -= floor
    contrast *= np.float32(1.0 / (strength - floor))
    np.clip(contrast, 0.0, 1.0, out=contrast)
    return contrast


def _ink_note(threshold: float, dark: bool, specks: int, strength: float) -> str:
    """In the request's language: one whole sentence per polarity and count of specks."""
    params = {"threshold": threshold, "specks": specks, "strength": strength}
    match dark, min(specks, 2):
        case True, 0:
            return translate(
                "Ink: the marks {threshold:.2f} or more darker than the background, with their "
                "fainter edges. Scaled so that the ink's typical strength ({strength:.2f}) is 1 "
                "and the background 0, as MNIST's white on black.",
                params,
            )
        case True, 1:
            return translate(
                "Ink: the marks {threshold:.2f} or more darker than the background, with their "
                "fainter edges; {specks} speck ignored. Scaled so that the ink's typical strength "
                "({strength:.2f}) is 1 and the background 0, as MNIST's white on black.",
                params,
            )
        case True, _:
            return translate(
                "Ink: the marks {threshold:.2f} or more darker than the background, with their "
                "fainter edges; {specks} specks ignored. Scaled so that the ink's typical "
                "strength ({strength:.2f}) is 1 and the background 0, as MNIST's white on black.",
                params,
            )
        case False, 0:
            return translate(
                "Ink: the marks {threshold:.2f} or more lighter than the background, with their "
                "fainter edges. Scaled so that the ink's typical strength ({strength:.2f}) is 1 "
                "and the background 0, as MNIST's white on black.",
                params,
            )
        case False, 1:
            return translate(
                "Ink: the marks {threshold:.2f} or more lighter than the background, with their "
                "fainter edges; {specks} speck ignored. Scaled so that the ink's typical strength "
                "({strength:.2f}) is 1 and the background 0, as MNIST's white on black.",
                params,
            )
        case _:
            return translate(
                "Ink: the marks {threshold:.2f} or more lighter than the background, with their "
                "fainter edges; {specks} specks ignored. Scaled so that the ink's typical "
                "strength ({strength:.2f}) is 1 and the background 0, as MNIST's white on black.",
                params,
            )
