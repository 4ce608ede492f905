"""The traced TensorFlow functions behind the explanations: built once per model, then reused.

Three kinds of function, each a ``tf.function`` with a fixed input signature, traced when it is
built, so that no request ever traces (``tracing_counts`` stays 1 each):

- ``input_gradients(x, c)``: ``x`` ``(n, H, W, C)`` -> ``d y^c / d x`` ``(n, H, W, C)`` and
  ``y^c`` ``(n,)`` (saliency, SmoothGrad, integrated gradients; the batch axis is ``None`` in
  the signature, so any number of noisy copies or path points runs through the one trace);
- ``layer_gradients[layer](x, c)``: ``x`` ``(1, H, W, C)`` -> the layer's feature maps ``A``
  ``(1, h, w, k)``, ``d y^c / d A`` of the same shape, and ``y^c`` ``(1,)`` (Grad-CAM and
  Grad-CAM++), one per layer asked for;
- ``probabilities(x, c)``: ``x`` ``(n, H, W, C)`` -> the class probability ``p_c`` ``(n,)``
  (occlusion).

``y^c`` is the class score before the softmax (Selvaraju et al.): for a model that ends in a
softmax ``Dense``, its pre-activation ``z = h W + b`` (computed here from the layer's own kernel
and bias, ``h`` being the Dense's input); for a ``Softmax`` or ``Activation("softmax")`` layer,
that layer's input; for a model that gives logits, its output.

The fast runner (:mod:`app.ml.inference`) keeps serving predict; these are for explanations
only, and are kept while their Keras model lives (a deleted import frees them).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from app.errors import InvalidParameter
from app.ml.loaded import LoadedModel

if TYPE_CHECKING:
    import keras

FloatArray = NDArray[np.float32]
SOFTMAX_LAYERS = ("Softmax", "Activation")


class ModelGradients:
    """The traced functions of one model (see the module docstring), built on first use."""

    def __init__(self, loaded: LoadedModel) -> None:
        import keras
        import tensorflow as tf

        self._tf = tf
        model = loaded.model
        self._input_spec = tf.TensorSpec((None, *loaded.input_shape), tf.float32)
        self._one_spec = tf.TensorSpec((1, *loaded.input_shape), tf.float32)
        self._class_spec = tf.TensorSpec((), tf.int32)
        self._inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
        self._score_tensor, self._to_scores = _score_head(loaded)
        self._score_model = keras.Model(self._inputs, self._score_tensor)
        # The model itself is not kept (only its layers and tensors are): the cache below holds
        # this object as long as the model lives, and a reference to the model would keep both.
        self._probability_model = keras.Model(self._inputs, model.outputs[0])
        self._layers = {layer.name: layer for layer in model.layers}
        self._logits = loaded.output == "logits"
        self._lock = threading.Lock()
        self._layer_functions: dict[str, Any] = {}
        self._input_function: Any = None
        self._probability_function: Any = None

    def input_gradients(self, x: FloatArray, class_index: int) -> tuple[FloatArray, FloatArray]:
        """``d y^c / d x`` for each input of the batch ``x`` ``(n, H, W, C)``, and ``y^c``."""
        function = self._input_function or self._build_input_function()
        gradients, scores = function(x.astype(np.float32, copy=False), np.int32(class_index))
        return np.asarray(gradients), np.asarray(scores)

    def layer_gradients(
        self, layer: str, x: FloatArray, class_index: int
    ) -> tuple[FloatArray, FloatArray, float]:
        """The feature maps ``A`` ``(h, w, k)`` of ``layer`` for one input ``x`` ``(H, W, C)``,
        ``d y^c / d A`` ``(h, w, k)``, and ``y^c``."""
        function = self._layer_functions.get(layer) or self._build_layer_function(layer)
        batch = x[np.newaxis].astype(np.float32, copy=False)
        maps, gradients, scores = function(batch, np.int32(class_index))
        return np.asarray(maps)[0], np.asarray(gradients)[0], float(np.asarray(scores)[0])

    def probabilities(self, x: FloatArray, class_index: int) -> FloatArray:
        """The probability of class ``class_index`` for each input of the batch ``x``."""
        function = self._probability_function or self._build_probability_function()
        return np.asarray(function(x.astype(np.float32, copy=False), np.int32(class_index)))

    def tracing_counts(self) -> dict[str, int]:
        """How often each function built so far was traced: 1 each, unless something retraced."""
        counts = {f"layer_gradients[{name}]": f for name, f in self._layer_functions.items()}
        if self._input_function is not None:
            counts["input_gradients"] = self._input_function
        if self._probability_function is not None:
            counts["probabilities"] = self._probability_function
        return {name: int(f.experimental_get_tracing_count()) for name, f in counts.items()}

    def _build_input_function(self) -> Any:
        tf = self._tf
        score_model, to_scores = self._score_model, self._to_scores

        def input_gradients(x: Any, class_index: Any) -> Any:
            with tf.GradientTape() as tape:
                tape.watch(x)
                scores = to_scores(score_model(x, training=False))[:, class_index]
            return tape.gradient(scores, x), scores

        with self._lock:
            if self._input_function is None:
                self._input_function = self._traced(input_gradients, self._input_spec)
        return self._input_function

    def _build_layer_function(self, layer: str) -> Any:
        with self._lock:
            if layer not in self._layer_functions:
                self._layer_functions[layer] = self._layer_function(layer)
        return self._layer_functions[layer]

    def _layer_function(self, layer: str) -> Any:
        import keras

        tf = self._tf
        to_scores = self._to_scores
        feature_model = keras.Model(self._inputs, [self._layers[layer].output, self._score_tensor])

        def layer_gradients(x: Any, class_index: Any) -> Any:
            with tf.GradientTape() as tape:
                maps, head = feature_model(x, training=False)
                scores = to_scores(head)[:, class_index]
            gradients = tape.gradient(
                scores, maps, unconnected_gradients=tf.UnconnectedGradients.ZERO
            )
            return maps, gradients, scores

        return self._traced(layer_gradients, self._one_spec)

    def _build_probability_function(self) -> Any:
        tf = self._tf
        model, logits = self._probability_model, self._logits

        def probabilities(x: Any, class_index: Any) -> Any:
            outputs = model(x, training=False)
            return (tf.nn.softmax(outputs, axis=-1) if logits else outputs)[:, class_index]

        with self._lock:
            if self._probability_function is None:
                self._probability_function = self._traced(probabilities, self._input_spec)
        return self._probability_function

    def _traced(self, python_function: Callable[..., Any], input_spec: Any) -> Any:
        """``python_function`` as a ``tf.function`` of (input, class index), traced now."""
        function = self._tf.function(
            python_function, input_signature=[input_spec, self._class_spec]
        )
        function.get_concrete_function()
        return function


def _score_head(loaded: LoadedModel) -> tuple[Any, Callable[[Any], Any]]:
    """The tensor the class scores come from, and how they follow from it (see the module
    docstring)."""
    model = loaded.model
    if loaded.output == "logits":
        return model.outputs[0], _identity
    last = model.layers[-1]
    kind = last.__class__.__name__
    if kind in SOFTMAX_LAYERS:
        return last.input, _identity
    if kind == "Dense":
        return last.input, _dense_pre_activation(last)
    raise InvalidParameter(
        'Model {model!r} ends in a {kind} layer "{layer}" with a softmax inside it; '
        "the explanations read the class scores before the softmax and find them only in a "
        "Dense, Softmax or Activation layer. Explain a model that ends in one of those.",
        model=loaded.id,
        kind=kind,
        layer=last.name,
    )


def _identity(scores: Any) -> Any:
    return scores


def _dense_pre_activation(layer: keras.layers.Dense) -> Callable[[Any], Any]:
    """``h -> h W + b``: the Dense layer without its softmax."""
    import tensorflow as tf

    def pre_activation(inputs: Any) -> Any:
        z = tf.matmul(inputs, layer.kernel)
        return z + layer.bias if layer.use_bias else z

    return pre_activation


_GRADIENTS: weakref.WeakKeyDictionary[Any, ModelGradients] = weakref.WeakKeyDictionary()
_GRADIENTS_LOCK = threading.Lock()


def model_gradients(loaded: LoadedModel) -> ModelGradients:
    """The traced functions of ``loaded``'s Keras model, built once per model."""
    with _GRADIENTS_LOCK:
        found = _GRADIENTS.get(loaded.model)
        if found is None:
            found = _GRADIENTS[loaded.model] = ModelGradients(loaded)
        return found
