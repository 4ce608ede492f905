"""The queries and answers of ``GET /api/models/{id}/patterns`` and ``.../dreams``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.ml.patterns_plan import (
    DEFAULT_BLUR,
    DEFAULT_STEPS,
    DEFAULT_UNITS,
    MAX_BLUR,
    MAX_JITTER,
    MAX_SEED,
    MAX_STEPS,
    MAX_UNITS,
)
from app.schemas.models import INPUT_PICTURE, MODEL_INPUT, AnyPreprocessing, PredictForm

RANGE_PATTERN = r"^\s*\d{1,5}\s*(-\s*\d{1,5}\s*)?$"


def _range(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    first, _, last = text.partition("-")
    return int(first), int(last or first)


class AscentQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: int | None = Field(
        default=None,
        ge=1,
        le=MAX_STEPS,
        description=f"Gradient ascent steps; {DEFAULT_STEPS} if left out.",
    )
    seed: int | None = Field(
        default=None,
        ge=0,
        le=MAX_SEED,
        description="The random seed of the start and the jitter (the same seed, the same "
        "picture); 0 if left out.",
    )
    jitter: int | None = Field(
        default=None,
        ge=0,
        le=MAX_JITTER,
        description="Each step shifts the image by up to this many pixels first, so the "
        "picture does not lean on single pixels; one per 56 of the input's shorter side if "
        "left out (0 on a 28x28 digit); 0 for none.",
    )
    blur: float | None = Field(
        default=None,
        ge=0.0,
        le=MAX_BLUR,
        allow_inf_nan=False,
        description="Each step mixes in this much of the image blurred by a 3x3 binomial "
        f"kernel, which keeps the picture smooth; {DEFAULT_BLUR} if left out, 0 for none.",
    )


class PatternsQuery(AscentQuery):
    layer: str | None = Field(
        default=None,
        max_length=64,
        description="A layer with feature maps (one pattern per filter) or a vector (one per "
        "unit); the first convolution layer (else the first Dense) if left out.",
    )
    units: str | None = Field(
        default=None,
        max_length=11,
        pattern=RANGE_PATTERN,
        description=f"The filters or units, 'first-last' (from 0, both included) or one number, "
        f"at most {MAX_UNITS}; the first {DEFAULT_UNITS} if left out.",
        examples=["0-5"],
    )

    def unit_range(self) -> tuple[int, int] | None:
        return _range(self.units)


class DreamsQuery(AscentQuery):
    classes: str | None = Field(
        default=None,
        max_length=11,
        pattern=RANGE_PATTERN,
        description=f"The classes, 'first-last' (from 0, both included) or one number, at most "
        f"{MAX_UNITS}; the first {MAX_UNITS} (every class of a digit model) if left out.",
        examples=["0-9"],
    )

    def class_range(self) -> tuple[int, int] | None:
        return _range(self.classes)


class DatasetImage(BaseModel):
    name: str = Field(description="The image's name.")
    label: str = Field(description="Its class.")
    url: str = Field(description="Where the page can show it (a data: URL for a dataset's).")
    activation: float = Field(description="The unit's activation for it.")


class UnitPatternOut(BaseModel):
    unit: int = Field(description="The filter or unit, from 0.")
    image: str = Field(
        description="The pattern as a base64 PNG at the input's size, its values mapped back "
        "to pixels 0..255 with the model's scale."
    )
    activation: float = Field(
        description="The unit's activation for the pattern: the layer's output (averaged over "
        "the filter's map for feature maps), as GET .../activations shows it."
    )
    start_activation: float = Field(description="The same for the starting image.")
    objective: float = Field(
        description="What the ascent climbed, for the pattern: the pre-activation (before the "
        "layer's ReLU or other activation) for Conv2D and Dense layers that have one, else "
        "the activation."
    )
    start_objective: float = Field(description="The same for the starting image.")
    top_images: list[DatasetImage] | None = Field(
        description="The dataset images with the highest activation, highest first (see "
        "dataset): for digit models the shipped digits, for models trained here images of "
        "their dataset (url: a data URL); null for other models."
    )


class AscentSettings(BaseModel):
    steps: int = Field(description="Gradient ascent steps taken.")
    seed: int = Field(description="The random seed.")
    jitter: int = Field(description="Largest shift per step, in pixels.")
    blur: float = Field(description="The blur mixed in per step.")


class PatternsResponse(AscentSettings):
    model: str = Field(description="The model id.")
    layer: str = Field(description="The layer.")
    kind: Literal["maps", "vector"] = Field(
        description="maps: each unit is a filter, its activation the mean of its feature map; "
        "vector: each unit is one value."
    )
    dataset: str | None = Field(
        description="Where top_images come from; null when the model has none here."
    )
    patterns: list[UnitPatternOut] = Field(description="One per unit asked for, in order.")


class DreamOut(BaseModel):
    class_index: int = Field(description="The class dreamt of.")
    class_name: str = Field(description="Its name.")
    image: str = Field(
        description="The input that maximises the class score, a base64 PNG mapped back to "
        "pixels 0..255 with the model's scale."
    )
    score: float = Field(
        description="The class score before the softmax for the dream (the model's output when "
        "it gives logits): what the ascent climbed."
    )
    start_score: float = Field(
        description="The same for the start: the seeded noise, or the image sent (POST)."
    )
    probability: float = Field(description="The class probability for the dream.")
    start_probability: float = Field(
        description="The same for the start: the seeded noise, or the image sent (POST)."
    )
    scores: list[float] = Field(description="Every class's score for the dream.")
    probabilities: list[float] = Field(description="Every class's probability for the dream.")


class DreamsResponse(AscentSettings):
    model: str = Field(description="The model id.")
    classes: list[str] = Field(description="The model's class names.")
    dreams: list[DreamOut] = Field(description="One per class asked for, in order.")


class DreamsForm(PredictForm, DreamsQuery):
    """POST .../dreams: the same choices, and the image the ascent starts from."""


class DreamsFromImageResponse(DreamsResponse):
    model_input: list[Any] | None = Field(description=MODEL_INPUT)
    input_picture: str = Field(description=INPUT_PICTURE)
    preprocessing: AnyPreprocessing = Field(description="What was done to the image.")
