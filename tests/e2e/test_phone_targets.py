"""On a phone every radio, checkbox and nav link is a hit target of at least 24 x 24 CSS px
(WCAG 2.5.8), the radio or checkbox through its label."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

MIN_TARGET = 24  # CSS px

# For each radio and checkbox a finger can reach: the box of what it taps (its label, else itself).
CHOICE_TARGETS = """() => [...document.querySelectorAll('input[type=radio], input[type=checkbox]')]
  .map((input) => {
    const target = input.labels?.[0] ?? input;
    const box = target.getBoundingClientRect();
    return {
      name: (target.textContent || input.name || input.id).trim().slice(0, 40),
      visible: target.checkVisibility() && box.width > 0,
      width: box.width,
      height: box.height,
    };
  })
  .filter((target) => target.visible)"""


def too_small(targets: list[dict[str, object]]) -> list[dict[str, object]]:
    return [
        t
        for t in targets
        if float(str(t["width"])) < MIN_TARGET or float(str(t["height"])) < MIN_TARGET
    ]


@pytest.mark.parametrize("path", ["/", "/#numbers", "/draw", "/architectures"])
def test_phone_radios_and_checkboxes_are_tapped_through_24_px_labels(
    phone_page: Page, path: str
) -> None:
    phone_page.goto(path)
    expect(phone_page.locator("body")).to_have_attribute("data-ready", "true")
    phone_page.evaluate("document.querySelectorAll('details').forEach((d) => (d.open = true))")
    targets = phone_page.evaluate(CHOICE_TARGETS)
    assert targets, f"{path} shows no radio or checkbox to measure"
    assert too_small(targets) == []


def test_phone_nav_links_are_at_least_24_px_targets(phone_page: Page) -> None:
    phone_page.goto("/training")
    links = phone_page.locator(".site-header nav a")
    expect(links).to_have_count(6)
    boxes = links.evaluate_all(
        "links => links.map((a) => { const box = a.getBoundingClientRect();"
        " return {name: a.textContent, width: box.width, height: box.height}; })"
    )
    assert too_small(boxes) == []
