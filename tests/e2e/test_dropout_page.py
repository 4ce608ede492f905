"""The Network explorer's "Dropout, seen": hidden for models without Dropout layers; for an
imported model with one, the same digit at rates 0, 0.2 and 0.4 side by side, nothing greyed at
0, some units greyed at 0.4, and "Draw again" drawing other units."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.keras_files import small_sequential_grey

from .digit_pages import Explorer, horizontal_overflow
from .imported_models import imported_model

UNITS = 216  # small_sequential_grey's Dropout layer: 6 x 6 x 6 values, flattened


@pytest.fixture
def dropout_model(page: Page, tmp_path: Path) -> Iterator[dict[str, Any]]:
    with imported_model(
        page.request,
        small_sequential_grey(),
        tmp_path,
        name="Dropout digits",
        classes=", ".join(map(str, range(10))),
    ) as imported:
        yield imported


def _wait_passes(page: Page, renders: int = 1) -> None:
    page.wait_for_function(
        "n => document.getElementById('dropout').dataset.status === 'ready'"
        " && Number(document.getElementById('dropout').dataset.renders) >= n",
        arg=renders,
        timeout=30_000,
    )


def _columns(page: Page) -> list[dict[str, str]]:
    found: list[dict[str, str]] = page.locator(".dropout-column").evaluate_all(
        "cs => cs.map(c => ({...c.dataset, grid: c.querySelector('canvas').toDataURL(),"
        " bars: [...c.querySelectorAll('.prob-row')].map(r => r.dataset.value).join()}))"
    )
    return found


def test_a_model_without_dropout_hides_the_section(page: Page) -> None:
    Explorer(page).open()
    page.wait_for_selector("#network[data-status=ready]")
    expect(page.locator("#dropout-section")).to_be_hidden()


def test_three_rates_side_by_side_and_draw_again_draws_other_units(
    page: Page, dropout_model: dict[str, Any], artifacts: Path
) -> None:
    model_id = dropout_model["id"]
    Explorer(page).open(model_id)
    page.wait_for_selector(f"#network[data-status=ready][data-model='{model_id}']")
    expect(page.locator("#dropout-section")).to_be_visible()
    _wait_passes(page)
    columns = _columns(page)
    assert [c["rate"] for c in columns] == ["0", "0.2", "0.4"]
    assert columns[0]["dropped"] == "0"
    assert 0 < int(columns[2]["dropped"]) < UNITS
    expect(page.locator(".dropout-column").nth(2).locator(".dropout-count")).to_contain_text(
        f"of {UNITS} units dropped"
    )
    for column in page.locator(".dropout-column").all():
        expect(column.locator(".prob-row")).to_have_count(10)
    expect(page.locator(".dropout-sentences li")).to_have_count(3)
    page.locator(".dropout-panel").scroll_into_view_if_needed()
    page.set_viewport_size({"width": 1366, "height": 768})
    assert horizontal_overflow(page) == 0
    page.locator(".dropout-panel").screenshot(path=artifacts / "laptop-dropout.png")

    page.click("#dropout [data-role=draw-again]")
    _wait_passes(page, 2)
    again = _columns(page)
    assert again[0]["grid"] == columns[0]["grid"] and again[0]["dropped"] == "0"
    assert any(a["grid"] != c["grid"] for a, c in zip(again[1:], columns[1:], strict=True))
    assert any(a["bars"] != c["bars"] for a, c in zip(again[1:], columns[1:], strict=True))


def test_the_dropout_section_fits_a_phone(
    phone_page: Page, dropout_model: dict[str, Any], artifacts: Path
) -> None:
    phone = phone_page
    model_id = dropout_model["id"]
    Explorer(phone).open(model_id)
    _wait_passes(phone)
    phone.locator(".dropout-panel").scroll_into_view_if_needed()
    assert horizontal_overflow(phone) == 0
    tops = phone.locator(".dropout-column").evaluate_all(
        "cs => cs.map(c => Math.round(c.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1  # side by side, even on a phone
    box = phone.locator("#dropout [data-role=draw-again]").bounding_box()
    assert box and box["height"] >= 24
    phone.locator(".dropout-panel").screenshot(path=artifacts / "phone-dropout.png")


def test_a_shipped_model_with_dropout_shows_the_section_on_a_photo(
    page: Page, artifacts: Path
) -> None:
    models = page.request.get("/api/models").json()
    with_dropout = [
        m["id"]
        for m in models
        if any(
            "Dropout" in row["type"]
            for row in page.request.get(f"/api/models/{m['id']}").json()["summary"]
        )
    ]
    if not with_dropout:
        pytest.skip("No shipped model has Dropout layers; the imported one is tested above.")
    Explorer(page).open(with_dropout[0])
    expect(page.locator("#dropout-section")).to_be_visible()
    _wait_passes(page)
    assert _columns(page)[0]["dropped"] == "0"
    page.locator(".dropout-panel").screenshot(path=artifacts / "laptop-dropout-shipped.png")
