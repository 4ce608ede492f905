"""The Training page in Korean (?lang=ko): its headings, the sentences under each model's curves
worked out from the same history the API gives, the charts' axis titles and legends, and a
small job's epoch scrubber; ?lang=en gives the English back. Each test has its own browser
context, so the language cookie a ?lang= sets never reaches another test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    ViewportSize,
    expect,
)

from .conftest import PHONE
from .digit_pages import horizontal_overflow
from .test_training_own import TRAINING_MS, delete_trained_model, start, upload_shapes

LAPTOP_WIDE: ViewportSize = {"width": 1366, "height": 768}


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    fresh = browser.new_context(base_url=base_url, viewport=LAPTOP_WIDE)
    yield fresh
    fresh.close()


def watched(context: BrowserContext) -> tuple[Page, list[str]]:
    """A new tab and the script errors it logs (a failed resource load is not one)."""
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Failed to load resource" not in message.text:
            errors.append(message.text)

    page.on("console", on_console)
    return page, errors


def open_in(page: Page, language: str, query: str = "") -> None:
    page.goto(f"/training?lang={language}{query}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("html")).to_have_attribute("lang", language)


def histories(page: Page) -> dict[str, dict[str, Any]]:
    """Each shipped model's detail as a Korean page reads it (names and descriptions in Korean)."""
    models = page.request.get("/api/models?lang=ko").json()
    details = [page.request.get(f"/api/models/{m['id']}?lang=ko").json() for m in models]
    return {d["id"]: d for d in details if d.get("history")}


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def progress_sentence(history: dict[str, list[float]]) -> str:
    """The first sentence under a model's curves, in Korean, from its validation accuracy."""
    va = history["val_accuracy"]
    best = max(range(len(va)), key=va.__getitem__)  # the first highest, as the page picks
    first, last, epochs = percent(va[0]), percent(va[-1]), len(va)
    sentence = f"검증 정확도는 에포크 1 후 {first}에서 에포크 {epochs} 후 {last}가 되었습니다"
    if percent(va[best]) != last:
        sentence += f"(가장 높았던 때는 에포크 {best + 1} 후 {percent(va[best])})"
    return sentence + "."


def test_the_training_page_reads_in_korean_with_the_curves_numbers_then_in_english_again(
    context: BrowserContext, artifacts: Path
) -> None:
    page, errors = watched(context)
    details = histories(page)
    open_in(page, "ko")

    expect(page).to_have_title("학습 · ConvLens")
    expect(page.locator("h1")).to_have_text("학습")
    expect(page.locator("#own-heading")).to_have_text("직접 준비한 이미지로 신경망 학습시키기")
    expect(page.locator("#dataset-step h3")).to_have_text("1. 내 이미지")
    expect(page.locator("#train-step h3")).to_have_text("2. 신경망과 학습 방법")
    expect(page.locator(".shipped-heading")).to_have_text("제공된 모델들은 어떻게 학습되었나")
    expect(page.locator("#compare-heading")).to_have_text("모델 나란히 비교")
    expect(page.locator("#overlay-heading")).to_have_text("곡선을 한 차트에")
    expect(page.locator("label[for=train-epochs]")).to_have_text("에포크")
    expect(page.locator("#train-start")).to_have_text("학습 시작")
    expect(page.locator("#compare thead th")).to_have_text(
        ["모델", "테스트 정확도", "테스트 손실", "파라미터", "에포크", "학습 시간"]
    )
    # The paragraph with a percent sign in it: translated, and "100%" written once.
    expect(page.locator(".intro p").nth(1)).to_contain_text("정확도는 0~100%, 손실은 로그 눈금")

    for model, detail in details.items():
        history = detail["history"]
        section = page.locator(f".model-training[data-model='{model}']")
        story = section.locator(".curve-story li")
        expect(section.locator(".curve-story-heading")).to_have_text("곡선이 보여 주는 것")
        expect(story.nth(0)).to_have_text(progress_sentence(history))
        epochs = len(history["val_accuracy"])
        val, train = history["val_accuracy"][-1], history["accuracy"][-1]
        if val > train:
            expect(story.nth(1)).to_have_attribute("data-kind", "validation-above")
            expect(story.nth(1)).to_contain_text(
                f"검증 정확도가 학습 정확도보다 높습니다(에포크 {epochs} 후 "
                f"{percent(val)} 대 {percent(train)})."
            )
        lowest = min(range(epochs), key=history["val_loss"].__getitem__) + 1
        expect(story.nth(2)).to_have_attribute("data-epoch", str(lowest))
        expect(story.nth(2)).to_contain_text(f"에포크 {lowest}")
        for sentence in story.all():
            expect(sentence).not_to_contain_text("epoch")
            expect(sentence).not_to_contain_text("Validation")

        # Axis titles, captions and legends of both charts.
        loss = section.locator(".chart-figure").nth(0)
        expect(loss.locator("figcaption")).to_have_text("손실(낮을수록 좋음, 로그 눈금)")
        expect(loss.locator(".chart-title")).to_have_text(["에포크", "손실(로그 눈금)"])
        expect(loss.locator(".chart-legend li")).to_have_text(
            ["학습용 숫자", "검증용 숫자"], use_inner_text=True
        )
        label = loss.locator("svg[role=img]").get_attribute("aria-label") or ""
        assert label.startswith(f"{detail['name']}, 에포크 {epochs}개 동안의 손실: "), label
        accuracy = section.locator(".chart-figure").nth(1)
        expect(accuracy.locator("figcaption")).to_have_text("정확도(높을수록 좋음)")
        expect(accuracy.locator(".chart-title")).to_have_text(["에포크", "정확도"])

        # Times in Korean units, worked from the model's own seconds (e.g. 7 min 3 s -> 7분 3초).
        seconds = detail["training"]["seconds"]
        minutes = int(seconds // 60)
        took = f"{minutes}분 {round(seconds - 60 * minutes)}초" if seconds >= 60 else None
        row = page.locator(f"#compare tbody tr[data-model='{model}']")
        if took:
            expect(row.locator("td").last).to_have_text(took)
        machine = detail["training"]["machine"]  # "x86_64, 2 CPUs" as the trainer wrote it
        arch, cpus = machine.removesuffix(" CPUs").rsplit(", ", 1)
        expect(section).to_contain_text(f"{arch}, CPU {cpus}개에서")
        expect(section).not_to_contain_text(" min ")

    expect(page.locator(".overlay-models legend")).to_have_text("모델")
    expect(page.locator("label[for=overlay-curves-validation]")).to_contain_text("검증 곡선")
    assert horizontal_overflow(page) == 0
    page.screenshot(path=artifacts / "laptop-training-ko.png", full_page=True)

    open_in(page, "en")
    expect(page.locator("h1")).to_have_text("Training")
    expect(page.locator("#compare-heading")).to_have_text("The models side by side")
    first_model, first = next(iter(details.items()))
    story = page.locator(f".model-training[data-model='{first_model}'] .curve-story li")
    epochs = len(first["history"]["val_accuracy"])
    expect(story.nth(0)).to_contain_text(
        f"{percent(first['history']['val_accuracy'][-1])} after epoch {epochs}"
    )
    assert not errors, errors


def test_a_job_in_korean_has_a_korean_scrubber_and_fits_a_phone(
    context: BrowserContext, browser: Browser, base_url: str, artifacts: Path
) -> None:
    page, errors = watched(context)
    open_in(page, "ko")
    upload_shapes(page)
    expect(page.locator(".dataset-class-count").first).to_have_text("이미지 20장")
    expect(page.locator(".dataset-summary")).to_contain_text("이미지 60장, 클래스 3개")
    job_id = start(page, "lenet5", 2)
    job = page.locator("#job-view")
    expect(job).to_have_attribute("data-state", "done", timeout=TRAINING_MS)
    status = page.request.get(f"/api/jobs/{job_id}").json()
    history = status["history"]

    expect(job.locator(".job-state")).to_have_text("완료")
    expect(job.locator(".job-line")).to_have_text("에포크 2개 동안 학습했습니다.")
    expect(job.locator(".job-final-accuracy")).to_have_text(percent(history[-1]["val_accuracy"]))
    expect(job.locator(".job-accuracy")).to_have_text(
        "검증용 이미지(떼어 두어 학습에 쓰지 않은 이미지)의 최종 정확도: "
        f"{percent(history[-1]['val_accuracy'])}. 학습용 이미지에서는 "
        f"{percent(history[-1]['accuracy'])}입니다."
    )
    columns = {key: [epoch[key] for epoch in history] for key in history[0]}
    expect(job.locator(".curve-story li").first).to_have_text(progress_sentence(columns))
    expect(job.locator(".job-charts .chart-legend li").first).to_have_text("학습용 이미지")

    # The epoch scrubber: its label, its output and the slider's spoken value.
    expect(page.locator("#epoch-heading")).to_have_text("에포크 시간 여행")
    expect(page.locator("label[for=epoch-scrubber]")).to_have_text("에포크")
    output = page.locator(".epoch-output")
    expect(output).to_have_text("에포크 2 후(보관된 3개 중 3번째)")
    page.locator("#epoch-scrubber").press("Home")
    expect(page.locator("#epoch-panel")).to_have_attribute("data-epoch", "0")
    expect(output).to_have_text("에포크 0: 학습 전, 무작위로 시작한 상태(보관된 3개 중 1번째)")
    expect(page.locator("#epoch-scrubber")).to_have_attribute(
        "aria-valuetext", "에포크 0: 학습 전, 무작위로 시작한 상태"
    )
    expect(page.locator(".epoch-play")).to_have_text("재생")
    expect(page.locator(".evaluation-heading")).to_have_text("무엇을 맞히고 무엇을 틀리나")
    page.screenshot(path=artifacts / "laptop-training-job-ko.png", full_page=True)

    # The same job on a phone, in Korean: nothing wider than the screen.
    phone = browser.new_context(
        base_url=base_url, viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2
    )
    try:
        small, small_errors = watched(phone)
        open_in(small, "ko", f"&job={job_id}")
        expect(small.locator("#job-view")).to_have_attribute("data-state", "done")
        expect(small.locator(".epoch-output")).to_have_text("에포크 2 후(보관된 3개 중 3번째)")
        assert horizontal_overflow(small) == 0
        small.screenshot(path=artifacts / "phone-training-ko.png", full_page=True)
        assert not small_errors, small_errors
    finally:
        phone.close()
        delete_trained_model(page, str(job.get_attribute("data-model")))
    assert not errors, errors
