"""Dataset archives made in the tests: coloured shapes in class folders, and hostile archives."""

from __future__ import annotations

import gzip
import io
import stat
import tarfile
import zipfile

from PIL import Image, ImageDraw

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
