"""What the model endpoints compute: a prediction, the layers' outputs, the learned filters."""

from __future__ import annotations

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


def forward(loaded: LoadedModel, model_input: FloatArray) -> Forward:
    """Run ``model_input`` (the model's input shape) through the model once, keeping every
    layer's output; the last one is the probabilities, or the logits they come from."""
    outputs = loaded.runner.run(model_input.reshape(loaded.input_shape))
    last = outputs[loaded.runner.layer_names[-1]]
    return Forward(probabilities=_probabilities(loaded, last), outputs=outputs)


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
