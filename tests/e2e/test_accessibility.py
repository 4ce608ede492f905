"""axe-core on every page, in English and Korean, at laptop and phone sizes: no serious or
critical violation.

axe-core (vendored in ``tests/e2e/vendor/axe-core``) checks what a machine can check against
WCAG 2.1 A and AA and axe's best practices: contrast, names and labels, roles, landmarks,
target sizes. Each page is checked once its first picture or answer has arrived, so that the
parts drawn by JavaScript are checked too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Each page, and what shows that it has drawn what it draws at first.
PAGES = {
    "learn": ("/learn", "iframe.learn-frame"),
    "kernel-lab": ("/", "#image-result[data-status='ready']"),
    "kernel-lab-numbers": ("/#numbers", "#numbers-output table, #numbers-output canvas"),
    "draw": ("/draw", "#sketchpad, canvas"),
    "explorer": ("/explorer", ".layer, .feature-maps"),
    "training": ("/training", "svg, canvas"),
    "architectures": ("/architectures", "table"),
    "docs": ("/docs", ".swagger-ui .opblock"),
}
# The API documentation is for programmers and Swagger UI speaks English: it is checked once.
KOREAN = [name for name in PAGES if name != "docs"]


def in_korean(path: str) -> str:
    """The page's address with ?lang=ko, before any #hash."""
    address, hash_mark, fragment = path.partition("#")
    return f"{address}?lang=ko{hash_mark}{fragment}"


def violations(page: Page, path: str, ready: str) -> list[dict[str, Any]]:
    page.goto(path)
    page.wait_for_selector(ready, state="attached", timeout=60_000)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
          const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
          return result.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                           nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
                           count: v.nodes.length }));
        }""",
        TAGS,
    )
    return found


def report(found: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}), {v['count']} nodes, e.g. {v['nodes']}"
        for v in found
    )


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_violation_on_a_laptop(page: Page, name: str) -> None:
    path, ready = PAGES[name]
    found = violations(page, path, ready)
    assert not found, report(found)


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_violation_on_a_phone(phone_page: Page, name: str) -> None:
    path, ready = PAGES[name]
    found = violations(phone_page, path, ready)
    assert not found, report(found)


@pytest.mark.parametrize("name", KOREAN)
def test_no_serious_violation_in_korean_on_a_laptop(page: Page, name: str) -> None:
    path, ready = PAGES[name]
    found = violations(page, in_korean(path), ready)
    assert page.locator("html").get_attribute("lang") == "ko"
    assert not found, report(found)


@pytest.mark.parametrize("name", KOREAN)
def test_no_serious_violation_in_korean_on_a_phone(phone_page: Page, name: str) -> None:
    path, ready = PAGES[name]
    found = violations(phone_page, in_korean(path), ready)
    assert phone_page.locator("html").get_attribute("lang") == "ko"
    assert not found, report(found)
