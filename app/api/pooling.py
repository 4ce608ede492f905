"""Max and average pooling, on number grids (JSON) and on images (multipart)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.api.deps import SettingsDep
from app.api.images import (
    PNG_RESPONSE,
    base64_png,
    decode_capped,
    image_fields,
    png_response,
    read_upload,
    wants_png,
)
from app.api.json_answers import json_answer
from app.core import lab
from app.core.decoding import header_size
from app.schemas.lab import PoolImageResponse, PoolMatrixRequest, PoolMatrixResponse
from app.schemas.lab_forms import PoolImageForm

router = APIRouter(prefix="/api", tags=["pooling"])

PoolForm = Annotated[PoolImageForm, Form(media_type="multipart/form-data")]


@router.post("/pool/matrix", response_model=PoolMatrixResponse)
def pool_matrix(body: PoolMatrixRequest) -> Response:
    """Pool a grid of numbers; for max pooling, say which input position won each window."""
    pooled = lab.pool_grid(body.input, body.pool_step())
    return json_answer(
        PoolMatrixResponse,
        {
            "output": pooled.output.tolist(),
            "output_shape": list(pooled.output.shape),
            "output_size": pooled.geometry.as_dict(),
            "argmax": None if pooled.argmax is None else pooled.argmax.tolist(),
        },
    )


@router.post("/pool", response_model=PoolImageResponse, responses={200: PNG_RESPONSE})
def pool_image(request: Request, settings: SettingsDep, form: PoolForm) -> Any:
    """Pool an image, optionally after a kernel (kernel or kernel_name): PNG or JSON."""
    data = read_upload(form.image, settings)
    if form.kernel_step() is None:  # with a kernel, the pooling's input is the kernel's output
        lab.check_pool_before_decoding(
            header_size(data), form.pool_step(), settings.max_image_pixels, settings.max_image_side
        )
    decoded = decode_capped(data, settings)
    outcome = lab.pool_image(
        decoded, form.pool_step(), form.kernel_step(), form.color, form.mapping
    )
    if wants_png(request):
        return png_response(outcome, form.png_compression)
    winners = outcome.winners()
    return json_answer(
        PoolImageResponse,
        {
            **image_fields(outcome, form.include_input, form.png_compression),
            "convolution": None if outcome.convolution is None else outcome.convolution.as_dict(),
            "winners_image": None if winners is None else base64_png(winners, form.png_compression),
        },
    )
