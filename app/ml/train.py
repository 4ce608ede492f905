"""Train a shipped model on MNIST and save ``<id>.keras`` with its ``<id>.json`` beside it.

Training is reproducible: the seed fixes the initial weights, the shuffling and the order of
floating-point reductions (``enable_op_determinism``), so the same command on the same machine
gives the same weights, and the shipped accuracy within a few hundredths of a point elsewhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import platform
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from app.ml.recipes import CLASSES, INPUT_SHAPE, RECIPES, Recipe

# The last twelfth of the training images is held out for validation: 5,000 of MNIST's 60,000.
VALIDATION_FRACTION = 12
# Augmentation of the training images: rotation as a fraction of a full turn (+-0.02 = +-7
# degrees), zoom and shift as fractions of the image size (+-8%, about +-2 pixels).
AUGMENT = {"rotation": 0.02, "zoom": 0.08, "shift": 0.08}
# The learning rate is multiplied by this after every epoch.
LEARNING_RATE_DECAY = 0.9
DEFAULT_SEED = 1998
# What keras.datasets.mnist.load_data() downloads: training on it needs no --data.
KERAS_MNIST_SHA256 = "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64"
MNIST_KEYS = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}

# What every shipped model expects; the registry checks a model's metadata against it.
INPUT_CONTRACT: dict[str, Any] = {
    "shape": list(INPUT_SHAPE),
    "dtype": "float32",
    "range": [0.0, 1.0],
    "background": "black (0.0)",
    "ink": "white (1.0)",
    "layout": "the digit fitted into the central 20x20 box and centred by mass, as in MNIST",
}


class DatasetError(ValueError):
    """The dataset file is missing or is not MNIST in Keras' layout."""


@dataclass(frozen=True)
class Dataset:
    x_train: npt.NDArray[np.float32]
    y_train: npt.NDArray[np.uint8]
    x_val: npt.NDArray[np.float32]
    y_val: npt.NDArray[np.uint8]
    x_test: npt.NDArray[np.float32]
    y_test: npt.NDArray[np.uint8]
    source: dict[str, Any]


def load_mnist(path: Path | None, limit: int | None = None) -> Dataset:
    """MNIST from an ``.npz`` in Keras' layout, or from Keras' downloader when ``path`` is None.

    The last twelfth of the training images (5,000 of MNIST's 60,000) is held out for
    validation; ``limit`` keeps only the first ``limit`` images of each split (for quick tests
    of the training code itself).
    """
    if path is None:
        (x_train, y_train), (x_test, y_test) = _download_mnist()
        source: dict[str, Any] = {"name": "MNIST", "loader": "keras.datasets.mnist.load_data()"}
    else:
        arrays = _read_npz(path)
        x_train, y_train, x_test, y_test = (arrays[key] for key in MNIST_KEYS)
        source = {
            "name": "MNIST",
            "file": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
    split = len(x_train) - len(x_train) // VALIDATION_FRACTION
    parts = {
        "train": (x_train[:split], y_train[:split]),
        "val": (x_train[split:], y_train[split:]),
        "test": (x_test, y_test),
    }
    if limit is not None:
        parts = {name: (x[:limit], y[:limit]) for name, (x, y) in parts.items()}
    source |= {f"{name}_images": len(x) for name, (x, _) in parts.items()}

    def scaled(images: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        return (images.astype(np.float32) / 255.0)[..., np.newaxis]

    return Dataset(
        x_train=scaled(parts["train"][0]),
        y_train=parts["train"][1],
        x_val=scaled(parts["val"][0]),
        y_val=parts["val"][1],
        x_test=scaled(parts["test"][0]),
        y_test=parts["test"][1],
        source=source,
    )


def _download_mnist() -> Any:
    """Keras' own MNIST download (11 MB, cached in ~/.keras/datasets), or a DatasetError."""
    from keras.datasets import mnist

    print("No --data given: downloading MNIST with keras.datasets.mnist.load_data() ...")
    try:
        return mnist.load_data()
    except Exception as exc:  # Keras raises whatever its download raised
        raise DatasetError(
            f"MNIST could not be downloaded ({type(exc).__name__}: {str(exc)[:200]}). On a "
            "machine without internet access, pass --data PATH to an MNIST .npz in Keras' "
            "layout (models/README.md says where to get one)."
        ) from None


def _read_npz(path: Path) -> dict[str, npt.NDArray[np.uint8]]:
    if not path.is_file():
        raise DatasetError(
            f"No dataset file at {path}. Pass the path to an MNIST .npz in Keras' layout "
            "(x_train, y_train, x_test, y_test; models/README.md says where to get one), or "
            "leave out --data to download it with Keras."
        )
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError) as exc:
        raise DatasetError(f"{path} could not be read as an .npz file: {exc}.") from exc
    for key, shape in MNIST_KEYS.items():
        array = arrays.get(key)
        if array is None or array.shape[1:] != shape[1:] or array.dtype != np.uint8:
            found = "missing" if array is None else f"{array.dtype} {array.shape}"
            expected = "(N, 28, 28)" if len(shape) == 3 else "(N,)"
            raise DatasetError(
                f"{path} is not MNIST in Keras' layout: {key} is {found}; expected uint8 of "
                f"shape {expected}."
            )
    return arrays


def train(
    model_id: str,
    dataset: Dataset,
    out_dir: Path,
    *,
    epochs: int | None = None,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Train ``model_id`` from scratch, evaluate on the test split, save model and metadata.

    Returns the metadata written to ``<out_dir>/<model_id>.json``.
    """
    recipe = RECIPES[model_id]
    epochs = recipe.epochs if epochs is None else epochs
    # oneDNN roughly halves the time per epoch on these CPUs; it must be set before TF loads.
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()

    model = recipe.build()
    steps_per_epoch = math.ceil(len(dataset.x_train) / recipe.batch_size)
    schedule = keras.optimizers.schedules.ExponentialDecay(
        recipe.learning_rate, decay_steps=steps_per_epoch, decay_rate=LEARNING_RATE_DECAY
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    log(
        f"Training {recipe.id} ({model.count_params():,} parameters) for {epochs} epochs on "
        f"{len(dataset.x_train):,} images, validating on {len(dataset.x_val):,}, seed {seed}."
    )
    started = time.perf_counter()
    history = model.fit(
        _training_batches(dataset, recipe.batch_size, seed),
        validation_data=(dataset.x_val, dataset.y_val),
        epochs=epochs,
        shuffle=False,  # the dataset above shuffles, with the seed
        verbose=2,
    )
    seconds = time.perf_counter() - started
    test_loss, test_accuracy = model.evaluate(dataset.x_test, dataset.y_test, verbose=0)
    log(f"Test accuracy {test_accuracy:.4f} (loss {test_loss:.4f}) after {seconds:.0f} s.")

    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(out_dir / f"{model_id}.keras")
    metadata = _metadata(recipe, model, dataset, history.history, epochs, seed, seconds)
    metadata["test_loss"] = round(float(test_loss), 6)
    metadata["test_accuracy"] = round(float(test_accuracy), 6)
    metadata["training"]["command"] = rerun_command(model_id, dataset.source, epochs, seed)
    (out_dir / f"{model_id}.json").write_text(json.dumps(metadata, indent=2) + "\n")
    log(f"Saved {out_dir / model_id}.keras and {model_id}.json.")
    return metadata


def rerun_command(model_id: str, source: dict[str, Any], epochs: int, seed: int) -> str:
    """The command that trains ``model_id`` again, as anyone with a clone can type it.

    Only what changes the result is written: ``--epochs`` and ``--seed`` when they are not the
    recipe's, and ``--data`` when the file is not the MNIST that Keras downloads (same sha256),
    named ``PATH/TO/<file name>``, since the path it was read from is one machine's own.
    """
    words = [".venv/bin/convlens", "train", model_id]
    if source.get("sha256", KERAS_MNIST_SHA256) != KERAS_MNIST_SHA256:
        words += ["--data", f"PATH/TO/{source['file']}"]
    if epochs != RECIPES[model_id].epochs:
        words += ["--epochs", str(epochs)]
    if seed != DEFAULT_SEED:
        words += ["--seed", str(seed)]
    return shlex.join(words)


def _training_batches(dataset: Dataset, batch_size: int, seed: int) -> Any:
    """Shuffled batches, each image moved a little as a hand would: shifted, turned, resized.

    Augmentation is what lets these small models reach MNIST-level accuracy on drawings that are
    never quite centred or upright, and keeps LeNet-5 from overfitting (99.6% train vs 98.8%
    test without it). The random layers are seeded, so batches are the same on every run.
    """
    import tensorflow as tf
    from keras import Sequential, layers

    fill = {"fill_mode": "constant", "fill_value": 0.0}
    augment = Sequential(
        [
            layers.RandomRotation(AUGMENT["rotation"], seed=seed, **fill),
            layers.RandomZoom(AUGMENT["zoom"], seed=seed + 1, **fill),
            layers.RandomTranslation(AUGMENT["shift"], AUGMENT["shift"], seed=seed + 2, **fill),
        ],
        name="augment",
    )
    batches = (
        tf.data.Dataset.from_tensor_slices((dataset.x_train, dataset.y_train))
        .shuffle(len(dataset.x_train), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .map(lambda x, y: (augment(x, training=True), y))
        .prefetch(2)
    )
    return batches


def _metadata(
    recipe: Recipe,
    model: Any,
    dataset: Dataset,
    history: dict[str, list[float]],
    epochs: int,
    seed: int,
    seconds: float,
) -> dict[str, Any]:
    import keras
    import tensorflow as tf

    def rounded(values: list[float]) -> list[float]:
        return [round(float(value), 6) for value in values]

    return {
        "id": recipe.id,
        "name": recipe.name,
        "description": recipe.description,
        "dataset": dataset.source,
        "classes": list(CLASSES),
        "input": INPUT_CONTRACT,
        "parameters": int(model.count_params()),
        "test_accuracy": None,
        "test_loss": None,
        "epochs": epochs,
        "seed": seed,
        "history": {
            "loss": rounded(history["loss"]),
            "accuracy": rounded(history["accuracy"]),
            "val_loss": rounded(history["val_loss"]),
            "val_accuracy": rounded(history["val_accuracy"]),
        },
        "training": {
            "optimizer": "Adam",
            "learning_rate": recipe.learning_rate,
            "learning_rate_decay_per_epoch": LEARNING_RATE_DECAY,
            "augmentation": AUGMENT,
            "batch_size": recipe.batch_size,
            "loss": "sparse_categorical_crossentropy",
            "seconds": round(seconds, 1),
            "seconds_per_epoch": round(seconds / max(epochs, 1), 2),
            "trained_on": dt.date.today().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "1",
        },
    }
