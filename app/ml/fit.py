"""Train a stack on a dataset's arrays, telling a watcher how it goes batch by batch.

The images (uint8, ``N x H x W x C``) are split once with the seed: the last
``validation_split`` of a seeded permutation is held out, unless the caller names the held-out
images (``val_at``: MNIST keeps its last 5,000 training images for that). Batches are scaled to
0..1 as they are drawn (``x / 255``, the "0..1" scale of the "image" preprocessing), so a large
dataset is never held as float32 all at once. The seed fixes the initial weights, the split, the
shuffling and the augmentation.

The watcher may stop training between two batches (``should_stop``): the callback raises
:class:`TrainingCancelled` at once, rather than setting ``model.stop_training``, after which
Keras would still run the epoch's validation.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from app.core.architecture.layers import Layer
from app.errors import ConvLensError
from app.ml.build import build_model
from app.ml.loaded import FILTER_LAYERS
from app.ml.native_log import native_output_to_debug_log

if TYPE_CHECKING:
    import keras


@dataclass(frozen=True)
class Augmentation:
    """How far each training image is moved: rotation as a fraction of a full turn, zoom and
    shift as fractions of the image's side (each drawn uniformly in +-amount)."""

    rotation: float
    zoom: float
    shift: float


# A training job's: rotation 0.028 (about 10 degrees), zoom and shift 10%.
AUGMENT = Augmentation(rotation=0.028, zoom=0.1, shift=0.1)


class TrainingCancelled(Exception):
    """The watcher asked to stop."""


class TrainingDiverged(ConvLensError):
    """The loss became NaN or infinite: the weights are useless from then on."""


@dataclass(frozen=True)
class FitOptions:
    epochs: int
    batch_size: int
    learning_rate: float
    optimizer: Literal["adam", "sgd", "rmsprop"]
    validation_split: float
    augment: bool
    flips: bool
    seed: int
    augmentation: Augmentation = AUGMENT  # the amounts, when ``augment``
    # The learning rate is multiplied by this after every epoch (1.0: constant).
    learning_rate_decay: float = 1.0
    # Same seed, same machine -> same weights, at some cost in speed (process-wide, for good).
    deterministic: bool = False


@dataclass(frozen=True)
class EpochNumbers:
    epoch: int  # 1 for the first
    loss: float
    accuracy: float
    val_loss: float
    val_accuracy: float
    seconds: float


@dataclass(frozen=True)
class Probe:
    """The held-out image whose first-layer feature maps are kept every epoch."""

    image: NDArray[np.uint8]  # H x W x C, as the dataset holds it
    label: int


class FitWatcher(Protocol):
    def started(self, batches: int, filter_layer: str | None, probe: Probe) -> None: ...
    def snapshot(
        self, epoch: int, kernel: NDArray[np.float32], maps: NDArray[np.float32]
    ) -> None: ...
    def batch_done(self, epoch: int, batch: int, loss: float, accuracy: float) -> None: ...
    def epoch_done(self, numbers: EpochNumbers) -> None: ...
    def should_stop(self) -> bool: ...


@dataclass(frozen=True)
class Fitted:
    model: keras.Model
    history: list[EpochNumbers]
    val_at: NDArray[np.int64]  # the held-out images' indices
    train_images: int
    seconds: float
    logits: bool  # the last layer has no softmax

    @property
    def val_images(self) -> int:
        return len(self.val_at)


def split(
    count: int, validation_split: float, seed: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Indices of the training and held-out images: at least one of each."""
    order = np.random.default_rng(seed).permutation(count)
    held_out = min(max(1, round(count * validation_split)), count - 1)
    return order[: count - held_out], order[count - held_out :]


def fit_stack(
    layers: Sequence[Layer],
    x: NDArray[np.uint8],
    y: NDArray[np.int32],
    options: FitOptions,
    watcher: FitWatcher,
    name: str = "model",
    val_at: NDArray[np.int64] | None = None,
) -> Fitted:
    """Build ``layers`` (an ``Input`` first), train it on ``x``, ``y``; raises
    :class:`TrainingCancelled` or :class:`TrainingDiverged`.

    ``val_at``: the indices of the images to hold out, in place of the seeded split (then
    ``options.validation_split`` is not used); the others are trained on, in their order.
    """
    with native_output_to_debug_log():
        import keras
        import tensorflow as tf

    if options.deterministic:
        tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(options.seed)
    if val_at is None:
        train_at, val_at = split(len(x), options.validation_split, options.seed)
    else:
        train_at = np.setdiff1d(np.arange(len(x)), val_at)
    with native_output_to_debug_log():
        model = build_model(layers, name=name)
    logits = model.layers[-1].get_config().get("activation") in (None, "linear")
    batches = math.ceil(len(train_at) / options.batch_size)
    model.compile(
        optimizer=_optimizer(options, batches),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=logits),
        metrics=["accuracy"],
    )
    filter_layer = next(
        (layer.name for layer in model.layers if type(layer).__name__ in FILTER_LAYERS), None
    )
    probe = Probe(image=x[val_at[0]], label=int(y[val_at[0]]))
    watcher.started(batches, filter_layer, probe)
    callback = _watch(watcher, filter_layer, probe)
    started = time.perf_counter()
    model.fit(
        _batches(tf, x[train_at], y[train_at], options, train=True),
        validation_data=_batches(tf, x[val_at], y[val_at], options, train=False),
        epochs=options.epochs,
        callbacks=[callback],
        shuffle=False,  # the batches are shuffled above, with the seed
        verbose=0,
    )
    return Fitted(
        model=model,
        history=callback.history,
        val_at=val_at,
        train_images=len(train_at),
        seconds=time.perf_counter() - started,
        logits=logits,
    )


def layer_weights(model: keras.Model) -> dict[str, list[NDArray[np.float32]]]:
    """Each layer's arrays by name, as :func:`app.ml.build.assign_weights` takes them."""
    return {
        layer.name: [np.asarray(w, dtype=np.float32) for w in layer.get_weights()]
        for layer in model.layers
        if layer.weights
    }


def _optimizer(options: FitOptions, batches_per_epoch: int) -> Any:
    import keras

    learning_rate: Any = options.learning_rate
    if options.learning_rate_decay != 1.0:
        learning_rate = keras.optimizers.schedules.ExponentialDecay(
            options.learning_rate,
            decay_steps=batches_per_epoch,
            decay_rate=options.learning_rate_decay,
        )
    if options.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9)
    if options.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=learning_rate)
    return keras.optimizers.Adam(learning_rate=learning_rate)


def _batches(
    tf: Any, x: NDArray[np.uint8], y: NDArray[np.int32], options: FitOptions, train: bool
) -> Any:
    data = tf.data.Dataset.from_tensor_slices((x, y))
    if train:
        data = data.shuffle(len(x), seed=options.seed, reshuffle_each_iteration=True)

    # Named functions, not lambdas: AutoGraph cannot find a lambda's source inside a call and
    # logs a warning for every job.
    def scaled(images: Any, labels: Any) -> tuple[Any, Any]:
        return images / 255, labels

    data = data.batch(options.batch_size).map(scaled)
    if train and options.augment:
        augment = _augmentation(options)

        def augmented(images: Any, labels: Any) -> tuple[Any, Any]:
            return augment(images, training=True), labels

        data = data.map(augmented)
    return data.prefetch(2)


def _augmentation(options: FitOptions) -> Any:
    from keras import Sequential, layers

    fill = {"fill_mode": "constant", "fill_value": 0.0}
    seed, amounts = options.seed, options.augmentation
    steps: list[Any] = [
        layers.RandomRotation(amounts.rotation, seed=seed, **fill),
        layers.RandomZoom(amounts.zoom, seed=seed + 1, **fill),
        layers.RandomTranslation(amounts.shift, amounts.shift, seed=seed + 2, **fill),
    ]
    if options.flips:
        steps.append(layers.RandomFlip("horizontal", seed=seed + 3))
    return Sequential(steps, name="augment")


def _number(logs: dict[str, Any] | None, key: str) -> float:
    return float((logs or {}).get(key, math.nan))


def _watch(watcher: FitWatcher, filter_layer: str | None, probe: Probe) -> Any:
    """A Keras callback that reports batches and epochs to the watcher, and gives it the first
    convolution's filters and its feature maps of the probe image before training and after
    each epoch (defined here: Keras loads late)."""
    import keras

    probe_input = (probe.image[np.newaxis] / 255).astype(np.float32)

    class Watch(keras.callbacks.Callback):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.history: list[EpochNumbers] = []
            self.epoch_started = 0.0
            self.maps_of: keras.Model | None = None

        def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
            self._snapshot(0)

        def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            self.epoch_started = time.perf_counter()

        def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            loss = _number(logs, "loss")
            epoch = len(self.history) + 1
            if not math.isfinite(loss):
                raise TrainingDiverged(
                    "The loss became {loss} in epoch {epoch}, batch {batch}: training "
                    "diverged and the weights are lost. Lower the learning rate (by 10 times, "
                    "say) and train again.",
                    loss=str(loss),
                    epoch=epoch,
                    batch=batch + 1,
                )
            watcher.batch_done(epoch, batch + 1, loss, _number(logs, "accuracy"))
            if watcher.should_stop():
                raise TrainingCancelled

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            numbers = EpochNumbers(
                epoch=epoch + 1,
                loss=_number(logs, "loss"),
                accuracy=_number(logs, "accuracy"),
                val_loss=_number(logs, "val_loss"),
                val_accuracy=_number(logs, "val_accuracy"),
                seconds=time.perf_counter() - self.epoch_started,
            )
            self.history.append(numbers)
            self._snapshot(epoch + 1)
            watcher.epoch_done(numbers)

        def _snapshot(self, epoch: int) -> None:
            if filter_layer is None:
                return
            layer = self.model.get_layer(filter_layer)
            if self.maps_of is None:
                self.maps_of = keras.Model(self.model.input, layer.output)
            maps = self.maps_of(probe_input, training=False)[0]
            watcher.snapshot(
                epoch,
                np.asarray(layer.get_weights()[0], dtype=np.float32),
                np.asarray(maps, dtype=np.float32),
            )

    return Watch()
