"""An explanation request checked against its model and completed, before any work.

:func:`plan_explanation` refuses, with what was wrong and what would do: an unknown method, an
option of another method, a class index outside the model's classes, a Grad-CAM layer without
feature maps, occlusion with more than ``MAX_POSITIONS`` patch positions or a patch value outside
the model's scale, and any request whose work (layer values computed) is over
``MAX_WORK_VALUES``. The bounds of the numbers themselves are here too; the form's schema
publishes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar, get_args

import numpy as np
from numpy.typing import NDArray

from app.core.model_input import scale_pixels, value_range
from app.errors import InvalidParameter, UnknownName
from app.ml.explain_maps import occlusion_grid
from app.ml.loaded import LoadedModel

FloatArray = NDArray[np.float32]
N = TypeVar("N", int, float)
Method = Literal[
    "gradcam", "gradcam++", "saliency", "smoothgrad", "integrated_gradients", "occlusion"
]
Baseline = Literal["black", "blurred"]
METHODS: tuple[Method, ...] = get_args(Method)
BASELINES: tuple[Baseline, ...] = get_args(Baseline)
GRADIENT_LAYER_METHODS = ("gradcam", "gradcam++")
# The options each method takes; any other is refused rather than silently ignored.
METHOD_OPTIONS: dict[Method, tuple[str, ...]] = {
    "gradcam": ("layer",),
    "gradcam++": ("layer",),
    "saliency": (),
    "smoothgrad": ("samples", "noise", "seed"),
    "integrated_gradients": ("baseline", "steps"),
    "occlusion": ("patch", "stride", "patch_value"),
}

MAX_SAMPLES, DEFAULT_SAMPLES = 50, 20
MAX_NOISE, DEFAULT_NOISE = 1.0, 0.15
MAX_SEED = 2**32 - 1
MAX_STEPS, DEFAULT_STEPS = 200, 50
MAX_POSITIONS = 1024
# Work is counted in layer values computed: a forward pass costs the model's activation values,
# a gradient about three times that (forward, backward, the kept maps). VGG16 at 224x224 holds
# about 15 million: this lets it have some 20 gradient passes or 60 occluded copies per request.
MAX_WORK_VALUES = 1_000_000_000
GRADIENT_COST = 3


@dataclass(frozen=True)
class ExplainRequest:
    """What was asked; ``None`` means the method's default (see :func:`plan_explanation`)."""

    method: Method
    class_index: int | None = None
    layer: str | None = None
    samples: int | None = None
    noise: float | None = None
    seed: int | None = None
    baseline: Baseline | None = None
    steps: int | None = None
    patch: int | None = None
    stride: int | None = None
    patch_value: float | None = None


@dataclass(frozen=True)
class ExplainPlan:
    """A checked request with every default filled in, and the work it will take."""

    method: Method
    class_index: int | None
    layer: str | None = None
    samples: int = DEFAULT_SAMPLES
    noise: float = DEFAULT_NOISE
    seed: int = 0
    baseline: Baseline = "black"
    steps: int = DEFAULT_STEPS
    patch: int = 0
    stride: int = 0
    patch_value: tuple[float, ...] = ()
    grid: tuple[int, int] = (0, 0)
    work_values: int = 0


def spatial_layers(loaded: LoadedModel) -> tuple[str, ...]:
    """Layers whose output is feature maps ``H x W x C``: the ones Grad-CAM can weigh."""
    return tuple(layer.name for layer in loaded.layers if len(layer.output_shape) == 3)


def plan_explanation(loaded: LoadedModel, request: ExplainRequest) -> ExplainPlan:
    """``request`` checked against ``loaded`` and completed; raises :class:`InvalidParameter`
    (or :class:`UnknownName` for a layer) saying what is wrong and what would do."""
    method = request.method
    if method not in METHODS:
        raise UnknownName(
            "There is no method {method!r}. Methods: {known}.",
            method=method,
            known=", ".join(METHODS),
        )
    _refuse_other_options(request)
    classes = len(loaded.metadata.classes)
    if request.class_index is not None and not 0 <= request.class_index < classes:
        raise InvalidParameter(
            "class_index is {index}, but model {model!r} has {classes} classes, 0 to {last}. "
            "Leave it out to explain the predicted class.",
            index=request.class_index,
            model=loaded.id,
            classes=classes,
            last=classes - 1,
        )
    values = loaded.activation_values
    plan = ExplainPlan(method=method, class_index=request.class_index)
    if method in GRADIENT_LAYER_METHODS:
        plan = _with_layer(loaded, plan, request.layer)
        return _bounded(loaded, plan, GRADIENT_COST * values, 1)
    if method == "saliency":
        return _bounded(loaded, plan, GRADIENT_COST * values, 1)
    if method == "smoothgrad":
        samples = within("samples", request.samples, DEFAULT_SAMPLES, 1, MAX_SAMPLES)
        plan = ExplainPlan(
            method=method,
            class_index=request.class_index,
            samples=samples,
            noise=within("noise", request.noise, DEFAULT_NOISE, 0.0, MAX_NOISE),
            seed=within("seed", request.seed, 0, 0, MAX_SEED),
        )
        work = samples * GRADIENT_COST * values
        return _bounded(loaded, plan, work, samples, "samples")
    if method == "integrated_gradients":
        steps = within("steps", request.steps, DEFAULT_STEPS, 1, MAX_STEPS)
        plan = ExplainPlan(
            method=method,
            class_index=request.class_index,
            baseline=request.baseline or "black",
            steps=steps,
        )
        work = (steps + 1) * GRADIENT_COST * values
        return _bounded(loaded, plan, work, steps + 1, "steps")
    return _occlusion_plan(loaded, request)


def _refuse_other_options(request: ExplainRequest) -> None:
    takes = METHOD_OPTIONS[request.method]
    for option in sorted({o for options in METHOD_OPTIONS.values() for o in options}):
        if getattr(request, option) is not None and option not in takes:
            users = [m for m, options in METHOD_OPTIONS.items() if option in options]
            raise _not_an_option(option, users, request.method, takes)


def _not_an_option(
    option: str, users: Sequence[str], method: str, takes: tuple[str, ...]
) -> InvalidParameter:
    """An option of one or two other methods (a sentence for each case)."""
    params = {"option": option, "user": users[0], "method": method, "own": ", ".join(takes)}
    if len(users) == 1 and takes:
        return InvalidParameter(
            "{option} is an option of {user}, not of {method} (its options are {own}). "
            "Leave {option} out, or choose method={user}.",
            **params,
        )
    if len(users) == 1:
        return InvalidParameter(
            "{option} is an option of {user}, not of {method} (it takes no options). "
            "Leave {option} out, or choose method={user}.",
            **params,
        )
    params["other"] = " and ".join(users[1:])
    if takes:
        return InvalidParameter(
            "{option} is an option of {user} and {other}, not of {method} (its options are "
            "{own}). Leave {option} out, or choose method={user}.",
            **params,
        )
    return InvalidParameter(
        "{option} is an option of {user} and {other}, not of {method} (it takes no options). "
        "Leave {option} out, or choose method={user}.",
        **params,
    )


def _with_layer(loaded: LoadedModel, plan: ExplainPlan, layer: str | None) -> ExplainPlan:
    candidates = spatial_layers(loaded)
    if not candidates:
        raise InvalidParameter(
            "Model {model!r} has no layer with feature maps (an output of height x width x "
            "channels), so {method} has nothing to weigh. Use method=saliency, "
            "integrated_gradients or occlusion, which explain through the input itself.",
            model=loaded.id,
            method=plan.method,
        )
    if layer is None:
        layer = candidates[-1]
    elif layer not in candidates:
        known = [summary.name for summary in loaded.layers]
        params = {"layer": layer, "method": plan.method, "candidates": ", ".join(candidates)}
        if layer in known:
            raise UnknownName(
                "layer {layer!r} is a {kind} layer whose output {shape} is not feature maps; "
                "{method} weighs the feature maps (height x width x channels) of a layer. "
                "Layers with feature maps: {candidates} (the default is the last).",
                kind=loaded.layer(layer).type,
                shape="x".join(map(str, loaded.layer(layer).output_shape)),
                **params,
            )
        raise UnknownName(
            "layer {layer!r} is not a layer of model {model!r}; {method} weighs the feature "
            "maps (height x width x channels) of a layer. Layers with feature maps: "
            "{candidates} (the default is the last).",
            model=loaded.id,
            **params,
        )
    return ExplainPlan(method=plan.method, class_index=plan.class_index, layer=layer)


def _occlusion_plan(loaded: LoadedModel, request: ExplainRequest) -> ExplainPlan:
    height, width, channels = loaded.input_shape
    side = min(height, width)
    patch = within("patch", request.patch, max(1, round(side / 7)), 1, side)
    default_stride = max(max(1, patch // 2), _least_stride(loaded, patch))
    stride = within("stride", request.stride, default_stride, 1, max(height, width))
    grid = occlusion_grid((height, width), patch, stride)
    if _count(grid) > MAX_POSITIONS:
        raise InvalidParameter(
            "patch {patch} with stride {stride} on a {height}x{width} input makes "
            "{rows}x{columns} = {count:,} positions; occlusion tries at most {limit:,}. Use a "
            "larger stride (at least {least}) or a larger patch.",
            patch=patch,
            stride=stride,
            height=height,
            width=width,
            rows=grid[0],
            columns=grid[1],
            count=_count(grid),
            limit=MAX_POSITIONS,
            least=_least_stride(loaded, patch),
        )
    scale = loaded.metadata.input.scale
    low, high = value_range(scale)
    if request.patch_value is None:
        patch_value = tuple(float(v) for v in black(loaded))
    elif not low <= request.patch_value <= high:
        raise InvalidParameter(
            "patch_value is {value:g}, outside the {low:g} to {high:g} this "
            'model\'s inputs take (scale "{scale}"). Give a value in that range, or leave it '
            "out for black.",
            value=request.patch_value,
            low=low,
            high=high,
            scale=scale,
        )
    else:
        patch_value = (float(request.patch_value),) * channels
    plan = ExplainPlan(
        method="occlusion",
        class_index=request.class_index,
        patch=patch,
        stride=stride,
        patch_value=patch_value,
        grid=grid,
    )
    work = (_count(grid) + 1) * loaded.activation_values
    return _bounded(loaded, plan, work, _count(grid) + 1, "stride")


def _least_stride(loaded: LoadedModel, patch: int) -> int:
    height, width, _ = loaded.input_shape
    stride = 1
    while _count(occlusion_grid((height, width), patch, stride)) > MAX_POSITIONS:
        stride += 1
    return stride


def _count(grid: tuple[int, int]) -> int:
    return grid[0] * grid[1]


def _bounded(
    loaded: LoadedModel, plan: ExplainPlan, work: int, passes: int, knob: str | None = None
) -> ExplainPlan:
    """``plan`` with its work, or :class:`InvalidParameter` when it is over the cap: ``passes``
    gradient passes (through ``knob``: "samples" or "steps"), or forward passes ("stride")."""
    if work > MAX_WORK_VALUES:
        raise _too_much_work(loaded, plan.method, work, passes, knob)
    return ExplainPlan(**{**plan.__dict__, "work_values": work})


def _too_much_work(
    loaded: LoadedModel, method: str, work: int, passes: int, knob: str | None
) -> InvalidParameter:
    params = {
        "method": method,
        "model": loaded.id,
        "passes": passes,
        "values": loaded.activation_values,
        "work": work,
        "limit": MAX_WORK_VALUES,
    }
    if knob == "stride":
        return InvalidParameter(
            "{method} on model {model!r} takes {passes:,} forward passes through its "
            "{values:,} layer values, {work:,} values in all; one request computes at most "
            "{limit:,}. Use a larger stride (fewer patch positions), or a smaller model.",
            **params,
        )
    if knob == "samples":
        return InvalidParameter(
            "{method} on model {model!r} takes {passes} gradient passes through its "
            "{values:,} layer values, {work:,} values in all; one request computes at most "
            "{limit:,}. Use fewer samples, or a smaller model.",
            **params,
        )
    if knob == "steps":
        return InvalidParameter(
            "{method} on model {model!r} takes {passes} gradient passes through its "
            "{values:,} layer values, {work:,} values in all; one request computes at most "
            "{limit:,}. Use fewer steps, or a smaller model.",
            **params,
        )
    return InvalidParameter(
        "{method} on model {model!r} takes one gradient pass through its "
        "{values:,} layer values, {work:,} values in all; one request computes at most "
        "{limit:,}. Use a smaller model.",
        **params,
    )


def within(name: str, value: N | None, default: N, low: N, high: N) -> N:
    """A request's optional setting: its default when left out, refused outside low..high."""
    if value is None:
        return default
    if not low <= value <= high:
        raise InvalidParameter(
            "{name} is {value}; it must be from {low} to {high}. Leave it out for {default}.",
            name=name,
            value=value,
            low=low,
            high=high,
            default=default,
        )
    return value


def black(loaded: LoadedModel) -> FloatArray:
    """Black (pixel value 0 in every channel) in the model's scale, ``(C,)``."""
    channels = loaded.input_shape[2]
    black = np.zeros((1, 1, channels), dtype=np.uint8)
    values: FloatArray = scale_pixels(black, loaded.metadata.input.scale).reshape(channels)
    return values
