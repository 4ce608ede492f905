"""Models kept in the data folder (``CONVLENS_DATA_DIR``): imported ones, and trained ones.

Each is a folder ``<data>/models/<id>/`` holding ``stack.json`` (the Architecture lab's stack,
checked by our schema and engine on every load), ``weights/`` (plain arrays,
:mod:`app.ml.weights_folder`), ``model.json`` (its :class:`ModelMetadata`) and ``owner.json`` (the
SHA-256 of the token that may delete it, and whether it was imported or trained). A folder is
written under a hidden name and renamed into place, so other workers never see half a model;
deleting renames it away first.
The model is rebuilt from these by :mod:`app.ml.build`: Keras never reads a stored file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
from pathlib import Path

from pydantic import TypeAdapter

from app.core.architecture.layers import Stack
from app.errors import ConvLensError, UnknownResource
from app.ml.build import assign_weights, build_model
from app.ml.loaded import LoadedModel, ModelFileError, Origin, loaded_model
from app.ml.metadata import ModelMetadata
from app.ml.native_log import native_output_to_debug_log
from app.ml.weights_folder import load_weights

STACK_FILE = "stack.json"
WEIGHTS_DIR = "weights"
METADATA_FILE = "model.json"
OWNER_FILE = "owner.json"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class Forbidden(ConvLensError):
    """A delete without the token the upload returned."""

    status_code = 403


def models_root(data_dir: Path) -> Path:
    return data_dir / "models"


def work_folder(data_dir: Path) -> Path:
    """Where imports unpack before they are stored: on the data folder's file system, so that
    storing is a rename, not a copy of megabytes of weights."""
    folder = data_dir / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_ids(data_dir: Path) -> list[str]:
    root = models_root(data_dir)
    if not root.is_dir():
        return []
    return sorted(entry.name for entry in os.scandir(root) if _ID.match(entry.name))


def new_model_id(name: str, taken: set[str]) -> str:
    """A URL-safe id from a model's name, with a random suffix: ``my-vgg16-3f9a1c``."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "model"
    while True:
        model_id = f"{slug}-{secrets.token_hex(3)}"
        if model_id not in taken:
            return model_id


def save_stored(
    data_dir: Path, stack_json: str, weights_folder: Path, metadata: ModelMetadata
) -> str:
    """Store an imported model; returns the token that may delete it (only its hash is kept)."""
    token = secrets.token_urlsafe(24)
    store_model(data_dir, stack_json, weights_folder, metadata, token_hash(token), "imported")
    return token


def store_model(
    data_dir: Path,
    stack_json: str,
    weights_folder: Path,
    metadata: ModelMetadata,
    token_sha256: str,
    origin: Origin,
) -> None:
    """Store a model that the holder of the token hashed as ``token_sha256`` may delete."""
    root = models_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    incoming = root / f".incoming-{metadata.id}-{secrets.token_hex(4)}"
    incoming.mkdir()
    owner = {"token_sha256": token_sha256, "origin": origin}
    try:
        (incoming / STACK_FILE).write_text(stack_json)
        shutil.move(weights_folder, incoming / WEIGHTS_DIR)  # a rename on one file system
        (incoming / METADATA_FILE).write_text(metadata.model_dump_json(indent=1))
        (incoming / OWNER_FILE).write_text(json.dumps(owner))
        incoming.rename(root / metadata.id)
    except BaseException:
        shutil.rmtree(incoming, ignore_errors=True)
        raise


def delete_stored(data_dir: Path, model_id: str, token: str) -> None:
    """Delete a stored model, or raise :class:`Forbidden` when ``token`` is not its token."""
    folder = models_root(data_dir) / model_id
    if not _ID.match(model_id) or not folder.is_dir():
        raise UnknownResource("There is no imported model {model!r}.", model=model_id)
    owner = json.loads((folder / OWNER_FILE).read_text())
    if not hmac.compare_digest(str(owner.get("token_sha256")), token_hash(token)):
        raise Forbidden(
            "The token does not match model {model!r}. Only the token its upload returned "
            "(delete_token) deletes it; send it as 'Authorization: Bearer <token>'.",
            model=model_id,
        )
    doomed = models_root(data_dir) / f".deleted-{model_id}-{secrets.token_hex(4)}"
    folder.rename(doomed)
    shutil.rmtree(doomed, ignore_errors=True)


def load_stored(data_dir: Path, model_id: str, origin: Origin | None = None) -> LoadedModel:
    """A stored model; its origin is what was stored with it unless given."""
    folder = models_root(data_dir) / model_id
    try:
        metadata = ModelMetadata.model_validate_json((folder / METADATA_FILE).read_bytes())
        stack = TypeAdapter(Stack).validate_json((folder / STACK_FILE).read_bytes())
        if origin is None:
            origin = _stored_origin(json.loads((folder / OWNER_FILE).read_bytes()))
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"its stored files cannot be read ({exc}).") from exc
    with native_output_to_debug_log():
        model = build_model(stack, name=model_id)
        assign_weights(model, load_weights(folder / WEIGHTS_DIR))
    return loaded_model(model_id, metadata, model, origin)


def _stored_origin(owner: object) -> Origin:
    # Models stored before the origin was recorded are all imports.
    found = owner.get("origin") if isinstance(owner, dict) else None
    return "trained" if found == "trained" else "imported"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
