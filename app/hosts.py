"""Answer only the host names this server is meant to be reached by.

Redirects (``/static`` -> ``/static/``) and absolute URLs are built from the request's Host
header; a forged Host would make the server point its users elsewhere. Starlette's
``TrustedHostMiddleware`` checks the same, but answers in plain text: this one answers like
every other refusal of the API, in JSON with what to do.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.i18n import translate


def host_name(host_header: str) -> str:
    """The name part of a Host header: ``[::1]:8000`` -> ``[::1]``, ``a.org:80`` -> ``a.org``."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class AllowedHosts:
    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str]) -> None:
        for pattern in allowed_hosts:
            if (
                pattern != "*"
                and "*" in pattern
                and not (pattern.startswith("*.") and "*" not in pattern[1:])
            ):
                raise ValueError(
                    f"allowed_hosts has {pattern!r}; a wildcard must be '*' alone or start "
                    "a name, as in '*.example.org'."
                )
        self.app = app
        self.patterns = [pattern.lower() for pattern in allowed_hosts]
        self.allow_any = "*" in self.patterns

    def allows(self, host: str) -> bool:
        return any(
            host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:]))
            for pattern in self.patterns
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = host_name(Headers(scope=scope).get("host", ""))
        if self.allows(host):
            await self.app(scope, receive, send)
            return
        # In the request's language: the language middleware runs before this one.
        names = ", ".join(self.patterns)
        if host:
            detail = translate(
                "This server does not answer the host {host}. Reach it by one of its names "
                "({names}), or, if you run it, add the name to the allowed_hosts setting "
                "(CONVLENS_ALLOWED_HOSTS).",
                {"host": repr(host[:80]), "names": names},
            )
        else:
            detail = translate(
                "This server does not answer a request without a Host header. Reach it by one "
                "of its names ({names}), or, if you run it, add the name to the allowed_hosts "
                "setting (CONVLENS_ALLOWED_HOSTS).",
                {"names": names},
            )
        await JSONResponse({"detail": detail}, status_code=400)(scope, receive, send)
