"""DeepDream: a photo changed, by gradient ascent, to excite chosen layers of a model more.

As Mordvintsev et al.'s DeepDream and TensorFlow's tutorial of it do: the objective is the sum
over the chosen layers of the mean of their outputs; each step moves the image along the
gradient divided by its standard deviation, times ``step_size`` (a fraction of the input's
value range); the image is processed at ``octaves`` sizes, from the smallest (the photo divided
by ``octave_scale`` once per octave) up to the photo's own, so that patterns grow at several
scales.

Our models take one input size, so the gradient of an image larger than it is taken tile by
tile (tiles of the model's input size; the image padded by reflection to whole tiles), after a
seeded random roll of the whole image, as the tutorial's tiled version does, so that tile seams
move every step. An octave smaller than the input is enlarged to it. The traced function takes
a batch of tiles of the model's input shape: one trace per model and layer set.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from app.core.model_input import scale_pixels, unscale_pixels
from app.errors import InvalidParameter
from app.ml.loaded import LoadedModel
from app.ml.patterns_graph import pixel_bounds

FloatArray = NDArray[np.float32]
MAX_OCTAVES, DEFAULT_OCTAVES = 6, 3
MAX_STEPS, DEFAULT_STEPS = 100, 20
MAX_STEP_SIZE, DEFAULT_STEP_SIZE = 0.1, 0.01
DEFAULT_OCTAVE_SCALE = 1.4
MAX_SIDE, DEFAULT_SIDE = 512, 256
MAX_LAYERS = 4
# Layer values computed by one dream, all steps and tiles together: a VGG16-size model at
# 224x224 for 3 octaves of 20 steps is about 2.5e9.
MAX_WORK_VALUES = 20_000_000_000
TILES_PER_CALL = 4


@dataclass(frozen=True)
class DreamPlan:
    layers: tuple[str, ...]
    octaves: int
    octave_scale: float
    steps: int
    step_size: float
    side: int
    seed: int
    sizes: tuple[tuple[int, int], ...]  # (height, width) of each octave, smallest first
    work_values: int


def plan_deepdream(
    loaded: LoadedModel,
    photo_shape: tuple[int, int],
    layers: tuple[str, ...] | None,
    octaves: int = DEFAULT_OCTAVES,
    octave_scale: float = DEFAULT_OCTAVE_SCALE,
    steps: int = DEFAULT_STEPS,
    step_size: float = DEFAULT_STEP_SIZE,
    side: int = DEFAULT_SIDE,
    seed: int = 0,
) -> DreamPlan:
    """The request checked against the model and the photo's (height, width), with the work
    it will take; :class:`InvalidParameter` saying what would do instead."""
    if loaded.metadata.input.preprocessing != "image":
        raise InvalidParameter(
            "DeepDream changes a photo; model {model!r} reads digits (28x28, white on "
            "black). Use a model that takes photos, such as a colour model, or ask for its "
            "class dreams (GET /api/models/{{id}}/dreams).",
            model=loaded.id,
        )
    maps = [layer.name for layer in loaded.layers if len(layer.output_shape) == 3]
    maps = [name for name in maps if loaded.layer(name).type != "InputLayer"]
    if not maps:
        raise InvalidParameter(
            "Model {model!r} has no layer with feature maps to dream.", model=loaded.id
        )
    chosen = layers or (maps[-1],)
    unknown = [name for name in chosen if name not in maps]
    if unknown or len(chosen) > MAX_LAYERS:
        params = {"limit": MAX_LAYERS, "model": loaded.id, "maps": ", ".join(maps)}
        if unknown:
            raise InvalidParameter(
                "layers must be 1 to {limit} of the layers with feature maps of model {model!r}: "
                "{maps}; {unknown} is not one.",
                unknown=", ".join(map(repr, unknown)),
                **params,
            )
        raise InvalidParameter(
            "layers must be 1 to {limit} of the layers with feature maps of model {model!r}: "
            "{maps}.",
            **params,
        )
    height, width = photo_shape
    fit = side / max(height, width)
    full = (max(1, round(height * fit)), max(1, round(width * fit)))
    sizes = tuple(
        (max(1, round(full[0] / octave_scale**k)), max(1, round(full[1] / octave_scale**k)))
        for k in reversed(range(octaves))
    )
    tile_h, tile_w, _ = loaded.input_shape
    per_tile = sum(math.prod(layer.output_shape) for layer in loaded.layers)
    tiles = sum(
        math.ceil(max(h, tile_h) / tile_h) * math.ceil(max(w, tile_w) / tile_w) for h, w in sizes
    )
    work = tiles * steps * per_tile * 3  # a forward and a backward pass per tile and step
    if work > MAX_WORK_VALUES:
        raise InvalidParameter(
            "This dream computes {work:,} layer values ({tiles} tiles of {height}x{width} over "
            "{octaves} octaves, {steps} steps each); one dream computes at most {limit:,}. Ask "
            "for fewer steps or octaves, or a smaller side.",
            work=work,
            tiles=tiles,
            height=tile_h,
            width=tile_w,
            octaves=octaves,
            steps=steps,
            limit=MAX_WORK_VALUES,
        )
    return DreamPlan(
        layers=tuple(chosen),
        octaves=octaves,
        octave_scale=octave_scale,
        steps=steps,
        step_size=step_size,
        side=side,
        seed=seed,
        sizes=sizes,
        work_values=work,
    )


@dataclass(frozen=True)
class Dream:
    picture: NDArray[np.uint8]  # the dream, (H, W) or (H, W, 3), at the last octave's size
    start: NDArray[np.uint8]  # the photo at that size, as the dream began
    objective: float  # the objective of the dream, mean over its tiles
    start_objective: float  # the same for the photo


def deepdream(
    loaded: LoadedModel,
    photo: NDArray[np.uint8],
    plan: DreamPlan,
    progress: Callable[[float], None] = lambda fraction: None,
) -> Dream:
    """Dream ``photo`` (uint8, ``(H, W, C)`` with the model's channels) as ``plan`` says;
    ``progress`` is told the fraction done after every step (and may raise to stop)."""
    functions = _functions(loaded, plan.layers)
    scale = loaded.metadata.input.scale
    low, high = pixel_bounds(loaded)
    step = plan.step_size * float(np.max(high - low))
    rng = np.random.default_rng(plan.seed)
    start = _resized(photo, plan.sizes[-1])
    x = scale_pixels(_resized(photo, plan.sizes[0]), scale)
    done, total = 0, plan.steps * len(plan.sizes)
    for size in plan.sizes:
        x = _resized_values(x, size)
        for _ in range(plan.steps):
            shift = (int(rng.integers(0, size[0])), int(rng.integers(0, size[1])))
            gradient = _tiled(functions.gradient, np.roll(x, shift, axis=(0, 1)), loaded)
            gradient = np.roll(gradient, (-shift[0], -shift[1]), axis=(0, 1))
            x = np.clip(x + step * gradient / (gradient.std() + 1e-8), low, high)
            done += 1
            progress(done / total)
    picture = unscale_pixels(x.astype(np.float32), scale)
    return Dream(
        picture=picture,
        start=start[..., 0] if start.shape[2] == 1 else start,
        objective=_objective(functions, x, loaded),
        start_objective=_objective(functions, scale_pixels(start, scale), loaded),
    )


def _resized(picture: NDArray[np.uint8], size: tuple[int, int]) -> NDArray[np.uint8]:
    height, width = size
    shrinking = height * width < picture.shape[0] * picture.shape[1]
    method = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    resized = cv2.resize(picture, (width, height), interpolation=method)
    return np.asarray(resized, dtype=np.uint8).reshape(height, width, picture.shape[2])


def _resized_values(x: FloatArray, size: tuple[int, int]) -> FloatArray:
    if x.shape[:2] == size:
        return x
    height, width = size
    resized = cv2.resize(x, (width, height), interpolation=cv2.INTER_LINEAR)
    return resized.reshape(height, width, x.shape[2]).astype(np.float32)


def _tiles(x: FloatArray, loaded: LoadedModel) -> tuple[FloatArray, tuple[int, int]]:
    """``x`` padded by reflection to whole tiles of the model's input: ``(n, th, tw, C)`` and
    the (rows, columns) of tiles."""
    tile_h, tile_w, channels = loaded.input_shape
    rows = math.ceil(x.shape[0] / tile_h)
    cols = math.ceil(x.shape[1] / tile_w)
    pad = ((0, rows * tile_h - x.shape[0]), (0, cols * tile_w - x.shape[1]), (0, 0))
    # Reflection needs 2 pixels a side; a 1-pixel-wide octave repeats its edge instead.
    padded = np.pad(x, pad, mode="reflect") if min(x.shape[:2]) > 1 else np.pad(x, pad, mode="edge")
    tiles = padded.reshape(rows, tile_h, cols, tile_w, channels).swapaxes(1, 2)
    return tiles.reshape(rows * cols, tile_h, tile_w, channels), (rows, cols)


def _tiled(function: Any, x: FloatArray, loaded: LoadedModel) -> FloatArray:
    tile_h, tile_w, channels = loaded.input_shape
    tiles, (rows, cols) = _tiles(x, loaded)
    found = np.concatenate(
        [
            np.asarray(function(tiles[n : n + TILES_PER_CALL]))
            for n in range(0, len(tiles), TILES_PER_CALL)
        ]
    )
    whole = found.reshape(rows, cols, tile_h, tile_w, channels).swapaxes(1, 2)
    return whole.reshape(rows * tile_h, cols * tile_w, channels)[: x.shape[0], : x.shape[1]]


def _objective(functions: _Functions, x: FloatArray, loaded: LoadedModel) -> float:
    tiles, _ = _tiles(x, loaded)
    return float(np.mean(np.asarray(functions.objective(tiles))))


@dataclass(frozen=True)
class _Functions:
    gradient: Any  # tiles (n, H, W, C) -> d objective / d tiles, each tile on its own
    objective: Any  # tiles -> (n,) the objective of each tile


def _build(loaded: LoadedModel, layers: tuple[str, ...]) -> _Functions:
    import keras
    import tensorflow as tf

    model = loaded.model
    extractor = keras.Model(model.input, [model.get_layer(name).output for name in layers])
    signature = [tf.TensorSpec((None, *loaded.input_shape), tf.float32)]

    def objective(tiles: Any) -> Any:
        outputs = extractor(tiles, training=False)
        outputs = outputs if isinstance(outputs, list | tuple) else [outputs]
        return tf.add_n([tf.reduce_mean(out, axis=[1, 2, 3]) for out in outputs])

    def gradient(tiles: Any) -> Any:
        with tf.GradientTape() as tape:
            tape.watch(tiles)
            total = tf.reduce_sum(objective(tiles))
        return tape.gradient(total, tiles)

    return _Functions(
        gradient=tf.function(gradient, input_signature=signature),
        objective=tf.function(objective, input_signature=signature),
    )


_BUILT: weakref.WeakKeyDictionary[Any, dict[tuple[str, ...], _Functions]] = (
    weakref.WeakKeyDictionary()
)
_LOCK = threading.Lock()


def _functions(loaded: LoadedModel, layers: tuple[str, ...]) -> _Functions:
    with _LOCK:
        per_model = _BUILT.setdefault(loaded.model, {})
        if layers not in per_model:
            per_model[layers] = _build(loaded, layers)
        return per_model[layers]
