"""Shared handling of image uploads and image responses."""

from __future__ import annotations

import base64
from dataclasses import asdict

import numpy as np
from fastapi import Request, UploadFile
from fastapi.responses import Response

from app.config import Settings
from app.core.decoding import DecodedImage, decode_image
from app.core.encoding import PngCompression, encode_png
from app.core.lab import ImageOutcome
from app.errors import ImageTooLarge

PNG_RESPONSE = {
    "description": "With `Accept: image/png`: the output picture, plus what it shows in headers.",
    "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
    "headers": {
        "X-ConvLens-Output-Shape": {
            "description": "The output's shape, comma-separated: rows,cols[,channels].",
            "schema": {"type": "string"},
        },
        "X-ConvLens-Value-Range": {
            "description": "The smallest and largest output value before mapping: min,max.",
            "schema": {"type": "string"},
        },
        "X-ConvLens-Pixel-Map": {
            "description": "How values became pixels: identity, clip, rescale or absolute.",
            "schema": {"type": "string"},
        },
    },
}


def read_image(upload: UploadFile, settings: Settings) -> DecodedImage:
    """Read at most the byte cap (the body limit already bounds it) and decode safely."""
    return decode_capped(read_upload(upload, settings), settings)


def read_upload(upload: UploadFile, settings: Settings) -> bytes:
    """The upload's bytes, at most the byte cap (the body limit already bounds it)."""
    data = upload.file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise ImageTooLarge(
            "The image file is larger than {max_upload_bytes:,} bytes. Upload a smaller file "
            "(a 1024x1024 PNG is about 2 MB).",
            max_upload_bytes=settings.max_upload_bytes,
        )
    return data


def decode_capped(data: bytes, settings: Settings) -> DecodedImage:
    """Decode safely, within the pixel and side caps of ``settings``."""
    return decode_image(data, settings.max_image_pixels, settings.max_image_side)


def wants_png(request: Request) -> bool:
    """``Accept: image/png`` asks for the picture itself rather than JSON."""
    accept = request.headers.get("accept", "").lower()
    if "image/png" not in accept:
        return False
    json_at = accept.find("application/json")
    return json_at < 0 or accept.find("image/png") < json_at


def png_response(outcome: ImageOutcome, compression: PngCompression) -> Response:
    """The output picture itself, with what it shows in headers."""
    pixel_map = outcome.pixel_map
    return Response(
        content=encode_png(outcome.shown, compression),
        media_type="image/png",
        headers={
            "X-ConvLens-Output-Shape": ",".join(str(n) for n in outcome.output.shape),
            "X-ConvLens-Value-Range": f"{pixel_map.value_min:.6g},{pixel_map.value_max:.6g}",
            "X-ConvLens-Pixel-Map": pixel_map.mapping,
        },
    )


def base64_png(pixels: np.ndarray, compression: PngCompression) -> str:
    return base64.b64encode(encode_png(pixels, compression)).decode("ascii")


def image_fields(
    outcome: ImageOutcome, include_input: bool, compression: PngCompression
) -> dict[str, object]:
    """The JSON fields every image endpoint shares."""
    pixels = outcome.pixels
    return {
        "image": base64_png(outcome.shown, compression),
        "output_shape": list(outcome.output.shape),
        "value_range": [outcome.pixel_map.value_min, outcome.pixel_map.value_max],
        "pixel_map": asdict(outcome.pixel_map),
        "output_size": outcome.geometry.as_dict(),
        "input": {
            "width": pixels.shape[1],
            "height": pixels.shape[0],
            "channels": 1 if pixels.ndim == 2 else pixels.shape[2],
            "format": outcome.decoded.source_format,
            "mode": outcome.decoded.source_mode,
            "notes": outcome.decoded.notes,
        },
        "input_image": base64_png(pixels, compression) if include_input else None,
    }
