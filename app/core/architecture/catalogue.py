"""The layer vocabulary as the page's editor reads it: each type, its settings and their bounds.

Everything here is read off the classes in :mod:`app.core.architecture.layers` (their
docstrings, field titles, descriptions, defaults, examples and JSON-schema bounds), so the page
needs no copy of its own: ``GET /api/architectures/layer-types`` answers with
:func:`layer_catalogue`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from app.core.architecture import limits
from app.core.architecture.layers import LAYER_TYPES, Editor, LayerSpec
from app.core.architecture.tensor import Words

# Set by every layer (type) or by the editor's own card (name): not one of its settings.
NOT_SETTINGS = ("type", "name")
JSON_KINDS = {"integer": "int", "number": "float", "boolean": "bool", "string": "choice"}


def localized_catalogue(language: str | None = None) -> dict[str, Any]:
    """:func:`layer_catalogue` with its words (each type's ``about``, each setting's ``label``
    and ``description``) in the request's language; keys, types, options and numbers as they
    are."""
    from app.i18n import gettext

    def said(text: str) -> str:
        return text.localized(language) if isinstance(text, Words) else gettext(text, language)

    catalogue = layer_catalogue()
    return {
        **catalogue,
        "layer_types": [
            {
                **layer,
                "about": said(layer["about"]),
                "fields": [
                    {
                        **field,
                        "label": said(field["label"]),
                        "description": said(field["description"]),
                    }
                    for field in layer["fields"]
                ],
            }
            for layer in catalogue["layer_types"]
        ],
    }


@cache
def layer_catalogue() -> dict[str, Any]:
    """Every layer type with its settings, and the limits a whole stack must keep to."""
    return {
        "layer_types": [_layer_type(cls) for cls in LAYER_TYPES],
        "limits": {
            "max_layers": limits.MAX_LAYERS,
            "max_nesting": limits.MAX_NESTING,
            "min_branches": limits.MIN_BRANCHES,
            "max_branches": limits.MAX_BRANCHES,
            "max_input_side": limits.MAX_INPUT_SIDE,
            "max_input_channels": limits.MAX_INPUT_CHANNELS,
            "max_input_values": limits.MAX_INPUT_VALUES,
            "max_channels": limits.MAX_CHANNELS,
            "max_layer_values": limits.MAX_LAYER_VALUES,
            "max_total": limits.MAX_TOTAL,
        },
    }


def _layer_type(cls: type[LayerSpec]) -> dict[str, Any]:
    schema = cls.model_json_schema()
    if "$ref" in schema:  # a merge's schema is recursive: it lives in its own $defs
        schema = schema["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    properties = schema["properties"]
    # A setting with one allowed value (an axis of -1) leaves nothing to edit: its default holds.
    fields = [
        _setting(cls, key, properties[key])
        for key in cls.model_fields
        if key not in NOT_SETTINGS and "const" not in properties[key]
    ]
    return {
        "type": cls.__name__,
        "about": (cls.__doc__ or "").strip(),
        "keras_name": cls.keras_name,
        "fields": fields,
        "example": {"type": cls.__name__, **{f["key"]: f["example"] for f in fields}},
    }


def _setting(cls: type[LayerSpec], key: str, schema: dict[str, Any]) -> dict[str, Any]:
    info = cls.model_fields[key]
    editor = next((item for item in info.metadata if isinstance(item, Editor)), None)
    variants = schema.get("anyOf", [schema])
    values = [variant for variant in variants if variant.get("type") != "null"]
    options = [option for variant in values for option in variant.get("enum", [])]
    required = info.is_required()
    default = None if required else info.get_default()
    return {
        "key": key,
        "label": info.title or key,
        "description": info.description or "",
        "kind": editor.kind if editor else JSON_KINDS[values[0]["type"]],
        "required": required,
        "nullable": len(values) < len(variants),
        "default": default,
        "example": info.examples[0] if required and info.examples else default,
        "minimum": _bound(schema, "minimum"),
        "maximum": _bound(schema, "maximum"),
        "options": options,
    }


def _bound(schema: object, name: str) -> int | float | None:
    """The first ``minimum`` or ``maximum`` in a field's schema (a pair's sides share theirs)."""
    if isinstance(schema, dict):
        if name in schema:
            return schema[name]  # type: ignore[no-any-return]
        children: list[object] = list(schema.values())
    elif isinstance(schema, list):
        children = schema
    else:
        return None
    for child in children:
        bound = _bound(child, name)
        if bound is not None:
            return bound
    return None
