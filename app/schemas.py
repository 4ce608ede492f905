"""Pydantic request and response models: strict, bounded, finite."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.convolution import MAX_FILTERS, MAX_KERNEL_SIZE
from app.core.pooling import MAX_POOL_SIZE
from app.core.shapes import MAX_EXPLICIT_PADDING

MAX_MATRIX_SIDE = 256
MAX_MATRIX_CHANNELS = 16
MAX_ABS_VALUE = 1e9
MAX_JSON_OUTPUT_VALUES = 1_048_576

Value = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_ABS_VALUE, le=MAX_ABS_VALUE)]
Row = Annotated[list[Value], Field(min_length=1, max_length=MAX_MATRIX_SIDE)]
Pixel = Annotated[list[Value], Field(min_length=1, max_length=MAX_MATRIX_CHANNELS)]
Row3 = Annotated[list[Pixel], Field(min_length=1, max_length=MAX_MATRIX_SIDE)]
Matrix2D = Annotated[list[Row], Field(min_length=1, max_length=MAX_MATRIX_SIDE)]
Matrix3D = Annotated[list[Row3], Field(min_length=1, max_length=MAX_MATRIX_SIDE)]

KValue = Annotated[float, Field(allow_inf_nan=False, ge=-1e6, le=1e6)]
KRow = Annotated[list[KValue], Field(min_length=1, max_length=MAX_KERNEL_SIZE)]
KDepth = Annotated[list[KValue], Field(min_length=1, max_length=MAX_MATRIX_CHANNELS)]
KFilters = Annotated[list[KValue], Field(min_length=1, max_length=MAX_FILTERS)]
KChannels = Annotated[list[KFilters], Field(min_length=1, max_length=MAX_MATRIX_CHANNELS)]
Kernel2D = Annotated[list[KRow], Field(min_length=1, max_length=MAX_KERNEL_SIZE)]
Kernel3D = Annotated[
    list[Annotated[list[KDepth], Field(min_length=1, max_length=MAX_KERNEL_SIZE)]],
    Field(min_length=1, max_length=MAX_KERNEL_SIZE),
]
Kernel4D = Annotated[
    list[Annotated[list[KChannels], Field(min_length=1, max_length=MAX_KERNEL_SIZE)]],
    Field(min_length=1, max_length=MAX_KERNEL_SIZE),
]

Stride = Annotated[int, Field(ge=1, le=64)]
Strides = Stride | Annotated[list[Stride], Field(min_length=2, max_length=2)]
PadAmount = Annotated[int, Field(ge=0, le=MAX_EXPLICIT_PADDING)]
PadPair = Annotated[list[PadAmount], Field(min_length=2, max_length=2)]
PaddingSpec = Literal["valid", "same"] | PadAmount | PadPair
PoolSide = Annotated[int, Field(ge=1, le=MAX_POOL_SIZE)]
PoolSize = PoolSide | Annotated[list[PoolSide], Field(min_length=2, max_length=2)]
PositionIndex = Annotated[int, Field(ge=0, le=1_000_000)]
Position = Annotated[list[PositionIndex], Field(min_length=2, max_length=2)]
KernelName = Annotated[str, Field(min_length=1, max_length=64, examples=["sobel_left"])]

NumberGrid = list[list[float]] | list[list[list[float]]]


class Strict(BaseModel):
    """A request body: unknown fields are refused, and so are values of the wrong JSON type.

    Strict mode keeps ``"2"`` from passing as the number 2 and ``true`` as the stride 1; an
    integer still passes where a float is expected.
    """

    model_config = ConfigDict(extra="forbid", strict=True)


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorResponse(BaseModel):
    detail: str = Field(description="What was wrong, what was expected, and how to fix it.")
    errors: list[ErrorItem] | None = Field(
        default=None, description="For malformed requests: each field that failed validation."
    )


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    kernel_presets: int


class KernelPresetOut(BaseModel):
    name: str
    label: str
    matrix: list[list[float]]
    explanation: str
    combine: Literal["single", "magnitude"] = Field(
        description='"magnitude": the output is sqrt(Gx^2 + Gy^2) with Gx = matrix and '
        "Gy = matrix_y."
    )
    matrix_y: list[list[float]] | None


class AxisSizeOut(BaseModel):
    axis: Literal["rows", "cols"]
    input: int
    window: int
    stride: int
    pad_before: int
    pad_after: int
    pad_total: int
    output: int = Field(description="floor((input - window + pad_total) / stride) + 1")
    divides_evenly: bool
    unreached: int = Field(description="Padded rows/cols at the end that no window reaches.")
    formula: str
    explanation: str


class OutputSize(BaseModel):
    rows: AxisSizeOut
    cols: AxisSizeOut


class ContributionOut(BaseModel):
    input_channel: int
    window: list[list[float]]
    kernel: list[list[float]]
    products: list[list[float]]
    sum: float


class ChannelTraceOut(BaseModel):
    output_channel: int
    contributions: list[ContributionOut]
    sum: float
    bias: float
    output: float


class GradientTraceOut(BaseModel):
    gradient_y: list[ChannelTraceOut] = Field(description="The Gy terms; `channels` holds Gx.")
    magnitude: list[float] = Field(description="sqrt(Gx^2 + Gy^2) + bias, per output channel.")


class TraceOut(BaseModel):
    position: list[int]
    window_origin: list[int] = Field(
        description="Input (row, col) of the window's top-left cell; negative inside padding."
    )
    in_padding: list[list[bool]]
    channels: list[ChannelTraceOut]
    gradient: GradientTraceOut | None = None


class ConvolveMatrixRequest(Strict):
    input: Matrix2D | Matrix3D = Field(
        description="H x W or H x W x C numbers.",
        examples=[[[1, 0, 1, 1, 0, 1], [0, 1, 0, 0, 1, 0], [0, 1, 1, 1, 1, 0],
                   [0, 1, 1, 1, 1, 0], [1, 0, 1, 1, 0, 1], [1, 1, 0, 0, 1, 1]]],
    )
    kernel: Kernel2D | Kernel3D | Kernel4D | None = Field(
        default=None,
        description="kh x kw (each channel separately), kh x kw x C (one summed map) or "
        "kh x kw x C x K (K filters). Give this or kernel_name.",
        examples=[[[0.06, 0.13, 0.06], [0.13, 0.25, 0.13], [0.06, 0.13, 0.06]]],
    )
    kernel_name: KernelName | None = Field(default=None, description="A preset from /api/kernels.")
    strides: Strides = 1
    padding: PaddingSpec = Field(
        default="valid",
        description='"valid" (none), "same" (Keras rule), or zero pixels per side: n or '
        "[rows, cols].",
    )
    bias: Annotated[float, Field(allow_inf_nan=False, ge=-1e6, le=1e6)] = 0.0
    trace: Position | None = Field(default=None, description="Output [row, col] to explain.")


class ConvolveMatrixResponse(BaseModel):
    output: NumberGrid
    output_shape: list[int]
    kernel_shape: list[int]
    kernel_kind: Literal["depthwise", "summed", "filters"] = Field(
        description="depthwise: a 2-D kernel on each channel; summed: one kh x kw x C filter; "
        "filters: K filters."
    )
    output_size: OutputSize
    trace: TraceOut | None


class PoolMatrixRequest(Strict):
    input: Matrix2D | Matrix3D = Field(
        examples=[[[110, 256, 153, 67], [12, 89, 88, 43], [10, 15, 50, 55], [23, 9, 49, 23]]]
    )
    pool_size: PoolSize = 2
    strides: Strides | None = Field(default=None, description="Defaults to pool_size.")
    padding: Literal["valid", "same"] = "valid"
    mode: Literal["max", "average"] = "max"


class PoolMatrixResponse(BaseModel):
    output: NumberGrid
    output_shape: list[int]
    output_size: OutputSize
    argmax: list[list[list[int]]] | list[list[list[list[int]]]] | None = Field(
        description="Max mode: input [row, col] of each window's winner (per channel for 3-D)."
    )


class InputInfo(BaseModel):
    width: int
    height: int
    channels: int
    format: str
    mode: str
    notes: list[str]


class PixelMapOut(BaseModel):
    mapping: Literal["identity", "clip", "rescale", "absolute"]
    value_min: float
    value_max: float
    description: str


class ImageResult(BaseModel):
    image: str = Field(description="The output as a base64-encoded PNG.")
    media_type: Literal["image/png"] = "image/png"
    output_shape: list[int]
    value_range: list[float]
    pixel_map: PixelMapOut
    output_size: OutputSize
    input: InputInfo
    input_image: str | None = Field(
        default=None, description="With include_input: the exact 8-bit input used, as PNG."
    )


class ConvolveImageResponse(ImageResult):
    kernel: list[list[float]]
    trace: TraceOut | None = None


class PoolImageResponse(ImageResult):
    convolution: OutputSize | None = Field(
        default=None, description="The convolution's arithmetic, when a kernel was applied first."
    )
    winners_image: str | None = Field(
        default=None,
        description="Max mode: a PNG mask, as large as the pooled input, white where a pixel "
        "won its window (in any channel).",
    )


class Sample(BaseModel):
    name: str
    title: str
    url: str
    width: int
    height: int
    mode: str
    licence: str
