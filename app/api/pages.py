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


@router.get("/draw", response_class=HTMLResponse)
def draw(request: Request) -> HTMLResponse:
    """Draw a digit and watch the trained models classify it."""
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "draw.html", {"page": "draw"})  # type: ignore[no-any-return]


@router.get("/explorer", response_class=HTMLResponse)
def explorer(request: Request) -> HTMLResponse:
    """The network explorer: every layer's output for one input."""
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "explorer.html", {"page": "explorer"})  # type: ignore[no-any-return]


@router.get("/training", response_class=HTMLResponse)
def training(request: Request) -> HTMLResponse:
    """How the shipped models were trained: curves and recipes."""
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "training.html", {"page": "training"})  # type: ignore[no-any-return]


@router.get("/architectures", response_class=HTMLResponse)
def architecture_lab(request: Request) -> HTMLResponse:
    """The Architecture lab: shapes and parameters of a layer stack, presets, a quiz."""
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "architecture_lab.html", {"page": "architectures"})  # type: ignore[no-any-return]
