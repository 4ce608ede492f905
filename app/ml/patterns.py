"""What a unit has learned, and what a class looks like to the model: activation maximisation.

Each unit (a filter of a layer with feature maps, a unit of a vector, or a class score for a
"dream") gets its own input, found by gradient ascent on its objective
(:mod:`app.ml.patterns_graph`): it starts at the model's mid-grey (pixel value 128 in its
scale) plus Gaussian noise of ``START_NOISE`` times the scale's range, seeded by the request's
seed and the unit's number, so the same request gives the same picture, whichever other units
it asks for. Each of ``steps`` steps moves every pixel by ``STEP_FRACTION`` of the range (the
gradient divided by its root mean square), after shifting the image by up to ``jitter`` pixels
(the same seeded shifts for every unit), blurs it by ``blur``, and clips it to the pixels'
range.

Each unit's pattern comes with the dataset images that excite it most, where the model has a
dataset here: for digit models, the 20 MNIST test digits the app ships in ``static/digits``
(two of each class), not the whole test set, which the app does not hold; for a model trained
here, :data:`DATASET_IMAGES` images spread evenly through its dataset, while that is stored.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from app.core.encoding import encode_png
from app.core.model_input import scale_pixels
from app.errors import ConvLensError
from app.ml.loaded import LoadedModel
from app.ml.patterns_graph import AscentFunctions, ascent_functions, pixel_bounds
from app.ml.patterns_plan import AscentPlan, plan_dreams, plan_patterns

__all__ = ["AscentPlan", "DigitSet", "UnitPattern", "find_patterns", "plan_dreams"]
__all__ += ["dataset_images", "plan_patterns", "shipped_digits"]

FloatArray = NDArray[np.float32]
START_NOISE = 0.05
DATASET_IMAGES = 200
STEP_FRACTION = 0.02
TOP_IMAGES = 5
MID_GREY = 128
# A batch of images through the traced functions holds at most about this much.
BATCH_BYTES = 64 * 1024 * 1024
GRADIENT_BYTES_PER_VALUE = 3 * 4
DIGITS_FOLDER = "digits"


@dataclass(frozen=True)
class DigitSet:
    """The MNIST test digits shipped in ``static/digits``: 28x28 grey pictures, white on black."""

    names: tuple[str, ...]
    labels: tuple[str, ...]
    urls: tuple[str, ...]
    pictures: NDArray[np.uint8]


@dataclass(frozen=True)
class DatasetMatch:
    name: str
    label: str
    url: str
    activation: float


@dataclass(frozen=True)
class UnitPattern:
    """One unit's pattern ``(H, W, C)`` in the model's scale, its start, and their values:
    ``activation`` (the layer's output, or the class probability) and ``objective`` (what was
    climbed); ``reported`` and ``objectives`` are every unit's ``(k,)`` at the pattern."""

    unit: int
    image: FloatArray
    start: FloatArray
    activation: float
    start_activation: float
    objective: float
    start_objective: float
    reported: FloatArray
    objectives: FloatArray
    top_images: tuple[DatasetMatch, ...] | None


def find_patterns(
    loaded: LoadedModel,
    plan: AscentPlan,
    digits: DigitSet | None = None,
    start: FloatArray | None = None,
) -> list[UnitPattern]:
    """The pattern of each of ``plan.units`` (see the module docstring); with ``digits``, for a
    digit model, the ``TOP_IMAGES`` digits that excite each unit most. With ``start`` (an input
    as the model takes it), every unit's ascent starts from it instead of seeded noise: what
    would make this drawing more of each class?"""
    functions = ascent_functions(loaded, plan.target)
    units = np.asarray(plan.units, dtype=np.int32)
    if start is None:
        starts = start_images(loaded, plan.seed, plan.units)
    else:
        starts = np.repeat(start[np.newaxis].astype(np.float32), len(units), axis=0)
    low, high = pixel_bounds(loaded)
    step_size = STEP_FRACTION * float(np.max(high - low))
    shifts = np.random.default_rng([plan.seed, 0]).integers(
        -plan.jitter, plan.jitter + 1, (plan.steps, 2), dtype=np.int32
    )
    batch = _batch_size(loaded)
    images = np.empty_like(starts)
    for first in range(0, len(units), batch):
        chosen = slice(first, first + batch)
        x = starts[chosen]
        for shift in shifts:
            x, _ = functions.step(x, units[chosen], shift, step_size, plan.blur)
        images[chosen] = np.asarray(x)
    start_reported, start_objective = _measured(functions, starts, batch)
    reported, objective = _measured(functions, images, batch)
    matches = None
    if digits is not None and plan.kind != "classes":
        scale = loaded.metadata.input.scale
        shape = loaded.input_shape
        inputs = np.stack([scale_pixels(p.reshape(shape), scale) for p in digits.pictures])
        matches = _measured(functions, inputs, batch)[0]
    return [
        UnitPattern(
            unit=int(unit),
            image=images[n],
            start=starts[n],
            activation=float(reported[n, unit]),
            start_activation=float(start_reported[n, unit]),
            objective=float(objective[n, unit]),
            start_objective=float(start_objective[n, unit]),
            reported=reported[n],
            objectives=objective[n],
            top_images=None
            if matches is None or digits is None
            else _top(digits, matches[:, unit]),
        )
        for n, unit in enumerate(plan.units)
    ]


def start_images(loaded: LoadedModel, seed: int, units: tuple[int, ...]) -> FloatArray:
    """Each unit's start ``(len(units), H, W, C)``: mid-grey plus its own seeded noise."""
    height, width, channels = loaded.input_shape
    grey = np.full((1, 1, channels), MID_GREY, dtype=np.uint8)
    mid = scale_pixels(grey, loaded.metadata.input.scale).reshape(1, 1, channels)
    low, high = pixel_bounds(loaded)
    sigma = START_NOISE * float(np.max(high - low))
    starts = np.stack(
        [
            mid
            + np.random.default_rng([seed, 1, unit]).normal(0.0, sigma, (height, width, channels))
            for unit in units
        ]
    )
    bounded: FloatArray = np.clip(starts, low, high).astype(np.float32)
    return bounded


def dataset_images(
    data_dir: Path, dataset_id: str, classes: list[str], limit: int = 0
) -> DigitSet | None:
    """Up to ``limit`` (default :data:`DATASET_IMAGES`) images spread evenly through a stored
    dataset, each with a data URL; None when the dataset is no longer stored."""
    from app.ml import dataset_store

    try:
        x, y = dataset_store.load_arrays(data_dir, dataset_id)
    except (ConvLensError, OSError):  # removed to make room since, or never here
        return None
    count = min(len(x), limit or DATASET_IMAGES)
    at = np.unique(np.linspace(0, len(x) - 1, count).round().astype(np.int64))
    pictures = x[at]
    urls = tuple(
        "data:image/png;base64,"
        + base64.b64encode(encode_png(p[..., 0] if p.shape[2] == 1 else p, "deflate")).decode()
        for p in pictures
    )
    return DigitSet(
        names=tuple(f"{dataset_id} #{int(i)}" for i in at),
        labels=tuple(classes[int(y[i])] for i in at),
        urls=urls,
        pictures=pictures,
    )


@cache
def shipped_digits(static_dir: Path) -> DigitSet:
    """The digits listed in ``static_dir/digits/digits.json``, read once."""
    folder = static_dir / DIGITS_FOLDER
    entries = json.loads((folder / "digits.json").read_text())
    pictures = np.stack(
        [np.asarray(Image.open(folder / f"{entry['name']}.png").convert("L")) for entry in entries]
    )
    return DigitSet(
        names=tuple(entry["name"] for entry in entries),
        labels=tuple(entry["label"] for entry in entries),
        urls=tuple(entry["url"] for entry in entries),
        pictures=pictures,
    )


def _top(digits: DigitSet, activations: FloatArray) -> tuple[DatasetMatch, ...]:
    order = np.argsort(-activations, kind="stable")[:TOP_IMAGES]
    return tuple(
        DatasetMatch(
            name=digits.names[n],
            label=digits.labels[n],
            url=digits.urls[n],
            activation=float(activations[n]),
        )
        for n in order
    )


def _measured(
    functions: AscentFunctions, images: FloatArray, batch: int
) -> tuple[FloatArray, FloatArray]:
    found = [functions.measure(images[n : n + batch]) for n in range(0, len(images), batch)]
    return np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])


def _batch_size(loaded: LoadedModel) -> int:
    per_image = max(1, loaded.activation_values * GRADIENT_BYTES_PER_VALUE)
    return max(1, BATCH_BYTES // per_image)
