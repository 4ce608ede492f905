"""The OpenAPI docs page works offline: Swagger UI comes from the app, not from a CDN."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Page, expect

from .test_accessibility import report, violations


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
    expect(page.locator(".docs-language-note")).to_have_count(0)  # English needs no note


def test_a_korean_reader_is_told_what_is_english_and_the_way_back(
    korean_page: Page, artifacts: Path
) -> None:
    """Swagger UI has no Korean: the page says so in Korean, and that the API's messages are."""
    page = korean_page
    found = violations(page, "/docs", ".swagger-ui .opblock")

    note = page.locator(".docs-language-note")
    expect(note).to_have_attribute("lang", "ko")
    expect(note).to_contain_text("이 API 참고 문서(Swagger UI)는 영어로 되어 있습니다.")
    expect(note).to_contain_text("Accept-Language: ko 헤더를 넣으면 한국어로 옵니다.")
    assert not found, report(found)
    page.screenshot(path=artifacts / "korean-laptop-docs.png")
    note.get_by_role("link", name="ConvLens로 돌아가기").click()
    expect(page).to_have_url(re.compile(r"/\?lang=ko$"))
    expect(page.locator("html")).to_have_attribute("lang", "ko")
