"""Domain errors, raised where a problem is detected and mapped to HTTP in one place (main.py).

Each message answers three questions: what was wrong, what was expected, and how to fix it.
This module imports nothing from the web stack so that ``app.core`` can raise these errors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any, ClassVar, Self


def N_(text: str) -> str:
    """Marks English for the catalogs (tests/i18n_sources.py extracts it) where it is defined
    once, e.g. at import time; it is translated where a request uses it (app.i18n.gettext)."""
    return text


# Pydantic names the branch of a union it tried ("constrained-int", "list[...]"); people don't.
_UNION_BRANCH = re.compile(
    r"^(constrained-|function-|literal\[|list\[|tuple\[|int$|float$|str$|bool$)"
)


class ConvLensError(Exception):
    """Base class: ``status_code`` is the HTTP status the API answers with."""

    status_code = 422
    # Response headers the answer carries, e.g. Retry-After on a 429.
    headers: ClassVar[dict[str, str] | None] = None

    def __init__(self, detail: str, /, **params: Any) -> None:
        """``detail`` is the English message; with ``params`` it is a template whose {name}
        fields they fill, so that it can be translated (app.i18n) before they are filled in.
        A field may itself be a ConvLensError, a whole message or phrase of its own: it reads
        as its English text in ``detail`` and is translated in ``localized()``."""
        text = detail.format(**params) if params else detail
        super().__init__(text)
        self.detail = text
        self.template = detail
        self.params = params

    def localized(self, language: str | None = None) -> str:
        """The message in the request's language (English where it has no translation)."""
        from app.i18n import translate

        params = {
            name: value.localized(language) if isinstance(value, ConvLensError) else value
            for name, value in self.params.items()
        }
        return translate(self.template, params, language)

    @classmethod
    def like(cls, message: ConvLensError) -> Self:
        """This class of error with ``message``'s template and fields: for code that raises a
        class it was given (``raise error.like(InvalidParameter("...", name=name))``), so that
        the message is still written where the extractor finds it."""
        return cls(message.template, **message.params)


class Phrase(str):
    """English text that is also a translatable message: code that takes a ``str`` reads the
    English, and ``message.localized()`` is the same text in the request's language (for
    reasons built deep in app.core that end up in an error's message)."""

    message: ConvLensError

    def __new__(cls, message: ConvLensError) -> Phrase:
        phrase = super().__new__(cls, message.detail)
        phrase.message = message
        return phrase

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return (str, (str(self),))  # pickled as the English text alone


def as_message(text: str) -> str | ConvLensError:
    """A :class:`Phrase`'s message, or the text itself, as a field of another message."""
    return text.message if isinstance(text, Phrase) else text


class InvalidParameter(ConvLensError):
    """A number, shape or option that the operation cannot work with."""


class InvalidValue(InvalidParameter, ValueError):
    """Raised by a pydantic validator of ours: pydantic reports it as its field's value_error,
    and the 422's detail says it in the request's language (:func:`explain_validation_errors`)."""


class InvalidKernel(InvalidParameter):
    """A kernel that is empty, ragged, too large, or not finite."""


class UnknownName(ConvLensError):
    """A preset or option name in a request that does not exist."""


class UnknownResource(UnknownName):
    """A resource named in the URL path (such as a model id) that does not exist."""

    status_code = 404


class BadImage(ConvLensError):
    """Bytes that are not an image we can decode."""

    status_code = 415


class NoDigit(ConvLensError):
    """An image with no ink in it: nothing to classify, so no guess is made."""


class ImageTooLarge(ConvLensError):
    """An image whose pixel count or byte size is over the configured cap."""

    status_code = 413


def explain_validation_errors(errors: Sequence[Any]) -> str:
    """One sentence per field: where, what it got, and what would have been accepted (in the
    request's language; pydantic's own messages stay as pydantic writes them)."""
    from app.i18n import translate

    by_field: dict[str, tuple[object, list[str]]] = {}
    for error in errors:
        parts = [p for p in error["loc"] if not (isinstance(p, str) and _UNION_BRANCH.match(p))]
        if error["type"] == "json_invalid":
            # FastAPI puts the character offset where a field name would be.
            parts = parts[:1]
        field = ".".join(str(p) for p in parts) or "request"
        got = _NOT_SHOWN if error["type"] in _NO_INPUT else error.get("input")
        _, messages = by_field.setdefault(field, (got, []))
        message = _plain_message(error)
        if message not in messages:
            messages.append(message)
    sentences = []
    for field, (got, messages) in list(by_field.items())[:5]:
        shown = repr(got)
        problems = messages[0]
        for other in messages[1:]:
            problems = translate("{first} or {second}", {"first": problems, "second": other})
        if got is not _NOT_SHOWN and len(shown) <= 40:
            sentence = translate(
                "{field} (got {value}): {problems}",
                {"field": field, "value": shown, "problems": problems},
            )
        else:
            sentence = translate("{field}: {problems}", {"field": field, "problems": problems})
        sentences.append(sentence)
    listing = "; ".join(sentences)
    if len(by_field) > 5:
        return translate(
            "{listing} (and {count} more fields)", {"listing": listing, "count": len(by_field) - 5}
        )
    return listing


_NOT_SHOWN = object()
_MORE_LIKE_IT = re.compile(r" \(and ([0-9,]+) more like it in this grid\)$")
# Errors whose input is no value of the request: a missing one, or the parser's own.
_NO_INPUT = ("missing", "json_invalid", "json_duplicate_key")


def _plain_message(error: Any) -> str:
    """Pydantic's message, reworded where it speaks of Python rather than of the request."""
    from app.i18n import gettext, translate

    if error["type"] == "json_invalid":
        position = error["loc"][-1] if error["loc"] else None
        reason = (error.get("ctx") or {}).get("error", "")
        params = {"reason": reason, "position": position}
        if reason and isinstance(position, int):
            return translate("not valid JSON: {reason} at character {position}", params)
        if reason:
            return translate("not valid JSON: {reason}", params)
        if isinstance(position, int):
            return translate("not valid JSON at character {position}", params)
        return gettext("not valid JSON")
    if "Expected UploadFile" in error["msg"]:
        return gettext("must be a file: send it as a multipart/form-data part with a filename")
    if error["type"] == "value_error":
        # A validator's ValueError: its own words, without pydantic's "Value error, " before
        # them (Python's name for it) or a full stop (the detail's sentence goes on after it).
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, ConvLensError):
            return cause.localized().rstrip(".")
        if isinstance(cause, ValueError):
            return str(cause).rstrip(".")
    return _pydantic_message(error)


def _pydantic_message(error: Any) -> str:
    """Pydantic's message as pydantic writes it in English; in another language, the
    translation of the commonest ones, when the message is pydantic's own (a validator of ours
    may reuse pydantic's type with words of its own). The "errors" list keeps pydantic's."""
    from app.i18n import SOURCE, current, translate

    message = str(error["msg"])
    if current.get() == SOURCE:
        return message
    alike = _MORE_LIKE_IT.search(message)
    if alike:  # app.schemas.grids counts the other cells that fail alike
        problem = _pydantic_message({**error, "msg": message[: alike.start()]})
        return translate(
            "{problem} (and {count:,} more like it in this grid)",
            {"problem": problem, "count": int(alike.group(1).replace(",", ""))},
        )
    template = _pydantic_templates().get(error["type"])
    if template is None:
        return message
    ctx = dict(error.get("ctx") or {})
    try:
        if template.format(**ctx) != message:
            return message
    except (KeyError, IndexError, ValueError):
        return message
    return translate(template, ctx)


@cache
def _pydantic_templates() -> dict[str, str]:
    """Pydantic's commonest messages by error type, as pydantic writes them. Each is marked
    for the catalog with N_()."""

    return {
        "missing": N_("Field required"),
        "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
        "greater_than": N_("Input should be greater than {gt}"),
        "less_than_equal": N_("Input should be less than or equal to {le}"),
        "less_than": N_("Input should be less than {lt}"),
        "int_type": N_("Input should be a valid integer"),
        "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
        "int_from_float": N_(
            "Input should be a valid integer, got a number with a fractional part"
        ),
        "float_type": N_("Input should be a valid number"),
        "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
        "finite_number": N_("Input should be a finite number"),
        "list_type": N_("Input should be a valid list"),
        "string_type": N_("Input should be a valid string"),
        "literal_error": N_("Input should be {expected}"),
    }
