"""JSON request bodies are UTF-8 and name each key once: checked before a body is validated.

FastAPI parses a JSON body with ``json.loads(bytes)``, which also reads UTF-16 and UTF-32 and
keeps the last of two equal keys, and offers no hook to change the decoder. This dependency is
declared once for the whole app (FastAPI's global dependencies), so it runs for every route
before its body is validated, with no second request path; it reads the body FastAPI already
holds and parses it again in a worker thread, off the event loop.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request

from app.errors import ConvLensError
from app.i18n import translate


class BodyNotUtf8(ConvLensError):
    """A JSON body in another encoding than UTF-8 (RFC 8259 allows no other)."""

    status_code = 400


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def not_utf8(error: UnicodeDecodeError | None) -> BodyNotUtf8:
    """Why a body is not UTF-8: the first byte that cannot be, or NUL bytes (UTF-16 or -32)."""
    if error is None:
        return BodyNotUtf8(
            "The request body is not UTF-8 text: it holds NUL bytes, as UTF-16 and UTF-32 text "
            "does. This endpoint expects JSON encoded as UTF-8, sent with Content-Type: "
            "application/json; save or re-encode the body as UTF-8 and send it again."
        )
    return BodyNotUtf8(
        "The request body is not UTF-8 text: the byte at offset {offset:,} (0x{byte:02x}) is "
        "not part of a UTF-8 character. This endpoint expects JSON encoded as UTF-8, sent with "
        "Content-Type: application/json; save or re-encode the body as UTF-8 and send it again.",
        offset=error.start,
        byte=error.object[error.start],
    )


def not_utf8_detail(error: UnicodeDecodeError | None) -> str:
    """:func:`not_utf8`'s message in the request's language."""
    return not_utf8(error).localized()


async def refuse_ambiguous_json(connection: HTTPConnection) -> None:
    """Refuse a JSON body that is not UTF-8 or has a key twice in one object."""
    content_type = connection.headers.get("content-type", "")
    if not isinstance(connection, Request) or not is_json_media_type(content_type):
        return
    raw = await connection.body()  # already read by FastAPI: no second read of the stream
    if raw:
        await run_in_threadpool(check_json_text, raw)


def check_json_text(raw: bytes) -> None:
    if b"\x00" in raw:  # JSON text never holds a raw NUL; UTF-16 and UTF-32 text always does
        raise not_utf8(None)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise not_utf8(exc) from None
    try:
        json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKey as exc:
        raise RequestValidationError(
            [
                {
                    "type": "json_duplicate_key",
                    "loc": ("body",),
                    "msg": translate(
                        "the key {key} appears twice in one object; give each key once",
                        {"key": repr(exc.key)},
                    ),
                    "input": exc.key,
                }
            ]
        ) from None
    except ValueError:
        return  # FastAPI parsed it, so this cannot happen; leave any refusal to FastAPI's own


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` or a ``+json`` type, whatever its parameters."""
    media_type = content_type.split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")
