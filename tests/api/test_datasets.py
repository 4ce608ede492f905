"""POST /api/datasets, GET /api/datasets[/{id}]: archives in, arrays and previews out, bounded."""

from __future__ import annotations

import base64
import io
import tarfile
from pathlib import Path

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.config import Settings
from tests.conftest import make_client
from tests.datasets_files import (
    SHAPES,
    encoded,
    grey_set,
    gzip_bytes,
    shapes_set,
    tar_gz_bytes,
    tar_member,
    zip_bytes,
    zip_with_symlink,
)

MIB = 1024 * 1024


def upload(
    client: TestClient, archive: bytes, filename: str = "set.zip", **fields: str
) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.post(
        "/api/datasets",
        files={"file": (filename, archive, "application/octet-stream")},
        data=fields,
    )
    return response.status_code, response.json()


def png_pixels(encoded_png: str) -> np.ndarray:  # type: ignore[type-arg]
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded_png))))


def reference_arrays(files: dict[str, bytes], image_size: int) -> dict[str, np.ndarray]:  # type: ignore[type-arg]
    """Each class's images as the dataset should hold them: decoded to RGB by Pillow, resized
    by area interpolation, in file-name order."""
    by_class: dict[str, list[np.ndarray]] = {}  # type: ignore[type-arg]
    for name in sorted(files):
        parts = name.split("/")
        rgb = np.asarray(Image.open(io.BytesIO(files[name])).convert("RGB"))
        resized = cv2.resize(rgb, (image_size, image_size), interpolation=cv2.INTER_AREA)
        by_class.setdefault(parts[1], []).append(resized)
    return {shape: np.stack(images) for shape, images in by_class.items()}


def test_a_good_archive_gives_exact_counts_shape_arrays_and_mean_images(
    client: TestClient, data_dir: Path
) -> None:
    images = shapes_set()
    files = {
        **images,
        "README.txt": b"Shapes drawn by the tests.",
        "shapes/circle/notes.txt": b"not an image",
        "shapes/square/broken.png": images["shapes/square/00.png"][:60],
        "shapes/triangle/scan.tif": encoded(Image.new("RGB", (24, 24), (1, 2, 3)), "TIFF"),
        "__MACOSX/shapes/circle/._00.png": b"\x00\x05\x16\x07",
        "shapes/.DS_Store": b"\x00\x00\x00\x01Bud1",
    }
    status, answer = upload(client, zip_bytes(files), "My shapes.zip")
    assert status == 201, answer
    assert answer["name"] == "My shapes"
    assert answer["archive_format"] == "zip"
    assert answer["images"] == 24
    assert answer["image_shape"] == [24, 24, 3]  # 24x24 is the most common size; colour
    assert answer["color"] == "rgb"
    assert [(c["label"], c["name"], c["count"]) for c in answer["classes"]] == [
        (0, "circle", 8),
        (1, "square", 8),
        (2, "triangle", 8),
    ]
    skipped = {item["file"]: item["reason"] for item in answer["skipped"]}
    assert answer["skipped_count"] == 4
    assert "not inside a class folder" in skipped["README.txt"]
    assert "not an image" in skipped["shapes/circle/notes.txt"]
    assert "truncated" in skipped["shapes/square/broken.png"]
    assert "TIFF" in skipped["shapes/triangle/scan.tif"]
    assert answer["system_files"] == 2

    reference = reference_arrays(images, 24)
    stored = np.load(data_dir / "datasets" / answer["id"] / "arrays.npz", allow_pickle=False)
    assert stored["x"].dtype == np.uint8
    assert stored["y"].tolist() == [0] * 8 + [1] * 8 + [2] * 8
    np.testing.assert_array_equal(stored["x"], np.concatenate([reference[s] for s in SHAPES]))
    for shown in answer["classes"]:
        expected_mean = np.rint(reference[shown["name"]].astype(np.float64).mean(axis=0))
        np.testing.assert_array_equal(png_pixels(shown["mean_image"]), expected_mean)
        assert len(shown["thumbnails"]) == 3
        np.testing.assert_array_equal(
            png_pixels(shown["thumbnails"][0]), reference[shown["name"]][0]
        )

    again = client.get(f"/api/datasets/{answer['id']}").json()
    assert again["classes"] == answer["classes"]
    assert again["last_used"] > answer["last_used"]
    listed = {item["id"]: item for item in client.get("/api/datasets").json()}
    assert listed[answer["id"]]["classes"][2] == {"label": 2, "name": "triangle", "count": 8}


def test_a_tar_gz_reads_like_the_same_zip(client: TestClient) -> None:
    status, answer = upload(client, tar_gz_bytes(shapes_set()), "shapes.tar.gz")
    assert status == 201, answer
    assert answer["archive_format"] == "tar.gz"
    assert [c["count"] for c in answer["classes"]] == [8, 8, 8]


def test_grey_images_make_a_one_channel_set_unless_rgb_is_asked(client: TestClient) -> None:
    status, answer = upload(client, zip_bytes(grey_set(size=(10, 6))))
    assert (status, answer["image_shape"], answer["color"]) == (201, [10, 10, 1], "gray")
    status, answer = upload(client, zip_bytes(grey_set()), color="rgb", image_size="16")
    assert (status, answer["image_shape"], answer["color"]) == (201, [16, 16, 3], "rgb")


def test_class_folders_at_the_top_of_the_archive_are_the_classes(client: TestClient) -> None:
    files = {
        f"{name}/{n}.png": data
        for name in ("A", "B")
        for n, data in enumerate(grey_set(1, 5).values())
    }
    status, answer = upload(client, zip_bytes(files))
    assert status == 201, answer
    assert [c["name"] for c in answer["classes"]] == ["A", "B"]


def test_unknown_dataset_is_a_404_that_says_how_to_get_one(client: TestClient) -> None:
    response = client.get("/api/datasets/no-such-set")
    assert response.status_code == 404
    assert "Upload it again with POST /api/datasets" in response.json()["detail"]


def _bomb_member() -> bytes:
    return b"\x00" * (20 * MIB)


HOSTILE = {
    "zip bomb": (zip_bytes({**grey_set(), "c0/bomb.png": _bomb_member()}), 413, "zip bomb"),
    "tar bomb": (tar_gz_bytes({**grey_set(), "c0/bomb.png": _bomb_member()}), 413, "tar bomb"),
    "zip slip": (zip_bytes({**grey_set(), "../evil.png": b"x"}), 422, "outside the archive"),
    "zip absolute": (zip_bytes({**grey_set(), "/etc/evil.png": b"x"}), 422, "outside"),
    "zip drive": (zip_bytes({**grey_set(), "C:/evil.png": b"x"}), 422, "outside"),
    "tar slip": (tar_gz_bytes({**grey_set(), "c0/../../evil.png": b"x"}), 422, "outside"),
    "tar absolute": (tar_gz_bytes({**grey_set(), "/tmp/evil.png": b"x"}), 422, "outside"),
    "zip symlink": (
        zip_with_symlink(grey_set(), "c0/link.png", "/etc/passwd"),
        422,
        "symbolic link",
    ),
    "tar symlink": (
        tar_gz_bytes(grey_set(), [tar_member("c0/link.png", tarfile.SYMTYPE, "/etc/passwd")]),
        422,
        "symbolic link",
    ),
    "tar hardlink": (
        tar_gz_bytes(grey_set(), [tar_member("c0/link.png", tarfile.LNKTYPE, "c0/0.png")]),
        422,
        "hard link",
    ),
    "tar device": (
        tar_gz_bytes(grey_set(), [tar_member("c0/zero", tarfile.CHRTYPE)]),
        422,
        "device",
    ),
    "tar fifo": (tar_gz_bytes(grey_set(), [tar_member("c0/pipe", tarfile.FIFOTYPE)]), 422, "FIFO"),
    "one class": (zip_bytes(grey_set(classes=1)), 422, "one class with images, 'c0'"),
    "too few images": (
        zip_bytes(
            {**grey_set(3), **{f"c3/{n}.png": grey_set(1, 3)[f"c0/{n}.png"] for n in range(3)}}
        ),
        422,
        "Too few images in 1 class: 'c3' (3)",
    ),
    "nothing usable": (
        zip_bytes({"a/notes.txt": b"hi", "b/data.csv": b"1,2"}),
        422,
        "Nothing usable is left",
    ),
    "too many classes": (zip_bytes(grey_set(classes=101, size=(2, 2))), 422, "at most 100"),
    "not an archive": (b"%PDF-1.4 not an archive", 415, "neither a .zip nor a .tar.gz"),
    "gzip of no tar": (gzip_bytes(b"plain text, not a tar" * 40), 422, "cannot be read"),
    "cut-off zip": (zip_bytes(grey_set())[:-30], 422, "cut off"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_and_unusable_archives_are_refused_naming_why(
    client: TestClient, data_dir: Path, case: str
) -> None:
    archive, expected_status, phrase = HOSTILE[case]
    before = (
        sorted(p.name for p in (data_dir / "datasets").glob("*"))
        if (data_dir / "datasets").is_dir()
        else []
    )
    status, answer = upload(client, archive)
    assert status == expected_status, answer
    assert phrase in answer["detail"]
    after = (
        sorted(p.name for p in (data_dir / "datasets").glob("*"))
        if (data_dir / "datasets").is_dir()
        else []
    )
    assert after == before  # nothing written, not even half a dataset


@pytest.fixture(scope="module")
def tight_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("tight"),
        max_dataset_members=20,
        max_dataset_unpacked_bytes=64 * 1024,
        max_dataset_image_pixels=100,
        max_dataset_bytes=200 * 1024,
    )
    with make_client(settings) as test_client:
        yield test_client  # type: ignore[misc]


@pytest.mark.parametrize("pack", [zip_bytes, tar_gz_bytes], ids=["zip", "tar.gz"])
def test_more_members_than_the_cap_are_refused(tight_client: TestClient, pack: object) -> None:
    status, answer = upload(tight_client, pack(grey_set(3, 7)))  # type: ignore[operator]
    assert status == 413
    assert "more than 20 members" in answer["detail"]
    assert "CONVLENS_MAX_DATASET_MEMBERS" in answer["detail"]


@pytest.mark.parametrize("pack", [zip_bytes, tar_gz_bytes], ids=["zip", "tar.gz"])
def test_more_unpacked_bytes_than_the_cap_are_refused(
    tight_client: TestClient, pack: object
) -> None:
    noise = np.random.default_rng(0).bytes(80 * 1024)  # does not compress: no ratio to catch
    status, answer = upload(tight_client, pack({**grey_set(), "c0/noise.bin": noise}))  # type: ignore[operator]
    assert status == 413
    assert "CONVLENS_MAX_DATASET_UNPACKED_BYTES" in answer["detail"]


def test_images_over_the_pixel_cap_are_skipped_with_the_reason(tight_client: TestClient) -> None:
    files = {**grey_set(), "c1/big.png": grey_set(1, 1, size=(20, 20))["c0/0.png"]}
    status, answer = upload(tight_client, zip_bytes(files))
    assert status == 201, answer
    assert answer["skipped"] == [
        {
            "file": "c1/big.png",
            "reason": "20x20 pixels, over the cap of 100 pixels and 4,096 a side; scale it down",
        }
    ]


def test_an_archive_over_the_byte_cap_is_refused(tight_client: TestClient) -> None:
    noise = np.random.default_rng(1).bytes(300 * 1024)
    status, body = upload(tight_client, zip_bytes({**grey_set(), "c0/n.bin": noise}))
    assert status == 413
    assert "The dataset archive is larger than" in body["detail"]
    assert "CONVLENS_MAX_DATASET_BYTES" in body["detail"]


def _storage_client(data_dir: Path, max_bytes: int, keep_seconds: float) -> TestClient:
    return make_client(
        Settings(
            data_dir=data_dir, datasets_storage_bytes=max_bytes, dataset_keep_seconds=keep_seconds
        )
    )


def _stored_size(tmp_path: Path) -> int:
    with _storage_client(tmp_path / "probe", 1024 * MIB, 0) as probe:
        status, answer = upload(probe, zip_bytes(grey_set()), name="same-length")
    assert status == 201
    return int(answer["stored_bytes"])


def test_the_dataset_used_longest_ago_is_deleted_first_to_make_room(tmp_path: Path) -> None:
    size = _stored_size(tmp_path)
    with _storage_client(tmp_path / "data", int(size * 2.5), 0) as client:
        ids = {}
        for name in ("first", "second"):
            status, answer = upload(client, zip_bytes(grey_set()), name=f"{name}-0")
            assert status == 201, answer
            ids[name] = answer["id"]
        assert client.get(f"/api/datasets/{ids['first']}").status_code == 200  # a use
        status, answer = upload(client, zip_bytes(grey_set()), name="third-0")
        assert status == 201, answer
        kept = {item["id"] for item in client.get("/api/datasets").json()}
        assert kept == {ids["first"], answer["id"]}
        assert client.get(f"/api/datasets/{ids['second']}").status_code == 404
        assert [
            p.name
            for p in (tmp_path / "data" / "datasets").iterdir()
            if p.name.startswith(".") and p.name != ".lock"
        ] == []


def test_recently_used_datasets_are_kept_and_the_refusal_says_so(tmp_path: Path) -> None:
    size = _stored_size(tmp_path)
    with _storage_client(tmp_path / "data", int(size * 1.5), 600) as client:
        status, first = upload(client, zip_bytes(grey_set()), name="first-0")
        assert status == 201
        status, answer = upload(client, zip_bytes(grey_set()), name="second")
        assert status == 507
        assert "used in the last 10 minutes" in answer["detail"]
        assert "CONVLENS_DATASETS_STORAGE_BYTES" in answer["detail"]
        assert [item["id"] for item in client.get("/api/datasets").json()] == [first["id"]]


def test_a_dataset_bigger_than_the_whole_cap_is_refused_naming_the_setting(tmp_path: Path) -> None:
    with _storage_client(tmp_path / "data", 2048, 0) as client:
        status, answer = upload(client, zip_bytes(grey_set()))
    assert status == 507
    assert "more than the whole datasets folder may hold (2,048 bytes" in answer["detail"]
    assert not any((tmp_path / "data" / "datasets").glob("[!.]*"))
