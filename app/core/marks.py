"""The digit's marks: connected ink found by hysteresis, specks dropped, a digit's size checked.

Marks are the connected components of the weak pixels (those past the low mark) that hold a seed
(a pixel past the full threshold), as in Canny's edge detector: a light pencil stroke keeps its
faint parts, isolated noise has nothing strong to hang on. The largest mark must be at least
:data:`MIN_EXTENT_FRACTION` of the image across, or nothing counts as a digit; marks under
:data:`SPECK_FRACTION` of its area are specks and are dropped, so a stray dot cannot stretch the
bounding box. The kept marks get a one-pixel margin for their anti-aliased edges.
"""

from __future__ import annotations

from typing import cast

import cv2
import numpy as np
from numpy.typing import NDArray

from app.core.decoding import UInt8Array
from app.errors import ConvLensError, Phrase

# For cast(), as decoding's UInt8Array: an alias is looked up, where NDArray[np.int32] written in
# the call subscripts a generic on every call.
Int32Array = NDArray[np.int32]
Window = tuple[slice, slice]  # rows, columns
WHOLE: Window = (slice(None), slice(None))

SPECK_FRACTION = 0.05
MIN_EXTENT_FRACTION = 1 / 40
MIN_EXTENT = 3
_EDGE_KERNEL = np.ones((3, 3), np.uint8)


def find_marks(
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
        return no_seeds_reason(threshold)
    # The box starts on an even pixel, so that OpenCV's labelling, which scans 2x2 blocks,
    # numbers the components as it would in the whole image.
    rows = slice(max(0, top - 1) & ~1, min(weak.shape[0], top + height + 1))
    window: Window = (rows, slice(max(0, left - 1) & ~1, min(weak.shape[1], left + width + 1)))
    found = _marks_in(weak[window], seeds[window], threshold, weak.shape)
    if isinstance(found, str):
        return found
    return found[0], found[1], window


def no_seeds_reason(threshold: float) -> str:
    return Phrase(
        ConvLensError(
            "nothing in it is even {threshold:.0%} darker or lighter than the background, so "
            "there are no pen strokes to read.",
            threshold=threshold,
        )
    )


def _marks_in(
    weak: NDArray[np.uint8], seeds: NDArray[np.uint8], threshold: float, shape: tuple[int, ...]
) -> tuple[NDArray[np.uint8], int] | str:
    """:func:`find_marks` inside a window of an image of ``shape``: the marks and the specks."""
    # Without stats: OpenCV's statistics pass costs several times the labelling itself.
    count, found = cv2.connectedComponents(weak, connectivity=8)
    labels = cast(Int32Array, found)
    # Seeds are weak too (threshold >= low), so their labels are 1 or more; 0 means no seeds.
    first, last = (int(v) for v in cv2.minMaxLoc(labels, seeds)[:2])
    if last == 0:
        return no_seeds_reason(threshold)
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
        return Phrase(
            ConvLensError(
                "only specks stand out from the background, the largest {extent_h}x{extent_w} "
                "pixels; a digit must be at least {min_extent:.0f} pixels across.",
                extent_h=extent_h,
                extent_w=extent_w,
                min_extent=min_extent,
            )
        )
    if chosen is None:
        chosen = component
    return cast(UInt8Array, cv2.dilate(chosen, _EDGE_KERNEL)), specks


def as_mask(flags: NDArray[np.bool_]) -> NDArray[np.uint8]:
    """A bool array as uint8 0/1 without a copy: the mask type OpenCV takes."""
    return flags.view(np.uint8)
