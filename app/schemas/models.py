"""Request forms and response models of the trained-model endpoints."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import UploadFile
from pydantic import BaseModel, Field

from app.core.model_input import Fit, Scale
from app.core.preprocess import DigitOptions, InvertMode
from app.ml.dropout import MAX_SAMPLES as MC_MAX_SAMPLES
from app.ml.dropout import MIN_SAMPLES as MC_MIN_SAMPLES
from app.ml.metadata import Evaluation, History, TrainingInfo
from app.schemas.form_fields import IMAGE_FILE, NamesAcceptedFields

Grid = list[list[float]]
MAX_INPUT_NUMBERS = 65_536  # 128x128x4: the numbers of any input up to 147x147x3


class ModelInfo(BaseModel):
    id: str = Field(description="The id used in URLs, e.g. lenet5.")
    name: str = Field(description="A readable name.")
    description: str = Field(description="One or two sentences on the model.")
    dataset: str = Field(description="What it was trained on.")
    classes: list[str] = Field(description="Class names, in the order of the probabilities.")
    input_shape: list[int] = Field(description="Height, width, channels of the model's input.")
    parameters: int = Field(description="Total number of parameters (weights and biases).")
    test_accuracy: float | None = Field(description="Accuracy on the dataset's test split, 0..1.")
    layers: list[str] = Field(description="Layer names, input to output.")
    filter_layers: list[str] = Field(description="Layers with learned filters (convolutions).")
    runtime: str = Field(description="How requests run the model: litert or tf.function.")
    origin: Literal["shipped", "imported", "trained"] = Field(
        description="shipped with ConvLens, imported from a file, or trained here."
    )
    preprocessing: Literal["digit", "image"] = Field(
        description="What the model takes: digit (drawings, the MNIST preparation) or image "
        "(photos: see input_shape)."
    )
    fit: Fit = Field(description='"image" models: how a photo is made the input size.')
    scale: Scale = Field(
        description='"image" models: how pixel values become the model\'s numbers ("caffe": '
        "blue, green, red order, ImageNet's mean subtracted)."
    )


class LayerRow(BaseModel):
    name: str = Field(description="The layer's name: the key for activations and filters.")
    type: str = Field(description="The Keras layer class, e.g. Conv2D.")
    input_shape: list[int] = Field(description="Shape of one input, without the batch axis.")
    output_shape: list[int] = Field(description="Shape of one output, without the batch axis.")
    params: int = Field(description="Parameters of this layer.")
    params_formula: str = Field(
        description="Each weight tensor's shape multiplied out and summed, e.g. "
        "5*5*1*6 + 6 = 156 (kernel height*width*input channels*filters + one bias per filter)."
    )
    output_formula: str | None = Field(
        description="How the output size follows from the input: (W - F + 2P) / S + 1 with the "
        "numbers filled in, for convolution and pooling layers."
    )
    activation: str | None = Field(description="The activation applied to the output, if any.")
    config: dict[str, int | str | bool | list[int] | list[list[int]]] = Field(
        description="The layer's settings in Keras' names (filters, kernel_size, strides ...)."
    )


class ModelDetail(ModelInfo):
    summary: list[LayerRow] = Field(description="model.summary(), one row per layer.")
    total_params: int = Field(description="Sum of the params column.")
    trainable_params: int = Field(description="Parameters the optimizer updates.")
    test_loss: float | None = Field(description="Loss on the test split.")
    epochs: int | None = Field(description="Epochs trained.")
    seed: int | None = Field(description="Random seed of the training run.")
    history: History | None = Field(description="Loss and accuracy after each epoch.")
    training: TrainingInfo | None = Field(description="How it was trained, and the command.")
    evaluation: Evaluation | None = Field(
        default=None,
        description="Trained here: how it does on the held-out images, class by class, and "
        "the images it got most confidently wrong.",
    )


class FiltersResponse(BaseModel):
    model: str = Field(description="The model id.")
    layer: str = Field(description="The convolution layer.")
    kernel_shape: list[int] = Field(
        description="Keras layout: kernel height, width, input channels, filters."
    )
    kernels: list[list[Grid]] = Field(
        description="kernels[f][c] is filter f's kh x kw weights for input channel c."
    )
    bias: list[float] | None = Field(description="One bias per filter, or null.")
    value_range: list[float] = Field(description="Smallest and largest weight: min, max.")


MAX_LAYERS_TEXT = 2000
ActivationsFormat = Literal["numbers", "png"]


class DigitSwitches(NamesAcceptedFields):
    """The preprocessing switches, shared by predict, activations and the live socket."""

    invert: InvertMode = Field(
        default="auto",
        description="Flip dark and light? MNIST digits are white on black. auto: flip when the "
        "background is light; yes / no: always / never.",
    )
    crop: bool = Field(
        default=True,
        description="Crop to the ink's bounding box first. Off: keep the whole frame.",
    )
    fit: bool = Field(
        default=True,
        description="Fit the ink into a 20x20 box keeping its aspect ratio, then pad to 28x28, "
        "as MNIST did. Off: stretch the image straight to 28x28.",
    )
    center: bool = Field(
        default=True,
        description="Move the digit so its centre of mass is at the centre, as MNIST did. Off: "
        "centre its bounding box.",
    )
    thicken: bool = Field(
        default=True,
        description="Thicken strokes that would come out thinner than 1 pixel at 28x28 (a "
        "1-pixel pen on a big canvas) to about MNIST's stroke width. Off: keep them as drawn.",
    )

    def options(self) -> DigitOptions:
        return DigitOptions(self.invert, self.crop, self.fit, self.center, self.thicken)


class PredictForm(DigitSwitches):
    image: UploadFile = Field(description=IMAGE_FILE)


class PredictionForm(PredictForm):
    mc_samples: int | None = Field(
        default=None,
        ge=MC_MIN_SAMPLES,
        le=MC_MAX_SAMPLES,
        description="Models with Dropout layers: also run this many passes with dropout on "
        "(Monte Carlo dropout) and answer each class's spread in mc_dropout; one ordinary "
        "prediction if left out.",
    )


class ActivationsForm(PredictForm):
    layers: str | None = Field(
        default=None,
        max_length=MAX_LAYERS_TEXT,
        description="Comma-separated layer names (from GET /api/models/{id}); all layers if "
        "left out.",
    )
    format: ActivationsFormat = Field(
        default="numbers",
        description="numbers: each map as rows of values; png: each map as a base64 PNG tile "
        "coloured with the layer's scale.",
    )
    channels: str | None = Field(
        default=None,
        max_length=11,
        pattern=r"^\s*\d{1,5}\s*(-\s*\d{1,5}\s*)?$",
        description="Feature-map layers only: the channels to send, 'first-last' (from 0, both "
        "included) or one number, e.g. 0-15; all if left out. The value range and colour scale "
        "stay the whole layer's.",
        examples=["0-3"],
    )

    dropout: float | None = Field(
        default=None,
        ge=0.0,
        le=0.9,
        allow_inf_nan=False,
        description="Models with Dropout layers: run this one pass with every Dropout layer "
        "dropping units at this rate (0 to 0.9; the course compares 0, 0.2 and 0.4), and say "
        "which units each dropped. Left out: an ordinary pass, nothing dropped.",
    )
    dropout_seed: int | None = Field(
        default=None,
        ge=0,
        le=2**32 - 1,
        description="With dropout: the seed of the units dropped (the same seed, the same "
        "units); a fresh one if left out, returned in the answer.",
    )

    def channel_range(self) -> tuple[int, int] | None:
        if self.channels is None:
            return None
        first, _, last = self.channels.partition("-")
        return int(first), int(last or first)


class InkBoxOut(BaseModel):
    top: int = Field(description="First row of ink in the uploaded image.")
    left: int = Field(description="First column of ink.")
    height: int = Field(description="Rows the ink spans.")
    width: int = Field(description="Columns the ink spans.")


class Preprocessing(BaseModel):
    kind: Literal["digit"] = Field(
        default="digit", description="The MNIST preparation of a drawing or photo of a digit."
    )
    polarity: str = Field(description="What the background was and what was done about it.")
    inverted: bool = Field(description="Whether light and dark were flipped.")
    background: float = Field(description="The background's brightness in the upload, 0..1.")
    ink_box: InkBoxOut | None = Field(description="The ink's bounding box in the upload.")
    scale: list[float] | None = Field(
        description="Model pixels per uploaded pixel: rows, columns (equal unless fit is off)."
    )
    shift: list[int] = Field(
        description="Pixels down and right that centring by mass moved the digit."
    )
    center_of_mass: list[float] | None = Field(
        description="Row and column of the ink's centre of mass in the 28x28 input."
    )
    notes: list[str] = Field(description="Each step taken, in plain words, in order.")


class ImagePreprocessing(BaseModel):
    kind: Literal["image"] = Field(description="A photo made into the model's input.")
    fit: Fit = Field(description="How the photo was made the input's size.")
    scale: Scale = Field(description="How pixel values 0..255 became the model's numbers.")
    value_range: list[float] = Field(description="The smallest and largest number the scale gives.")
    notes: list[str] = Field(description="Each step taken, in plain words, in order.")


AnyPreprocessing = Annotated[Preprocessing | ImagePreprocessing, Field(discriminator="kind")]
MODEL_INPUT = (
    "The exact input the model saw: rows of values for one channel, rows of [c1, c2, c3] for "
    f"three; null when it has more than {MAX_INPUT_NUMBERS:,} values (see input_picture)."
)
INPUT_PICTURE = "The input the model saw as a base64 PNG, its values mapped back to 0..255."


class DropoutSpreadOut(BaseModel):
    samples: int = Field(description="Passes with dropout on, each with its own random mask.")
    mean: list[float] = Field(description="Each class's mean probability over the passes.")
    std: list[float] = Field(description="Each class's standard deviation over the passes.")
    min: list[float] = Field(description="Each class's smallest probability.")
    max: list[float] = Field(description="Each class's largest probability.")
    dropout_layers: list[str] = Field(
        description="The layers that dropped units; every other layer ran as in inference."
    )


class PredictResponse(BaseModel):
    model: str = Field(description="The model id.")
    label: str = Field(description="The most probable class.")
    confidence: float = Field(description="Its probability, 0..1.")
    probabilities: list[float] = Field(description="One probability per class, summing to 1.")
    classes: list[str] = Field(description="Class names, in the order of probabilities.")
    model_input: list[Any] | None = Field(description=MODEL_INPUT)
    input_picture: str = Field(description=INPUT_PICTURE)
    preprocessing: AnyPreprocessing = Field(description="What was done to the image, step by step.")
    caution: str | None = Field(
        default=None,
        description="Why not to trust this guess, in plain words, when the input is unlike the "
        "digits the model learned from (too little ink, one solid blob, a scribble, no clear "
        "winner): a model always picks one of its classes. null when it looks like a digit.",
    )
    mc_dropout: DropoutSpreadOut | None = Field(
        default=None,
        description="With mc_samples: the class probabilities over that many passes with "
        "dropout on (the masks are not seeded); null otherwise.",
    )


class ColourScale(BaseModel):
    colormap: Literal["diverging", "sequential"] = Field(
        description="diverging (signed values): blue below zero, near-white at zero, red "
        "above, symmetric about zero; sequential (non-negative values): white at 0 to dark "
        "blue at the maximum. The same scales the pages draw with."
    )
    min: float = Field(description="The value drawn with the scale's first colour.")
    max: float = Field(description="The value drawn with the scale's last colour.")


class LayerActivation(BaseModel):
    name: str = Field(description="The layer's name.")
    type: str = Field(description="The Keras layer class.")
    shape: list[int] = Field(description="Output shape without the batch axis.")
    kind: Literal["maps", "vector"] = Field(
        description="maps: height x width x channels feature maps; vector: one value per unit."
    )
    value_range: list[float] = Field(description="Smallest and largest value: min, max.")
    scale: ColourScale = Field(description="The colour scale the PNG tiles use.")
    maps: list[Grid] | None = Field(
        default=None, description='format "numbers", maps: maps[c] is channel c as rows of values.'
    )
    values: list[float] | None = Field(
        default=None, description="For vectors: the value of each unit."
    )
    tiles: list[str] | None = Field(
        default=None,
        description='format "png", maps: one base64 PNG per channel, coloured with scale.',
    )
    channels: list[int] | None = Field(
        default=None,
        description="maps: the first and last channel sent (maps[0] or tiles[0] is channel "
        "channels[0]).",
    )
    dropped: list[int] | None = Field(
        default=None,
        description="With dropout, Dropout layers only: the units this pass dropped, as flat "
        "indices into the layer's output (row-major over its shape: for a vector, the unit).",
    )


class DropoutPassOut(BaseModel):
    rate: float = Field(description="The rate every Dropout layer dropped units at.")
    seed: int = Field(description="Send it as dropout_seed to drop the same units again.")


class ActivationsResponse(BaseModel):
    model: str = Field(description="The model id.")
    label: str = Field(description="The most probable class.")
    probabilities: list[float] = Field(description="One probability per class.")
    classes: list[str] = Field(description="Class names.")
    model_input: list[Any] | None = Field(description=MODEL_INPUT)
    input_picture: str = Field(description=INPUT_PICTURE)
    preprocessing: AnyPreprocessing = Field(description="What was done to the image.")
    layers: list[LayerActivation] = Field(description="The chosen layers, input to output.")
    dropout: DropoutPassOut | None = Field(
        default=None, description="With dropout: the rate and the seed of the units dropped."
    )
