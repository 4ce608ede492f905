"""The ink search's own helpers against NumPy, and its fast path against its general one."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from app.core import ink
from app.core.background import border_mask, border_range
from app.core.decoding import DecodedImage
from app.core.ink import Ink, _ink_on_flat_background, _ink_on_surface, find_ink
from app.core.marks import _marks_in, find_marks
from app.core.percentile import percentile, percentile_of_counts


@pytest.mark.parametrize("seed", range(40))
def test_percentile_equals_numpys_to_the_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(25):
        count = int(rng.integers(1, 5000))
        values = (rng.random(count) * float(rng.choice([1e-3, 1.0, 300.0]))).astype(np.float32)
        if seed % 2:  # many ties
            values = (np.round(values * 4) / 4).astype(np.float32)
        q = float(rng.choice([0.0, 10.0, 50.0, 90.0, 99.0, 100.0, 33.3]))
        expected = np.percentile(values, q)
        got = percentile(values, q)
        assert got.dtype == expected.dtype == np.float32
        assert got.tobytes() == expected.tobytes(), (count, q)


def test_percentile_leaves_its_input_unchanged() -> None:
    values = np.arange(10, 0, -1, dtype=np.float32)
    percentile(values, 90.0)
    np.testing.assert_array_equal(values, np.arange(10, 0, -1, dtype=np.float32))


@pytest.mark.parametrize("seed", range(20))
def test_percentile_of_counts_equals_numpys_on_the_repeated_values(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    for _ in range(25):
        levels = int(rng.integers(1, 256))
        values = (rng.random(levels) * 2 - 0.5).astype(np.float32)
        if seed % 2:  # levels that share a value (+ 0: no -0.0, whose rank next to 0.0 is moot)
            values = (np.round(values * 3) / 3 + 0.0).astype(np.float32)
        counts = rng.integers(0, 40, levels) * (rng.random(levels) < 0.6)
        counts[int(rng.integers(levels))] += 1  # at least one value present
        q = float(rng.choice([0.0, 10.0, 50.0, 90.0, 99.0, 100.0, 33.3]))
        expected = np.percentile(np.repeat(values, counts), q)
        got = percentile_of_counts(values, counts.astype(np.intp), q)
        assert got.dtype == np.float32
        assert got.tobytes() == expected.tobytes(), (levels, q)


@pytest.mark.parametrize("seed", range(10))
def test_the_border_range_is_that_of_the_border_mask(seed: int) -> None:
    rng = np.random.default_rng(300 + seed)
    shapes = [(1, 1), (1, 7), (9, 1), (2, 2), *(tuple(rng.integers(1, 400, 2)) for _ in range(8))]
    for shape in shapes:
        grey = rng.integers(40, 200, shape).astype(np.uint8)
        row, col = int(rng.integers(shape[0])), int(rng.integers(shape[1]))
        grey[row, col], grey[-1, 0] = 255, 3  # extremes somewhere, often off the border
        border = grey[border_mask(grey.shape)]
        assert border_range(grey) == (int(border.min()), int(border.max())), shape


def flat_background_images(seed: int) -> list[np.ndarray]:
    """Opaque grey images whose border is one tone: the marks of every kind the ink search
    knows (dark or light strokes of any grey level, anti-aliased, thin, faint, specks, many
    components, both polarities at once) on backgrounds from black to white."""
    rng = np.random.default_rng(seed)
    images = []
    for _ in range(12):
        height, width = (int(n) for n in rng.integers(1, 320, 2))
        if rng.random() < 0.2:
            height, width = (int(n) for n in rng.integers(1, 9, 2))
        tone = int(rng.choice([0, 255, int(rng.integers(0, 256))]))
        image = np.full((height, width), tone, np.uint8)
        ring = max(1, int(min(height, width) / 40))
        inside = image[ring : height - ring, ring : width - ring]
        for _ in range(int(rng.integers(0, 30))):
            level = int(rng.integers(0, 256))
            centre = (int(rng.integers(0, max(1, width))), int(rng.integers(0, max(1, height))))
            if rng.random() < 0.5 and inside.size:
                end = (int(rng.integers(0, max(1, width))), int(rng.integers(0, max(1, height))))
                thickness = int(rng.integers(1, 25))
                cv2.line(inside, centre, end, level, thickness, cv2.LINE_AA)
            elif inside.size:
                cv2.circle(inside, centre, int(rng.integers(0, 6)), level, -1)
        if rng.random() < 0.3 and inside.size:  # noise of a few grey levels inside
            jitter = rng.integers(-3, 4, inside.shape)
            inside[...] = np.clip(inside.astype(int) + jitter, 0, 255).astype(np.uint8)
        images.append(image)
    return images


@pytest.mark.parametrize("seed", range(25))
def test_a_flat_background_gives_what_the_general_path_gives_to_the_bit(seed: int) -> None:
    for grey in flat_background_images(seed):
        border = border_mask(grey.shape)
        assert int(grey[border].min()) == int(grey[border].max())
        shape = (grey.shape[0], grey.shape[1])
        fast = _ink_on_flat_background(grey, int(grey[border][0]), shape, 1.0, ["first"])
        general = _ink_on_surface(grey, None, border, shape, 1.0, ["first"])
        assert fast.image.dtype == general.image.dtype == np.float32
        assert fast.image.tobytes() == general.image.tobytes()
        assert (fast.dark, fast.background, fast.notes, fast.empty_reason) == (
            general.dark,
            general.background,
            general.notes,
            general.empty_reason,
        )


def test_find_ink_takes_the_flat_path_for_an_opaque_drawing_only() -> None:
    grey = np.full((60, 60), 230, np.uint8)
    cv2.line(grey, (10, 10), (50, 45), 20, 6, cv2.LINE_AA)
    rgb = np.dstack([grey] * 3)
    opaque = DecodedImage(rgb, "PNG", "RGBA", alpha=np.full((60, 60), 255, np.uint8))
    seen: list[str] = []
    original = ink._ink_on_flat_background

    def spy(*args: object) -> Ink:
        seen.append("flat")
        return original(*args)  # type: ignore[arg-type]

    ink._ink_on_flat_background = spy  # type: ignore[assignment]
    try:
        found = find_ink(opaque)
        transparent = opaque.alpha.copy()
        transparent[0, 0] = 0
        find_ink(DecodedImage(rgb, "PNG", "RGBA", alpha=transparent))
        # A photo: paper with grain, no one exact tone.
        grain = np.random.default_rng(0).integers(-4, 5, grey.shape)
        photo = np.clip(grey.astype(int) + grain, 0, 255).astype(np.uint8)
        find_ink(DecodedImage(photo, "PNG", "L"))
        # A drawing whose stroke runs along the edge: still one paper tone, so still flat.
        edge = grey.copy()
        cv2.line(edge, (0, 1), (59, 1), 20, 4, cv2.LINE_AA)
        along_edge = find_ink(DecodedImage(edge, "PNG", "L"))
    finally:
        ink._ink_on_flat_background = original  # type: ignore[assignment]
    assert seen == ["flat", "flat"]
    assert not any("brightness varies" in note for note in along_edge.notes)
    assert found.dark and not found.empty


@pytest.mark.parametrize("seed", range(30))
def test_the_marks_found_in_the_inks_box_are_those_of_the_whole_image(seed: int) -> None:
    # Many components, equal areas, marks on the edges, boxes at odd and even offsets.
    rng = np.random.default_rng(500 + seed)
    height, width = (int(n) for n in rng.integers(1, 120, 2))
    weak = np.zeros((height, width), np.uint8)
    box = [int(rng.integers(0, n)) for n in (height, width, height, width)]
    top, bottom = sorted(box[0::2])
    left, right = sorted(box[1::2])
    density = float(rng.choice([0.05, 0.3, 0.6]))
    inside = (slice(top, bottom + 1), slice(left, right + 1))
    weak[inside] = rng.random(weak[inside].shape) < density
    seeds = weak & (rng.random(weak.shape) < float(rng.choice([0.02, 0.3, 1.0]))).view(np.uint8)
    whole = _marks_in(weak, seeds, 0.1, weak.shape)
    found = find_marks(weak, seeds, 0.1)
    if isinstance(whole, str):
        assert found == whole
    else:
        assert not isinstance(found, str)
        marks, specks, window = found
        assert marks.shape == weak[window].shape
        mask = np.zeros_like(weak)
        mask[window] = marks
        assert mask.tobytes() == whole[0].tobytes()  # so no mark lies outside the window
        assert specks == whole[1]
        outside = seeds & whole[0]  # the seeds the ink's strength is measured on
        outside[window] = 0
        assert not outside.any()


def test_no_weak_pixels_at_all_are_no_marks() -> None:
    empty = np.zeros((10, 12), np.uint8)
    assert "no pen strokes to read" in str(find_marks(empty, empty, 0.1))


def test_equal_components_are_told_apart_as_in_the_whole_image() -> None:
    # Two seeded marks of 9 pixels: a 3x3 dot (too small for a digit here) and a 9-pixel line.
    # The largest wins, and of equals the first OpenCV numbers; it labels 2x2 blocks, so the
    # box the search runs in must start on even rows and columns for the numbering to hold.
    weak = np.zeros((40, 200), np.uint8)
    weak[7:10, 50:53] = 1
    weak[6, 100:109] = 1
    whole = _marks_in(weak, weak, 0.1, weak.shape)
    assert isinstance(whole, str) and "only specks" in whole
    assert find_marks(weak, weak, 0.1) == whole


def test_the_no_digit_reasons_speak_in_percentages_not_in_noise_figures() -> None:
    assert ink._no_contrast_reason(0.74, 0.124) == (
        "the marks are too faint to tell apart from the grain of the background: here ink must "
        "be 74% darker or lighter than the background, because the background itself varies by "
        "about 12% from pixel to pixel."
    )
    assert ink._no_contrast_reason(0.1, 0.0) == (
        "nothing in it is even 10% darker or lighter than the background, so there are no pen "
        "strokes to read."
    )
    assert ink._one_tone_reason(1.0) == (
        "the picture is one even shade (100% bright), with nothing drawn on it."
    )
