"""The ASGI app: ``create_app(settings)`` wires routers, static files, templates and errors."""

from __future__ import annotations

import re
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypedDict

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from app import __version__
from app.api import (
    architectures,
    convolution,
    datasets,
    docs,
    health,
    jobs,
    live,
    model_imports,
    models,
    pages,
    patterns,
    pooling,
    samples,
    training,
    works,
)
from app.api import explain as explanations
from app.api.compute import ComputeSlots
from app.api.json_bodies import is_json_media_type, not_utf8_detail, refuse_ambiguous_json
from app.config import Settings
from app.errors import N_, ConvLensError
from app.errors import explain_validation_errors as explain
from app.hosts import AllowedHosts
from app.i18n import LanguageMiddleware, gettext, install_in_templates, translate
from app.jobs.queue import JobQueue
from app.jobs.worker import EmbeddedWorker
from app.limits import BodySizeLimit, LargeBody
from app.ml.registry import Registry, load_registry
from app.schemas.common import ErrorResponse
from app.schemas.lab import Sample

ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorResponse} for status in (400, 404, 413, 415, 422)
}
# FastAPI's own detail when a body cannot be decoded at all (not UTF-8, broken multipart).
UNPARSEABLE_BODY = "There was an error parsing the body"
# A 422 lists this many errors and counts the rest: the answer stays small whatever was sent.
MAX_LISTED_ERRORS = 20
# Addresses that mean "every interface": no request names them as its host.
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")


class State(TypedDict):
    samples: list[Sample]
    registry: Registry
    compute: ComputeSlots
    jobs: JobQueue


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        compute = ComputeSlots(settings.compute_threads, settings.compute_queue)
        # With no queue server, this app runs the jobs itself, in a process of its own.
        worker = EmbeddedWorker(settings) if settings.queue_url is None else None
        job_queue = JobQueue(settings, on_submit=worker.start if worker else None)
        if worker is not None and job_queue.pending():
            worker.start()
        try:
            yield {
                "samples": samples.load_samples(settings.static_dir),
                "registry": load_registry(settings.models_dir, settings.data_dir),
                "compute": compute,
                "jobs": job_queue,
            }
        finally:
            compute.close()
            if worker is not None:
                worker.stop()

    app = FastAPI(
        title="ConvLens",
        version=__version__,
        summary="See what a convolutional neural network does to an image.",
        description="The pages are at [/](/); this is the REST API they use.\n" + live.PROTOCOL,
        lifespan=lifespan,
        dependencies=[Depends(refuse_ambiguous_json)],
        docs_url=None,  # served below from local files: FastAPI's default loads them from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.templates = Jinja2Templates(directory=settings.templates_dir)
    install_in_templates(app.state.templates.env)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_upload_bytes,
        max_json_bytes=settings.max_json_bytes,
        large_bodies={
            ("POST", "/api/models"): LargeBody(
                settings.max_import_bytes,
                "CONVLENS_MAX_IMPORT_BYTES",
                # Marked for translation (N_), kept in English: LargeBody.detail translates
                # it into each refused request's language.
                N_(
                    "The model file is larger than {max_bytes:,} bytes, the most this server "
                    "takes (setting {setting}). Save the model without its optimizer state, or "
                    "ask the server's admin to raise the cap."
                ),
            ),
            ("POST", "/api/datasets"): LargeBody(
                settings.max_dataset_bytes,
                "CONVLENS_MAX_DATASET_BYTES",
                N_(
                    "The dataset archive is larger than {max_bytes:,} bytes, the most this server "
                    "takes (setting {setting}). Send fewer or smaller images (they are resized "
                    "to at most 128 pixels a side anyway), or split the set."
                ),
            ),
        },
    )
    app.add_middleware(AllowedHosts, allowed_hosts=_allowed_hosts(settings))
    app.add_middleware(LanguageMiddleware)
    for module in (
        models,
        model_imports,
        live,
        health,
        convolution,
        pooling,
        samples,
        architectures,
        datasets,
        explanations,
        patterns,
        training,
        jobs,
        works,
    ):
        app.include_router(module.router, responses=ERROR_RESPONSES)
    app.include_router(pages.router)
    app.include_router(docs.router)
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    _add_error_handlers(app)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ConvLensError)
    async def domain_error(request: Request, exc: ConvLensError) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.localized()}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        content_type = request.headers.get("content-type", "")
        if _is_body_of_wrong_type(exc.errors()) and not is_json_media_type(content_type):
            if content_type:
                detail = translate(
                    "This endpoint takes a JSON object sent with Content-Type: application/json; "
                    "the request's Content-Type was {content_type}. Send the body as JSON with "
                    "that header.",
                    {"content_type": repr(content_type[:60])},
                )
            else:
                detail = gettext(
                    "This endpoint takes a JSON object sent with Content-Type: application/json; "
                    "the request had no Content-Type header. Send the body as JSON with that "
                    "header."
                )
            return JSONResponse({"detail": detail}, status_code=415)
        found = exc.errors()
        listed = found[:MAX_LISTED_ERRORS]
        errors = [
            {
                "loc": [part if isinstance(part, int) else str(part) for part in e["loc"]],
                "msg": e["msg"],
                "type": e["type"],
            }
            for e in listed
        ]
        unlisted = len(found) - len(listed)
        params = {"problems": explain(listed), "unlisted": unlisted}
        if unlisted:
            detail = translate(
                "The request does not match what this endpoint expects: {problems} "
                "({unlisted:,} more errors are not listed). Fix the fields listed in 'errors' "
                "(see /docs for each field's type and range) and send it again.",
                params,
            )
        else:
            detail = translate(
                "The request does not match what this endpoint expects: {problems}. Fix the "
                "fields listed in 'errors' (see /docs for each field's type and range) and send "
                "it again.",
                params,
            )
        return JSONResponse({"detail": detail, "errors": errors}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail
        if exc.status_code == 400:
            # Only body parsing answers 400 here (domain errors are 413/415/422): say what to send.
            reason = exc.__cause__ if detail == UNPARSEABLE_BODY else detail
            detail = _unparseable_body_detail(request, reason)
        elif exc.status_code == 404 and detail == "Not Found":
            detail = translate(
                "There is nothing at {path}. See /docs for the API's paths.",
                {"path": request.url.path},
            )
        elif exc.status_code == 405:
            allowed = _allowed_methods(request, (exc.headers or {}).get("Allow", ""))
            detail = translate(
                "{method} is not allowed on {path}; it takes {allowed}. See /docs for what each "
                "method does.",
                {"method": request.method, "path": request.url.path, "allowed": ", ".join(allowed)},
            )
            return JSONResponse(
                {"detail": detail}, status_code=405, headers={"Allow": ", ".join(allowed)}
            )
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


def _allowed_methods(request: Request, starlette_allows: str) -> list[str]:
    """Every method the API documents at this path. Starlette's own 405 names only the first
    route's, and a path such as /api/models has a route per method; the OpenAPI schema,
    built once, has them all. Paths outside it (the pages) keep Starlette's answer."""
    for template, operations in request.app.openapi()["paths"].items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            return sorted(method.upper() for method in operations)
    return [m.strip() for m in starlette_allows.split(",") if m.strip()]


def _is_body_of_wrong_type(errors: Sequence[Any]) -> bool:
    """The whole body failed as an object: what FastAPI reports for a non-JSON body."""
    return any(
        tuple(e["loc"]) == ("body",) and e["type"] == "model_attributes_type" for e in errors
    )


def _allowed_hosts(settings: Settings) -> list[str]:
    """The configured names, and the address the server binds to when it is a single one."""
    bound = settings.host.strip().lower()
    if bound in WILDCARD_ADDRESSES:
        return list(settings.allowed_hosts)
    name = f"[{bound}]" if ":" in bound else bound
    return list(dict.fromkeys([*settings.allowed_hosts, name]))


def _unparseable_body_detail(request: Request, cause: object) -> str:
    if isinstance(cause, UnicodeDecodeError):
        return not_utf8_detail(cause)
    content_type = request.headers.get("content-type", "")
    text = "" if cause is None else _in_our_words(cause)
    params = {"reason": text[:200]}
    if "multipart" in content_type.lower():
        if text:
            return translate(
                "The request body could not be read ({reason}). This endpoint expects a "
                "multipart/form-data form with a boundary that matches the Content-Type header; "
                "see /docs for each endpoint's body.",
                params,
            )
        return gettext(
            "The request body could not be read. This endpoint expects a multipart/form-data "
            "form with a boundary that matches the Content-Type header; see /docs for each "
            "endpoint's body."
        )
    if text:
        return translate(
            "The request body could not be read ({reason}). This endpoint expects JSON encoded "
            "as UTF-8, sent with Content-Type: application/json; see /docs for each endpoint's "
            "body.",
            params,
        )
    return gettext(
        "The request body could not be read. This endpoint expects JSON encoded as UTF-8, sent "
        "with Content-Type: application/json; see /docs for each endpoint's body."
    )


def _in_our_words(cause: object) -> str:
    """Why a JSON body could not be parsed, without Python's advice to Python programmers."""
    if isinstance(cause, RecursionError):
        return gettext("its lists or objects are nested too deeply")
    if isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        # json.loads refuses integer literals over sys.get_int_max_str_digits() digits.
        return translate(
            "a number in it has more than {digits:,} digits",
            {"digits": sys.get_int_max_str_digits()},
        )
    return str(cause).strip().rstrip(".")


app = create_app()
