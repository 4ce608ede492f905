"""The OpenAPI docs page works offline: Swagger UI comes from the app, not from a CDN."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Page, expect


def test_docs_render_every_endpoint_from_local_files_only(
    page: Page, base_url: str, artifacts: Path
) -> None:
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))

    page.goto("/docs")

    for path in ("/api/convolve/matrix", "/api/pool/matrix", "/api/convolve", "/api/pool"):
        expect(page.locator(".opblock-summary-path", has_text=path).first).to_be_visible()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("ConvLens")
    # The live socket is not an OpenAPI operation: its protocol is in the description.
    expect(page.locator(".swagger-ui .info .description")).to_contain_text(
        "WebSocket /api/live: classify a drawing as it is drawn"
    )
    assert hosts == {urlparse(base_url).netloc}
    page.screenshot(path=artifacts / "laptop-docs.png")
