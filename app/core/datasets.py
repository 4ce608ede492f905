"""A folder per class, read from an archive into arrays: ``x`` (N, S, S, C) uint8 and ``y`` (N,).

The archive's files (:mod:`app.core.datasets_archive`) are laid out by folder: the folder that
holds an image, below the folders every file shares, is its class (``letters/A/1.png`` and
``A/1.png`` are both class ``A``). Class names are text to show, never paths: they are checked
(printable, at most :data:`MAX_CLASS_NAME` characters) and kept as data.

Every image is judged from its header before any is decoded (format, per-image pixel and side
caps, and the pixels of all of them together), then decoded by :func:`decode_image`, the same
safe decoder as every upload. An image that fails is skipped, with the reason, and so is any
other file; the dataset is refused only when fewer than two classes are left, or a class has
fewer than :data:`MIN_IMAGES_PER_CLASS` images.

Each image is resized to ``image_size`` x ``image_size`` with area interpolation
(``cv2.INTER_AREA``: each output pixel the mean of the source pixels it covers; a non-square
image is stretched), then turned into the dataset's colour: ``gray`` is ITU-R 601 luma
(0.299 R + 0.587 G + 0.114 B), ``rgb`` repeats a grey image's value in R, G and B.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import cast

import cv2
import numpy as np
from numpy.typing import NDArray

from app.core.datasets_archive import ArchiveContents, ArchiveTooLarge, Member
from app.core.decoding import UInt8Array, decode_image, header_size
from app.core.encoding import ColorMode, encode_png, to_color
from app.errors import BadImage, ConvLensError, ImageTooLarge, InvalidParameter

DATASET_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")
TIFF_MAGIC = (b"II*\x00", b"MM\x00*")
# How image files start (WebP: "RIFF", its size, "WEBP"): only to find the class folders.
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"RIFF", *TIFF_MAGIC)
MIN_CLASSES = 2
MAX_CLASSES = 100
MIN_IMAGES_PER_CLASS = 5
MAX_CLASS_NAME = 64
MIN_IMAGE_SIZE = 4
MAX_IMAGE_SIZE = 128
# The default image_size is the most common image's longer side, brought into this range:
# the networks trained here take 28x28 to 64x64 inputs.
DEFAULT_SIZE_RANGE = (8, 64)
THUMBNAILS_PER_CLASS = 3
MAX_REASON = 240
Labels = NDArray[np.int32]


@dataclass(frozen=True)
class DatasetLimits:
    max_image_pixels: int  # each image, width x height
    max_image_side: int  # each image's longer side
    max_total_pixels: int  # all images together, judged from their headers
    max_array_bytes: int  # x: N x S x S x 3 at most


@dataclass(frozen=True)
class DatasetOptions:
    image_size: int | None = None  # None: the most common size's longer side, capped
    color: ColorMode | None = None  # None: rgb if any image has colour, gray otherwise


@dataclass
class ClassPreview:
    name: str
    count: int
    thumbnails: list[bytes]  # PNG, image_size x image_size, the class's first images
    mean_image: bytes  # PNG: the class's mean image, rounded to whole pixel values


@dataclass
class BuiltDataset:
    classes: list[str]  # label k is classes[k]; sorted by name
    x: UInt8Array  # (N, S, S, C), C = 1 (gray) or 3 (rgb)
    y: Labels  # (N,), labels 0 .. len(classes) - 1, grouped by class
    color: ColorMode
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    system_files: int = 0

    @property
    def image_size(self) -> int:
        return int(self.x.shape[1])


@dataclass
class _Candidate:
    member: Member
    class_name: str
    size: tuple[int, int]  # width, height, from the header


def build_dataset(
    contents: ArchiveContents, options: DatasetOptions, limits: DatasetLimits
) -> BuiltDataset:
    """The arrays of a dataset archive; raises when fewer than two usable classes are left."""
    skipped = list(contents.skipped)
    candidates = _candidates(contents.members, limits, skipped)
    total_pixels = sum(c.size[0] * c.size[1] for c in candidates)
    if total_pixels > limits.max_total_pixels:
        raise ArchiveTooLarge(
            "The archive's images hold {total_pixels:,} pixels together; at most "
            "{max_total_pixels:,} are decoded for one dataset (setting "
            "CONVLENS_MAX_DATASET_PIXELS). Scale the images down (28x28 to 64x64 is enough) "
            "or send fewer.",
            total_pixels=total_pixels,
            max_total_pixels=limits.max_total_pixels,
        )
    image_size = options.image_size or default_image_size([c.size for c in candidates])
    array_bytes = len(candidates) * image_size * image_size * 3
    if array_bytes > limits.max_array_bytes:
        raise ArchiveTooLarge(
            "{count:,} images of {image_size}x{image_size} pixels make arrays of "
            "{array_bytes:,} bytes; at most {max_array_bytes:,} are kept for one dataset "
            "(setting CONVLENS_MAX_DATASET_UNPACKED_BYTES). Choose a smaller image_size or "
            "send fewer images.",
            count=len(candidates),
            image_size=image_size,
            array_bytes=array_bytes,
            max_array_bytes=limits.max_array_bytes,
        )
    images, colourful = _decoded(candidates, image_size, limits, skipped)
    classes = _checked_classes(images, skipped)
    color: ColorMode = options.color or ("rgb" if colourful else "gray")
    label = {name: k for k, name in enumerate(classes)}
    ordered = sorted(images, key=lambda item: (label[item[0]], item[1]))
    x = np.stack([_in_color(pixels, color) for _, _, pixels in ordered])
    y = np.array([label[name] for name, _, _ in ordered], dtype=np.int32)
    return BuiltDataset(classes, x, y, color, skipped, contents.system_files)


def default_image_size(sizes: list[tuple[int, int]]) -> int:
    """The most common (width, height)'s longer side, brought into :data:`DEFAULT_SIZE_RANGE`;
    among equally common sizes, the first seen."""
    if not sizes:
        return DEFAULT_SIZE_RANGE[1]
    (width, height), _ = Counter(sizes).most_common(1)[0]
    low, high = DEFAULT_SIZE_RANGE
    return min(max(max(width, height), low), high)


def resize(pixels: UInt8Array, image_size: int) -> UInt8Array:
    """``(H, W)`` or ``(H, W, 3)`` -> ``image_size`` x ``image_size``, by area interpolation."""
    resized = cv2.resize(pixels, (image_size, image_size), interpolation=cv2.INTER_AREA)
    return cast(UInt8Array, resized)


def class_means(x: UInt8Array, y: Labels, class_count: int) -> NDArray[np.float64]:
    """(K, S, S, C): the mean of each class's images, ``x[y == k].mean(axis=0)``, in float64."""
    return np.stack([x[y == k].astype(np.float64).mean(axis=0) for k in range(class_count)])


def previews(dataset: BuiltDataset) -> list[ClassPreview]:
    """Each class's first :data:`THUMBNAILS_PER_CLASS` images and its mean image, as PNGs.

    The mean is rounded half to even (``np.rint``) to whole pixel values.
    """
    means = class_means(dataset.x, dataset.y, len(dataset.classes))
    shown = []
    for k, name in enumerate(dataset.classes):
        members = dataset.x[dataset.y == k]
        mean = np.rint(means[k]).astype(np.uint8)
        shown.append(
            ClassPreview(
                name=name,
                count=len(members),
                thumbnails=[_png(image) for image in members[:THUMBNAILS_PER_CLASS]],
                mean_image=_png(mean),
            )
        )
    return shown


def _png(image: UInt8Array) -> bytes:
    return encode_png(image[:, :, 0] if image.shape[2] == 1 else image, "deflate")


def _candidates(
    members: list[Member], limits: DatasetLimits, skipped: list[tuple[str, str]]
) -> list[_Candidate]:
    """The files that sit in a class folder and whose header an image format can read."""
    root = _common_root(members)
    candidates = []
    for member in members:
        relative = member.parts[len(root) :]
        if len(relative) < 2:
            skipped.append((member.name, "not inside a class folder (one folder per class)"))
            continue
        class_name = relative[0]
        if not class_name.isprintable() or len(class_name) > MAX_CLASS_NAME:
            skipped.append(
                (
                    member.name,
                    f"its class folder's name is not 1 to {MAX_CLASS_NAME} printable "
                    "characters; rename the folder",
                )
            )
            continue
        if member.data.startswith(TIFF_MAGIC):
            skipped.append((member.name, _not_taken("TIFF")))
            continue
        size = header_size(member.data)
        if size is None:
            skipped.append(
                (member.name, "not an image: datasets take PNG, JPEG, GIF, BMP and WebP files")
            )
            continue
        width, height = size
        if width * height > limits.max_image_pixels or max(size) > limits.max_image_side:
            skipped.append(
                (
                    member.name,
                    f"{width}x{height} pixels, over the cap of {limits.max_image_pixels:,} "
                    f"pixels and {limits.max_image_side:,} a side; scale it down",
                )
            )
            continue
        candidates.append(_Candidate(member, class_name, size))
    return candidates


def _common_root(members: list[Member]) -> tuple[str, ...]:
    """The folders every image lies in (a README beside the class folders is not counted);
    when every image lies directly in them, the last of those is the one class folder there
    is (so ``A/*.png`` alone is class A, not no class)."""
    images = [member for member in members if member.data.startswith(IMAGE_MAGIC)]
    folders = [member.parts[:-1] for member in images or members]
    if not folders:
        return ()
    root = folders[0]
    for folder in folders[1:]:
        shared = 0
        while shared < min(len(root), len(folder)) and root[shared] == folder[shared]:
            shared += 1
        root = root[:shared]
    if root and all(len(folder) == len(root) for folder in folders):
        root = root[:-1]
    return root


def _decoded(
    candidates: list[_Candidate],
    image_size: int,
    limits: DatasetLimits,
    skipped: list[tuple[str, str]],
) -> tuple[list[tuple[str, str, UInt8Array]], bool]:
    """(class, file, resized pixels) of each image that decodes, and whether any has colour."""
    images = []
    colourful = False
    for candidate in candidates:
        member = candidate.member
        try:
            decoded = decode_image(member.data, limits.max_image_pixels, limits.max_image_side)
        except (BadImage, ImageTooLarge) as exc:
            skipped.append((member.name, _reason(exc.detail)))
            continue
        if decoded.source_format not in DATASET_FORMATS:
            skipped.append((member.name, _not_taken(decoded.source_format)))
            continue
        pixels = decoded.pixels
        colourful = colourful or (pixels.ndim == 3 and not _is_grey(pixels))
        images.append((candidate.class_name, member.name, resize(pixels, image_size)))
    return images, colourful


def _is_grey(rgb: UInt8Array) -> bool:
    return bool(
        np.array_equal(rgb[:, :, 0], rgb[:, :, 1]) and np.array_equal(rgb[:, :, 1], rgb[:, :, 2])
    )


def _in_color(pixels: UInt8Array, color: ColorMode) -> UInt8Array:
    if color == "gray":
        return to_color(pixels, "gray")[:, :, np.newaxis]
    if pixels.ndim == 2:
        return cast(UInt8Array, cv2.cvtColor(pixels, cv2.COLOR_GRAY2RGB))
    return pixels


def _checked_classes(
    images: list[tuple[str, str, UInt8Array]], skipped: list[tuple[str, str]]
) -> list[str]:
    counts = Counter(name for name, _, _ in images)
    classes = sorted(counts)
    if not classes:
        if not skipped:
            raise InvalidParameter(
                "Nothing usable is left: the archive has no image inside a class folder that "
                "could be read (it holds no files). Put one folder of PNG, JPEG, GIF, BMP or "
                "WebP images per class into the archive (A/1.png, B/1.png, ...)."
            )
        shown: object = "; ".join(f"{name[:60]}: {reason}" for name, reason in skipped[:3])
        if len(skipped) > 3:
            shown = ConvLensError(
                "{shown}; and {count:,} more", shown=shown, count=len(skipped) - 3
            )
        raise InvalidParameter(
            "Nothing usable is left: the archive has no image inside a class folder that "
            "could be read ({count:,} files skipped: {shown}). Put one folder of PNG, JPEG, GIF, "
            "BMP or WebP images per class into the archive (A/1.png, B/1.png, ...).",
            count=len(skipped),
            shown=shown,
        )
    if len(classes) < MIN_CLASSES:
        raise InvalidParameter(
            "The archive has one class with images, {classes}; a dataset needs at least "
            "{min_classes}, one folder per class (A/1.png, ..., B/1.png, ...). Add a folder "
            "of images for each other class.",
            classes=repr(classes[0]),
            min_classes=MIN_CLASSES,
        )
    if len(classes) > MAX_CLASSES:
        raise InvalidParameter(
            "The archive has {count:,} classes with images; at most {max_classes} are taken. "
            "Merge classes or split the set into several datasets.",
            count=len(classes),
            max_classes=MAX_CLASSES,
        )
    short = [
        f"{name!r} ({counts[name]})" for name in classes if counts[name] < MIN_IMAGES_PER_CLASS
    ]
    if short:
        listed: object = ", ".join(short[:10])
        if len(short) > 10:
            # A phrase of its own: English in .detail, translated with the message.
            listed = ConvLensError(
                "{listed} and {count} more", listed=listed, count=len(short) - 10
            )
        params: dict[str, object] = {
            "listed": listed,
            "count": len(short),
            "min_images": MIN_IMAGES_PER_CLASS,
        }
        if len(short) == 1:
            raise InvalidParameter(
                "Too few images in {count} class: {listed}; each class needs at least "
                "{min_images} readable images to learn from and to validate on. Add images to "
                "it, or leave the folder out.",
                **params,
            )
        raise InvalidParameter(
            "Too few images in {count} classes: {listed}; each class needs at least "
            "{min_images} readable images to learn from and to validate on. Add images to "
            "them, or leave the folder out.",
            **params,
        )
    return classes


def _not_taken(image_format: str) -> str:
    return f"a {image_format} image; datasets take PNG, JPEG, GIF, BMP and WebP"


def _reason(detail: str) -> str:
    return detail if len(detail) <= MAX_REASON else detail[: MAX_REASON - 3] + "..."
