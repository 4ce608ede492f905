"""The Network explorer in Korean: the page, the headline, the layers' sentences and a map cell's
readout speak Korean with the model's own numbers; ?lang=en brings English back. Screenshots of
the Korean page on a laptop and a phone are kept for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from app.i18n import korean_particles

from .conftest import _watched_page
from .digit_pages import Explorer, api_post, digit_png
from .test_explorer_linked import point_at

DIGIT = "mnist-test-00000"  # a 7, the page's first digit
TIMES = "\N{MULTIPLICATION SIGN}"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def opened(page: Page, query: str) -> Explorer:
    page.goto(f"/explorer?{query}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.wait_for_selector("#network[data-status=ready]")
    return Explorer(page)


def summary_row(page: Page, layer: str) -> dict[str, Any]:
    detail: dict[str, Any] = page.request.get("/api/models/lenet5").json()
    return next(row for row in detail["summary"] if row["name"] == layer)


@pytest.fixture
def korean_phone(browser: Browser, base_url: str) -> Iterator[Page]:
    """A phone (390 x 844, touch) whose browser asks for Korean."""
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
        locale="ko-KR",
    )
    with _watched_page(context) as tab:
        yield tab
    context.close()


def test_the_explorer_speaks_korean_with_the_models_numbers(page: Page) -> None:
    explorer = opened(page, "model=lenet5&lang=ko")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page).to_have_title(re.compile(r"^신경망 탐색기 · ConvLens$"))
    expect(page.locator("h1")).to_have_text("신경망 탐색기")

    # The headline: the model's answer for MNIST test digit #0, as the API gives it.
    answer = api_post(page, "/api/models/lenet5/activations", digit_png(DIGIT))
    headline = re.compile(
        rf"^LeNet-5 모델의 답: {answer['label']} \(\d+(\.\d)?%\)\. 입력: MNIST 테스트 숫자 #0\.$"
    )
    expect(page.locator("#network-answer")).to_have_text(headline)
    assert answer["label"] == "7"

    # A convolution's and a pooling's sentence, with this model's numbers.
    conv1 = summary_row(page, "conv1")
    size = f" {TIMES} ".join(str(n) for n in conv1["config"]["kernel_size"])
    relu = "ReLU가 음수 값을 0으로 바꿉니다." if conv1["activation"] == "relu" else ""
    makes = (
        "필터마다 특징 맵을 하나씩 만들고, " + relu
        if relu
        else "필터마다 특징 맵을 하나씩 만듭니다."
    )
    expect(explorer.layer("conv1").locator(".layer-explain")).to_have_text(
        f"{size} 가중치로 된 필터 {conv1['config']['filters']}개가 (입력 맵 1개마다) 입력 위를 "
        f'미끄러지듯 지나갑니다. {makes} 패딩은 "{conv1["config"]["padding"]}"입니다.'
    )
    pool1 = summary_row(page, "pool1")
    rows, cols, maps = pool1["output_shape"]
    expect(explorer.layer("pool1").locator(".layer-explain")).to_have_text(
        korean_particles(  # 14(으)로 -> 14로: the particle after the number's sound
            f"맵의 2 {TIMES} 2 창마다 가장 큰 값 하나로 바뀝니다. "
            f"맵은 {rows} {TIMES} {cols}(으)로 줄어들고, 맵의 수는 그대로 {maps}개입니다. "
            "가중치는 없습니다."
        )
    )

    # Pointing at a feature-map cell: the readout in Korean, with its row, column and field.
    # conv2 row 9, column 4 reads input rows 16..27, columns 6..19 (see test_explorer_linked).
    conv2 = explorer.layer("conv2")
    canvas = conv2.locator(".map-tile[data-channel='3'] canvas")
    point_at(page, canvas, 9, 4, 10, 10)
    readout = explorer.readout("conv2")
    assert readout["row"] == "9" and readout["col"] == "4" and readout["channel"] == "3"
    shown = round(float(readout["value"]), 3)  # the page writes 3 decimals, no trailing zeros
    value = str(int(shown)) if shown == int(shown) else repr(shown)
    assert readout["text"] == f"맵 3, 9행 4열: {value}. 입력의 16~27행, 6~19열에 따라 정해집니다"

    # Back to English: the same page, the same numbers, in English.
    opened(page, "model=lenet5&lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#network-answer")).to_have_text(
        re.compile(rf"^LeNet-5 reads MNIST test digit #0 as {answer['label']} \(.+%\)\.$")
    )
    expect(explorer.layer("pool1").locator(".layer-explain")).to_have_text(
        f"Each 2 {TIMES} 2 window of a map is replaced by its largest value: the maps shrink to "
        f"{rows} {TIMES} {cols}, and there are still {maps}. No weights."
    )
    point_at(
        page, explorer.layer("conv2").locator(".map-tile[data-channel='3'] canvas"), 9, 4, 10, 10
    )
    assert explorer.readout("conv2")["text"].startswith("Map 3, row 9, column 4: ")
    assert not HANGUL.search(page.locator("#network").inner_text())


def test_korean_explorer_screenshots(page: Page, korean_phone: Page, artifacts: Path) -> None:
    """The Korean page on a laptop (1366 x 768) and a phone: nothing sticks out sideways."""
    page.set_viewport_size({"width": 1366, "height": 768})
    opened(page, "model=lenet5&lang=ko")
    page.screenshot(path=str(artifacts / "explorer-ko-laptop.png"))
    page.screenshot(path=str(artifacts / "explorer-ko-laptop-full.png"), full_page=True)
    # A phone whose browser asks for Korean gets Korean without ?lang=.
    opened(korean_phone, "model=lenet5")
    expect(korean_phone.locator("html")).to_have_attribute("lang", "ko")
    korean_phone.screenshot(path=str(artifacts / "explorer-ko-phone.png"))
    korean_phone.screenshot(path=str(artifacts / "explorer-ko-phone-full.png"), full_page=True)
    # The enlarged map and its calculation, from a shared link (conv2: six input maps).
    for tab, name in ((page, "laptop"), (korean_phone, "phone")):
        opened(tab, "model=lenet5&lang=ko&layer=conv2&map=3&px=4,5")
        calc = tab.locator("[data-role=calc]")
        expect(calc.locator(".calc-heading")).to_have_text("4행 5열의 값을 계산하는 방법")
        expect(calc.locator(".calc-counter")).to_have_text("8단계 중 1단계: pool1의 맵 0(전체 6개)")
        tab.screenshot(path=str(artifacts / f"explorer-ko-{name}-calc.png"))
        tab.keyboard.press("Escape")
    for tab, width in ((page, 1366), (korean_phone, 390)):
        scroll = tab.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"the page is {scroll} px wide on a {width} px screen"


def test_photo_and_dropout_models_in_korean(korean_phone: Page, artifacts: Path) -> None:
    """A photo model's input sentence and Dream panel, and a model's dropout passes, in Korean
    on a phone (whose browser asks for Korean)."""
    page = korean_phone
    opened(page, "model=colour-shapes")
    explorer = Explorer(page)
    expect(explorer.layer("input").locator(".layer-explain")).to_contain_text(
        "신경망이 읽는 것: 숫자 "
    )
    dream = page.locator("#dream-section")
    expect(dream).to_be_visible()
    expect(dream.locator("[data-role=dream]")).to_have_text("꿈꾸기")
    expect(dream.locator("[data-role=message]")).to_have_text(
        "꿈꾸기를 누르면 고른 층이 더 강하게 반응하도록 이 사진을 바꿉니다."
    )
    dream.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "explorer-ko-phone-dream.png"))

    opened(page, "model=mnist-cnn-dropout")
    page.wait_for_function("document.getElementById('dropout').dataset.status === 'ready'")
    columns = page.locator(".dropout-column")
    expect(columns.nth(0).locator(".dropout-rate")).to_have_text("비율 0")
    expect(columns.nth(2).locator(".dropout-count")).to_have_text(
        re.compile(r"^유닛 [\d,]+개 중 [\d,]+개 꺼짐$")
    )
    page.locator(".dropout-panel").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "explorer-ko-phone-dropout.png"))
    # Every probability fits its column, a bold "100.0%" too.
    cut = page.locator(".dropout-bars .prob-value").evaluate_all(
        "vs => vs.filter(v => v.scrollWidth > v.clientWidth).map(v => v.textContent)"
    )
    assert not cut, f"probabilities wider than their column: {cut}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"
