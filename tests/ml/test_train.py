"""Training: reproducible from the seed, metadata beside the model, clear errors on bad data."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.config import PROJECT_ROOT
from app.ml.train import DatasetError, load_mnist, rerun_command, train
from tests.data.cut_mnist import SLICE

pytestmark = pytest.mark.keras


def quiet(_: str) -> None:
    pass


def test_the_same_seed_trains_the_same_model_and_another_seed_does_not(tmp_path: Path) -> None:
    import keras

    data = load_mnist(SLICE, limit=1500)
    runs = {
        name: train("lenet5", data, tmp_path / name, epochs=1, seed=seed, log=quiet)
        for name, seed in (("a", 5), ("b", 5), ("c", 6))
    }
    weights = {
        name: keras.saving.load_model(tmp_path / name / "lenet5.keras").get_weights()
        for name in runs
    }

    assert runs["a"]["history"] == runs["b"]["history"]
    assert all(np.array_equal(x, y) for x, y in zip(weights["a"], weights["b"], strict=True))
    assert not all(np.array_equal(x, y) for x, y in zip(weights["a"], weights["c"], strict=True))


def test_training_writes_the_metadata_the_registry_reads(tmp_path: Path) -> None:
    from app.ml.registry import load_registry

    data = load_mnist(SLICE, limit=1000)
    meta = train("mlp", data, tmp_path, epochs=2, seed=3, log=quiet)
    on_disk = json.loads((tmp_path / "mlp.json").read_text())

    assert on_disk == meta
    assert meta["dataset"]["sha256"] == hashlib.sha256(SLICE.read_bytes()).hexdigest()
    assert meta["dataset"]["file"] == "mnist-slice.npz"
    assert meta["dataset"]["train_images"] == meta["dataset"]["test_images"] == 1000
    assert meta["epochs"] == 2 and meta["seed"] == 3 and meta["parameters"] == 66_790
    assert all(len(values) == 2 for values in meta["history"].values())
    assert 0.0 <= meta["test_accuracy"] <= 1.0
    assert meta["training"]["command"] == (
        ".venv/bin/convlens train mlp --data PATH/TO/mnist-slice.npz --epochs 2 --seed 3"
    )
    registry = load_registry(tmp_path)
    assert list(registry) == ["mlp"]


def test_the_validation_split_is_the_last_twelfth_of_the_training_images() -> None:
    # 5,000 of MNIST's 60,000; 250 of the slice's 3,000.
    data = load_mnist(SLICE)
    with np.load(SLICE) as raw:
        np.testing.assert_array_equal(data.x[..., 0], raw["x_train"])
        np.testing.assert_array_equal(data.y, raw["y_train"])
    np.testing.assert_array_equal(data.val_at, np.arange(2750, 3000))
    assert data.x.shape == (3000, 28, 28, 1) and data.x.dtype == np.uint8
    assert data.x_test.shape == (2000, 28, 28, 1)


def test_training_holds_out_the_validation_images_the_dataset_names(tmp_path: Path) -> None:
    data = load_mnist(SLICE, limit=600)
    meta = train("mlp", data, tmp_path, epochs=1, seed=3, log=quiet)

    # The slice holds 3,000 training images: its last 250 are the validation images.
    assert meta["dataset"]["train_images"] == 600 and meta["dataset"]["val_images"] == 250
    assert meta["training"]["learning_rate_decay_per_epoch"] == 0.9
    assert meta["training"]["augmentation"] == {"rotation": 0.02, "zoom": 0.08, "shift": 0.08}


def test_the_console_hears_one_line_per_epoch(tmp_path: Path) -> None:
    lines: list[str] = []
    train("mlp", load_mnist(SLICE, limit=300), tmp_path, epochs=2, seed=3, log=lines.append)

    epochs = [line for line in lines if line.startswith("Epoch ")]
    assert [line.split(":")[0] for line in epochs] == ["Epoch 1/2", "Epoch 2/2"]
    assert all("validation loss" in line for line in epochs)
    assert lines[-2].startswith("Test accuracy ")


def test_a_shipped_model_keeps_its_layer_names() -> None:
    from app.ml.recipes import RECIPES

    names = {key: [layer.name for layer in r.build().layers] for key, r in RECIPES.items()}

    assert names["lenet5"] == [
        "input", "conv1", "pool1", "conv2", "pool2", "flatten", "fc1", "fc2", "output"
    ]  # fmt: skip
    assert names["mlp"] == ["input", "flatten", "fc1", "output"]
    assert names["colour-shapes"][:4] == ["input", "block1_conv1", "block1_conv2", "block1_pool"]


def test_a_missing_dataset_says_where_to_find_one(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"No dataset file at .*nothing\.npz\. Pass the path"):
        load_mnist(tmp_path / "nothing.npz")


def test_a_dataset_in_the_wrong_layout_is_refused_naming_the_array(tmp_path: Path) -> None:
    path = tmp_path / "odd.npz"
    np.savez(
        path,
        x_train=np.zeros((10, 32, 32), np.uint8),
        y_train=np.zeros(10, np.uint8),
        x_test=np.zeros((10, 28, 28), np.uint8),
        y_test=np.zeros(10, np.uint8),
    )
    with pytest.raises(DatasetError, match=r"x_train is uint8 \(10, 32, 32\); expected uint8 of"):
        load_mnist(path)
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(DatasetError, match=r"could not be read as an \.npz file"):
        load_mnist(tmp_path / "text.npz")


def test_the_command_refuses_an_unknown_model_and_a_missing_file(tmp_path: Path) -> None:
    def convlens(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", "train", *args],
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
        )

    unknown = convlens("alexnet")
    assert unknown.returncode == 2
    assert (
        "invalid choice: 'alexnet' (choose from 'colour-shapes', 'lenet5', 'mlp', 'mnist-cnn', "
        "'mnist-cnn-dropout')" in unknown.stderr
    )
    missing = convlens("mlp", "--data", str(tmp_path / "none.npz"), "--out", str(tmp_path))
    assert missing.returncode == 2
    assert "No dataset file at" in missing.stderr
    drawn = convlens("colour-shapes", "--data", str(tmp_path / "none.npz"))
    assert drawn.returncode == 2
    assert "colour-shapes trains on colour shapes that it draws from the seed" in drawn.stderr
    assert not list(tmp_path.glob("*.keras"))


@pytest.mark.parametrize(
    "model_id", ["lenet5", "mnist-cnn", "mlp", "mnist-cnn-dropout", "colour-shapes"]
)
def test_the_shipped_command_is_one_anyone_can_run(model_id: str) -> None:
    meta = json.loads((PROJECT_ROOT / "models" / f"{model_id}.json").read_text())
    command = meta["training"]["command"]
    # Keras' own MNIST (or the drawn colour shapes), the recipe's epochs and seed: no
    # machine's path, no options.
    assert command == f".venv/bin/convlens train {model_id}"
    assert command == rerun_command(model_id, meta["dataset"], meta["epochs"], meta["seed"])
