"""Cheap walks over an upload's container structure, before any decoder sees it.

A small file can make a decoder work for minutes without ever exceeding a pixel cap: a TIFF of
tens of thousands of pages (Pillow counts them in quadratic time), a progressive JPEG whose scan
is repeated 20,000 times (each scan is a pass over every block), millions of empty JPEG
segments, PNG chunks or GIF blocks (each parsed by a Python loop in Pillow), a TIFF listing a
million strips for 4,096 rows. :func:`check_structure` walks the markers, chunks, blocks or IFDs
of the upload in time linear in a capped count, refuses what no real encoder writes with a
:class:`BadImage`, and counts frames up to :data:`MAX_FRAMES_COUNTED` + 1 where Pillow's own
count would walk the whole file. Files it cannot parse are left to Pillow, which refuses them.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator

from app.errors import BadImage
from app.i18n import translate

# Frames are counted for a note only; past this the note says "more than".
MAX_FRAMES_COUNTED = 100
# libjpeg's simple progression writes 10 scans (6 for grey); mozjpeg and Photoshop fewer than
# 20. Each scan is a pass over every block: about 8 ms at 4096x4096 on one core.
MAX_JPEG_SCANS = 100
# Markers of any kind: APPn (ICC profiles in up to 255 pieces, extended XMP), DQT, DHT, SOS...
MAX_JPEG_SEGMENTS = 1_000
# At least 1 KB of a 20 MB upload per chunk; libpng writes 8 KB IDAT chunks, Pillow 64 KB.
MAX_PNG_CHUNKS = 20_000
# Extensions, image descriptors and 255-byte data sub-blocks: a 20 MB GIF has about 82,000.
MAX_GIF_BLOCKS = 200_000
# Strips or tiles of a TIFF's first page, whatever its size (16x16 tiles of 4096x4096).
MAX_TIFF_STRIPS = 65_536

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A marker: 0xFF then anything but stuffing (0x00), a restart marker (0xD0-0xD7) or a fill byte.
_JPEG_MARKER = re.compile(rb"\xff[\x01-\xcf\xd8-\xfe]")
_JPEG_STANDALONE = frozenset((0x01, 0xD8))  # TEM, SOI: no length field
_JPEG_SOS, _JPEG_EOI = 0xDA, 0xD9


def check_structure(data: bytes) -> int | None:
    """Refuse an upload whose structure would make decoding slow; count GIF and TIFF frames.

    Returns the number of frames, up to ``MAX_FRAMES_COUNTED + 1``, for GIF and TIFF, whose
    frame count Pillow finds only by walking every frame; None for other formats (PNG and WebP
    state theirs in a header). Raises :class:`BadImage` past any of this module's caps.
    """
    if data.startswith(b"\xff\xd8"):
        _check_jpeg(data)
    elif data.startswith(_PNG_SIGNATURE):
        _check_png(data)
    elif data.startswith((b"GIF87a", b"GIF89a")):
        return _gif_frames(data)
    elif data.startswith((b"II", b"MM")):
        return _tiff_frames(data)
    return None


def frames_note(frames: int) -> str | None:
    """The note for an image of ``frames`` frames, of which the first is used."""
    if frames <= 1:
        return None
    if frames > MAX_FRAMES_COUNTED:
        return translate(
            "The image has more than {frames} frames; the first one is used.",
            {"frames": MAX_FRAMES_COUNTED},
        )
    return translate("The image has {frames} frames; the first one is used.", {"frames": frames})


def png_chunks(data: bytes, offset: int = len(_PNG_SIGNATURE)) -> Iterator[tuple[int, int, bytes]]:
    """(offset, data length, type) of each chunk from ``offset`` whose 8-byte header is in
    ``data``, up to and including IEND; the chunk's data and CRC may lie past the end."""
    while offset + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, offset)
        yield offset, length, kind
        if kind == b"IEND":
            return
        offset += 12 + length


def _check_jpeg(data: bytes) -> None:
    """Count markers and scans, skipping segment payloads by their length and entropy-coded
    data by the marker pattern (0xFF00 stuffing, RSTn and fill bytes are not markers)."""
    segments = scans = 0
    offset = 2
    while (found := _JPEG_MARKER.search(data, offset)) is not None:
        marker, offset = data[found.end() - 1], found.end()
        segments += 1
        if segments > MAX_JPEG_SEGMENTS:
            raise BadImage(
                "The JPEG has more than {max_jpeg_segments:,} marker segments; a photo has a "
                "few dozen. Re-save it as a baseline JPEG or a PNG and upload it again.",
                max_jpeg_segments=MAX_JPEG_SEGMENTS,
            )
        if marker == _JPEG_EOI:
            return
        if marker in _JPEG_STANDALONE:
            continue
        if marker == _JPEG_SOS:
            scans += 1
            if scans > MAX_JPEG_SCANS:
                raise BadImage(
                    "The progressive JPEG has more than {max_jpeg_scans} scans; encoders "
                    "write about 10, and each one costs a pass over the whole image. Re-save it "
                    "as a baseline JPEG or a PNG and upload it again.",
                    max_jpeg_scans=MAX_JPEG_SCANS,
                )
        if offset + 2 > len(data):
            return
        offset += int.from_bytes(data[offset : offset + 2], "big")


def _check_png(data: bytes) -> None:
    for count, _ in enumerate(png_chunks(data), start=1):
        if count > MAX_PNG_CHUNKS:
            raise BadImage(
                "The PNG is split into more than {max_png_chunks:,} chunks; encoders write a "
                "few per megabyte. Re-save it (any image editor will) and upload it again.",
                max_png_chunks=MAX_PNG_CHUNKS,
            )


def _gif_frames(data: bytes) -> int:
    """Walk the GIF's blocks up to the frame after :data:`MAX_FRAMES_COUNTED`."""
    if len(data) < 13:
        return 1
    flags = data[10]
    offset = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames = blocks = 0
    while offset < len(data) and frames <= MAX_FRAMES_COUNTED:
        introducer = data[offset]
        if introducer == 0x21:  # extension: label, then sub-blocks
            offset += 2
        elif introducer == 0x2C:  # image descriptor, local colour table, LZW code size
            frames += 1
            if offset + 10 > len(data):
                break
            local = data[offset + 9]
            offset += 11 + (3 << ((local & 7) + 1) if local & 0x80 else 0)
        else:  # trailer, or bytes Pillow stops at too
            break
        while offset < len(data):  # data sub-blocks, ended by an empty one
            blocks += 1
            if blocks > MAX_GIF_BLOCKS:
                raise BadImage(
                    "The GIF is made of more than {max_gif_blocks:,} blocks; encoders write "
                    "255-byte blocks, about 4,000 per megabyte. Re-save it as PNG and upload "
                    "it again.",
                    max_gif_blocks=MAX_GIF_BLOCKS,
                )
            size = data[offset]
            offset += 1 + size
            if size == 0:
                break
    return max(frames, 1)


def _tiff_frames(data: bytes) -> int:
    """Follow the chain of IFDs (pages) up to the one after :data:`MAX_FRAMES_COUNTED`; check
    the first page's strip or tile count against its size on the way."""
    order = {b"II": "<", b"MM": ">"}[data[:2]]
    if len(data) < 16:
        return 1
    version = struct.unpack_from(order + "H", data, 2)[0]
    if version == 42:  # classic TIFF: 2-byte entry counts, 12-byte entries, 4-byte offsets
        count_format, entry_size, offset_format = "H", 12, "I"
        ifd = struct.unpack_from(order + "I", data, 4)[0]
    elif version == 43:  # BigTIFF: 8-byte counts, 20-byte entries, 8-byte offsets
        count_format, entry_size, offset_format = "Q", 20, "Q"
        ifd = struct.unpack_from(order + "Q", data, 8)[0]
    else:
        return 1
    count_size, offset_size = struct.calcsize(count_format), struct.calcsize(offset_format)
    seen: set[int] = set()
    while ifd and ifd not in seen and len(seen) <= MAX_FRAMES_COUNTED:
        if ifd + count_size > len(data):
            break
        entries = struct.unpack_from(order + count_format, data, ifd)[0]
        first = ifd + count_size
        next_at = first + entries * entry_size
        if next_at + offset_size > len(data):
            break
        if not seen:
            _check_tiff_strips(data, order, first, entries, entry_size)
        seen.add(ifd)
        ifd = struct.unpack_from(order + offset_format, data, next_at)[0]
    return max(len(seen), 1)


_TIFF_INTEGERS = {3: "H", 4: "I", 16: "Q"}  # SHORT, LONG, LONG8: the sizes a count can be


def _check_tiff_strips(data: bytes, order: str, first: int, entries: int, entry_size: int) -> None:
    """Refuse a page that lists more strips or tiles than its size needs (Pillow makes a
    Python object for each one before the pixel cap is checked)."""
    counts: dict[int, int] = {}
    values: dict[int, int] = {}
    count_format = "I" if entry_size == 12 else "Q"
    for at in range(first, first + entries * entry_size, entry_size):
        tag, kind = struct.unpack_from(order + "HH", data, at)
        count = struct.unpack_from(order + count_format, data, at + 4)[0]
        counts[tag] = count
        if count == 1 and kind in _TIFF_INTEGERS:
            value_at = at + 4 + struct.calcsize(count_format)
            values[tag] = struct.unpack_from(order + _TIFF_INTEGERS[kind], data, value_at)[0]
    listed = max(counts.get(273, 0), counts.get(324, 0))  # StripOffsets, TileOffsets
    width, height = values.get(256, 0), values.get(257, 0)
    planes = values.get(277, 1) if values.get(284) == 2 else 1  # planar: one set per sample
    if 324 in counts:
        across, down = values.get(322, 0), values.get(323, 0)
        needed = _ceil_div(width, across) * _ceil_div(height, down) if across and down else listed
    else:
        needed = _ceil_div(height, max(values.get(278, height), 1)) if height else listed
    limit = min(max(needed * planes, 1), MAX_TIFF_STRIPS) if width else MAX_TIFF_STRIPS
    if listed > limit:
        raise BadImage(
            "The TIFF lists {listed:,} strips or tiles for an image of {width}x{height} "
            "pixels, which needs at most {limit:,}. Re-save it as PNG and upload it again.",
            listed=listed,
            width=width,
            height=height,
            limit=limit,
        )


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)
