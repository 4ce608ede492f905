"""The Learn page in Korean: a Korean browser gets the lesson in Korean, its questions answer in
Korean with the numbers worked out, and the live pages in its frames are Korean too."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app.i18n import korean_particles

POOL_MAP = [[1, 3, 2, 0], [5, 4, 1, 1], [0, 2, 6, 7], [3, 1, 8, 2]]


def test_a_korean_browser_learns_in_korean(korean_page: Page) -> None:
    page = korean_page
    page.goto("/learn#pooling")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")

    assert page.locator("html").get_attribute("lang") == "ko"
    expect(page.locator("h1")).to_have_text("배우기: CNN이 일하는 방식을 한 단계씩")
    expect(page.locator("#learn-step-heading")).to_have_text("풀링")
    expect(page.locator("#learn-count")).to_have_text("7단계 중 4단계")
    expect(page.locator("#learn-text p").first).to_contain_text("맥스 풀링")
    expect(page.locator(".learn-steps a").nth(1)).to_contain_text("스트라이드와 패딩")
    assert page.title() == "풀링 · 배우기 · ConvLens"

    # A wrong answer: the average of the bottom-right window (6, 7, 8, 2), not its largest.
    bottom_right = [row[2:] for row in POOL_MAP[2:]]
    average = sum(map(sum, bottom_right)) / 4
    page.get_by_label("내 답").fill(f"{average:g}")
    page.get_by_role("button", name="확인", exact=True).click()
    feedback = page.locator(".learn-feedback")
    expect(feedback).to_have_text(
        korean_particles(  # 5.75은(는) -> 5.75는: the particle after the number's sound
            f"아쉽습니다. {average:g}은(는) 답이 아닙니다. 그것은 창의 평균, 즉 평균 풀링입니다. "
            "맥스 풀링은 가장 큰 값을 남깁니다."
        )
    )
    largest = max(max(row) for row in bottom_right)
    page.get_by_label("내 답").fill(str(largest))
    page.get_by_role("button", name="확인", exact=True).click()
    expect(feedback).to_contain_text(
        f"맞습니다. 오른쪽 아래 창에는 6, 7, 8, 2가 있고, 맥스 풀링은 가장 큰 {largest}"
    )

    # The live page in the frame speaks the learner's language too.
    frame = page.frame_locator("iframe.learn-frame")
    expect(frame.locator("html")).to_have_attribute("lang", "ko")
    expect(frame.locator(".site-header nav a").nth(1)).to_have_text("커널 실험실")

    # The language switch keeps the step.
    page.locator(".language-switch a[data-lang=en]").click()
    expect(page.locator("#learn-step-heading")).to_have_text("Pooling")
    assert page.url.endswith("/learn?lang=en#pooling")
    expect(page.locator("html")).to_have_attribute("lang", "en")
