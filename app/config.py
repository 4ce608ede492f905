"""Settings from environment variables with the ``CONVLENS_`` prefix."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONVLENS_", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    static_dir: Path = PROJECT_ROOT / "static"
    templates_dir: Path = PROJECT_ROOT / "templates"
    models_dir: Path = PROJECT_ROOT / "models"
    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024, description="Largest request body accepted, in bytes."
    )
    max_image_pixels: int = Field(
        default=4096 * 4096, ge=1, description="Largest decoded image accepted, in pixels."
    )
    compute_threads: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Model requests (predict, activations) computed at once in each process, "
        "besides plain forms with small PNGs, which the event loop's thread works on itself "
        "(app/api/models.py, INLINE_PIXELS).",
    )
    plain_forms: bool = Field(
        default=True,
        description="Read plain predict and activations forms with ConvLens' own strict "
        "reader, and every other form with FastAPI's (app/api/plain_form.py); off: FastAPI's "
        "for every form.",
    )
    opencv_threads: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Threads OpenCV may split one operation over, in each process.",
    )
