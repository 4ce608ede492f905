"""Every page read in Korean leaves no English sentence behind: the visible text and the
accessible names (aria-label, title, alt) of a Korean page hold no run of three or more English
words, except names that stay as they are in Korean (Keras, Conv2D, LeNet-5, MNIST ...)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .test_accessibility import KOREAN, PAGES

# Runs of English words a Korean page keeps: names of things, code, and what the user typed.
KEPT = re.compile(
    r"Keras|Conv2D|MaxPooling2D|AveragePooling2D|LeNet-5|MNIST|ReLU|Grad-CAM|ConvLens|"
    r"TensorFlow|ResNet|VGG|AlexNet|English|sparse_categorical_crossentropy|"
    r"Stefan van der Walt"  # a photographer's name, in a sample's licence
)
# Three or more English words in a row (words of two letters or more, spaces between).
ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:[ ,'\u2019]+[A-Za-z]{2,}){2,}")

COLLECT = """() => {
  const skipped =
    "script, style, code, pre, kbd, samp, var, [translate=no], [lang=en], .language-switch";
  const shown = (node) => {
    const element = node.nodeType === 1 ? node : node.parentElement;
    if (!element || element.closest(skipped)) return false;
    return element.checkVisibility ? element.checkVisibility() : true;
  };
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.textContent.trim() && shown(node)) texts.push(node.textContent.trim());
  }
  for (const element of document.querySelectorAll("[aria-label], [title], [alt], [placeholder]")) {
    if (element.closest(skipped)) continue;
    for (const name of ["aria-label", "title", "alt", "placeholder"]) {
      const value = element.getAttribute(name);
      if (value) texts.push(value);
    }
  }
  texts.push(document.title);
  return texts;
}"""


def english_left(page: Page) -> list[str]:
    found = []
    for text in page.evaluate(COLLECT):
        for run in ENGLISH_RUN.findall(KEPT.sub("", text)):
            found.append(f"{run!r} in {text[:120]!r}")
    return sorted(set(found))


@pytest.mark.parametrize("name", KOREAN)
def test_a_korean_page_has_no_english_sentence_left(korean_page: Page, name: str) -> None:
    path, ready = PAGES[name]
    korean_page.goto(path)
    expect(korean_page.locator("body")).to_have_attribute("data-ready", "true", timeout=60_000)
    korean_page.wait_for_selector(ready, state="attached", timeout=60_000)
    korean_page.wait_for_load_state("networkidle")

    assert korean_page.locator("html").get_attribute("lang") == "ko"
    left = english_left(korean_page)
    assert not left, f"{len(left)} English runs on the Korean {path}:\n" + "\n".join(left[:60])
