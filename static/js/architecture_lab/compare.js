// The presets side by side: depth, parameters (a bar on a log scale, split by where they sit),
// multiply-accumulates, and how the receptive field grows layer by layer (a sparkline against
// the input's size).
import { ARCHITECTURE } from "../config.js";
import { el } from "../dom.js";
import { formatCount, formatLargeCount, formatShape, formatShare } from "../format.js";

const SVG = "http://www.w3.org/2000/svg";
const KINDS = [["conv", "convolution"], ["dense", "dense"], ["norm", "batch norm"]];

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
    parts.push(`${label} ${formatShare(params, total)}`);
    const segment = el("span", { class: "share", title: `${label}: ${formatCount(params)}` });
    segment.style.width = `${(100 * params) / total}%`;
    segment.style.background = ARCHITECTURE.kindColours[kind];
    bar.append(segment);
  }
  bar.setAttribute(
    "aria-label",
    `Parameters on a log scale: 10 to the power ${log10.toFixed(1)}; ${parts.join(", ") || "no weights"}`,
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
    "aria-label": `Receptive field grows from ${values[0]} to ${values.at(-1)} pixels over ` +
      `${values.length - 1} layers; the input is ${side} pixels high.`,
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
      "input size, on the receptive-field lines",
    ]),
    el("span", { class: "legend-item", id: "param-scale-note" }, [
      el("span", { class: "swatch swatch-decades", "aria-hidden": "true" }),
      `parameter bars: log scale from 1 to 10${superscript(decades)}, each grid line 10 times more`,
    ]),
  ]);
  const rows = presets.map((preset) =>
    el("tr", { dataset: { preset: preset.name } }, [
      el("th", { scope: "row", dataset: { label: "Architecture" } }, [
        el("strong", { text: preset.title }),
        el("span", { class: "row-settings", text: preset.description }),
        el("span", { class: "row-source", text: preset.source }),
        el("button", {
          type: "button", class: "button button-quiet", text: "Load in the editor",
          "aria-label": `Load in the editor: ${preset.title}`, onclick: () => onLoad(preset.name),
        }),
      ]),
      el("td", { dataset: { label: "Input" }, text: formatShape(preset.input_shape) }),
      el("td", { dataset: { label: "Depth" } }, [
        el("span", { class: "value", text: preset.depth }),
        el("span", { class: "working", text: `${preset.layer_count - 1} layers in all` }),
      ]),
      el("td", { dataset: { label: "Parameters" } }, [
        el("span", { class: "value", text: formatCount(preset.total_params) }),
        ...shareBar(preset, decades),
      ]),
      el("td", { dataset: { label: "MACs" } }, [
        el("span", { class: "value", text: formatLargeCount(preset.total_macs) }),
      ]),
      el("td", { dataset: { label: "Receptive field" } }, [
        el("span", { class: "value", text: `${preset.receptive_field?.[0] ?? "–"} px` }),
        sparkline(preset),
      ]),
    ]),
  );
  root.replaceChildren(
    legend,
    el("div", { class: "table-wrap" }, [
      el("table", { class: "arch-table compare-table", id: "compare-table" }, [
        el("caption", { class: "visually-hidden", text: "The preset architectures compared" }),
        el("thead", {}, [
          el("tr", {}, ["Architecture", "Input", "Depth", "Parameters (bar: log scale)", "MACs",
            "Receptive field"].map((text) => el("th", { scope: "col", text }))),
        ]),
        el("tbody", {}, rows),
      ]),
    ]),
  );
}
