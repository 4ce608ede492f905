"""Form fields that carry numbers as text, and the refusal of fields a request does not take.

A multipart form sends every value as text. ``PairText`` reads the pairs (``"2"``, ``"2,1"``,
``"[2, 1]"``, or a word such as ``"same"``) for any field that takes one, and ``KernelText`` the
kernel matrix given as JSON. Both fail with a validation error that names the field, like every
other malformed value.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ModelWrapValidatorHandler,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, InitErrorDetails, PydanticCustomError, core_schema

from app.errors import N_
from app.i18n import gettext, translate

# What every form that takes an image says of its file field.
IMAGE_FILE = "A PNG, JPEG, GIF, BMP, WebP or TIFF image."
MAX_KERNEL_TEXT = 20_000
MAX_KERNEL_VALUE = 1e6


class NamesAcceptedFields(BaseModel):
    """Refuses unknown fields, naming them and the fields the request does take.

    Pydantic's own "Extra inputs are not permitted" says neither what was meant nor what to
    send instead; a misspelt ``stride`` deserves "did you mean strides?".
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _name_the_accepted_fields(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            if not any(error["type"] == "extra_forbidden" for error in exc.errors()):
                raise
            details, listed = [], False
            for error in exc.errors():
                if error["type"] == "extra_forbidden" and len(error["loc"]) == 1:
                    details.append(_unknown_field(cls, error, list_fields=not listed))
                    listed = True
                else:
                    details.append(_as_is(error))
            raise ValidationError.from_exception_data(exc.title, details) from None


def _unknown_field(model: type[BaseModel], error: Any, list_fields: bool) -> InitErrorDetails:
    """The first unknown field's message lists the accepted ones; the others' need not."""
    fields = list(model.model_fields)
    close = difflib.get_close_matches(str(error["loc"][0]), fields, n=1)
    # In the request's language (validation runs while the request is answered).
    params = {"close": close[0] if close else "", "fields": ", ".join(fields)}
    if close and list_fields:
        message = translate(
            "is not a field of this request (did you mean {close}?); the fields are {fields}",
            params,
        )
    elif close:
        message = translate("is not a field of this request (did you mean {close}?)", params)
    elif list_fields:
        message = translate("is not a field of this request; the fields are {fields}", params)
    else:
        message = gettext("is not a field of this request")
    return InitErrorDetails(
        type=PydanticCustomError("extra_forbidden", "{message}", {"message": message}),
        loc=error["loc"],
        input=error["input"],
    )


def _as_is(error: Any) -> InitErrorDetails:
    return InitErrorDetails(
        type=error["type"], loc=error["loc"], input=error["input"], ctx=error.get("ctx", {})
    )


class FormModel(NamesAcceptedFields):
    """A multipart form: every value arrives as text, or as a file."""

    @model_validator(mode="before")
    @classmethod
    def _one_value_per_field(cls, data: Any) -> Any:
        # FastAPI hands a field whose type holds a tuple (a pair) over as the list of every part
        # of that name. Sent once, the field is its one value, so errors quote what was sent.
        if not isinstance(data, dict):
            return data
        return {
            name: value[0] if isinstance(value, list) and len(value) == 1 else value
            for name, value in data.items()
        }


def _refusal(kind: str, message: str) -> PydanticCustomError:
    # The message goes through the context so that braces in it are not read as placeholders.
    return PydanticCustomError(kind, "{message}", {"message": message})


def pair_pattern(number: str, words: tuple[str, ...] = (), pair_only: bool = False) -> str:
    """``n``, ``n,m`` or ``[n, m]`` (only the pairs with ``pair_only``), or one of ``words``.

    An ECMA-262 regex kept to what Python reads alike: ASCII digits, spaces and tabs.
    """
    second = rf"[ \t]*,[ \t]*{number}"
    pair = f"{number}{second}" if pair_only else f"{number}({second})?"
    choices = [*words, pair, rf"\[[ \t]*{pair}[ \t]*\]"]
    return rf"^[ \t]*({'|'.join(choices)})[ \t]*$"


_WHOLE_NUMBER = r"-?[0-9]{1,6}"


@dataclass(frozen=True)
class PairText:
    """Annotates a field that takes ``n``, ``n,m`` or ``[n, m]`` as text (or one of ``words``).

    It reads any whole numbers, negative ones included, so that a value out of range gets the
    engine's own message ("strides must be at least 1") instead of a quoted regex; the schema
    publishes ``number``, the narrower pattern of what is accepted.
    """

    number: str
    expected: str
    refusal: str  # "must be " and ``expected``: a whole sentence, marked for the catalog
    words: tuple[str, ...] = ()
    pair_only: bool = False

    def read(self, value: object) -> object:
        if isinstance(value, list):  # the same field sent more than once (see FormModel)
            raise _refusal(
                "pair_text",
                translate("must be sent once, not {count} times", {"count": len(value)}),
            )
        if not isinstance(value, str):
            return value  # a default, already a number, pair or word
        match = re.fullmatch(pair_pattern(_WHOLE_NUMBER, self.words, self.pair_only), value)
        if match is None:
            raise _refusal("pair_text", gettext(self.refusal))
        if match.group(1) in self.words:
            return match.group(1)
        numbers = [int(n) for n in re.findall(r"-?[0-9]+", value)]
        return numbers[0] if len(numbers) == 1 else (numbers[0], numbers[1])

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self.read, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": pair_pattern(self.number, self.words, self.pair_only),
        }


_A_NUMBER_OR_PAIR = "a whole number such as 2, or a pair rows,cols such as 2,1"
# Published in the schema; tests/api checks them against MAX_POOL_SIZE and MAX_EXPLICIT_PADDING.
# The refusals are English here, marked for the catalog (N_ marks the English
# itself), and translated when a request is refused.
_MUST_BE_A_NUMBER_OR_PAIR = N_("must be a whole number such as 2, or a pair rows,cols such as 2,1")
StridesText = PairText(r"[1-9][0-9]{0,5}", _A_NUMBER_OR_PAIR, _MUST_BE_A_NUMBER_OR_PAIR)
PoolSizeText = PairText(r"([1-9]|1[0-5])", _A_NUMBER_OR_PAIR, _MUST_BE_A_NUMBER_OR_PAIR)
PaddingText = PairText(
    r"([0-9]|[1-5][0-9]|6[0-4])",
    '"valid", "same", a number of zero pixels such as 1, or a pair rows,cols such as 1,2',
    N_(
        'must be "valid", "same", a number of zero pixels such as 1, or a pair rows,cols such '
        "as 1,2"
    ),
    words=("valid", "same"),
)
PositionText = PairText(
    r"[0-9]{1,6}",
    "an output position row,col such as 3,5",
    N_("must be an output position row,col such as 3,5"),
    pair_only=True,
)


def read_kernel_text(value: object) -> object:
    """A kernel given as JSON text: rows of numbers (kh x kw, e.g. ``[[0,-1,0],[-1,5,-1],
    [0,-1,0]]``), or rows of per-channel numbers (kh x kw x C: one filter over all channels).

    The shape (rectangular, size, channels) is the engine's to check, with its own messages.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise _refusal("string_type", gettext("must be text: a JSON list of rows of numbers"))
    if len(value) > MAX_KERNEL_TEXT:
        raise _refusal(
            "string_too_long",
            translate(
                "is {count:,} characters; at most {most:,} are accepted",
                {"count": len(value), "most": MAX_KERNEL_TEXT},
            ),
        )
    try:
        matrix = json.loads(value, parse_constant=_refuse_constant)
    except PydanticCustomError:  # from _refuse_constant: it says what is wrong itself
        raise
    except (ValueError, RecursionError) as exc:
        raise _refusal(
            "kernel_text",
            translate(
                "must be a JSON list of rows of numbers, such as [[0,-1,0],[-1,5,-1],[0,-1,0]]; "
                "it could not be parsed: {reason}",
                {"reason": exc},
            ),
        ) from None
    if not isinstance(matrix, list) or not all(isinstance(row, list) for row in matrix):
        raise _refusal(
            "kernel_text", gettext("must be a list of rows, such as [[0,-1,0],[-1,5,-1],[0,-1,0]]")
        )
    # A cell is a number (kh x kw) or a list of numbers, one per input channel (kh x kw x C).
    cells = [cell for row in matrix for cell in row]
    numbers = [v for cell in cells for v in (cell if isinstance(cell, list) else [cell])]
    for value_in_row in numbers:
        if isinstance(value_in_row, bool) or not isinstance(value_in_row, (int, float)):
            raise _refusal(
                "kernel_text",
                translate(
                    "values must be plain numbers; found {value}. Use a 2-D list such as "
                    "[[1,2,1],[2,4,2],[1,2,1]], or a 3-D list kh x kw x channels",
                    {"value": repr(value_in_row)},
                ),
            )
        if abs(value_in_row) > MAX_KERNEL_VALUE:
            raise _refusal(
                "kernel_text",
                translate(
                    "value {value} is too large; values must lie within +-{most:g}",
                    {"value": value_in_row, "most": MAX_KERNEL_VALUE},
                ),
            )
    return matrix


def _refuse_constant(name: str) -> None:
    raise _refusal(
        "kernel_text",
        translate("contains {name}; every value must be a finite number", {"name": name}),
    )


# Typed as Any, not as a list: FastAPI reads a list-typed form field as every part of that name.
KernelText = Annotated[
    Any,
    BeforeValidator(read_kernel_text),
    WithJsonSchema({"type": "string", "maxLength": MAX_KERNEL_TEXT}),
]
