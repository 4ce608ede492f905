// The legend that goes with a heatmap of numbers: a gradient bar with its end (and zero) values.
import { el } from "../dom.js";
import { formatNumber } from "../format.js";
import { t } from "../i18n/index.js";

/** renderLegend(container, scale, caption): `caption` names the colour ("Weight colour"), in the
 * page's language (the caller translates it); the default is "Cell colour", translated here. */
export function renderLegend(container, scale, caption = t("Cell colour")) {
  const gradient = `linear-gradient(to right, ${scale.stops.join(", ")})`;
  const ends = { caption, min: formatNumber(scale.min), max: formatNumber(scale.max) };
  const description =
    scale.kind === "diverging"
      ? t("{caption}: blue below zero, white at zero, red above; from {min} to {max}", ends)
      : t("{caption}: white at zero to dark blue at {max}", ends);
  const labels =
    scale.kind === "diverging"
      ? [scale.min, 0, scale.max]
      : [scale.min, scale.max];
  container.replaceChildren(
    el("div", { class: "legend", role: "img", "aria-label": description }, [
      el("span", { class: "legend-caption", text: caption }),
      el("span", { class: "legend-bar", style: `background: ${gradient}` }),
      el(
        "span",
        { class: "legend-labels", "aria-hidden": "true" },
        labels.map((v) => el("span", { text: formatNumber(v) })),
      ),
    ]),
  );
}

// What black and white stand for under each pixel mapping (the API's pixel_map), and the
// values at the bar's two ends and its middle.
const PIXEL_WORDS = {
  clip: (lo, hi) => ({
    words: t("black at 0 or below, white at 255 or above (values ran from {lo} to {hi}).", { lo, hi }),
    labels: ["≤ 0", "128", "≥ 255"],
  }),
  rescale: (lo, hi) => ({
    words: t("black at the lowest value {lo}, white at the highest {hi}.", { lo, hi }),
    labels: [lo, "", hi],
  }),
  absolute: (lo, hi) => ({
    words: t("black at 0, white at |value| 255 or more, whatever the sign (values ran from {lo} to {hi}).", {
      lo,
      hi,
    }),
    labels: ["0", "|v| 128", "|v| ≥ 255"],
  }),
};

/**
 * The colour bar under an output picture: how its values became pixels. `pixelMap` is the API's
 * {mapping, value_min, value_max}; `channels` 3 means each colour channel is mapped alike.
 */
export function renderPixelLegend(container, pixelMap, channels = 1) {
  const lo = formatNumber(pixelMap.value_min);
  const hi = formatNumber(pixelMap.value_max);
  const { words, labels } = (PIXEL_WORDS[pixelMap.mapping] ?? PIXEL_WORDS.clip)(lo, hi);
  const each = t("Each colour channel (red, green, blue) is mapped the same way.");
  const text = channels === 3 ? `${words} ${each}` : words;
  const caption = channels === 3 ? t("Channel brightness") : t("Pixel brightness");
  container.dataset.mapping = pixelMap.mapping;
  container.replaceChildren(
    el("div", { class: "legend", role: "img", "aria-label": `${caption}: ${text}` }, [
      el("span", { class: "legend-caption", text: caption }),
      el("span", { class: "legend-bar", style: "background: linear-gradient(to right, #000, #fff)" }),
      el(
        "span",
        { class: "legend-labels legend-labels-spread", "aria-hidden": "true" },
        labels.map((text) => el("span", { text })),
      ),
      el("span", { class: "legend-words", text }),
    ]),
  );
}
