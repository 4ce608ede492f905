"""The Architecture lab: output shapes, parameters and receptive fields of layer stacks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from app.core.architecture import summary
from app.core.architecture.catalogue import localized_catalogue
from app.core.architecture.presets import PRESETS, Preset, get_preset
from app.core.architecture.tensor import localized_answer
from app.i18n import gettext
from app.schemas.architectures import (
    LayerCatalogue,
    PresetInfo,
    PresetResponse,
    SummaryRequest,
    SummaryResponse,
)

router = APIRouter(prefix="/api/architectures", tags=["architectures"])

PresetName = Annotated[
    str, Path(max_length=64, description="A preset's name, e.g. alexnet.", examples=["alexnet"])
]


@router.get("", response_model=list[PresetInfo])
def list_architectures() -> list[dict[str, Any]]:
    """The preset architectures with their totals, for comparing them side by side."""
    return [_overview(preset) for preset in PRESETS.values()]


# Declared before GET /{name}, whose path also matches /summary and /layer-types: Starlette
# answers a method it does not route (OPTIONS) with the Allow header of the first route whose
# path matches, and GET /{name} would answer /layer-types itself.
@router.post("/summary", response_model=SummaryResponse)
def summarize_stack(body: SummaryRequest) -> dict[str, Any]:
    """Each layer's output shape, parameters, MACs and receptive field, with the arithmetic."""
    return localized_answer(summary.summarize_stack(body.input_shape, body.layers).as_dict())


@router.get("/layer-types", response_model=LayerCatalogue)
def list_layer_types() -> dict[str, Any]:
    """Every layer type with its settings, defaults and bounds, and the limits of a stack."""
    return localized_catalogue()


@router.get("/{name}", response_model=PresetResponse)
def get_architecture(name: PresetName) -> dict[str, Any]:
    """A preset's layers (in the request format) and its full table."""
    preset = get_preset(name)
    return {
        **_overview(preset),
        "layers": preset.layers,
        "summary": localized_answer(preset.summary.as_dict()),
    }


def _overview(preset: Preset) -> dict[str, Any]:
    table = preset.summary
    totals = table.as_dict()  # numbers only, once the rows and warnings are gone
    del totals["layers"], totals["warnings"]
    return {
        **totals,
        "name": preset.name,
        "title": gettext(preset.title),
        "description": gettext(preset.description),
        "source": gettext(preset.source),
        "layer_count": len(table.rows),
        "receptive_field_growth": [
            row.receptive_field[0] if row.receptive_field else None
            for row in table.rows
            if row.nesting == 0
        ],
    }
