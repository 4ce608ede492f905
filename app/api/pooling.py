"""Max and average pooling, on number grids (JSON) and on images (multipart)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Form, Request

from app.api.convolution import (
    BiasField,
    ColorField,
    IncludeInputField,
    KernelNameField,
    KernelText,
    MappingField,
    PaddingField,
    StridesField,
)
from app.api.deps import SettingsDep
from app.api.forms import (
    POOL_SIZE_SCHEMA,
    STRIDES_SCHEMA,
    parse_matrix,
    parse_padding,
    parse_pair,
)
from app.api.images import (
    PNG_RESPONSE,
    ImageUpload,
    PngCompressionField,
    base64_png,
    image_result,
    png_response,
    read_image,
    wants_png,
)
from app.core.convolution import check_input
from app.core.imaging import to_color, to_pixels
from app.core.kernels import resolve_kernel
from app.core.lab import convolve
from app.core.pooling import PoolMode, pool2d
from app.core.shapes import PaddingMode
from app.schemas.lab import PoolImageResponse, PoolMatrixRequest, PoolMatrixResponse

router = APIRouter(prefix="/api", tags=["pooling"])


@router.post("/pool/matrix", response_model=PoolMatrixResponse)
def pool_matrix(body: PoolMatrixRequest) -> dict[str, Any]:
    """Pool a grid of numbers; for max pooling, say which input position won each window."""
    pooled = pool2d(check_input(body.input), body.pool_size, body.strides, body.padding, body.mode)
    return {
        "output": pooled.output.tolist(),
        "output_shape": list(pooled.output.shape),
        "output_size": pooled.geometry.as_dict(),
        "argmax": None if pooled.argmax is None else pooled.argmax.tolist(),
    }


@router.post("/pool", response_model=PoolImageResponse, responses={200: PNG_RESPONSE})
def pool_image(
    request: Request,
    settings: SettingsDep,
    image: ImageUpload,
    pool_size: Annotated[
        str,
        Form(
            json_schema_extra=POOL_SIZE_SCHEMA,
            description='Window size: "2" or rows,cols ("2,3").',
        ),
    ] = "2",
    strides: Annotated[
        str | None,
        Form(json_schema_extra=STRIDES_SCHEMA, description="Defaults to pool_size."),
    ] = None,
    padding: Annotated[
        PaddingMode,
        Form(description='"valid" (no padding) or "same" (Keras rule; padding never counts).'),
    ] = "valid",
    mode: Annotated[
        PoolMode,
        Form(description='"max" keeps the largest value of each window, "average" the mean.'),
    ] = "max",
    color: ColorField = "rgb",
    mapping: MappingField = "auto",
    include_input: IncludeInputField = False,
    png_compression: PngCompressionField = "none",
    kernel: KernelText = None,
    kernel_name: KernelNameField = None,
    conv_strides: StridesField = "1",
    conv_padding: PaddingField = "valid",
    conv_bias: BiasField = 0.0,
) -> Any:
    """Pool an image, optionally after a kernel (kernel or kernel_name): PNG or JSON."""
    size = parse_pair(pool_size, "pool_size")
    pool_strides = None if strides is None else parse_pair(strides, "strides")
    kernel_values = None if kernel is None else parse_matrix(kernel)
    conv_stride_pair = parse_pair(conv_strides, "conv_strides")
    conv_padding_spec = parse_padding(conv_padding)
    decoded = read_image(image, settings)
    pixels = to_color(decoded.pixels, color)
    values = check_input(pixels)
    convolution = None
    if kernel_values is not None or kernel_name is not None:
        channels = 1 if values.ndim == 2 else values.shape[2]
        spec = resolve_kernel(kernel_values, kernel_name, channels)
        result = convolve(values, spec, conv_stride_pair, conv_padding_spec, conv_bias)
        values, convolution = result.output, result.geometry.as_dict()
    pooled = pool2d(values, size, pool_strides, padding, mode, with_argmax=mode == "max")
    shown, pixel_map = to_pixels(pooled.output, mapping)
    if wants_png(request):
        return png_response(shown, pooled.output.shape, pixel_map, png_compression)
    return {
        **image_result(
            shown,
            pooled.output.shape,
            pixel_map,
            pooled.geometry,
            decoded,
            pixels,
            include_input,
            png_compression,
        ),
        "convolution": convolution,
        "winners_image": None
        if pooled.argmax is None
        else base64_png(_winners_mask(pooled.argmax, values.shape[:2]), png_compression),
    }


def _winners_mask(argmax: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    mask = np.zeros(shape[:2], dtype=np.uint8)
    mask[argmax[..., 0].ravel(), argmax[..., 1].ravel()] = 255
    return mask
