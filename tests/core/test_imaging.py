"""Decoding (both paths), colour handling, value-to-pixel mapping and PNG encoding."""

import io
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from app.core.decoding import (
    _decode_plain_png,
    _decode_with_pillow,
    _open_checked,
    decode_image,
    header_size,
)
from app.core.encoding import encode_png, to_color, to_pixels
from app.core.image_limits import check_structure
from app.errors import BadImage, ImageTooLarge

SAMPLES = sorted((Path(__file__).parents[2] / "static" / "samples").glob("*.*g"))
CAP = 4096 * 4096


def png_bytes(image: Image.Image, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **params)
    return buffer.getvalue()


def pillow_only(data: bytes):
    return _decode_with_pillow(_open_checked(data, CAP), check_structure(data))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_decodes_to_the_same_pixels_as_pillow_alone(path):
    data = path.read_bytes()
    decoded = decode_image(data, CAP)
    reference = pillow_only(data)
    assert decoded.pixels.dtype == np.uint8
    np.testing.assert_array_equal(decoded.pixels, reference.pixels)
    assert (decoded.source_format, decoded.notes) == (reference.source_format, reference.notes)


@pytest.mark.parametrize("transparent", [False, True], ids=["opaque", "transparent"])
def test_an_rgba_canvas_export_decodes_as_pillow_decodes_it(transparent):
    rng = np.random.default_rng(4)
    rgba = rng.integers(0, 256, (30, 40, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    if transparent:
        rgba[:5, :5, 3] = 0
    data = png_bytes(Image.fromarray(rgba, "RGBA"))
    decoded = decode_image(data, CAP)
    reference = pillow_only(data)
    np.testing.assert_array_equal(decoded.pixels, reference.pixels)
    np.testing.assert_array_equal(decoded.alpha, reference.alpha)
    assert (decoded.source_format, decoded.source_mode, decoded.notes) == (
        reference.source_format,
        reference.source_mode,
        reference.notes,
    )


def test_exif_orientation_in_a_png_is_applied_whichever_path_decodes_it():
    pixels = np.zeros((2, 3, 3), dtype=np.uint8)
    pixels[0, 0] = (255, 0, 0)
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to view
    decoded = decode_image(png_bytes(image, exif=exif), CAP)
    assert decoded.pixels.shape == (3, 2, 3)
    assert decoded.pixels[0, 1].tolist() == [255, 0, 0]
    assert any("EXIF orientation" in note for note in decoded.notes)


def test_transparent_png_is_composited_on_white():
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[0, 0] = (0, 0, 0, 255)
    decoded = decode_image(png_bytes(Image.fromarray(rgba, "RGBA")), CAP)
    assert decoded.pixels[..., 0].tolist() == [[0, 255], [255, 255]]


def test_sixteen_bit_grey_is_scaled_to_eight_bits():
    values = np.array([[0, 257, 65535]], dtype=np.uint16)
    decoded = decode_image(png_bytes(Image.fromarray(values)), CAP)
    assert decoded.pixels.tolist() == [[0, 1, 255]]


def test_pixel_cap_is_checked_from_the_header_before_decoding():
    data = png_bytes(Image.new("L", (300, 200)))
    with pytest.raises(ImageTooLarge, match="300x200 = 60,000 pixels; at most 50,000"):
        decode_image(data, 50_000)


def test_header_size_is_what_pillow_reads_from_the_header():
    for mode, size in [("L", (300, 200)), ("RGBA", (1, 5000)), ("RGB", (280, 280))]:
        data = png_bytes(Image.new(mode, size))
        assert header_size(data) == Image.open(io.BytesIO(data)).size == size
        assert header_size(data[:33]) == size  # the signature and IHDR are enough


def test_header_size_reads_every_allowed_format_and_is_none_for_anything_else():
    for fmt in ("JPEG", "GIF", "BMP", "WEBP", "TIFF"):
        data = io.BytesIO()
        Image.new("RGB", (40, 30)).save(data, format=fmt)
        assert header_size(data.getvalue()) == (40, 30), fmt
    not_ihdr = bytearray(png_bytes(Image.new("L", (3, 4))))
    not_ihdr[12:16] = b"IDAT"
    for data in (b"", b"hello", bytes(not_ihdr)):
        assert header_size(data) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello, not an image", "not an image this app can read"),
    ],
)
def test_undecodable_bytes_are_bad_images(data, message):
    with pytest.raises(BadImage, match=message):
        decode_image(data, CAP)


def test_a_truncated_png_is_a_bad_image_on_either_path():
    data = png_bytes(Image.fromarray(np.arange(64 * 64 * 3, dtype=np.uint8).reshape(64, 64, 3)))
    with pytest.raises(BadImage, match="truncated or corrupt"):
        decode_image(data[: len(data) // 2], CAP)


def test_a_png_whose_pixel_data_fails_its_crc_decodes_as_pillow_decodes_it():
    # Pillow ignores a bad CRC on the pixel data (it checks the header's); the fast path, which
    # checks every CRC, hands such a file to Pillow, so the two still agree.
    pixels = np.arange(64, dtype=np.uint8).reshape(8, 8)
    data = bytearray(png_bytes(Image.fromarray(pixels)))
    idat = data.index(b"IDAT")
    length = int.from_bytes(data[idat - 4 : idat], "big")
    data[idat + 4 + length] ^= 0xFF  # the first byte of IDAT's CRC
    decoded = decode_image(bytes(data), CAP)
    np.testing.assert_array_equal(decoded.pixels, pillow_only(bytes(data)).pixels)
    np.testing.assert_array_equal(decoded.pixels, pixels)


@pytest.mark.parametrize("chunk", [b"IHDR", b"tEXt"])
def test_a_png_whose_header_fails_its_crc_is_refused_as_pillow_refuses_it(chunk):
    # libspng ignores CRCs; Pillow checks those of the chunks before the pixel data.
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "drawn on a canvas")
    data = bytearray(png_bytes(Image.new("RGB", (8, 8), "white"), pnginfo=info))
    start = data.index(chunk)
    length = int.from_bytes(data[start - 4 : start], "big")
    data[start + 4 + length] ^= 0xFF  # the first byte of the chunk's CRC
    with pytest.raises(BadImage, match="not an image this app can read"):
        pillow_only(bytes(data))
    with pytest.raises(BadImage, match="not an image this app can read"):
        decode_image(bytes(data), CAP)


def test_a_png_with_damaged_pixel_data_is_refused_as_pillow_refuses_it():
    # libspng would decode the damage into wrong pixels: a CRC that fails sends it to Pillow.
    rng = np.random.default_rng(7)
    data = png_bytes(Image.fromarray(rng.integers(0, 256, (24, 24, 3), dtype=np.uint8)))
    idat = data.index(b"IDAT")
    length = int.from_bytes(data[idat - 4 : idat], "big")
    for position in range(idat + 4, idat + 4 + length, 97):
        damaged = bytearray(data)
        damaged[position] ^= 0x10
        try:
            expected = pillow_only(bytes(damaged)).pixels
        except BadImage as refused:
            with pytest.raises(BadImage) as raised:
                decode_image(bytes(damaged), CAP)
            assert str(raised.value) == str(refused)
        else:
            np.testing.assert_array_equal(decode_image(bytes(damaged), CAP).pixels, expected)


def grey_png_with_stream(width: int, height: int, stream: bytes) -> bytes:
    """An 8-bit grey PNG of the given size whose IDAT holds ``stream``, CRCs all correct."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload))
            + kind
            + payload
            + struct.pack(">I", zlib.crc32(kind + payload))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", stream) + chunk(b"IEND", b"")
    )


ROWS = b"".join(b"\x01" + bytes(range(r, r + 8)) for r in range(6))  # 6 rows of 8, Sub filter


@pytest.mark.parametrize(
    "stream",
    [
        zlib.compress(ROWS + b"\x00" * 9),  # a row more than the header says
        zlib.compress(ROWS[:-3]),  # short of the last row
        zlib.compress(ROWS) + b"extra",  # something after the end of the stream
        zlib.compress(ROWS)[:-6],  # cut off
    ],
    ids=["a row too many", "a row short", "trailing data", "truncated"],
)
def test_pixel_data_that_is_not_exactly_the_rows_decodes_as_pillow_decodes_it(stream):
    data = grey_png_with_stream(8, 6, stream)
    try:
        expected = pillow_only(data)
    except BadImage as refused:
        assert _decode_plain_png(data, CAP) is None
        with pytest.raises(BadImage) as raised:
            decode_image(data, CAP)
        assert str(raised.value) == str(refused)
    else:
        np.testing.assert_array_equal(decode_image(data, CAP).pixels, expected.pixels)


def test_a_wrong_adler32_under_a_good_crc_decodes_the_rows_the_crc_vouches_for():
    # Pillow refuses the stream's own checksum; libspng does not read it. The chunk's CRC,
    # which the header walk checks, covers the same bytes, so the rows are the ones written.
    data = grey_png_with_stream(8, 6, zlib.compress(ROWS)[:-4] + b"\0\0\0\0")
    intact = decode_image(grey_png_with_stream(8, 6, zlib.compress(ROWS)), CAP)
    np.testing.assert_array_equal(decode_image(data, CAP).pixels, intact.pixels)


def test_the_fast_path_decodes_exact_rows_as_pillow_does():
    data = grey_png_with_stream(8, 6, zlib.compress(ROWS))
    decoded = _decode_plain_png(data, CAP)
    assert decoded is not None
    np.testing.assert_array_equal(decoded.pixels, pillow_only(data).pixels)
    np.testing.assert_array_equal(decoded.pixels[:, 0], np.arange(6))  # Sub undone: r, r+1 ...


def test_a_stream_that_inflates_far_past_its_rows_decodes_to_the_rows_alone():
    bomb = zlib.compress(ROWS + bytes(50_000_000), 9)  # 49 KB that inflate to 50 MB
    data = grey_png_with_stream(8, 6, bomb)
    decoded = _decode_plain_png(data, CAP)
    assert decoded is not None and decoded.pixels.shape == (6, 8)
    np.testing.assert_array_equal(decoded.pixels, pillow_only(data).pixels)


def test_gray_is_itu_601_luma():
    rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]]], dtype=np.uint8)
    expected = np.rint(rgb @ np.array([0.299, 0.587, 0.114]))
    np.testing.assert_allclose(to_color(rgb, "gray"), expected, atol=1)
    assert to_color(rgb, "rgb") is rgb


def test_values_inside_0_255_are_shown_as_they_are():
    shown, pixel_map = to_pixels(np.array([[0.4, 0.6, 254.6]], dtype=np.float32))
    assert shown.tolist() == [[0, 1, 255]]
    assert pixel_map.mapping == "identity"


def test_values_outside_0_255_are_rescaled_by_default_and_say_so():
    values = np.array([[-100.0, 0.0, 300.0]], dtype=np.float32)
    shown, pixel_map = to_pixels(values)
    expected = np.rint((values + 100) * 255 / 400)
    np.testing.assert_allclose(shown, expected, atol=0.5)
    assert pixel_map.mapping == "rescale"
    assert (pixel_map.value_min, pixel_map.value_max) == (-100.0, 300.0)
    assert "Zero is shown as 64" in pixel_map.description


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [("clip", [[0, 0, 255]]), ("absolute", [[100, 0, 255]])],
)
def test_clip_and_absolute_mappings(mapping, expected):
    shown, pixel_map = to_pixels(np.array([[-100.0, 0.0, 300.0]]), mapping)
    assert shown.tolist() == expected
    assert pixel_map.mapping == mapping


def test_a_flat_result_is_mid_grey():
    shown, pixel_map = to_pixels(np.full((2, 2), -5.0))
    assert shown.tolist() == [[128, 128], [128, 128]]
    assert "Every value equals -5" in pixel_map.description


@pytest.mark.parametrize("compression", ["none", "deflate"])
@pytest.mark.parametrize("shape", [(7, 5), (7, 5, 3)])
def test_png_encoding_is_lossless(compression, shape):
    pixels = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    data = encode_png(pixels, compression)
    decoded = np.asarray(Image.open(io.BytesIO(data)))
    np.testing.assert_array_equal(decoded, pixels)


def test_deflate_is_smaller_on_a_photo():
    photo = cv2.imread(str(SAMPLES[0]), cv2.IMREAD_UNCHANGED)
    assert len(encode_png(photo, "deflate")) < len(encode_png(photo, "none")) / 1.5


def test_the_alpha_channel_is_kept_beside_the_pixels_composited_on_white():
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[0, 0] = (255, 255, 255, 255)  # white ink on a transparent canvas
    rgba[0, 1] = (255, 255, 255, 128)
    decoded = decode_image(png_bytes(Image.fromarray(rgba, "RGBA")), CAP)
    assert decoded.alpha is not None
    assert decoded.alpha.tolist() == [[255, 128], [0, 0]]
    assert decoded.pixels[..., 0].tolist() == [[255, 255], [255, 255]]  # invisible on white
    opaque = decode_image(png_bytes(Image.fromarray(rgba[..., :3], "RGB")), CAP)
    assert opaque.alpha is None


def test_pixel_data_that_breaks_the_format_is_refused_in_our_words_not_the_decoders():
    data = bytearray(
        png_bytes(
            Image.fromarray(np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8))
        )
    )
    pixels_at = data.index(b"IDAT") + 4
    data[pixels_at + 10 : pixels_at + 30] = b"\xaa" * 20  # neither zlib nor libspng can inflate it

    with pytest.raises(BadImage) as refused:
        decode_image(bytes(data), CAP)

    assert str(refused.value) == (
        "The PNG image could not be decoded (its pixel data does not follow the format); the "
        "file may be truncated or corrupt. Re-save it and try again."
    )


def test_a_header_pillow_cannot_parse_is_refused_in_our_words_not_pillows():
    data = io.BytesIO()
    Image.new("RGB", (8, 8)).save(data, "JPEG")

    with pytest.raises(BadImage) as refused:
        decode_image(data.getvalue()[:200], CAP)

    assert str(refused.value) == (
        "The image header could not be read: the file is damaged, or was cut off before its "
        "pixel data. Open it in an image editor, save it as PNG or JPEG and try again."
    )
