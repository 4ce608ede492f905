"""app.core.datasets and datasets_archive: layout, sizes, colour and caps, without the web."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest

from app.core.datasets import (
    BuiltDataset,
    DatasetLimits,
    DatasetOptions,
    build_dataset,
    class_means,
    default_image_size,
)
from app.core.datasets_archive import ArchiveLimits, ArchiveTooLarge, read_archive
from app.errors import InvalidParameter
from tests.datasets_files import grey_set, shape_image, tar_gz_bytes, zip_bytes

ROOMY = ArchiveLimits(max_bytes=10**8, max_members=1000, max_unpacked_bytes=10**8)
LIMITS = DatasetLimits(
    max_image_pixels=10**6, max_image_side=4096, max_total_pixels=10**8, max_array_bytes=10**8
)


def built(files: dict[str, bytes], options: DatasetOptions | None = None) -> BuiltDataset:
    contents = read_archive(io.BytesIO(zip_bytes(files)), ROOMY)
    return build_dataset(contents, options or DatasetOptions(), LIMITS)


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ([(28, 28)] * 3 + [(32, 32)] * 2, 28),
        ([(40, 30), (40, 30), (28, 28)], 40),  # the longer side
        ([(200, 200)], 64),  # capped
        ([(3, 3)], 8),  # and raised
        ([], 64),
    ],
)
def test_the_default_image_size_is_the_most_common_sizes_longer_side_capped(
    sizes: list[tuple[int, int]], expected: int
) -> None:
    assert default_image_size(sizes) == expected


@pytest.mark.parametrize("prefix", ["", "letters/", "a/b/letters/"])
def test_the_class_is_the_folder_below_the_folders_every_image_shares(prefix: str) -> None:
    files = {prefix + name: data for name, data in grey_set(3).items()}
    files[prefix + "README.md"] = b"# letters"
    dataset = built(files)
    assert dataset.classes == ["c0", "c1", "c2"]
    assert dataset.skipped == [
        (prefix + "README.md", "not inside a class folder (one folder per class)")
    ]


def test_images_in_subfolders_of_a_class_folder_belong_to_that_class() -> None:
    files = {
        f"c{k}/part{n % 2}/{n}.png": data
        for (name, data), n, k in (
            (item, int(item[0][3]), int(item[0][1])) for item in grey_set(2).items()
        )
    }
    assert built(files).classes == ["c0", "c1"]


def test_a_class_folder_whose_name_is_not_printable_is_skipped_not_used() -> None:
    files = {
        **grey_set(2),
        **{f"bad\u0007name/{n}.png": data for n, data in enumerate(grey_set(1).values())},
    }
    dataset = built(files)
    assert dataset.classes == ["c0", "c1"]
    assert len(dataset.skipped) == 5
    assert "printable" in dataset.skipped[0][1]


def test_colour_is_judged_from_the_pixels_not_the_file_mode() -> None:
    grey_rgb = shape_image("square", (12, 12), (90, 90, 90))  # an RGB PNG of greys only
    files = {f"c{k}/{n}.png": grey_rgb for k in range(2) for n in range(5)}
    assert built(files).color == "gray"
    files["c1/red.png"] = shape_image("square", (12, 12), (200, 0, 0))
    dataset = built(files)
    assert dataset.color == "rgb"
    assert dataset.x.shape == (11, 12, 12, 3)


def test_gray_is_the_luma_of_the_resized_rgb_image() -> None:
    red = shape_image("square", (12, 12), (200, 0, 0))
    files = {f"c{k}/{n}.png": red for k in range(2) for n in range(5)}
    dataset = built(files, DatasetOptions(image_size=6, color="gray"))
    assert dataset.x.shape == (10, 6, 6, 1)
    assert dataset.x[0, 3, 3, 0] == round(0.299 * 200)
    assert dataset.x[0, 0, 0, 0] == 255


def test_class_means_are_numpy_means_per_label() -> None:
    x = np.arange(4 * 2 * 2 * 1, dtype=np.uint8).reshape(4, 2, 2, 1)
    y = np.array([0, 1, 0, 1], dtype=np.int32)
    means = class_means(x, y, 2)
    np.testing.assert_array_equal(means[0], (x[0] + x[2].astype(float)) / 2)
    np.testing.assert_array_equal(means[1], (x[1] + x[3].astype(float)) / 2)


def test_the_pixels_of_all_images_together_are_capped_before_decoding() -> None:
    contents = read_archive(io.BytesIO(zip_bytes(grey_set(2, 5, (10, 10)))), ROOMY)
    limits = DatasetLimits(10**6, 4096, max_total_pixels=999, max_array_bytes=10**8)
    with pytest.raises(ArchiveTooLarge, match="1,000 pixels together"):
        build_dataset(contents, DatasetOptions(), limits)


def test_a_zip_whose_end_record_counts_too_many_members_is_refused_before_its_directory() -> None:
    archive = bytearray(zip_bytes(grey_set()))
    end = archive.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", archive, end + 8, 0xFFFF, 0xFFFF)
    with pytest.raises(ArchiveTooLarge, match="more than 1,000 members"):
        read_archive(io.BytesIO(bytes(archive)), ROOMY)


def test_a_tar_gz_stops_inflating_at_the_cap() -> None:
    noise = np.random.default_rng(2).bytes(50_000)
    archive = tar_gz_bytes({"c0/noise.bin": noise})
    limits = ArchiveLimits(max_bytes=10**8, max_members=1000, max_unpacked_bytes=20_000)
    with pytest.raises(ArchiveTooLarge, match="inflates to more than 20,000 bytes"):
        read_archive(io.BytesIO(archive), limits)


def test_an_empty_archive_leaves_nothing_usable() -> None:
    with pytest.raises(InvalidParameter, match="it holds no files"):
        built({})
