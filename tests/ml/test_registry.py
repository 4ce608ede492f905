"""The registry: the shipped models load with their metadata, and odd files are skipped."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.config import PROJECT_ROOT
from app.errors import UnknownResource
from app.ml.loaded import params_formula
from app.ml.registry import Registry, load_registry

from .conftest import SHIPPED

pytestmark = pytest.mark.keras
MODELS = PROJECT_ROOT / "models"


def test_every_shipped_model_loads_with_its_metadata(registry: Registry) -> None:
    assert list(registry) == ["colour-shapes", "lenet5", "mlp", "mnist-cnn-dropout", "mnist-cnn"]
    assert registry.skipped == {}
    for model_id in SHIPPED:
        loaded = registry.get_model(model_id)
        assert loaded.metadata.id == model_id
        assert loaded.metadata.classes == [str(d) for d in range(10)]
        assert loaded.runner.kind == "litert"


@pytest.mark.parametrize(
    ("model_id", "total"), [("lenet5", 61_706), ("mnist-cnn", 123_690), ("mlp", 66_790)]
)
def test_parameter_counts_equal_keras_count_params(
    registry: Registry, model_id: str, total: int
) -> None:
    loaded = registry.get_model(model_id)
    assert loaded.total_params == loaded.model.count_params() == total
    for row in loaded.layers:
        assert row.params == loaded.model.get_layer(row.name).count_params()
        # The formula's right-hand side is the count, written with thousands separators.
        assert row.params_formula.endswith(f"{row.params:,}") or row.params == 0


def test_lenet5_summary_shows_the_arithmetic_people_learn(registry: Registry) -> None:
    rows = {row.name: row for row in registry.get_model("lenet5").layers}
    assert rows["conv1"].params_formula == "5*5*1*6 + 6 = 156"
    assert rows["conv2"].params_formula == "5*5*6*16 + 16 = 2,416"
    assert rows["fc1"].params_formula == "400*120 + 120 = 48,120"
    assert rows["pool1"].params_formula == "0 (no weights)"
    assert rows["conv1"].output_shape == (28, 28, 6)
    assert rows["conv2"].output_shape == (10, 10, 16)
    assert rows["flatten"].output_shape == (400,)
    assert rows["conv1"].output_formula is not None
    assert "(28 - 5 + 2*2) / 1 + 1 = 27 + 1 = 28" in rows["conv1"].output_formula
    assert rows["conv2"].output_formula is not None
    assert "(14 - 5 + 2*0) / 1 + 1 = 9 + 1 = 10" in rows["conv2"].output_formula
    assert rows["pool2"].output_formula is not None
    assert "(10 - 2 + 2*0) / 2 + 1 = 4 + 1 = 5" in rows["pool2"].output_formula


def test_params_formula_multiplies_out_each_weight_tensor() -> None:
    assert params_formula([(3, 3, 1, 32), (32,)]) == "3*3*1*32 + 32 = 320"
    assert params_formula([(1600, 64), (64,)]) == "1600*64 + 64 = 102,464"
    assert params_formula([]) == "0 (no weights)"


def test_shipped_accuracy_meets_the_issue(registry: Registry) -> None:
    accuracy = registry.get_model("lenet5").metadata.test_accuracy
    assert accuracy is not None and accuracy >= 0.99


def test_unknown_model_lists_the_known_ones(registry: Registry) -> None:
    listed = r"Models: colour-shapes, lenet5, mlp, mnist-cnn-dropout, mnist-cnn"
    with pytest.raises(UnknownResource, match=r"no model 'lenet'\. " + listed):
        registry.get_model("lenet")


def test_unknown_layer_lists_the_layers(registry: Registry) -> None:
    with pytest.raises(UnknownResource, match=r"has no layer 'conv9'.*conv1, pool1, conv2"):
        registry.get_model("lenet5").layer("conv9")


def test_a_pair_dropped_into_the_folder_shows_up_and_bad_ones_are_skipped(tmp_path: Path) -> None:
    shutil.copy(MODELS / "mlp.keras", tmp_path / "mlp.keras")
    shutil.copy(MODELS / "mlp.json", tmp_path / "mlp.json")
    # The same model under another id: its metadata must carry that id.
    shutil.copy(MODELS / "mlp.keras", tmp_path / "my-mlp.keras")
    meta = json.loads((MODELS / "mlp.json").read_text())
    (tmp_path / "my-mlp.json").write_text(json.dumps({**meta, "id": "my-mlp"}))
    # No metadata, unreadable metadata, and a file that is not a Keras model.
    shutil.copy(MODELS / "mlp.keras", tmp_path / "orphan.keras")
    shutil.copy(MODELS / "mlp.keras", tmp_path / "garbled.keras")
    (tmp_path / "garbled.json").write_text("{not json")
    (tmp_path / "broken.keras").write_bytes(b"not a zip file")
    (tmp_path / "broken.json").write_text(json.dumps({**meta, "id": "broken"}))

    registry = load_registry(tmp_path)

    assert list(registry) == ["mlp", "my-mlp"]
    assert set(registry.skipped) == {"orphan", "garbled", "broken"}
    assert "orphan.json is missing" in registry.skipped["orphan"]
    assert "garbled.json is not valid metadata" in registry.skipped["garbled"]
    assert "Keras could not load it" in registry.skipped["broken"]


def test_a_model_with_another_input_shape_is_skipped_with_the_reason(tmp_path: Path) -> None:
    import keras

    inputs = keras.Input((32, 32, 3), name="input")
    outputs = keras.layers.Dense(10, name="output")(keras.layers.Flatten()(inputs))
    keras.Model(inputs, outputs).save(tmp_path / "cifar.keras")
    meta = json.loads((MODELS / "mlp.json").read_text())
    (tmp_path / "cifar.json").write_text(json.dumps({**meta, "id": "cifar"}))

    registry = load_registry(tmp_path)

    assert len(registry) == 0
    assert "it takes input (32, 32, 3)" in registry.skipped["cifar"]


def test_an_empty_models_folder_does_not_import_tensorflow(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from app.ml.registry import load_registry; "
        f"r = load_registry(Path({str(tmp_path)!r})); "
        "print(len(r), 'tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    )
    assert result.stdout.split() == ["0", "False", "False"]


def test_filters_are_the_layers_kernel_and_bias(registry: Registry) -> None:
    loaded = registry.get_model("lenet5")
    kernel, bias = loaded.filters("conv1")
    weights = loaded.model.get_layer("conv1").get_weights()
    np.testing.assert_array_equal(kernel, weights[0])
    assert bias is not None
    np.testing.assert_array_equal(bias, weights[1])
    assert kernel.shape == (5, 5, 1, 6)
    with pytest.raises(UnknownResource, match="is a Dense, which has no filters"):
        loaded.filters("fc1")
