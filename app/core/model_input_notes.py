"""The plain-English notes of :mod:`app.core.model_input`: what happened to a photo, in order.

:func:`app.core.model_input.prepare_image` returns, with the model's input, one sentence per
step, for the page to show under the picture the model got: how the image was cut, padded or
stretched to the model's size (:func:`plain_note`, :func:`padded_note`, :func:`cropped_note`,
:func:`stretched_note`: one whole sentence per case), how its pixels were resampled
(:func:`resampling_note`), its colour change (:data:`TO_GREY_NOTE`, :data:`TO_RGB_NOTE`), and
how its values were scaled (:data:`SCALE_NOTES`). The geometry itself is worked out in
:mod:`app.core.model_input`; these only put it into words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.errors import N_
from app.i18n import gettext, translate

if TYPE_CHECKING:  # model_input imports this module; the annotation needs only the name
    from app.core.model_input import Scale

# The notes are in the request's language (English outside a request). These constants are
# the English, marked for the catalog (N_ marks it): the code
# that uses them translates them with gettext().
TO_GREY_NOTE = N_(
    "Colour was turned to grey, as the model takes one channel: each pixel's grey is "
    "0.299 red + 0.587 green + 0.114 blue (ITU-R BT.601 luma, as Pillow computes it)."
)
TO_RGB_NOTE = N_(
    "The grey image was copied into the red, green and blue channels, as the model takes three."
)
SCALE_NOTES: dict[Scale, str] = {
    "0..1": N_(
        "Each pixel value (0 to 255) was divided by 255, so the model gets numbers from 0 to 1."
    ),
    "-1..1": N_(
        "Each pixel value (0 to 255) was divided by 127.5 and then 1 was subtracted, so the "
        "model gets numbers from -1 to 1."
    ),
    "0..255": N_(
        "The pixel values were given as they are, numbers from 0 to 255: this model scales "
        "them itself."
    ),
    "caffe": N_(
        "The colour channels were put in the order blue, green, red, and ImageNet's average "
        "colour (103.939, 116.779, 123.68 for blue, green, red) was subtracted from every pixel, "
        "as models trained with Caffe (VGG16, ResNet50) expect: the model gets numbers from "
        "about -124 to 151, 0 being an average colour."
    ),
    "torch": N_(
        "Each pixel value was divided by 255, then ImageNet's average (0.485, 0.456, 0.406 for "
        "red, green, blue) was subtracted and the result divided by its spread (standard "
        "deviation 0.229, 0.224, 0.225), as models trained with PyTorch expect: the model gets "
        "numbers from about -2.1 to 2.6, 0 being an average colour."
    ),
}


def with_resampling(note: str, resampling: str | None) -> list[str]:
    return [note] if resampling is None else [note, resampling]


def resize_verb(source: tuple[int, ...], target: tuple[int, ...]) -> str:
    if source[0] >= target[0] and source[1] >= target[1]:
        return "shrunk"
    if source[0] <= target[0] and source[1] <= target[1]:
        return "enlarged"
    return "resized"


def plain_note(source: tuple[int, int], target: tuple[int, int]) -> str:
    """The note when the image keeps its shape: only its size changes, if that."""
    params = {"width": source[1], "height": source[0], "to_w": target[1], "to_h": target[0]}
    if source == target:
        return translate(
            "The image was {width}x{height} (width x height), the model's input size: it was "
            "used at that size.",
            params,
        )
    match resize_verb(source, target):
        case "shrunk":
            return translate(
                "The image was {width}x{height} (width x height); it was shrunk to {to_w}x{to_h}, "
                "keeping its shape.",
                params,
            )
        case "enlarged":
            return translate(
                "The image was {width}x{height} (width x height); it was enlarged to "
                "{to_w}x{to_h}, keeping its shape.",
                params,
            )
        case _:
            return translate(
                "The image was {width}x{height} (width x height); it was resized to "
                "{to_w}x{to_h}, keeping its shape.",
                params,
            )


def padded_note(
    source: tuple[int, int],
    inner: tuple[int, int],
    target: tuple[int, int],
    bars: tuple[int, int],
    rows: bool,
) -> str:
    """The image scaled into ``inner`` keeping its shape, then black ``bars`` (before, after)
    added: rows above and below (``rows``), else columns on the left and on the right."""
    verb = resize_verb(source, inner)
    params = {
        "width": source[1],
        "height": source[0],
        "inner_w": inner[1],
        "inner_h": inner[0],
        "to_w": target[1],
        "to_h": target[0],
        "first": bars[0],
        "second": bars[1],
    }
    even = bars[0] == bars[1]
    match verb, rows, even:
        case "shrunk", True, True:
            return translate(
                "The image was {width}x{height} (width x height); it was shrunk to "
                "{inner_w}x{inner_h} keeping its shape, and {first} black rows were added above "
                "and below to fill the model's {to_w}x{to_h}.",
                params,
            )
        case "shrunk", True, False:
            return translate(
                "The image was {width}x{height} (width x height); it was shrunk to "
                "{inner_w}x{inner_h} keeping its shape, and {first} black rows were added above "
                "and {second} below to fill the model's {to_w}x{to_h}.",
                params,
            )
        case "shrunk", False, True:
            return translate(
                "The image was {width}x{height} (width x height); it was shrunk to "
                "{inner_w}x{inner_h} keeping its shape, and {first} black columns were added on "
                "the left and on the right to fill the model's {to_w}x{to_h}.",
                params,
            )
        case "shrunk", False, False:
            return translate(
                "The image was {width}x{height} (width x height); it was shrunk to "
                "{inner_w}x{inner_h} keeping its shape, and {first} black columns were added on "
                "the left and {second} on the right to fill the model's {to_w}x{to_h}.",
                params,
            )
        case "enlarged", True, True:
            return translate(
                "The image was {width}x{height} (width x height); it was enlarged to "
                "{inner_w}x{inner_h} keeping its shape, and {first} black rows were added above "
                "and below to fill the model's {to_w}x{to_h}.",
                params,
            )
        case "enlarged", True, False:
            return translate(
                "The image was {width}x{height} (width x height); it was enlarged to "
                "{inner_w}x{inner_h} keeping its shape, and {first} black rows were added above "
                "and {second} below to fill the model's {to_w}x{to_h}.",
                params,
            )
        case "enlarged", False, True:
            return translate(
                "The image was {width}x{height} (width x height); it was enlarged to "
                "{inner_w}x{inner_h} keeping its shape, and {first} black columns were added on "
                "the left and on the right to fill the model's {to_w}x{to_h}.",
                params,
            )
        case "enlarged", False, False:
            return translate(
                "The image was {width}x{height} (width x height); it was enlarged to "
                "{inner_w}x{inner_h} keeping its shape, and {first} black columns were added on "
                "the left and {second} on the right to fill the model's {to_w}x{to_h}.",
                params,
            )
        case _, True, True:
            return translate(
                "The image was {width}x{height} (width x height); it was resized to "
                "{inner_w}x{inner_h} keeping its shape, and {first} black rows were added above "
                "and below to fill the model's {to_w}x{to_h}.",
                params,
            )
        case _, True, False:
            return translate(
                "The image was {width}x{height} (width x height); it was resized to "
                "{inner_w}x{inner_h} keeping its shape, and {first} black rows were added above "
                "and {second} below to fill the model's {to_w}x{to_h}.",
                params,
            )
        case _, False, True:
            return translate(
                "The image was {width}x{height} (width x height); it was resized to "
                "{inner_w}x{inner_h} keeping its shape, and {first} black columns were added on "
                "the left and on the right to fill the model's {to_w}x{to_h}.",
                params,
            )
        case _:
            return translate(
                "The image was {width}x{height} (width x height); it was resized to "
                "{inner_w}x{inner_h} keeping its shape, and {first} black columns were added on "
                "the left and {second} on the right to fill the model's {to_w}x{to_h}.",
                params,
            )


def cropped_note(
    source: tuple[int, int],
    cropped: tuple[int, int],
    target: tuple[int, int],
    cut: tuple[int, int],
    rows: bool,
) -> str:
    """The image cropped to ``target``'s shape (``cut``: (before, after) rows from the top and
    bottom when ``rows``, else columns from the left and right), then resized if need be."""
    verb = "cropped" if cropped == target else resize_verb(cropped, target)
    params = {
        "width": source[1],
        "height": source[0],
        "to_w": target[1],
        "to_h": target[0],
        "first": cut[0],
        "second": cut[1],
    }
    even = cut[0] == cut[1]
    match verb, rows, even:
        case "cropped", True, True:
            return translate(
                "The image was {width}x{height} (width x height); it was cropped to "
                "{to_w}x{to_h}, cutting {first} rows from the top and bottom so its shape fits.",
                params,
            )
        case "cropped", True, False:
            return translate(
                "The image was {width}x{height} (width x height); it was cropped to "
                "{to_w}x{to_h}, cutting {first} rows from the top and {second} from the bottom so "
                "its shape fits.",
                params,
            )
        case "cropped", False, True:
            return translate(
                "The image was {width}x{height} (width x height); it was cropped to "
                "{to_w}x{to_h}, cutting {first} columns from each side so its shape fits.",
                params,
            )
        case "cropped", False, False:
            return translate(
                "The image was {width}x{height} (width x height); it was cropped to "
                "{to_w}x{to_h}, cutting {first} columns from the left and {second} from the "
                "right so its shape fits.",
                params,
            )
        case "shrunk", True, True:
            return translate(
                "The image was {width}x{height} (width x height); it was shrunk to "
                "{to_w}x{to_h}, cropping {first} rows from the top and bottom so its shape fits.",
                params,
            )
        case "shrunk", True, False:
            return translate(
                "The image was {width}x{height} (width x height); it was shrunk to "
                "{to_w}x{to_h}, cropping {first} rows from the top and {second} from the bottom "
                "so its shape fits.",
                params,
            )
        case "shrunk", False, True:
            return translate(
                "The image was {width}x{height} (width x height); it was shrunk to "
                "{to_w}x{to_h}, cropping {first} columns from each side so its shape fits.",
                params,
            )
        case "shrunk", False, False:
            return translate(
                "The image was {width}x{height} (width x height); it was shrunk to "
                "{to_w}x{to_h}, cropping {first} columns from the left and {second} from the "
                "right so its shape fits.",
                params,
            )
        case "enlarged", True, True:
            return translate(
                "The image was {width}x{height} (width x height); it was enlarged to "
                "{to_w}x{to_h}, cropping {first} rows from the top and bottom so its shape fits.",
                params,
            )
        case "enlarged", True, False:
            return translate(
                "The image was {width}x{height} (width x height); it was enlarged to "
                "{to_w}x{to_h}, cropping {first} rows from the top and {second} from the bottom "
                "so its shape fits.",
                params,
            )
        case "enlarged", False, True:
            return translate(
                "The image was {width}x{height} (width x height); it was enlarged to "
                "{to_w}x{to_h}, cropping {first} columns from each side so its shape fits.",
                params,
            )
        case "enlarged", False, False:
            return translate(
                "The image was {width}x{height} (width x height); it was enlarged to "
                "{to_w}x{to_h}, cropping {first} columns from the left and {second} from the "
                "right so its shape fits.",
                params,
            )
        case _, True, True:
            return translate(
                "The image was {width}x{height} (width x height); it was resized to "
                "{to_w}x{to_h}, cropping {first} rows from the top and bottom so its shape fits.",
                params,
            )
        case _, True, False:
            return translate(
                "The image was {width}x{height} (width x height); it was resized to "
                "{to_w}x{to_h}, cropping {first} rows from the top and {second} from the bottom "
                "so its shape fits.",
                params,
            )
        case _, False, True:
            return translate(
                "The image was {width}x{height} (width x height); it was resized to "
                "{to_w}x{to_h}, cropping {first} columns from each side so its shape fits.",
                params,
            )
        case _:
            return translate(
                "The image was {width}x{height} (width x height); it was resized to "
                "{to_w}x{to_h}, cropping {first} columns from the left and {second} from the "
                "right so its shape fits.",
                params,
            )


def stretched_note(source: tuple[int, int], target: tuple[int, int]) -> str:
    """The image stretched onto ``target`` without keeping its shape."""
    across, down = target[1] / source[1], target[0] / source[0]
    params = {
        "width": source[1],
        "height": source[0],
        "to_w": target[1],
        "to_h": target[0],
        "across": across,
        "down": down,
    }
    match resize_verb(source, target), across < down:
        case "shrunk", True:
            return translate(
                "The image was {width}x{height} (width x height); it was shrunk to {to_w}x{to_h} "
                "without keeping its shape (its width scaled by {across:.3g}, its height by "
                "{down:.3g}), so everything in it looks narrower than it is.",
                params,
            )
        case "shrunk", False:
            return translate(
                "The image was {width}x{height} (width x height); it was shrunk to {to_w}x{to_h} "
                "without keeping its shape (its width scaled by {across:.3g}, its height by "
                "{down:.3g}), so everything in it looks wider than it is.",
                params,
            )
        case "enlarged", True:
            return translate(
                "The image was {width}x{height} (width x height); it was enlarged to "
                "{to_w}x{to_h} without keeping its shape (its width scaled by {across:.3g}, its "
                "height by {down:.3g}), so everything in it looks narrower than it is.",
                params,
            )
        case "enlarged", False:
            return translate(
                "The image was {width}x{height} (width x height); it was enlarged to "
                "{to_w}x{to_h} without keeping its shape (its width scaled by {across:.3g}, its "
                "height by {down:.3g}), so everything in it looks wider than it is.",
                params,
            )
        case _, True:
            return translate(
                "The image was {width}x{height} (width x height); it was resized to "
                "{to_w}x{to_h} without keeping its shape (its width scaled by {across:.3g}, its "
                "height by {down:.3g}), so everything in it looks narrower than it is.",
                params,
            )
        case _:
            return translate(
                "The image was {width}x{height} (width x height); it was resized to "
                "{to_w}x{to_h} without keeping its shape (its width scaled by {across:.3g}, its "
                "height by {down:.3g}), so everything in it looks wider than it is.",
                params,
            )


def resampling_note(source: tuple[int, ...], target: tuple[int, ...]) -> str | None:
    """How pixels were resampled from ``source`` to ``target`` (rows, columns), if they were."""
    shrinks = source[0] > target[0] or source[1] > target[1]
    grows = source[0] < target[0] or source[1] < target[1]
    if shrinks and grows:
        return gettext(
            "Shrinking averaged the pixels that each new pixel covers (area interpolation), so "
            "fine detail blends instead of flickering; enlarging blended the four nearest pixels "
            "(bilinear interpolation), so edges look soft rather than blocky."
        )
    if shrinks:
        return gettext(
            "Shrinking averaged the pixels that each new pixel covers (area interpolation), so "
            "fine detail blends instead of flickering."
        )
    if grows:
        return gettext(
            "Enlarging blended the four nearest pixels (bilinear interpolation), so edges look "
            "soft rather than blocky."
        )
    return None
