"""Korean particles after a filled-in word: the server (app.i18n.korean_particles) and the pages'
scripts (koreanParticles in static/js/i18n/index.js) choose alike, by the word's last sound.
Each expected answer is worked by hand: 받침 or not, and ㄹ for 로."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from app.i18n import korean_particles

CASES = {
    "LeNet-5이(가) 본 것": "LeNet-5가 본 것",  # 5 오: no final consonant
    "커널 “선명하게”이(가) 바꿉니다": "커널 “선명하게”가 바꿉니다",  # 게, inside quotes
    "편향 0을(를) 더합니다": "편향 0을 더합니다",  # 0 영: ㅇ
    "14 x 14(으)로 줄어듭니다": "14 x 14로 줄어듭니다",  # 4 사
    "채널 3(으)로": "채널 3으로",  # 3 삼: ㅁ
    "채널 7(으)로": "채널 7로",  # 7 칠: ㄹ takes 로
    "서울(으)로, 집(으)로": "서울로, 집으로",  # ㄹ takes 로; ㅂ takes 으로
    "“책”(이)라고, “사과”(이)라고": "“책”이라고, “사과”라고",
    "(2x2)을(를) 씁니다": "(2x2)를 씁니다",  # 2 이, inside brackets
    "필터 6개와(과) 맵 16과(와)": "필터 6개와 맵 16과",  # 개: none; 6 육: ㄱ
    "모델 값은(는) 맵은(는)": "모델 값은 맵은",
    "“apple”(이)라고, CNN은(는)": "“apple”(이)라고, CNN은(는)",  # Latin: unknown, both stay
    "이(가) 맨 앞": "이(가) 맨 앞",  # nothing before it
}


@pytest.mark.parametrize("text", CASES)
def test_the_server_chooses_each_particle_by_the_sound_before_it(text: str) -> None:
    assert korean_particles(text) == CASES[text]


def test_the_pages_scripts_choose_the_same(page: Page) -> None:
    page.goto("/?lang=ko")
    chosen = page.evaluate(
        """async (cases) => {
          const { koreanParticles } = await import("/static/js/i18n/index.js");
          return cases.map(koreanParticles);
        }""",
        list(CASES),
    )
    assert chosen == list(CASES.values())
