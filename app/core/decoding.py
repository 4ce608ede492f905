"""Safe image decoding: untrusted bytes in, an 8-bit array out, or a clear refusal.

Decoding trusts nothing: the format must be on an allow-list, the pixel count is checked from the
header before any pixel is decompressed, and every decoder error becomes a :class:`BadImage`.
Whatever the source (palette, 16-bit, CMYK, alpha, animated, EXIF-rotated), the result is an
8-bit array: ``(H, W)`` for grayscale sources, ``(H, W, 3)`` RGB otherwise, with transparency
composited onto white and the alpha channel kept beside it (``DecodedImage.alpha``). Plain 8-bit
grey, RGB or opaque RGBA PNGs, the common upload (a Draw page export), are decoded by libspng
(``pyspng``), which gives the same pixels as Pillow in a third of its time; everything else, and
anything that fails on the way, goes through Pillow.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zlib
from dataclasses import dataclass, field
from typing import cast

import cv2
import numpy as np
import pyspng
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError

from app.core.image_limits import check_structure, frames_note, png_chunks
from app.errors import N_, BadImage, ConvLensError, ImageTooLarge
from app.i18n import gettext, translate

ALLOWED_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG chunks that leave Pillow's pixels, mode and orientation to IHDR and IDAT alone: no palette,
# transparency (tRNS), animation (acTL) or EXIF (eXIf). Text can carry EXIF or XMP with an
# orientation, which Pillow applies, so zTXt and iTXt are left out and tEXt is checked by keyword.
_PLAIN_PNG_CHUNKS = frozenset(
    (b"IDAT", b"IEND", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"pHYs", b"tIME", b"tEXt")
)
_PLAIN_PNG_MODES = {1: "L", 3: "RGB", 4: "RGBA"}  # Pillow's names for them
_IHDR_END = len(_PNG_SIGNATURE) + 25  # IHDR: length, type, 13 bytes, CRC
# The notes are in the request's language (English outside a request); this one is marked for
# the catalog here (N_ marks it for the catalog) and translated where it is used.
_TRANSPARENCY_NOTE = N_("Transparent areas were placed on a white background.")
UInt8Array = NDArray[np.uint8]


@dataclass
class DecodedImage:
    pixels: UInt8Array
    source_format: str
    source_mode: str
    notes: list[str] = field(default_factory=list)
    # The source's alpha channel, (H, W), when it had one. ``pixels`` are already composited onto
    # white; with alpha a caller can tell transparent from white (white strokes on a transparent
    # canvas vanish on white) and composite again: ``pixel - (255 - alpha) * (255 - background)
    # / 255`` puts the same source onto any other background.
    alpha: UInt8Array | None = None


def decode_image(data: bytes, max_pixels: int, max_side: int | None = None) -> DecodedImage:
    """Decode untrusted bytes into an 8-bit array, or raise BadImage / ImageTooLarge.

    ``max_pixels`` caps width x height and ``max_side`` each side on its own, both judged from
    the header: a 2,000,000 x 1 image is under a 16-megapixel cap, yet padding it by 64 on each
    side would make it 129 times larger. Before either, :func:`check_structure` refuses files
    built to keep a decoder busy (thousands of scans, chunks, blocks or strips).
    """
    frames = check_structure(data)
    decoded = _decode_plain_png(data, max_pixels, max_side)
    if decoded is not None:
        return decoded
    return _decode_with_pillow(_open_checked(data, max_pixels, max_side), frames)


def header_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) as the image's header states them, read without decoding a pixel; None
    if no allowed format's header can be read. The image decodes to that size or fails to."""
    header = _ihdr(data)
    if header is not None:
        return header[0], header[1]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as image:
                return image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def _ihdr(data: bytes) -> tuple[int, int, int, int, int] | None:
    """Width, height, bit depth, colour type and interlace method from a PNG's IHDR, its CRC
    unchecked; None if ``data`` does not start with a PNG's signature and IHDR."""
    if not data.startswith(_PNG_SIGNATURE) or len(data) < _IHDR_END:
        return None
    length, kind, width, height, depth, colour, _, _, interlace = struct.unpack_from(
        ">I4sIIBBBBB", data, len(_PNG_SIGNATURE)
    )
    if (length, kind) != (13, b"IHDR"):
        return None
    return width, height, depth, colour, interlace


def _open_checked(data: bytes, max_pixels: int, max_side: int | None = None) -> Image.Image:
    """Read the header only: the format must be allowed and the size under the caps."""
    if not data:
        raise BadImage("The uploaded image is empty (0 bytes). Choose a PNG or JPEG file.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own, looser limit fired inside open(); its message carries the pixel count.
        count = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_many_pixels(None, max_pixels, int(count[1]) if count else None) from None
    except UnidentifiedImageError:
        raise BadImage(
            "The upload is not an image this app can read. Supported formats: "
            "{allowed_formats}. Save it as PNG or JPEG and try again.",
            allowed_formats=", ".join(ALLOWED_FORMATS),
        ) from None
    except Exception:  # Pillow raises many types for hostile headers; their words are its own.
        raise BadImage(
            "The image header could not be read: the file is damaged, or was cut off before "
            "its pixel data. Open it in an image editor, save it as PNG or JPEG and try again."
        ) from None

    width, height = image.size
    if width < 1 or height < 1:
        raise BadImage(
            "The image is {width}x{height} pixels; it needs at least 1x1.",
            width=width,
            height=height,
        )
    if width * height > max_pixels:
        raise _too_many_pixels((width, height), max_pixels)
    if max_side is not None and max(width, height) > max_side:
        raise ImageTooLarge(
            "The image is {width}x{height} pixels; each side may be at most {max_side:,} "
            "pixels. Crop it or scale it down so that its longer side is at most "
            "{max_side:,} pixels, and upload it again.",
            width=width,
            height=height,
            max_side=max_side,
        )
    return image


def _decode_with_pillow(image: Image.Image, frames: int | None) -> DecodedImage:
    """Any allowed format and mode, whose header :func:`_open_checked` has accepted.

    ``frames`` is :func:`check_structure`'s count; None where the format states it in a header
    (PNG, WebP, MPO), which Pillow's ``n_frames`` then reads without walking the file.
    """
    notes: list[str] = []
    source_format, source_mode = str(image.format), image.mode
    try:
        note = frames_note(getattr(image, "n_frames", 1) if frames is None else frames)
        if note:
            notes.append(note)
        image.load()
        image = _orient(image, notes)
        pixels, alpha = _to_uint8(image, notes)
    except (ImageTooLarge, BadImage):
        raise
    except Exception as exc:
        raise BadImage(
            "The {source_format} image could not be decoded ({cause}); the file may be "
            "truncated or corrupt. Re-save it and try again.",
            source_format=source_format,
            cause=_cause(exc),
        ) from None
    return DecodedImage(pixels, source_format, source_mode, notes, alpha)


@dataclass(frozen=True)
class _PlainPng:
    channels: int  # 1 grey, 3 RGB, 4 RGBA
    width: int
    height: int


def _decode_plain_png(
    data: bytes, max_pixels: int, max_side: int | None = None
) -> DecodedImage | None:
    """Decode a plain PNG faster than Pillow; None if it is not plain.

    Plain (see :func:`_plain_png_header`) means Pillow would give exactly these pixels and
    notes: nothing to rotate, expand or scale, and, for RGBA, nothing to composite because every
    pixel is opaque (what a browser canvas exports for a drawing on a filled background).

    The header walk checks every chunk's CRC, which libspng does not: a damaged file goes on to
    Pillow instead of decoding to wrong pixels. So does anything else, an image over the pixel
    or side cap and whatever libspng fails on, so they end in the same checks and messages as
    every other upload. libspng decodes the header's rows and no more, however much the stream
    would inflate to.
    """
    png = _plain_png_header(data)
    if png is None or png.width * png.height > max_pixels:
        return None
    if max_side is not None and max(png.width, png.height) > max_side:
        return None
    try:
        pixels = pyspng.load(data)
    except RuntimeError:  # pyspng's one error type
        return None
    expected = (png.height, png.width) + (() if png.channels == 1 else (png.channels,))
    if pixels.dtype != np.uint8 or pixels.shape != expected or not pixels.flags.c_contiguous:
        return None
    mode = _PLAIN_PNG_MODES[png.channels]
    if png.channels < 4:
        return DecodedImage(_as_uint8(pixels), "PNG", mode)
    # Each pixel's bytes R, G, B, A read as one little-endian number: A is its top byte, so every
    # pixel is opaque if the smallest is 0xFF000000 or more (a fifth of extracting A first).
    if int(pixels.view("<u4").min()) < 0xFF000000:
        return None  # real transparency: Pillow composites it
    rgb = _as_uint8(cv2.cvtColor(pixels, cv2.COLOR_RGBA2RGB))
    alpha = np.full(rgb.shape[:2], 255, np.uint8)
    return DecodedImage(rgb, "PNG", mode, [gettext(_TRANSPARENCY_NOTE)], alpha=alpha)


def _plain_png_header(data: bytes) -> _PlainPng | None:
    """The dimensions of a plain 8-bit grey, RGB or RGBA PNG; None for anything else.

    Walks the chunk list: the first chunk is an IHDR of at least 1x1 pixels, not interlaced,
    every other chunk is complete and on :data:`_PLAIN_PNG_CHUNKS`, each matches its CRC, and
    the file ends with IEND.
    """
    header = _ihdr(data)
    if header is None:
        return None
    width, height, depth, colour, interlace = header
    channels = {0: 1, 2: 3, 6: 4}.get(colour)
    if (
        width < 1
        or height < 1
        or depth != 8
        or interlace != 0
        or channels is None
        or _crc_mismatch(data, len(_PNG_SIGNATURE), 13)
    ):
        return None
    for offset, length, kind in png_chunks(data, _IHDR_END):
        if kind not in _PLAIN_PNG_CHUNKS or offset + 12 + length > len(data):
            return None
        if _crc_mismatch(data, offset, length):  # libspng does not check them, Pillow some
            return None
        if kind == b"tEXt":
            keyword = data[offset + 8 : offset + 8 + min(length, 80)].split(b"\0", 1)[0].lower()
            if b"exif" in keyword or b"xmp" in keyword:
                return None
        if kind == b"IEND":
            if offset + 12 != len(data):
                return None
            return _PlainPng(channels, width, height)
    return None


def _crc_mismatch(data: bytes, offset: int, length: int) -> bool:
    """The chunk at ``offset`` (``length`` data bytes) does not match its CRC."""
    stored: int = struct.unpack_from(">I", data, offset + 8 + length)[0]
    return zlib.crc32(data[offset + 4 : offset + 8 + length]) != stored


def _as_uint8(array: object) -> UInt8Array:
    """The OpenCV and Pillow stubs do not say uint8; these arrays are uint8 by construction."""
    return cast(UInt8Array, array)


def _too_many_pixels(
    size: tuple[int, int] | None, max_pixels: int, count: int | None = None
) -> ImageTooLarge:
    if size:
        return ImageTooLarge(
            "The image has {width}x{height} = {pixels:,} pixels; at most {max_pixels:,} pixels "
            "are accepted. Scale it down (for example to 1024 pixels on its longer side) and "
            "upload it again.",
            width=size[0],
            height=size[1],
            pixels=size[0] * size[1],
            max_pixels=max_pixels,
        )
    if count:
        return ImageTooLarge(
            "The image has {pixels:,} pixels; at most {max_pixels:,} pixels are accepted. Scale "
            "it down (for example to 1024 pixels on its longer side) and upload it again.",
            pixels=count,
            max_pixels=max_pixels,
        )
    return ImageTooLarge(
        "The image has too many pixels; at most {max_pixels:,} pixels are accepted. Scale it "
        "down (for example to 1024 pixels on its longer side) and upload it again.",
        max_pixels=max_pixels,
    )


def _cause(exc: Exception) -> ConvLensError:
    """What went wrong, in our words: decoders' messages name their internals (a phrase of the
    message it goes in, translated with it)."""
    if "truncated" in str(exc):
        return ConvLensError("image file is truncated: it ends before all its pixels")
    if isinstance(exc, MemoryError):
        return ConvLensError("it needs more memory than the server has free")
    return ConvLensError("its pixel data does not follow the format")


# EXIF orientations that rotate or flip (2-8); 1 is upright, anything else is not defined.
_EXIF_TURNS = range(2, 9)


def _orient(image: Image.Image, notes: list[str]) -> Image.Image:
    orientation = image.getexif().get(0x0112, 1)
    if orientation not in _EXIF_TURNS:
        return image
    notes.append(
        translate(
            "The image was rotated upright from its EXIF orientation ({orientation}).",
            {"orientation": orientation},
        )
    )
    return ImageOps.exif_transpose(image)


def _to_uint8(image: Image.Image, notes: list[str]) -> tuple[UInt8Array, UInt8Array | None]:
    """The pixels (alpha composited onto white), and the alpha channel if the source had one."""
    mode = image.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        return _high_depth_to_uint8(image, notes), None
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        mode == "P" and "transparency" in image.info
    )
    if has_alpha:
        notes.append(gettext(_TRANSPARENCY_NOTE))
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        alpha = _as_uint8(np.asarray(rgba.getchannel("A")))
        image = Image.alpha_composite(background, rgba)
        return _as_uint8(np.asarray(image.convert("L" if mode in ("LA", "La") else "RGB"))), alpha
    if mode in ("1", "L"):
        return _as_uint8(np.asarray(image if mode == "L" else image.convert("L"))), None
    if mode == "P":
        notes.append(gettext("The palette image was expanded to RGB."))
    elif mode == "CMYK":
        notes.append(gettext("The CMYK image was converted to RGB."))
    # convert() to the mode the image already has would only add a copy.
    return _as_uint8(np.asarray(image if mode == "RGB" else image.convert("RGB"))), None


def _high_depth_to_uint8(image: Image.Image, notes: list[str]) -> UInt8Array:
    values = np.asarray(image, dtype=np.float64)
    sixteen_bit = image.mode.startswith("I;16") or (image.mode == "I" and values.max() > 255)
    if sixteen_bit and values.min() >= 0 and values.max() <= 65535:
        notes.append(gettext("The 16-bit image was scaled to 8 bits (value / 257)."))
        return _as_uint8(np.rint(values / 257.0).astype(np.uint8))
    if values.min() >= 0 and values.max() <= 255:
        return _as_uint8(np.rint(values).astype(np.uint8))
    if not np.all(np.isfinite(values)):
        raise BadImage("The floating-point image contains NaN or infinity; it cannot be shown.")
    low, high = values.min(), values.max()
    notes.append(
        translate(
            "The image's values [{low:.4g}, {high:.4g}] were stretched onto 0..255.",
            {"low": low, "high": high},
        )
    )
    span = high - low if high > low else 1.0
    return _as_uint8(np.rint((values - low) * 255.0 / span).astype(np.uint8))
