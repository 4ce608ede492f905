"""The Draw page in Korean: the page, the model's answer sentence and the layout, in Korean."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from .digit_pages import SEVEN, DrawPage, horizontal_overflow

HANGUL = re.compile(r"[가-힣]")


def open_korean(page: Page) -> DrawPage:
    page.goto("/draw?lang=ko")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    return DrawPage(page)


def test_a_drawn_seven_is_answered_in_a_korean_sentence_that_names_it(
    page: Page, artifacts: Path
) -> None:
    draw = open_korean(page)
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page).to_have_title("숫자를 그려 보세요 · ConvLens")
    expect(page.locator("h1")).to_have_text("숫자를 그려 보세요")
    expect(draw.guess).to_have_text("숫자를 그려 보세요")
    expect(page.locator("#undo-stroke")).to_have_text("획 되돌리기")
    expect(page.locator("#dream .dream-message")).to_have_text("먼저 숫자를 그려 보세요.")
    expect(page.locator("#explain")).to_contain_text(
        "숫자를 그려 보세요: 모델이 왜 그렇게 답하는지 여기에 나옵니다."
    )

    draw.draw(SEVEN)
    assert draw.wait_guess("lenet5") == "7"

    answer = draw.guess.text_content() or ""
    # "LeNet-5의 추측은 7입니다. 확신도 99.9%." (or the cautious sentence, also in Korean)
    assert re.fullmatch(
        r"LeNet-5의 (추측은 7입니다\. 확신도 [\d.]+%\.|선택은 7이지만, 믿지 마세요\.)", answer
    ), answer
    assert "guesses" not in answer and "sure" not in answer
    expect(page.locator("#bars-caption")).to_have_text("LeNet-5가 각 숫자를 얼마나 확신하는지")
    expect(page.locator("#model-input")).to_have_attribute(
        "aria-label",
        "LeNet-5가 본 28 \u00d7 28 입력: 여러분의 그림을 검은 바탕에 흰 잉크로 바꾸고, "
        "줄여서 가운데에 놓은 것입니다.",
    )
    expect(page.locator("#dream .dream-message")).to_contain_text("버튼을 누르세요")

    # "Make it more like…": the dream's sentence before and after, in Korean.
    dream = page.locator("#dream")
    page.select_option("#dream-class", "1")
    dream.locator("button[type=submit]").click()
    page.wait_for_selector("#dream[data-status=ready][data-class-index='1']", timeout=60_000)
    expect(dream.locator(".dream-summary")).to_contain_text("LeNet-5가 본 “1”의 확률: 처음 ")
    expect(dream.locator(".dream-summary")).to_contain_text("단계 뒤")
    expect(dream.locator("[data-role=dream] img")).to_have_attribute(
        "alt", "1을 더 닮게 바꾼 여러분의 그림"
    )
    page.screenshot(path=artifacts / "laptop-draw-ko.png", full_page=True)

    # The switch back: the same page in English, word for word as before.
    page.goto("/draw?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("h1")).to_have_text("Draw a digit")
    DrawPage(page).draw(SEVEN)
    assert DrawPage(page).wait_guess("lenet5") == "7"
    expect(page.locator("#guess")).to_contain_text("LeNet-5 ")
    assert not HANGUL.search(page.locator("#guess").text_content() or "")


def test_the_korean_page_fits_a_laptop_and_a_phone(
    page: Page, phone_page: Page, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    open_korean(page)
    page.locator("#draw-preprocess summary").click()
    assert horizontal_overflow(page) == 0
    page.screenshot(path=artifacts / "laptop-1366-draw-ko.png", full_page=True)

    phone = open_korean(phone_page)
    phone.draw_touch(SEVEN)
    phone.wait_guess("lenet5")
    expect(phone_page.locator("#guess")).to_contain_text("LeNet-5의 ")
    phone_page.locator("#draw-preprocess summary").click()
    assert horizontal_overflow(phone_page) == 0
    phone_page.screenshot(path=artifacts / "phone-draw-ko.png", full_page=True)
