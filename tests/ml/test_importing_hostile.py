"""Hostile model files: each is refused with a 4xx saying what was refused; nothing it carries runs.

Every file is made here (:mod:`tests.hostile_files`), one edit away from a base file that
imports (the first test proves it), and uploaded to ``POST /api/models``. For each case: the
status, a phrase of the detail, that the marker file its payload would write does not exist,
and that no model was added (in ``GET /api/models`` or as a folder in the data folder). Where a
payload can be shown to be live, a control runs it as a vulnerable loader would, in a
subprocess, and sees the marker appear: the tests would fail if the file were ever run.

=====================  ===============================================================
Table                  What its files attack
=====================  ===============================================================
``CODE_IN_CONFIG``     code named in the config: CVE-2025-1550, -8747, -9906, custom objects
(Lambda fixture)       marshalled bytecode: CVE-2024-3660 (.keras), CVE-2025-9905 (.h5)
``ARCHIVES``           zip bombs, 100,000 members, zip slip, symlinks, encryption
``WEIGHTS``            wrong shapes and counts, NaN, ints, links and storage outside the file
``GRAPHS``             a billion units, nesting 10,000 deep, cycles
``NOT_MODEL_FILES``    random bytes, broken HDF5 and zip, empty files
(capped client)        CONVLENS_MAX_IMPORT_PARAMS (422), CONVLENS_MAX_IMPORT_BYTES (413)
=====================  ===============================================================
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from tests.conftest import make_client
from tests.hostile_files import (
    BASE_PARAMS,
    CONV_KERNEL,
    CUSTOM_ACTIVATION,
    HDF5_MAGIC,
    MIXED_FLOAT16,
    RANDOM,
    SYMLINK,
    Make,
    RawMember,
    base_config,
    base_members,
    base_weights,
    config_edit,
    deep_config,
    entry_edit,
    escaping_name,
    external_link,
    external_storage,
    foreign_layer,
    get_file_settings,
    ghost_layer,
    int_kernel,
    keras_file,
    kernel_as,
    lambda_model,
    layer_entry,
    legacy_external_link,
    legacy_h5,
    lzma_member,
    many_members,
    model_edit,
    nan_weight,
    nested_model,
    python_payload,
    raw_zip,
    reads_from,
    settings_edit,
    shell_payload,
    soft_link,
    tensor,
    understated,
    understated_count,
    unlock_then_lambda,
    virtual_dataset,
    weights_edit,
    weights_h5,
    weights_only_h5,
    with_arrays,
    written,
    zip_bomb,
)


@dataclass(frozen=True)
class Hostile:
    make: Make
    refused: str  # a phrase the refusal's detail must contain


def upload(client: TestClient, path: Path) -> Any:
    with path.open("rb") as file:
        return client.post(
            "/api/models",
            files={"file": (path.name, file, "application/octet-stream")},
            data={"name": f"hostile {path.stem}"},
        )


def model_ids(client: TestClient) -> set[str]:
    return {model["id"] for model in client.get("/api/models").json()}


def stored_folders(data_dir: Path) -> set[str]:
    """Everything in the data folder's models/, hidden half-written folders included."""
    root = data_dir / "models"
    return set(os.listdir(root)) if root.is_dir() else set()


def assert_refused(
    client: TestClient, data_dir: Path, hostile: Hostile, folder: Path, status: int = 422
) -> None:
    marker = folder / "marker"
    path = hostile.make(folder, marker)
    listed, stored = model_ids(client), stored_folders(data_dir)

    response = upload(client, path)

    assert response.status_code == status, response.text
    assert hostile.refused in response.json()["detail"]
    assert not marker.exists(), "the hostile file's payload ran"
    assert model_ids(client) == listed
    assert stored_folders(data_dir) == stored


def run_python(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``script`` in a fresh interpreter, so that a live payload cannot touch the tests."""
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=cwd,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module", autouse=True)
def models_before(client: TestClient, data_dir: Path) -> tuple[set[str], set[str]]:
    return model_ids(client), stored_folders(data_dir)


# The base file: the positive control for every edit below.


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_the_unedited_base_file_imports(client: TestClient, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"base{suffix}"
    keras_file(path) if suffix == ".keras" else legacy_h5(path)

    response = upload(client, path)

    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["model"]["parameters"] == BASE_PARAMS
    deleted = client.delete(
        f"/api/models/{answer['id']}",
        headers={"Authorization": f"Bearer {answer['delete_token']}"},
    )
    assert deleted.status_code == 204


@pytest.mark.keras
def test_keras_itself_reads_the_hand_made_base_files(tmp_path: Path) -> None:
    keras_path, h5_path = keras_file(tmp_path / "base.keras"), legacy_h5(tmp_path / "base.h5")
    script = (
        "import sys, keras\n"
        "for path in sys.argv[1:]:\n"
        "    model = keras.saving.load_model(path, safe_mode=True, compile=False)\n"
        "    kernel = model.get_layer('conv').get_weights()[0]\n"
        "    print('loaded', model.count_params(), float(kernel.sum()))\n"
    )

    done = run_python(script, str(keras_path), str(h5_path), cwd=tmp_path)

    assert done.returncode == 0, done.stderr[-3000:]
    kernel_sum = float(base_weights()["conv"][0].sum())
    loaded = [line.split()[1:] for line in done.stdout.splitlines() if line.startswith("loaded")]
    assert len(loaded) == 2
    for params, loaded_sum in loaded:
        assert int(params) == BASE_PARAMS
        assert float(loaded_sum) == pytest.approx(kernel_sum, abs=1e-5)


# Code named in the config: what CVE-2025-1550, -8747 and -9906 resolve and call.

CODE_IN_CONFIG: dict[str, Hostile] = {
    # CVE-2025-1550: any module, any callable, called with the entry's config.
    "os-system-layer": Hostile(foreign_layer(
        "os", "system", lambda m: {"command": shell_payload(m)}), "comes from module 'os'"),
    "builtins-eval-layer": Hostile(foreign_layer(
        "builtins", "eval", lambda m: {"source": python_payload(m)}),
        "comes from module 'builtins'"),
    "subprocess-popen-layer": Hostile(foreign_layer(
        "subprocess", "Popen", lambda m: {"args": ["sh", "-c", shell_payload(m)]}),
        "comes from module 'subprocess'"),
    "os-system-layer-in-h5": Hostile(foreign_layer(
        "os", "system", lambda m: {"command": shell_payload(m)}, suffix=".h5"),
        "comes from module 'os'"),
    "model-module-os": Hostile(model_edit(module="os"), "The model names module 'os'"),
    "model-class-builtins-exec": Hostile(model_edit(
        module="builtins", class_name="exec", config=python_payload),
        "The file's model is a 'exec'"),
    # CVE-2025-8747: a Keras function that is not a layer (get_file writes where it is told).
    "keras-utils-get-file": Hostile(foreign_layer(
        "keras.utils", "get_file", get_file_settings, registered_name="get_file"),
        "comes from module 'keras.utils'"),
    # CVE-2025-9906: turn safe mode off from inside the config, then a Lambda.
    "keras-config-unsafe": Hostile(config_edit(unlock_then_lambda),
                                   "comes from module 'keras.config'"),
    "foreign-registered-name": Hostile(entry_edit("out", registered_name="evil>Dense"),
                                       "registered name 'evil>Dense'"),
    "nested-sequential": Hostile(nested_model("keras", "Sequential", None),
                                 "is a whole model inside the model"),
    "nested-functional": Hostile(nested_model(
        "keras.src.models.functional", "Functional", "Functional"),
        "is a whole model inside the model"),
    # Custom objects are code; so is anything Keras would resolve from a name we do not know.
    "custom-registered-layer": Hostile(foreign_layer(
        "__main__", "MyLayer", lambda m: {"name": "conv", "payload": python_payload(m)},
        registered_name="Custom>MyLayer"), "registered name 'Custom>MyLayer'"),
    "custom-activation-dict": Hostile(settings_edit("conv", activation=CUSTOM_ACTIVATION),
                                      "Custom activations are code"),
    "unknown-conv2d-setting": Hostile(settings_edit("conv", payload="__import__('os')"),
                                      "has a setting 'payload' that ConvLens does not know"),
    "mixed-float16-policy": Hostile(settings_edit("conv", dtype=MIXED_FLOAT16),
                                    "ConvLens runs float32"),
    "unknown-entry-key": Hostile(entry_edit("conv", __reduce__=["os.system", "true"]),
                                 "'__reduce__', which a Keras layer entry does not have"),
    "call-arguments": Hostile(entry_edit("conv", inbound_nodes=[dict(
        tensor("image", [None, 8, 8, 1]), kwargs={"payload": "__import__('os')"})]),
        "is called with arguments"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CODE_IN_CONFIG))
def test_code_named_in_the_config_is_refused_by_name_and_never_runs(
    client: TestClient, data_dir: Path, tmp_path: Path, case: str
) -> None:
    assert_refused(client, data_dir, CODE_IN_CONFIG[case], tmp_path)


def test_a_foreign_object_even_in_a_setting_never_read_is_refused_and_never_runs(
    client: TestClient, data_dir: Path, tmp_path: Path
) -> None:
    """Initializers, regularisers and constraints do not change what a trained model computes
    and are never read; one naming os.system is still refused: Keras never writes one."""
    marker = tmp_path / "marker"
    config = base_config()
    layer_entry(config, "conv")["config"]["kernel_initializer"] = {
        "module": "os", "class_name": "system", "registered_name": "Custom>Evil",
        "config": {"command": shell_payload(marker)}}  # fmt: skip

    before = sorted((data_dir / "models").glob("*"))

    response = upload(client, keras_file(tmp_path / "initializer.keras", config))

    assert response.status_code == 422, response.text
    assert "kernel_initializer names 'os'.'system'" in response.json()["detail"]
    assert not marker.exists()
    assert sorted((data_dir / "models").glob("*")) == before


PAYLOAD_CONTROLS: dict[str, tuple[str, Callable[[Path], list[str]]]] = {
    "shell": ("import subprocess, sys; subprocess.run(sys.argv[1], shell=True, check=True)",
              lambda marker: [shell_payload(marker)]),
    "python": ("import sys; exec(sys.argv[1])", lambda marker: [python_payload(marker)]),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(PAYLOAD_CONTROLS))
def test_control_the_config_payloads_write_the_marker_when_run(tmp_path: Path, kind: str) -> None:
    script, arguments = PAYLOAD_CONTROLS[kind]
    marker = tmp_path / "marker"

    done = run_python(script, *arguments(marker), cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert marker.exists()


@pytest.mark.keras
def test_control_the_get_file_entry_writes_the_marker_when_keras_calls_it(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    script = "import json, sys, keras; keras.utils.get_file(**json.loads(sys.argv[1]))"

    done = run_python(script, json.dumps(get_file_settings(marker)), cwd=tmp_path)

    assert done.returncode == 0, done.stderr[-3000:]
    assert marker.read_text() == "ran"


# CVE-2024-3660 (.keras) and CVE-2025-9905 (.h5): a Lambda layer's marshalled bytecode.


@pytest.fixture(scope="module")
def lambda_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """The Lambda model saved as .keras and .h5, and the marker its bytecode writes."""
    folder = tmp_path_factory.mktemp("lambda")
    marker = folder / "marker"
    model = lambda_model(marker)
    files = {suffix: (folder / f"lambda{suffix}", marker) for suffix in (".keras", ".h5")}
    for path, _ in files.values():
        model.save(path)
    assert marker.exists(), "Keras calls the function while building: it is live"
    marker.unlink()
    return files


@pytest.mark.keras
@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_a_lambda_layer_is_refused_and_its_bytecode_never_runs(
    client: TestClient, data_dir: Path, lambda_files: dict[str, tuple[Path, Path]], suffix: str
) -> None:
    path, marker = lambda_files[suffix]
    made = Hostile(lambda folder, _: path, '"lambda" (Lambda): arbitrary Python code is not loaded')
    assert_refused(client, data_dir, made, marker.parent)


@pytest.mark.keras
@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_control_keras_runs_the_lambda_bytecode_when_safe_mode_is_off(
    lambda_files: dict[str, tuple[Path, Path]], tmp_path: Path, suffix: str
) -> None:
    path, marker = lambda_files[suffix]
    script = (
        "import sys, numpy, keras\n"
        "model = keras.saving.load_model(sys.argv[1], safe_mode=False, compile=False)\n"
        "model(numpy.zeros((1, 8, 8, 1), 'float32'))\n"
    )
    assert not marker.exists()

    done = run_python(script, str(path), cwd=tmp_path)

    assert done.returncode == 0, done.stderr[-3000:]
    assert marker.read_text() == "ran"
    marker.unlink()


# Archives: refused from their directory, before any member is inflated or unpacked.


ARCHIVES: dict[str, Hostile] = {
    "zip-bomb": Hostile(lambda f, m: zip_bomb(f / "bomb.keras"), "a zip bomb"),
    "understated-size": Hostile(understated, "config.json is not valid JSON"),
    "100000-members": Hostile(lambda f, m: many_members(f / "many.keras"),
                              "The archive has 65,535 or more members"),
    "end-record-says-3-of-100002": Hostile(understated_count, "The archive has 100,002 members"),
    "zip-slip-parent": Hostile(lambda f, m: raw_zip(f / "slip.keras", [
        *base_members(), RawMember(escaping_name(m), b"ran")]), "a path outside the archive"),
    "zip-slip-absolute": Hostile(lambda f, m: raw_zip(f / "slip.keras", [
        *base_members(), RawMember(str(m), b"ran")]), "a path outside the archive"),
    "zip-slip-drive": Hostile(lambda f, m: raw_zip(f / "slip.keras", [
        *base_members(), RawMember("C:\\evil", b"ran")]), "a path outside the archive"),
    "symlink-member": Hostile(lambda f, m: raw_zip(f / "link.keras", [
        RawMember("config.json", str(m).encode(), mode=SYMLINK), *base_members()[1:]]),
        "is a symbolic link"),
    "encrypted-member": Hostile(lambda f, m: raw_zip(f / "locked.keras", [
        RawMember("config.json", base_members()[0].data, flags=0x1), *base_members()[1:]]),
        "'config.json' is encrypted"),
    "lzma-member": Hostile(lzma_member, "uses a compression Keras does not write"),
    "no-config-json": Hostile(lambda f, m: keras_file(f / "x.keras", leave_out=["config.json"]),
                              "has no config.json"),
    "no-weights": Hostile(lambda f, m: keras_file(f / "x.keras", leave_out=["model.weights.h5"]),
                          "has no model.weights.h5"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(ARCHIVES))
def test_a_hostile_archive_is_refused_before_anything_is_unpacked(
    client: TestClient, data_dir: Path, tmp_path: Path, case: str
) -> None:
    assert_refused(client, data_dir, ARCHIVES[case], tmp_path)


def test_control_the_zip_slip_names_reach_the_marker_when_joined_naively(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    unpack_to = tmp_path / "a" / "b" / "c"
    for name in (escaping_name(marker), str(marker)):
        assert os.path.normpath(os.path.join(unpack_to, name)) == str(marker)


# Weights: every array must be in the file, float, finite, and of the configured shape.


LINKED = {"external-link": external_link, "soft-link": soft_link,
          "external-storage": external_storage, "virtual-dataset": virtual_dataset}  # fmt: skip
WEIGHTS: dict[str, Hostile] = {
    "wrong-shape": Hostile(lambda f, m: keras_file(
        f / "swapped.keras", weights=weights_h5(base_weights(filters=4))),
        'layer "conv" (Conv2D): weight 0 has shape (3, 3, 1, 4)'),
    "missing-array": Hostile(weights_edit(lambda file, _: file.__delitem__(
        "layers/dense/vars/1")), 'layer "out" (Dense) needs 2 weight arrays'),
    "weights-of-a-layer-not-in-the-config": Hostile(weights_edit(ghost_layer),
                                                    "a layer 'ghost' that its configuration"),
    "nan-weights": Hostile(with_arrays(nan_weight), "holds NaN or infinite values"),
    "int-weights": Hostile(weights_edit(int_kernel), "holds int32 values"),
    "external-link": Hostile(weights_edit(kernel_as(external_link)), "a link to somewhere else"),
    "soft-link": Hostile(weights_edit(kernel_as(soft_link)), "a link to somewhere else"),
    "external-storage": Hostile(weights_edit(kernel_as(external_storage)),
                                "is stored outside the file"),
    "virtual-dataset": Hostile(weights_edit(kernel_as(virtual_dataset)),
                               "is stored outside the file"),
    "external-link-in-h5": Hostile(legacy_external_link, "a link to somewhere else"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(WEIGHTS))
def test_weights_that_do_not_fit_or_live_outside_the_file_are_refused(
    client: TestClient, data_dir: Path, tmp_path: Path, case: str
) -> None:
    assert_refused(client, data_dir, WEIGHTS[case], tmp_path)


@pytest.mark.parametrize("case", [*LINKED, "external-link-in-h5"])
def test_control_the_links_lead_to_weights_that_would_be_accepted(
    tmp_path: Path, case: str
) -> None:
    path = WEIGHTS[case].make(tmp_path, tmp_path / "marker")
    if path.suffix == ".keras":  # the weights file as a file on disk, as an unpacking reader has it
        with zipfile.ZipFile(path) as archive:
            path = tmp_path / "model.weights.h5"
            path.write_bytes(archive.read("model.weights.h5"))
    kernel = CONV_KERNEL if case in LINKED else "model_weights/conv/base/conv/kernel"

    with h5py.File(path, "r") as file:
        np.testing.assert_array_equal(file[kernel][()], base_weights()["conv"][0])


# Graphs: sizes the engine bounds, nesting JSON cannot hold, layers that do not form a path.


GRAPHS: dict[str, Hostile] = {
    "dense-of-a-billion-units": Hostile(settings_edit("out", units=1_000_000_000),
                                        'layers[3] "out" (Dense): units is 1000000000'),
    "nested-10000-deep": Hostile(lambda f, m: keras_file(f / "deep.keras",
                                                         config_text=deep_config()),
                                 "nested too deeply"),
    "nested-10000-deep-in-h5": Hostile(lambda f, m: legacy_h5(f / "deep.h5",
                                                              config_text=deep_config()),
                                       "nested too deeply"),
    "cycle-back-to-the-first-layer": Hostile(reads_from("conv", "image", "out"),
                                             "do not form one path"),
    "two-layer-loop": Hostile(reads_from("flat", "out"), "do not form one path"),
    "layer-reading-itself": Hostile(reads_from("conv", "conv"), "do not form one path"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(GRAPHS))
def test_a_graph_too_big_too_deep_or_cyclic_is_refused(
    client: TestClient, data_dir: Path, tmp_path: Path, case: str
) -> None:
    assert_refused(client, data_dir, GRAPHS[case], tmp_path)


# Files that are not model files at all.

NOT_MODEL_FILES: dict[str, Hostile] = {
    "random-bytes-h5": Hostile(written("random.h5", RANDOM), "neither a Keras 3 .keras file"),
    "hdf5-signature-then-garbage": Hostile(written("broken.h5", HDF5_MAGIC + RANDOM),
                                           "not a readable HDF5 file"),
    "keras-that-is-text": Hostile(written("text.keras", b"model = keras.Sequential()\n" * 50),
                                  "neither a Keras 3 .keras file"),
    "zip-signature-then-garbage": Hostile(written("broken.keras", b"PK\x03\x04" + RANDOM),
                                          "not a complete zip archive"),
    "empty-file": Hostile(written("empty.keras", b""), "The file is empty"),
    "empty-weights-in-keras": Hostile(lambda f, m: keras_file(f / "x.keras", weights=b""),
                                      "not a readable HDF5 file"),
    "h5-of-weights-only": Hostile(weights_only_h5, "holds weights but no model configuration"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(NOT_MODEL_FILES))
def test_a_file_that_is_not_a_model_is_refused_saying_what_it_is_not(
    client: TestClient, data_dir: Path, tmp_path: Path, case: str
) -> None:
    assert_refused(client, data_dir, NOT_MODEL_FILES[case], tmp_path)


# The caps, from settings, named in the refusal.


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Path]]:
    data_dir = tmp_path_factory.mktemp("capped-data")
    settings = Settings(max_import_bytes=64 * 1024, max_import_params=100, data_dir=data_dir)
    with make_client(settings) as client:
        yield client, data_dir


def test_a_model_over_the_parameter_cap_is_refused_naming_the_setting(
    capped: tuple[TestClient, Path], tmp_path: Path
) -> None:
    client, data_dir = capped
    base = Hostile(lambda f, m: keras_file(f / "base.keras"), "CONVLENS_MAX_IMPORT_PARAMS")
    assert_refused(client, data_dir, base, tmp_path)
    assert stored_folders(data_dir) == set()


def test_a_file_over_the_size_cap_is_refused_with_413_naming_the_setting(
    capped: tuple[TestClient, Path], tmp_path: Path
) -> None:
    client, data_dir = capped

    def padded(folder: Path, marker: Path) -> Path:  # the base, with 128 KiB more weights
        weights = weights_h5(
            edit=lambda file: file.create_dataset(
                "padding", data=np.frombuffer(RANDOM * 32, np.uint8)
            )
        )
        return keras_file(folder / "big.keras", weights=weights)

    assert_refused(client, data_dir, Hostile(padded, "CONVLENS_MAX_IMPORT_BYTES"), tmp_path, 413)
    assert stored_folders(data_dir) == set()


# Last: all the refusals above left nothing behind.


def test_no_hostile_upload_left_a_model_or_a_folder_behind(
    client: TestClient, data_dir: Path, models_before: tuple[set[str], set[str]]
) -> None:
    listed, stored = models_before
    assert model_ids(client) == listed
    assert stored_folders(data_dir) == stored
    assert not [name for name in stored_folders(data_dir) if name.startswith(".")]
