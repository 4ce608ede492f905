"""The Kernel lab in Korean (?lang=ko): its words, a worked-out sum said in Korean with the page's
own numbers, the way back to English, and the Korean page on a laptop and a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from app.i18n import korean_particles
from tests.keras_files import softmax_layer_rgb

from .imported_models import imported_model
from .lab import READY, TIMES, KernelLab, dims

WIDE_LAPTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}


def open_in(page: Page, language: str, hash_: str = "") -> KernelLab:
    page.goto(f"/?lang={language}{hash_}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    return KernelLab(page)


def position(page: Page, row: int, col: int) -> str:
    """A cell's position as the page's shared formatter writes it in the page's language."""
    text: str = page.evaluate(
        "([row, col]) => import('/static/js/format.js').then((m) => m.formatPosition([row, col]))",
        [row, col],
    )
    return text


def test_the_kernel_lab_speaks_korean_and_english_again(page: Page) -> None:
    lab = open_in(page, "ko")

    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page).to_have_title(re.compile(r"^커널 실험실 · ConvLens$"))
    expect(page.locator("h1")).to_have_text("커널 실험실")
    expect(page.locator("#tab-image")).to_have_text("이미지")
    expect(page.locator("#tab-numbers")).to_have_text("숫자")
    expect(page.locator("#source-heading")).to_have_text("1. 이미지")
    expect(page.locator("#image-params legend").first).to_have_text("스트라이드, 패딩, 편향")
    expect(page.locator("label[for=image-stride]")).to_have_text("스트라이드")
    expect(page.locator("#image-padding option[value=same]")).to_have_text("same (크기 유지)")
    expect(page.locator("#image-step")).to_have_text("다음 ▶")
    expect(page.locator("#image-play")).to_have_text("▶ 재생")
    expect(page.locator("#trace-heading")).to_have_text("출력 픽셀 하나의 계산")
    expect(page.locator("#output-canvas")).to_have_attribute(
        "aria-label", re.compile(r"^출력 이미지\. 픽셀 위에 포인터를")
    )

    # The first result (the first sample, a grey photo): the summary is Korean, with the sizes.
    lab.wait_result()
    size = page.locator("#output-shape").inner_text()
    expect(page.locator("#image-summary")).to_contain_text(
        f"입력(흑백)을 {size} 출력(행{TIMES}열)으로 바꾸었습니다."
    )

    # Step onto the first output pixel: its multiply-and-sum, told in Korean with its numbers.
    page.click("#image-step")
    expect(page.locator("#image-trace")).to_have_attribute("data-position", "0,0")
    expect(page.locator("#image-play")).to_have_text("▶ 재생")
    results = page.locator("#image-trace [data-role=result]").all_inner_texts()
    notes = page.locator("#image-trace .trace-pixel").all_inner_texts()
    assert len(results) == len(notes) == 1  # a grey photo: one channel
    summary = page.locator("#trace-summary").inner_text()
    corner = position(page, 0, 0)
    assert f"이 픽셀의 {dims(3, 3)} 창은 입력 {corner}에서 시작합니다." in summary, summary
    for result, note in zip(results, notes, strict=True):
        match = re.fullmatch(
            rf"{re.escape(result)}(?:은|는) 출력 이미지에서 픽셀 값 (\d+)(?:으로|로) 표시됩니다\.",
            note,
        )
        assert match, note
        pixel = int(match.group(1))
        # The particles follow the numbers' sounds (app.i18n.korean_particles has its own test).
        assert note == korean_particles(
            f"{result}은(는) 출력 이미지에서 픽셀 값 {pixel}(으)로 표시됩니다."
        )
        assert 0 <= pixel <= 255
        # clip mapping: the value, rounded and held to 0..255, is the pixel
        assert pixel == min(255, max(0, round(float(result))))
        assert summary.startswith(f"출력 픽셀 {corner}, 선택됨: {result} → 픽셀 {pixel}. "), summary

    # A kernel of the learner's own is named in Korean; the address keeps no label for it.
    page.select_option("#image-kernel-rows", "5")
    expect(page.locator("#image-summary")).to_contain_text("커널 “사용자 정의 커널”이")
    page.wait_for_function("new URLSearchParams(location.hash.slice(1)).has('kernel')")
    assert "label" not in lab.link()

    # Play says Pause in Korean, and Pause puts it back.
    page.click("#image-play")
    expect(page.locator("#image-play")).to_have_text("❚❚ 일시 정지")
    page.click("#image-play")
    expect(page.locator("#image-play")).to_have_text("▶ 재생")

    # The Numbers tab: the window's position, said in Korean with the page's own numbers.
    page.click("#tab-numbers")
    page.wait_for_selector("#numbers-result[data-status=ready]")
    expect(page.locator("#numbers-heading")).to_have_text("2. 창 움직이기")
    page.click("#numbers-step")
    expect(page.locator("#numbers-result")).to_have_attribute("data-position", "0,1")
    value = page.locator("#numbers-trace [data-role=result]").inner_text()
    shape = page.locator("#numbers-output-shape").inner_text()
    assert shape == dims(4, 4)
    second = position(page, 0, 1)
    expect(page.locator("#numbers-position")).to_have_text(
        f"위치 2/16: 출력 {second} = {value}. 창의 왼쪽 위 칸은 입력 {second}이며, "
        "한 단계에 한 칸씩 움직입니다."
    )
    lab.set_stride(2, "numbers")
    expect(page.locator("#numbers-position")).to_contain_text("한 단계에 2칸씩 움직입니다.")
    lab.set_stride(0, "numbers")
    expect(page.locator("#numbers-params .field-message")).to_contain_text(
        '스트라이드는 1부터 8까지의 정수여야 합니다. 입력한 값: "0".'
    )

    # ?lang=en: the same page in English again.
    open_in(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Kernel lab")
    expect(page.locator("#tab-image")).to_have_text("Image")
    expect(page.locator("#image-step")).to_have_text("Step ▶")
    expect(page.locator("#trace-summary")).to_have_text(
        "Hover over the output picture (or tap it, or focus it and use the arrow keys, or press "
        "Play) to see the multiply-and-sum."
    )
    KernelLab(page).wait_result()
    page.click("#image-step")
    expect(page.locator("#trace-summary")).to_contain_text(
        f"Output pixel {position(page, 0, 0)}, selected: "
    )
    expect(page.locator("#trace-summary")).to_contain_text("window starts at input")


@pytest.fixture(params=["laptop", "phone"])
def korean_tab(
    request: pytest.FixtureRequest, browser: Browser, base_url: str
) -> Iterator[tuple[str, Page]]:
    """A fresh tab on a 1366 x 768 laptop or a 390 x 844 touch phone, with nothing logged as an
    error by the page's scripts."""
    if request.param == "laptop":
        context = browser.new_context(base_url=base_url, viewport=WIDE_LAPTOP)
    else:
        context = browser.new_context(
            base_url=base_url, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
        )
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield request.param, tab
    context.close()
    assert not errors, errors


def test_the_korean_page_fits_a_laptop_and_a_phone(
    korean_tab: tuple[str, Page], artifacts: Path
) -> None:
    name, page = korean_tab
    lab = open_in(page, "ko")
    lab.wait_result()
    page.click("#image-step")
    expect(page.locator("#image-trace")).to_have_attribute("data-position", "0,0")
    expect(page.locator("#trace-summary")).to_contain_text("출력 픽셀")
    assert lab.horizontal_overflow() == 0
    page.screenshot(path=artifacts / f"{name}-kernel-lab-ko-image.png", full_page=True)
    # What the screen shows with the pictures in view (on a phone the sum docks at the bottom).
    page.locator("#output-canvas").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"{name}-kernel-lab-ko-image-pictures.png")

    # Padding "same" and max pooling: their notes and summaries, in Korean.
    before = lab.renders()
    lab.set_padding("same")
    page.wait_for_function(
        f"Number(document.getElementById('image-result').dataset.renders) > {before}"
    )
    lab.wait_result()
    expect(page.locator("#input-pad-note")).to_have_text("+ 둘레에 0 1개 (빗금)")
    page.click("#image-pool [data-action=pool]")
    expect(page.locator("#pool-summary")).to_contain_text(
        f"2{TIMES}2 창, 스트라이드 2의 맥스 풀링이 "
        f"512{TIMES}512 출력을 256{TIMES}256으로 바꿉니다."  # 6 is read 육: 으로
    )
    expect(page.locator("#image-pool [data-action=pool]")).to_have_text("다시 풀링하기")
    assert lab.horizontal_overflow() == 0
    page.locator("#image-pool").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"{name}-kernel-lab-ko-pool.png")

    page.click("#tab-numbers")
    page.wait_for_selector("#numbers-result[data-status=ready]")
    page.click("#numbers-step")
    expect(page.locator("#numbers-position")).to_contain_text("위치 2/16")
    assert lab.horizontal_overflow() == 0
    page.screenshot(path=artifacts / f"{name}-kernel-lab-ko-numbers.png", full_page=True)


def test_a_learned_rgb_filter_is_explained_in_korean(
    page: Page, tmp_path: Path, artifacts: Path
) -> None:
    with imported_model(page.request, softmax_layer_rgb(), tmp_path, name="Colour shapes") as rgb:
        open_in(page, "ko", f"#model={rgb['id']}&filter=2")
        page.wait_for_selector(READY)
        slices = page.locator("#learned-filter .learned-slice")
        expect(slices.locator("figcaption")).to_have_text(["R 조각", "G 조각", "B 조각"])
        expect(slices.first.locator("caption")).to_have_text("필터 2의 R 조각")
        expect(page.locator("[data-role=learned-sum]")).to_contain_text(
            f"Colour shapes의 conv 필터 2: 가중치 3{TIMES}3{TIMES}3, 편향 "
        )
        expect(page.locator("[data-role=learned-sum]")).to_contain_text(
            ', 스트라이드 2, 패딩 "valid".'
        )
        expect(page.locator("[data-role=learned-sum]")).to_contain_text(
            "출력 = R \N{ASTERISK OPERATOR} R 조각 + G \N{ASTERISK OPERATOR} G 조각"
        )
        expect(page.locator("[data-role=learned-note]")).to_contain_text(
            "커널 편집기를 쓰지 않습니다"
        )
        expect(page.locator("#image-summary")).to_contain_text("커널 “Colour shapes conv 필터 2”가")
        # The grey cameraman given to a colour filter: said in Korean too.
        expect(page.locator("#image-summary")).to_contain_text(
            "커널의 입력 채널은 3개(R, G, B)인데 그림은 회색조입니다."
        )
        expect(page.locator("#image-summary")).not_to_contain_text("The kernel has")
        page.locator("#learned-filter").scroll_into_view_if_needed()
        page.screenshot(path=artifacts / "laptop-kernel-lab-ko-learned.png", full_page=True)


def test_a_links_problems_and_its_kernel_are_told_in_korean(page: Page) -> None:
    lab = open_in(page, "ko", "#tab=numbers&kernel=[[0,1],[1,0]]&stride=abc&color=blue")
    page.wait_for_selector("#numbers-result[data-status=ready]")

    expect(page.locator("#link-problems")).to_have_text(
        '링크의 stride="abc"은(는) 무시했습니다. 1부터 8까지의 정수여야 합니다. '
        '링크의 color="blue"은(는) 무시했습니다. rgb, gray 중 하나여야 합니다.'
    )
    expect(page.locator("#numbers-kernel")).to_contain_text(
        "링크에서 불러왔습니다: 링크로 받은 커널, 가중치는 소수점 3자리로 반올림했습니다."
    )
    # The address keeps the kernel, not the name this page gave it.
    page.click("#numbers-step")
    lab.wait_link(tab="numbers", kernel="[[0,1],[1,0]]", pixel="0,1")
    assert "label" not in lab.link()
