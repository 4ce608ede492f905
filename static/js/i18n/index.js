// The pages' words in the reader's language. Every string a script shows is written in English
// and passed through t(); a Korean page embeds its catalog (English -> Korean, from the gettext
// catalogs in static/js/i18n/<lang>/*.po) as JSON in #i18n-catalog. Placeholders are {name},
// filled from `params` after translating, so a translation may put them in its own order:
//   t("Map {channel}, row {row}", { channel: 3, row: 0 })  ->  "맵 3, 0행"

const node = typeof document === "undefined" ? null : document.getElementById("i18n-catalog");
const catalog = node ? JSON.parse(node.textContent) : {};

/** The page's language: "en" or "ko". */
export const language = (typeof document === "undefined" ? "" : document.documentElement.lang) || "en";

/** `text` in the page's language, its {name} placeholders filled from `params`. */
export function t(text, params = {}) {
  const template = Object.hasOwn(catalog, text) ? catalog[text] : text;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

/** Singular or plural English, then translated: tn(n, "{n} map", "{n} maps"). */
export function tn(n, singular, plural, params = {}) {
  return t(n === 1 ? singular : plural, { n, ...params });
}
