"""Kernel presets and convolution, on number grids (JSON) and on images (multipart)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request

from app.api.deps import SettingsDep
from app.api.forms import (
    PADDING_SCHEMA,
    POSITION_SCHEMA,
    STRIDES_SCHEMA,
    parse_matrix,
    parse_padding,
    parse_pair,
    parse_position,
)
from app.api.images import (
    PNG_RESPONSE,
    ImageUpload,
    PngCompressionField,
    image_result,
    png_response,
    read_image,
    wants_png,
)
from app.core.convolution import check_input
from app.core.imaging import ColorMode, PixelMapping, to_color, to_pixels
from app.core.kernels import KERNEL_PRESETS, resolve_kernel
from app.core.lab import convolve
from app.errors import InvalidParameter
from app.schemas.lab import (
    MAX_JSON_OUTPUT_VALUES,
    ConvolveImageResponse,
    ConvolveMatrixRequest,
    ConvolveMatrixResponse,
    KernelPresetOut,
)

router = APIRouter(prefix="/api", tags=["convolution"])

KernelText = Annotated[
    str | None,
    Form(
        max_length=20_000,
        description="A 2-D kernel as JSON, e.g. [[0,-1,0],[-1,5,-1],[0,-1,0]]. Give this or "
        "kernel_name.",
    ),
]
KernelNameField = Annotated[
    str | None, Form(max_length=64, description="A preset from /api/kernels.")
]
StridesField = Annotated[
    str,
    Form(
        json_schema_extra=STRIDES_SCHEMA,
        description='An integer ("2") or rows,cols ("2,1").',
    ),
]
PaddingField = Annotated[
    str,
    Form(
        json_schema_extra=PADDING_SCHEMA,
        description='"valid", "same", zero pixels per side ("1") or rows,cols ("1,2").',
    ),
]
BiasField = Annotated[
    float,
    Form(allow_inf_nan=False, ge=-1e6, le=1e6, description="Added to every output value."),
]
ColorField = Annotated[
    ColorMode,
    Form(description='"rgb": the kernel runs on each channel; "gray": on the luma first.'),
]
MappingField = Annotated[
    PixelMapping,
    Form(
        description="How values become pixels. auto: as they are when all lie in 0..255, "
        "otherwise rescale (min..max onto 0..255)."
    ),
]
IncludeInputField = Annotated[
    bool, Form(description="Also return the exact 8-bit input the kernel ran on, as PNG.")
]
TraceField = Annotated[
    str | None,
    Form(
        json_schema_extra=POSITION_SCHEMA,
        description='Output "row,col" to explain.',
    ),
]


@router.get("/kernels", response_model=list[KernelPresetOut])
def list_kernels() -> list[dict[str, object]]:
    """The named kernel presets with their matrices and a one-line explanation."""
    return [preset.as_dict() for preset in KERNEL_PRESETS.values()]


@router.post("/convolve/matrix", response_model=ConvolveMatrixResponse)
def convolve_matrix(body: ConvolveMatrixRequest) -> dict[str, Any]:
    """Convolve a grid of numbers and explain any output position."""
    inputs = check_input(body.input)
    spec = resolve_kernel(body.kernel, body.kernel_name, 1 if inputs.ndim == 2 else inputs.shape[2])
    result = convolve(inputs, spec, body.strides, body.padding, body.bias, body.trace)
    if result.output.size > MAX_JSON_OUTPUT_VALUES:
        raise InvalidParameter(
            f"The output would hold {result.output.size:,} numbers "
            f"({' x '.join(map(str, result.output.shape))}); at most {MAX_JSON_OUTPUT_VALUES:,} "
            "are returned as JSON. Use fewer filters, a larger stride, or POST /api/convolve "
            "for images."
        )
    return {
        "output": result.output.tolist(),
        "output_shape": list(result.output.shape),
        "kernel_shape": spec.kernel.shape,
        "kernel_kind": spec.kernel.kind,
        "output_size": result.geometry.as_dict(),
        "trace": result.trace,
    }


@router.post(
    "/convolve",
    response_model=ConvolveImageResponse,
    responses={200: PNG_RESPONSE},
)
def convolve_image(
    request: Request,
    settings: SettingsDep,
    image: ImageUpload,
    kernel: KernelText = None,
    kernel_name: KernelNameField = None,
    strides: StridesField = "1",
    padding: PaddingField = "valid",
    bias: BiasField = 0.0,
    color: ColorField = "rgb",
    mapping: MappingField = "auto",
    include_input: IncludeInputField = False,
    png_compression: PngCompressionField = "none",
    trace: TraceField = None,
) -> Any:
    """Apply a kernel to an image: PNG with `Accept: image/png`, else JSON with the numbers."""
    kernel_values = None if kernel is None else parse_matrix(kernel)
    stride_pair = parse_pair(strides, "strides")
    padding_spec = parse_padding(padding)
    trace_at = None if trace is None else parse_position(trace)
    decoded = read_image(image, settings)
    pixels = to_color(decoded.pixels, color)
    inputs = check_input(pixels)
    spec = resolve_kernel(kernel_values, kernel_name, 1 if inputs.ndim == 2 else inputs.shape[2])
    result = convolve(inputs, spec, stride_pair, padding_spec, bias, trace_at)
    shown, pixel_map = to_pixels(result.output, mapping)
    if wants_png(request):
        return png_response(shown, result.output.shape, pixel_map, png_compression)
    return {
        **image_result(
            shown,
            result.output.shape,
            pixel_map,
            result.geometry,
            decoded,
            pixels,
            include_input,
            png_compression,
        ),
        "kernel": spec.kernel.weights[:, :, 0, 0].tolist(),
        "trace": result.trace,
    }
