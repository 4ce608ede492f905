"""fit_stack's options for the shipped recipes: named held-out images, a decaying learning rate,
op determinism; their defaults leave a training job as it was."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.architecture.layers import Dense, Flatten, Input
from app.ml.fit import AUGMENT, EpochNumbers, FitOptions, Probe, fit_stack

pytestmark = pytest.mark.keras

STACK = (
    Input(shape=(8, 8, 1), name="input"),
    Flatten(name="flatten"),
    Dense(units=3, activation="softmax", name="output"),
)


class Quiet:
    def __init__(self) -> None:
        self.probe: Probe | None = None

    def started(self, batches: int, filter_layer: str | None, probe: Probe) -> None:
        self.probe = probe

    def snapshot(self, epoch: int, kernel: np.ndarray, maps: np.ndarray) -> None:
        pass

    def batch_done(self, epoch: int, batch: int, loss: float, accuracy: float) -> None:
        pass

    def epoch_done(self, numbers: EpochNumbers) -> None:
        pass

    def should_stop(self) -> bool:
        return False


def options(**changes: object) -> FitOptions:
    settings: dict[str, object] = {
        "epochs": 2,
        "batch_size": 16,
        "learning_rate": 0.01,
        "optimizer": "adam",
        "validation_split": 0.2,
        "augment": False,
        "flips": False,
        "seed": 4,
    }
    return FitOptions(**(settings | changes))  # type: ignore[arg-type]


def arrays() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (60, 8, 8, 1), dtype=np.uint8), rng.integers(0, 3, 60)


def test_a_job_s_options_keep_their_defaults() -> None:
    plain = options()
    assert plain.learning_rate_decay == 1.0 and not plain.deterministic
    assert plain.augmentation == AUGMENT


def test_named_held_out_images_replace_the_seeded_split() -> None:
    x, y = arrays()
    watcher = Quiet()
    fitted = fit_stack(STACK, x, y.astype(np.int32), options(), watcher, val_at=np.arange(50, 60))

    np.testing.assert_array_equal(fitted.val_at, np.arange(50, 60))
    assert fitted.train_images == 50 and fitted.val_images == 10
    assert watcher.probe is not None and watcher.probe.label == int(y[50])


def test_the_learning_rate_decays_by_the_factor_after_each_epoch() -> None:
    x, y = arrays()
    fitted = fit_stack(
        STACK, x, y.astype(np.int32), options(learning_rate_decay=0.5), Quiet(), val_at=None
    )
    optimizer = fitted.model.optimizer
    # 48 training images in batches of 16: 3 steps an epoch, 6 after two epochs.
    assert int(optimizer.iterations) == 6
    assert float(optimizer.learning_rate) == pytest.approx(0.01 * 0.5**2)
