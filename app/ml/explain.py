"""Why did the model answer that? One prediction explained by one of six methods.

:func:`plan_explanation` checks what was asked against the model (class index, layer, patch
positions, the work it would take) and fills in the defaults, before any work; :func:`explain`
then runs it on one prepared input ``(H, W, C)``:

- ``gradcam`` / ``gradcam++``: a layer's feature maps weighted by the class score's gradient
  (:func:`app.ml.explain_maps.gradcam`); the map has the layer's ``h x w``;
- ``saliency``: ``|d y^c / d x|``, the largest over the channels; ``smoothgrad``: its mean over
  ``samples`` copies of the input with Gaussian noise of ``noise`` times the scale's range added
  (seeded: the same request gives the same map);
- ``integrated_gradients``: attributions summed over the channels, with the completeness check;
- ``occlusion``: the drop in the class probability when a ``patch x patch`` square at each
  position is set to ``patch_value``; the map is the grid of positions.

``y^c`` is the class score before the softmax (:mod:`app.ml.explain_graph`). Every map comes
with a ``heatmap``: the map resized to the input's ``H x W`` (bilinear).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from app.core.model_input import value_range
from app.ml import explain_maps as maps
from app.ml.explain_graph import model_gradients
from app.ml.explain_plan import (
    GRADIENT_COST,
    GRADIENT_LAYER_METHODS,
    ExplainPlan,
    ExplainRequest,
    black,
    plan_explanation,
)
from app.ml.forward import classify
from app.ml.loaded import LoadedModel

__all__ = ["ExplainPlan", "ExplainRequest", "Explanation", "explain", "plan_explanation"]

FloatArray = NDArray[np.float32]
# The blurred baseline's Gaussian, in pixels, as a fraction of the input's shorter side.
BLUR_SIGMA_FRACTION = 1 / 8
# A batch of inputs through the traced functions holds at most about this much.
BATCH_BYTES = 64 * 1024 * 1024
MAX_BATCH = 64


@dataclass(frozen=True)
class Explanation:
    """One explained prediction: the probabilities, the class explained, its map (at the map's
    own resolution) and heatmap (``H x W``), and the method's own numbers in ``details``."""

    probabilities: FloatArray
    class_index: int
    score: float | None
    map: FloatArray
    heatmap: FloatArray
    details: dict[str, Any] = field(default_factory=dict)


def explain(loaded: LoadedModel, model_input: FloatArray, plan: ExplainPlan) -> Explanation:
    """The explanation ``plan`` asks for, of ``loaded``'s prediction for ``model_input``."""
    x = np.ascontiguousarray(model_input.reshape(loaded.input_shape), dtype=np.float32)
    probabilities = classify(loaded, x)
    class_index = int(np.argmax(probabilities)) if plan.class_index is None else plan.class_index
    size = loaded.input_shape[:2]
    if plan.method in GRADIENT_LAYER_METHODS:
        assert plan.layer is not None  # plan_explanation chose one
        feature_maps, gradients, score = model_gradients(loaded).layer_gradients(
            plan.layer, x, class_index
        )
        compute = maps.gradcam if plan.method == "gradcam" else maps.gradcam_plus_plus
        cam, weights = compute(feature_maps, gradients)
        details: dict[str, Any] = {"layer": plan.layer, "channel_weights": weights.tolist()}
        return _explained(probabilities, class_index, score, cam, size, details)
    if plan.method == "saliency":
        gradients, scores = model_gradients(loaded).input_gradients(x[np.newaxis], class_index)
        found = maps.saliency(gradients[0])
        return _explained(probabilities, class_index, float(scores[0]), found, size, {})
    if plan.method == "smoothgrad":
        return _smoothgrad(loaded, x, plan, probabilities, class_index)
    if plan.method == "integrated_gradients":
        return _integrated_gradients(loaded, x, plan, probabilities, class_index)
    return _occlusion(loaded, x, plan, probabilities, class_index)


def _smoothgrad(
    loaded: LoadedModel,
    x: FloatArray,
    plan: ExplainPlan,
    probabilities: FloatArray,
    class_index: int,
) -> Explanation:
    low, high = value_range(loaded.metadata.input.scale)
    sigma = plan.noise * (high - low)
    rng = np.random.default_rng(plan.seed)
    gradients = model_gradients(loaded)
    total = np.zeros(x.shape[:2], dtype=np.float64)

    def noisy(numbers: range) -> FloatArray:
        noise = rng.normal(0.0, sigma, (len(numbers), *x.shape)).astype(np.float32)
        copies: FloatArray = x + noise
        return copies

    for _, batch in maps.in_batches(plan.samples, _batch_size(loaded, GRADIENT_COST), noisy):
        found, _ = gradients.input_gradients(batch, class_index)
        total += maps.saliency(found).sum(axis=0)
    score = float(gradients.input_gradients(x[np.newaxis], class_index)[1][0])
    details = {"samples": plan.samples, "noise": plan.noise, "noise_sigma": sigma}
    details["seed"] = plan.seed
    return _explained(probabilities, class_index, score, total / plan.samples, x.shape[:2], details)


def _integrated_gradients(
    loaded: LoadedModel,
    x: FloatArray,
    plan: ExplainPlan,
    probabilities: FloatArray,
    class_index: int,
) -> Explanation:
    height, width, _ = loaded.input_shape
    sigma = min(height, width) * BLUR_SIGMA_FRACTION
    baseline = (
        maps.blurred(x, sigma)
        if plan.baseline == "blurred"
        else np.broadcast_to(black(loaded), x.shape).astype(np.float32)
    )
    gradients = model_gradients(loaded)
    points = plan.steps + 1  # k = 0 (the baseline) .. steps (the input)
    gradient_sum = np.zeros(x.shape, dtype=np.float64)
    scores = np.empty(points, dtype=np.float64)

    def path(numbers: range) -> FloatArray:
        return maps.path_points(x, baseline, plan.steps, numbers.start, numbers.stop)

    for numbers, batch in maps.in_batches(points, _batch_size(loaded, GRADIENT_COST), path):
        found, batch_scores = gradients.input_gradients(batch, class_index)
        scores[numbers.start : numbers.stop] = batch_scores
        # k = 0, the baseline, is scored only: the sum runs over k = 1 .. steps.
        gradient_sum += found[max(numbers.start, 1) - numbers.start :].sum(axis=0)
    attributions = maps.integrated_gradients(x, baseline, gradient_sum / plan.steps)
    total, difference = float(attributions.sum()), float(scores[-1] - scores[0])
    details: dict[str, Any] = {
        "baseline": plan.baseline,
        "steps": plan.steps,
        "completeness": {
            "attributions_sum": total,
            "score_difference": difference,
            "score_at_input": float(scores[-1]),
            "score_at_baseline": float(scores[0]),
            "difference": total - difference,
            "relative_difference": None
            if difference == 0
            else (total - difference) / abs(difference),
        },
    }
    if plan.baseline == "blurred":
        details["blur_sigma"] = sigma
    attribution_map = attributions.sum(axis=-1)
    return _explained(
        probabilities, class_index, float(scores[-1]), attribution_map, x.shape[:2], details
    )


def _occlusion(
    loaded: LoadedModel,
    x: FloatArray,
    plan: ExplainPlan,
    probabilities: FloatArray,
    class_index: int,
) -> Explanation:
    gradients = model_gradients(loaded)
    patch_value = np.asarray(plan.patch_value, dtype=np.float32)
    rows, columns = plan.grid
    drops = np.empty(rows * columns, dtype=np.float64)
    unoccluded = float(gradients.probabilities(x[np.newaxis], class_index)[0])

    def occluded(numbers: range) -> FloatArray:
        return maps.occluded_copies(x, plan.patch, plan.stride, patch_value, numbers)

    for numbers, batch in maps.in_batches(rows * columns, _batch_size(loaded, 1), occluded):
        drops[numbers.start : numbers.stop] = unoccluded - gradients.probabilities(
            batch, class_index
        )
    details = {
        "patch": plan.patch,
        "stride": plan.stride,
        "patch_value": list(plan.patch_value),
        "probability": unoccluded,
    }
    return _explained(
        probabilities, class_index, None, drops.reshape(rows, columns), x.shape[:2], details
    )


def _explained(
    probabilities: FloatArray,
    class_index: int,
    score: float | None,
    found: NDArray[np.float64],
    size: tuple[int, ...],
    details: dict[str, Any],
) -> Explanation:
    height, width = size[0], size[1]
    return Explanation(
        probabilities=probabilities,
        class_index=class_index,
        score=score,
        map=found.astype(np.float32),
        heatmap=maps.upsampled(found, (height, width)),
        details=details,
    )


def _batch_size(loaded: LoadedModel, cost: int) -> int:
    """Inputs per batch through the traced functions, so that one batch holds about
    ``BATCH_BYTES``."""
    per_input = max(1, loaded.activation_values * 4 * cost)
    return max(1, min(MAX_BATCH, BATCH_BYTES // per_input))
