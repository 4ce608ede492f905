"""Train a shipped model and save ``<id>.keras`` with its ``<id>.json`` beside it.

The training itself is :func:`app.ml.fit.fit_stack`, the code the training jobs run, with the
recipe's options (:mod:`app.ml.recipes`): a learning rate that decays after every epoch, the
recipe's augmentation, and op determinism. Training is reproducible: the seed fixes the initial
weights, the shuffling, the augmentation and the order of floating-point reductions, so the same
command on the same machine gives the same weights, and the shipped accuracy within a few
hundredths of a point elsewhere.

The MNIST models train on MNIST's first 55,000 training images and are validated on the last
5,000; ``colour-shapes`` trains on :mod:`app.ml.colour_set`, drawn in memory from the seed, with
a seeded tenth held out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from app.ml.fit import AUGMENT, EpochNumbers, FitOptions, Probe, fit_stack
from app.ml.recipes import INPUT_SHAPE, RECIPES, Recipe

# The last twelfth of the training images is held out for validation: 5,000 of MNIST's 60,000.
VALIDATION_FRACTION = 12
DEFAULT_SEED = 1998
# What keras.datasets.mnist.load_data() downloads: training on it needs no --data.
KERAS_MNIST_SHA256 = "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64"
MNIST_KEYS = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}

# What every shipped digit model expects; the registry checks a model's metadata against it.
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
    """Images as uint8 ``N x H x W x C``; labels as int32 class indices."""

    x: npt.NDArray[np.uint8]  # the training and the validation images
    y: npt.NDArray[np.int32]
    val_at: npt.NDArray[np.int64] | None  # the validation images in x; None: a seeded split
    x_test: npt.NDArray[np.uint8]
    y_test: npt.NDArray[np.int32]
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
    train_count = len(parts["train"][0])
    return Dataset(
        x=np.concatenate([parts["train"][0], parts["val"][0]])[..., np.newaxis],
        y=np.concatenate([parts["train"][1], parts["val"][1]]).astype(np.int32),
        val_at=np.arange(train_count, train_count + len(parts["val"][0]), dtype=np.int64),
        x_test=parts["test"][0][..., np.newaxis],
        y_test=parts["test"][1].astype(np.int32),
        source=source,
    )


def load_colour_shapes(seed: int) -> Dataset:
    """The colour shapes of ``seed``, drawn in memory (a few seconds)."""
    from app.ml.colour_set import colour_shapes

    shapes = colour_shapes(seed)
    return Dataset(
        x=shapes.x_train,
        y=shapes.y_train,
        val_at=None,
        x_test=shapes.x_test,
        y_test=shapes.y_test,
        source={
            "name": "Colour shapes",
            "generator": "app/ml/colour_set.py",
            "seed": seed,
            "train_images": len(shapes.x_train),  # until the split is known
            "test_images": len(shapes.x_test),
        },
    )


def load_dataset(recipe: Recipe, data: Path | None, seed: int) -> Dataset:
    """The dataset ``recipe`` trains on: MNIST from ``data`` (or Keras' download), or the
    colour shapes of ``seed``."""
    if recipe.dataset == "colour-shapes":
        if data is not None:
            raise DatasetError(
                f"{recipe.id} trains on colour shapes that it draws from the seed; leave out "
                "--data (and pass --seed to draw another set)."
            )
        return load_colour_shapes(seed)
    return load_mnist(data)


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
    options = fit_options(recipe, epochs, seed)
    stack = recipe.stack()
    fitted = fit_stack(
        stack,
        dataset.x,
        dataset.y,
        options,
        EpochLog(log, recipe, epochs, seed),
        name=recipe.model_name,
        val_at=dataset.val_at,
    )
    model = fitted.model
    test_loss, test_accuracy = model.evaluate(
        dataset.x_test / np.float32(255), dataset.y_test, batch_size=256, verbose=0
    )
    log(f"Test accuracy {test_accuracy:.4f} (loss {test_loss:.4f}) after {fitted.seconds:.0f} s.")

    out_dir.mkdir(parents=True, exist_ok=True)
    # Saved without the optimizer's state (two more copies of every weight): the app only
    # reads the model, and the file is a third of the size.
    shipped = recipe.build()
    shipped.set_weights(model.get_weights())
    shipped.save(out_dir / f"{model_id}.keras")
    source = dataset.source | {
        "train_images": fitted.train_images,
        "val_images": fitted.val_images,
    }
    metadata = _metadata(recipe, model, source, fitted.history, epochs, seed, fitted.seconds)
    metadata["test_loss"] = round(float(test_loss), 6)
    metadata["test_accuracy"] = round(float(test_accuracy), 6)
    metadata["training"]["command"] = rerun_command(model_id, dataset.source, epochs, seed)
    (out_dir / f"{model_id}.json").write_text(json.dumps(metadata, indent=2) + "\n")
    log(f"Saved {out_dir / model_id}.keras and {model_id}.json.")
    return metadata


class EpochLog:
    """A :class:`app.ml.fit.FitWatcher` for the console: one line per epoch."""

    def __init__(self, log: Callable[[str], None], recipe: Recipe, epochs: int, seed: int):
        self.log, self.recipe, self.epochs, self.seed = log, recipe, epochs, seed

    def started(self, batches: int, filter_layer: str | None, probe: Probe) -> None:
        self.log(
            f"Training {self.recipe.id} for {self.epochs} epochs of {batches} batches of "
            f"{self.recipe.batch_size}, seed {self.seed}."
        )

    def snapshot(
        self, epoch: int, kernel: npt.NDArray[np.float32], maps: npt.NDArray[np.float32]
    ) -> None:
        pass

    def batch_done(self, epoch: int, batch: int, loss: float, accuracy: float) -> None:
        pass

    def epoch_done(self, numbers: EpochNumbers) -> None:
        self.log(
            f"Epoch {numbers.epoch}/{self.epochs}: loss {numbers.loss:.4f}, accuracy "
            f"{numbers.accuracy:.4f}, validation loss {numbers.val_loss:.4f}, accuracy "
            f"{numbers.val_accuracy:.4f} ({numbers.seconds:.1f} s)"
        )

    def should_stop(self) -> bool:
        return False


def fit_options(recipe: Recipe, epochs: int, seed: int) -> FitOptions:
    """The :class:`app.ml.fit.FitOptions` of ``recipe``: deterministic, Adam."""
    return FitOptions(
        epochs=epochs,
        batch_size=recipe.batch_size,
        learning_rate=recipe.learning_rate,
        optimizer="adam",
        validation_split=recipe.validation_split,
        augment=recipe.augmentation is not None,
        flips=False,
        seed=seed,
        augmentation=recipe.augmentation or AUGMENT,
        learning_rate_decay=recipe.learning_rate_decay,
        deterministic=True,
    )


def rerun_command(model_id: str, source: dict[str, Any], epochs: int, seed: int) -> str:
    """The command that trains ``model_id`` again, as anyone with a clone can type it.

    Only what changes the result is written: ``--epochs`` and ``--seed`` when they are not the
    recipe's, and ``--data`` when the file is not the MNIST that Keras downloads (same sha256),
    named ``PATH/TO/<file name>``, since the path it was read from is one machine's own.
    """
    words = [".venv/bin/convlens", "train", model_id]
    if "file" in source and source.get("sha256", KERAS_MNIST_SHA256) != KERAS_MNIST_SHA256:
        words += ["--data", f"PATH/TO/{source['file']}"]
    if epochs != RECIPES[model_id].epochs:
        words += ["--epochs", str(epochs)]
    if seed != DEFAULT_SEED:
        words += ["--seed", str(seed)]
    return shlex.join(words)


def _input_contract(recipe: Recipe) -> dict[str, Any]:
    if recipe.dataset == "mnist":
        return INPUT_CONTRACT
    from app.ml.colour_set import SIDE

    return {
        "shape": [SIDE, SIDE, 3],
        "dtype": "float32",
        "range": [0.0, 1.0],
        "background": "",
        "ink": "",
        "layout": "one shape anywhere in a square image; a photo's centre is cut to a square "
        "and shrunk to 32x32",
        "preprocessing": "image",
        "fit": "crop",
        "scale": "0..1",
    }


def _metadata(
    recipe: Recipe,
    model: Any,
    source: dict[str, Any],
    history: Sequence[EpochNumbers],
    epochs: int,
    seed: int,
    seconds: float,
) -> dict[str, Any]:
    import keras
    import tensorflow as tf

    def rounded(key: str) -> list[float]:
        return [round(float(getattr(numbers, key)), 6) for numbers in history]

    return {
        "id": recipe.id,
        "name": recipe.name,
        "description": recipe.description,
        "dataset": source,
        "classes": list(recipe.classes),
        "input": _input_contract(recipe),
        "parameters": int(model.count_params()),
        "test_accuracy": None,
        "test_loss": None,
        "epochs": epochs,
        "seed": seed,
        "history": {key: rounded(key) for key in ("loss", "accuracy", "val_loss", "val_accuracy")},
        "training": {
            "optimizer": "Adam",
            "learning_rate": recipe.learning_rate,
            "learning_rate_decay_per_epoch": recipe.learning_rate_decay,
            "augmentation": (
                None
                if recipe.augmentation is None
                else {
                    "rotation": recipe.augmentation.rotation,
                    "zoom": recipe.augmentation.zoom,
                    "shift": recipe.augmentation.shift,
                }
            ),
            "batch_size": recipe.batch_size,
            "loss": "sparse_categorical_crossentropy",
            "code": "app.ml.fit.fit_stack",
            "seconds": round(seconds, 1),
            "seconds_per_epoch": round(seconds / max(epochs, 1), 2),
            "trained_on": dt.date.today().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "1",
        },
    }
