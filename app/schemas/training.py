"""Training jobs: the request that starts one, and the job's state as GET /api/jobs shows it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from app.core.architecture.layers import Layer
from app.core.architecture.limits import MAX_LAYERS
from app.errors import InvalidValue
from app.schemas.architectures import _count_layers
from app.schemas.common import Strict

RecipeName = Literal["lenet5", "mnist-cnn", "mlp", "small-vgg"]
Optimizer = Literal["adam", "sgd", "rmsprop"]
MAX_EPOCHS = 50
MAX_BATCH_SIZE = 512

_STACK_EXAMPLE: list[JsonValue] = [
    {"type": "Conv2D", "filters": 8, "kernel_size": 3, "activation": "relu"},
    {"type": "MaxPooling2D", "pool_size": 2},
    {"type": "Flatten"},
    {"type": "Dense", "units": 2, "activation": "softmax"},
]


class TrainingRequest(Strict):
    dataset: str = Field(
        min_length=1,
        max_length=64,
        description="A dataset id from POST /api/datasets.",
        examples=["shapes-3f9a1c2b"],
    )
    architecture: (
        RecipeName | Annotated[list[Layer], Field(min_length=1, max_length=MAX_LAYERS)]
    ) = Field(
        description="A recipe (lenet5: LeNet-5 as the course builds it, with swish; mnist-cnn: "
        "the course CNN; mlp: the dense baseline; small-vgg: VGG's shape, small, for colour "
        "images) or a stack in the Architecture lab's format. Its input becomes the dataset's "
        "image shape and its last layer, a Dense, gets one unit per class.",
        examples=["small-vgg"],
    )
    epochs: int = Field(default=5, ge=1, le=MAX_EPOCHS, description="Passes over the images.")
    batch_size: int = Field(
        default=32, ge=1, le=MAX_BATCH_SIZE, description="Images per weight update."
    )
    learning_rate: float = Field(
        default=1e-3, gt=0, le=1, allow_inf_nan=False, description="The optimizer's step size."
    )
    optimizer: Optimizer = Field(default="adam", description="How the weights are updated.")
    validation_split: float = Field(
        default=0.2,
        ge=0.05,
        le=0.5,
        allow_inf_nan=False,
        description="Fraction of the images held out (chosen with the seed) to measure "
        "accuracy on images the network never trains on.",
    )
    augment: bool = Field(
        default=False,
        description="Move each training image a little every epoch: shifts of up to 10%, "
        "rotations of up to 10 degrees, zoom of up to 10%.",
    )
    flips: bool = Field(
        default=False,
        description="With augment: mirror images left to right too. Only for classes whose "
        "mirror image is the same class (not letters or digits).",
    )
    seed: int = Field(
        default=1998,
        ge=0,
        le=2**31 - 1,
        description="Fixes the initial weights, the held-out images and the shuffling.",
    )
    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=80,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="The trained model's name; default: the dataset's name and the network's.",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"dataset": "shapes-3f9a1c2b", "architecture": "small-vgg", "epochs": 5},
                {"dataset": "shapes-3f9a1c2b", "architecture": _STACK_EXAMPLE, "epochs": 3},
            ]
        }
    )

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: Any) -> Any:
        # Counted on the raw JSON, so that a huge or deeply nested stack is refused cheaply.
        if isinstance(data, dict) and isinstance(data.get("architecture"), list):
            _count_layers(data["architecture"], 0, 0)
        return data

    @model_validator(mode="after")
    def _flips_need_augment(self) -> TrainingRequest:
        if self.flips and not self.augment:
            raise InvalidValue("flips is part of augmentation: set augment to true as well")
        return self

    @property
    def architecture_name(self) -> str:
        return self.architecture if isinstance(self.architecture, str) else "your stack"


class JobState(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    cancelled = "cancelled"


FINISHED = (JobState.done, JobState.failed, JobState.cancelled)


class EpochResult(BaseModel):
    epoch: int = Field(description="1 for the first epoch.")
    loss: float | None = Field(description="Mean training loss over the epoch.")
    accuracy: float | None = Field(description="Training accuracy over the epoch.")
    val_loss: float | None = Field(description="Loss on the held-out images after the epoch.")
    val_accuracy: float | None = Field(description="Accuracy on the held-out images.")
    seconds: float = Field(description="How long the epoch took, validation included.")


class Progress(BaseModel):
    epoch: int = Field(description="The epoch under way (1 for the first); 0 before training.")
    epochs: int = Field(description="Epochs asked for.")
    batch: int = Field(description="Batches done in this epoch.")
    batches: int = Field(description="Batches in one epoch.")
    fraction: float = Field(description="How much of the whole job is done, 0 to 1.")
    loss: float | None = Field(default=None, description="Mean loss so far in this epoch.")
    accuracy: float | None = Field(default=None, description="Accuracy so far in this epoch.")


class JobStatus(BaseModel):
    id: str = Field(description="The job's id.")
    kind: Literal["training"] = "training"
    state: JobState = Field(description="queued, running, done, failed or cancelled.")
    place: int | None = Field(
        default=None, description="Queued: 1 if it is the next job to start, 2 after that, ..."
    )
    reason: str | None = Field(default=None, description="Failed: why, and what to do.")
    name: str = Field(description="The trained model's name.")
    dataset: str = Field(description="The dataset's id.")
    architecture: str = Field(description='The recipe\'s name, or "your stack".')
    classes: list[str] = Field(description="The dataset's classes, in output order.")
    image_shape: list[int] = Field(description="Height, width, channels of the network's input.")
    params: int = Field(description="The network's parameters.")
    request: TrainingRequest = Field(description="What was asked for.")
    created: datetime = Field(description="When it was queued (UTC).")
    started: datetime | None = Field(default=None, description="When training began (UTC).")
    finished: datetime | None = Field(default=None, description="When it ended (UTC).")
    progress: Progress | None = Field(default=None, description="Running: where it is.")
    history: list[EpochResult] = Field(default=[], description="Each finished epoch.")
    seconds_per_epoch: float | None = Field(default=None, description="Mean epoch time so far.")
    seconds_left: float | None = Field(default=None, description="Running: the estimate left.")
    filter_layer: str | None = Field(
        default=None,
        description="The first convolution, whose filters and feature maps are kept every "
        "epoch (GET /api/jobs/{id}/epochs/{epoch}).",
    )
    filter_epochs: list[int] = Field(
        default=[], description="Epochs kept so far (0: the initial weights, before training)."
    )
    probe_class: str | None = Field(
        default=None,
        description="The class of the held-out image whose feature maps are kept every epoch.",
    )
    worker: str | None = Field(
        default=None, description="The worker that took the job: host name and process id."
    )
    model: str | None = Field(default=None, description="Done: the trained model's id.")
    version: int = Field(default=0, description="Grows with every update of the job.")


class TrainingCreated(BaseModel):
    id: str = Field(description="The job's id: GET /api/jobs/{id} follows it.")
    cancel_token: str = Field(
        description="Send as 'Authorization: Bearer <token>' to DELETE /api/jobs/{id} to "
        "cancel, and to DELETE /api/models/{id} to delete the trained model. Shown only once."
    )
    status: JobStatus


class SnapshotScale(BaseModel):
    colormap: Literal["diverging", "sequential"] = Field(
        description="diverging: blue below zero, near-white at zero, red above; sequential: "
        "white at 0 to dark blue at the maximum."
    )
    min: float = Field(description="The value drawn with the scale's first colour.")
    max: float = Field(description="The value drawn with the scale's last colour.")


class SnapshotFilters(BaseModel):
    kernel_shape: list[int] = Field(
        description="Keras layout of the whole kernel: height, width, input channels, filters."
    )
    value_range: list[float] = Field(description="Smallest and largest weight of the epoch.")
    scale: SnapshotScale = Field(description="The colour scale of grid and tiles.")
    grid: str | None = Field(
        default=None,
        description="png: the sent filters as one base64 PNG, a column per filter and a row "
        "per input channel, each weight 8 pixels wide.",
    )
    kernels: list[list[list[list[float]]]] | None = Field(
        default=None, description="numbers: kernels[f][c], filter f's weights for channel c."
    )


class SnapshotMaps(BaseModel):
    shape: list[int] = Field(description="Height, width, channels of the layer's whole output.")
    value_range: list[float] = Field(description="Smallest and largest value of the epoch.")
    scale: SnapshotScale = Field(description="The colour scale of the tiles.")
    tiles: list[str] | None = Field(
        default=None, description="png: one base64 PNG per sent channel."
    )
    maps: list[list[list[float]]] | None = Field(
        default=None, description="numbers: maps[c] is sent channel c as rows of values."
    )


class EpochSnapshot(BaseModel):
    job: str = Field(description="The job's id.")
    epoch: int = Field(description="0: the initial weights; n: after epoch n.")
    epochs: list[int] = Field(description="Every epoch kept so far, to scrub through.")
    layer: str = Field(description="The first convolution layer.")
    channels: list[int] = Field(
        description="The first and last filter sent (both included); filters[0] is the first."
    )
    probe_class: str = Field(description="The class of the held-out image the maps are of.")
    probe_image: str = Field(description="That image as a base64 PNG, as the dataset holds it.")
    filters: SnapshotFilters
    maps: SnapshotMaps


class RecipeInfo(BaseModel):
    name: RecipeName = Field(description="The recipe's name, as POST /api/training takes it.")
    input_shape: list[int] = Field(
        description="The input it was made for; training sets the dataset's image shape."
    )
    layers: list[Layer] = Field(
        description="Its layers in the Architecture lab's format, after the input, as training "
        "builds them (the last Dense then gets one unit per class)."
    )
