"""What the layers that keep their input's shape do: the tensor passes through as it was.

Dropout, BatchNormalization, Activation, ReLU, LeakyReLU, Softmax and Rescaling change values,
not sizes, so each function here returns the :class:`Result` of
:func:`app.core.architecture.ops.apply` with the input :class:`Tensor` unchanged (shape,
receptive field, depth); what differs is the settings text, the function written out, and the
parameters: only BatchNormalization has any (per channel: gamma and beta, learned unless turned
off, and the moving mean and variance, which are not).
"""

from __future__ import annotations

from app.core.architecture.layers import (
    Activation,
    BatchNormalization,
    Dropout,
    LeakyReLU,
    ReLU,
    Rescaling,
    Softmax,
)
from app.core.architecture.tensor import Result, Tensor, Words, shape_text
from app.errors import N_

UNCHANGED = Words(N_("unchanged"))


def dropout(layer: Dropout, tensor: Tensor) -> Result:
    rate = layer.rate
    return Result(
        tensor,
        f"rate {rate:g}",
        Words(
            N_("unchanged: while training, {rate:.0%} of the values are set to 0 -> {shape}"),
            rate=rate,
            shape=shape_text(tensor.shape),
        ),
        UNCHANGED,
        params_formula=Words(N_("0: dropout has no weights")),
    )


def batch_norm(layer: BatchNormalization, tensor: Tensor) -> Result:
    channels = tensor.shape[-1]
    learned = [name for name, on in (("gamma", layer.scale), ("beta", layer.center)) if on]
    per_channel = len(learned) + 2
    trainable = len(learned) * channels
    params = per_channel * channels
    kept = (
        Words(
            N_("{learned}: {trainable:,} trainable; "),
            learned=", ".join(learned),
            trainable=trainable,
        )
        if learned
        else ""
    )
    # Keras's defaults (momentum 0.99, epsilon 0.001) go unsaid, as a Conv2D's bias does.
    changed = [
        f"{key} {value:g}"
        for key, value, default in (
            ("momentum", layer.momentum, 0.99),
            ("epsilon", layer.epsilon, 1e-3),
        )
        if value != default
    ]
    return Result(
        tensor,
        ", ".join(
            changed
            + [f"no {n}" for n, on in (("center", layer.center), ("scale", layer.scale)) if not on]
        ),
        Words(
            N_("unchanged: each of the {channels} channels is normalised -> {shape}"),
            channels=channels,
            shape=shape_text(tensor.shape),
        ),
        UNCHANGED,
        params=params,
        trainable=trainable,
        params_formula=Words(
            N_(
                "{per_channel}*{channels} = {params:,} ({kept}moving mean, variance: "
                "{moving:,} non-trainable)"
            ),
            per_channel=per_channel,
            channels=channels,
            params=params,
            kept=kept,
            moving=2 * channels,
        ),
        param_kind="norm",
        macs_formula=Words(N_("0: normalising scales and shifts; no multiply-accumulates counted")),
    )


def activation(layer: Activation, tensor: Tensor) -> Result:
    return Result(
        tensor,
        layer.activation,
        Words(
            N_("unchanged: {function} of each value -> {shape}"),
            function=layer.activation,
            shape=shape_text(tensor.shape),
        ),
        UNCHANGED,
    )


def activation_layer(layer: ReLU | LeakyReLU | Softmax, tensor: Tensor) -> Result:
    """Each value through a function; the shape, receptive field and weights stay as they were."""
    count = tensor.shape[-1]
    warnings: tuple[str, ...] = ()
    match layer:
        case ReLU():
            settings, function = _relu_text(layer)
        case LeakyReLU():
            slope = layer.negative_slope
            settings, function = f"negative_slope {slope:g}", f"x if x >= 0, else {slope:g}*x"
        case Softmax():
            settings = ""
            function = (
                Words(
                    N_(
                        "exp(x) / the sum of exp over the last axis, so the {count:,} values "
                        "add up to 1"
                    ),
                    count=count,
                )
                if len(tensor.shape) == 1
                else Words(
                    N_(
                        "exp(x) / the sum of exp over the last axis, so the {count:,} values at "
                        "each position add up to 1"
                    ),
                    count=count,
                )
            )
            if count == 1:
                warnings = (
                    Words(
                        N_(
                            "Softmax over a last axis of 1 value gives 1 everywhere: it has "
                            "nothing to compare. Put it after a layer with one unit or channel "
                            "per class."
                        )
                    ),
                )
    return Result(
        tensor,
        settings,
        Words(
            N_("unchanged: {function} -> {shape}"),
            function=function,
            shape=shape_text(tensor.shape),
        ),
        UNCHANGED,
        params_formula=Words(N_("0: an activation has no weights")),
        macs_formula=Words(
            N_("0: an activation compares or exponentiates; no multiply-accumulates")
        ),
        warnings=warnings,
    )


def _relu_text(layer: ReLU) -> tuple[str, str]:
    """ReLU's settings that are not Keras's defaults, and its function written out."""
    cap, slope, threshold = layer.max_value, layer.negative_slope, layer.threshold
    changed = [f"max_value {cap:g}"] if cap is not None else []
    changed += [f"negative_slope {slope:g}"] if slope else []
    changed += [f"threshold {threshold:g}"] if threshold else []
    if slope == 0 and threshold == 0:
        function = "max(x, 0)" if cap is None else f"min(max(x, 0), {cap:g})"
    else:
        shifted = f"(x - {threshold:g})" if threshold else "x"
        below = f"{slope:g}*{shifted}" if slope else "0"
        function = f"x if x > {threshold:g}, else {below}"  # Keras: x at the threshold gives 0
        function += f"; at most {cap:g}" if cap is not None else ""
    return ", ".join(changed), function


def rescaling(layer: Rescaling, tensor: Tensor) -> Result:
    scale, offset = layer.scale, layer.offset
    shift = f" + {offset:g}" if offset > 0 else f" - {-offset:g}" if offset < 0 else ""
    return Result(
        tensor,
        f"scale {scale:g}" + (f", offset {offset:g}" if offset else ""),
        Words(
            N_("unchanged: x*{scale:g}{shift} for each value -> {shape}"),
            scale=scale,
            shift=shift,
            shape=shape_text(tensor.shape),
        ),
        UNCHANGED,
        params_formula=Words(N_("0: scale and offset are fixed settings, not learned weights")),
        macs_formula=Words(N_("0: a fixed scale and shift; no multiply-accumulates counted")),
    )
