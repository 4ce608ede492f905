"""The form and answer of ``POST /api/models/{id}/explain``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from app.core.model_input import MAX_SIDE
from app.ml.explain_plan import (
    DEFAULT_NOISE,
    DEFAULT_SAMPLES,
    DEFAULT_STEPS,
    MAX_NOISE,
    MAX_POSITIONS,
    MAX_SAMPLES,
    MAX_SEED,
    MAX_STEPS,
    Baseline,
    ExplainRequest,
    Method,
)
from app.schemas.models import (
    INPUT_PICTURE,
    MODEL_INPUT,
    AnyPreprocessing,
    ColourScale,
    Grid,
    PredictForm,
)

ExplainFormat = Literal["numbers", "png"]
# Far above any model's class count: the model's own count is checked before any work.
MAX_CLASS_INDEX = 99_999
# The widest value any model scale gives ("caffe": -123.68 to 151.061).
MAX_PATCH_VALUE = 1000.0


class ExplainForm(PredictForm):
    method: Method = Field(
        default="gradcam",
        description="gradcam or gradcam++: a layer's feature maps weighted by the class score's "
        "gradient; saliency: |d score / d input|; smoothgrad: saliency averaged over noisy "
        "copies; integrated_gradients: gradients along a path from a baseline, times the "
        "difference; occlusion: how much the class probability drops when a patch hides "
        "each place.",
    )
    class_index: int | None = Field(
        default=None,
        ge=0,
        le=MAX_CLASS_INDEX,
        description="The class to explain, from 0 (see the model's classes); the predicted "
        "class if left out.",
    )
    layer: str | None = Field(
        default=None,
        max_length=64,
        description="gradcam, gradcam++: a layer whose output is feature maps (height x width "
        "x channels); the last such layer if left out.",
    )
    samples: int | None = Field(
        default=None,
        ge=1,
        le=MAX_SAMPLES,
        description=f"smoothgrad: noisy copies averaged; {DEFAULT_SAMPLES} if left out.",
    )
    noise: float | None = Field(
        default=None,
        ge=0.0,
        le=MAX_NOISE,
        allow_inf_nan=False,
        description="smoothgrad: the noise's standard deviation as a fraction of the range of "
        f"the model's input values (0..1 inputs: in those units); {DEFAULT_NOISE} if left out.",
    )
    seed: int | None = Field(
        default=None,
        ge=0,
        le=MAX_SEED,
        description="smoothgrad: the noise's random seed (the same seed, the same map); 0 if "
        "left out.",
    )
    baseline: Baseline | None = Field(
        default=None,
        description="integrated_gradients: the path's start, black (pixel value 0 in the "
        "model's scale) or blurred (the input blurred); black if left out.",
    )
    steps: int | None = Field(
        default=None,
        ge=1,
        le=MAX_STEPS,
        description=f"integrated_gradients: points on the path; {DEFAULT_STEPS} if left out.",
    )
    patch: int | None = Field(
        default=None,
        ge=1,
        le=MAX_SIDE,
        description="occlusion: the square patch's side in input pixels, at most the input's "
        "shorter side; about a seventh of it if left out.",
    )
    stride: int | None = Field(
        default=None,
        ge=1,
        le=MAX_SIDE,
        description="occlusion: pixels between patch positions; half the patch if left out "
        f"(more when needed to keep to {MAX_POSITIONS:,} positions).",
    )
    patch_value: float | None = Field(
        default=None,
        ge=-MAX_PATCH_VALUE,
        le=MAX_PATCH_VALUE,
        allow_inf_nan=False,
        description="occlusion: the value the patch sets in every channel, in the model's "
        "scale; black (pixel value 0 in that scale, per channel) if left out.",
    )
    format: ExplainFormat = Field(
        default="numbers",
        description="numbers: map and heatmap as rows of values; png: both as base64 PNGs "
        "coloured with their scale, and the heatmap laid over the input picture.",
    )

    def request(self) -> ExplainRequest:
        return ExplainRequest(
            method=self.method,
            class_index=self.class_index,
            layer=self.layer,
            samples=self.samples,
            noise=self.noise,
            seed=self.seed,
            baseline=self.baseline,
            steps=self.steps,
            patch=self.patch,
            stride=self.stride,
            patch_value=self.patch_value,
        )


class ExplainMap(BaseModel):
    shape: list[int] = Field(description="Rows and columns.")
    value_range: list[float] = Field(description="Smallest and largest value: min, max.")
    scale: ColourScale = Field(
        description="The colour scale of the PNG; map and heatmap share the map's."
    )
    values: Grid | None = Field(default=None, description='format "numbers": rows of values.')
    png: str | None = Field(default=None, description='format "png": a base64 PNG.')


class Completeness(BaseModel):
    attributions_sum: float = Field(description="The sum of every attribution.")
    score_at_input: float = Field(description="y^c(x): the class score of the input.")
    score_at_baseline: float = Field(description="y^c(x'): the class score of the baseline.")
    score_difference: float = Field(description="y^c(x) - y^c(x'): what the sum should be.")
    difference: float = Field(description="attributions_sum - score_difference.")
    relative_difference: float | None = Field(
        description="difference / |score_difference|; null when that is 0. More steps bring "
        "it closer to 0."
    )


class ExplainDetails(BaseModel):
    layer: str | None = Field(default=None, description="gradcam, gradcam++: the layer.")
    channel_weights: list[float] | None = Field(
        default=None,
        description="gradcam: alpha_k, the spatial mean of d y^c / d A^k, per channel k; "
        "gradcam++: w_k, the Grad-CAM++ weight (without the common factor exp(y^c)).",
    )
    samples: int | None = Field(default=None, description="smoothgrad: noisy copies.")
    noise: float | None = Field(default=None, description="smoothgrad: the noise level.")
    noise_sigma: float | None = Field(
        default=None, description="smoothgrad: the noise's standard deviation, in input units."
    )
    seed: int | None = Field(default=None, description="smoothgrad: the random seed.")
    baseline: Baseline | None = Field(default=None, description="integrated_gradients.")
    blur_sigma: float | None = Field(
        default=None, description="integrated_gradients, blurred: the Gaussian's sigma, pixels."
    )
    steps: int | None = Field(default=None, description="integrated_gradients: path points.")
    completeness: Completeness | None = Field(
        default=None, description="integrated_gradients: do the attributions add up?"
    )
    patch: int | None = Field(default=None, description="occlusion: the patch's side.")
    stride: int | None = Field(default=None, description="occlusion: pixels between positions.")
    patch_value: list[float] | None = Field(
        default=None, description="occlusion: the value the patch set, per channel."
    )
    probability: float | None = Field(
        default=None,
        description="occlusion: the class probability with nothing hidden, from which each "
        "position's drop is measured.",
    )


class ExplainResponse(BaseModel):
    model: str = Field(description="The model id.")
    method: Method = Field(description="The method used.")
    label: str = Field(description="The most probable class.")
    confidence: float = Field(description="Its probability, 0..1.")
    class_index: int = Field(description="The class explained.")
    class_name: str = Field(description="Its name.")
    probabilities: list[float] = Field(description="One probability per class.")
    classes: list[str] = Field(description="Class names, in the order of probabilities.")
    score: float | None = Field(
        description="y^c: the class score before the softmax, whose gradients the map is made "
        "of (the model's output when it gives logits); null for occlusion, which measures "
        "probabilities."
    )
    model_input: list[Any] | None = Field(description=MODEL_INPUT)
    input_picture: str = Field(description=INPUT_PICTURE)
    preprocessing: AnyPreprocessing = Field(description="What was done to the image.")
    map: ExplainMap = Field(
        description="The explanation at its own resolution: the layer's height x width "
        "(gradcam), the input's (gradients), the grid of patch positions (occlusion)."
    )
    heatmap: ExplainMap = Field(
        description="The map resized to the input's height x width (bilinear)."
    )
    overlay: str | None = Field(
        default=None,
        description='format "png": the heatmap laid over the input picture, a base64 PNG; '
        "each pixel's colour is more opaque where the value is larger.",
    )
    details: ExplainDetails = Field(description="The method's own settings and numbers.")
