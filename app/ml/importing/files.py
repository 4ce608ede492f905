"""A ``.keras`` or ``.h5`` file read as data: the config as JSON, the weights as arrays.

Runs inside the limited subprocess (:mod:`app.ml.importing.__main__`). Every size is checked
before it is read: the archive's member count from its end record, each member's name, type,
size and compression ratio, the config's length, each weight array's dtype and shape. HDF5 links
other than plain ones (external links reach other files, soft links alias) and datasets stored
outside the file (external or virtual) are refused, so reading a file never opens another one.
"""

from __future__ import annotations

import io
import json
import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.errors import InvalidParameter

ZIP_MAGIC = b"PK\x03\x04"
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
KERAS_MEMBERS = ("config.json", "model.weights.h5", "metadata.json")
MAX_MEMBERS = 64
MAX_RATIO = 100
MAX_CONFIG_BYTES = 8 * 1024 * 1024
MAX_WEIGHTS_PER_LAYER = 8
MAX_LAYER_GROUPS = 1024
# Places in the file whose messages are whole sentences of their own (not names in the file).
H5_CONFIG = "model configuration"
H5_ROOT = "the .h5 file"
Arrays = dict[str, list[NDArray[np.float32]]]


@dataclass(frozen=True)
class FileLimits:
    max_file_bytes: int
    max_uncompressed_bytes: int
    max_params: int


@dataclass
class ModelFile:
    format: str  # "keras" or "h5"
    config: Any
    keras_version: str | None
    weights_source: Any  # an open h5py.File, read by read_weights


def open_model_file(path: Path, limits: FileLimits) -> ModelFile:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise InvalidParameter(
            "The file is {size:,} bytes; models of up to {limit:,} bytes are imported (setting "
            "CONVLENS_MAX_IMPORT_BYTES).",
            size=size,
            limit=limits.max_file_bytes,
        )
    with path.open("rb") as file:
        head = file.read(8)
    if head.startswith(ZIP_MAGIC):
        return _open_keras(path, limits)
    if head == HDF5_MAGIC:
        return _open_h5(path)
    raise InvalidParameter(
        "The file is neither a Keras 3 .keras file (a zip archive) nor a legacy .h5 file "
        "(HDF5). Save the model with model.save('name.keras') and upload that file."
    )


def _open_keras(path: Path, limits: FileLimits) -> ModelFile:
    _check_member_count(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidParameter(
            "The .keras file is not a readable zip archive ({error}).", error=str(exc)
        ) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:  # the end record's count can understate its directory
            raise _too_many_members(len(infos))
        total = 0
        for info in infos:
            _check_member(info)
            total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise InvalidParameter(
                "The archive unpacks to {total:,} bytes; at most {limit:,} are read (setting "
                "CONVLENS_MAX_IMPORT_BYTES). A Keras model file unpacks to about its own size.",
                total=total,
                limit=limits.max_uncompressed_bytes,
            )
        names = {info.filename: info for info in infos}
        for required in KERAS_MEMBERS[:2]:
            if required not in names:
                raise InvalidParameter(
                    "The .keras file has no {member}; a Keras 3 model file holds "
                    "config.json and model.weights.h5. Save the model with model.save().",
                    member=required,
                )
        config_bytes = _read_member(archive, names["config.json"], MAX_CONFIG_BYTES)
        version = None
        if "metadata.json" in names:
            metadata = _json(_read_member(archive, names["metadata.json"], 64 * 1024), "metadata")
            raw = metadata.get("keras_version") if isinstance(metadata, dict) else None
            version = raw[:32] if isinstance(raw, str) else None
        weights = _read_member(archive, names["model.weights.h5"], limits.max_uncompressed_bytes)
    return ModelFile("keras", _json(config_bytes, "config.json"), version, _h5(io.BytesIO(weights)))


def _check_member_count(path: Path) -> None:
    """Count the members from the end record, before zipfile reads the whole directory."""
    with path.open("rb") as file:
        file.seek(0, 2)
        length = file.tell()
        file.seek(max(0, length - 65_557))
        tail = file.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise InvalidParameter("The .keras file is not a complete zip archive (no end record).")
    (entries,) = struct.unpack_from("<H", tail, at + 10)
    if entries > MAX_MEMBERS:
        # 0xFFFF means "see the zip64 record": 65,535 or more.
        raise _too_many_members(entries if entries < 0xFFFF else None)


def _too_many_members(count: int | None) -> InvalidParameter:
    """None: the end record says 0xFFFF, which means 65,535 or more."""
    if count is None:
        return InvalidParameter(
            "The archive has 65,535 or more members; a Keras model file has 3 (config.json, "
            "metadata.json, model.weights.h5). This is not a model file."
        )
    return InvalidParameter(
        "The archive has {count:,} members; a Keras model file has 3 (config.json, "
        "metadata.json, model.weights.h5). This is not a model file.",
        count=count,
    )


def _check_member(info: zipfile.ZipInfo) -> None:
    name = info.filename
    shown = name[:80]
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or ":" in name or ".." in parts or "\x00" in name:
        raise InvalidParameter(
            "The archive has a member named {name!r}, a path outside the archive; it is "
            "refused (nothing is unpacked to disk, but no Keras file has such names).",
            name=shown,
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        raise InvalidParameter(
            "The archive's member {name!r} is a symbolic link; Keras model files hold "
            "none. It is refused.",
            name=shown,
        )
    if info.flag_bits & 0x1:
        raise InvalidParameter(
            "The archive's member {name!r} is encrypted; save it again.", name=shown
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise InvalidParameter(
            "The archive's member {name!r} uses a compression Keras does not write; save "
            "the model again with model.save().",
            name=shown,
        )
    if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise InvalidParameter(
            "The archive's member {name!r} would unpack to {size:,} bytes from "
            "{compressed:,} (more than {ratio} times): a zip bomb, refused.",
            name=shown,
            size=info.file_size,
            compressed=info.compress_size,
            ratio=MAX_RATIO,
        )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    if info.file_size > cap:
        raise InvalidParameter(
            "The archive's {member} is {size:,} bytes; at most {limit:,} are read.",
            member=info.filename,
            size=info.file_size,
            limit=cap,
        )
    try:
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
        raise InvalidParameter(
            "The archive's {member} cannot be read ({error}).", member=info.filename, error=str(exc)
        ) from exc
    if len(data) != info.file_size:
        raise InvalidParameter(
            "The archive's {member} is not the size its header says.", member=info.filename
        )
    return data


def _json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError as exc:
        if what == H5_CONFIG:
            raise InvalidParameter(
                "The file's model configuration is nested too deeply to be a Keras configuration."
            ) from exc
        raise InvalidParameter(
            "The file's {member} is nested too deeply to be a Keras configuration.", member=what
        ) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        if what == H5_CONFIG:
            raise InvalidParameter(
                "The file's model configuration is not valid JSON ({error}).", error=str(exc)
            ) from exc
        raise InvalidParameter(
            "The file's {member} is not valid JSON ({error}).", member=what, error=str(exc)
        ) from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _h5(source: Any) -> Any:
    import h5py

    try:
        return h5py.File(source, "r", locking=False)
    except (OSError, ValueError) as exc:
        raise InvalidParameter(
            "The weights are not a readable HDF5 file ({error}).", error=str(exc)
        ) from exc


def _open_h5(path: Path) -> ModelFile:
    file = _h5(path)
    raw = file.attrs.get("model_config")
    if raw is None:
        raise InvalidParameter(
            "The .h5 file holds weights but no model configuration (it was saved with "
            "save_weights). Save the whole model with model.save('name.keras')."
        )
    if isinstance(raw, bytes | np.bytes_):
        raw = bytes(raw)
    elif isinstance(raw, str):
        raw = raw.encode("utf-8")
    else:
        raise InvalidParameter("The .h5 file's model configuration is not text.")
    if len(raw) > MAX_CONFIG_BYTES:
        raise InvalidParameter("The .h5 file's model configuration is too large to be real.")
    version = _text(file.attrs.get("keras_version"))
    return ModelFile("h5", _json(raw, H5_CONFIG), version, file)


def read_weights(model_file: ModelFile, max_params: int) -> Arrays:
    """Each layer's arrays, by layer name, in the order Keras lists the layer's weights."""
    budget = _Budget(max_params)
    root = model_file.weights_source
    if model_file.format == "keras":
        return _keras_weights(root, budget)
    return _legacy_weights(root, budget)


class _Budget:
    def __init__(self, max_params: int) -> None:
        self.left = max_params
        self.max_params = max_params

    def take(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise InvalidParameter(
                "The file's weights hold more than {limit:,} values, the most "
                "ConvLens imports (setting CONVLENS_MAX_IMPORT_PARAMS).",
                limit=self.max_params,
            )


def _keras_weights(root: Any, budget: _Budget) -> Arrays:
    arrays: Arrays = {}
    layers = _child(root, "layers", "model.weights.h5", required=False)
    if layers is None:
        return arrays
    for key in _keys(layers, MAX_LAYER_GROUPS):
        group = _child(layers, key, f"layers/{key}")
        for inner in _keys(group, 4):
            if inner != "vars":
                raise InvalidParameter(
                    "The weights file has layers/{key}/{inner}: a model or layer inside a "
                    "layer, which ConvLens does not read.",
                    key=key,
                    inner=inner,
                )
        variables = _child(group, "vars", f"layers/{key}/vars")
        name = _text(variables.attrs.get("name")) or key
        count = len(_keys(variables, MAX_WEIGHTS_PER_LAYER))
        values = [
            _array(_child(variables, str(i), f"layers/{key}/vars/{i}"), budget)
            for i in range(count)
        ]
        if values:
            arrays[name] = values
    return arrays


def _legacy_weights(root: Any, budget: _Budget) -> Arrays:
    arrays: Arrays = {}
    weights = _child(root, "model_weights", H5_ROOT)
    for key in _keys(weights, MAX_LAYER_GROUPS):
        group = _child(weights, key, f"model_weights/{key}")
        names = group.attrs.get("weight_names")
        listed = [] if names is None else [_text(n) or "" for n in np.asarray(names).reshape(-1)]
        if len(listed) > MAX_WEIGHTS_PER_LAYER:
            raise InvalidParameter(
                "model_weights/{key} lists {count} weights; too many.", key=key, count=len(listed)
            )
        values = []
        for weight_name in listed:
            node = group
            for part in weight_name.split("/"):
                node = _child(node, part, f"model_weights/{key}/{weight_name}")
            values.append(_array(node, budget))
        if values:
            arrays[key] = values
    return arrays


def _keys(group: Any, cap: int) -> list[str]:
    import h5py

    if not isinstance(group, h5py.Group):
        raise InvalidParameter("The weights file has an array where a group belongs.")
    if len(group) > cap:
        raise InvalidParameter(
            "The weights file has a group of {count:,} members; too many.", count=len(group)
        )
    return list(group.keys())


def _child(group: Any, key: str, where: str, required: bool = True) -> Any:
    import h5py

    if not key or key in (".", ".."):
        raise InvalidParameter(
            "The weights file names {where!r}, which is not a plain name.", where=where
        )
    link = group.get(key, getlink=True)
    if link is None:
        if not required:
            return None
        if where == H5_ROOT:
            raise InvalidParameter("The weights file has no the .h5 file; save the model again.")
        raise InvalidParameter(
            "The weights file has no {where}; save the model again.", where=where
        )
    if not isinstance(link, h5py.HardLink):
        if where == H5_ROOT:
            raise InvalidParameter(
                "The weights file's the .h5 file is a link to somewhere else (external or soft "
                "link); ConvLens reads only weights stored in the file itself."
            )
        raise InvalidParameter(
            "The weights file's {where} is a link to somewhere else (external or soft link); "
            "ConvLens reads only weights stored in the file itself.",
            where=where,
        )
    return group[key]


def _array(node: Any, budget: _Budget) -> NDArray[np.float32]:
    import h5py

    if not isinstance(node, h5py.Dataset):
        raise InvalidParameter("The weights file's {name} is not an array.", name=str(node.name))
    if node.is_virtual or node.external:
        raise InvalidParameter(
            "The weights file's {name} is stored outside the file; ConvLens reads only "
            "weights stored in the file itself.",
            name=str(node.name),
        )
    if node.dtype.kind != "f" or node.dtype.itemsize not in (2, 4, 8) or node.ndim > 4:
        raise InvalidParameter(
            "The weights file's {name} holds {dtype} values of {dimensions} dimensions; "
            "weights are float arrays of at most 4 dimensions.",
            name=str(node.name),
            dtype=str(node.dtype),
            dimensions=int(node.ndim),
        )
    budget.take(int(np.prod(node.shape, dtype=np.int64)))
    try:
        return np.asarray(node[()], dtype=np.float32)
    except (OSError, ValueError, TypeError) as exc:
        raise InvalidParameter(
            "The weights file's {name} cannot be read ({error}).",
            name=str(node.name),
            error=str(exc),
        ) from exc


def _text(value: object) -> str | None:
    if isinstance(value, bytes | np.bytes_):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return None
    return value[:128] if isinstance(value, str) else None
