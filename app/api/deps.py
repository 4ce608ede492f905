"""Dependencies published as ``Annotated`` aliases, and the lookups behind them."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import Depends
from starlette.requests import HTTPConnection

from app.api.compute import ComputeSlots
from app.config import Settings
from app.ml.registry import Registry


# Async, so that FastAPI calls them inline rather than in its threadpool. They take the
# connection, not the request, so that WebSocket routes get the same dependencies.
async def get_settings(connection: HTTPConnection) -> Settings:
    settings: Settings = connection.app.state.settings
    return settings


async def get_registry(connection: HTTPConnection) -> Registry:
    registry: Registry = connection.state.registry
    if registry.stale():  # a model was stored or deleted, maybe by another worker
        await anyio.to_thread.run_sync(registry.refresh)
    return registry


async def get_compute(connection: HTTPConnection) -> ComputeSlots:
    compute: ComputeSlots = connection.state.compute
    return compute


SettingsDep = Annotated[Settings, Depends(get_settings)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
ComputeDep = Annotated[ComputeSlots, Depends(get_compute)]
