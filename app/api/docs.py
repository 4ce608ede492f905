"""The OpenAPI docs page, with Swagger UI served from static/vendor (no CDN needed)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from markupsafe import escape

from app.i18n import SOURCE, current, gettext, translate

router = APIRouter(include_in_schema=False)

SWAGGER_UI = "/static/vendor/swagger-ui"
DOCS_CSS = "/static/css/docs.css"
DOCS_JS = "/static/js/docs.js"


@router.api_route("/docs", methods=["GET", "HEAD"], response_class=HTMLResponse)
def swagger_ui() -> HTMLResponse:
    """Interactive API documentation."""
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="ConvLens API",
        swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER_UI}/favicon-32x32.png",
    )
    # Swagger UI speaks English; its colours are made readable (WCAG AA) by our stylesheet, and
    # static/js/docs.js takes the links out of the operations' buttons.
    html = bytes(page.body).decode("utf-8")
    html = html.replace("<html>", '<html lang="en">', 1)
    html = html.replace("</head>", f'<link rel="stylesheet" href="{DOCS_CSS}">\n</head>', 1)
    if current.get() != SOURCE:
        container = '<div id="swagger-ui">'
        html = html.replace(container, f"{_language_note()}\n{container}", 1)
    bundle = f'<script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>'
    if bundle in html:  # our plugin goes in before FastAPI's script starts Swagger UI
        html = html.replace(bundle, f'{bundle}\n<script src="{DOCS_JS}"></script>', 1)
    return HTMLResponse(html)


def _language_note() -> str:
    """For a reader of another language: the reference is English, the API's messages are not."""
    language = current.get()
    note = translate(
        "This reference (Swagger UI) is in English. The API's messages, the detail of each "
        "answer, come in your language when a request sends the header Accept-Language: "
        "{language}.",
        {"language": language},
    )
    back = gettext("Back to ConvLens")
    return (
        f'<p class="docs-language-note" lang="{language}">{escape(note)} '
        f'<a href="/?lang={language}">{escape(back)}</a></p>'
    )
