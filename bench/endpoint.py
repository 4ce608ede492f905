"""End-to-end POST /api/convolve against the fastest decode -> filter -> encode pipeline.

The request: a 1024x1024 RGB photo (astronaut.png resized bicubically, PNG-encoded once up front
by Pillow at its default settings, as an image editor would), kernel_name=sharpen, padding=same,
``Accept: image/png``; the answer is a PNG of the rescaled output. It goes through the real app
(``create_app()``) in this process with ``fastapi.testclient.TestClient`` used as a context
manager, so routing, multipart parsing, the body-size middleware and the threadpool all count.

The stages are then timed on their own with the functions the endpoint calls: ``decode_image``,
the convolution (``to_color`` + float32 + ``resolve_kernel`` + ``convolve``), ``to_pixels`` and
``encode_png``; what is left of the request time is HTTP, multipart and the test client.

The reference is the fastest lossless pipeline assembled from Pillow, OpenCV and libspng (the
app's own PNG decoder, through pyspng): every decoder and every encoder setting listed below is
timed, the fastest of each is combined, and that pipeline (decode -> cv2.filter2D to float32 ->
the same min..max rescale -> encode) is timed against the endpoint, round by round. It works in
BGR end to end since a per-channel kernel does not care about channel order. Its output pixels
are checked equal to the endpoint's.

Goal: endpoint / reference <= 1.5. Run: .venv/bin/python bench/endpoint.py [--rounds N]
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import pyspng
from _common import (
    SAMPLES_DIR,
    machine_line,
    paired_ratio,
    photo_rgb,
    print_table,
    time_interleaved,
)
from fastapi.testclient import TestClient
from numpy.typing import NDArray
from PIL import Image

from app.config import Settings
from app.core import decoding, encoding
from app.core.decoding import decode_image
from app.core.encoding import encode_png, to_color, to_pixels
from app.core.kernels import resolve_kernel
from app.core.lab import convolve
from app.main import create_app

GOAL = 1.5
KERNEL_NAME = "sharpen"
PADDING = "same"
SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float32)
UInt8Array = NDArray[np.uint8]
ENDPOINT_ENCODER = "app encode_png (RGB in; the endpoint's)"


@dataclass(frozen=True)
class Encoder:
    name: str
    encode: Callable[[UInt8Array], bytes]  # takes BGR (or grey) pixels


def cv2_png(level: int, *extra: int) -> Callable[[UInt8Array], bytes]:
    params = [cv2.IMWRITE_PNG_COMPRESSION, level, *extra]

    def encode(bgr: UInt8Array) -> bytes:
        ok, encoded = cv2.imencode(".png", bgr, params)
        assert ok
        return encoded.tobytes()

    return encode


def pillow_png(level: int) -> Callable[[UInt8Array], bytes]:
    def encode(bgr: UInt8Array) -> bytes:
        buffer = io.BytesIO()
        Image.fromarray(bgr[..., ::-1]).save(buffer, format="PNG", compress_level=level)
        return buffer.getvalue()

    return encode


ENCODERS = [
    *(Encoder(f"cv2.imencode level {level}", cv2_png(level)) for level in range(4)),
    Encoder(
        "cv2.imencode level 0, filter NONE",
        cv2_png(0, cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_NONE),
    ),
    Encoder(
        "cv2.imencode level 1, filter UP, RLE",
        cv2_png(
            1,
            cv2.IMWRITE_PNG_FILTER,
            cv2.IMWRITE_PNG_FILTER_UP,
            cv2.IMWRITE_PNG_STRATEGY,
            cv2.IMWRITE_PNG_STRATEGY_RLE,
        ),
    ),
    *(Encoder(f"Pillow compress_level {level}", pillow_png(level)) for level in range(2)),
]


def pillow_decode(data: bytes) -> UInt8Array:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image)[..., ::-1]  # RGB -> BGR, a view


def cv2_decode(flags: int) -> Callable[[bytes], UInt8Array]:
    def decode(data: bytes) -> UInt8Array:
        return cv2.imdecode(np.frombuffer(data, np.uint8), flags)

    return decode


def spng_decode(data: bytes) -> UInt8Array:
    pixels: UInt8Array = pyspng.load(data)
    return pixels[..., ::-1]  # RGB -> BGR, a view


DECODERS: dict[str, Callable[[bytes], UInt8Array]] = {
    "Pillow open + load": pillow_decode,
    "pyspng.load (libspng)": spng_decode,
    "cv2.imdecode UNCHANGED": cv2_decode(cv2.IMREAD_UNCHANGED),
    "cv2.imdecode COLOR": cv2_decode(cv2.IMREAD_COLOR),
}


def sharpen_rescaled(bgr: UInt8Array) -> UInt8Array:
    """The reference filter: float32 straight from uint8, then the endpoint's min..max rescale."""
    values = cv2.filter2D(bgr, cv2.CV_32F, SHARPEN, borderType=cv2.BORDER_CONSTANT)
    low, high = float(values.min()), float(values.max())
    scale = 255.0 / (high - low)
    return cv2.convertScaleAbs(values, alpha=scale, beta=-low * scale)


def check_fast_path() -> list[str]:
    """Each sample decodes to the same pixels, mode and notes with and without the fast path."""
    decode_with_pillow = getattr(decoding, "_decode_with_pillow", None)
    if decode_with_pillow is None:
        return ["decoding has no fast path: nothing to compare"]
    lines = []
    files = sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix in (".png", ".jpg"))
    for path in files:
        data = path.read_bytes()
        fast = decode_image(data, 1 << 26)
        slow = decode_with_pillow(decoding._open_checked(data, 1 << 26))
        same = (
            fast.pixels.dtype == slow.pixels.dtype
            and np.array_equal(fast.pixels, slow.pixels)
            and (fast.source_format, fast.source_mode, fast.notes)
            == (slow.source_format, slow.source_mode, slow.notes)
        )
        if not same:
            raise SystemExit(f"{path.name}: the fast path decodes different pixels or metadata.")
        plain = decoding._plain_png_header(data)
        taken = "libspng fast path" if plain else "Pillow path"
        lines.append(f"{path.name}: {taken}, pixels equal ({slow.source_mode} {fast.pixels.shape})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="timed rounds")
    args = parser.parse_args()
    settings = Settings()

    photo = photo_rgb()
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="PNG")
    upload = buffer.getvalue()
    print(f"Machine: {machine_line()}")
    print(
        "Client: fastapi.testclient.TestClient(create_app()) as a context manager (Starlette's "
        "test client, httpx2 transport, app in this process)"
    )
    print(
        f"Upload: {photo.shape[1]}x{photo.shape[0]} RGB PNG, {len(upload):,} bytes (Pillow "
        f"default); kernel {KERNEL_NAME}, padding {PADDING}; best / median of {args.rounds} "
        "interleaved rounds (ms)\n"
    )
    print("Fast-path check (decode_image against the Pillow-only path):")
    for line in check_fast_path():
        print(f"  {line}")
    print()

    # --- Reference: every decoder and encoder on its own, then the fastest pipeline. ---------
    bgr = cv2.cvtColor(photo, cv2.COLOR_RGB2BGR)
    for name, decode in DECODERS.items():
        if not np.array_equal(decode(upload), bgr):
            raise SystemExit(f"{name} decodes different pixels.")
    shown_bgr = sharpen_rescaled(bgr)
    shown_rgb = np.ascontiguousarray(shown_bgr[..., ::-1])
    sizes = {ENDPOINT_ENCODER: len(encode_png(shown_rgb))}
    for encoder in ENCODERS:
        encoded = encoder.encode(shown_bgr)
        decoded = cv2.imdecode(np.frombuffer(encoded, np.uint8), cv2.IMREAD_UNCHANGED)
        if not np.array_equal(decoded, shown_bgr):
            raise SystemExit(f"{encoder.name} is not lossless.")
        sizes[encoder.name] = len(encoded)
    option_times = time_interleaved(
        {
            **{
                f"decode: {name}": (lambda d=decode: d(upload)) for name, decode in DECODERS.items()
            },
            "filter: cv2.filter2D -> float32, rescale": lambda: sharpen_rescaled(bgr),
            **{f"encode: {e.name}": (lambda e=e: e.encode(shown_bgr)) for e in ENCODERS},
            f"encode: {ENDPOINT_ENCODER}": lambda: encode_png(shown_rgb),
        },
        rounds=max(5, args.rounds // 2),
    )
    print_table(
        ["reference stage option", "best / median", "PNG bytes"],
        [
            [name, timing.cell(), f"{sizes[name[8:]]:,}" if name.startswith("encode") else ""]
            for name, timing in option_times.items()
        ],
    )
    fastest_decoder = min(DECODERS, key=lambda n: option_times[f"decode: {n}"].best_ms)
    params = getattr(encoding, "PNG_PARAMS", "not set")
    print(f"(encode_png uses PNG_PARAMS = {params}, OpenCV's flag numbers.)")
    fastest_encoder = min(ENCODERS, key=lambda e: option_times[f"encode: {e.name}"].best_ms)
    decode_ref = DECODERS[fastest_decoder]

    def reference() -> bytes:
        return fastest_encoder.encode(sharpen_rescaled(decode_ref(upload)))

    # The reference again, with the encoder settings the endpoint uses: equal bytes out.
    def reference_same_encoder() -> bytes:
        return encode_png(sharpen_rescaled(decode_ref(upload))[..., ::-1])

    print(
        f"\nFastest reference: decode with {fastest_decoder}, cv2.filter2D, encode with "
        f"{fastest_encoder.name}.\n"
    )

    # --- The endpoint and its stages. ---------------------------------------------------------
    def decode_stage() -> decoding.DecodedImage:
        return decode_image(upload, settings.max_image_pixels)

    decoded = decode_stage()

    def convolve_stage() -> np.ndarray:
        pixels = to_color(decoded.pixels, "rgb")
        inputs = pixels.astype(np.float32)
        spec = resolve_kernel(None, KERNEL_NAME, inputs.shape[2])
        return convolve(inputs, spec, 1, PADDING).output

    output = convolve_stage()

    def map_stage() -> UInt8Array:
        return to_pixels(output, "auto")[0]

    shown = map_stage()

    def encode_stage() -> bytes:
        return encode_png(shown)

    with TestClient(create_app(settings)) as client:

        def endpoint() -> bytes:
            response = client.post(
                "/api/convolve",
                files={"image": ("photo.png", upload, "image/png")},
                data={"kernel_name": KERNEL_NAME, "padding": PADDING},
                headers={"Accept": "image/png"},
            )
            if response.status_code != 200 or response.headers["content-type"] != "image/png":
                raise SystemExit(
                    f"POST /api/convolve: {response.status_code} {response.text[:200]}"
                )
            return response.content

        endpoint_png = endpoint()
        returned = cv2.imdecode(np.frombuffer(endpoint_png, np.uint8), cv2.IMREAD_UNCHANGED)
        if not np.array_equal(returned, shown_bgr) or not np.array_equal(
            shown, shown_bgr[..., ::-1]
        ):
            raise SystemExit("The endpoint's PNG and the reference's pixels differ.")
        times = time_interleaved(
            {
                "endpoint": endpoint,
                "reference": reference,
                "reference, endpoint's encoder": reference_same_encoder,
                "decode_image": decode_stage,
                "convolve": convolve_stage,
                "to_pixels": map_stage,
                "encode_png": encode_stage,
            },
            rounds=args.rounds,
        )

    stages = ("decode_image", "convolve", "to_pixels", "encode_png")
    stage_sum = sum(times[name].median_ms for name in stages)
    total = times["endpoint"].median_ms
    rows = [["POST /api/convolve (TestClient, in-process)", times["endpoint"].cell(), "100%"]]
    for name in stages:
        rows.append([f"  {name}", times[name].cell(), f"{times[name].median_ms / total:.0%}"])
    rows.append(
        [
            "  HTTP, multipart, test client (rest)",
            f"~{total - stage_sum:.2f} (median)",
            f"{(total - stage_sum) / total:.0%}",
        ]
    )
    rows.append(["reference (fastest)", times["reference"].cell(), ""])
    rows.append(["reference with encode_png", times["reference, endpoint's encoder"].cell(), ""])
    print_table(["what", "best / median", "share"], rows)

    ratio = paired_ratio(times["endpoint"], times["reference"])
    ratio_same = paired_ratio(times["endpoint"], times["reference, endpoint's encoder"])
    print(
        f"\nOutput PNG: endpoint {len(endpoint_png):,} bytes; fastest reference "
        f"{sizes[fastest_encoder.name]:,} bytes."
    )
    print(
        f"ratio endpoint / fastest reference = {ratio:.2f} (median of per-round ratios; best/best "
        f"{times['endpoint'].best_ms / times['reference'].best_ms:.2f}); goal <= {GOAL}: "
        f"{'MEETS' if ratio <= GOAL else 'FAILS'}"
    )
    print(
        f"ratio endpoint / reference with the endpoint's encoder (same bytes out) = "
        f"{ratio_same:.2f}"
    )


if __name__ == "__main__":
    main()
