"""The form of ``POST /api/datasets`` (a folder per class, as an archive) and its answers."""

from __future__ import annotations

from fastapi import UploadFile
from pydantic import Field

from app.core.datasets import MAX_IMAGE_SIZE, MIN_IMAGE_SIZE
from app.core.encoding import ColorMode
from app.ml.dataset_store import (
    ClassCount,
    ClassPreview,
    DatasetDetail,
    DatasetSummary,
    SkippedFile,
)
from app.schemas.form_fields import FormModel

__all__ = [
    "ClassCount",
    "ClassPreview",
    "DatasetDetail",
    "DatasetForm",
    "DatasetSummary",
    "SkippedFile",
]


class DatasetForm(FormModel):
    file: UploadFile = Field(
        description="A .zip or .tar.gz holding one folder of images per class (A/1.png, ..., "
        "B/1.png, ... or letters/A/1.png, ...): PNG, JPEG, GIF, BMP or WebP."
    )
    image_size: int | None = Field(
        default=None,
        ge=MIN_IMAGE_SIZE,
        le=MAX_IMAGE_SIZE,
        description="Side of the square every image is resized to (area interpolation), e.g. "
        "28 or 32. Left out: the most common image's longer side, within 8..64.",
        examples=[28],
    )
    color: ColorMode | None = Field(
        default=None,
        description='"gray" (1 channel, ITU-R 601 luma) or "rgb" (3 channels). Left out: rgb '
        "if any image has colour, gray otherwise.",
    )
    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=80,
        description="A readable name. Left out: the archive's file name.",
        examples=["Letters A-J"],
    )
