"""Datasets kept in the data folder: ``<data>/datasets/<id>/``, arrays and records, never files.

Each folder holds ``arrays.npz`` (``x``: N x S x S x C uint8, ``y``: N int32 labels; read with
``allow_pickle=False``), ``dataset.json`` (its :class:`DatasetRecord`: classes, counts, skipped
files, when it was made and last used) and ``previews.json`` (thumbnails and mean images). A
folder is written under a hidden name and renamed into place, so other workers never see half a
dataset. The folder of all datasets has a byte cap: to make room for a new one, the datasets
used longest ago are deleted first, except those used in the last ``keep_seconds`` (a training
job may be reading them); when that is not enough the upload is refused and the answer says so.
Making room and renaming happen under a file lock, so two workers never both count the same
free space.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from app.core.datasets import BuiltDataset, Labels, previews
from app.core.decoding import UInt8Array
from app.core.encoding import ColorMode
from app.errors import ConvLensError, UnknownName, UnknownResource

ARRAYS_FILE = "arrays.npz"
RECORD_FILE = "dataset.json"
PREVIEWS_FILE = "previews.json"
MAX_LISTED_SKIPPED = 50
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# Hidden folders (being written, being deleted) left by a process that died are removed after:
STALE_SECONDS = 3600


class StorageFull(ConvLensError):
    """The datasets folder is at its cap and nothing may be deleted to make room."""

    status_code = 507


class ClassCount(BaseModel):
    label: int = Field(description="The class's label in y: 0, 1, 2 ... in the order of names.")
    name: str = Field(description="The class folder's name, shown as it is; never a path.")
    count: int = Field(description="Images of this class in the dataset.")


class ClassPreview(ClassCount):
    thumbnails: list[str] = Field(
        description="The class's first images as stored (image_size x image_size), base64 PNG."
    )
    mean_image: str = Field(
        description="The mean of the class's images, pixel by pixel, rounded; base64 PNG."
    )


class SkippedFile(BaseModel):
    file: str = Field(description="The file's path inside the archive.")
    reason: str = Field(description="Why it is not in the dataset.")


class _DatasetFacts(BaseModel):
    id: str = Field(description="The dataset's id, for GET /api/datasets/{id} and training.")
    name: str = Field(description="A readable name.")
    archive_format: Literal["zip", "tar.gz"] = Field(description="The uploaded archive's kind.")
    images: int = Field(description="Images in the dataset, all classes together.")
    image_shape: list[int] = Field(
        description="Height, width, channels of every image: image_size x image_size x 1 (gray) "
        "or 3 (rgb)."
    )
    color: ColorMode = Field(description='"gray" (1 channel) or "rgb" (3 channels).')
    created: datetime = Field(description="When it was uploaded (UTC).")
    last_used: datetime = Field(
        description="When it was last uploaded, shown or trained on (UTC); the datasets used "
        "longest ago are deleted first when the datasets folder is full."
    )


class DatasetRecord(_DatasetFacts):
    """What ``dataset.json`` holds."""

    classes: list[ClassCount]
    skipped: list[SkippedFile] = Field(
        description=f"Files left out and why: the first {MAX_LISTED_SKIPPED}."
    )
    skipped_count: int = Field(description="All files left out, listed or not.")
    system_files: int = Field(
        description="Files archivers and file browsers add (__MACOSX/, .DS_Store, Thumbs.db), "
        "left out without a word."
    )


class DatasetSummary(_DatasetFacts):
    classes: list[ClassCount] = Field(description="Each class, by label.")
    stored_bytes: int = Field(description="Bytes the dataset takes in the data folder.")


class DatasetDetail(DatasetRecord):
    classes: list[ClassPreview] = Field(  # type: ignore[assignment]
        description="Each class, by label, with thumbnails and its mean image."
    )
    stored_bytes: int = Field(description="Bytes the dataset takes in the data folder.")


@dataclass(frozen=True)
class StorageLimits:
    max_bytes: int  # all datasets together
    keep_seconds: float  # datasets used more recently than this are not deleted to make room


def datasets_root(data_dir: Path) -> Path:
    return data_dir / "datasets"


def save_dataset(
    data_dir: Path,
    dataset: BuiltDataset,
    name: str,
    archive_format: Literal["zip", "tar.gz"],
    limits: StorageLimits,
) -> DatasetDetail:
    """Store the arrays and records under a new id, deleting old datasets to make room."""
    root = datasets_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    dataset_id = _new_id(name, root)
    incoming = root / f".incoming-{dataset_id}"
    incoming.mkdir()
    try:
        record = _write(incoming, dataset_id, dataset, name, archive_format)
        needed = _folder_bytes(incoming)
        with _locked(root):
            _make_room(root, needed, limits)
            incoming.rename(root / dataset_id)
    except BaseException:
        shutil.rmtree(incoming, ignore_errors=True)
        raise
    return dataset_detail(data_dir, record.id, touch=False)


def dataset_ids(data_dir: Path) -> list[str]:
    root = datasets_root(data_dir)
    if not root.is_dir():
        return []
    return sorted(entry.name for entry in os.scandir(root) if _ID.match(entry.name))


def list_datasets(data_dir: Path) -> list[DatasetSummary]:
    """Every stored dataset, the most recently used first."""
    summaries = []
    for dataset_id in dataset_ids(data_dir):
        folder = datasets_root(data_dir) / dataset_id
        with contextlib.suppress(FileNotFoundError, ValueError):  # deleted meanwhile, or broken
            record = _read_record(folder)
            summaries.append(
                DatasetSummary(
                    **record.model_dump(exclude={"skipped", "skipped_count", "system_files"}),
                    stored_bytes=_folder_bytes(folder),
                )
            )
    return sorted(summaries, key=lambda s: s.last_used, reverse=True)


def dataset_detail(data_dir: Path, dataset_id: str, touch: bool = True) -> DatasetDetail:
    """A dataset's record with its previews; ``touch`` counts this as a use."""
    folder = _folder(data_dir, dataset_id)
    try:
        record = _touched(folder) if touch else _read_record(folder)
        shown = json.loads((folder / PREVIEWS_FILE).read_text())
    except FileNotFoundError:  # deleted to make room since _folder looked
        raise _unknown(data_dir, dataset_id) from None
    classes = [ClassPreview(**count.model_dump(), **shown[count.label]) for count in record.classes]
    return DatasetDetail(
        **record.model_dump(exclude={"classes"}),
        classes=classes,
        stored_bytes=_folder_bytes(folder),
    )


def load_arrays(data_dir: Path, dataset_id: str) -> tuple[UInt8Array, Labels]:
    """``x`` and ``y`` of a stored dataset, for training; counts as a use."""
    folder = _folder(data_dir, dataset_id)
    _touched(folder)
    with np.load(folder / ARRAYS_FILE, allow_pickle=False) as arrays:
        return arrays["x"], arrays["y"]


def _write(
    folder: Path,
    dataset_id: str,
    dataset: BuiltDataset,
    name: str,
    archive_format: Literal["zip", "tar.gz"],
) -> DatasetRecord:
    np.savez(folder / ARRAYS_FILE, x=dataset.x, y=dataset.y)
    shown = previews(dataset)
    now = datetime.now(UTC)
    record = DatasetRecord(
        id=dataset_id,
        name=name,
        archive_format=archive_format,
        images=int(dataset.x.shape[0]),
        image_shape=[int(n) for n in dataset.x.shape[1:]],
        color=dataset.color,
        created=now,
        last_used=now,
        classes=[
            ClassCount(label=k, name=preview.name, count=preview.count)
            for k, preview in enumerate(shown)
        ],
        skipped=[SkippedFile(file=f, reason=r) for f, r in dataset.skipped[:MAX_LISTED_SKIPPED]],
        skipped_count=len(dataset.skipped),
        system_files=dataset.system_files,
    )
    (folder / RECORD_FILE).write_text(record.model_dump_json(indent=1))
    previews_json = [
        {
            "thumbnails": [_base64(png) for png in preview.thumbnails],
            "mean_image": _base64(preview.mean_image),
        }
        for preview in shown
    ]
    (folder / PREVIEWS_FILE).write_text(json.dumps(previews_json))
    return record


def _make_room(root: Path, needed: int, limits: StorageLimits) -> None:
    """Delete the datasets used longest ago until ``needed`` more bytes fit under the cap."""
    if needed > limits.max_bytes:
        raise StorageFull(
            "This dataset takes {needed:,} bytes stored, more than the whole datasets folder "
            "may hold ({limit:,} bytes, setting CONVLENS_DATASETS_STORAGE_BYTES). "
            "Choose a smaller image_size or send fewer images, or ask the server's admin to "
            "raise the setting.",
            needed=needed,
            limit=limits.max_bytes,
        )
    _remove_stale(root)
    stored = []
    for entry in os.scandir(root):
        if _ID.match(entry.name):
            folder = Path(entry.path)
            try:
                last_used = _read_record(folder).last_used
            except (FileNotFoundError, ValueError):
                last_used = datetime.min.replace(tzinfo=UTC)  # unreadable: the first to go
            stored.append((last_used, folder, _folder_bytes(folder)))
    total = sum(size for _, _, size in stored)
    kept_after = datetime.now(UTC) - timedelta(seconds=limits.keep_seconds)
    for last_used, folder, size in sorted(stored, key=lambda item: item[0]):
        if total + needed <= limits.max_bytes or last_used > kept_after:
            break
        _delete(folder)
        total -= size
    if total + needed > limits.max_bytes:
        minutes = max(1, round(limits.keep_seconds / 60))
        params = {"total": total, "minutes": minutes, "needed": needed, "limit": limits.max_bytes}
        if minutes == 1:
            raise StorageFull(
                "The datasets folder is full: it holds {total:,} bytes of datasets used in the "
                "last {minutes} minute, which are kept, and this dataset needs {needed:,} more "
                "within the cap of {limit:,} bytes (setting CONVLENS_DATASETS_STORAGE_BYTES). "
                "Try again in a few minutes, when older datasets may be deleted, or ask the "
                "server's admin to raise the setting.",
                **params,
            )
        raise StorageFull(
            "The datasets folder is full: it holds {total:,} bytes of datasets used in the "
            "last {minutes} minutes, which are kept, and this dataset needs {needed:,} more "
            "within the cap of {limit:,} bytes (setting CONVLENS_DATASETS_STORAGE_BYTES). "
            "Try again in a few minutes, when older datasets may be deleted, or ask the "
            "server's admin to raise the setting.",
            **params,
        )


def _remove_stale(root: Path) -> None:
    cutoff = time.time() - STALE_SECONDS
    for entry in os.scandir(root):
        if entry.name.startswith((".incoming-", ".deleted-")):
            with contextlib.suppress(OSError):
                if entry.stat().st_mtime < cutoff:
                    shutil.rmtree(entry.path, ignore_errors=True)


def _delete(folder: Path) -> None:
    doomed = folder.with_name(f".deleted-{folder.name}-{secrets.token_hex(4)}")
    with contextlib.suppress(FileNotFoundError):
        folder.rename(doomed)
        shutil.rmtree(doomed, ignore_errors=True)


def _touched(folder: Path) -> DatasetRecord:
    """The record, with ``last_used`` set to now (written by replace: never half a file)."""
    record = _read_record(folder).model_copy(update={"last_used": datetime.now(UTC)})
    temporary = folder / f".{RECORD_FILE}.{secrets.token_hex(4)}"
    try:
        temporary.write_text(record.model_dump_json(indent=1))
        os.replace(temporary, folder / RECORD_FILE)
    except FileNotFoundError:
        temporary.unlink(missing_ok=True)
        raise
    return record


def _read_record(folder: Path) -> DatasetRecord:
    return DatasetRecord.model_validate_json((folder / RECORD_FILE).read_bytes())


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    with (root / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _folder(data_dir: Path, dataset_id: str) -> Path:
    folder = datasets_root(data_dir) / dataset_id
    if not _ID.match(dataset_id) or not folder.is_dir():
        raise _unknown(data_dir, dataset_id)
    return folder


def _unknown(data_dir: Path, dataset_id: str) -> UnknownResource:
    known = dataset_ids(data_dir)
    if known:
        return UnknownResource(
            "There is no dataset {dataset!r}: it was never uploaded here, or it was deleted to "
            "make room for newer ones. The datasets there are: {known}. Upload it again with "
            "POST /api/datasets.",
            dataset=dataset_id[:70],
            known=", ".join(known[:20]),
        )
    return UnknownResource(
        "There is no dataset {dataset!r}: it was never uploaded here, or it was deleted to "
        "make room for newer ones. Upload it again with POST /api/datasets.",
        dataset=dataset_id[:70],
    )


def unknown_in_request(data_dir: Path, dataset_id: str) -> UnknownName:
    """A request's ``dataset`` field naming no dataset: the same sentences, with the field."""
    return UnknownName(
        "{field}: {problems}", field="dataset", problems=_unknown(data_dir, dataset_id)
    )


def _folder_bytes(folder: Path) -> int:
    total = 0
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            with contextlib.suppress(FileNotFoundError):
                total += entry.stat().st_size
    return total


def _new_id(name: str, root: Path) -> str:
    """A URL-safe id from the name, with a random suffix: ``letters-3f9a1c2b``."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "dataset"
    while True:
        dataset_id = f"{slug}-{secrets.token_hex(4)}"
        if not (root / dataset_id).exists():
            return dataset_id


def _base64(png: bytes) -> str:
    return base64.b64encode(png).decode("ascii")
