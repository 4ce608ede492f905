"""The ``<id>.json`` that sits beside every ``<id>.keras``: what the model is and how it was made.

``convlens train`` writes it; the registry reads it back through :class:`ModelMetadata`, so a
hand-made pair dropped into ``models/`` is checked the same way.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.model_input import Fit, Scale

Preprocessing = Literal["digit", "image"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class DatasetInfo(_Record):
    name: str = Field(description="The dataset, e.g. MNIST.")
    file: str | None = Field(default=None, description="The .npz file trained from, if any.")
    sha256: str | None = Field(default=None, description="SHA-256 of that file.")
    train_images: int | None = Field(default=None, description="Images trained on.")
    val_images: int | None = Field(default=None, description="Images held out for validation.")
    test_images: int | None = Field(default=None, description="Images the accuracy is from.")


class InputContract(_Record):
    shape: tuple[int, int, int] = Field(description="Height, width, channels of one input.")
    dtype: str = Field(default="float32", description="Element type.")
    range: tuple[float, float] = Field(default=(0.0, 1.0), description="Value range.")
    background: str = Field(default="black (0.0)", description="What the background looks like.")
    ink: str = Field(default="white (1.0)", description="What the ink looks like.")
    layout: str = Field(default="", description="How the digit sits in the frame.")
    preprocessing: Preprocessing = Field(
        default="digit",
        description='How an upload becomes the input: "digit" (the MNIST preparation: ink '
        'found, centred, 28x28; 1-channel models) or "image" (colour, fit, scale below).',
    )
    fit: Fit = Field(
        default="stretch",
        description='"image" only: "stretch" to the input size, "crop" the centre to its shape, '
        'or "pad" the whole image with black.',
    )
    scale: Scale = Field(
        default="0..1",
        description='"image" only: pixel values 0..255 become "0..1", "-1..1", "0..255", or '
        '"caffe" / "torch" as keras.applications define them.',
    )


class History(_Record):
    loss: list[float] = Field(description="Training loss after each epoch.")
    accuracy: list[float] = Field(description="Training accuracy after each epoch.")
    val_loss: list[float] = Field(description="Validation loss after each epoch.")
    val_accuracy: list[float] = Field(description="Validation accuracy after each epoch.")


class TrainingInfo(_Record):
    optimizer: str | None = Field(default=None, description="Optimizer.")
    learning_rate: float | None = Field(default=None, description="Learning rate.")
    batch_size: int | None = Field(default=None, description="Batch size.")
    loss: str | None = Field(default=None, description="Loss function.")
    seconds: float | None = Field(default=None, description="Wall-clock training time.")
    seconds_per_epoch: float | None = Field(default=None, description="Mean time per epoch.")
    trained_on: str | None = Field(default=None, description="Date of training (ISO 8601).")
    machine: str | None = Field(default=None, description="Where it was trained.")
    tensorflow: str | None = Field(default=None, description="TensorFlow version.")
    keras: str | None = Field(default=None, description="Keras version.")
    onednn: bool | None = Field(default=None, description="Whether oneDNN was on.")
    command: str | None = Field(default=None, description="The command that reproduces it.")


class Mistake(_Record):
    image: str = Field(description="The held-out image as a base64 PNG, as the dataset holds it.")
    true_class: str = Field(description="Its class in the dataset.")
    predicted: str = Field(description="The class the model chose.")
    confidence: float = Field(description="The probability the model gave its (wrong) choice.")


class Evaluation(_Record):
    """How the model does on the images held out for validation, class by class."""

    images: int = Field(description="Held-out images evaluated.")
    accuracy: float = Field(description="Fraction of them classified right.")
    confusion: list[list[int]] = Field(
        description="confusion[t][p]: held-out images of class t the model called class p."
    )
    per_class_accuracy: list[float | None] = Field(
        description="For each class, the fraction of its held-out images called right (null "
        "if none was held out)."
    )
    mistakes: list[Mistake] = Field(
        description="The most confidently wrong held-out images, most confident first."
    )


class ModelMetadata(_Record):
    id: str = Field(description="The model's id: its file name without .keras.")
    name: str = Field(description="A readable name.")
    description: str = Field(default="", description="One or two sentences on the model.")
    description_template: str | None = Field(
        default=None,
        description="When ConvLens wrote the description (an import, a training run): its "
        "English template, read in the request's language with description_params.",
    )
    description_params: dict[str, str | int] = Field(
        default_factory=dict, description="The fields of description_template."
    )
    dataset: DatasetInfo = Field(description="What it was trained on.")
    classes: list[str] = Field(min_length=2, description="Class names, in output order.")
    input: InputContract = Field(description="The input the model expects.")
    test_accuracy: float | None = Field(default=None, ge=0, le=1, description="Test accuracy.")
    test_loss: float | None = Field(default=None, description="Test loss.")
    epochs: int | None = Field(default=None, description="Epochs trained.")
    seed: int | None = Field(default=None, description="Random seed.")
    history: History | None = Field(default=None, description="Per-epoch curves.")
    training: TrainingInfo | None = Field(default=None, description="The training recipe.")
    evaluation: Evaluation | None = Field(
        default=None,
        description="Trained here: confusion matrix, per-class accuracy and the most "
        "confidently wrong of the held-out images.",
    )
