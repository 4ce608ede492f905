"""Every model the app serves: the shipped ones in ``models/`` and those in the data folder.

A shipped model is a pair ``<id>.keras`` + ``<id>.json``, loaded once at startup. Models
imported or trained here live in the data folder (:mod:`app.ml.store`); each worker process
notices a new or deleted one by the folder's modification time, checked once per request
(:meth:`Registry.stale`, a single ``stat``), and loads it in a worker thread
(:meth:`Registry.refresh`), so a model imported through one worker is served by all of them
without a restart. A model that cannot be used is skipped with a warning that says why, so one
bad file never keeps the app from starting. With no models at all, TensorFlow is not imported.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

from pydantic import ValidationError

from app.errors import UnknownResource
from app.ml.loaded import LoadedModel, ModelFileError, loaded_model
from app.ml.metadata import ModelMetadata
from app.ml.native_log import native_output_to_debug_log

log = logging.getLogger(__name__)


class Registry(Mapping[str, LoadedModel]):
    """Models by id: shipped ones in the order their files sort, then stored ones by id."""

    def __init__(
        self,
        models: dict[str, LoadedModel],
        skipped: dict[str, str],
        data_dir: Path | None = None,
    ) -> None:
        self._shipped = models
        self._stored: dict[str, LoadedModel] = {}
        self.skipped = skipped
        self._data_dir = data_dir
        self._seen: int | None = None
        self._lock = threading.Lock()

    def __getitem__(self, model_id: str) -> LoadedModel:
        if model_id in self._shipped:
            return self._shipped[model_id]
        return self._stored[model_id]

    def __iter__(self) -> Iterator[str]:
        yield from self._shipped
        yield from list(self._stored)

    def __len__(self) -> int:
        return len(self._shipped) + len(self._stored)

    def get_model(self, model_id: str) -> LoadedModel:
        """The model, or :class:`UnknownResource` naming the ones there are."""
        if model_id in self:
            return self[model_id]
        if not self:
            raise UnknownResource(
                "There is no model {model!r}. Models: none (the models/ folder has no usable "
                "model).",
                model=model_id,
            )
        raise UnknownResource(
            "There is no model {model!r}. Models: {known}.", model=model_id, known=", ".join(self)
        )

    def is_shipped(self, model_id: str) -> bool:
        return model_id in self._shipped

    def stale(self) -> bool:
        """Whether the data folder's models changed since the last refresh (one ``stat``)."""
        return self._data_dir is not None and _modified(self._data_dir) != self._seen

    def refresh(self) -> None:
        """Load the stored models that are new, forget the deleted ones. Blocking: run it in a
        worker thread; concurrent callers wait for one refresh."""
        if self._data_dir is None:
            return
        from app.ml import store

        with self._lock:
            modified = _modified(self._data_dir)
            if modified == self._seen:
                return
            on_disk = set(store.stored_ids(self._data_dir))
            for gone in set(self._stored) - on_disk:
                del self._stored[gone]
            for model_id in sorted(on_disk - set(self._stored) - set(self._shipped)):
                try:
                    self._stored[model_id] = store.load_stored(self._data_dir, model_id)
                except (ModelFileError, OSError, ValueError) as exc:
                    self.skipped[model_id] = str(exc)
                    log.warning("Skipping stored model %s: %s", model_id, exc)
            self._seen = modified

    def add(self, loaded: LoadedModel) -> None:
        """A model just stored by this process, served at once."""
        with self._lock:
            self._stored[loaded.id] = loaded

    def remove(self, model_id: str) -> None:
        with self._lock:
            self._stored.pop(model_id, None)


def _modified(data_dir: Path) -> int | None:
    from app.ml.store import models_root

    try:
        return models_root(data_dir).stat().st_mtime_ns
    except FileNotFoundError:
        return None


def load_registry(models_dir: Path, data_dir: Path | None = None) -> Registry:
    models: dict[str, LoadedModel] = {}
    skipped: dict[str, str] = {}
    for path in sorted(models_dir.glob("*.keras")):
        try:
            models[path.stem] = load_model(path)
        except ModelFileError as exc:
            skipped[path.stem] = str(exc)
            log.warning("Skipping %s: %s", path.name, exc)
    registry = Registry(models, skipped, data_dir)
    registry.refresh()
    return registry


def load_model(path: Path) -> LoadedModel:
    """A shipped model: our own ``.keras`` file (never a user's: see :mod:`app.ml.importing`)."""
    metadata = read_metadata(path.with_suffix(".json"), path.stem)
    with native_output_to_debug_log():
        import keras

        try:
            model = keras.saving.load_model(path, compile=False)
        except Exception as exc:  # a damaged or foreign file: many exception types are possible
            raise ModelFileError(f"Keras could not load it ({exc}).") from exc
    return loaded_model(path.stem, metadata, model)


def read_metadata(json_path: Path, model_id: str) -> ModelMetadata:
    if not json_path.is_file():
        raise ModelFileError(f"{json_path.name} is missing; every model needs its metadata.")
    try:
        raw = json.loads(json_path.read_text())
        metadata = ModelMetadata.model_validate(raw)
    except (ValueError, ValidationError) as exc:
        raise ModelFileError(f"{json_path.name} is not valid metadata: {exc}") from exc
    if metadata.id != model_id:
        raise ModelFileError(f"{json_path.name} says its id is {metadata.id!r}, not {model_id!r}.")
    return metadata
