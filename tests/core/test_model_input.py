"""A photo -> an image model's input: hand-worked fits, Pillow's grey, Keras' scales and fits."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image

from app.core.decoding import DecodedImage
from app.core.model_input import (
    FITS,
    RGB_ONLY_SCALES,
    SCALES,
    ImageInput,
    Scale,
    check_image_settings,
    crop_box,
    prepare_image,
    scale_pixels,
    scale_problem,
    unscale_pixels,
    value_range,
)
from app.errors import InvalidParameter

GREY_SCALES = tuple(scale for scale in SCALES if scale not in RGB_ONLY_SCALES)
KERAS_MODES = {"-1..1": "tf", "caffe": "caffe", "torch": "torch"}


def decoded(pixels: np.ndarray) -> DecodedImage:
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    return DecodedImage(pixels, "PNG", "L" if pixels.ndim == 2 else "RGB")


def columns(width: int, height: int, step: int = 10) -> np.ndarray:
    """A grey image whose column ``c`` is ``step * c`` everywhere."""
    return np.tile(np.arange(width, dtype=np.uint8) * step, (height, 1))


def random_rgb(height: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def every_level(channels: int) -> np.ndarray:
    """16x16 pixels holding each of the 256 levels once per channel (channels permuted)."""
    levels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    if channels == 1:
        return levels
    return np.stack([levels, levels.T, levels[::-1]], axis=-1)


def prepared(pixels: np.ndarray, shape: tuple[int, int, int], fit="stretch", scale="0..255"):
    result = prepare_image(decoded(pixels), shape, fit, scale)
    assert result.model_input.shape == shape
    assert result.model_input.dtype == np.float32
    assert result.picture.dtype == np.uint8
    assert result.picture.shape == (shape[:2] if shape[2] == 1 else shape)
    return result


# Fit: hand-worked pixels -------------------------------------------------------------------


def test_crop_keeps_the_centred_square_of_a_wide_image():
    result = prepared(columns(16, 8), (8, 8, 1), fit="crop")
    expected = np.tile(np.arange(4, 12, dtype=np.uint8) * 10, (8, 1))  # columns 4..11
    np.testing.assert_array_equal(result.picture, expected)
    assert result.notes[0] == (
        "The image was 16x8 (width x height); it was cropped to 8x8, cutting 4 columns from "
        "each side so its shape fits."
    )


def test_pad_shrinks_the_whole_image_and_adds_black_rows_above_and_below():
    result = prepared(columns(16, 8), (8, 8, 1), fit="pad")
    # 16x8 -> 8x4: each new pixel averages a 2x2 block, columns 2j and 2j+1: 20j + 5.
    band = np.arange(8, dtype=np.uint8) * 20 + 5
    expected = np.zeros((8, 8), np.uint8)
    expected[2:6] = band
    np.testing.assert_array_equal(result.picture, expected)
    assert result.notes[:2] == (
        "The image was 16x8 (width x height); it was shrunk to 8x4 keeping its shape, and 2 "
        "black rows were added above and below to fill the model's 8x8.",
        "Shrinking averaged the pixels that each new pixel covers (area interpolation), so "
        "fine detail blends instead of flickering.",
    )


def test_pad_adds_black_columns_beside_a_tall_image():
    result = prepared(columns(16, 8).T.copy(), (8, 8, 1), fit="pad")
    expected = np.zeros((8, 8), np.uint8)
    expected[:, 2:6] = (np.arange(8, dtype=np.uint8) * 20 + 5)[:, None]
    np.testing.assert_array_equal(result.picture, expected)
    assert "2 black columns were added on the left and on the right" in result.notes[0]


def test_pad_keeps_rgb_bars_black():
    pixels = np.full((8, 16, 3), 200, np.uint8)
    result = prepared(pixels, (8, 8, 3), fit="pad")
    assert (result.picture[:2] == 0).all() and (result.picture[6:] == 0).all()
    assert (result.picture[2:6] == 200).all()


def test_stretch_averages_column_pairs_and_says_the_shape_changed():
    result = prepared(columns(16, 8), (8, 8, 1), fit="stretch")
    np.testing.assert_array_equal(result.picture, np.tile(np.arange(8) * 20 + 5, (8, 1)))
    assert result.notes[0] == (
        "The image was 16x8 (width x height); it was shrunk to 8x8 without keeping its shape "
        "(its width scaled by 0.5, its height by 1), so everything in it looks narrower than "
        "it is."
    )


def test_an_uneven_crop_names_both_sides():
    wide = prepared(columns(17, 8), (8, 8, 1), fit="crop")
    np.testing.assert_array_equal(wide.picture[0], np.arange(4, 12) * 10)
    assert "cutting 4 columns from the left and 5 from the right" in wide.notes[0]
    tall = prepared(columns(8, 19), (8, 8, 1), fit="crop")
    assert "cutting 5 rows from the top and 6 from the bottom" in tall.notes[0]


def test_enlarging_is_bilinear_and_says_so():
    pixels = np.zeros((8, 8), np.uint8)
    pixels[:, 4:] = 200
    result = prepared(pixels, (16, 16, 1))
    # Bilinear, half-pixel centres: output column 7 sits at source 3.25, column 8 at 3.75.
    np.testing.assert_array_equal(result.picture[0, 6:10], [0, 50, 150, 200])
    assert result.notes[:2] == (
        "The image was 8x8 (width x height); it was enlarged to 16x16, keeping its shape.",
        "Enlarging blended the four nearest pixels (bilinear interpolation), so edges look soft "
        "rather than blocky.",
    )


def test_shrinking_one_axis_and_enlarging_the_other_is_done_one_axis_at_a_time():
    result = prepared(columns(16, 8), (16, 8, 1))  # 8 rows -> 16, 16 columns -> 8
    np.testing.assert_array_equal(result.picture, np.tile(np.arange(8) * 20 + 5, (16, 1)))
    assert "it was resized to 8x16 without keeping its shape" in result.notes[0]
    assert "(area interpolation)" in result.notes[1] and "(bilinear" in result.notes[1]


def test_an_image_of_the_model_s_size_is_used_as_it_is():
    pixels = random_rgb(8, 12)
    for fit in FITS:
        result = prepared(pixels, (8, 12, 3), fit=fit)
        np.testing.assert_array_equal(result.picture, pixels)
        assert result.notes[0] == (
            "The image was 12x8 (width x height), the model's input size: it was used at that size."
        )
        assert len(result.notes) == 2  # the size, the scale: nothing resampled, no colour


def test_the_640x480_photo_s_notes_read_as_a_learner_would_want():
    result = prepared(random_rgb(480, 640), (224, 224, 1), fit="crop", scale="0..1")
    assert result.notes == (
        "The image was 640x480 (width x height); it was shrunk to 224x224, cropping 80 columns "
        "from each side so its shape fits.",
        "Shrinking averaged the pixels that each new pixel covers (area interpolation), so "
        "fine detail blends instead of flickering.",
        "Colour was turned to grey, as the model takes one channel: each pixel's grey is "
        "0.299 red + 0.587 green + 0.114 blue (ITU-R BT.601 luma, as Pillow computes it).",
        "Each pixel value (0 to 255) was divided by 255, so the model gets numbers from 0 to 1.",
    )
    assert result.fit == "crop" and result.scale == "0..1" and result.value_range == (0.0, 1.0)


@pytest.mark.parametrize(
    ("source", "target", "box"),
    [((480, 640), (224, 224), (0, 80, 480, 480)), ((10, 7), (3, 5), (3, 0, 4, 7))],
)
def test_crop_box_is_keras_formula(source, target, box):
    # (10, 7) to 3:5: crop_height = floor(7 * 3 / 5) = 4, top = floor(6 / 2) = 3.
    assert crop_box(source, target) == box


# Colour ------------------------------------------------------------------------------------


def test_grey_is_pillow_s_convert_l():
    pixels = random_rgb(64, 96, seed=1)
    pixels[0, :6] = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (1, 1, 1), (0,) * 3]
    result = prepared(pixels, (64, 96, 1))
    pillow = np.asarray(Image.fromarray(pixels).convert("L"))
    np.testing.assert_array_equal(result.picture, pillow)
    np.testing.assert_array_equal(result.picture[0, :6], [76, 150, 29, 255, 1, 0])


def test_grey_becomes_three_equal_channels_for_an_rgb_model():
    result = prepared(columns(8, 8), (8, 8, 3))
    for channel in range(3):
        np.testing.assert_array_equal(result.picture[..., channel], columns(8, 8))
    assert result.notes[1] == (
        "The grey image was copied into the red, green and blue channels, as the model takes three."
    )


def test_rgb_into_an_rgb_model_has_no_colour_note():
    result = prepared(random_rgb(8, 8), (8, 8, 3), scale="0..255")
    assert not any("grey" in note for note in result.notes)


# Scale -------------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", SCALES)
def test_model_input_is_the_picture_scaled(scale):
    result = prepared(random_rgb(20, 30), (16, 16, 3), fit="crop", scale=scale)
    np.testing.assert_array_equal(result.model_input, scale_pixels(result.picture, scale))


def test_simple_scales_by_hand():
    levels = np.array([[0, 51, 255]], np.uint8)
    np.testing.assert_allclose(scale_pixels(levels, "0..1"), [[0.0, 0.2, 1.0]], rtol=1e-6)
    np.testing.assert_allclose(scale_pixels(levels, "-1..1"), [[-1.0, -0.6, 1.0]], rtol=1e-6)
    np.testing.assert_array_equal(scale_pixels(levels, "0..255"), [[0.0, 51.0, 255.0]])


def test_caffe_puts_blue_first_and_subtracts_imagenet_s_mean():
    red = np.array([[[255, 0, 0]]], np.uint8)
    np.testing.assert_allclose(
        scale_pixels(red, "caffe")[0, 0], [-103.939, -116.779, 255 - 123.68], rtol=1e-6
    )


def test_torch_normalises_each_channel():
    red = np.array([[[255, 0, 0]]], np.uint8)
    expected = [(1 - 0.485) / 0.229, -0.456 / 0.224, -0.406 / 0.225]
    np.testing.assert_allclose(scale_pixels(red, "torch")[0, 0], expected, rtol=1e-6)


@pytest.mark.parametrize("scale", SCALES)
def test_value_range_is_what_the_levels_reach(scale):
    values = scale_pixels(every_level(3), scale)
    np.testing.assert_allclose(value_range(scale), (values.min(), values.max()), rtol=1e-6)


@pytest.mark.keras
@pytest.mark.parametrize("scale", KERAS_MODES)
def test_scales_equal_keras_preprocess_input(scale):
    from keras.applications import imagenet_utils

    pixels = np.concatenate([every_level(3), random_rgb(16, 16, seed=2)], axis=1)
    expected = imagenet_utils.preprocess_input(
        pixels.astype(np.float32), data_format="channels_last", mode=KERAS_MODES[scale]
    )
    np.testing.assert_array_equal(scale_pixels(pixels, scale), expected)


@pytest.mark.keras
def test_zero_to_one_equals_keras_rescaling():
    import keras

    pixels = every_level(3)
    expected = keras.ops.convert_to_numpy(keras.layers.Rescaling(1 / 255)(pixels[None] * 1.0))
    np.testing.assert_allclose(scale_pixels(pixels, "0..1"), expected[0], rtol=1e-6, atol=0)


@pytest.mark.keras
@pytest.mark.parametrize(
    ("source", "target"),
    [((8, 17), (8, 8)), ((19, 8), (8, 8)), ((10, 30), (10, 12)), ((31, 20), (12, 20))],
)
def test_crop_cuts_what_keras_crop_to_aspect_ratio_cuts(source, target):
    import keras

    pixels = random_rgb(*source, seed=3)
    expected = keras.ops.image.resize(
        pixels.astype(np.float32), target, interpolation="nearest", crop_to_aspect_ratio=True
    )
    result = prepared(pixels, (*target, 3), fit="crop")
    np.testing.assert_array_equal(result.picture, keras.ops.convert_to_numpy(expected))


@pytest.mark.keras
@pytest.mark.parametrize(
    ("source", "target"), [((4, 8), (8, 8)), ((8, 2), (8, 8)), ((9, 4), (9, 10))]
)
def test_pad_places_the_image_where_keras_pad_to_aspect_ratio_does(source, target):
    """An image as tall (or as wide) as the model's input, so nothing is resized, with an even
    margin: Keras pads ``floor(margin / 2)`` on both sides and resizes the odd pixel away."""
    import keras

    pixels = random_rgb(*source, seed=4)
    expected = keras.ops.image.resize(
        pixels.astype(np.float32), target, interpolation="nearest", pad_to_aspect_ratio=True
    )
    result = prepared(pixels, (*target, 3), fit="pad")
    np.testing.assert_array_equal(result.picture, keras.ops.convert_to_numpy(expected))


# The inverse -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scale", "channels"), [*((s, 1) for s in GREY_SCALES), *((s, 3) for s in SCALES)]
)
def test_unscale_undoes_scale_for_every_level(scale: Scale, channels: int):
    pixels = every_level(channels)
    np.testing.assert_array_equal(unscale_pixels(scale_pixels(pixels, scale), scale), pixels)
    # The model's (H, W, 1) comes back as a displayable (H, W).
    model_shaped = scale_pixels(pixels, scale).reshape(16, 16, channels)
    np.testing.assert_array_equal(unscale_pixels(model_shaped, scale), pixels)


@pytest.mark.parametrize("scale", ["-1..1", "torch"])
def test_prepared_input_unscales_to_its_picture(scale):
    result = prepared(random_rgb(30, 20, seed=5), (16, 16, 3), fit="pad", scale=scale)
    np.testing.assert_array_equal(unscale_pixels(result.model_input, scale), result.picture)


def test_unscale_clips_values_outside_the_range_and_shows_nan_as_black():
    values = np.array([[-3.0, 2.0, np.nan, np.inf]], np.float32)
    np.testing.assert_array_equal(unscale_pixels(values, "-1..1"), [[0, 255, 0, 255]])


# Refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", RGB_ONLY_SCALES)
def test_caffe_and_torch_refuse_a_grey_model(scale):
    with pytest.raises(InvalidParameter) as refusal:
        prepare_image(decoded(random_rgb(8, 8)), (8, 8, 1), "crop", scale)
    per_channel = {
        "caffe": "subtracts ImageNet's average blue, green and red",
        "torch": "normalises red, green and blue by ImageNet's average and spread",
    }[scale]
    assert refusal.value.detail == (
        f'The scale "{scale}" {per_channel}, one value per colour channel, so it needs a model '
        'with 3 (RGB) input channels; this model takes 1. Use "0..1", "-1..1" or "0..255" for '
        "a grey model, or give the model an RGB input."
    )
    assert scale_problem(scale, 1) == refusal.value.detail
    assert scale_problem(scale, 3) is None
    with pytest.raises(InvalidParameter):
        scale_pixels(columns(8, 8), scale)
    with pytest.raises(InvalidParameter):
        unscale_pixels(np.zeros((8, 8, 1), np.float32), scale)


@pytest.mark.parametrize("scale", GREY_SCALES)
def test_grey_models_take_the_other_scales(scale):
    assert scale_problem(scale, 1) is None
    check_image_settings((8, 8, 1), "pad", scale)


@pytest.mark.parametrize("shape", [(7, 8, 3), (8, 513, 3), (8, 8, 2), (8, 8, 4)])
def test_an_input_shape_outside_the_limits_is_refused(shape):
    with pytest.raises(InvalidParameter) as refusal:
        check_image_settings(shape, "crop", "0..1")
    assert refusal.value.detail == (
        f"The model's input is {shape[0]}x{shape[1]}x{shape[2]} (height x width x channels); "
        "image models take 1 (grey) or 3 (RGB) channels and sides from 8 to 512 pixels. Use a "
        "model whose input fits, such as 224x224x3."
    )


def test_an_unknown_fit_or_scale_is_refused_with_the_choices():
    with pytest.raises(InvalidParameter, match=r'one of "stretch", "crop" or "pad"'):
        check_image_settings((8, 8, 3), "squash", "0..1")
    with pytest.raises(InvalidParameter, match=r'"0\.\.1", "-1\.\.1", "0\.\.255", "caffe" or'):
        check_image_settings((8, 8, 3), "crop", "0..2")


def test_image_input_is_frozen():
    result = prepared(columns(8, 8), (8, 8, 1))
    assert isinstance(result, ImageInput)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.fit = "pad"  # type: ignore[misc]
