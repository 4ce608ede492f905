"""Where the ink is in a drawing or photo: background, polarity, and the marks that make a digit.

:func:`find_ink` turns a decoded image into an ink image: float32, ``(h, w)``, ink 1 and
background exactly 0, whichever way round the source was. Its steps, and why each is there:

- **grey**: luminance in [0, 1]. Transparency is composited onto a background that contrasts
  with the strokes (:func:`_composite`). Images over 1024 pixels on a side are first reduced by
  area averaging: the digit ends up 20 pixels tall, and a digit too small to survive that
  reduction (under 2% of the image) would be too small to read anyway.
- **background**: a smooth (quadratic) surface fitted to the border pixels (a ring 1/40 of the
  shorter side wide), refitted without the pixels that stray from it, so a digit touching the
  edge does not bend it. A drawing's background is flat and so is the surface (every step is
  then a table over the 256 grey levels, :func:`_ink_on_flat_background`); a photographed
  page, lit from one side or darker towards the corners, varies across the image, and
  subtracting the surface evens it out. The spread of the border around the surface (median
  absolute deviation) measures the paper's noise. Dark ink is then measured relative to the
  paper's brightness where it lies (Weber contrast), since shade darkens ink and paper alike.
- **polarity**: the marks that differ from the background by at least the ink threshold (0.1,
  or 6 times the noise if that is more) are summed on each side; the side with more is the ink.
- **ink**: connected marks whose contrast exceeds half the threshold (or 3 times the noise) and
  that reach the full threshold somewhere (hysteresis, as in Canny's edge detector: a light
  pencil stroke keeps its faint parts, isolated noise has nothing strong to hang on); the
  largest such component must be at least 1/40 of the image across, or nothing counts as a
  digit; components under 5% of its area are specks and are dropped, so a stray dot cannot
  stretch the bounding box. The kept marks, with a one-pixel margin for their anti-aliased
  edges, are scaled so that the 90th percentile of the ink's strength is 1, then clipped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np
from numpy.typing import NDArray

from app.core.decoding import DecodedImage, UInt8Array

FloatArray = NDArray[np.float32]
# For cast(), aliases such as imaging's UInt8Array: an alias is looked up, where
# NDArray[np.int32] written in the call subscripts a generic on every call (4 us each).
Int32Array = NDArray[np.int32]
Window = tuple[slice, slice]  # rows, columns
WHOLE: Window = (slice(None), slice(None))

WORKING_SIZE = 1024
BORDER_FRACTION = 1 / 40
# Weaker marks are not ink: about 25 grey levels. A light pencil line on white paper differs by
# 0.2 or more; the noise and JPEG ringing of a blank photographed page stays under 0.05.
MIN_CONTRAST = 0.1
MIN_PAPER = 0.05
SEED_NOISE_SIGMAS = 6.0
FLOOR_NOISE_SIGMAS = 3.0
SPECK_FRACTION = 0.05
MIN_EXTENT_FRACTION = 1 / 40
MIN_EXTENT = 3
INK_PERCENTILE = 90.0
FIT_SAMPLES = 2000
_EDGE_KERNEL = np.ones((3, 3), np.uint8)


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
    grey8, alpha8, factor = _working_grey(image, notes)
    if alpha8 is None:
        low8, high8 = _border_range(grey8)
        if low8 == high8:  # a drawing: one tone all round the edge
            return _ink_on_flat_background(grey8, low8, source_shape, factor, notes)
    border = _border_mask(grey8.shape)
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
    grey = _unit(grey8)
    if alpha8 is not None:
        grey = _composite(grey, _unit(alpha8), notes)
    border_values = grey[border]
    low, high = (float(v) for v in cv2.minMaxLoc(border_values)[:2])
    # A flat border (a drawing) is its own median; np.median costs 60 us more.
    background = low if low == high else float(np.median(border_values))
    surface, noise = _background_surface(grey, border, border_values, (low, high), notes)
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
    marks = _marks(as_mask(contrast > low_mark), seeds, threshold)
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
    background = float(_LEVELS[tone])
    surface = np.full(1, _LEVELS[tone], np.float32)
    residual: FloatArray = _LEVELS - surface

    def no_ink(reason: str) -> Ink:
        empty = np.zeros(grey8.shape, np.float32)
        return Ink(empty, False, background, source_shape, factor, tuple(notes), reason)

    grey_low, grey_high = (int(v) for v in cv2.minMaxLoc(grey8)[:2])
    if _one_tone(float(_LEVELS[grey_low]), float(_LEVELS[grey_high])):
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
    contrast = _weber(surface, _LEVELS) if dark else residual
    floor = 0.0
    low_mark = max(floor, MIN_CONTRAST / 2)
    weak = _pixels_at(grey8, contrast > low_mark)
    seeds = _pixels_at(grey8, contrast > threshold)
    marks = _marks(weak, seeds, threshold)
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
    return f"the image is one flat tone (luminance {background:.2f}) with no marks."


def _no_contrast_reason(threshold: float, noise: float) -> str:
    return (
        f"nothing in it differs from the background by {threshold:.2f} or more "
        f"(the background's own noise is about {noise:.3f})."
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
    ignored = f"; {specks} speck{'s' if specks != 1 else ''} ignored" if specks else ""
    return (
        f"Ink: the marks {threshold:.2f} or more {'darker' if dark else 'lighter'} than the "
        f"background, with their fainter edges{ignored}. Scaled so that the ink's typical "
        f"strength ({strength:.2f}) is 1 and the background 0, as MNIST's white on black."
    )


def percentile(values: FloatArray, q: float) -> np.float32:
    """``np.percentile(values, q)`` (its default, linear method) to the bit, for a 1-D float32
    array, without its 130 us of overhead: partition around the two neighbouring ranks and
    interpolate as NumPy's ``_lerp`` does, in float32 (tests compare the two).
    """
    rank = _rank(values.size, q)
    if rank is None:
        return cast(np.float32, values.max())
    lower, weight = rank
    ranked = np.partition(values, (lower, lower + 1))
    return _lerp(ranked[lower], ranked[lower + 1], weight)


def percentile_of_counts(values: FloatArray, counts: NDArray[np.intp], q: float) -> np.float32:
    """:func:`percentile` of the array holding each ``values[i]`` ``counts[i]`` times (at least
    one count above 0), to the bit, without building it."""
    present = counts > 0
    values, counts = values[present], counts[present]
    order = np.argsort(values, kind="stable")
    values, cumulative = values[order], np.cumsum(counts[order])
    rank = _rank(int(cumulative[-1]), q)
    if rank is None:
        return cast(np.float32, values[-1])
    lower, weight = rank
    below, above = np.searchsorted(cumulative, (lower, lower + 1), side="right")
    return _lerp(values[below], values[above], weight)


def _rank(count: int, q: float) -> tuple[int, float] | None:
    """NumPy's linear method: the lower of the two ranks to interpolate between, and the weight
    of the upper one; None when the percentile is the largest value."""
    virtual = (count - 1) * (q / 100)
    if virtual >= count - 1:
        return None
    lower = math.floor(virtual)
    return lower, virtual - lower


def _lerp(below: np.float32, above: np.float32, weight: float) -> np.float32:
    """NumPy's ``_lerp`` between two neighbouring ranks, in float32."""
    step = above - below
    if weight >= 0.5:
        return above - step * (1 - weight)
    return below + step * weight


def _working_grey(
    image: DecodedImage, notes: list[str]
) -> tuple[NDArray[np.uint8], NDArray[np.uint8] | None, float]:
    """Luminance and alpha (uint8), reduced if large, alpha None if opaque; the reduction factor."""
    pixels = image.pixels
    grey = cast(
        UInt8Array, cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY) if pixels.ndim == 3 else pixels
    )
    alpha = image.alpha
    height, width = grey.shape
    factor = max(height, width) / WORKING_SIZE
    if factor > 1.0:
        size = (max(1, round(width / factor)), max(1, round(height / factor)))
        grey = cast(UInt8Array, cv2.resize(grey, size, interpolation=cv2.INTER_AREA))
        if alpha is not None:
            alpha = cast(UInt8Array, cv2.resize(alpha, size, interpolation=cv2.INTER_AREA))
        notes.append(
            f"The {height}x{width} image was reduced to {size[1]}x{size[0]} (averaging areas) to "
            "find the ink; the digit ends up 20 pixels tall either way."
        )
    else:
        factor = 1.0
    if alpha is not None and int(alpha.min()) == 255:
        alpha = None  # opaque: nothing to composite (a canvas export with a filled background)
    return grey, alpha, factor


def _unit(pixels: NDArray[np.uint8]) -> FloatArray:
    return cast(FloatArray, np.multiply(pixels, np.float32(1 / 255), dtype=np.float32))


_LEVELS = _unit(np.arange(256, dtype=np.uint8))  # what each grey level becomes in [0, 1]
_LEVELS.flags.writeable = False


def _composite(grey: FloatArray, alpha: FloatArray, notes: list[str]) -> FloatArray:
    """Composite again, onto a background that contrasts with the strokes.

    ``grey`` arrives composited onto white, ``grey = alpha * colour + (1 - alpha)``, so
    ``grey - (1 - alpha)`` is the premultiplied colour, and adding ``(1 - alpha) * b`` puts it on
    background ``b`` instead. A transparent canvas has its strokes opaque and its background
    transparent, often black at alpha 0: black strokes belong on white, but white strokes would
    vanish there, so the strokes' mean luminance (weighted by alpha) picks white or black.
    Compositing, rather than taking alpha itself as the ink, keeps one path for every source:
    polarity, background and ink are then found the same way as for an opaque image, strokes of
    any colour work, and anti-aliased edges keep their coverage. When most of the image is
    opaque, the opaque part is the picture itself (a photo with rounded or cut-out corners): its
    transparent parts then take its own tone, so they do not look like ink.
    """
    if float(alpha.min()) >= 1.0:
        return grey
    covered = float(alpha.sum())
    if covered == 0.0:
        notes.append("The image is fully transparent: there is nothing drawn on it.")
        return grey
    transparency = 1.0 - alpha
    premultiplied = grey - transparency
    opaque_luminance = float(premultiplied.sum()) / covered
    light = opaque_luminance >= 0.5
    if covered / alpha.size >= 0.5:
        fill = 1.0 if light else 0.0
        why = "most of the image is opaque, so its transparent parts were given its own tone"
    else:
        fill = 0.0 if light else 1.0
        why = "transparent areas were filled to contrast with the strokes"
    notes.append(
        f"The opaque pixels are {'light' if light else 'dark'} (mean luminance "
        f"{opaque_luminance:.2f}): {why}, {'white' if fill else 'black'}."
    )
    if fill == 1.0:
        return grey
    return cast(FloatArray, np.clip(premultiplied, 0.0, 1.0))


def _ring(height: int, width: int) -> int:
    """How many pixels wide the border is."""
    return max(1, int(min(height, width) * BORDER_FRACTION))


def _border_mask(shape: tuple[int, ...]) -> NDArray[np.bool_]:
    height, width = shape
    ring = _ring(height, width)
    border = np.zeros((height, width), bool)
    border[:ring] = border[-ring:] = True
    border[:, :ring] = border[:, -ring:] = True
    return border


def _border_range(grey8: NDArray[np.uint8]) -> tuple[int, int]:
    """The darkest and lightest grey level on the border (``grey8[_border_mask(...)]``), read
    from its four strips in place: no mask to build, no copy of the border."""
    ring = _ring(grey8.shape[0], grey8.shape[1])
    strips = (grey8[:ring], grey8[-ring:], grey8[:, :ring], grey8[:, -ring:])
    extremes = [cv2.minMaxLoc(strip)[:2] for strip in strips]
    return int(min(low for low, _ in extremes)), int(max(high for _, high in extremes))


def _background_surface(
    grey: FloatArray,
    border: NDArray[np.bool_],
    values: FloatArray,
    extremes: tuple[float, float],
    notes: list[str],
) -> tuple[FloatArray, float]:
    """The background's brightness across the image, and the noise around it.

    A quadratic surface ``c0 + c1 x + c2 y + c3 x^2 + c4 x y + c5 y^2`` (``x``, ``y`` from -1 to
    1 across the image) fitted by least squares to the border pixels: a plane for a page lit from
    one side, a bowl for a lens's vignetting, both common in photos. The top and bottom rows fix
    the ``x`` terms, the side columns the ``y`` terms, the corners ``x y``. The fit is done twice,
    the second time without the border pixels more than 3 noise deviations off the first (a
    stroke that reaches the edge); the noise is the robust standard deviation of the border
    around the surface (1.4826 x the median absolute deviation). A border of one tone (a drawing)
    is that tone, with no noise. ``values`` are ``grey[border]``, ``extremes`` their min and max.
    """
    low, high = extremes
    if high - low < 0.5 / 255:
        return np.full((1, 1), (low + high) / 2, np.float32), 0.0
    height, width = grey.shape
    cols, rows = _unit_axis(width), _unit_axis(height)
    row_index, col_index = np.nonzero(border)
    # A few thousand border pixels pin six coefficients down as well as all of them would.
    step = max(1, values.size // FIT_SAMPLES)
    row_index, col_index, targets = row_index[::step], col_index[::step], values[::step]
    x, y = cols[col_index].astype(np.float64), rows[row_index].astype(np.float64)
    design = np.column_stack([np.ones(x.size), x, y, x * x, x * y, y * y])
    targets = targets.astype(np.float64)
    keep = np.ones(targets.size, bool)
    noise = 0.0
    for _ in range(2):
        kept = design[keep]
        # Normal equations (6x6); lstsq copes when a thin image makes them singular. einsum,
        # not matmul: BLAS threads stall on a busy server for products this small.
        normal = np.einsum("ij,ik->jk", kept, kept)
        coefficients = np.linalg.lstsq(normal, np.einsum("ij,i->j", kept, targets[keep]))[0]
        deviation = targets - np.einsum("ij,j->i", design, coefficients)
        noise = 1.4826 * float(np.median(np.abs(deviation[keep])))
        keep = np.abs(deviation) <= max(3.0 * noise, 2.0 / 255)
    c0, c1, c2, c3, c4, c5 = (np.float32(c) for c in coefficients)
    along_x = (c1 + c3 * cols) * cols
    along_y = c0 + (c2 + c5 * rows) * rows
    surface = along_x[np.newaxis, :] + along_y[:, np.newaxis] + c4 * np.outer(rows, cols)
    span = float(surface.max() - surface.min())
    if span >= 0.05:
        notes.append(
            f"The background's brightness varies by {span:.2f} across the image, as on a page "
            "in uneven light; a smooth surface fitted to the border was subtracted to even it out."
        )
    return surface, noise


def _unit_axis(size: int) -> FloatArray:
    """Pixel positions along one side, from -1 to 1 (0 for a side one pixel long)."""
    if size == 1:
        return np.zeros(1, np.float32)
    return np.linspace(-1.0, 1.0, size, dtype=np.float32)


def _marks(
    weak: NDArray[np.uint8], seeds: NDArray[np.uint8], threshold: float
) -> tuple[NDArray[np.uint8], int, Window] | str:
    """The window (rows, columns) outside which there are no marks, the digit's marks inside it
    (uint8 0/1) and how many specks were dropped; or why there are no marks.

    ``weak`` (uint8 0/1) are the pixels that differ from the background towards the ink by more
    than the low mark, ``seeds`` those that reach ``threshold``: each component of ``weak``
    that holds a seed is a mark (hysteresis). The search runs inside the weak pixels' bounding
    box, with a pixel's margin for the marks' edges, which is all of it there is: a digit
    covers a fraction of its canvas.
    """
    left, top, width, height = cv2.boundingRect(weak)
    if width == 0:
        return _no_seeds_reason(threshold)
    # The box starts on an even pixel, so that OpenCV's labelling, which scans 2x2 blocks,
    # numbers the components as it would in the whole image.
    rows = slice(max(0, top - 1) & ~1, min(weak.shape[0], top + height + 1))
    window: Window = (rows, slice(max(0, left - 1) & ~1, min(weak.shape[1], left + width + 1)))
    found = _marks_in(weak[window], seeds[window], threshold, weak.shape)
    if isinstance(found, str):
        return found
    return found[0], found[1], window


def _no_seeds_reason(threshold: float) -> str:
    return f"nothing in it stands out from the background by {threshold:.2f} or more."


def _marks_in(
    weak: NDArray[np.uint8], seeds: NDArray[np.uint8], threshold: float, shape: tuple[int, ...]
) -> tuple[NDArray[np.uint8], int] | str:
    """:func:`_marks` inside a window of an image of ``shape``: the marks and the specks."""
    # Without stats: OpenCV's statistics pass costs several times the labelling itself.
    count, found = cv2.connectedComponents(weak, connectivity=8)
    labels = cast(Int32Array, found)
    # Seeds are weak too (threshold >= low), so their labels are 1 or more; 0 means no seeds.
    first, last = (int(v) for v in cv2.minMaxLoc(labels, seeds)[:2])
    if last == 0:
        return _no_seeds_reason(threshold)
    if first == last:  # one seeded component, as in most drawings: it is the digit
        return _digit_marks(labels, first, shape, specks=0)
    seeded = np.zeros(count, bool)
    seeded[labels[seeds.view(bool)]] = True
    seeded[0] = False
    # Labels as uint8 when they fit (almost always: a digit and a few specks), for OpenCV's
    # histogram and lookup table, several times faster than bincount and fancy indexing.
    small = cast(UInt8Array, labels.astype(np.uint8)) if count <= 256 else None
    if small is not None:
        histogram = cv2.calcHist([small], [0], None, [256], [0, 256]).reshape(-1)[:count]
        counts = histogram.astype(np.int64)
    else:
        counts = np.bincount(labels.ravel(), minlength=count)
    areas = np.where(seeded, counts, 0)
    largest = int(np.argmax(areas))
    kept = areas >= SPECK_FRACTION * areas[largest]
    if int(kept.sum()) == 1:
        return _digit_marks(labels, largest, shape, int(seeded.sum()) - 1)
    specks = int(seeded.sum() - kept.sum())
    if small is not None:
        table = np.zeros(256, np.uint8)
        table[:count] = kept
        chosen = cast(UInt8Array, cv2.LUT(small, table))
    else:
        chosen = kept[labels].astype(np.uint8)
    return _digit_marks(labels, largest, shape, specks, chosen)


def _digit_marks(
    labels: NDArray[np.int32],
    largest: int,
    shape: tuple[int, ...],
    specks: int,
    chosen: NDArray[np.uint8] | None = None,
) -> tuple[NDArray[np.uint8], int] | str:
    """The marks of :func:`_marks_in` once the digit's components are known: the ``largest``
    one must be a digit's size in an image of ``shape``; ``chosen`` (0/1) are all kept
    components, the largest alone if None.
    """
    component = as_mask(labels == largest)
    # The component's rows and columns: with 8-connectivity its extent is its bounding box.
    _, _, extent_w, extent_h = cv2.boundingRect(component)
    height, width = shape
    min_extent = max(MIN_EXTENT, MIN_EXTENT_FRACTION * max(height, width))
    if max(extent_h, extent_w) < min_extent:
        return (
            f"only specks stand out from the background, the largest {extent_h}x{extent_w} "
            f"pixels, too small for a digit (at least {min_extent:.0f} pixels across)."
        )
    if chosen is None:
        chosen = component
    return cast(UInt8Array, cv2.dilate(chosen, _EDGE_KERNEL)), specks


def as_mask(flags: NDArray[np.bool_]) -> NDArray[np.uint8]:
    """A bool array as uint8 0/1 without a copy: the mask type OpenCV takes."""
    return flags.view(np.uint8)
