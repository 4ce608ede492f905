"""Your own model: ``POST /api/models`` imports a Keras file, ``DELETE`` removes it again."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, status

from app.api.deps import ComputeDep, RegistryDep, SettingsDep
from app.api.models import ModelId, model_detail
from app.config import Settings
from app.errors import InvalidParameter
from app.ml import store
from app.ml.importing import ImportLimits
from app.ml.importing.rebuild import ImportRequest, import_model
from app.ml.registry import Registry
from app.schemas.common import ErrorResponse
from app.schemas.model_imports import ImportForm, ImportResponse
from app.schemas.models import ModelDetail

router = APIRouter(prefix="/api/models", tags=["models"])


class ImportedModel(ImportResponse):
    model: ModelDetail


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ImportedModel)
async def import_keras_model(
    form: Annotated[ImportForm, Form(media_type="multipart/form-data")],
    registry: RegistryDep,
    settings: SettingsDep,
    compute: ComputeDep,
) -> dict[str, Any]:
    """Import a .keras or .h5 model: read as data, rebuilt by ConvLens, never run as code."""
    return await compute.run(_import, form, registry, settings, heavy=True)


@router.delete(
    "/{model_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={403: {"model": ErrorResponse, "description": "Shipped, or not your token."}},
)
def delete_model(
    model_id: ModelId,
    registry: RegistryDep,
    settings: SettingsDep,
    authorization: Annotated[
        str | None,
        Header(description="Bearer <delete_token>, as the import returned it.", max_length=200),
    ] = None,
) -> None:
    """Delete an imported model, with the token its import returned."""
    if registry.is_shipped(model_id):
        raise store.Forbidden(
            "Model {model_id} ships with ConvLens and cannot be deleted; only imported "
            "models can, by whoever holds their delete_token.",
            model_id=repr(model_id),
        )
    registry.get_model(model_id)  # 404 naming the models there are
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise store.Forbidden(
            "Deleting a model needs the delete_token its import returned, sent as the header "
            "'Authorization: Bearer <token>'."
        )
    store.delete_stored(settings.data_dir, model_id, token.strip())
    registry.remove(model_id)


def _import(form: ImportForm, registry: Registry, settings: Settings) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(prefix="convlens-upload-", suffix=".model") as copy:
        form.file.file.seek(0)
        shutil.copyfileobj(form.file.file, copy)
        copy.flush()
        if copy.tell() == 0:
            raise InvalidParameter("The file is empty; upload the .keras or .h5 file itself.")
        request = ImportRequest(
            name=form.name.strip() or "model",
            classes=form.class_names(),
            preprocessing=form.preprocessing,
            fit=form.fit,
            scale=form.scale,
            description=form.description.strip(),
        )
        imported = import_model(
            Path(copy.name), request, settings.data_dir, import_limits(settings), set(registry)
        )
    registry.add(imported.loaded)
    return {
        "id": imported.loaded.id,
        "delete_token": imported.delete_token,
        "format": imported.format,
        "keras_version": imported.keras_version,
        "model": model_detail(imported.loaded.id, registry),
    }


def import_limits(settings: Settings) -> ImportLimits:
    return ImportLimits(
        max_file_bytes=settings.max_import_bytes,
        max_params=settings.max_import_params,
        memory_bytes=settings.import_memory_bytes,
        cpu_seconds=settings.import_seconds,
        wall_seconds=settings.import_seconds * 1.5 + 5,
    )
