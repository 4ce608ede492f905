"""Dependencies published as ``Annotated`` aliases, and the lookups behind them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.api.compute import ComputeSlots
from app.config import Settings
from app.ml.registry import Registry


# The dependencies are async so that FastAPI calls them inline: a plain def would cost a
# threadpool round trip each (bench/models.py measured about 0.15 ms per request apiece).
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_registry(request: Request) -> Registry:
    registry: Registry = request.state.registry
    return registry


async def get_compute(request: Request) -> ComputeSlots:
    compute: ComputeSlots = request.state.compute
    return compute


SettingsDep = Annotated[Settings, Depends(get_settings)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
ComputeDep = Annotated[ComputeSlots, Depends(get_compute)]
