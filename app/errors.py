"""Domain errors, raised where a problem is detected and mapped to HTTP in one place (main.py).

Each message answers three questions: what was wrong, what was expected, and how to fix it.
This module imports nothing from the web stack so that ``app.core`` can raise these errors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

# Pydantic names the branch of a union it tried ("constrained-int", "list[...]"); people don't.
_UNION_BRANCH = re.compile(
    r"^(constrained-|function-|literal\[|list\[|tuple\[|int$|float$|str$|bool$)"
)


class ConvLensError(Exception):
    """Base class: ``status_code`` is the HTTP status the API answers with."""

    status_code = 422

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidParameter(ConvLensError):
    """A number, shape or option that the operation cannot work with."""


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


class ImageTooLarge(ConvLensError):
    """An image whose pixel count or byte size is over the configured cap."""

    status_code = 413


def explain_validation_errors(errors: Sequence[Any]) -> str:
    """One sentence per field: where, what it got, and what would have been accepted."""
    by_field: dict[str, tuple[object, list[str]]] = {}
    for error in errors:
        parts = [p for p in error["loc"] if not (isinstance(p, str) and _UNION_BRANCH.match(p))]
        field = ".".join(str(p) for p in parts) or "request"
        got, messages = by_field.setdefault(field, (error.get("input"), []))
        if error["msg"] not in messages:
            messages.append(error["msg"])
    sentences = []
    for field, (got, messages) in list(by_field.items())[:5]:
        shown = repr(got)
        got_text = f" (got {shown})" if len(shown) <= 40 else ""
        sentences.append(f"{field}{got_text}: {' or '.join(messages)}")
    more = f" (and {len(by_field) - 5} more fields)" if len(by_field) > 5 else ""
    return "; ".join(sentences) + more
