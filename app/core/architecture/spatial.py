"""The layers that work on an image's height and width: convolutions, poolings and padding.

Conv2D, DepthwiseConv2D and SeparableConv2D slide filters over the image; MaxPooling2D and
AveragePooling2D slide a window that has no weights; GlobalAveragePooling2D and
GlobalMaxPooling2D reduce each channel to one value; ZeroPadding2D adds rows and columns of
zeros. Each needs an image-shaped input ``[height, width, channels]``. Named and parameterised as
in Keras, like every class of :mod:`app.core.architecture.layers`, which imports them back into
its ``Layer`` union (import them from there).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from app.core.architecture.layer_spec import (
    ACTIVATION,
    KEEPDIMS,
    KERNEL,
    PADDING,
    STRIDES,
    USE_BIAS,
    ActivationName,
    DepthMultiplier,
    LayerSpec,
    PoolStrides,
    Strides,
    Units,
    Window,
    ZeroPadding,
)
from app.core.shapes import PaddingMode
from app.errors import N_


class Conv2D(LayerSpec):
    __doc__ = N_("filters slide over the input")

    type: Literal["Conv2D"] = "Conv2D"
    keras_name: ClassVar[str] = "conv2d"
    filters: Units = Field(
        title=N_("Filters"), description=N_("How many filters, i.e. output channels."), examples=[8]
    )
    kernel_size: Window = Field(title=N_("Kernel"), description=KERNEL, examples=[3])
    strides: Strides = Field(default=1, title=N_("Strides"), description=STRIDES)
    padding: PaddingMode = Field(default="valid", title=N_("Padding"), description=PADDING)
    use_bias: bool = Field(default=True, title=N_("Bias"), description=USE_BIAS)
    activation: ActivationName | None = Field(
        default=None, title=N_("Activation"), description=ACTIVATION
    )


class DepthwiseConv2D(LayerSpec):
    __doc__ = N_("one filter per input channel")

    type: Literal["DepthwiseConv2D"] = "DepthwiseConv2D"
    keras_name: ClassVar[str] = "depthwise_conv2d"
    kernel_size: Window = Field(title=N_("Kernel"), description=KERNEL, examples=[3])
    strides: Strides = Field(default=1, title=N_("Strides"), description=STRIDES)
    padding: PaddingMode = Field(default="valid", title=N_("Padding"), description=PADDING)
    depth_multiplier: DepthMultiplier = Field(
        default=1,
        title=N_("Depth multiplier"),
        description=N_("Filters per input channel: output channels = C_in * this."),
    )
    use_bias: bool = Field(default=True, title=N_("Bias"), description=USE_BIAS)
    activation: ActivationName | None = Field(
        default=None, title=N_("Activation"), description=ACTIVATION
    )


class SeparableConv2D(LayerSpec):
    __doc__ = N_("a depthwise convolution, then 1x1 filters that mix its channels")

    type: Literal["SeparableConv2D"] = "SeparableConv2D"
    keras_name: ClassVar[str] = "separable_conv2d"
    filters: Units = Field(
        title=N_("Filters"),
        description=N_("How many 1x1 filters, i.e. output channels."),
        examples=[8],
    )
    kernel_size: Window = Field(title=N_("Kernel"), description=KERNEL, examples=[3])
    strides: Strides = Field(default=1, title=N_("Strides"), description=STRIDES)
    padding: PaddingMode = Field(default="valid", title=N_("Padding"), description=PADDING)
    depth_multiplier: DepthMultiplier = Field(
        default=1,
        title=N_("Depth multiplier"),
        description=N_("Depthwise filters per input channel, before the 1x1 filters mix them."),
    )
    use_bias: bool = Field(default=True, title=N_("Bias"), description=USE_BIAS)
    activation: ActivationName | None = Field(
        default=None, title=N_("Activation"), description=ACTIVATION
    )


class _Pooling2D(LayerSpec):
    """The settings MaxPooling2D and AveragePooling2D share, as Keras orders them."""

    pool_size: Window = Field(default=2, title=N_("Pool size"), description=KERNEL)
    strides: PoolStrides = Field(
        default=None, title=N_("Strides"), description=N_("Window step; null: the pool_size.")
    )
    padding: PaddingMode = Field(default="valid", title=N_("Padding"), description=PADDING)


class MaxPooling2D(_Pooling2D):
    __doc__ = N_("keeps the largest value of each window")

    type: Literal["MaxPooling2D"] = "MaxPooling2D"
    keras_name: ClassVar[str] = "max_pooling2d"


class AveragePooling2D(_Pooling2D):
    __doc__ = N_("averages each window")

    type: Literal["AveragePooling2D"] = "AveragePooling2D"
    keras_name: ClassVar[str] = "average_pooling2d"


class GlobalAveragePooling2D(LayerSpec):
    __doc__ = N_("one average per channel")

    type: Literal["GlobalAveragePooling2D"] = "GlobalAveragePooling2D"
    keras_name: ClassVar[str] = "global_average_pooling2d"
    keepdims: bool = Field(default=False, title=N_("Keep 1\u00d71"), description=KEEPDIMS)


class GlobalMaxPooling2D(LayerSpec):
    __doc__ = N_("one maximum per channel")

    type: Literal["GlobalMaxPooling2D"] = "GlobalMaxPooling2D"
    keras_name: ClassVar[str] = "global_max_pooling2d"
    keepdims: bool = Field(default=False, title=N_("Keep 1\u00d71"), description=KEEPDIMS)


class ZeroPadding2D(LayerSpec):
    __doc__ = N_("adds rows and columns of zeros")

    type: Literal["ZeroPadding2D"] = "ZeroPadding2D"
    keras_name: ClassVar[str] = "zero_padding2d"
    padding: ZeroPadding = Field(
        default=1,
        title=N_("Zeros"),
        description=N_("Zeros per side: n, [rows, cols] or [[top, bottom], [left, right]]."),
    )
