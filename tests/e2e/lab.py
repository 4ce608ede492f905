"""A small page object for the Kernel lab, so the tests read as what a learner does."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from playwright.sync_api import Page, expect

READY = "#image-result[data-status=ready]"


class KernelLab:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, hash_: str = "") -> KernelLab:
        self.page.goto(f"/{hash_}")
        expect(self.page.locator("body")).to_have_attribute("data-ready", "true")
        return self

    # --- image lab -----------------------------------------------------------------------
    def wait_result(self, source: str | None = None, kernel: str | None = None) -> None:
        selector = "#image-result[data-status=ready]"
        if source:
            selector += f"[data-source={source}]"
        if kernel:
            selector += f"[data-kernel={kernel}]"
        self.page.wait_for_selector(selector)

    def renders(self) -> int:
        return int(self.page.locator("#image-result").get_attribute("data-renders") or 0)

    def choose_sample(self, name: str) -> None:
        # The lab opens on a sample of its own (the first one, camera): wait for that result,
        # then for the one this click causes, or a late first result would replace what the
        # test goes on to select.
        self.wait_result()
        before = self.renders()
        self.page.click(f".sample-card[data-name={name}]")
        self.page.wait_for_function(
            "Number(document.getElementById('image-result').dataset.renders ?? 0) > " + str(before)
        )
        self.wait_result(source=name)

    def choose_preset(self, name: str) -> None:
        self.page.select_option("#image-kernel-preset", name)
        self.wait_result(kernel=name)

    def set_stride(self, stride: int, prefix: str = "image") -> None:
        self.page.fill(f"#{prefix}-stride", str(stride))

    def set_padding(self, padding: str | int, prefix: str = "image") -> None:
        if isinstance(padding, int):
            self.page.select_option(f"#{prefix}-padding", "explicit")
            self.page.fill(f"#{prefix}-pad-amount", str(padding))
        else:
            self.page.select_option(f"#{prefix}-padding", padding)

    def output_shape(self) -> str:
        return self.page.locator("#output-shape").inner_text()

    def canvas_signature(self, canvas_id: str = "output-canvas") -> str:
        data_url = self.page.evaluate(f"document.getElementById('{canvas_id}').toDataURL()")
        return hashlib.sha256(data_url.encode()).hexdigest()

    def trace_blocks(self) -> list[dict[str, Any]]:
        """Each trace block's shown products and sum, read back from the page."""
        blocks: list[dict[str, Any]] = self.page.evaluate(
            """() => [...document.querySelectorAll('.trace .trace-block')]
                .map((block) => ({
                  products: [...block.querySelectorAll('[data-role=products] td')]
                    .map((td) => Number(td.dataset.value)),
                  shown: [...block.querySelectorAll('[data-role=products] td')]
                    .map((td) => Number(td.textContent)),
                  sums: [...block.querySelectorAll('[data-role=sum]')]
                    .map((o) => Number(o.dataset.value)),
                  results: [...block.querySelectorAll('[data-role=result]')]
                    .map((o) => Number(o.textContent)),
                }))"""
        )
        return blocks

    def selected_pixel(self) -> tuple[int, int]:
        """The output pixel the selected marker is on, as the page says it."""
        marker = self.page.locator("#output-stage [data-role=selected]")
        text = marker.get_attribute("data-position")
        row, col = map(int, (text or "").split(","))
        return row, col

    def window_origin(self) -> tuple[int, int]:
        """The input cell at the window outline's top-left corner (negative in the padding)."""
        text = self.page.locator("#input-stage [data-role=window]").get_attribute("data-origin")
        row, col = map(int, (text or "").split(","))
        return row, col

    def link(self) -> dict[str, str]:
        """The view the address holds, as name -> value."""
        pairs: list[list[str]] = self.page.evaluate(
            "[...new URLSearchParams(location.hash.slice(1))]"
        )
        return dict((name, value) for name, value in pairs)

    def wait_link(self, **expected: str) -> None:
        """Wait until the address holds these parameters (it is written a moment after a change)."""
        self.page.wait_for_function(
            """(expected) => {
              const params = new URLSearchParams(location.hash.slice(1));
              return Object.entries(expected).every(([name, value]) => params.get(name) === value);
            }""",
            arg=expected,
        )

    # --- numbers lab ---------------------------------------------------------------------
    def open_numbers(self) -> None:
        self.page.click("#tab-numbers")
        self.page.wait_for_selector("#numbers-result[data-status=ready]")

    def numbers_row(self, grid: str, row: int) -> list[str]:
        cells = self.page.locator(f"#{grid} tr").nth(row).locator("td:not(.is-pad)")
        texts: list[str] = cells.evaluate_all(
            "tds => tds.map(td => (td.querySelector('input')?.value ?? td.textContent).trim())"
        )
        return texts

    def window_cells(self) -> list[tuple[int, int]]:
        # Read at once, in the page: never half of one step's window and half of the next.
        cells: list[list[int]] = self.page.eval_on_selector_all(
            "#numbers-input td.is-window", "tds => tds.map(td => [+td.dataset.r, +td.dataset.c])"
        )
        return sorted((r, c) for r, c in cells)

    # --- layout --------------------------------------------------------------------------
    def horizontal_overflow(self) -> int:
        """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
        return int(
            self.page.evaluate(
                "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
                " - window.innerWidth"
            )
        )


TIMES = " \N{MULTIPLICATION SIGN} "


def dims(rows: int, cols: int) -> str:
    """How the page writes a size: rows, a multiplication sign, cols."""
    return f"{rows}{TIMES}{cols}"


def size_text(shape: list[int]) -> str:
    """An API output_shape as the page writes it (rows by cols; channels are said apart)."""
    return dims(shape[0], shape[1])


def numbers_in(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]
