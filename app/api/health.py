"""Liveness."""

from __future__ import annotations

from fastapi import APIRouter

from app import __version__
from app.core.kernels import KERNEL_PRESETS
from app.schemas.common import Health

router = APIRouter(prefix="/api", tags=["health"])


# HEAD answers like GET, for monitors that probe with it; one documented operation is enough.
@router.head("/health", response_model=Health, include_in_schema=False)
@router.get("/health", response_model=Health)
def health() -> Health:
    """Whether the app is up, and its version."""
    return Health(status="ok", version=__version__, kernel_presets=len(KERNEL_PRESETS))
