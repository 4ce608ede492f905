"""Korean and English: the request's language, the catalogs, and the pages and API in Korean."""

from __future__ import annotations

import json
import re

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from app import i18n
from app.errors import InvalidParameter
from tests.i18n_sources import ERROR_CLASSES, PAGES, ROOT, messages

# An area with a Korean catalog is translated: the completeness test holds it to every string.
TRANSLATED = tuple(sorted(p.stem for p in (ROOT / "static/js/i18n/ko").glob("*.po")))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", "ko"),  # a Korean browser
        ("en-US,en;q=0.9,ko;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,ko;q=0.5,en;q=0.3", "ko"),  # the first we speak, by weight
        ("en;q=0.2, ko;q=0.8", "ko"),  # weight, not order
        ("ko;q=0, en;q=0.1", "en"),  # q=0 refuses a language
        ("de, *;q=0.1", "en"),
        ("fr, de", None),
        ("", None),
        ("ko;q=abc, en", "en"),
        ("KO_kr", "ko"),
    ],
)
def test_accept_language_picks_the_preferred_language_we_speak(
    header: str, expected: str | None
) -> None:
    assert i18n.from_accept_language(header) == expected


def test_a_long_accept_language_is_read_only_so_far() -> None:
    header = ", ".join(["fr"] * 10_000 + ["ko"])
    assert i18n.from_accept_language(header) is None


def catalog_files() -> list[tuple[str, str, str]]:
    """(file, English, translation) for every translated message of every language."""
    found = []
    for path in sorted((ROOT / "static" / "js" / "i18n").glob("*/*.po")):
        with path.open("rb") as file:
            for message in read_po(file):
                if message.id and message.string:
                    found.append((str(path.relative_to(ROOT)), str(message.id), message.string))
    return found


def test_every_translation_keeps_the_placeholders_of_its_english() -> None:
    for name, english, translated in catalog_files():
        assert i18n.placeholders(translated) == i18n.placeholders(english), (name, english)
        jinja_fields = re.compile(r"%\((\w+)\)s")
        assert set(jinja_fields.findall(translated)) == set(jinja_fields.findall(english))


def test_one_english_text_has_one_translation_in_every_file() -> None:
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for name, english, translated in catalog_files():
        language = name.split("/")[-2]
        first = seen.setdefault((language, english), (name, translated))
        assert first[1] == translated, f"{english!r}: {first[0]} and {name} differ"


def test_every_string_of_the_translated_areas_is_in_korean() -> None:
    korean = i18n.catalog("ko")
    missing = [m for m in messages(TRANSLATED) if m.text not in korean]
    listing = "\n".join(f"{m.where}: {m.text!r}" for m in missing[:40])
    assert not missing, (
        f"{len(missing)} strings have no Korean; `python -m tests.i18n_sources ko` lists them "
        f"as .po entries:\n{listing}"
    )


def test_areas_are_the_pages_and_the_shared_parts() -> None:
    assert set(TRANSLATED) <= {*PAGES, "common", "api", "api_ml", "data"}


def test_a_korean_browser_gets_the_page_in_korean_with_its_scripts_strings(
    web: TestClient,
) -> None:
    response = web.get("/draw", headers={"accept-language": "ko-KR,ko;q=0.9,en;q=0.5"})

    assert response.status_code == 200
    assert '<html lang="ko">' in response.text
    assert "커널 실험실" in response.text and ">Kernel lab<" not in response.text
    assert response.headers["content-language"] == "ko"
    assert "Accept-Language" in response.headers["vary"]
    embedded = re.search(
        r'<script type="application/json" id="i18n-catalog">(.*?)</script>', response.text, re.S
    )
    assert embedded is not None
    strings = json.loads(embedded.group(1))
    assert strings["Kernel lab"] == "커널 실험실"
    assert not set(strings) & {m.text for m in messages(("api",))} - set(
        i18n.catalog("ko", server=False)
    )


def test_an_english_page_embeds_no_catalog(web: TestClient) -> None:
    response = web.get("/draw", headers={"accept-language": "en"})

    assert '<html lang="en">' in response.text
    assert "i18n-catalog" not in response.text
    assert response.headers["content-language"] == "en"


def test_the_switch_is_remembered_and_wins_over_the_browser(web: TestClient) -> None:
    chosen = web.get("/explorer?lang=ko", headers={"accept-language": "en"})
    assert chosen.headers["set-cookie"].startswith("convlens_lang=ko;")
    assert '<html lang="ko">' in chosen.text

    later = web.get("/training", headers={"accept-language": "en"})
    assert '<html lang="ko">' in later.text
    assert "set-cookie" not in later.headers  # already remembered

    back = web.get("/training?lang=en", headers={"accept-language": "ko"})
    assert '<html lang="en">' in back.text
    assert web.cookies["convlens_lang"] == "en"


def test_an_unknown_language_falls_back_without_a_cookie(web: TestClient) -> None:
    response = web.get("/?lang=xx", headers={"accept-language": "ko"})

    assert '<html lang="ko">' in response.text
    assert "set-cookie" not in response.headers


def test_static_files_are_the_same_in_every_language(web: TestClient) -> None:
    response = web.get("/static/js/i18n/index.js", headers={"accept-language": "ko"})

    assert response.status_code == 200
    assert "content-language" not in response.headers


def test_an_error_with_fields_is_translated_before_they_are_filled_in() -> None:
    error = InvalidParameter("Stride must be at least 1; got {stride}.", stride=0)

    assert error.detail == "Stride must be at least 1; got 0."
    assert error.localized("en") == error.detail
    # No translation for this made-up message: the English, filled in, in any language.
    assert error.localized("ko") == error.detail


def test_a_translation_may_put_the_fields_in_its_own_order() -> None:
    english = "Map {channel}, row {row}"
    catalog = i18n.catalog("ko")
    catalog[english] = "{row}행, 맵 {channel}"  # the cache's dict: put back below
    try:
        assert i18n.translate(english, {"channel": 3, "row": 0}, "ko") == "0행, 맵 3"
    finally:
        del catalog[english]


def test_the_extractor_knows_every_error_class() -> None:
    """A new ConvLensError subclass must be listed, or its messages are never extracted."""
    known = set(ERROR_CLASSES)
    declared = re.compile(r"^class (\w+)\((\w+)\):", re.M)
    for path in (ROOT / "app").rglob("*.py"):
        for name, base in declared.findall(path.read_text(encoding="utf-8")):
            if base in known:
                assert name in known, f"{path.relative_to(ROOT)}: add {name} to ERROR_CLASSES"


def test_shipped_models_and_samples_are_described_in_the_requests_language(
    web: TestClient,
) -> None:
    korean = {"accept-language": "ko"}
    models = {m["id"]: m for m in web.get("/api/models", headers=korean).json()}
    samples = {s["name"]: s for s in web.get("/api/samples", headers=korean).json()}

    assert models["mnist-cnn-dropout"]["name"] == "드롭아웃을 쓴 MNIST CNN"
    assert models["lenet5"]["description"].startswith("LeCun이 1998년에 만든 숫자 인식 신경망")
    assert samples["coffee"]["title"] == "커피 한 잔"
    assert samples["camera"]["licence"] == "CC0, 사진가 Lav Varshney"
    english = {s["name"]: s for s in web.get("/api/samples").json()}
    assert english["coffee"]["title"] == "A cup of coffee"
    assert {m["id"]: m for m in web.get("/api/models").json()}["mlp"]["name"] == (
        "Dense baseline (MLP)"
    )
