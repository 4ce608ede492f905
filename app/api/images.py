"""Shared handling of image uploads and image responses."""

from __future__ import annotations

import base64
from dataclasses import asdict
from typing import Annotated

import numpy as np
from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response

from app.config import Settings
from app.core.convolution import Geometry
from app.core.imaging import DecodedImage, PixelMap, PngCompression, decode_image, encode_png
from app.errors import ImageTooLarge

ImageUpload = Annotated[UploadFile, File(description="A PNG, JPEG, GIF, BMP, WebP or TIFF image.")]

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

PngCompressionField = Annotated[
    PngCompression,
    Form(
        description="Output PNG: none (stored rows, the fastest, about 3 bytes a pixel) or "
        "deflate (zlib, about half the size, about 30 ms more per megapixel). Both are lossless."
    ),
]


def read_image(upload: UploadFile, settings: Settings) -> DecodedImage:
    """Read at most the byte cap (the body limit already bounds it) and decode safely."""
    data = upload.file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise ImageTooLarge(
            f"The image file is larger than {settings.max_upload_bytes:,} bytes. "
            "Upload a smaller file (a 1024x1024 PNG is about 2 MB)."
        )
    return decode_image(data, settings.max_image_pixels)


def wants_png(request: Request) -> bool:
    """``Accept: image/png`` asks for the picture itself rather than JSON."""
    accept = request.headers.get("accept", "").lower()
    if "image/png" not in accept:
        return False
    json_at = accept.find("application/json")
    return json_at < 0 or accept.find("image/png") < json_at


def png_response(
    pixels: np.ndarray,
    output_shape: tuple[int, ...],
    pixel_map: PixelMap,
    compression: PngCompression,
) -> Response:
    return Response(
        content=encode_png(pixels, compression),
        media_type="image/png",
        headers={
            "X-ConvLens-Output-Shape": ",".join(str(n) for n in output_shape),
            "X-ConvLens-Value-Range": f"{pixel_map.value_min:.6g},{pixel_map.value_max:.6g}",
            "X-ConvLens-Pixel-Map": pixel_map.mapping,
        },
    )


def base64_png(pixels: np.ndarray, compression: PngCompression) -> str:
    return base64.b64encode(encode_png(pixels, compression)).decode("ascii")


def input_info(decoded: DecodedImage, pixels: np.ndarray) -> dict[str, object]:
    """What the upload was and what the operation ran on."""
    return {
        "width": pixels.shape[1],
        "height": pixels.shape[0],
        "channels": 1 if pixels.ndim == 2 else pixels.shape[2],
        "format": decoded.source_format,
        "mode": decoded.source_mode,
        "notes": decoded.notes,
    }


def image_result(
    shown: np.ndarray,
    output_shape: tuple[int, ...],
    pixel_map: PixelMap,
    geometry: Geometry,
    decoded: DecodedImage,
    pixels: np.ndarray,
    include_input: bool,
    compression: PngCompression,
) -> dict[str, object]:
    """The JSON fields every image endpoint shares."""
    return {
        "image": base64_png(shown, compression),
        "output_shape": list(output_shape),
        "value_range": [pixel_map.value_min, pixel_map.value_max],
        "pixel_map": asdict(pixel_map),
        "output_size": geometry.as_dict(),
        "input": input_info(decoded, pixels),
        "input_image": base64_png(pixels, compression) if include_input else None,
    }
