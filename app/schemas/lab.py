"""Request and response models of the Kernel lab: convolution, pooling, samples."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from app.core.convolution import MAX_FILTERS, MAX_KERNEL_SIZE, KernelKind
from app.core.kernels import Combine
from app.core.lab import KernelStep, PoolStep
from app.core.pooling import MAX_POOL_SIZE, PoolMode
from app.core.shapes import MAX_EXPLICIT_PADDING, PaddingMode
from app.schemas.common import Strict
from app.schemas.form_fields import NamesAcceptedFields
from app.schemas.grids import Grid, GridShape, checked_as, documented_as

MAX_MATRIX_SIDE = 256
MAX_MATRIX_CHANNELS = 16
MAX_ABS_VALUE = 1e9

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

# The grid fields: validated in a few bulk passes (app.schemas.grids), documented as above.
INPUT_GRID = GridShape(
    (2, 3), (MAX_MATRIX_SIDE, MAX_MATRIX_SIDE, MAX_MATRIX_CHANNELS), MAX_ABS_VALUE
)
KERNEL_GRID = GridShape(
    (2, 3, 4), (MAX_KERNEL_SIZE, MAX_KERNEL_SIZE, MAX_MATRIX_CHANNELS, MAX_FILTERS), 1e6
)
InputGrid = Annotated[Grid, checked_as(INPUT_GRID), documented_as(Matrix2D | Matrix3D)]
KernelGrid = Annotated[Grid, checked_as(KERNEL_GRID), documented_as(Kernel2D | Kernel3D | Kernel4D)]

Stride = Annotated[int, Field(ge=1, le=64)]
Strides = Stride | Annotated[list[Stride], Field(min_length=2, max_length=2)]
PadAmount = Annotated[int, Field(ge=0, le=MAX_EXPLICIT_PADDING)]
PadPair = Annotated[list[PadAmount], Field(min_length=2, max_length=2)]
PaddingSpec = PaddingMode | PadAmount | PadPair
PoolSide = Annotated[int, Field(ge=1, le=MAX_POOL_SIZE)]
PoolSize = PoolSide | Annotated[list[PoolSide], Field(min_length=2, max_length=2)]
PositionIndex = Annotated[int, Field(ge=0, le=1_000_000)]
Position = Annotated[list[PositionIndex], Field(min_length=2, max_length=2)]
KernelName = Annotated[str, Field(min_length=1, max_length=64)]

NumberGrid = list[list[float]] | list[list[list[float]]]
POOL_PADDING_TEXT = '"valid" (no padding) or "same" (Keras rule; padding never counts).'
POOL_MODE_TEXT = '"max" keeps the largest value of each window, "average" the mean.'


class KernelPresetOut(BaseModel):
    name: str = Field(description="Identifier to send as kernel_name.")
    label: str = Field(description="Human-readable name.")
    matrix: list[list[float]] = Field(
        description="The kernel weights, rows of numbers (for magnitude presets: Gx)."
    )
    explanation: str = Field(description="What the kernel does, in one line.")
    combine: Combine = Field(
        description='"magnitude": the output is sqrt(Gx^2 + Gy^2) with Gx = matrix and '
        "Gy = matrix_y."
    )
    matrix_y: list[list[float]] | None = Field(
        description="For magnitude presets: the Gy kernel; otherwise null."
    )


class AxisSizeOut(BaseModel):
    axis: Literal["rows", "cols"] = Field(description="Which dimension this arithmetic is for.")
    input: int = Field(description="Input size W along this axis.")
    window: int = Field(description="Kernel (or pooling window) size F along this axis.")
    stride: int = Field(description="Stride S: how far the window moves each step.")
    pad_before: int = Field(description="Zero rows/cols added before (top or left).")
    pad_after: int = Field(description="Zero rows/cols added after (bottom or right).")
    pad_total: int = Field(description="pad_before + pad_after (2P when symmetric).")
    output: int = Field(description="floor((input - window + pad_total) / stride) + 1")
    divides_evenly: bool = Field(description="Whether (W - F + 2P) is a multiple of S.")
    unreached: int = Field(description="Padded rows/cols at the end that no window reaches.")
    formula: str = Field(description="(W - F + 2P) / S + 1 with the numbers filled in.")
    explanation: str = Field(
        description="What the numbers mean, including what is dropped when uneven."
    )


class OutputSize(BaseModel):
    rows: AxisSizeOut = Field(description="The arithmetic for the output height.")
    cols: AxisSizeOut = Field(description="The arithmetic for the output width.")


class ContributionOut(BaseModel):
    input_channel: int = Field(description="The input channel these terms come from.")
    window: list[list[float]] = Field(
        description="The input values under the kernel (zeros in the padding)."
    )
    kernel: list[list[float]] = Field(description="The kernel weights applied to this channel.")
    products: list[list[float]] = Field(description="window * kernel, cell by cell.")
    sum: float = Field(description="The sum of the products.")


class ChannelTraceOut(BaseModel):
    output_channel: int = Field(
        description="The output channel (filter, or channel for 2-D kernels)."
    )
    contributions: list[ContributionOut] = Field(
        description="One entry per input channel that feeds this output."
    )
    sum: float = Field(description="The sum of all contributions.")
    bias: float = Field(description="The bias added (0 for the Gx/Gy parts of a magnitude).")
    output: float = Field(description="sum + bias: the output value at this position.")


class GradientTraceOut(BaseModel):
    gradient_y: list[ChannelTraceOut] = Field(description="The Gy terms; `channels` holds Gx.")
    magnitude: list[float] = Field(description="sqrt(Gx^2 + Gy^2) + bias, per output channel.")


class TraceOut(BaseModel):
    position: list[int] = Field(description="The output [row, col] explained.")
    window_origin: list[int] = Field(
        description="Input (row, col) of the window's top-left cell; negative inside padding."
    )
    in_padding: list[list[bool]] = Field(
        description="true for window cells that fall in the zero padding."
    )
    channels: list[ChannelTraceOut] = Field(description="The terms for each output channel.")
    gradient: GradientTraceOut | None = Field(
        default=None, description="For magnitude presets: the Gy terms and sqrt(Gx^2 + Gy^2)."
    )


_CONVOLVE_EXAMPLE_INPUT: list[JsonValue] = [
    [1, 0, 1, 1, 0, 1],
    [0, 1, 0, 0, 1, 0],
    [0, 1, 1, 1, 1, 0],
    [0, 1, 1, 1, 1, 0],
    [1, 0, 1, 1, 0, 1],
    [1, 1, 0, 0, 1, 1],
]
_POOL_EXAMPLE_INPUT: list[JsonValue] = [
    [110, 256, 153, 67],
    [12, 89, 88, 43],
    [10, 15, 50, 55],
    [23, 9, 49, 23],
]


class ConvolveMatrixRequest(Strict, NamesAcceptedFields):
    # The whole body's example is what /docs fills in: the fields' own examples could not show
    # that kernel and kernel_name exclude each other.
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "input": _CONVOLVE_EXAMPLE_INPUT,
                    "kernel": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
                    "strides": 1,
                    "padding": "valid",
                    "bias": 0,
                    "trace": [1, 1],
                }
            ]
        }
    )

    input: InputGrid = Field(
        description="H x W or H x W x C numbers.",
        examples=[_CONVOLVE_EXAMPLE_INPUT],
    )
    kernel: KernelGrid | None = Field(
        default=None,
        description="kh x kw (each channel separately), kh x kw x C (one summed map) or "
        "kh x kw x C x K (K filters). Give this or kernel_name.",
        examples=[[[0.06, 0.13, 0.06], [0.13, 0.25, 0.13], [0.06, 0.13, 0.06]]],
    )
    kernel_name: KernelName | None = Field(
        default=None, description="A preset from /api/kernels, e.g. sobel_left."
    )
    strides: Strides = Field(
        default=1, description="Window step: an integer or [rows, cols]; 1 visits every position."
    )
    padding: PaddingSpec = Field(
        default="valid",
        description='"valid" (none), "same" (Keras rule), or zero pixels per side: n or '
        "[rows, cols].",
    )
    bias: Annotated[float, Field(allow_inf_nan=False, ge=-1e6, le=1e6)] = Field(
        default=0.0, description="Added to every output value."
    )
    trace: Position | None = Field(default=None, description="Output [row, col] to explain.")

    def kernel_step(self) -> KernelStep:
        return KernelStep(self.kernel, self.kernel_name, self.strides, self.padding, self.bias)


class ConvolveMatrixResponse(BaseModel):
    output: NumberGrid = Field(description="The output grid: H' x W' or H' x W' x channels.")
    output_shape: list[int] = Field(description="The output's shape.")
    kernel_shape: list[int] = Field(
        description="The kernel's shape as given (for presets: kh, kw)."
    )
    kernel_kind: KernelKind = Field(
        description="depthwise: a 2-D kernel on each channel; summed: one kh x kw x C filter; "
        "filters: K filters."
    )
    output_size: OutputSize = Field(description="The output-size arithmetic for rows and cols.")
    trace: TraceOut | None = Field(
        description="The multiply-and-sum at the requested position, if asked."
    )


class PoolMatrixRequest(Strict, NamesAcceptedFields):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"input": _POOL_EXAMPLE_INPUT, "pool_size": 2, "padding": "valid", "mode": "max"}
            ]
        }
    )

    input: InputGrid = Field(
        description="H x W or H x W x C numbers; each channel is pooled on its own.",
        examples=[_POOL_EXAMPLE_INPUT],
    )
    pool_size: PoolSize = Field(
        default=2, description="Window size: an integer or [rows, cols], 1 to 15."
    )
    strides: Strides | None = Field(default=None, description="Defaults to pool_size.")
    padding: PaddingMode = Field(default="valid", description=POOL_PADDING_TEXT)
    mode: PoolMode = Field(default="max", description=POOL_MODE_TEXT)

    def pool_step(self) -> PoolStep:
        return PoolStep(self.pool_size, self.strides, self.padding, self.mode)


class PoolMatrixResponse(BaseModel):
    output: NumberGrid = Field(description="The pooled grid.")
    output_shape: list[int] = Field(description="The pooled grid's shape.")
    output_size: OutputSize = Field(description="The output-size arithmetic for rows and cols.")
    argmax: list[list[list[int]]] | list[list[list[list[int]]]] | None = Field(
        description="Max mode: input [row, col] of each window's winner (per channel for 3-D)."
    )


class InputInfo(BaseModel):
    width: int = Field(description="Width in pixels of what the operation ran on.")
    height: int = Field(description="Height in pixels.")
    channels: int = Field(description="1 (grey) or 3 (RGB).")
    format: str = Field(description="The uploaded file's format, e.g. PNG.")
    mode: str = Field(description="The uploaded file's Pillow mode, e.g. RGB, P, I;16.")
    notes: list[str] = Field(
        description="What was done to read it (rotated, first frame, alpha on white ...)."
    )


class PixelMapOut(BaseModel):
    mapping: Literal["identity", "clip", "rescale", "absolute"] = Field(
        description="identity, clip, rescale or absolute."
    )
    value_min: float = Field(description="The smallest output value before mapping.")
    value_max: float = Field(description="The largest output value before mapping.")
    description: str = Field(description="The mapping in words, with the numbers.")


class ImageResult(BaseModel):
    image: str = Field(description="The output as a base64-encoded PNG.")
    media_type: Literal["image/png"] = Field(
        default="image/png", description="The type of the base64 images."
    )
    output_shape: list[int] = Field(description="The output's shape: rows, cols[, channels].")
    value_range: list[float] = Field(
        description="[min, max] of the output values before mapping to pixels."
    )
    pixel_map: PixelMapOut = Field(description="How the values became 0..255 pixels.")
    output_size: OutputSize = Field(description="The output-size arithmetic for rows and cols.")
    input: InputInfo = Field(description="What was uploaded and what the operation ran on.")
    input_image: str | None = Field(
        default=None, description="With include_input: the exact 8-bit input used, as PNG."
    )


class ConvolveImageResponse(ImageResult):
    kernel: list[list[float]] | list[list[list[float]]] = Field(
        description="The kernel applied: kh x kw (for magnitude presets: Gx), or kh x kw x C for "
        "one filter summed over the channels."
    )
    trace: TraceOut | None = Field(
        default=None, description="The multiply-and-sum at the requested position, if asked."
    )


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
    name: str = Field(description="Identifier of the sample.")
    title: str = Field(description="What the photo shows.")
    url: str = Field(description="Where to fetch the image.")
    width: int = Field(description="Width in pixels.")
    height: int = Field(description="Height in pixels.")
    mode: str = Field(description="Pillow mode: L (grey) or RGB.")
    licence: str = Field(description="The photo's licence and author.")
