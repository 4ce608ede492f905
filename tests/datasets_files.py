"""Dataset archives made in the tests: coloured shapes in class folders, and hostile archives."""

from __future__ import annotations

import gzip
import io
import random
import stat
import tarfile
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SHAPES = ("circle", "square", "triangle")
COLOURS = ((220, 40, 40), (40, 160, 60), (40, 80, 220), (230, 180, 30))


def shape_image(
    shape: str, size: tuple[int, int], colour: tuple[int, int, int], image_format: str = "PNG"
) -> bytes:
    """A shape in ``colour`` on a white background, ``size`` = (width, height)."""
    width, height = size
    image = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    box = (width // 5, height // 5, width - width // 5, height - height // 5)
    if shape == "circle":
        draw.ellipse(box, fill=colour)
    elif shape == "square":
        draw.rectangle(box, fill=colour)
    else:
        draw.polygon([(box[0], box[3]), (box[2], box[3]), (width // 2, box[1])], fill=colour)
    return encoded(image, image_format)


def grey_image(value: int, size: tuple[int, int] = (8, 8)) -> bytes:
    return encoded(Image.new("L", size, value), "PNG")


def encoded(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def zip_with_symlink(files: dict[str, bytes], link_name: str, target: str) -> bytes:
    buffer = io.BytesIO(zip_bytes(files))
    with zipfile.ZipFile(buffer, "a") as archive:
        info = zipfile.ZipInfo(link_name)
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, target)
    return buffer.getvalue()


def tar_gz_bytes(files: dict[str, bytes], extra: list[tarfile.TarInfo] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for info in extra or []:
            archive.addfile(info)
    return buffer.getvalue()


def tar_member(name: str, kind: bytes, target: str = "") -> tarfile.TarInfo:
    """A tar member of type ``kind`` (tarfile.SYMTYPE, LNKTYPE, CHRTYPE, ...), no data."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9)


def shapes_set(per_class: int = 8) -> dict[str, bytes]:
    """3 classes of coloured shapes; in each, 5 images of 24x24 and the rest 30x20 pixels."""
    files = {}
    formats = ("PNG", "PNG", "BMP", "GIF", "WEBP", "PNG", "PNG", "PNG")
    for shape in SHAPES:
        for n in range(per_class):
            size = (24, 24) if n < 5 else (30, 20)
            image_format = formats[n % len(formats)]
            suffix = {"WEBP": "webp", "GIF": "gif", "BMP": "bmp"}.get(image_format, "png")
            files[f"shapes/{shape}/{n:02d}.{suffix}"] = shape_image(
                shape, size, COLOURS[n % len(COLOURS)], image_format
            )
    return files


def grey_set(
    classes: int = 2, per_class: int = 5, size: tuple[int, int] = (8, 8)
) -> dict[str, bytes]:
    return {
        f"c{k}/{n}.png": grey_image(40 * k + 10 * n, size)
        for k in range(classes)
        for n in range(per_class)
    }


LETTERS = "ABCDEFGHIJ"
FONTS_DIR = Path("/usr/share/fonts")
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def letter_fonts(sizes: tuple[int, ...] = (18, 20, 22, 24)) -> list[Font]:
    """The machine's TrueType fonts that draw Latin capitals, at each of ``sizes``; when fewer
    than 2 are found, Pillow's own font (``load_default``) at each size instead."""
    files = sorted(FONTS_DIR.glob("**/*.ttf"))
    fonts: list[Font] = []
    for path in files:
        try:
            font = ImageFont.truetype(str(path), sizes[0])
        except OSError:
            continue
        if font.getmask("A").getbbox() is None:  # a symbol font: no glyph for A
            continue
        fonts += [ImageFont.truetype(str(path), size) for size in sizes]
    if len(fonts) < 2 * len(sizes):
        fonts = [ImageFont.load_default(size) for size in sizes]
    return fonts


def letter_image(letter: str, font: Font, offset: tuple[int, int]) -> bytes:
    """``letter`` in white on black, 28x28 grey, centred on its ink and moved by ``offset``."""
    image = Image.new("L", (28, 28), 0)
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = draw.textbbox((0, 0), letter, font=font)
    x = (28 - (right - left)) / 2 - left + offset[0]
    y = (28 - (bottom - top)) / 2 - top + offset[1]
    draw.text((x, y), letter, fill=255, font=font)
    return encoded(image, "PNG")


def letters_set(per_class: int = 36, seed: int = 0) -> dict[str, bytes]:
    """notMNIST's kind of set: A-J drawn with the machine's fonts at several sizes and small
    random offsets (seeded), 28x28 grey, one folder per letter."""
    rng = random.Random(seed)
    fonts = letter_fonts()
    files = {}
    for letter in LETTERS:
        for n in range(per_class):
            font = rng.choice(fonts)
            offset = (rng.randint(-2, 2), rng.randint(-2, 2))
            files[f"{letter}/{n:02d}.png"] = letter_image(letter, font, offset)
    return files


def coloured_shapes_set(per_class: int = 40, seed: int = 0) -> dict[str, bytes]:
    """3 classes of shapes in random colours (seeded), at sizes from 20x20 to 40x28 that the
    upload stretches to one size, one folder per shape."""
    rng = random.Random(seed)
    files = {}
    for shape in SHAPES:
        for n in range(per_class):
            size = (rng.randint(20, 40), rng.randint(20, 28))
            colour = (rng.randint(0, 200), rng.randint(0, 200), rng.randint(0, 200))
            files[f"{shape}/{n:02d}.png"] = shape_image(shape, size, colour)
    return files
