"""The form of ``POST /api/models`` (import your own Keras model) and its answer."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import UploadFile
from pydantic import AfterValidator, BaseModel, Field

from app.core.model_input import Fit, Scale
from app.errors import InvalidValue
from app.schemas.form_fields import NamesAcceptedFields

MAX_CLASSES = 1000
MAX_CLASS_NAME = 64
MAX_CLASSES_TEXT = MAX_CLASSES * (MAX_CLASS_NAME + 2)


def _class_names(text: str | None) -> list[str] | None:
    """``"cat, dog, bird"`` (or one name a line) -> the names; blank -> None (0, 1, 2 ...)."""
    if text is None or not text.strip():
        return None
    separator = "\n" if "\n" in text else ","
    names = [name.strip() for name in text.split(separator)]
    if len(names) > MAX_CLASSES:
        raise InvalidValue(
            "at most {max_classes} class names are taken, one per output", max_classes=MAX_CLASSES
        )
    for position, name in enumerate(names):
        if not name or len(name) > MAX_CLASS_NAME or not name.isprintable():
            raise InvalidValue(
                "class {position} is {name!r}; each name is 1 to {max_length} printable "
                "characters, separated by commas (or one per line)",
                position=position,
                name=name[:20],
                max_length=MAX_CLASS_NAME,
            )
    if len(set(names)) != len(names):
        raise InvalidValue("two classes have the same name; give each class its own")
    return names


ClassNames = Annotated[str | None, AfterValidator(_class_names)]


class ImportForm(NamesAcceptedFields):
    file: UploadFile = Field(
        description="A Keras 3 .keras file or a legacy .h5 file, as model.save() writes it."
    )
    name: str = Field(
        min_length=1,
        max_length=80,
        description="A readable name, e.g. My VGG16.",
        examples=["My CNN"],
    )
    classes: ClassNames = Field(
        default=None,
        max_length=MAX_CLASSES_TEXT,
        description="Class names in output order, separated by commas (or one per line); left "
        "out: 0, 1, 2 ...",
    )
    preprocessing: Literal["digit", "image"] | None = Field(
        default=None,
        description='"digit": the MNIST preparation of drawings (1-channel models); "image": '
        "photos, with fit and scale. Left out: digit for 28x28x1 models, image otherwise.",
    )
    fit: Fit = Field(
        default="stretch",
        description='"image": how a photo becomes the input size: "stretch", "crop" the centre '
        'to its shape, or "pad" the whole photo with black.',
    )
    scale: Scale = Field(
        default="0..1",
        description='"image": what the model was trained on: pixels 0..255 as "0..1", "-1..1", '
        '"0..255", or "caffe" / "torch" as keras.applications preprocess_input does (VGG16 '
        'and ResNet50: "caffe").',
    )
    description: str = Field(default="", max_length=500, description="One or two sentences.")

    def class_names(self) -> list[str] | None:
        return self.classes  # type: ignore[return-value]  # the validator made it a list


class ImportResponse(BaseModel):
    id: str = Field(description="The new model's id, for every /api/models/{id} endpoint.")
    delete_token: str = Field(
        description="Keep it: DELETE /api/models/{id} with 'Authorization: Bearer <token>' "
        "deletes the model; nothing else does."
    )
    format: Literal["keras", "h5"] = Field(description="The file's format.")
    keras_version: str | None = Field(description="The Keras version that saved it, if said.")
