"""The traced functions behind patterns and dreams: built once per (model, target), then reused.

A target is a layer (its units) or :data:`~app.ml.patterns_plan.CLASS_SCORES`. For each, two
``tf.function`` with fixed input signatures, traced when built (``tracing_counts`` stays 1):

- ``measure(x)``: ``x`` ``(n, H, W, C)`` -> ``reported`` and ``objective``, ``(n, k)`` each, one
  value per unit (``k`` filters of a layer with feature maps, averaged over the map; ``k``
  units of a vector; ``k`` classes). ``reported`` is what the pages show: the layer's output,
  or the class probabilities. ``objective`` is what the ascent climbs: for a ``Conv2D`` or
  ``Dense`` with a built-in activation, its pre-activation ``z`` (computed from the layer's own
  kernel and bias), so that a unit a ReLU holds at 0 at the start still has a gradient; for the
  classes, the class score before the softmax (as :mod:`app.ml.explain_graph` finds it);
  otherwise the layer's output.
- ``step(x, units, shift, step_size, blur)``: one ascent step for a batch, image ``i`` climbing
  the objective of unit ``units[i]``::

      g    = roll(d objective_i / d x', -shift)   where x' = roll(x, shift)   (jitter)
      x   <- x + step_size * g / rms(g)
      x   <- (1 - blur) x + blur * (x blurred by the 3x3 binomial kernel [1 2 1]^T [1 2 1] / 16)
      x   <- clip(x, low, high)                    (per channel: pixels 0 and 255 in the scale)

  returning the new ``x`` and ``objective_i`` of ``x'``.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.core.model_input import scale_pixels
from app.ml.explain_graph import _score_head
from app.ml.loaded import LoadedModel
from app.ml.patterns_plan import CLASS_SCORES

FloatArray = NDArray[np.float32]
PRE_ACTIVATION_LAYERS = ("Conv2D", "Dense")


def pixel_bounds(loaded: LoadedModel) -> tuple[FloatArray, FloatArray]:
    """Pixel values 0 and 255 in the model's scale, per channel ``(C,)``: an input's range."""
    channels = loaded.input_shape[2]
    ends = np.array([[[0] * channels, [255] * channels]], dtype=np.uint8)
    scaled = scale_pixels(ends, loaded.metadata.input.scale).reshape(2, channels)
    return scaled.min(axis=0), scaled.max(axis=0)


class AscentFunctions:
    """``measure`` and ``step`` of one target (see the module docstring), traced once."""

    def __init__(self, loaded: LoadedModel, target: str) -> None:
        import tensorflow as tf

        self._tf = tf
        measure = _measure(loaded, target)
        low, high = (tf.constant(bound) for bound in pixel_bounds(loaded))
        channels = loaded.input_shape[2]
        binomial = np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0]) / 16.0
        blur_kernel = tf.constant(
            np.tile(binomial[:, :, None, None], (1, 1, channels, 1)), dtype=tf.float32
        )

        def blurred(x: Any) -> Any:
            padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
            return tf.nn.depthwise_conv2d(padded, blur_kernel, [1, 1, 1, 1], "VALID")

        def step(x: Any, units: Any, shift: Any, step_size: Any, blur: Any) -> Any:
            shifted = tf.roll(x, shift, axis=[1, 2])
            with tf.GradientTape() as tape:
                tape.watch(shifted)
                _, objective = measure(shifted)
                chosen = tf.gather(objective, units, axis=1, batch_dims=1)
            gradients = tf.roll(tape.gradient(chosen, shifted), -shift, axis=[1, 2])
            rms = tf.sqrt(tf.reduce_mean(tf.square(gradients), axis=[1, 2, 3], keepdims=True))
            x = x + step_size * gradients / (rms + 1e-12)
            x = (1.0 - blur) * x + blur * blurred(x)
            return tf.clip_by_value(x, low, high), chosen

        images = tf.TensorSpec((None, *loaded.input_shape), tf.float32)
        scalar = tf.TensorSpec((), tf.float32)
        self._measure = tf.function(measure, input_signature=[images])
        self._step = tf.function(
            step,
            input_signature=[
                images,
                tf.TensorSpec((None,), tf.int32),
                tf.TensorSpec((2,), tf.int32),
                scalar,
                scalar,
            ],
        )
        self._measure.get_concrete_function()
        self._step.get_concrete_function()

    def measure(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``reported`` and ``objective`` ``(n, k)`` of the batch ``x`` ``(n, H, W, C)``."""
        reported, objective = self._measure(np.asarray(x, dtype=np.float32))
        return np.asarray(reported), np.asarray(objective)

    def step(
        self,
        x: Any,
        units: NDArray[np.int32],
        shift: NDArray[np.int32],
        step_size: float,
        blur: float,
    ) -> tuple[Any, Any]:
        """One ascent step (see the module docstring); ``x`` stays a tensor between steps."""
        moved, objective = self._step(x, units, shift, np.float32(step_size), np.float32(blur))
        return moved, objective

    def tracing_counts(self) -> dict[str, int]:
        return {
            "measure": int(self._measure.experimental_get_tracing_count()),
            "step": int(self._step.experimental_get_tracing_count()),
        }


def _measure(loaded: LoadedModel, target: str) -> Any:
    """``x -> (reported, objective)`` for ``target`` (see the module docstring)."""
    import keras
    import tensorflow as tf

    model = loaded.model
    inputs = model.inputs[0]
    if target == CLASS_SCORES:
        score_tensor, to_scores = _score_head(loaded)
        head = keras.Model(inputs, [score_tensor, model.outputs[0]])
        logits = loaded.output == "logits"

        def class_scores(x: Any) -> Any:
            before, outputs = head(x, training=False)
            probabilities = tf.nn.softmax(outputs, axis=-1) if logits else outputs
            return probabilities, to_scores(before)

        return class_scores

    layer = model.get_layer(target)
    per_unit = _per_unit(len(loaded.layer(target).output_shape))
    if _has_activation(layer):
        into = keras.Model(inputs, layer.input)
        pre_activation = _pre_activation(layer)

        def layer_units(x: Any) -> Any:
            z = pre_activation(into(x, training=False))
            return per_unit(layer.activation(z)), per_unit(z)

        return layer_units
    out = keras.Model(inputs, layer.output)

    def layer_output(x: Any) -> Any:
        values = per_unit(out(x, training=False))
        return values, values

    return layer_output


def _per_unit(rank: int) -> Any:
    import tensorflow as tf

    if rank == 3:
        return lambda values: tf.reduce_mean(values, axis=[1, 2])
    return lambda values: values


def _has_activation(layer: Any) -> bool:
    import keras

    if layer.__class__.__name__ not in PRE_ACTIVATION_LAYERS:
        return False
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        return False
    activation = getattr(layer, "activation", None)
    return activation is not None and activation is not keras.activations.linear


def _pre_activation(layer: Any) -> Any:
    """``h -> z``: the layer without its activation (``h W + b``, or the convolution plus bias)."""
    import tensorflow as tf

    def pre_activation(inputs: Any) -> Any:
        if layer.__class__.__name__ == "Dense":
            z = tf.matmul(inputs, layer.kernel)
        else:
            z = layer.convolution_op(inputs, layer.kernel)
        return z + layer.bias if layer.use_bias else z

    return pre_activation


class ModelAscents:
    """The ascent functions of one model, one per target, built on first use."""

    def __init__(self) -> None:
        # Never the Keras model (the cache below is keyed by it): only the functions, which
        # keep its layers.
        self._lock = threading.Lock()
        self._functions: dict[str, AscentFunctions] = {}

    def functions(self, loaded: LoadedModel, target: str) -> AscentFunctions:
        with self._lock:
            if target not in self._functions:
                self._functions[target] = AscentFunctions(loaded, target)
            return self._functions[target]

    def tracing_counts(self) -> dict[str, int]:
        return {
            f"{name}[{target}]": count
            for target, functions in self._functions.items()
            for name, count in functions.tracing_counts().items()
        }


_ASCENTS: weakref.WeakKeyDictionary[Any, ModelAscents] = weakref.WeakKeyDictionary()
_ASCENTS_LOCK = threading.Lock()


def model_ascents(loaded: LoadedModel) -> ModelAscents:
    """The ascent functions of ``loaded``'s Keras model, built once per (model, target)."""
    with _ASCENTS_LOCK:
        found = _ASCENTS.get(loaded.model)
        if found is None:
            found = _ASCENTS[loaded.model] = ModelAscents()
        return found


def ascent_functions(loaded: LoadedModel, target: str) -> AscentFunctions:
    """The traced ``measure`` and ``step`` of ``target`` in ``loaded``."""
    return model_ascents(loaded).functions(loaded, target)
