"""The layers that keep their input's shape: they change values, not sizes, and hold few weights.

Dropout and BatchNormalization (its 4 numbers per channel are the only weights here); the
activations Activation, ReLU, LeakyReLU and Softmax; and Rescaling, a fixed ``x * scale +
offset``. Named and parameterised as in Keras, like every class of
:mod:`app.core.architecture.layers`, which imports them back into its ``Layer`` union (import
them from there).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from app.core.architecture.layer_spec import (
    LAST_AXIS,
    ActivationName,
    Fraction,
    LastAxis,
    LayerSpec,
    Magnitude,
    NonNegative,
)
from app.errors import N_


class Dropout(LayerSpec):
    __doc__ = N_("zeroes a fraction of values while training")

    type: Literal["Dropout"] = "Dropout"
    keras_name: ClassVar[str] = "dropout"
    rate: Fraction = Field(
        title=N_("Rate"),
        description=N_("Fraction of values set to 0 while training."),
        examples=[0.5],
    )


class BatchNormalization(LayerSpec):
    __doc__ = N_("normalises each channel")

    type: Literal["BatchNormalization"] = "BatchNormalization"
    keras_name: ClassVar[str] = "batch_normalization"
    axis: LastAxis = Field(default=-1, title=N_("Axis"), description=LAST_AXIS)
    momentum: Fraction = Field(
        default=0.99,
        title=N_("Momentum"),
        description=N_("How much of the moving mean and variance each training step keeps."),
    )
    epsilon: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] = Field(
        default=1e-3,
        title=N_("Epsilon (\u03b5)"),
        description=N_(
            "Added to the variance before its square root, so that it never divides by 0."
        ),
    )
    center: bool = Field(
        default=True,
        title=N_("Center (\u03b2)"),
        description=N_("Learn a shift (beta) per channel."),
    )
    scale: bool = Field(
        default=True,
        title=N_("Scale (\u03b3)"),
        description=N_("Learn a scale (gamma) per channel."),
    )


class Activation(LayerSpec):
    __doc__ = N_("a function applied to each value")

    type: Literal["Activation"] = "Activation"
    keras_name: ClassVar[str] = "activation"
    activation: ActivationName = Field(
        title=N_("Activation"),
        description=N_("The function applied to each value."),
        examples=["relu"],
    )


class ReLU(LayerSpec):
    __doc__ = N_("max(x, 0), optionally capped, leaky or thresholded")

    type: Literal["ReLU"] = "ReLU"
    keras_name: ClassVar[str] = "re_lu"
    max_value: NonNegative | None = Field(
        default=None,
        title=N_("Max value"),
        description=N_("The largest output (6: ReLU6); null: none."),
    )
    negative_slope: NonNegative = Field(
        default=0.0,
        title=N_("Negative slope"),
        description=N_("Slope below the threshold; 0: flat."),
    )
    threshold: NonNegative = Field(
        default=0.0,
        title=N_("Threshold"),
        description=N_(
            "Values above it pass unchanged; the rest give negative_slope * (x - this)."
        ),
    )


class LeakyReLU(LayerSpec):
    __doc__ = N_("x, or a small slope times x below 0")

    type: Literal["LeakyReLU"] = "LeakyReLU"
    keras_name: ClassVar[str] = "leaky_re_lu"
    negative_slope: NonNegative = Field(
        default=0.3,
        title=N_("Negative slope"),
        description=N_("Slope below 0: negative_slope * x there."),
    )


class Softmax(LayerSpec):
    __doc__ = N_("turns each position's values into probabilities")

    type: Literal["Softmax"] = "Softmax"
    keras_name: ClassVar[str] = "softmax"
    axis: LastAxis = Field(default=-1, title=N_("Axis"), description=LAST_AXIS)


class Rescaling(LayerSpec):
    __doc__ = N_("x * scale + offset, e.g. pixels 0..255 to 0..1")

    type: Literal["Rescaling"] = "Rescaling"
    keras_name: ClassVar[str] = "rescaling"
    scale: Magnitude = Field(
        title=N_("Scale"), description=N_("Each value is multiplied by it."), examples=[1 / 255]
    )
    offset: Magnitude = Field(
        default=0.0,
        title=N_("Offset"),
        description=N_("Added after scaling (-1 with 1/127.5: -1..1)."),
    )
