"""Models every area shares: the strict request base, the error body, the health answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """A request body: unknown fields are refused, and so are values of the wrong JSON type.

    Strict mode keeps ``"2"`` from passing as the number 2 and ``true`` as the stride 1; an
    integer still passes where a float is expected.
    """

    model_config = ConfigDict(extra="forbid", strict=True)


class ErrorItem(BaseModel):
    loc: list[str | int] = Field(
        description='Where the problem is: "body" or the form, then the field path.'
    )
    msg: str = Field(description="What is wrong with that field.")
    type: str = Field(description="Pydantic's error type, e.g. greater_than_equal.")


class ErrorResponse(BaseModel):
    detail: str = Field(description="What was wrong, what was expected, and how to fix it.")
    errors: list[ErrorItem] | None = Field(
        default=None, description="For malformed requests: each field that failed validation."
    )


class Health(BaseModel):
    status: Literal["ok"] = Field(description='Always "ok" when the app answers.')
    version: str = Field(description="The app's version.")
    kernel_presets: int = Field(description="How many kernel presets GET /api/kernels lists.")
