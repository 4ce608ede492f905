"""One forward pass that returns every layer's output, fast enough to run per request.

``model.predict`` costs about 110 ms for one image on these machines and ``model(x)`` about
14 ms; both spend nearly all of it in Python and graph dispatch. The registry instead converts
a multi-output extractor (one output per layer) to LiteRT once at load time; one invoke then
takes tens of microseconds and yields all the feature maps together. Should a model not convert
(a custom layer, say), a ``tf.function`` with a fixed input signature is used instead: slower,
but still traced only once.
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import keras

log = logging.getLogger(__name__)

FloatArray = NDArray[np.float32]


class Runner(Protocol):
    """Runs one input of the model's shape; returns each layer's output without the batch axis."""

    kind: str
    layer_names: tuple[str, ...]

    def run(self, x: FloatArray) -> dict[str, FloatArray]: ...

    def classify(self, x: FloatArray) -> FloatArray:
        """The last layer's output alone (the class probabilities), as ``run`` gives it."""
        ...


def feature_extractor(model: keras.Model) -> tuple[keras.Model, tuple[str, ...]]:
    """A model with the same input whose outputs are every layer's output, and their names."""
    import keras

    layers = [layer for layer in model.layers if layer.__class__.__name__ != "InputLayer"]
    # One input tensor, not a list of one: Keras warns when a list-input model gets a tensor.
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    extractor = keras.Model(inputs, [layer.output for layer in layers], name=f"{model.name}_all")
    return extractor, tuple(layer.name for layer in layers)


class LiteRTRunner:
    """The extractor converted to LiteRT (TFLite) and run by its interpreter on one thread."""

    kind = "litert"

    def __init__(self, extractor: keras.Model, layer_names: tuple[str, ...]) -> None:
        import tensorflow as tf
        from ai_edge_litert.interpreter import Interpreter

        converter = tf.lite.TFLiteConverter.from_keras_model(extractor)
        # The converter exports a SavedModel first and prints its whole signature to stdout.
        with contextlib.redirect_stdout(io.StringIO()):
            flatbuffer = converter.convert()
        # One thread: requests already run in parallel, and these models are too small to split.
        self._interpreter = Interpreter(model_content=flatbuffer, num_threads=1)
        self._interpreter.allocate_tensors()
        # The signature maps names to tensor indices; the runner itself is not kept: it resizes
        # and re-allocates the input on every call, and while it lives the interpreter refuses
        # invoke() (it counts the runner's reference to its internals as a raw-data view).
        signature = self._interpreter.get_signature_runner()
        (input_details,) = signature.get_input_details().values()
        outputs = signature.get_output_details()
        del signature
        # The signature names outputs output_0, output_1 ... in the extractor's order.
        order = sorted(outputs, key=lambda name: int(name.rsplit("_", 1)[1]))
        self._input_index: int = input_details["index"]
        self._output_indices: tuple[int, ...] = tuple(outputs[name]["index"] for name in order)
        self.layer_names = layer_names
        self.size_bytes = len(flatbuffer)
        # The interpreter is not thread-safe; an invoke takes microseconds, so a lock is cheap.
        self._lock = threading.Lock()

    def run(self, x: FloatArray) -> dict[str, FloatArray]:
        return dict(zip(self.layer_names, self._invoke(x, self._output_indices), strict=True))

    def classify(self, x: FloatArray) -> FloatArray:
        return self._invoke(x, self._output_indices[-1:])[0]

    def _invoke(self, x: FloatArray, indices: tuple[int, ...]) -> list[FloatArray]:
        """The outputs at ``indices`` for one input, without the batch axis (copies)."""
        batch = x[np.newaxis].astype(np.float32, copy=False)
        with self._lock:
            self._interpreter.set_tensor(self._input_index, batch)
            self._interpreter.invoke()
            outputs = [self._interpreter.get_tensor(index) for index in indices]
        return [np.asarray(output[0], dtype=np.float32) for output in outputs]


class TFFunctionRunner:
    """The extractor called through a ``tf.function`` traced once for a single input."""

    kind = "tf.function"

    def __init__(self, extractor: keras.Model, layer_names: tuple[str, ...]) -> None:
        import tensorflow as tf

        shape = (1, *extractor.inputs[0].shape[1:])
        self._call: Any = tf.function(
            lambda x: extractor(x, training=False),
            input_signature=[tf.TensorSpec(shape, tf.float32)],
            reduce_retracing=True,
        )
        self.layer_names = layer_names

    @property
    def tracing_count(self) -> int:
        """How many times the function was traced: 1, unless something forced a retrace."""
        return int(self._call.experimental_get_tracing_count())

    def run(self, x: FloatArray) -> dict[str, FloatArray]:
        outputs = self._call(x[np.newaxis].astype(np.float32, copy=False))
        if not isinstance(outputs, list | tuple):
            outputs = [outputs]
        return {
            name: np.asarray(output[0], dtype=np.float32)
            for name, output in zip(self.layer_names, outputs, strict=True)
        }

    def classify(self, x: FloatArray) -> FloatArray:
        return self.run(x)[self.layer_names[-1]]


# Above this many parameters a model's own arithmetic outweighs the dispatch LiteRT saves
# (VGG16 at 224x224: 0.40 s a pass with LiteRT, 0.42 s with tf.function), while converting it
# takes seconds (3.7 s for VGG16): big models use tf.function, traced on their first request.
LITERT_MAX_PARAMS = 2_000_000


def build_runner(model: keras.Model) -> Runner:
    """LiteRT when the model is small and converts, else a ``tf.function``; either gives every
    layer."""
    extractor, names = feature_extractor(model)
    if model.count_params() > LITERT_MAX_PARAMS:
        return TFFunctionRunner(extractor, names)
    try:
        return LiteRTRunner(extractor, names)
    except Exception as exc:  # the converter raises many types; any of them means "fall back"
        log.warning("Model %s did not convert to LiteRT (%s); using tf.function.", model.name, exc)
        return TFFunctionRunner(extractor, names)
