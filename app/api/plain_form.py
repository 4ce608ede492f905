"""A strict reader for the plainest multipart forms: what browsers, curl and HTTP libraries send.

FastAPI reads a form through python-multipart and then solves every field as a dependency of
its own; for a predict request that is about 1.3 ms of a 5 ms request (``bench/models.py``).
:func:`parse_plain_form` reads the one shape of form that clients actually send, in a few
microseconds, and answers ``None`` for anything else, however legal: the caller then hands the
request to FastAPI, which parses it and reports its errors as it always does. So this reader
never has to explain a bad form, and it only accepts what it reads exactly as python-multipart
does (``tests/api/test_plain_form.py`` checks this against the real thing).

The shape (RFC 7578, with none of its options):

- ``Content-Type: multipart/form-data; boundary=B`` in lower case, the boundary a token or a
  quoted string of RFC 2046's boundary characters without spaces;
- the body starts with ``--B`` CRLF and ends with ``CRLF --B--``, then nothing or a CRLF;
- each part has a ``Content-Disposition: form-data; name="N"`` header, with
  ``; filename="F"`` for a file, and at most a ``Content-Type`` header besides;
- names and filenames are printable ASCII without quotes or backslashes; a name appears once;
- text values are printable ASCII; nothing in the body looks like a delimiter but the
  delimiters.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect

from app.api.deps import settings_of

_BOUNDARY_CHARS = r"[0-9A-Za-z'()+_,\-./:=?]{1,70}"
_CONTENT_TYPE = re.compile(
    rf'multipart/form-data;[ ]?boundary=(?:({_BOUNDARY_CHARS})|"({_BOUNDARY_CHARS})")'
)
_QUOTED = r'"([ !#-\[\]-~]*)"'  # printable ASCII but " and \
_DISPOSITION = re.compile(rf"form-data; name={_QUOTED}(?:; filename={_QUOTED})?".encode())
_TEXT_VALUE = re.compile(rb"[ -~]*")


@dataclass(frozen=True)
class PlainFile:
    filename: str
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class PlainForm:
    fields: dict[str, str]
    files: dict[str, PlainFile]


def parse_plain_form(content_type: str | None, body: bytes) -> PlainForm | None:
    """The form's text fields and files, or None if it is not of the plain shape above."""
    boundary = _boundary(content_type)
    if boundary is None:
        return None
    opening = b"--" + boundary + b"\r\n"
    closing = b"\r\n--" + boundary + b"--"
    end = body.rfind(closing)
    if not body.startswith(opening) or end < 0 or body[end + len(closing) :] not in (b"", b"\r\n"):
        return None
    fields: dict[str, str] = {}
    files: dict[str, PlainFile] = {}
    for part in body[len(opening) : end].split(b"\r\n" + opening):
        if b"\r\n--" + boundary in part:  # a delimiter gone wrong, or one inside a value
            return None
        head, blank_line, data = part.partition(b"\r\n\r\n")
        parsed = _headers(head) if blank_line else None
        if parsed is None:
            return None
        name, filename, part_type = parsed
        if name in fields or name in files:
            return None
        if filename is not None:
            files[name] = PlainFile(filename, part_type, data)
        elif part_type is None and _TEXT_VALUE.fullmatch(data):
            fields[name] = data.decode("ascii")
        else:
            return None
    return PlainForm(fields, files)


def _boundary(content_type: str | None) -> bytes | None:
    match = _CONTENT_TYPE.fullmatch(content_type or "")
    if match is None:
        return None
    return (match.group(1) or match.group(2)).encode("ascii")


def _headers(head: bytes) -> tuple[str, str | None, str | None] | None:
    """(name, filename, content type) from a part's headers, if they are plain."""
    disposition: re.Match[bytes] | None = None
    part_type: str | None = None
    for line in head.split(b"\r\n"):
        key, colon, value = line.partition(b":")
        key, value = key.lower(), value.strip(b" \t")
        if not colon:
            return None
        if key == b"content-disposition" and disposition is None:
            disposition = _DISPOSITION.fullmatch(value)
            if disposition is None:
                return None
        elif key == b"content-type" and part_type is None and _TEXT_VALUE.fullmatch(value):
            part_type = value.decode("ascii")
        else:
            return None
    if disposition is None:
        return None
    name, filename = disposition.group(1), disposition.group(2)
    if not name or filename == b"":
        return None
    return name.decode("ascii"), None if filename is None else filename.decode("ascii"), part_type


PlainAnswer = Callable[[Request, PlainForm], Awaitable[Response | None]]


def plain_form_route(answer: PlainAnswer) -> type[APIRoute]:
    """A route class that gives plain forms to ``answer`` and the rest to FastAPI's handler.

    ``answer`` returns the response, or None for a form whose values it does not take as they
    are: FastAPI's handler then reads the form again, validates it and answers, errors
    included. So the two must agree wherever ``answer`` answers (``tests/api`` checks this to
    the byte), and anything unusual is FastAPI's, with its messages. With
    ``CONVLENS_PLAIN_FORMS=false`` every request is FastAPI's.
    """

    class PlainFormRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            standard = super().get_route_handler()

            async def handler(request: Request) -> Response:
                if not settings_of(request).plain_forms:
                    return await standard(request)
                try:
                    body = await request.body()  # the body size limit's 413 goes up as it is
                except ClientDisconnect:  # FastAPI's handler reports it as it always does
                    return await standard(request)
                form = parse_plain_form(request.headers.get("content-type"), body)
                response = None if form is None else await answer(request, form)
                return response if response is not None else await standard(request)

            return handler

    return PlainFormRoute
