// Line charts in SVG, without a library (the app runs offline): a few series over epochs, with
// axes, ticks, axis titles, a legend, and one point per epoch that names its value when pointed
// at. The chart is drawn at its box's real width, so text stays readable on a phone.
import { el } from "../dom.js";

const SVG = "http://www.w3.org/2000/svg";
const MARGIN = { top: 12, right: 14, bottom: 42, left: 58 };

function svg(tag, attrs = {}, children = []) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(key, String(value));
  }
  for (const child of children) node.append(child);
  return node;
}

/** About `count` round tick values covering [low, high]: steps of 1, 2 or 5 times a power of 10. */
export function niceTicks(low, high, count = 5) {
  if (!(high > low)) return [low];
  const raw = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const ticks = [];
  for (let v = Math.ceil(low / step - 1e-9) * step; v <= high + step * 1e-9; v += step) {
    ticks.push(Number(v.toFixed(10)));
  }
  return ticks;
}

function lineSwatch(s) {
  return svg("svg", { width: 28, height: 10, "aria-hidden": "true" }, [
    svg("line", { x1: 1, y1: 5, x2: 27, y2: 5, stroke: s.colour, "stroke-width": 2.5, "stroke-dasharray": s.dashed ? "6 4" : null }),
  ]);
}

// The drawing area at `width` pixels: its size, and x(epoch) and y(value) in pixels.
function frameFor(width, epochs, [low, high]) {
  const height = Math.round(Math.min(280, Math.max(200, width * 0.55)));
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  return {
    width,
    height,
    plotW,
    plotH,
    x: (epoch) => MARGIN.left + (epochs === 1 ? plotW / 2 : ((epoch - 1) / (epochs - 1)) * plotW),
    y: (value) => MARGIN.top + plotH - ((value - low) / (high - low)) * plotH,
  };
}

// Horizontal grid lines, each with its value written on the left.
function valueTicks({ width, y }, ticks, format) {
  return ticks.map((t) =>
    svg("g", { class: "chart-tick" }, [
      svg("line", { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(t), y2: y(t), class: "chart-grid" }),
      svg("text", { x: MARGIN.left - 6, y: y(t), "text-anchor": "end", "dominant-baseline": "middle" }, [
        document.createTextNode(format(t)),
      ]),
    ]),
  );
}

function epochTicks({ plotW, plotH, x }, epochs) {
  const ticks = niceTicks(1, epochs, Math.min(epochs - 1, Math.floor(plotW / 40)) || 1).filter(
    (t) => Number.isInteger(t) && t >= 1,
  );
  return ticks.map((t) =>
    svg("text", { x: x(t), y: MARGIN.top + plotH + 16, "text-anchor": "middle", class: "chart-tick" }, [
      document.createTextNode(String(t)),
    ]),
  );
}

function axisLines({ width, plotH }) {
  return [
    svg("line", { class: "chart-axis", x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: MARGIN.top + plotH }),
    svg("line", { class: "chart-axis", x1: MARGIN.left, x2: width - MARGIN.right, y1: MARGIN.top + plotH, y2: MARGIN.top + plotH }),
  ];
}

function axisTitles({ height, plotW, plotH }, xLabel, yLabel) {
  return [
    svg("text", { class: "chart-title", x: MARGIN.left + plotW / 2, y: height - 6, "text-anchor": "middle" }, [
      document.createTextNode(xLabel),
    ]),
    svg("text", {
      class: "chart-title",
      transform: `translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)`,
      "text-anchor": "middle",
    }, [document.createTextNode(yLabel)]),
  ];
}

// One series: its line, and a point per epoch that names its value when pointed at.
function seriesLine({ x, y }, s, format) {
  const points = s.values.map((v, i) => `${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const dots = s.values.map((v, i) =>
    svg("circle", {
      class: "chart-point",
      cx: x(i + 1),
      cy: y(v),
      r: 3.2,
      fill: s.colour,
      "data-series": s.key,
      "data-epoch": i + 1,
      "data-value": v,
    }, [svg("title", {}, [document.createTextNode(`Epoch ${i + 1}, ${s.name}: ${format(v)}`)])]),
  );
  return svg("g", { class: "chart-series", "data-series": s.key }, [
    svg("polyline", {
      points,
      fill: "none",
      stroke: s.colour,
      "stroke-width": 2,
      "stroke-dasharray": s.dashed ? "6 4" : null,
      "stroke-linejoin": "round",
    }),
    ...dots,
  ]);
}

function chartSvg(frame, { label, xLabel, yLabel, series, format, epochs, ticks }) {
  const { width, height } = frame;
  return svg(
    "svg",
    { class: "chart-svg", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label },
    [
      ...valueTicks(frame, ticks, format),
      ...axisLines(frame),
      ...epochTicks(frame, epochs),
      ...axisTitles(frame, xLabel, yLabel),
      ...series.map((s) => seriesLine(frame, s, format)),
    ],
  );
}

/**
 * renderLineChart(container, {label, xLabel, yLabel, series: [{key, name, values, colour,
 * dashed}], domain: [low, high] | null, format(value) -> text}) draws epochs 1..n on x.
 * Redraws itself when its box changes width.
 */
export function renderLineChart(container, options) {
  const { series, format = String } = options;
  const epochs = Math.max(...series.map((s) => s.values.length));
  const all = series.flatMap((s) => s.values);
  let [low, high] = options.domain ?? [Math.min(...all), Math.max(...all)];
  if (!(high > low)) [low, high] = [low - 1, high + 1];
  const chart = { ...options, format, epochs, ticks: niceTicks(low, high) };
  const holder = el("div", { class: "chart-plot" });
  const legend = el(
    "ul",
    { class: "chart-legend" },
    series.map((s) => el("li", {}, [lineSwatch(s), ` ${s.name}`])),
  );
  container.replaceChildren(holder, legend);

  const paint = () => {
    const frame = frameFor(Math.max(260, holder.clientWidth || 460), epochs, [low, high]);
    holder.replaceChildren(chartSvg(frame, chart));
  };
  let lastWidth = 0;
  new ResizeObserver(() => {
    if (holder.clientWidth !== lastWidth) {
      lastWidth = holder.clientWidth;
      paint();
    }
  }).observe(holder);
  paint();
}
