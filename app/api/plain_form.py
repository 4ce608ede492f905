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

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings

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


@dataclass(frozen=True)
class PlainRequest:
    """A POST whose body is a plain form, as :class:`PlainForms` hands it to an answer.

    ``path_params``: the path's parameters, as the route would have them. ``state``: the app's
    lifespan state (what ``request.state`` holds). ``settings``: the app's settings.
    """

    path_params: dict[str, str]
    form: PlainForm
    state: Mapping[str, Any]
    settings: Settings


PlainAnswer = Callable[[PlainRequest], Awaitable[Response | None]]


class PlainForms:
    """ASGI middleware: plain forms POSTed to the paths in ``answers`` are answered there, ahead
    of FastAPI's routing; every other request goes on to the app as it came.

    ``answers`` maps a route's path (``"/api/models/{model_id}/predict"``, matched as Starlette
    matches it) to a function that returns the response, or None for a form whose values it
    does not take as they are. FastAPI then reads the form, its body handed on as received,
    validates it and answers, errors included. So the two must agree wherever an answer
    answers (``tests/api`` checks this to the byte), and anything unusual is FastAPI's, with
    its messages. An exception the answer raises is answered by the app's handler for its
    type, as it would be from the route; one with no handler goes up to the server's 500.

    Why in front of routing: for a predict request, the middleware stack, routing and
    FastAPI's request handling cost the server 10-13% of its CPU time per prediction
    (``bench/README.md``). The request must declare its ``Content-Length``, which the body size
    limit, outside this middleware, has already checked; a chunked body goes to FastAPI.
    """

    def __init__(
        self, app: ASGIApp, answers: Mapping[str, PlainAnswer], settings: Settings
    ) -> None:
        self.app = app
        self.settings = settings
        self.routes = [(compile_path(path)[0], answer) for path, answer in answers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer, params = self._route(scope)
        if answer is None:
            await self.app(scope, receive, send)
            return
        content_type, length = _form_headers(scope["headers"])
        if length is None:
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        if received[-1]["type"] != "http.request":  # the client left: FastAPI reports it
            await self.app(scope, _replay(received, receive), send)
            return
        form = parse_plain_form(content_type, b"".join(m.get("body", b"") for m in received))
        try:
            plain = PlainRequest(params, form, scope["state"], self.settings) if form else None
            response = None if plain is None else await answer(plain)
        except Exception as exc:
            response = await _handled(scope, exc)
        if response is None:
            await self.app(scope, _replay(received, receive), send)
            return
        await response(scope, receive, send)

    def _route(self, scope: Scope) -> tuple[PlainAnswer | None, dict[str, str]]:
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
            return None, {}
        for regex, answer in self.routes:
            match = regex.match(scope["path"])
            if match is not None:
                return answer, match.groupdict()
        return None, {}


def _form_headers(headers: Iterable[tuple[bytes, bytes]]) -> tuple[str | None, int | None]:
    """The request's Content-Type (the first, as Starlette reads it), and its Content-Length if
    it declares exactly one."""
    content_type: str | None = None
    lengths: list[bytes] = []
    for key, value in headers:
        if key == b"content-type" and content_type is None:
            content_type = value.decode("latin-1")
        elif key == b"content-length":
            lengths.append(value)
    if len(lengths) != 1 or not lengths[0].isdigit():
        return content_type, None
    return content_type, int(lengths[0])


def _replay(received: list[Message], receive: Receive) -> Receive:
    """``receive`` with the messages already read handed out again first."""
    pending = list(received)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


async def _handled(scope: Scope, exc: Exception) -> Response:
    """The app's answer to ``exc``, from its handler for the nearest class of it (as Starlette's
    ``ExceptionMiddleware`` finds it); ``exc`` is raised again if there is none."""
    handlers = scope["app"].exception_handlers
    handler = next((handlers[cls] for cls in type(exc).__mro__ if cls in handlers), None)
    if handler is None:
        raise exc
    request = Request(scope)
    if inspect.iscoroutinefunction(handler):
        response: Response = await handler(request, exc)
    else:
        response = await run_in_threadpool(handler, request, exc)
    return response
