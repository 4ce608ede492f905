"""HTML pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def kernel_lab(request: Request) -> HTMLResponse:
    """The Kernel lab."""
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "kernel_lab.html", {"page": "lab"})  # type: ignore[no-any-return]
