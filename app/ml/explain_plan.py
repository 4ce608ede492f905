"""An explanation request checked against its model and completed, before any work.

:func:`plan_explanation` refuses, with what was wrong and what would do: an unknown method, an
option of another method, a class index outside the model's classes, a Grad-CAM layer without
feature maps, occlusion with more than ``MAX_POSITIONS`` patch positions or a patch value outside
the model's scale, and any request whose work (layer values computed) is over
``MAX_WORK_VALUES``. The bounds of the numbers themselves are here too; the form's schema
publishes them.
"""

from __future__ import annotations

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
        raise UnknownName(f"There is no method {method!r}. Methods: {', '.join(METHODS)}.")
    _refuse_other_options(request)
    classes = len(loaded.metadata.classes)
    if request.class_index is not None and not 0 <= request.class_index < classes:
        raise InvalidParameter(
            f"class_index is {request.class_index}, but model {loaded.id!r} has {classes} classes, "
            f"0 to {classes - 1}. Leave it out to explain the predicted class."
        )
    values = loaded.activation_values
    plan = ExplainPlan(method=method, class_index=request.class_index)
    if method in GRADIENT_LAYER_METHODS:
        plan = _with_layer(loaded, plan, request.layer)
        return _bounded(loaded, plan, GRADIENT_COST * values, "one gradient pass")
    if method == "saliency":
        return _bounded(loaded, plan, GRADIENT_COST * values, "one gradient pass")
    if method == "smoothgrad":
        samples = _within("samples", request.samples, DEFAULT_SAMPLES, 1, MAX_SAMPLES)
        plan = ExplainPlan(
            method=method,
            class_index=request.class_index,
            samples=samples,
            noise=_within("noise", request.noise, DEFAULT_NOISE, 0.0, MAX_NOISE),
            seed=_within("seed", request.seed, 0, 0, MAX_SEED),
        )
        work = samples * GRADIENT_COST * values
        return _bounded(loaded, plan, work, f"{samples} gradient passes", "samples")
    if method == "integrated_gradients":
        steps = _within("steps", request.steps, DEFAULT_STEPS, 1, MAX_STEPS)
        plan = ExplainPlan(
            method=method,
            class_index=request.class_index,
            baseline=request.baseline or "black",
            steps=steps,
        )
        work = (steps + 1) * GRADIENT_COST * values
        return _bounded(loaded, plan, work, f"{steps + 1} gradient passes", "steps")
    return _occlusion_plan(loaded, request)


def _refuse_other_options(request: ExplainRequest) -> None:
    takes = METHOD_OPTIONS[request.method]
    for option in sorted({o for options in METHOD_OPTIONS.values() for o in options}):
        if getattr(request, option) is not None and option not in takes:
            users = [m for m, options in METHOD_OPTIONS.items() if option in options]
            own = f"its options are {', '.join(takes)}" if takes else "it takes no options"
            raise InvalidParameter(
                f"{option} is an option of {' and '.join(users)}, not of {request.method} "
                f"({own}). Leave {option} out, or choose method={users[0]}."
            )


def _with_layer(loaded: LoadedModel, plan: ExplainPlan, layer: str | None) -> ExplainPlan:
    candidates = spatial_layers(loaded)
    if not candidates:
        raise InvalidParameter(
            f"Model {loaded.id!r} has no layer with feature maps (an output of height x width x "
            f"channels), so {plan.method} has nothing to weigh. Use method=saliency, "
            "integrated_gradients or occlusion, which explain through the input itself."
        )
    if layer is None:
        layer = candidates[-1]
    elif layer not in candidates:
        known = [summary.name for summary in loaded.layers]
        what = (
            f"is a {loaded.layer(layer).type} layer whose output "
            f"{'x'.join(map(str, loaded.layer(layer).output_shape))} is not feature maps"
            if layer in known
            else f"is not a layer of model {loaded.id!r}"
        )
        raise UnknownName(
            f"layer {layer!r} {what}; {plan.method} weighs the feature maps (height x width x "
            f"channels) of a layer. Layers with feature maps: {', '.join(candidates)} (the "
            "default is the last)."
        )
    return ExplainPlan(method=plan.method, class_index=plan.class_index, layer=layer)


def _occlusion_plan(loaded: LoadedModel, request: ExplainRequest) -> ExplainPlan:
    height, width, channels = loaded.input_shape
    side = min(height, width)
    patch = _within("patch", request.patch, max(1, round(side / 7)), 1, side)
    default_stride = max(max(1, patch // 2), _least_stride(loaded, patch))
    stride = _within("stride", request.stride, default_stride, 1, max(height, width))
    grid = occlusion_grid((height, width), patch, stride)
    if _count(grid) > MAX_POSITIONS:
        raise InvalidParameter(
            f"patch {patch} with stride {stride} on a {height}x{width} input makes "
            f"{grid[0]}x{grid[1]} = {_count(grid):,} positions; occlusion tries at most "
            f"{MAX_POSITIONS:,}. Use a larger stride (at least {_least_stride(loaded, patch)}) or "
            "a larger patch."
        )
    scale = loaded.metadata.input.scale
    low, high = value_range(scale)
    if request.patch_value is None:
        patch_value = tuple(float(v) for v in black(loaded))
    elif not low <= request.patch_value <= high:
        raise InvalidParameter(
            f"patch_value is {request.patch_value:g}, outside the {low:g} to {high:g} this "
            f'model\'s inputs take (scale "{scale}"). Give a value in that range, or leave it '
            "out for black."
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
    return _bounded(loaded, plan, work, f"{_count(grid) + 1:,} forward passes", "stride")


def _least_stride(loaded: LoadedModel, patch: int) -> int:
    height, width, _ = loaded.input_shape
    stride = 1
    while _count(occlusion_grid((height, width), patch, stride)) > MAX_POSITIONS:
        stride += 1
    return stride


def _count(grid: tuple[int, int]) -> int:
    return grid[0] * grid[1]


def _bounded(
    loaded: LoadedModel, plan: ExplainPlan, work: int, passes: str, knob: str | None = None
) -> ExplainPlan:
    """``plan`` with its work, or :class:`InvalidParameter` when it is over the cap."""
    if work > MAX_WORK_VALUES:
        fix = f"Use a smaller {knob}, or a" if knob else "Use a"
        raise InvalidParameter(
            f"{plan.method} on model {loaded.id!r} takes {passes} through its "
            f"{loaded.activation_values:,} layer values, {work:,} values in all; one request "
            f"computes at most {MAX_WORK_VALUES:,}. {fix} smaller model."
        )
    return ExplainPlan(**{**plan.__dict__, "work_values": work})


def _within(name: str, value: N | None, default: N, low: N, high: N) -> N:
    if value is None:
        return default
    if not low <= value <= high:
        raise InvalidParameter(
            f"{name} is {value}; it must be from {low} to {high}. Leave it out for {default}."
        )
    return value


def black(loaded: LoadedModel) -> FloatArray:
    """Black (pixel value 0 in every channel) in the model's scale, ``(C,)``."""
    channels = loaded.input_shape[2]
    black = np.zeros((1, 1, channels), dtype=np.uint8)
    values: FloatArray = scale_pixels(black, loaded.metadata.input.scale).reshape(channels)
    return values
