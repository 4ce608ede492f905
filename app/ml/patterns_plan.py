"""A patterns or dreams request checked against its model and completed, before any work.

:func:`plan_patterns` (what a layer's units respond to) and :func:`plan_dreams` (what each class
score responds to) refuse, with what was wrong and what would do: a layer whose output is
neither feature maps nor a vector, units or classes outside the layer's or model's, more than
``MAX_UNITS`` of them, and any request whose work is over ``MAX_WORK_VALUES``. Work is counted
as in :mod:`app.ml.explain_plan`: layer values computed, a gradient step costing
``GRADIENT_COST`` times the values up to the layer ascended, for every unit and step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from app.errors import InvalidParameter, UnknownName
from app.ml.explain_plan import GRADIENT_COST, MAX_SEED, MAX_WORK_VALUES, within
from app.ml.loaded import LoadedModel

__all__ = ["MAX_SEED", "AscentPlan", "plan_dreams", "plan_patterns"]

Kind = Literal["maps", "vector", "classes"]
MAX_UNITS, DEFAULT_UNITS = 16, 8
MAX_STEPS, DEFAULT_STEPS = 256, 64
MAX_JITTER = 16
MAX_BLUR, DEFAULT_BLUR = 1.0, 0.05
# Jitter and blur trade peak activation for legible pictures; on a 28x28 digit even a one-pixel
# shift costs a first-layer filter more than it gains, so the default jitter starts at 56 pixels.
JITTER_PIXELS_PER_SHIFT = 56
# The dreams' target: the class scores before the softmax (see app.ml.explain_graph).
CLASS_SCORES = "class scores"


@dataclass(frozen=True)
class AscentPlan:
    """A checked request: what to ascend (a layer's units, or the class scores), how long."""

    target: str
    kind: Kind
    units: tuple[int, ...]
    steps: int
    seed: int
    jitter: int
    blur: float
    work_values: int


def unit_layers(loaded: LoadedModel) -> tuple[str, ...]:
    """Layers whose units can be ascended: feature maps ``h x w x k`` or a vector ``k``."""
    return tuple(layer.name for layer in loaded.layers if len(layer.output_shape) in (1, 3))


def default_jitter(loaded: LoadedModel) -> int:
    """One pixel per 56 of the input's shorter side: none on MNIST, 4 on 224x224."""
    return min(loaded.input_shape[:2]) // JITTER_PIXELS_PER_SHIFT


def plan_patterns(
    loaded: LoadedModel,
    layer: str | None,
    units: tuple[int, int] | None,
    steps: int | None = None,
    seed: int | None = None,
    jitter: int | None = None,
    blur: float | None = None,
) -> AscentPlan:
    """A patterns request checked against ``loaded`` and completed (see the module docstring)."""
    candidates = unit_layers(loaded)
    name = layer if layer is not None else _default_layer(loaded, candidates)
    if name not in candidates:
        known = {summary.name: summary for summary in loaded.layers}
        if name in known:
            raise UnknownName(
                "layer {layer!r} is a {kind} layer whose output {shape} is neither feature maps "
                "nor a vector. Patterns are found for the filters of a layer with feature maps "
                "(height x width x channels) or the units of a vector: {candidates}.",
                layer=name,
                kind=known[name].type,
                shape="x".join(map(str, known[name].output_shape)),
                candidates=", ".join(candidates),
            )
        raise UnknownName(
            "layer {layer!r} is not a layer of model {model!r}. Patterns are found for the "
            "filters of a layer with feature maps (height x width x channels) or the units of a "
            "vector: {candidates}.",
            layer=name,
            model=loaded.id,
            candidates=", ".join(candidates),
        )
    shape = loaded.layer(name).output_shape
    kind: Kind = "maps" if len(shape) == 3 else "vector"
    chosen = _chosen("units", units, shape[-1], kind, {"layer": name})
    values = _values_up_to(loaded, name)
    return _bounded(loaded, name, kind, chosen, values, steps, seed, jitter, blur)


def plan_dreams(
    loaded: LoadedModel,
    classes: tuple[int, int] | None,
    steps: int | None = None,
    seed: int | None = None,
    jitter: int | None = None,
    blur: float | None = None,
) -> AscentPlan:
    """A dreams request checked against ``loaded`` and completed (see the module docstring)."""
    count = len(loaded.metadata.classes)
    chosen = _chosen("classes", classes, count, "classes", {"model": loaded.id})
    values = loaded.activation_values
    return _bounded(loaded, CLASS_SCORES, "classes", chosen, values, steps, seed, jitter, blur)


def _default_layer(loaded: LoadedModel, candidates: tuple[str, ...]) -> str:
    if loaded.filter_layers:
        return loaded.filter_layers[0]
    dense = [layer.name for layer in loaded.layers if layer.type == "Dense"]
    if dense:
        return dense[0]
    if not candidates:
        raise InvalidParameter(
            "Model {model!r} has no layer with feature maps or a vector of units, so there "
            "is no unit to find a pattern for. Ask for its class dreams instead.",
            model=loaded.id,
        )
    return candidates[0]


def _chosen(
    name: str, asked: tuple[int, int] | None, count: int, kind: Kind, whose: dict[str, str]
) -> tuple[int, ...]:
    """The units asked for (``name`` "units" or "classes") among the ``count`` a layer's feature
    maps or vector (``whose``: {"layer": name}) or a model's classes ({"model": id}) has."""
    if asked is None:
        return tuple(range(min(count, DEFAULT_UNITS if name == "units" else MAX_UNITS)))
    first, last = asked
    if first > last or last >= count:
        raise _outside(kind, whose, name=name, first=first, last=last, count=count,
                       top=count - 1, example=min(count, MAX_UNITS) - 1)  # fmt: skip
    if last - first + 1 > MAX_UNITS:
        raise InvalidParameter(
            "{name} {first}-{last} asks for {asked}; one request finds at most {limit}. Ask for "
            "{first}-{end}, then the next ones.",
            name=name,
            first=first,
            last=last,
            asked=last - first + 1,
            limit=MAX_UNITS,
            end=first + MAX_UNITS - 1,
        )
    return tuple(range(first, last + 1))


def _outside(kind: Kind, whose: dict[str, str], **params: object) -> InvalidParameter:
    """A range past the last unit: what has them (a sentence for filters, units, classes)."""
    if kind == "maps":
        return InvalidParameter(
            "{name} is {first}-{last}, but layer {layer!r} has {count} filters, 0 to {top}. "
            "Give first-last with first <= last <= {top}, e.g. 0-{example}.",
            **whose,
            **params,
        )
    if kind == "vector":
        return InvalidParameter(
            "{name} is {first}-{last}, but layer {layer!r} has {count} units, 0 to {top}. "
            "Give first-last with first <= last <= {top}, e.g. 0-{example}.",
            **whose,
            **params,
        )
    return InvalidParameter(
        "{name} is {first}-{last}, but model {model!r} has {count} classes, 0 to {top}. "
        "Give first-last with first <= last <= {top}, e.g. 0-{example}.",
        **whose,
        **params,
    )


def _values_up_to(loaded: LoadedModel, name: str) -> int:
    """Layer values a forward pass computes to reach ``name`` (the layers before it and its own)."""
    total = 0
    for layer in loaded.layers:
        total += math.prod(layer.output_shape)
        if layer.name == name:
            break
    return total


def _bounded(
    loaded: LoadedModel,
    target: str,
    kind: Kind,
    units: tuple[int, ...],
    values: int,
    steps: int | None,
    seed: int | None,
    jitter: int | None,
    blur: float | None,
) -> AscentPlan:
    steps = within("steps", steps, DEFAULT_STEPS, 1, MAX_STEPS)
    per_step = GRADIENT_COST * values
    work = per_step * len(units) * steps
    if work > MAX_WORK_VALUES:
        raise _too_much_work(
            kind == "classes",
            most_units=MAX_WORK_VALUES // (per_step * steps),
            most_steps=MAX_WORK_VALUES // (per_step * len(units)),
            count=len(units),
            layer=target,
            model=loaded.id,
            steps=steps,
            gradient_steps=len(units) * steps,
            values=values,
            work=work,
            limit=MAX_WORK_VALUES,
        )
    return AscentPlan(
        target=target,
        kind=kind,
        units=units,
        steps=steps,
        seed=within("seed", seed, 0, 0, MAX_SEED),
        jitter=within("jitter", jitter, default_jitter(loaded), 0, MAX_JITTER),
        blur=within("blur", blur, DEFAULT_BLUR, 0.0, MAX_BLUR),
        work_values=work,
    )


def _too_much_work(
    dreams: bool, most_units: int, most_steps: int, **params: object
) -> InvalidParameter:
    """Over the cap: dreams of classes or patterns of a layer's units, and what to ask for
    instead (fewer units or classes, fewer steps, either, or a smaller model): a sentence each."""
    params.update(most_units=most_units, most_steps=most_steps)
    if dreams and not most_units and not most_steps:
        return InvalidParameter(
            "Dreams of {count} classes of model {model!r} over {steps} steps take "
            "{gradient_steps:,} gradient steps through {values:,} layer values, {work:,} values "
            "in all; one request computes at most {limit:,}. Use a smaller model.",
            **params,
        )
    if dreams and not most_steps:
        return InvalidParameter(
            "Dreams of {count} classes of model {model!r} over {steps} steps take "
            "{gradient_steps:,} gradient steps through {values:,} layer values, {work:,} values "
            "in all; one request computes at most {limit:,}. Ask for at most {most_units} "
            "classes at {steps} steps.",
            **params,
        )
    if dreams and not most_units:
        return InvalidParameter(
            "Dreams of {count} classes of model {model!r} over {steps} steps take "
            "{gradient_steps:,} gradient steps through {values:,} layer values, {work:,} values "
            "in all; one request computes at most {limit:,}. Ask for at most {most_steps} "
            "steps for {count} classes.",
            **params,
        )
    if dreams:
        return InvalidParameter(
            "Dreams of {count} classes of model {model!r} over {steps} steps take "
            "{gradient_steps:,} gradient steps through {values:,} layer values, {work:,} values "
            "in all; one request computes at most {limit:,}. Ask for at most {most_units} "
            "classes at {steps} steps or at most {most_steps} steps for {count} classes.",
            **params,
        )
    if not most_units and not most_steps:
        return InvalidParameter(
            "Patterns of {count} units of layer {layer!r} of model {model!r} over {steps} steps "
            "take {gradient_steps:,} gradient steps through {values:,} layer values, {work:,} "
            "values in all; one request computes at most {limit:,}. Use a smaller model.",
            **params,
        )
    if not most_steps:
        return InvalidParameter(
            "Patterns of {count} units of layer {layer!r} of model {model!r} over {steps} steps "
            "take {gradient_steps:,} gradient steps through {values:,} layer values, {work:,} "
            "values in all; one request computes at most {limit:,}. Ask for at most "
            "{most_units} units at {steps} steps.",
            **params,
        )
    if not most_units:
        return InvalidParameter(
            "Patterns of {count} units of layer {layer!r} of model {model!r} over {steps} steps "
            "take {gradient_steps:,} gradient steps through {values:,} layer values, {work:,} "
            "values in all; one request computes at most {limit:,}. Ask for at most "
            "{most_steps} steps for {count} units.",
            **params,
        )
    return InvalidParameter(
        "Patterns of {count} units of layer {layer!r} of model {model!r} over {steps} steps "
        "take {gradient_steps:,} gradient steps through {values:,} layer values, {work:,} "
        "values in all; one request computes at most {limit:,}. Ask for at most {most_units} "
        "units at {steps} steps or at most {most_steps} steps for {count} units.",
        **params,
    )
