"""Your own images: ``POST /api/datasets`` reads a folder per class into arrays; GET shows them."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, Form, Path, status

from app.api.deps import ComputeDep, SettingsDep
from app.config import Settings
from app.core.datasets import DatasetLimits, DatasetOptions, build_dataset
from app.core.datasets_archive import ArchiveLimits, read_archive
from app.ml import dataset_store
from app.schemas.common import ErrorResponse
from app.schemas.datasets import DatasetDetail, DatasetForm, DatasetSummary

router = APIRouter(prefix="/api/datasets", tags=["datasets"])

DatasetId = Annotated[
    str,
    Path(
        max_length=64,
        description="A dataset id from GET /api/datasets.",
        examples=["letters-3f9a1c2b"],
    ),
]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DatasetDetail,
    responses={507: {"model": ErrorResponse, "description": "The datasets folder is full."}},
)
async def upload_dataset(
    form: Annotated[DatasetForm, Form(media_type="multipart/form-data")],
    settings: SettingsDep,
    compute: ComputeDep,
) -> DatasetDetail:
    """Read a .zip or .tar.gz of class folders into arrays, checked as data, and store them."""
    return await compute.run(_store, form, settings, heavy=True)


@router.get("", response_model=list[DatasetSummary])
def list_datasets(settings: SettingsDep) -> list[DatasetSummary]:
    """The stored datasets, the most recently used first."""
    return dataset_store.list_datasets(settings.data_dir)


@router.get("/{dataset_id}", response_model=DatasetDetail)
def get_dataset(dataset_id: DatasetId, settings: SettingsDep) -> DatasetDetail:
    """A dataset: classes with counts, thumbnails and mean images, image shape, skipped files."""
    return dataset_store.dataset_detail(settings.data_dir, dataset_id)


def _store(form: DatasetForm, settings: Settings) -> DatasetDetail:
    contents = read_archive(form.file.file, archive_limits(settings))
    dataset = build_dataset(
        contents,
        DatasetOptions(image_size=form.image_size, color=form.color),
        dataset_limits(settings),
    )
    name = form.name or _name_from_file(form.file.filename)
    return dataset_store.save_dataset(
        settings.data_dir,
        dataset,
        name,
        contents.format,
        dataset_store.StorageLimits(
            max_bytes=settings.datasets_storage_bytes,
            keep_seconds=settings.dataset_keep_seconds,
        ),
    )


def _name_from_file(filename: str | None) -> str:
    stem = PurePath((filename or "").replace("\\", "/")).name
    for suffix in (".tar.gz", ".tgz", ".zip"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    stem = "".join(c for c in stem if c.isprintable()).strip()[:80]
    return stem or "dataset"


def archive_limits(settings: Settings) -> ArchiveLimits:
    return ArchiveLimits(
        max_bytes=settings.max_dataset_bytes,
        max_members=settings.max_dataset_members,
        max_unpacked_bytes=settings.max_dataset_unpacked_bytes,
    )


def dataset_limits(settings: Settings) -> DatasetLimits:
    return DatasetLimits(
        max_image_pixels=settings.max_dataset_image_pixels,
        max_image_side=settings.max_image_side,
        max_total_pixels=settings.max_dataset_pixels,
        max_array_bytes=settings.max_dataset_unpacked_bytes,
    )
