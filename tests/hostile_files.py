"""Hostile model files, made in the tests: one edit each away from a file Keras itself reads.

The benign base is a tiny functional CNN (8x8x1 image -> Conv2D "conv" -> Flatten "flat" ->
Dense "out", 3 classes, 239 parameters), written here as Keras 3 writes it: a ``.keras`` zip of
``config.json``, ``metadata.json`` and ``model.weights.h5``, or a legacy ``.h5``. The writers
(:func:`keras_file`, :func:`legacy_h5`, :func:`weights_h5`, :func:`raw_zip`) make it with parts
replaced; the builders below them (each a ``Make``: an empty folder and a marker's path in, the
file out) make it with one hostile change. Payloads write the *marker*, so a test can prove
that nothing a refused file carries ever ran: the marker never exists afterwards.

Nothing here imports Keras, except :func:`lambda_model`, which needs Keras to write the
marshalled bytecode of a ``Lambda`` layer exactly as CVE-2024-3660 exploits it.
"""

from __future__ import annotations

import copy
import io
import json
import shlex
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

KERAS_VERSION = "3.15.1"
BASE_PARAMS = 239
# (Keras' weight-file path, layer name, weight names) in the order Keras saves them.
BASE_LAYERS = (("conv2d", "conv", ("kernel", "bias")), ("flatten", "flat", ()),
               ("dense", "out", ("kernel", "bias")))  # fmt: skip


def _dtype() -> dict[str, Any]:
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
            "registered_name": None}  # fmt: skip


def tensor(source: str, shape: Sequence[int | None]) -> dict[str, Any]:
    """A Keras 3 ``inbound_nodes`` entry: the layer reads ``source``'s output."""
    return {"args": [{"class_name": "__keras_tensor__", "config": {
        "shape": list(shape), "dtype": "float32", "keras_history": [source, 0, 0]}}],
        "kwargs": {}}  # fmt: skip


def base_config() -> dict[str, Any]:
    """``config.json`` of the base model, as Keras 3.15 writes it (a fresh copy each call)."""
    initializer = {"module": "keras.initializers", "class_name": "GlorotUniform",
                   "config": {"seed": None}, "registered_name": None}  # fmt: skip
    layers = [
        {"module": "keras.layers", "class_name": "InputLayer", "name": "image",
         "config": {"batch_shape": [None, 8, 8, 1], "dtype": "float32", "sparse": False,
                    "ragged": False, "name": "image", "optional": False},
         "registered_name": None, "inbound_nodes": []},
        {"module": "keras.layers", "class_name": "Conv2D", "name": "conv",
         "config": {"name": "conv", "trainable": True, "dtype": _dtype(), "filters": 2,
                    "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
                    "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1,
                    "activation": "relu", "use_bias": True,
                    "kernel_initializer": copy.deepcopy(initializer)},
         "registered_name": None, "build_config": {"input_shape": [None, 8, 8, 1]},
         "inbound_nodes": [tensor("image", [None, 8, 8, 1])]},
        {"module": "keras.layers", "class_name": "Flatten", "name": "flat",
         "config": {"name": "flat", "trainable": True, "dtype": _dtype(),
                    "data_format": "channels_last"},
         "registered_name": None, "build_config": {"input_shape": [None, 6, 6, 2]},
         "inbound_nodes": [tensor("conv", [None, 6, 6, 2])]},
        {"module": "keras.layers", "class_name": "Dense", "name": "out",
         "config": {"name": "out", "trainable": True, "dtype": _dtype(), "units": 3,
                    "activation": "softmax", "use_bias": True,
                    "kernel_initializer": copy.deepcopy(initializer)},
         "registered_name": None, "build_config": {"input_shape": [None, 72]},
         "inbound_nodes": [tensor("flat", [None, 72])]},
    ]  # fmt: skip
    return {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": {"name": "base", "trainable": True, "layers": layers,
                   "input_layers": ["image", 0, 0], "output_layers": ["out", 0, 0]},
        "registered_name": "Functional",
        "build_config": {"input_shape": None},
    }  # fmt: skip


def layer_entry(config: dict[str, Any], name: str) -> dict[str, Any]:
    """The entry of layer ``name`` in a model config, to edit in place."""
    return next(entry for entry in config["config"]["layers"] if entry["name"] == name)


def base_weights(filters: int = 2) -> dict[str, list[np.ndarray]]:
    """Seeded float32 weights of the base model (``filters`` changes the conv's shape)."""
    rng = np.random.default_rng(15)
    shapes = {"conv": [(3, 3, 1, filters), (filters,)], "out": [(36 * filters, 3), (3,)]}
    return {
        name: [rng.normal(0, 0.3, shape).astype(np.float32) for shape in layer_shapes]
        for name, layer_shapes in shapes.items()
    }


H5Edit = Callable[[h5py.File], None]
Make = Callable[[Path, Path], Path]  # (an empty folder, the marker's path) -> a hostile file


def weights_h5(
    arrays: dict[str, list[np.ndarray]] | None = None, edit: H5Edit | None = None
) -> bytes:
    """``model.weights.h5`` in Keras 3's layout (``layers/<path>/vars/<i>``), then ``edit``."""
    arrays = base_weights() if arrays is None else arrays
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        file.create_group("vars").attrs["name"] = "base"
        for path, name, _ in BASE_LAYERS:
            variables = file.create_group(f"layers/{path}/vars")
            variables.attrs["name"] = name
            for index, array in enumerate(arrays.get(name, [])):
                variables.create_dataset(str(index), data=array)
        if edit is not None:
            edit(file)
    return buffer.getvalue()


def keras_file(
    path: Path,
    config: dict[str, Any] | None = None,
    weights: bytes | None = None,
    config_text: str | None = None,
    leave_out: Sequence[str] = (),
) -> Path:
    """A ``.keras`` file as Keras writes it (stored members), with the parts given replaced."""
    members: dict[str, str | bytes] = {
        "metadata.json": json.dumps({"keras_version": KERAS_VERSION, "date_saved": "today"}),
        "config.json": config_text or json.dumps(base_config() if config is None else config),
        "model.weights.h5": weights_h5() if weights is None else weights,
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            if name not in leave_out:
                archive.writestr(name, data)
    return path


def legacy_h5(
    path: Path,
    config: dict[str, Any] | None = None,
    config_text: str | None = None,
    edit: H5Edit | None = None,
) -> Path:
    """A legacy ``.h5`` as Keras 3 writes it: the config as an attribute, ``model_weights``."""
    arrays = base_weights()
    strings = h5py.string_dtype()
    with h5py.File(path, "w") as file:
        file.attrs["model_config"] = config_text or json.dumps(config or base_config())
        file.attrs["keras_version"] = KERAS_VERSION
        file.attrs["backend"] = "tensorflow"
        weights = file.create_group("model_weights")
        weights.attrs["layer_names"] = np.array([name for _, name, _ in BASE_LAYERS], strings)
        for _, name, weight_names in BASE_LAYERS:
            group = weights.create_group(name)
            paths = [f"base/{name}/{weight}" for weight in weight_names]
            group.attrs["weight_names"] = np.array(paths, dtype=strings)
            for weight_path, array in zip(paths, arrays.get(name, []), strict=True):
                group.create_dataset(weight_path, data=array)
        if edit is not None:
            edit(file)
    return path


# Payloads: each writes the marker when something runs it.


def python_payload(marker: Path) -> str:
    return f"__import__('pathlib').Path({str(marker)!r}).write_text('ran')"


def shell_payload(marker: Path) -> str:
    return f"touch {shlex.quote(str(marker))}"


def lambda_model(marker: Path) -> Any:
    """A Keras model whose ``Lambda`` layer's function writes ``marker`` whenever it is called.

    Keras calls it once while building the model, so the caller deletes the marker after
    saving; from then on only loading the saved bytecode can bring it back.
    """
    import keras

    namespace: dict[str, Any] = {}
    # A lambda (Keras saves a named function by name, a lambda as marshalled bytecode), whose
    # bytecode carries the marker's path as a constant.
    exec(f"payload = lambda x: ({python_payload(marker)}, x)[1]", namespace)
    inputs = keras.Input((8, 8, 1), name="image")
    x = keras.layers.Lambda(namespace["payload"], name="lambda")(inputs)
    x = keras.layers.Flatten(name="flat")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="out")(x)
    return keras.Model(inputs, outputs, name="lambda_payload")


# Zip archives written byte by byte, for what zipfile will not write: lies in headers, flags.


@dataclass(frozen=True)
class RawMember:
    name: str
    data: bytes  # as stored in the archive (already deflated when method is 8)
    method: int = zipfile.ZIP_STORED
    size: int | None = None  # the uncompressed size the headers claim; len(data) if None
    crc: int | None = None
    flags: int = 0
    mode: int = stat.S_IFREG | 0o644


def raw_zip(path: Path, members: Sequence[RawMember], claimed_count: int | None = None) -> Path:
    """A zip of ``members``, whose end record claims ``claimed_count`` members if given."""
    local, central = bytearray(), bytearray()
    for member in members:
        name = member.name.encode("utf-8")
        size = len(member.data) if member.size is None else member.size
        crc = zlib.crc32(member.data) if member.crc is None else member.crc
        offset = len(local)
        fields = (member.flags, member.method, 0, 0x21, crc, len(member.data), size, len(name))
        local += struct.pack("<I5H3I2H", 0x04034B50, 20, *fields[:4], *fields[4:], 0) + name
        local += member.data
        central += (
            struct.pack(
                "<I6H3I5HII", 0x02014B50, 0x031E, 20, *fields, 0, 0, 0, 0, member.mode << 16, offset
            )
            + name
        )
    count = min(len(members), 0xFFFF) if claimed_count is None else claimed_count
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def deflated_zeros(mebibytes: int) -> bytes:
    """``mebibytes`` MiB of zeros, deflated (about 1,000 times smaller), a MiB at a time."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1024 * 1024)
    return b"".join(compressor.compress(chunk) for _ in range(mebibytes)) + compressor.flush()


def base_members() -> list[RawMember]:
    """The base ``.keras`` file's config.json and model.weights.h5, as raw members."""
    return [RawMember("config.json", json.dumps(base_config()).encode()),
            RawMember("model.weights.h5", weights_h5())]  # fmt: skip


def zip_bomb(path: Path, mebibytes: int = 256) -> Path:
    """A ``.keras`` whose ``model.weights.h5`` deflates from ~1,000 times less: zeros."""
    info = zipfile.ZipInfo("model.weights.h5")
    info.compress_type = zipfile.ZIP_DEFLATED
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(base_config()))
        with archive.open(info, "w") as member:
            for _ in range(mebibytes):
                member.write(chunk)
    return path


def many_members(path: Path, count: int = 100_000) -> Path:
    """A zip of ``count`` empty members (zip64, as zipfile writes it past 65,535)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(base_config()))
        archive.writestr("model.weights.h5", weights_h5())
        for index in range(count):
            archive.writestr(zipfile.ZipInfo(f"m/{index}"), b"")
    return path


# Config edits: code named where Keras would resolve and call it.


ConfigEdit = Callable[[dict[str, Any], Path], None]


def config_edit(edit: ConfigEdit, suffix: str = ".keras") -> Make:
    def make(folder: Path, marker: Path) -> Path:
        config = base_config()
        edit(config, marker)
        path = folder / f"hostile{suffix}"
        return keras_file(path, config) if suffix == ".keras" else legacy_h5(path, config)

    return make


def foreign_layer(
    module: str,
    class_name: str,
    settings: Callable[[Path], dict[str, Any]],
    registered_name: str | None = None,
    suffix: str = ".keras",
) -> Make:
    """The base with its "conv" entry naming ``module.class_name``, called with ``settings``."""

    def edit(config: dict[str, Any], marker: Path) -> None:
        layer_entry(config, "conv").update(
            module=module,
            class_name=class_name,
            registered_name=registered_name,
            config=settings(marker),
        )

    return config_edit(edit, suffix)


def get_file_settings(marker: Path) -> dict[str, Any]:
    """keras.utils.get_file's arguments that copy a file of ours onto the marker's path."""
    source = marker.with_name("downloaded.txt")
    source.write_text("ran")
    return {"fname": marker.name, "origin": source.as_uri(), "cache_dir": str(marker.parent),
            "cache_subdir": ""}  # fmt: skip


def settings_edit(layer: str, **changes: Any) -> Make:
    def edit(config: dict[str, Any], marker: Path) -> None:
        layer_entry(config, layer)["config"].update(changes)

    return config_edit(edit)


def entry_edit(layer: str, **changes: Any) -> Make:
    def edit(config: dict[str, Any], marker: Path) -> None:
        layer_entry(config, layer).update(changes)

    return config_edit(edit)


def model_edit(**changes: Any) -> Make:
    def edit(config: dict[str, Any], marker: Path) -> None:
        config.update({key: value(marker) if callable(value) else value
                       for key, value in changes.items()})  # fmt: skip

    return config_edit(edit)


def unlock_then_lambda(config: dict[str, Any], marker: Path) -> None:
    """CVE-2025-9906: a "layer" that turns safe mode off, then a Lambda that safe mode allows."""
    unlock = {"module": "keras.config", "class_name": "enable_unsafe_deserialization",
              "registered_name": "enable_unsafe_deserialization", "config": {},
              "name": "unlock", "inbound_nodes": []}  # fmt: skip
    config["config"]["layers"].insert(1, unlock)
    layer_entry(config, "conv").update(class_name="Lambda", config={
        "name": "conv", "function": {"class_name": "__lambda__", "config": {
            "code": python_payload(marker), "defaults": None, "closure": None}}})  # fmt: skip


def nested_model(module: str, class_name: str, registered_name: str | None) -> Make:
    """The "conv" layer wrapped in a model of its own, as Keras saves a model used as a layer."""

    def edit(config: dict[str, Any], marker: Path) -> None:
        entry = layer_entry(config, "conv")
        inner = {"name": "conv", "layers": [dict(entry, inbound_nodes=[])]}
        entry.update(module=module, class_name=class_name, registered_name=registered_name,
                     config=inner)  # fmt: skip

    return config_edit(edit)


CUSTOM_ACTIVATION = {"module": "builtins", "class_name": "function", "config": "my_activation",
                     "registered_name": "function"}  # fmt: skip
MIXED_FLOAT16 = {"module": "keras", "class_name": "DTypePolicy",
                 "config": {"name": "mixed_float16"}, "registered_name": None}  # fmt: skip


# Archives that lie, escape, link or hide.


def escaping_name(marker: Path) -> str:
    """A member name that, joined to any folder less than 40 deep, is the marker's path."""
    return "../" * 40 + str(marker).lstrip("/")


def understated(folder: Path, marker: Path) -> Path:
    """config.json whose headers claim 4 KiB while its data inflates to 256 MiB of zeros: the
    reader inflates only what the headers claim, and that is not JSON."""
    data = deflated_zeros(256)
    claimed = bytes(4096)
    member = RawMember("config.json", data, zipfile.ZIP_DEFLATED, len(claimed), zlib.crc32(claimed))
    return raw_zip(folder / "understated.keras", [member, *base_members()[1:]])


def understated_count(folder: Path, marker: Path) -> Path:
    """The base's members and 100,000 empty ones, with an end record that says 3."""
    empties = (RawMember(f"m/{index}", b"") for index in range(100_000))
    return raw_zip(folder / "count.keras", [*base_members(), *empties], claimed_count=3)


def lzma_member(folder: Path, marker: Path) -> Path:
    path = folder / "lzma.keras"
    keras_file(path, leave_out=["config.json"])
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("config.json", json.dumps(base_config()), zipfile.ZIP_LZMA)
    return path


SYMLINK = 0o120777


# Weights that do not fit, or live outside the file.


def outside_kernel(folder: Path) -> tuple[Path, Path, np.ndarray]:
    """The conv kernel the base file holds, stored outside it: as HDF5 and as raw bytes, so
    that a reader that followed a link would find weights it accepts."""
    kernel = base_weights()["conv"][0]
    h5_path, raw_path = folder / "outside.h5", folder / "outside.raw"
    with h5py.File(h5_path, "w") as file:
        file.create_dataset("kernel", data=kernel)
    raw_path.write_bytes(kernel.tobytes())
    return h5_path, raw_path, kernel


WeightsEdit = Callable[[h5py.File, Path], None]
CONV_KERNEL = "layers/conv2d/vars/0"


def weights_edit(edit: WeightsEdit) -> Make:
    def make(folder: Path, marker: Path) -> Path:
        weights = weights_h5(edit=lambda file: edit(file, folder))
        return keras_file(folder / "weights.keras", weights=weights)

    return make


def kernel_as(link: Callable[[h5py.File, Path], None]) -> WeightsEdit:
    def edit(file: h5py.File, folder: Path) -> None:
        del file[CONV_KERNEL]
        link(file, folder)

    return edit


def external_link(file: h5py.File, folder: Path) -> None:
    file[CONV_KERNEL] = h5py.ExternalLink(str(outside_kernel(folder)[0]), "/kernel")


def soft_link(file: h5py.File, folder: Path) -> None:
    file.create_dataset("stash", data=base_weights()["conv"][0])
    file[CONV_KERNEL] = h5py.SoftLink("/stash")


def external_storage(file: h5py.File, folder: Path) -> None:
    _, raw_path, kernel = outside_kernel(folder)
    file.create_dataset(
        CONV_KERNEL, kernel.shape, "<f4", external=[(str(raw_path), 0, kernel.nbytes)]
    )


def virtual_dataset(file: h5py.File, folder: Path) -> None:
    h5_path, _, kernel = outside_kernel(folder)
    layout = h5py.VirtualLayout(kernel.shape, "<f4")
    layout[...] = h5py.VirtualSource(str(h5_path), "kernel", kernel.shape)
    file.create_virtual_dataset(CONV_KERNEL, layout)


def legacy_external_link(folder: Path, marker: Path) -> Path:
    def edit(file: h5py.File) -> None:
        kernel = "model_weights/conv/base/conv/kernel"
        del file[kernel]
        file[kernel] = h5py.ExternalLink(str(outside_kernel(folder)[0]), "/kernel")

    return legacy_h5(folder / "link.h5", edit=edit)


def with_arrays(change: Callable[[dict[str, list[np.ndarray]]], None]) -> Make:
    def make(folder: Path, marker: Path) -> Path:
        arrays = base_weights()
        change(arrays)
        return keras_file(folder / "weights.keras", weights=weights_h5(arrays))

    return make


def nan_weight(arrays: dict[str, list[np.ndarray]]) -> None:
    arrays["out"][0][5, 1] = np.nan


def int_kernel(file: h5py.File, folder: Path) -> None:
    del file[CONV_KERNEL]
    file.create_dataset(CONV_KERNEL, data=np.ones((3, 3, 1, 2), np.int32))


def ghost_layer(file: h5py.File, folder: Path) -> None:
    variables = file.create_group("layers/ghost/vars")
    variables.attrs["name"] = "ghost"
    variables.create_dataset("0", data=np.zeros(3, np.float32))


# Graphs Keras would follow: too deep, or not a path.


def deep_config(depth: int = 10_000) -> str:
    layers = "[" * depth + "]" * depth
    return f'{{"module": "keras", "class_name": "Sequential", "config": {{"layers": {layers}}}}}'


def reads_from(layer: str, *sources: str) -> Make:
    """The base with ``layer`` reading the outputs of ``sources`` instead of its own input."""

    def edit(config: dict[str, Any], marker: Path) -> None:
        node = tensor(sources[0], [None])
        node["args"] = [[tensor(source, [None])["args"][0] for source in sources]]
        layer_entry(config, layer)["inbound_nodes"] = [node]

    return config_edit(edit)


# Files that are not model files at all.


HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
RANDOM = np.random.default_rng(15).bytes(4096)


def written(name: str, data: bytes) -> Make:
    def make(folder: Path, marker: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return make


def weights_only_h5(folder: Path, marker: Path) -> Path:
    path = legacy_h5(folder / "weights-only.h5")
    with h5py.File(path, "a") as file:
        del file.attrs["model_config"]
    return path
