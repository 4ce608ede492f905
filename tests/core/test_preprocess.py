"""Drawings and photos of a digit -> MNIST's 28x28 layout, whatever the source looked like."""

import cv2
import numpy as np
import pytest

from app.core.decoding import DecodedImage
from app.core.preprocess import DigitInput, DigitOptions, _stroke_width, prepare_digit
from tests.drawings import (
    STYLES,
    decode,
    jpeg,
    mnist_test_set,
    paste,
    photo,
    png,
    render,
    strokes,
)

# A few MNIST test digits of different shapes: 7, 2, 1, 0, 4, 9, 6, 3.
DIGITS = [0, 1, 2, 3, 4, 7, 11, 18]
PLAIN_HEIGHT, PLAIN_TOP, PLAIN_LEFT = 180, 50, 60


def grey(pixels: np.ndarray) -> DecodedImage:
    return DecodedImage(np.ascontiguousarray(pixels, dtype=np.uint8), "PNG", "L")


def prepared(image: DecodedImage, **options: object) -> DigitInput:
    result = prepare_digit(image, DigitOptions(**options))
    assert result.model_input.shape == (28, 28)
    assert result.model_input.dtype == np.float32
    assert result.model_input.min() >= 0.0 and result.model_input.max() <= 1.0
    return result


def plain(index: int) -> np.ndarray:
    """The reference: the digit drawn white on black, 180 pixels tall, near the middle."""
    ink = paste(strokes(mnist_test_set()[0][index], PLAIN_HEIGHT), PLAIN_TOP, PLAIN_LEFT)
    return prepared(render(ink, "white_on_black")).model_input


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Correlation, allowing a one-pixel shift: centring shifts by whole pixels, and a centre
    of mass near a half pixel can round either way."""
    return max(
        float(np.corrcoef(a.ravel(), np.roll(b, (dy, dx), (0, 1)).ravel())[0, 1])
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    )


def ink_box(image: np.ndarray) -> tuple[int, int]:
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    return int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


def center_of_mass(image: np.ndarray) -> tuple[float, float]:
    rows, cols = np.indices(image.shape)
    total = image.sum()
    return float((image * rows).sum() / total), float((image * cols).sum() / total)


# --- MNIST's own conventions, measured on MNIST, and the pipeline keeping them ---


def test_mnist_centres_its_digits_by_mass_on_pixel_14_by_whole_pixel_shifts():
    digits = mnist_test_set()[0].astype(np.float64)
    rows, cols = np.indices((28, 28))
    mass = digits.sum(axis=(1, 2))
    row = (digits * rows).sum(axis=(1, 2)) / mass
    col = (digits * cols).sum(axis=(1, 2)) / mass
    assert abs(row.mean() - 14.0) < 0.02 and abs(col.mean() - 14.0) < 0.02
    assert np.abs(row - 14.0).max() <= 0.51 and np.abs(col - 14.0).max() <= 0.51


def test_mnist_digits_fill_a_20x20_box_with_their_longer_side():
    longer = [max(ink_box(digit)) for digit in mnist_test_set()[0]]
    assert np.mean(np.equal(longer, 20)) > 0.999
    assert min(longer) >= 19  # a handful of the full 10,000 are 19 pixels long


def test_an_mnist_test_digit_comes_back_almost_unchanged():
    digits = mnist_test_set()[0][:300]
    differences = []
    for digit in digits:
        result = prepared(grey(digit))
        expected = digit.astype(np.float32) / 255
        differences.append(np.abs(result.model_input - expected).mean())
        # A centre of mass on a half pixel may round the other way: one pixel off at most.
        assert similarity(expected, result.model_input) > 0.98
    assert np.median(differences) < 0.002
    assert np.mean(np.less(differences, 0.01)) > 0.98


@pytest.mark.parametrize("index", DIGITS)
@pytest.mark.parametrize("style", STYLES)
def test_the_result_is_centred_by_mass_within_half_a_pixel_of_14(index, style):
    ink = paste(strokes(mnist_test_set()[0][index], 150, thickness=1), 100, 20)
    result = prepared(render(ink, style, seed=index))
    row, col = center_of_mass(result.model_input)
    assert abs(row - 14.0) <= 0.5 and abs(col - 14.0) <= 0.5
    assert result.center_of_mass == pytest.approx((row, col), abs=1e-4)


@pytest.mark.parametrize("index", DIGITS)
def test_the_inks_longer_side_is_20_pixels_and_the_aspect_ratio_is_kept(index):
    ink = strokes(mnist_test_set()[0][index], 200)
    drawn_height, drawn_width = ink_box(ink)
    result = prepared(render(paste(ink, 30, 40), "black_on_white"))
    height, width = ink_box(result.model_input)
    assert max(height, width) == 20
    assert width == round(drawn_width * 20 / drawn_height)
    assert result.scale == (20 / drawn_height, 20 / drawn_height)


# --- The same digit, drawn or photographed differently, gives nearly the same input ---

VARIANTS = {
    # name: (height, thickness, top, left, style, least similarity)
    "in the top-right corner": (180, 0, 0, -1, "white_on_black", 0.99),
    "in the bottom-left corner": (180, 0, -1, 0, "white_on_black", 0.99),
    "large, filling the canvas": (270, 0, 5, 10, "white_on_black", 0.99),
    "small, 60 pixels tall": (60, 0, 200, 20, "white_on_black", 0.85),
    "thin strokes": (180, -3, 50, 60, "white_on_black", 0.85),
    "thick strokes": (180, 4, 50, 60, "white_on_black", 0.85),
    "dark on light": (180, 0, 50, 60, "black_on_white", 0.99),
    "black ink on a transparent canvas": (180, 0, 50, 60, "transparent_black", 0.99),
    "white ink on a transparent canvas": (180, 0, 50, 60, "transparent_white", 0.99),
    "photographed on unevenly lit paper (JPEG)": (180, 0, 50, 60, "paper_photo", 0.97),
}


@pytest.mark.parametrize("index", DIGITS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_the_same_digit_drawn_differently_gives_nearly_the_same_input(index, variant):
    height, thickness, top, left, style, least = VARIANTS[variant]
    ink = strokes(mnist_test_set()[0][index], height, thickness)
    top = 280 - ink.shape[0] if top < 0 else top
    left = 280 - ink.shape[1] if left < 0 else left
    result = prepared(render(paste(ink, top, left), style, seed=index))
    assert not result.empty
    assert similarity(plain(index), result.model_input) > least


@pytest.mark.parametrize("index", DIGITS)
def test_a_jpeg_compressed_drawing_gives_nearly_the_same_input(index):
    ink = paste(strokes(mnist_test_set()[0][index], PLAIN_HEIGHT), PLAIN_TOP, PLAIN_LEFT)
    pixels = np.clip((1.0 - ink) * 255 + 0.5, 0, 255).astype(np.uint8)
    result = prepared(decode(jpeg(np.stack([pixels] * 3, axis=-1), quality=50)))
    assert similarity(plain(index), result.model_input) > 0.97


def test_a_photo_darker_towards_the_corners_gives_nearly_the_same_input():
    ink = paste(strokes(mnist_test_set()[0][0], PLAIN_HEIGHT), PLAIN_TOP, PLAIN_LEFT)
    rows, cols = np.indices(ink.shape) / 139.5 - 1.0
    paper = 0.85 - 0.35 * (rows**2 + cols**2) / 2
    page = paper * (1.0 - 0.75 * ink)  # ink reflects a quarter of the light the paper does
    pixels = np.clip(page * 255 + 0.5, 0, 255).astype(np.uint8)
    result = prepared(decode(jpeg(np.stack([pixels] * 3, axis=-1), quality=80)))
    assert any("uneven light" in note for note in result.notes)
    assert similarity(plain(0), result.model_input) > 0.97


def test_a_stray_speck_far_from_the_digit_does_not_stretch_the_crop():
    ink = paste(strokes(mnist_test_set()[0][0], PLAIN_HEIGHT), PLAIN_TOP, PLAIN_LEFT)
    ink[270:273, 5:8] = 1.0
    result = prepared(render(ink, "black_on_white"))
    assert result.ink_box is not None
    assert result.ink_box.top == PLAIN_TOP
    assert any("1 speck ignored" in note for note in result.notes)
    assert similarity(plain(0), result.model_input) > 0.99


def test_a_one_pixel_line_drawing_is_thickened_to_mnist_strokes():
    canvas = np.zeros((280, 280), np.uint8)
    cv2.line(canvas, (80, 50), (200, 50), 255, 1)
    cv2.line(canvas, (200, 50), (120, 240), 255, 1)
    result = prepared(grey(canvas))
    thin = prepared(grey(canvas), thicken=False)
    assert any("thickened" in note for note in result.notes)
    # MNIST's digits carry about 100 units of ink; a bare one-pixel line scaled by 0.1 almost none.
    assert 50 < result.model_input.sum() < 200
    assert thin.model_input.sum() < 0.3 * result.model_input.sum()


def test_stroke_width_is_twice_the_area_over_the_perimeter():
    bar = np.zeros((7, 14), np.float32)
    bar[2:5, 1:13] = 0.9  # 3 x 12: area 36, perimeter 2 * (3 + 12) = 30
    assert _stroke_width(bar) == 2 * 36 / 30
    assert _stroke_width(bar[2:5]) == 2 * 36 / 30  # ink on the region's own border
    assert _stroke_width(np.full((1, 1), 0.6, np.float32)) == 2 * 1 / 4
    assert _stroke_width(np.full((4, 4), 0.5, np.float32)) == 0.0  # 0.5 is not above 0.5


@pytest.mark.parametrize("shape", [(201, 159), (1, 9), (9, 1), (2, 2), (40, 3)])
def test_stroke_width_counts_edges_as_numpy_does(shape):
    def numpy_width(region):
        ink = np.pad(region > 0.5, 1)
        edges = np.count_nonzero(np.diff(ink, axis=0)) + np.count_nonzero(np.diff(ink, axis=1))
        return 2.0 * np.count_nonzero(ink) / edges

    rng = np.random.default_rng(shape[0] * 1000 + shape[1])
    for _ in range(20):
        region = rng.random(shape, np.float32)
        region[0, 0] = 1.0  # some ink
        assert _stroke_width(region) == numpy_width(region)


def test_ordinary_brush_strokes_are_not_thickened():
    ink = paste(strokes(mnist_test_set()[0][0], PLAIN_HEIGHT), PLAIN_TOP, PLAIN_LEFT)
    result = prepared(render(ink, "white_on_black"))
    assert not any("thickened" in note for note in result.notes)


def test_a_large_photo_is_reduced_and_its_ink_box_is_in_source_pixels():
    ink = paste(strokes(mnist_test_set()[0][0], 1200), 400, 900, size=2400)
    result = prepared(decode(jpeg(photo(ink, seed=1), quality=85)))
    assert any("reduced to 1024x1024" in note for note in result.notes)
    assert result.ink_box is not None
    box = result.ink_box
    assert abs(box.top - 400) <= 4 and abs(box.left - 900) <= 4
    assert abs(box.height - 1200) <= 8
    assert result.scale is not None and result.scale[0] == pytest.approx(20 / 1200, rel=0.02)
    assert similarity(plain(0), result.model_input) > 0.97


# --- What is recorded for teaching ---


def test_each_step_is_recorded_for_a_dark_on_light_drawing():
    canvas = np.full((280, 280), 255, np.uint8)
    cv2.rectangle(canvas, (100, 40), (139, 239), 0, -1)  # a bar 40 wide, 200 tall
    result = prepared(grey(canvas))
    assert result.inverted and not result.empty
    assert result.polarity.startswith("The marks are dark ink on a light background")
    assert "inverted" in result.polarity
    assert result.background == 1.0
    assert (result.ink_box.top, result.ink_box.left) == (40, 100)
    assert (result.ink_box.height, result.ink_box.width) == (200, 40)
    assert result.scale == (0.1, 0.1)
    assert ink_box(result.model_input) == (20, 4)
    # The 20x4 bar is placed at rows 4..23, columns 12..15: its mass is at (13.5, 13.5), so
    # centring moves it one pixel down and right.
    assert result.shift == (1, 1)
    assert result.center_of_mass == (14.5, 14.5)
    assert len(result.notes) >= 4


def test_light_ink_on_a_dark_background_is_kept_and_said_so():
    canvas = np.zeros((100, 100), np.uint8)
    cv2.circle(canvas, (50, 50), 30, 255, 6)
    result = prepared(grey(canvas))
    assert not result.inverted
    assert result.polarity.startswith("The marks are light ink on a dark background")


# --- The options switch single steps off, with a visible effect ---


def dark_drawing() -> DecodedImage:
    ink = paste(strokes(mnist_test_set()[0][0], 100), 20, 30)
    return render(ink, "black_on_white")


def test_invert_no_shows_a_dark_on_light_drawing_as_it_is():
    result = prepared(dark_drawing(), invert="no")
    automatic = prepared(dark_drawing())
    assert not result.inverted
    assert "not inverted as asked" in result.polarity
    assert result.model_input[0, 0] == 1.0  # the background stays white
    np.testing.assert_allclose(result.model_input, 1.0 - automatic.model_input)


def test_invert_yes_on_a_dark_on_light_drawing_is_what_auto_does():
    result = prepared(dark_drawing(), invert="yes")
    np.testing.assert_array_equal(result.model_input, prepared(dark_drawing()).model_input)
    assert result.inverted


def test_invert_yes_on_light_ink_gives_dark_ink_on_white():
    result = prepared(
        render(paste(strokes(mnist_test_set()[0][0], 100), 20, 30), "white_on_black"), invert="yes"
    )
    assert result.inverted and result.model_input[0, 0] == 1.0
    assert "which MNIST models never saw" in result.polarity


def test_crop_off_scales_the_whole_canvas_so_a_small_digit_stays_small():
    result = prepared(dark_drawing(), crop=False)
    height, width = ink_box(result.model_input)
    assert max(height, width) <= 10
    assert any("Crop is off" in note for note in result.notes)


def test_fit_off_stretches_the_ink_over_the_whole_frame():
    result = prepared(dark_drawing(), fit=False)
    assert ink_box(result.model_input) == (28, 28)
    assert result.scale is not None and result.scale[0] != result.scale[1]


def test_center_off_centres_the_box_instead_of_the_mass():
    canvas = np.full((280, 280), 255, np.uint8)
    cv2.rectangle(canvas, (60, 40), (219, 59), 0, -1)  # the top bar of a 7
    cv2.line(canvas, (219, 50), (120, 239), 0, 12)
    result = prepared(grey(canvas), center=False)
    centred = prepared(grey(canvas))
    rows = np.flatnonzero(result.model_input.any(axis=1))
    assert (rows[0], rows[-1]) == (4, 23)
    assert result.shift == (0, 0)
    assert centred.shift[0] > 0  # the heavy top bar pulls the mass up; centring moves it down
    assert abs(result.center_of_mass[0] - 14.0) > 1


def test_the_default_options_are_mnists_steps():
    assert DigitOptions() == DigitOptions(
        invert="auto", crop=True, fit=True, center=True, thicken=True
    )


def test_an_unknown_invert_option_is_refused():
    with pytest.raises(ValueError, match='invert must be "auto", "yes" or "no"'):
        prepare_digit(dark_drawing(), DigitOptions(invert="maybe"))


# --- No digit: said so, instead of guessing ---

RNG = np.random.default_rng(7)
_SPECKS = np.full((280, 280), 255, np.uint8)
_SPECKS[RNG.integers(0, 280, 40), RNG.integers(0, 280, 40)] = 0
BLANKS = {
    "a blank white canvas": np.full((280, 280), 255, np.uint8),
    "a blank black canvas": np.zeros((280, 280), np.uint8),
    "one grey tone": np.full((50, 80), 128, np.uint8),
    "grey noise": np.clip(128 + RNG.normal(0, 10, (280, 280)), 0, 255).astype(np.uint8),
    "a smooth gradient": np.tile(np.linspace(60, 220, 280), (280, 1)).astype(np.uint8),
    "scattered single-pixel specks": _SPECKS,
}


@pytest.mark.parametrize("name", BLANKS)
def test_an_image_without_a_digit_is_flagged_empty(name):
    result = prepared(grey(BLANKS[name]))
    assert result.empty
    assert result.message.startswith("No digit found: ")
    assert result.message.endswith("Draw a digit, or upload a photo of one, and try again.")
    assert not result.model_input.any()
    assert result.ink_box is None


@pytest.mark.parametrize("seed", range(4))
def test_a_jpeg_photo_of_a_blank_unevenly_lit_page_is_empty(seed):
    blank = np.zeros((300, 400), np.float32)
    assert prepared(decode(jpeg(photo(blank, seed), quality=60))).empty


def test_a_fully_transparent_canvas_is_empty():
    result = prepared(decode(png(np.zeros((280, 280, 4), np.uint8))))
    assert result.empty
    assert any("fully transparent" in note for note in result.notes)


def test_a_light_pencil_line_on_noisy_paper_is_still_ink():
    page = np.full((280, 280), 235, np.uint8)
    cv2.line(page, (140, 40), (130, 240), 195, 3, cv2.LINE_AA)  # 40 grey levels lighter than ink
    noisy = np.clip(page + np.random.default_rng(0).normal(0, 4, page.shape), 0, 255)
    result = prepared(decode(jpeg(np.stack([noisy.astype(np.uint8)] * 3, axis=-1), quality=70)))
    assert not result.empty
    assert result.ink_box is not None and result.ink_box.height >= 200


# --- Odd shapes ---


@pytest.mark.parametrize(
    "shape", [(1, 1), (1, 2), (1, 50), (50, 1), (2, 2), (3, 300), (28, 28), (4096, 1)]
)
@pytest.mark.parametrize("fill", ["blank", "ink"])
def test_tiny_and_thin_images_do_not_crash(shape, fill):
    pixels = np.full(shape, 255, np.uint8)
    if fill == "ink":
        pixels[shape[0] // 2 :, shape[1] // 2 :] = 0
    result = prepared(grey(pixels))
    assert result.empty or result.model_input.any()


def test_an_rgb_photo_with_colour_ink_is_read_by_luminance():
    ink = paste(strokes(mnist_test_set()[0][0], PLAIN_HEIGHT), PLAIN_TOP, PLAIN_LEFT)
    rgb = np.full((280, 280, 3), 255, np.uint8)
    rgb[ink > 0.5] = (30, 60, 200)  # blue ballpoint
    result = prepared(DecodedImage(rgb, "PNG", "RGB"))
    assert result.inverted
    assert similarity(plain(0), result.model_input) > 0.97


def test_a_mostly_opaque_picture_with_transparent_corners_keeps_its_own_background():
    ink = paste(strokes(mnist_test_set()[0][0], PLAIN_HEIGHT), PLAIN_TOP, PLAIN_LEFT)
    rgba = np.empty((280, 280, 4), np.uint8)
    rgba[..., :3] = np.clip((1.0 - ink) * 255 + 0.5, 0, 255).astype(np.uint8)[..., np.newaxis]
    rgba[..., 3] = 255
    rows, cols = np.indices((280, 280))
    for corner_row, corner_col in [(0, 0), (0, 279), (279, 0), (279, 279)]:
        rgba[np.hypot(rows - corner_row, cols - corner_col) < 30, 3] = 0  # rounded corners
    result = prepared(decode(png(rgba)))
    assert any("given its own tone, white" in note for note in result.notes)
    assert similarity(plain(0), result.model_input) > 0.99


def test_marks_that_never_reach_the_ink_threshold_are_not_a_digit():
    from app.core.marks import as_mask, find_marks

    faint = np.full((50, 50), 0.07, np.float32)  # above the low threshold, below the seed
    weak, seeds = as_mask(faint > 0.05), as_mask(faint > 0.1)
    assert "no pen strokes to read" in str(find_marks(weak, seeds, threshold=0.1))
