// The pages' words in the reader's language. Every string a script shows is written in English
// and passed through t(); a Korean page embeds its catalog (English -> Korean, from the gettext
// catalogs in static/js/i18n/<lang>/*.po) as JSON in #i18n-catalog. Placeholders are {name},
// filled from `params` after translating, so a translation may put them in its own order:
//   t("Map {channel}, row {row}", { channel: 3, row: 0 })  ->  "맵 3, 0행"

const node = typeof document === "undefined" ? null : document.getElementById("i18n-catalog");
const catalog = node ? JSON.parse(node.textContent) : {};

/** The page's language: "en" or "ko". */
export const language = (typeof document === "undefined" ? "" : document.documentElement.lang) || "en";

/** `text` in the page's language, its {name} placeholders filled from `params` (in Korean, with
 * the particles after a filled-in word chosen by its sound: koreanParticles). */
export function t(text, params = {}) {
  const translated = Object.hasOwn(catalog, text);
  const template = translated ? catalog[text] : text;
  const filled = template.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
  return translated && language === "ko" && filled !== template ? koreanParticles(filled) : filled;
}

// A Korean particle depends on whether the word before it ends in a consonant (받침): a
// translation writes both forms, "{model}이(가)", since it cannot know the word; once the word is
// filled in, the right one is chosen where its last sound is known: a Hangul syllable or a digit
// (read 영 일 이 삼 사 오 육 칠 팔 구). After a Latin name both forms stay. The same rules are in
// app/i18n.py (korean_particles), and tests/e2e/test_korean_particles.py holds both to one table.
const PARTICLE = /이\(가\)|은\(는\)|을\(를\)|과\(와\)|와\(과\)|\(으\)로|\(이\)(?=라)/g;
const PARTICLE_FORMS = {
  "이(가)": ["이", "가"],
  "은(는)": ["은", "는"],
  "을(를)": ["을", "를"],
  "과(와)": ["과", "와"],
  "와(과)": ["과", "와"],
  "(으)로": ["으로", "로"],
  "(이)": ["이", ""],
};
const CLOSERS = /["'”’)\]」』]+$/;
const FINALS = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ";
const DIGIT_FINALS = "ㅇㄹ ㅁ  ㄱㄹㄹ ";

function finalSound(before) {
  const word = before.replace(CLOSERS, "");
  const last = word.at(-1);
  if (!last) return null;
  if (last >= "가" && last <= "힣") return FINALS[(last.codePointAt(0) - 0xac00) % 28].trim();
  if (last >= "0" && last <= "9") return DIGIT_FINALS[Number(last)].trim();
  return null;
}

/** "LeNet-5이(가)" -> "LeNet-5가", "“선명하게”을(를)" -> "“선명하게”를". */
export function koreanParticles(text) {
  return text.replace(PARTICLE, (particle, offset) => {
    const final = finalSound(text.slice(0, offset));
    if (final === null) return particle;
    const [afterConsonant, afterVowel] = PARTICLE_FORMS[particle];
    if (particle === "(으)로") return final === "" || final === "ㄹ" ? afterVowel : afterConsonant;
    return final ? afterConsonant : afterVowel;
  });
}

/** Singular or plural English, then translated: tn(n, "{n} map", "{n} maps"). */
export function tn(n, singular, plural, params = {}) {
  return t(n === 1 ? singular : plural, { n, ...params });
}
