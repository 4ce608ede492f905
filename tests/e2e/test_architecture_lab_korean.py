"""The Architecture lab in Korean: the totals, the glossary, the quiz and the layout."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from .test_architecture_lab import READY, TIMES, ArchitectureLab, answer_for

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def open_korean(page: Page) -> ArchitectureLab:
    page.goto("/architectures?lang=ko#lenet5")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.wait_for_selector(READY)
    return ArchitectureLab(page)


def test_lenet5_in_korean_totals_glossary_and_quiz(page: Page) -> None:
    lab = open_korean(page)
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page).to_have_title("구조 실험실 · ConvLens")
    expect(page.locator("h1")).to_have_text("구조 실험실")

    # The totals: the status line's sentence and the totals' list, with LeNet-5's 61,706.
    layers = len(lab.api("GET", "/api/architectures/lenet5")["summary"]["layers"]) - 1
    expect(page.locator("#status-line")).to_have_text(f"층 {layers}개, 파라미터 61,706개.")
    expect(lab.total()).to_have_text("61,706")
    expect(page.locator(".totals dt").first).to_have_text(re.compile("^전체 파라미터"))
    expect(page.locator("#preset-select option[value=lenet5]")).to_contain_text(
        "(파라미터 61,706개)"
    )
    expect(lab.card("layers[1]").locator(".layer-result")).to_contain_text("파라미터 ")

    # A glossary pop-up: the word, its definition and its formula in Korean.
    button = page.locator(".totals .gloss-button[data-term=params]")
    expect(button).to_have_accessible_name('"파라미터"의 뜻')
    button.click()
    panel = page.locator(".totals .gloss-panel[data-term=params]")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("파라미터: 층이 학습에서 배우는 수, 곧 가중치와 편향입니다.")
    expect(panel.locator("code")).to_contain_text(
        TIMES.join(["Conv2D: 커널_높이", "커널_너비", "입력_채널", "필터 수 + 필터 수;"])
    )
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()

    # The quiz: a wrong answer, then a right one, each answered in Korean.
    quiz = page.locator("#quiz")
    page.click("#quiz-ask")
    expect(quiz).to_have_attribute("data-state", "asking")
    question = page.locator("#quiz-question").text_content() or ""
    assert re.search(r"의 (출력 모양은 무엇일까요|파라미터는 몇 개일까요)\? ", question), question
    assert "입력은 " in question or "가지들의 끝 모양" in question, question
    expect(lab.total()).to_have_text("숨김")
    location, kind = quiz.get_attribute("data-location"), quiz.get_attribute("data-kind")
    assert location and kind
    expect(page.locator("#quiz-answer")).to_have_attribute("placeholder", re.compile("^예: "))
    right, working = answer_for(lab, location, kind)
    page.fill("#quiz-answer", "1 x 2 x 3 x 4" if kind == "shape" else "999999999")
    page.click("#quiz-check")
    expect(quiz).to_have_attribute("data-state", "wrong")
    feedback = page.locator("#quiz-feedback")
    expect(feedback).to_contain_text("아쉽게도 틀렸습니다.")
    expect(feedback).to_contain_text(f"정답은 {right.replace(' x ', TIMES)}입니다.")
    expect(feedback).to_contain_text("풀이:")
    expect(feedback.locator("code")).to_have_text(working)
    expect(page.locator("#quiz-score")).to_have_text("1문제 중 0문제 정답")
    expect(page.locator("#quiz-ask")).to_have_text("다른 문제 내 주세요")

    page.click("#quiz-ask")
    location, kind = quiz.get_attribute("data-location"), quiz.get_attribute("data-kind")
    assert location and kind
    right, working = answer_for(lab, location, kind)
    page.fill("#quiz-answer", right)
    page.press("#quiz-answer", "Enter")
    expect(quiz).to_have_attribute("data-state", "right")
    expect(feedback).to_contain_text("맞았습니다.")
    expect(page.locator("#quiz-score")).to_have_text("2문제 중 1문제 정답")

    # ?lang=en: the same lab in English again.
    page.goto("/architectures?lang=en#lenet5")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Architecture lab")
    expect(page.locator("#status-line")).to_have_text(f"{layers} layers, 61,706 parameters.")
    expect(page.locator(".totals dt").first).to_have_text(re.compile("^Total parameters"))


def test_the_korean_lab_fits_a_laptop_and_a_phone(
    page: Page, phone_page: Page, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    open_korean(page)
    assert page.evaluate(OVERFLOW) == 0
    # "-> 5x5x64" in a narrow column stays on one line (it broke as "-" / "> 5x5x64").
    page.select_option("#preset-select", "mnist-cnn")
    arrows = page.locator("#summary .working .unbroken")
    expect(arrows.first).to_be_visible()
    lines = arrows.evaluate_all("spans => spans.map(s => s.getClientRects().length)")
    assert lines and set(lines) == {1}, lines
    page.screenshot(path=artifacts / "laptop-1366-architectures-ko.png", full_page=True)

    phone = open_korean(phone_page)
    # On a phone each cell carries its column's heading, in Korean.
    expect(phone_page.locator('#compare-table td[data-label="Depth"]').first).to_have_attribute(
        "data-heading", "깊이"
    )
    assert phone_page.evaluate(OVERFLOW) == 0
    phone_page.screenshot(path=artifacts / "phone-architectures-ko.png", full_page=True)

    # A deep stack folded by stage, and a ResNet block's branches opened.
    phone_page.select_option("#preset-select", "resnet50")
    expect(phone.total()).to_have_text("25,636,712")
    stage = phone_page.locator('.stage-group[data-stage="conv2"]')
    stage.locator(":scope > details > summary").click()
    expect(stage.locator(".stage-result")).to_contain_text("파라미터 ")
    phone.card("layers[7]").locator(":scope > details > summary").click()
    assert phone_page.evaluate(OVERFLOW) == 0
    phone.card("layers[7]").screenshot(path=artifacts / "phone-architectures-ko-block.png")
    phone_page.click("#quiz-ask")
    assert phone_page.evaluate(OVERFLOW) == 0
    phone_page.locator("#quiz").screenshot(path=artifacts / "phone-architectures-ko-quiz.png")
