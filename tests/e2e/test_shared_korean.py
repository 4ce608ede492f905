"""The modules every page shares, in Korean: the sketchpad, the upload widget, the status line,
the model picker, probability bars, legends, the summary table, the map dialog, the number
formats, and the language switch that keeps the page's address.

Only the shared modules' own words are asserted exactly; a page's words (a caption it passes
in, the server's message in the error box) are its own engineers' and the API's."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, FilePayload, Page, expect

from .digit_pages import DrawPage, Explorer, digit_png, horizontal_overflow

HANGUL = re.compile(r"[가-힣]")
DIGIT = "mnist-test-00000"  # a 7 in the MNIST test set
TEXT_FILE = FilePayload(name="README.md", mimeType="text/markdown", buffer=b"# hi\n")


def open_korean_draw(page: Page) -> DrawPage:
    page.goto("/draw?lang=ko")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    return DrawPage(page)


def test_the_draw_pages_shared_widgets_speak_korean(page: Page) -> None:
    draw = open_korean_draw(page)

    # The sketchpad: its hint and the end of its accessible name are the widget's own.
    expect(page.locator(".sketch-hint")).to_have_text("여기에 숫자를 그리세요")
    expect(page.locator(".sketch-canvas")).to_have_attribute(
        "aria-label", re.compile(r"^\S.*: 마우스, 손가락 또는 펜으로 여기에 숫자를 그리세요\.$")
    )
    # The model cards: "파라미터 61,706개 · 테스트 세트 정확도 98.9%".
    meta = page.locator(".model-card[data-model='lenet5'] .model-meta")
    expect(meta).to_have_text(re.compile(r"^파라미터 [\d,]+개 · 테스트 세트 정확도 [\d.]+%$"))
    # The error box's own words, before anything went wrong.
    expect(page.locator("#error-box strong")).to_have_text("문제가 생겼습니다.")
    expect(page.locator("#error-box [data-role=dismiss]")).to_have_text("닫기")

    # An upload the server refuses: the status line and the upload widget say so in Korean.
    page.set_input_files("#draw-upload", TEXT_FILE)
    expect(page.locator("#error-box")).to_be_visible()
    expect(page.locator("#status-line")).to_have_text("문제가 생겼습니다. 위의 메시지를 보세요.")
    expect(page.locator("#draw-source [data-role=chosen]")).to_have_text(
        "파일 README.md(1 KB)을(를) 사용할 수 없습니다. 위의 메시지를 보세요."
    )
    page.locator("#error-box [data-role=dismiss]").click()
    expect(page.locator("#error-box")).to_be_hidden()
    expect(page.locator("#status-line")).to_have_text("")

    # A picture the models can read: the widget names the chosen file in Korean.
    picture = FilePayload(name="seven.png", mimeType="image/png", buffer=digit_png(DIGIT))
    page.set_input_files("#draw-upload", picture)
    expect(page.locator("#draw-source [data-role=chosen]")).to_have_text(
        "선택한 파일: seven.png(1 KB)."
    )
    expect(page.locator(".sketch-picture")).to_have_attribute("alt", "내 이미지 seven.png")
    assert draw.wait_guess() == "7"

    # The probability bars: a named list (the page's caption) with the values as percentages.
    bars = page.locator("#prob-bars .prob-bars")
    expect(bars).to_have_attribute("aria-label", HANGUL)
    expect(bars.locator(".prob-row.is-top")).to_have_attribute("data-label", "7")
    expect(bars.locator(".prob-row.is-top .prob-value")).to_have_text(re.compile(r"^[\d.]+%$"))


def test_the_explorers_shared_parts_speak_korean(page: Page, artifacts: Path) -> None:
    page.goto("/explorer?model=lenet5&lang=ko")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    explorer = Explorer(page)
    explorer.choose_digit(DIGIT)

    # The summary table's headers, caption and input row are the renderer's own.
    table = page.locator(".summary-table")
    expect(table.locator("thead th")).to_have_text(
        ["층", "종류", "출력 모양", "파라미터", "파라미터 계산", "출력 크기 계산"]
    )
    expect(table.locator("caption")).to_have_text("LeNet-5, 층별 구성")
    expect(table.locator("tr[data-layer='input']")).to_contain_text(
        "28 \N{MULTIPLICATION SIGN} 28 흑백 픽셀, 0(검정)부터 1(흰색)까지"
    )
    expect(table.locator("tfoot")).to_contain_text("합계")

    # A layer's colour legend: its caption is the page's, the words after it the legend's.
    legend = explorer.layer("conv1").locator(".legend[role=img]").first
    expect(legend).to_have_attribute(
        "aria-label",
        re.compile(
            r": (0보다 작으면 파랑, 0이면 흰색, 0보다 크면 빨강\. 범위는 |흰색\(0\)부터 진한 파랑)"
        ),
    )

    # A feature map enlarged: the dialog's title, buttons, hint and readout.
    tile = explorer.layer("conv1").locator(".map-tile[data-channel='2']")
    expect(tile).to_have_attribute("aria-label", re.compile(r"^conv1의 맵 2/\d+: 크게 보기$"))
    tile.click()
    dialog = page.locator("dialog.map-dialog")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog.locator("h2")).to_have_text(re.compile(r"^conv1, 맵 2/\d+$"))
    expect(dialog.locator("button", has_text="이전 맵")).to_have_text("← 이전 맵")
    expect(dialog.locator("button", has_text="다음 맵")).to_have_text("다음 맵 →")
    expect(dialog.locator("[data-role=close]")).to_have_text("닫기")
    expect(dialog.locator("canvas.map-dialog-canvas")).to_have_attribute(
        "aria-label", re.compile("^conv1의 맵 2, 값 \\d+ \N{MULTIPLICATION SIGN} \\d+개$")
    )
    page.keyboard.press("ArrowDown")
    readout = dialog.locator("[data-role=readout]")
    expect(readout).to_have_text(re.compile(r"^\d+행 \d+열: -?[\d.]+$"))
    page.screenshot(path=artifacts / "laptop-explorer-dialog-ko.png")
    page.keyboard.press("Escape")
    expect(dialog).not_to_have_attribute("open", "")


def test_numbers_positions_and_counts_read_the_korean_way(page: Page) -> None:
    page.goto("/draw?lang=ko")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    formatted = page.evaluate(
        """async () => {
          const f = await import("/static/js/format.js");
          return [f.formatLargeCount(1135256096), f.formatLargeCount(12345678),
                  f.formatLargeCount(34944), f.formatPosition([3, 5]),
                  f.formatChannels([28, 28]), f.formatChannels([510, 510, 3])];
        }"""
    )
    assert formatted == ["11.4억", "1,230만", "34,944", "(3행, 5열)", "채널 1개", "채널 3개"]

    page.goto("/draw?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    formatted = page.evaluate(
        """async () => {
          const f = await import("/static/js/format.js");
          return [f.formatLargeCount(1135256096), f.formatPosition([3, 5]),
                  f.formatChannels([28, 28]), f.formatChannels([510, 510, 3])];
        }"""
    )
    assert formatted == ["1.14 billion", "(row 3, col 5)", "1 channel", "3 channels"]


def test_the_language_switch_keeps_the_pages_address(page: Page) -> None:
    page.goto("/explorer?model=mlp")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.wait_for_selector("#network[data-status=ready][data-model='mlp']")
    search = "Object.fromEntries(new URLSearchParams(location.search))"
    before = page.evaluate(search)  # the page keeps more of its state there (its digit, ...)
    assert before["model"] == "mlp"

    page.locator(".language-switch a[data-lang='ko']").click()
    page.wait_for_url(re.compile(r"lang=ko"))
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    after = page.evaluate(search)
    assert after == {**before, "lang": "ko"}
    assert after["model"] == "mlp"
    expect(page.locator(".site-header nav a[aria-current=page]")).to_have_text("신경망 탐색기")
    expect(page.locator(".language-switch a[aria-current]")).to_have_text("한국어")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator(".model-card[data-model='mlp'] input")).to_be_checked()
    expect(page.locator(".model-card[data-model='mlp'] .model-meta")).to_contain_text("파라미터")


def test_the_korean_header_and_draw_fit_a_laptop_and_a_phone(
    browser: Browser, base_url: str, artifacts: Path
) -> None:
    for name, options in {
        "laptop": {"viewport": {"width": 1366, "height": 768}},
        "phone": {
            "viewport": {"width": 390, "height": 844},
            "is_mobile": True,
            "has_touch": True,
            "device_scale_factor": 2,
        },
    }.items():
        context = browser.new_context(base_url=base_url, **options)  # type: ignore[arg-type]
        try:
            page = context.new_page()
            open_korean_draw(page)
            header = page.locator(".site-header")
            assert horizontal_overflow(page) == 0
            # Every link of the header is on one line (a wrapped one is two lines, ~46 px, tall),
            # and the language switch is inside the header.
            heights = header.locator("a").evaluate_all(
                "links => links.map(a => a.getBoundingClientRect().height)"
            )
            assert max(heights) < 36, heights
            box, switch = header.bounding_box(), header.locator(".language-switch").bounding_box()
            assert box and switch and switch["x"] + switch["width"] <= box["x"] + box["width"]
            header.screenshot(path=artifacts / f"{name}-header-ko.png")
            page.screenshot(path=artifacts / f"{name}-draw-shared-ko.png", full_page=True)
        finally:
            context.close()
