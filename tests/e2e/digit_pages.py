"""Page objects for the Draw page, the Network explorer and the Training page, so the tests read
as what a learner does: draw a stroke, pick a digit, point at a map."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from playwright.sync_api import Locator, Page, expect

from .conftest import ROOT

DIGITS = ROOT / "static" / "digits"
PAD_SIZE = 280  # the sketchpad's own units (static/js/config.js SKETCH.size)

# Strokes in pad units that the trained models read as these digits.
ONE = [[(140, 40), (140, 240)]]
SEVEN = [[(80, 55), (200, 55), (125, 235)]]

Point = tuple[float, float]


def interpolate(points: Sequence[Point], steps: int = 12) -> list[Point]:
    """The polyline through `points`, sampled `steps` times per segment (a hand moves smoothly)."""
    path = [points[0]]
    for (x0, y0), (x1, y1) in pairwise(points):
        path += [
            (x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps) for i in range(1, steps + 1)
        ]
    return path


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
    return int(
        page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - window.innerWidth"
        )
    )


def api_post(page: Page, path: str, png: bytes, **fields: str) -> dict[str, Any]:
    """What the API itself answers for a PNG and form fields."""
    response = page.request.post(
        path,
        multipart={
            "image": {"name": "digit.png", "mimeType": "image/png", "buffer": png},
            **fields,
        },
    )
    assert response.ok, response.text()
    return response.json()  # type: ignore[no-any-return]


def digit_png(name: str) -> bytes:
    return (DIGITS / f"{name}.png").read_bytes()


class DrawPage:
    def __init__(self, page: Page, pad: str = "#sketchpad-holder") -> None:
        self.page = page
        self.pad = page.locator(f"{pad} .sketch-canvas")
        self.guess = page.locator("#guess")

    def open(self) -> DrawPage:
        self.page.goto("/draw")
        expect(self.page.locator("body")).to_have_attribute("data-ready", "true")
        return self

    def _to_page(self, point: Point) -> Point:
        box = self.pad.bounding_box()
        assert box
        scale = box["width"] / PAD_SIZE
        return box["x"] + point[0] * scale, box["y"] + point[1] * scale

    def draw(self, strokes: Sequence[Sequence[Point]]) -> None:
        """Draw with the mouse, one press-move-release per stroke."""
        self.pad.scroll_into_view_if_needed()
        for stroke in strokes:
            path = [self._to_page(p) for p in interpolate(stroke)]
            self.page.mouse.move(*path[0])
            self.page.mouse.down()
            for point in path[1:]:
                self.page.mouse.move(*point)
            self.page.mouse.up()

    def draw_touch(self, strokes: Sequence[Sequence[Point]]) -> None:
        """Draw with a finger: real touch events through the DevTools protocol."""
        session = self.page.context.new_cdp_session(self.page)
        for stroke in strokes:
            path = [self._to_page(p) for p in interpolate(stroke)]
            for kind, point in [
                ("touchStart", path[0]),
                *[("touchMove", p) for p in path[1:]],
            ]:
                session.send(
                    "Input.dispatchTouchEvent",
                    {"type": kind, "touchPoints": [{"x": point[0], "y": point[1], "id": 1}]},
                )
            session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        session.detach()

    def wait_guess(self, model: str | None = None) -> str:
        selector = "#guess[data-state=ready]" + (f"[data-model='{model}']" if model else "")
        self.page.wait_for_selector(selector)
        self.page.wait_for_selector("#draw-results[aria-busy=false]")
        return self.guess.get_attribute("data-label") or ""

    def probabilities(self) -> list[float]:
        values: list[str] = self.page.locator("#prob-bars .prob-row").evaluate_all(
            "rows => rows.map(r => r.dataset.value)"
        )
        return [float(v) for v in values]

    def canvas_png(self, canvas: str = "#sketchpad-holder .sketch-canvas") -> bytes:
        """The drawing exactly as the page sends it: the canvas as a PNG, through toDataURL()
        like the sketchpad (Chromium's toBlob() can wait seconds for idle time)."""
        data_url: str = self.page.evaluate(
            "(selector) => document.querySelector(selector).toDataURL('image/png')", canvas
        )
        return base64.b64decode(data_url.removeprefix("data:image/png;base64,"), validate=True)

    def signature(self) -> str:
        script = "document.querySelector('#sketchpad-holder canvas').toDataURL()"
        return str(self.page.evaluate(script))

    def model_input_pixels(self) -> list[list[int]]:
        """The grey levels drawn on the 28x28 'what the model saw' canvas."""
        pixels: list[list[int]] = self.page.evaluate(
            """() => {
              const canvas = document.getElementById("model-input");
              const data = canvas.getContext("2d").getImageData(0, 0, 28, 28).data;
              return Array.from({length: 28}, (_, r) =>
                Array.from({length: 28}, (_, c) => data[(r * 28 + c) * 4]));
            }"""
        )
        return pixels

    def choose_model(self, model_id: str) -> None:
        self.page.locator(f".model-card[data-model='{model_id}']").click()


class Explorer:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, model: str = "lenet5") -> Explorer:
        self.page.goto(f"/explorer?model={model}")
        expect(self.page.locator("body")).to_have_attribute("data-ready", "true")
        return self

    def renders(self) -> int:
        return int(self.page.locator("#network").get_attribute("data-renders") or 0)

    def choose_digit(self, name: str, model: str = "lenet5") -> None:
        # The page opens on a digit of its own, maybe this one: wait for the render this click
        # causes, or its elements would be replaced while the test reads them.
        self.page.wait_for_selector("#network[data-status=ready]")
        before = self.renders()
        self.page.click(f".digit-list .sample-card[data-name='{name}']")
        self.wait(model, name)
        self.page.wait_for_function(
            f"Number(document.getElementById('network').dataset.renders ?? 0) > {before}"
        )

    def wait(self, model: str, source: str) -> None:
        self.page.wait_for_selector(
            f"#network[data-status=ready][data-model='{model}'][data-source='{source}']"
        )

    def layer(self, name: str) -> Locator:
        return self.page.locator(f".layer[data-layer='{name}']")

    def hover_cell(self, target: Locator, row: int, col: int, rows: int, cols: int) -> None:
        target.scroll_into_view_if_needed()
        box = target.bounding_box()
        assert box
        x = box["x"] + (col + 0.5) * box["width"] / cols
        y = box["y"] + (row + 0.5) * box["height"] / rows
        self.page.mouse.move(x, y)

    def readout(self, layer: str) -> dict[str, str]:
        data: dict[str, str] = (
            self.layer(layer)
            .locator("[data-role=readout]")
            .evaluate("node => ({...node.dataset, text: node.textContent})")
        )
        return data
