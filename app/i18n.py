"""Languages: English (the source text) and Korean, the course's language.

Every string a person reads is written in English where it is used; its translations live in
gettext catalogs, ``static/js/i18n/<lang>/*.po`` (one file per area), read with Babel. The pages'
templates translate with Jinja's i18n extension, the pages' scripts with ``t()`` from
``static/js/i18n/index.js`` (the page embeds the catalog), and the API's messages follow the
request's language.

A request's language is, in order: ``?lang=`` (a page's language switch; the choice is kept in a
cookie), the ``convlens_lang`` cookie, the ``Accept-Language`` header, then English.
"""

from __future__ import annotations

import json
import re
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SOURCE = "en"
LANGUAGES = {"en": "English", "ko": "한국어"}
COOKIE = "convlens_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
CATALOG_DIR = Path(__file__).resolve().parent.parent / "static" / "js" / "i18n"
# The catalogs the server alone uses (the API's messages): the pages' scripts never need them.
SERVER_ONLY = frozenset({"api", "api_ml", "data"})
# A tag and its weight in Accept-Language: "ko-KR", "ko;q=0.9", "*;q=0.1".
_ACCEPTED = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([^,;\s]*))?"
)
# At most this many Accept-Language entries are read: a header is not a workload.
_MAX_ACCEPTED = 32
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:[:!][^{}]*)?\}")

current: ContextVar[str] = ContextVar("convlens_language", default=SOURCE)


def supported(tag: str | None) -> str | None:
    """The language we speak for a tag such as "ko", "ko-KR" or "EN_us", or None."""
    if not tag:
        return None
    primary = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    return primary if primary in LANGUAGES else None


def from_accept_language(header: str) -> str | None:
    """The supported language the header prefers most (q=0 refuses a language)."""
    best: tuple[float, int, str] | None = None
    for index, entry in enumerate(header.split(",")[:_MAX_ACCEPTED]):
        match = _ACCEPTED.match(entry)
        if not match:
            continue
        try:
            weight = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        language = SOURCE if match.group(1) == "*" else supported(match.group(1))
        if language is None or not 0 < weight <= 1:  # q=0 refuses; nan and 7 are not weights
            continue
        key = (weight, -index, language)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


def negotiate(connection: HTTPConnection) -> str:
    return (
        supported(connection.query_params.get("lang"))
        or supported(connection.cookies.get(COOKIE))
        or from_accept_language(connection.headers.get("accept-language", ""))
        or SOURCE
    )


@cache
def catalog(language: str, server: bool = True) -> dict[str, str]:
    """English -> translation for every translated string of a language (server=False: only the
    pages' scripts' strings)."""
    from babel.messages.pofile import read_po

    strings: dict[str, str] = {}
    folder = CATALOG_DIR / language
    if language == SOURCE or not folder.is_dir():
        return strings
    for path in sorted(folder.glob("*.po")):
        if not server and path.stem in SERVER_ONLY:
            continue
        with path.open("rb") as file:
            for message in read_po(file, locale=language):
                if isinstance(message.id, str) and message.id and message.string:
                    if message.fuzzy:  # a translation waiting for a check is not used
                        continue
                    strings[message.id] = str(message.string)
    return strings


@cache
def script_catalog_json(language: str) -> str:
    """The pages' scripts' catalog as JSON safe to put inside a <script> element."""
    text = json.dumps(catalog(language, server=False), ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def gettext(message: str, language: str | None = None) -> str:
    """The message in the current request's language (English when it has no translation)."""
    return catalog(language or current.get()).get(message, message)


def ngettext(singular: str, plural: str, n: int, language: str | None = None) -> str:
    return gettext(singular if n == 1 else plural, language)


def translate(template: str, params: dict[str, Any], language: str | None = None) -> str:
    """A message template with {name} placeholders, translated, then filled in (in Korean, with
    the particles after a filled-in word chosen by its sound: :func:`korean_particles`)."""
    text = gettext(template, language)
    if not params:
        return text
    filled = text.format(**params)
    return korean_particles(filled) if (language or current.get()) == "ko" else filled


# A Korean particle depends on whether the word before it ends in a consonant (받침): a
# translation writes both forms, "{model}이(가)", since it cannot know the word; once the word is
# filled in, the right one is chosen where its last sound is known: a Hangul syllable or a digit
# (read as Sino-Korean: 영 일 이 삼 사 오 육 칠 팔 구). After a Latin name both forms stay. The
# same rules are in static/js/i18n/index.js.
_PARTICLE = re.compile(r"(이\(가\)|은\(는\)|을\(를\)|과\(와\)|와\(과\)|\(으\)로|\(이\)(?=라))")
_PARTICLE_FORMS = {  # (after a consonant, after a vowel or ㄹ for 로)
    "이(가)": ("이", "가"),
    "은(는)": ("은", "는"),
    "을(를)": ("을", "를"),
    "과(와)": ("과", "와"),
    "와(과)": ("과", "와"),
    "(으)로": ("으로", "로"),
    "(이)": ("이", ""),
}
_CLOSERS = "\"'\u201d\u2019)]」』"  # quotes and brackets that close a filled-in word
_FINALS = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"  # a syllable's 28 endings
_DIGIT_FINALS = "ㅇㄹ ㅁ  ㄱㄹㄹ "  # 영 일 이 삼 사 오 육 칠 팔 구: their final consonant


def _final_sound(before: str) -> str | None:
    """The final consonant ("" for none) of the word ``before`` ends with, if it is known."""
    word = before.rstrip(_CLOSERS)
    if not word:
        return None
    last = word[-1]
    if "가" <= last <= "힣":
        return _FINALS[(ord(last) - 0xAC00) % 28].strip()
    if "0" <= last <= "9":
        return _DIGIT_FINALS[int(last)].strip()
    return None


def korean_particles(text: str) -> str:
    """``"LeNet-5이(가)"`` -> ``"LeNet-5가"``, ``"“선명하게”을(를)"`` -> ``"“선명하게”를"``."""

    def chosen(match: re.Match[str]) -> str:
        final = _final_sound(text[: match.start()])
        if final is None:
            return match.group(0)
        after_consonant, after_vowel = _PARTICLE_FORMS[match.group(0)]
        if match.group(0) == "(으)로":
            return after_vowel if final in ("", "ㄹ") else after_consonant
        return after_consonant if final else after_vowel

    return _PARTICLE.sub(chosen, text)


def placeholders(text: str) -> set[str]:
    """The {name} fields of a message, format specs left out: a translation keeps them all."""
    return set(_PLACEHOLDER.findall(text))


class LanguageMiddleware:
    """Sets each request's language for the code that answers it; a ``?lang=`` choice on a page
    is remembered in a cookie, so every page after it and the API calls it makes follow."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        language = negotiate(connection)
        token = current.set(language)
        chosen = supported(connection.query_params.get("lang"))
        remember = chosen is not None and connection.cookies.get(COOKIE) != chosen

        async def send_in_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if remember:
                    headers.append(
                        "set-cookie",
                        f"{COOKIE}={chosen}; Max-Age={COOKIE_MAX_AGE}; Path=/; SameSite=Lax",
                    )
                headers.append("content-language", language)
                headers.add_vary_header("Accept-Language")
                headers.add_vary_header("Cookie")
            await send(message)

        try:
            # Static files read the same in every language.
            if scope["type"] == "websocket" or scope["path"].startswith("/static/"):
                await self.app(scope, receive, send)
            else:
                await self.app(scope, receive, send_in_language)
        finally:
            current.reset(token)


def install_in_templates(env: Any) -> None:
    """Jinja's i18n extension, translating into the current request's language: templates write
    {{ _("Text") }} or {% trans %}Text{% endtrans %}; ``language``, ``languages`` and
    ``script_catalog`` (the pages' scripts' strings, as JSON) are globals."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True  # a {% trans %} block's line breaks are not its text
    env.install_gettext_callables(gettext=gettext, ngettext=ngettext, newstyle=True)
    env.globals["languages"] = LANGUAGES
    env.globals["current_language"] = current.get
    env.globals["script_catalog"] = lambda: script_catalog_json(current.get())
