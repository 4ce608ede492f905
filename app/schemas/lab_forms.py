"""The Kernel lab's multipart forms: an image upload and the operation's fields, as text."""

from __future__ import annotations

from typing import Annotated

from fastapi import UploadFile
from pydantic import Field

from app.core.encoding import ColorMode, PixelMapping, PngCompression
from app.core.lab import KernelStep, PoolStep
from app.core.pooling import PoolMode
from app.core.shapes import Padding, PaddingMode, Pair
from app.schemas.form_fields import (
    IMAGE_FILE,
    FormModel,
    KernelText,
    PaddingText,
    PoolSizeText,
    PositionText,
    StridesText,
)
from app.schemas.lab import POOL_MODE_TEXT, POOL_PADDING_TEXT

Strides = Annotated[int | Pair, StridesText]
PaddingField = Annotated[Padding, PaddingText]
Bias = Annotated[float, Field(allow_inf_nan=False, ge=-1e6, le=1e6)]

_KERNEL = (
    "A kernel as JSON: kh x kw, e.g. [[0,-1,0],[-1,5,-1],[0,-1,0]], run on each channel "
    "separately; or kh x kw x C, one filter summed over the C channels as Keras Conv2D does (a "
    "grey picture is read as R = G = B for a 3-channel filter). Give this or kernel_name."
)
_KERNEL_NAME = "A preset from /api/kernels."
_STRIDES = 'An integer ("2") or rows,cols ("2,1").'
_PADDING = '"valid", "same", zero pixels per side ("1") or rows,cols ("1,2").'


class ImageForm(FormModel):
    """What every image endpoint of the lab takes besides its operation."""

    image: UploadFile = Field(description=IMAGE_FILE)
    color: ColorMode = Field(
        default="rgb",
        description='"rgb": the kernel runs on each channel; "gray": on the luma first.',
    )
    mapping: PixelMapping = Field(
        default="auto",
        description="How values become pixels. auto: as they are when all lie in 0..255, "
        "otherwise rescale (min..max onto 0..255).",
    )
    include_input: bool = Field(
        default=False,
        description="Also return the exact 8-bit input the kernel ran on, as PNG.",
    )
    png_compression: PngCompression = Field(
        default="none",
        description="Output PNG: none (stored rows, the fastest, about 3 bytes a pixel) or "
        "deflate (zlib, about half the size, about 30 ms more per megapixel). Both are "
        "lossless.",
    )


class ConvolveImageForm(ImageForm):
    kernel: KernelText = Field(default=None, description=_KERNEL)
    # The example fills in /docs' form, which without one is refused for having no kernel.
    kernel_name: str | None = Field(
        default=None, max_length=64, description=_KERNEL_NAME, examples=["sharpen"]
    )
    strides: Strides = Field(default=1, description=_STRIDES)
    padding: PaddingField = Field(default="valid", description=_PADDING)
    bias: Bias = Field(default=0.0, description="Added to every output value.")
    trace: Annotated[Pair | None, PositionText] = Field(
        default=None, description='Output "row,col" to explain.'
    )

    def kernel_step(self) -> KernelStep:
        return KernelStep(self.kernel, self.kernel_name, self.strides, self.padding, self.bias)


class PoolImageForm(ImageForm):
    pool_size: Annotated[int | Pair, PoolSizeText] = Field(
        default=2, description='Window size: "2" or rows,cols ("2,3").'
    )
    strides: Annotated[int | Pair | None, StridesText] = Field(
        default=None, description="Defaults to pool_size."
    )
    padding: PaddingMode = Field(default="valid", description=POOL_PADDING_TEXT)
    mode: PoolMode = Field(default="max", description=POOL_MODE_TEXT)
    kernel: KernelText = Field(
        default=None, description=f"{_KERNEL} Applied before pooling when given."
    )
    kernel_name: str | None = Field(default=None, max_length=64, description=_KERNEL_NAME)
    conv_strides: Strides = Field(default=1, description=f"The kernel's strides: {_STRIDES}")
    conv_padding: PaddingField = Field(
        default="valid", description=f"The kernel's padding: {_PADDING}"
    )
    conv_bias: Bias = Field(default=0.0, description="Added to every convolution output value.")

    def pool_step(self) -> PoolStep:
        return PoolStep(self.pool_size, self.strides, self.padding, self.mode)

    def kernel_step(self) -> KernelStep | None:
        """The convolution to run first, if a kernel or kernel_name was given."""
        if self.kernel is None and self.kernel_name is None:
            return None
        return KernelStep(
            self.kernel, self.kernel_name, self.conv_strides, self.conv_padding, self.conv_bias
        )
