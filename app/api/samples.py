"""The sample photographs shipped in static/samples, with their licences."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request
from PIL import Image

from app.i18n import gettext
from app.schemas.lab import Sample

router = APIRouter(prefix="/api", tags=["samples"])


def load_samples(static_dir: Path) -> list[Sample]:
    """Read samples.json and each image's header once, at start-up."""
    folder = static_dir / "samples"
    entries = json.loads((folder / "samples.json").read_text(encoding="utf-8"))
    samples = []
    for entry in entries:
        with Image.open(folder / entry["file"]) as image:
            width, height, mode = image.width, image.height, image.mode
        samples.append(
            Sample(
                name=entry["name"],
                title=entry["title"],
                url=f"/static/samples/{entry['file']}",
                width=width,
                height=height,
                mode=mode,
                licence=entry["licence"],
            )
        )
    return samples


@router.get("/samples", response_model=list[Sample])
def list_samples(request: Request) -> list[Sample]:
    """The sample photos the Kernel lab offers, with size and licence."""
    samples: list[Sample] = request.state.samples
    # Titles and licences are in the catalogs (area "data"); names and files are not.
    return [
        sample.model_copy(
            update={"title": gettext(sample.title), "licence": gettext(sample.licence)}
        )
        for sample in samples
    ]
