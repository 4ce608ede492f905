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
from typing import Literal, TypeVar

from app.errors import InvalidParameter, UnknownName
from app.ml.explain_plan import GRADIENT_COST, MAX_SEED, MAX_WORK_VALUES
from app.ml.loaded import LoadedModel

__all__ = ["MAX_SEED", "AscentPlan", "plan_dreams", "plan_patterns"]

N = TypeVar("N", int, float)
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
        what = (
            f"is a {known[name].type} layer whose output "
            f"{'x'.join(map(str, known[name].output_shape))} is neither feature maps nor a vector"
            if name in known
            else f"is not a layer of model {loaded.id!r}"
        )
        raise UnknownName(
            f"layer {name!r} {what}. Patterns are found for the filters of a layer with feature "
            f"maps (height x width x channels) or the units of a vector: {', '.join(candidates)}."
        )
    shape = loaded.layer(name).output_shape
    kind: Kind = "maps" if len(shape) == 3 else "vector"
    noun = "filters" if kind == "maps" else "units"
    chosen = _chosen("units", units, shape[-1], f"layer {name!r} has {shape[-1]} {noun}")
    values = _values_up_to(loaded, name)
    return _bounded(loaded, name, kind, chosen, values, steps, seed, jitter, blur, "units")


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
    chosen = _chosen("classes", classes, count, f"model {loaded.id!r} has {count} classes")
    values = loaded.activation_values
    return _bounded(
        loaded, CLASS_SCORES, "classes", chosen, values, steps, seed, jitter, blur, "classes"
    )


def _default_layer(loaded: LoadedModel, candidates: tuple[str, ...]) -> str:
    if loaded.filter_layers:
        return loaded.filter_layers[0]
    dense = [layer.name for layer in loaded.layers if layer.type == "Dense"]
    if dense:
        return dense[0]
    if not candidates:
        raise InvalidParameter(
            f"Model {loaded.id!r} has no layer with feature maps or a vector of units, so there "
            "is no unit to find a pattern for. Ask for its class dreams instead."
        )
    return candidates[0]


def _chosen(name: str, asked: tuple[int, int] | None, count: int, has: str) -> tuple[int, ...]:
    if asked is None:
        return tuple(range(min(count, DEFAULT_UNITS if name == "units" else MAX_UNITS)))
    first, last = asked
    if first > last or last >= count:
        raise InvalidParameter(
            f"{name} is {first}-{last}, but {has}, 0 to {count - 1}. Give first-last with "
            f"first <= last <= {count - 1}, e.g. 0-{min(count, MAX_UNITS) - 1}."
        )
    if last - first + 1 > MAX_UNITS:
        raise InvalidParameter(
            f"{name} {first}-{last} asks for {last - first + 1}; one request finds at most "
            f"{MAX_UNITS}. Ask for {first}-{first + MAX_UNITS - 1}, then the next ones."
        )
    return tuple(range(first, last + 1))


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
    knob: str,
) -> AscentPlan:
    steps = _within("steps", steps, DEFAULT_STEPS, 1, MAX_STEPS)
    per_step = GRADIENT_COST * values
    work = per_step * len(units) * steps
    if work > MAX_WORK_VALUES:
        most_units = MAX_WORK_VALUES // (per_step * steps)
        most_steps = MAX_WORK_VALUES // (per_step * len(units))
        if most_units == 0 and most_steps == 0:
            instead = "Use a smaller model"
        else:
            options = []
            if most_units:
                options.append(f"at most {most_units} {knob} at {steps} steps")
            if most_steps:
                options.append(f"at most {most_steps} steps for {len(units)} {knob}")
            instead = f"Ask for {' or '.join(options)}"
        what = (
            f"Dreams of {len(units)} classes"
            if kind == "classes"
            else f"Patterns of {len(units)} units of layer {target!r}"
        )
        raise InvalidParameter(
            f"{what} of model {loaded.id!r} over {steps} steps take "
            f"{len(units) * steps:,} gradient steps through {values:,} layer values, "
            f"{work:,} values in all; one request computes at most {MAX_WORK_VALUES:,}. "
            f"{instead}."
        )
    return AscentPlan(
        target=target,
        kind=kind,
        units=units,
        steps=steps,
        seed=_within("seed", seed, 0, 0, MAX_SEED),
        jitter=_within("jitter", jitter, default_jitter(loaded), 0, MAX_JITTER),
        blur=_within("blur", blur, DEFAULT_BLUR, 0.0, MAX_BLUR),
        work_values=work,
    )


def _within(name: str, value: N | None, default: N, low: N, high: N) -> N:
    if value is None:
        return default
    if not low <= value <= high:
        raise InvalidParameter(
            f"{name} is {value}; it must be from {low} to {high}. Leave it out for {default}."
        )
    return value
