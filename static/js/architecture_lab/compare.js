// The presets side by side: depth, parameters (a bar on a log scale, split by where they sit),
// multiply-accumulates, and how the receptive field grows layer by layer (a sparkline against
// the input's size).
import { ARCHITECTURE } from "../config.js";
import { el } from "../dom.js";
import { formatCount, formatLargeCount, formatShape, formatShare } from "../format.js";
import { t } from "../i18n/index.js";

const SVG = "http://www.w3.org/2000/svg";
const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/;

/**
 * The language of a preset's source as the API sends it: a paper's citation stays in English
 * in every language (a ConvLens model's source is translated), so a Korean page marks it
 * lang="en" for screen readers. Returns "en", or null when the text is the page's language.
 */
export function sourceLanguage(text) {
  if (!text || document.documentElement.lang === "en") return null;
  return HANGUL.test(text) ? null : "en";
}

/** Show a preset's source in `element`, marked as English when it is (see sourceLanguage). */
export function showSource(element, text) {
  element.textContent = text ?? "";
  const language = sourceLanguage(text);
  if (language) element.lang = language;
  else element.removeAttribute("lang");
}
const KINDS = [["conv", t("convolution")], ["dense", t("dense")], ["norm", t("batch norm")]];
// A cell's column: data-label names it (in English, for the styles), data-heading is the heading
// a phone shows above the value.
const HEADINGS = {
  Architecture: t("Architecture"),
  Input: t("Input"),
  Depth: t("Depth"),
  Parameters: t("Parameters"),
  MACs: "MACs",
  "Receptive field": t("Receptive field"),
};
const column = (label) => ({ label, heading: HEADINGS[label] });

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

// The parameter count as a bar on a log scale from 1 to 10^decades (LeNet's 61,706 and
// AlexNet's 62 million would both fill a linear bar's width, or LeNet's would vanish), split
// into where the parameters sit. data-log10 is log10 of the count, data-decades the scale's end.
function shareBar(preset, decades) {
  const total = preset.total_params;
  const log10 = total > 0 ? Math.log10(total) : 0;
  const bar = el("div", { class: "share-bar", role: "img", dataset: { log10: log10.toFixed(4) } });
  bar.style.width = `${(100 * log10) / decades}%`;
  const parts = [];
  for (const [kind, label] of KINDS) {
    const params = preset.params_by_kind[kind];
    if (!params) continue;
    parts.push(t("{kind} {share}", { kind: label, share: formatShare(params, total) }));
    const segment = el("span", { class: "share", title: t("{kind}: {count}", { kind: label, count: formatCount(params) }) });
    segment.style.width = `${(100 * params) / total}%`;
    segment.style.background = ARCHITECTURE.kindColours[kind];
    bar.append(segment);
  }
  bar.setAttribute(
    "aria-label",
    t("Parameters on a log scale: 10 to the power {power}; {shares}", {
      power: log10.toFixed(1),
      shares: parts.join(", ") || t("no weights"),
    }),
  );
  const track = el("div", { class: "param-track", dataset: { decades } }, [bar]);
  track.style.setProperty("--decades", decades);
  return [track, el("span", { class: "share-text", text: parts.join(" · ") })];
}

function sparkline(preset) {
  const values = preset.receptive_field_growth.filter((v) => v !== null);
  const width = ARCHITECTURE.sparkWidth;
  const height = ARCHITECTURE.sparkHeight;
  const side = preset.input_shape[0];
  const top = Math.max(side, ...values);
  const x = (i) => 2 + (i * (width - 4)) / Math.max(values.length - 1, 1);
  const y = (v) => height - 2 - (v * (height - 4)) / top;
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`, width, height, class: "sparkline", role: "img",
    "aria-label": t(
      "Receptive field grows from {first} to {last} pixels over {layers} layers; the input is {side} pixels high.",
      { first: values[0], last: values.at(-1), layers: values.length - 1, side },
    ),
  });
  chart.append(
    svg("line", { x1: 0, x2: width, y1: y(side), y2: y(side), stroke: ARCHITECTURE.inputLine,
      "stroke-dasharray": "4 3", "stroke-width": 1 }),
    svg("polyline", { points: values.map((v, i) => `${x(i)},${y(v)}`).join(" "), fill: "none",
      stroke: ARCHITECTURE.kindColours.conv, "stroke-width": 2 }),
  );
  return chart;
}

const superscript = (n) => [...String(n)].map((d) => "⁰¹²³⁴⁵⁶⁷⁸⁹"[d]).join("");

/** renderCompare(root, presets, {onLoad(name)}): one row per preset. */
export function renderCompare(root, presets, { onLoad }) {
  const decades = Math.max(1, Math.ceil(Math.log10(Math.max(...presets.map((p) => p.total_params), 10))));
  const legend = el("p", { class: "legend-row" }, [
    ...KINDS.map(([kind, label]) => {
      const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
      swatch.style.background = ARCHITECTURE.kindColours[kind];
      return el("span", { class: "legend-item" }, [swatch, label]);
    }),
    el("span", { class: "legend-item" }, [
      el("span", { class: "swatch swatch-line", "aria-hidden": "true" }),
      t("input size, on the receptive-field lines"),
    ]),
    el("span", { class: "legend-item", id: "param-scale-note" }, [
      el("span", { class: "swatch swatch-decades", "aria-hidden": "true" }),
      t("parameter bars: log scale from 1 to 10{power}, each grid line 10 times more", {
        power: superscript(decades),
      }),
    ]),
  ]);
  const rows = presets.map((preset) =>
    el("tr", { dataset: { preset: preset.name } }, [
      el("th", { scope: "row", dataset: column("Architecture") }, [
        el("strong", { text: preset.title }),
        el("span", { class: "row-settings", text: preset.description }),
        el("span", { class: "row-source", text: preset.source, lang: sourceLanguage(preset.source) }),
        el("button", {
          type: "button", class: "button button-quiet", text: t("Load in the editor"),
          "aria-label": t("Load in the editor: {title}", { title: preset.title }),
          onclick: () => onLoad(preset.name),
        }),
      ]),
      el("td", { dataset: column("Input"), text: formatShape(preset.input_shape) }),
      el("td", { dataset: column("Depth") }, [
        el("span", { class: "value", text: preset.depth }),
        el("span", { class: "working", text: t("{count} layers in all", { count: preset.layer_count - 1 }) }),
      ]),
      el("td", { dataset: column("Parameters") }, [
        el("span", { class: "value", text: formatCount(preset.total_params) }),
        ...shareBar(preset, decades),
      ]),
      el("td", { dataset: column("MACs") }, [
        el("span", { class: "value", text: formatLargeCount(preset.total_macs) }),
      ]),
      el("td", { dataset: column("Receptive field") }, [
        el("span", { class: "value", text: `${preset.receptive_field?.[0] ?? "–"} px` }),
        sparkline(preset),
      ]),
    ]),
  );
  root.replaceChildren(
    legend,
    el("div", { class: "table-wrap" }, [
      el("table", { class: "arch-table compare-table", id: "compare-table" }, [
        el("caption", { class: "visually-hidden", text: t("The preset architectures compared") }),
        el("thead", {}, [
          el("tr", {}, [t("Architecture"), t("Input"), t("Depth"), t("Parameters (bar: log scale)"), "MACs",
            t("Receptive field")].map((text) => el("th", { scope: "col", text }))),
        ]),
        el("tbody", {}, rows),
      ]),
    ]),
  );
}
