"""What the model endpoints compute: a prediction, the layers' outputs, the learned filters."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.ml.loaded import LoadedModel

FloatArray = NDArray[np.float32]


@dataclass(frozen=True)
class Forward:
    """One forward pass: the class probabilities and every layer's output."""

    probabilities: FloatArray
    outputs: dict[str, FloatArray]

    @property
    def label_index(self) -> int:
        return int(np.argmax(self.probabilities))


class ForwardCache:
    """The latest forward passes of big models, by model and exact input, within a byte budget.

    The Explorer asks for a big network's layers one at a time as they scroll into view; each
    asks with the same photo, so the pass (0.4 s for VGG16 at 224x224) runs once, not 19 times.
    """

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self._entries: OrderedDict[tuple[str, bytes], Forward] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, model_id: str, digest: bytes) -> Forward | None:
        with self._lock:
            found = self._entries.get((model_id, digest))
            if found is not None:
                self._entries.move_to_end((model_id, digest))
            return found

    def put(self, model_id: str, digest: bytes, result: Forward) -> None:
        with self._lock:
            self._entries[(model_id, digest)] = result
            while self._entries and self._size() > self.budget_bytes:
                self._entries.popitem(last=False)

    def _size(self) -> int:
        return sum(
            sum(output.nbytes for output in entry.outputs.values())
            for entry in self._entries.values()
        )


# Models whose layers hold fewer values than this answer in microseconds: not worth a cache.
CACHED_FROM_VALUES = 1_000_000
FORWARD_CACHE = ForwardCache(budget_bytes=256 * 1024 * 1024)


def forward(loaded: LoadedModel, model_input: FloatArray) -> Forward:
    """Run ``model_input`` (the model's input shape) through the model once, keeping every
    layer's output; the last one is the probabilities, or the logits they come from."""
    x = np.ascontiguousarray(model_input.reshape(loaded.input_shape), dtype=np.float32)
    cached = loaded.activation_values >= CACHED_FROM_VALUES
    digest = hashlib.blake2b(x.tobytes(), digest_size=16).digest() if cached else b""
    if cached and (hit := FORWARD_CACHE.get(loaded.id, digest)) is not None:
        return hit
    outputs = loaded.runner.run(x)
    last = outputs[loaded.runner.layer_names[-1]]
    result = Forward(probabilities=_probabilities(loaded, last), outputs=outputs)
    if cached:
        FORWARD_CACHE.put(loaded.id, digest, result)
    return result


def classify(loaded: LoadedModel, model_input: FloatArray) -> FloatArray:
    """The class probabilities for ``model_input`` (the model's input shape): the last layer."""
    return _probabilities(loaded, loaded.runner.classify(model_input.reshape(loaded.input_shape)))


def _probabilities(loaded: LoadedModel, last: FloatArray) -> FloatArray:
    """Softmax of logits, ``exp(z - max z) / sum exp(z - max z)``; probabilities as they are."""
    if loaded.output == "probabilities":
        return last
    shifted = np.exp(last.astype(np.float64) - float(np.max(last)))
    probabilities: FloatArray = (shifted / shifted.sum()).astype(np.float32)
    return probabilities


def resolve_layers(loaded: LoadedModel, names: str | None) -> list[str]:
    """``"conv1, pool1"`` -> those layers in network order; None or blank -> every layer."""
    if names is None or not names.strip():
        return [layer.name for layer in loaded.layers]
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    for name in wanted:
        loaded.layer(name)  # raises UnknownResource listing the layers
    return [layer.name for layer in loaded.layers if layer.name in wanted]


def channels_first(output: FloatArray) -> FloatArray:
    """``(H, W, C)`` -> ``(C, H, W)``: one map per channel, as the pages show them."""
    return np.ascontiguousarray(np.moveaxis(output, -1, 0))


def filter_grid(kernel: FloatArray, cell: int = 8, gap: int = 2) -> FloatArray:
    """Kernels ``(kh, kw, in, out)`` laid out as one picture: a column per filter, a row per
    input channel, each weight drawn ``cell`` pixels wide, ``gap`` pixels of NaN between them.
    """
    kh, kw, channels, filters = kernel.shape
    height = channels * (kh * cell + gap) - gap
    width = filters * (kw * cell + gap) - gap
    grid = np.full((height, width), np.nan, dtype=np.float32)
    for c in range(channels):
        for f in range(filters):
            top, left = c * (kh * cell + gap), f * (kw * cell + gap)
            block = np.kron(kernel[:, :, c, f], np.ones((cell, cell), dtype=np.float32))
            grid[top : top + kh * cell, left : left + kw * cell] = block
    return grid
