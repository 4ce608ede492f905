"""HTML pages: one template each, rendered with the page's name for the navigation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["pages"], include_in_schema=False)


def _page(request: Request, template: str, page: str) -> HTMLResponse:
    templates = request.app.state.templates
    return templates.TemplateResponse(request, template, {"page": page})  # type: ignore[no-any-return]


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
def kernel_lab(request: Request) -> HTMLResponse:
    """The Kernel lab."""
    return _page(request, "kernel_lab.html", "lab")


@router.api_route("/learn", methods=["GET", "HEAD"], response_class=HTMLResponse)
def learn(request: Request) -> HTMLResponse:
    """A lesson path in the course's order: each step a text, a live page and a question."""
    return _page(request, "learn.html", "learn")


@router.api_route("/draw", methods=["GET", "HEAD"], response_class=HTMLResponse)
def draw(request: Request) -> HTMLResponse:
    """Draw a digit and watch the trained models classify it."""
    return _page(request, "draw.html", "draw")


@router.api_route("/explorer", methods=["GET", "HEAD"], response_class=HTMLResponse)
def explorer(request: Request) -> HTMLResponse:
    """The network explorer: every layer's output for one input."""
    return _page(request, "explorer.html", "explorer")


@router.api_route("/training", methods=["GET", "HEAD"], response_class=HTMLResponse)
def training(request: Request) -> HTMLResponse:
    """How the shipped models were trained: curves and recipes."""
    return _page(request, "training.html", "training")


@router.api_route("/architectures", methods=["GET", "HEAD"], response_class=HTMLResponse)
def architecture_lab(request: Request) -> HTMLResponse:
    """The Architecture lab: shapes and parameters of a layer stack, presets, a quiz."""
    return _page(request, "architecture_lab.html", "architectures")
