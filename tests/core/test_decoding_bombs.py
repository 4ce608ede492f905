"""Files built to keep a decoder busy are refused, or decoded cheaply, before Pillow walks them.

Work is counted, not timed: each bomb is one unit past a cap, and Pillow's frame counting is
shown never to run (it is quadratic for TIFF and walks every block of a GIF).
"""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import GifImagePlugin, Image, TiffImagePlugin

from app.core.decoding import decode_image
from app.core.image_limits import (
    MAX_FRAMES_COUNTED,
    MAX_GIF_BLOCKS,
    MAX_JPEG_SCANS,
    MAX_JPEG_SEGMENTS,
    MAX_PNG_CHUNKS,
    check_structure,
)
from app.errors import BadImage

CAP = 4096 * 4096
RESAVE_JPEG = "Re-save it as a baseline JPEG or a PNG and upload it again."


def encode(image: Image.Image, format: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **params)
    return buffer.getvalue()


def jpeg_scans(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each SOS segment with its entropy-coded data, in a Pillow-written JPEG."""
    scans, offset = [], 2
    while data[offset + 1] != 0xD9:
        end = offset + 2 + int.from_bytes(data[offset + 2 : offset + 4], "big")
        if data[offset + 1] == 0xDA:
            while not (data[end] == 0xFF and data[end + 1] not in (0, *range(0xD0, 0xD8))):
                end += 1
            scans.append((offset, end))
        offset = end
    return scans


def progressive_jpeg_with_scans(total: int) -> bytes:
    """A 64x64 progressive JPEG whose last scan is repeated until it has ``total`` scans."""
    data = encode(Image.new("RGB", (64, 64), (120, 130, 140)), "JPEG", progressive=True)
    scans = jpeg_scans(data)
    start, end = scans[-1]
    return data[:end] + data[start:end] * (total - len(scans)) + data[end:]


def png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body)
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def grey_png_with_text_chunks(count: int) -> bytes:
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    pixels = png_chunk(b"IDAT", zlib.compress(b"\x00\x80"))
    texts = png_chunk(b"tEXt", b"a\x00") * count
    return b"\x89PNG\r\n\x1a\n" + header + texts + pixels + png_chunk(b"IEND", b"")


GIF_HEADER = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
GIF_FRAME = b"," + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"


def tiff_pages(count: int) -> bytes:
    pages = [Image.new("L", (1, 1), i % 256) for i in range(count)]
    return encode(pages[0], "TIFF", save_all=True, append_images=pages[1:])


def tiff_with_strips(strips: int, side: int) -> bytes:
    """One side x side grey page whose StripOffsets and StripByteCounts list ``strips``."""
    offsets_at = 8 + 2 + 5 * 12 + 4
    counts_at = offsets_at + 4 * strips
    pixels_at = counts_at + 4 * strips
    tags = [
        (256, 4, 1, side),
        (257, 4, 1, side),
        (273, 4, strips, offsets_at),
        (278, 4, 1, 1),
        (279, 4, strips, counts_at),
    ]
    ifd = struct.pack("<H", len(tags)) + b"".join(struct.pack("<HHII", *t) for t in tags)
    arrays = struct.pack(f"<{strips}I", *[pixels_at] * strips)
    arrays += struct.pack(f"<{strips}I", *[side] * strips)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00" * 4 + arrays + b"\x80" * side * side


@pytest.fixture
def no_frame_walks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pillow's ``n_frames`` for TIFF and GIF walks every frame: decoding must never call it."""

    def refuse(self: Image.Image) -> int:
        raise AssertionError(f"n_frames called on a {self.format}")

    for plugin in (TiffImagePlugin.TiffImageFile, GifImagePlugin.GifImageFile):
        monkeypatch.setattr(plugin, "n_frames", property(refuse))


def test_a_progressive_jpeg_at_the_scan_cap_decodes():
    decoded = decode_image(progressive_jpeg_with_scans(MAX_JPEG_SCANS), CAP)
    assert decoded.pixels.shape == (64, 64, 3)


def test_a_progressive_jpeg_with_one_scan_past_the_cap_is_refused_before_decoding():
    with pytest.raises(BadImage) as refused:
        decode_image(progressive_jpeg_with_scans(MAX_JPEG_SCANS + 1), CAP)
    assert str(refused.value) == (
        f"The progressive JPEG has more than {MAX_JPEG_SCANS} scans; encoders write about 10, "
        f"and each one costs a pass over the whole image. {RESAVE_JPEG}"
    )


def test_jpeg_scans_are_counted_through_stuffing_restarts_and_embedded_thumbnails():
    # Restart markers in the entropy data, 0xFF00 stuffing (noise has plenty of 0xFF bytes), and
    # an APP1 payload full of fake SOS markers: none is a scan of this image.
    noise = np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noise), "JPEG", progressive=True, restart_marker_blocks=1)
    assert b"\xff\x00" in data and b"\xff\xd0" in data
    fake_scans = b"\xff\xda" * (MAX_JPEG_SCANS + 1)
    app1 = b"\xff\xe1" + (len(fake_scans) + 2).to_bytes(2, "big") + fake_scans
    data = data[:2] + app1 + data[2:]

    decoded = decode_image(data, CAP)

    assert decoded.pixels.shape == (64, 64, 3)


def test_a_jpeg_of_a_million_empty_comments_is_refused_after_the_segment_cap():
    data = encode(Image.new("L", (8, 8)), "JPEG")
    data = data[:2] + b"\xff\xfe\x00\x02" * (MAX_JPEG_SEGMENTS * 1000) + data[2:]
    with pytest.raises(BadImage, match=f"more than {MAX_JPEG_SEGMENTS:,} marker segments"):
        decode_image(data, CAP)


def test_a_png_of_more_chunks_than_the_cap_is_refused_before_either_decoder():
    decode_image(grey_png_with_text_chunks(MAX_PNG_CHUNKS - 3), CAP)  # IHDR, IDAT, IEND
    with pytest.raises(BadImage) as refused:
        decode_image(grey_png_with_text_chunks(MAX_PNG_CHUNKS - 2), CAP)
    assert str(refused.value) == (
        f"The PNG is split into more than {MAX_PNG_CHUNKS:,} chunks; encoders write a few per "
        "megabyte. Re-save it (any image editor will) and upload it again."
    )


@pytest.mark.usefixtures("no_frame_walks")
def test_a_tiff_of_thousands_of_pages_is_decoded_visiting_only_the_pages_counted():
    decoded = decode_image(tiff_pages(2000), CAP)

    assert decoded.pixels.shape == (1, 1)
    assert decoded.notes == [
        f"The image has more than {MAX_FRAMES_COUNTED} frames; the first one is used."
    ]


@pytest.mark.usefixtures("no_frame_walks")
def test_a_tiff_of_a_few_pages_reports_their_number():
    decoded = decode_image(tiff_pages(3), CAP)
    assert decoded.notes == ["The image has 3 frames; the first one is used."]


def test_tiff_pages_are_walked_no_further_than_the_frame_after_the_cap():
    assert check_structure(tiff_pages(MAX_FRAMES_COUNTED)) == MAX_FRAMES_COUNTED
    assert check_structure(tiff_pages(MAX_FRAMES_COUNTED + 50)) == MAX_FRAMES_COUNTED + 1


def test_a_tiff_listing_more_strips_than_its_rows_is_refused():
    decode_image(tiff_with_strips(64, 64), CAP)
    with pytest.raises(BadImage) as refused:
        decode_image(tiff_with_strips(100_000, 64), CAP)
    assert str(refused.value) == (
        "The TIFF lists 100,000 strips or tiles for an image of 64x64 pixels, which needs at "
        "most 64. Re-save it as PNG and upload it again."
    )


@pytest.mark.usefixtures("no_frame_walks")
def test_a_gif_of_a_million_frames_is_decoded_visiting_only_the_frames_counted():
    data = GIF_HEADER + GIF_FRAME * 1_000_000 + b";"

    decoded = decode_image(data, CAP)

    assert decoded.notes[0] == (
        f"The image has more than {MAX_FRAMES_COUNTED} frames; the first one is used."
    )
    assert check_structure(data) == MAX_FRAMES_COUNTED + 1


def test_a_gif_of_one_byte_blocks_is_refused_after_the_block_cap():
    frame = b"," + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02"
    data = GIF_HEADER + frame + b"\x01\x00" * MAX_GIF_BLOCKS + b"\x00;"
    with pytest.raises(BadImage) as refused:
        decode_image(data, CAP)
    assert str(refused.value) == (
        f"The GIF is made of more than {MAX_GIF_BLOCKS:,} blocks; encoders write 255-byte "
        "blocks, about 4,000 per megabyte. Re-save it as PNG and upload it again."
    )


def test_an_animated_png_claiming_two_billion_frames_is_noted_as_more_than_the_cap():
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    animation = png_chunk(b"acTL", struct.pack(">II", 2_000_000_000, 0))
    control = png_chunk(b"fcTL", struct.pack(">IIIIIHHBB", 0, 1, 1, 0, 0, 1, 1, 0, 0))
    pixels = png_chunk(b"IDAT", zlib.compress(b"\x00\x80"))
    data = b"\x89PNG\r\n\x1a\n" + header + animation + control + pixels + png_chunk(b"IEND", b"")

    decoded = decode_image(data, CAP)

    assert decoded.notes == [
        f"The image has more than {MAX_FRAMES_COUNTED} frames; the first one is used."
    ]


def test_an_animated_webp_states_its_frames_in_a_header_and_keeps_its_note():
    frames = [Image.new("RGB", (2, 2), (value, 0, 0)) for value in (0, 255, 0)]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    assert check_structure(data) is None
    assert "The image has 3 frames; the first one is used." in decode_image(data, CAP).notes
