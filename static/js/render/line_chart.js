// Line charts in SVG, without a library (the app runs offline): a few series over epochs, with
// axes, ticks, axis titles, a legend, and one point per epoch that names its value when pointed
// at. The value axis is linear or logarithmic over a domain the caller fixes, so charts of
// different models share their axes. Series differ by colour, dash and marker shape (readable
// without colour). The chart is drawn at its box's real width, so text stays readable on a phone.
import { el } from "../dom.js";
import { t } from "../i18n/index.js";

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

/** Ticks of a log axis: 1, 3 (and 2, 5 when few decades) times each power of 10 in [low, high]. */
export function logTicks(low, high) {
  const decades = Math.log10(high / low);
  const steps = decades <= 1.5 ? [1, 2, 5] : [1, 3];
  const ticks = [];
  for (let p = Math.floor(Math.log10(low)); p <= Math.ceil(Math.log10(high)); p++) {
    for (const m of steps) {
      const v = Number((m * 10 ** p).toPrecision(6));
      if (v >= low * (1 - 1e-9) && v <= high * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

const DASHES = { solid: null, dashed: "6 4", dotted: "1.5 3.5", dashdot: "8 3 1.5 3" };

const dashOf = (s) => DASHES[s.dash ?? (s.dashed ? "dashed" : "solid")];

// A marker of `shape` centred on (x, y): circle, square, triangle or diamond.
function marker(shape, x, y, r, attrs) {
  if (shape === "square") return svg("rect", { x: x - r, y: y - r, width: 2 * r, height: 2 * r, ...attrs });
  if (shape === "triangle" || shape === "diamond") {
    const points =
      shape === "triangle"
        ? [[x, y - r * 1.25], [x + r * 1.15, y + r * 0.85], [x - r * 1.15, y + r * 0.85]]
        : [[x, y - r * 1.3], [x + r * 1.3, y], [x, y + r * 1.3], [x - r * 1.3, y]];
    return svg("polygon", { points: points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" "), ...attrs });
  }
  return svg("circle", { cx: x, cy: y, r, ...attrs });
}

function lineSwatch(s) {
  return svg("svg", { width: 34, height: 12, "aria-hidden": "true" }, [
    svg("line", { x1: 1, y1: 6, x2: 33, y2: 6, stroke: s.colour, "stroke-width": 2.5, "stroke-dasharray": dashOf(s) }),
    s.marker ? marker(s.marker, 17, 6, 3.6, { fill: s.colour, stroke: "#fff", "stroke-width": 1 }) : null,
  ].filter(Boolean));
}

// The drawing area at `width` pixels: its size, and x(epoch) and y(value) in pixels.
function frameFor(width, epochs, [low, high], scale) {
  const height = Math.round(Math.min(280, Math.max(200, width * 0.55)));
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  return {
    width,
    height,
    plotW,
    plotH,
    x: (epoch) => MARGIN.left + (epochs === 1 ? plotW / 2 : ((epoch - 1) / (epochs - 1)) * plotW),
    y: (value) => {
      const at =
        scale === "log"
          ? Math.log10(Math.max(value, low) / low) / Math.log10(high / low)
          : (value - low) / (high - low);
      return MARGIN.top + plotH - Math.min(1, Math.max(0, at)) * plotH;
    },
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
  // The axis starts at epoch 1: name it, unless the next label sits too close.
  if (ticks[0] > 1 && x(ticks[0]) - x(1) >= 18) ticks.unshift(1);
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
  const dots = s.values.map((v, i) => {
    const dot = marker(s.marker ?? "circle", x(i + 1), y(v), 3.2, {
      class: "chart-point",
      fill: s.colour,
      "data-series": s.key,
      "data-epoch": i + 1,
      "data-value": v,
    });
    const title = t("Epoch {epoch}, {series}: {value}", { epoch: i + 1, series: s.name, value: format(v) });
    dot.append(svg("title", {}, [document.createTextNode(title)]));
    return dot;
  });
  return svg("g", { class: "chart-series", "data-series": s.key }, [
    svg("polyline", {
      points,
      fill: "none",
      stroke: s.colour,
      "stroke-width": 2,
      "stroke-dasharray": dashOf(s),
      "stroke-linejoin": "round",
    }),
    ...dots,
  ]);
}

function chartSvg(frame, { label, xLabel, yLabel, series, format, tickFormat, epochs, ticks, domain, scale }) {
  const { width, height } = frame;
  return svg(
    "svg",
    {
      class: "chart-svg", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label,
      "data-low": domain[0], "data-high": domain[1], "data-scale": scale, "data-epochs": epochs,
    },
    [
      ...valueTicks(frame, ticks, tickFormat ?? format),
      ...axisLines(frame),
      ...epochTicks(frame, epochs),
      ...axisTitles(frame, xLabel, yLabel),
      ...series.map((s) => seriesLine(frame, s, format)),
    ],
  );
}

/**
 * renderLineChart(container, {label, xLabel, yLabel, series: [{key, name, values, colour,
 * dash: "solid" | "dashed" | "dotted" | "dashdot", marker: "circle" | "square" | "triangle" |
 * "diamond"}], domain: [low, high] | null, scale: "linear" | "log", epochs, format(value) ->
 * text, tickFormat(value) -> text (the axis' labels; format by default)}) draws epochs
 * 1..epochs on x (by default the longest series). The svg's data-low, data-high, data-scale and
 * data-epochs name its axes. Redraws itself when its box changes width.
 */
export function renderLineChart(container, options) {
  const { series, format = String, scale = "linear" } = options;
  const epochs = Math.max(options.epochs ?? 1, ...series.map((s) => s.values.length));
  const all = series.flatMap((s) => s.values).filter((v) => v != null);
  let [low, high] = options.domain ?? [Math.min(...all), Math.max(...all)];
  if (!(high > low)) [low, high] = [low - 1, high + 1];
  const ticks = scale === "log" ? logTicks(low, high) : niceTicks(low, high);
  const chart = { ...options, format, epochs, ticks, scale, domain: [low, high] };
  const holder = el("div", { class: "chart-plot" });
  const legend = el(
    "ul",
    { class: "chart-legend" },
    series.map((s) => el("li", {}, [lineSwatch(s), ` ${s.name}`])),
  );
  container.replaceChildren(holder, legend);

  const paint = () => {
    const frame = frameFor(Math.max(260, holder.clientWidth || 460), epochs, [low, high], scale);
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
