"""Kernel presets and convolution, on number grids (JSON) and on images (multipart)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.api.deps import SettingsDep
from app.api.images import PNG_RESPONSE, image_fields, png_response, read_image, wants_png
from app.api.json_answers import json_answer
from app.core import lab
from app.core.kernels import KERNEL_PRESETS
from app.schemas.lab import (
    ConvolveImageResponse,
    ConvolveMatrixRequest,
    ConvolveMatrixResponse,
    KernelPresetOut,
)
from app.schemas.lab_forms import ConvolveImageForm

router = APIRouter(prefix="/api", tags=["convolution"])

ConvolveForm = Annotated[ConvolveImageForm, Form(media_type="multipart/form-data")]


@router.get("/kernels", response_model=list[KernelPresetOut])
def list_kernels() -> list[dict[str, object]]:
    """The named kernel presets with their matrices and a one-line explanation."""
    return [preset.as_dict() for preset in KERNEL_PRESETS.values()]


@router.post("/convolve/matrix", response_model=ConvolveMatrixResponse)
def convolve_matrix(body: ConvolveMatrixRequest) -> Response:
    """Convolve a grid of numbers and explain any output position."""
    result = lab.convolve_grid(body.input, body.kernel_step(), body.trace)
    return json_answer(
        ConvolveMatrixResponse,
        {
            "output": result.output.tolist(),
            "output_shape": list(result.output.shape),
            "kernel_shape": result.spec.kernel.shape,
            "kernel_kind": result.spec.kernel.kind,
            "output_size": result.geometry.as_dict(),
            "trace": result.trace,
        },
    )


@router.post("/convolve", response_model=ConvolveImageResponse, responses={200: PNG_RESPONSE})
def convolve_image(request: Request, settings: SettingsDep, form: ConvolveForm) -> Any:
    """Apply a kernel to an image: PNG with `Accept: image/png`, else JSON with the numbers."""
    decoded = read_image(form.image, settings)
    outcome = lab.convolve_image(decoded, form.kernel_step(), form.color, form.mapping, form.trace)
    if wants_png(request):
        return png_response(outcome, form.png_compression)
    return json_answer(
        ConvolveImageResponse,
        {
            **image_fields(outcome, form.include_input, form.png_compression),
            "kernel": outcome.kernel,
            "trace": outcome.trace,
        },
    )
