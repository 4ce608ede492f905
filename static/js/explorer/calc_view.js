// How one value of a convolution's feature map is computed, step by step as CNN Explainer shows
// it: for each input channel, the input window times the filter's weights, added up; then the
// bias; then the activation, which gives the value on the map. Previous / Next step through it,
// Play runs the steps one after another (and stops on the last).
import { el } from "../dom.js";
import { formatNumber } from "../format.js";
import { t } from "../i18n/index.js";
import { scaleFor } from "../render/colormap.js";
import { placeBox } from "../render/marker.js";
import { drawHeatmap } from "../render/raster.js";

const STEP_MS = 1400;

/** A small table of numbers, each cell coloured by `scale`; null cells are zero padding. */
function numbersTable(values, scale, label) {
  return el("table", { class: "calc-grid", "aria-label": label }, [
    el(
      "tbody",
      {},
      values.map((row) =>
        el(
          "tr",
          {},
          row.map((value) => {
            if (value === null) return el("td", { class: "is-pad", title: t("zero padding"), text: "0" });
            const colour = scale.colour(value);
            return el("td", { style: `background: ${colour.background}; color: ${colour.text}`, text: formatNumber(value, 2) });
          }),
        ),
      ),
    ),
  ]);
}

/** The whole input map with the window outlined: where the numbers below come from. */
function windowPicture(values, part, label) {
  const [rows, cols] = [values.length, values[0].length];
  const canvas = el("canvas", { class: "calc-map", role: "img", "aria-label": label });
  drawHeatmap(canvas, values, scaleFor(values.flat()));
  const box = el("div", { class: "field-box" });
  const [kh, kw] = [part.kernel.length, part.kernel[0].length];
  placeBox(box, { width: cols, height: rows }, { top: part.top, left: part.left, height: kh, width: kw });
  const px = Math.max(1, Math.round(96 / Math.max(rows, cols)));
  canvas.style.width = `${cols * px}px`;
  return el("div", { class: "field-stage calc-map-stage" }, [canvas, box]);
}

// Where the numbers of one step come from, in words: `source` is the layer's input layer, or
// null for the model's input; `many` when the input has several maps (channels).
function windowWords({ source, many, map, filter, kh, kw, where }) {
  const params = { source, map, filter, kh, kw, ...where };
  if (many) {
    return source === null
      ? t("The {kh} × {kw} window of input map {map} at rows {top}–{bottom}, columns {left}–{right}, times filter {filter}'s weights for that map, cell by cell, added up:", params)
      : t("The {kh} × {kw} window of {source} map {map} at rows {top}–{bottom}, columns {left}–{right}, times filter {filter}'s weights for that map, cell by cell, added up:", params);
  }
  return source === null
    ? t("The {kh} × {kw} window of the input at rows {top}–{bottom}, columns {left}–{right}, times filter {filter}'s weights, cell by cell, added up:", params)
    : t("The {kh} × {kw} window of the {source} at rows {top}–{bottom}, columns {left}–{right}, times filter {filter}'s weights, cell by cell, added up:", params);
}

function stepTitle({ source, many, map, count }) {
  if (many) {
    return source === null
      ? t("input map {map} (of {count})", { map, count })
      : t("{source} map {map} (of {count})", { source, map, count });
  }
  return source === null ? t("The input window") : t("The {source} window", { source });
}

function pictureLabel({ source, many, map }) {
  if (many) {
    return source === null
      ? t("The window on input map {map}", { map })
      : t("The window on {source} map {map}", { source, map });
  }
  return source === null ? t("The window on the input") : t("The window on the {source}", { source });
}

function pictureCaption({ source, many, map }) {
  if (many) return source === null ? t("input map {map}", { map }) : t("{source} map {map}", { source, map });
  return source === null ? t("input") : source;
}

// One step per input channel, then the bias, then the activation.
function steps(calc, { layer, channel, at, source, inputMap }) {
  const windowScale = scaleFor(calc.channels.flatMap((c) => c.window.flat().filter((v) => v !== null)));
  const weightScale = scaleFor(calc.channels.flatMap((c) => c.kernel.flat()));
  let running = 0;
  const many = calc.channels.length > 1;
  const list = calc.channels.map((part) => {
    running += part.sum;
    const [kh, kw] = [part.kernel.length, part.kernel[0].length];
    const where = { top: part.top, bottom: part.top + kh - 1, left: part.left, right: part.left + kw - 1 };
    const names = { source, many, map: part.channel };
    return {
      kind: "channel",
      title: stepTitle({ ...names, count: calc.channels.length }),
      body: [
        el("p", { class: "calc-words", text: windowWords({ ...names, filter: channel, kh, kw, where }) }),
        el("div", { class: "calc-product" }, [
          inputMap &&
            el("figure", {}, [
              windowPicture(inputMap(part.channel), part, pictureLabel(names)),
              el("figcaption", { text: pictureCaption(names) }),
            ]),
          el("figure", {}, [
            numbersTable(part.window, windowScale, t("Input window, input map {map}", { map: part.channel })),
            el("figcaption", { text: t("window") }),
          ]),
          el("span", { class: "calc-op", "aria-hidden": "true", text: "×" }),
          el("figure", {}, [
            numbersTable(part.kernel, weightScale, t("Weights of filter {filter}, input map {map}", { filter: channel, map: part.channel })),
            el("figcaption", { text: t("weights") }),
          ]),
          el("span", { class: "calc-op", "aria-hidden": "true", text: "=" }),
          el("strong", { class: "calc-sum", dataset: { value: part.sum }, text: formatNumber(part.sum) }),
        ]),
        many
          ? el("p", { class: "calc-running", text: t("Sum so far, maps 0–{map}: {sum}", { map: part.channel, sum: formatNumber(running) }) })
          : null,
      ],
    };
  });
  list.push({
    kind: "bias",
    title: t("Add the bias"),
    body: [
      el("p", { class: "calc-words", text: t("Filter {filter} has one bias, added once:", { filter: channel }) }),
      el("p", { class: "calc-equation", dataset: { role: "pre-activation", value: calc.total } }, [
        `${formatNumber(calc.total - calc.bias)} + (${formatNumber(calc.bias)}) = `,
        el("strong", { text: formatNumber(calc.total) }),
      ]),
    ],
  });
  const none = calc.activation.name === "no activation";
  list.push({
    kind: "activation",
    title: none ? t("The value") : t("Apply {activation}", { activation: calc.activation.name }),
    body: [
      el("p", { class: "calc-words", text: `${calc.activation.words()}:` }),
      el("p", { class: "calc-equation", dataset: { role: "calc-value", value: calc.value } }, [
        `${none ? "" : `${calc.activation.name}(${formatNumber(calc.total)}) = `}`,
        el("strong", { text: formatNumber(calc.value) }),
      ]),
      el("p", {
        class: "calc-words",
        text: t("That is the value of {layer} map {channel} at row {row}, column {col}.", { layer, channel, row: at[0], col: at[1] }),
      }),
    ],
  });
  return list;
}

/** "Window sum + bias = 0.41; ReLU → 0.41", for one input map or several. */
function summaryWords(calc) {
  const params = { count: calc.channels.length, total: formatNumber(calc.total), activation: calc.activation.name, value: formatNumber(calc.value) };
  const none = calc.activation.name === "no activation";
  if (calc.channels.length > 1) {
    return none
      ? t("{count} window sums + bias = {total}; value → {value}", params)
      : t("{count} window sums + bias = {total}; {activation} → {value}", params);
  }
  return none ? t("Window sum + bias = {total}; value → {value}", params) : t("Window sum + bias = {total}; {activation} → {value}", params);
}

/**
 * renderCalculation(container, calc, {layer, channel, at, source, inputMap(c)}) draws the steps
 * of `calc` (from convolutionAt) with Previous / Play / Next; `source` names the layer's input
 * ("pool1"; null for the model's input) and inputMap(c) gives its channel c as rows of values, drawn with the
 * window outlined. Returns {stop()} to end a running play.
 */
export function renderCalculation(container, calc, { layer, channel, at, source, inputMap }) {
  const all = steps(calc, { layer, channel, at, source, inputMap });
  let index = 0;
  let timer = null;
  const heading = el("h3", { class: "calc-heading", text: t("How row {row}, column {col} is computed", { row: at[0], col: at[1] }) });
  const summary = el("p", {
    class: "calc-summary",
    dataset: { role: "calc-summary", value: calc.value, total: calc.total },
    text: summaryWords(calc),
  });
  const counter = el("p", { class: "calc-counter", "aria-live": "polite" });
  const stage = el("div", { class: "calc-step" });
  const previous = el("button", { type: "button", class: "button button-quiet", text: t("← Step back"), dataset: { role: "calc-previous" } });
  const play = el("button", { type: "button", class: "button button-quiet", text: t("Play"), dataset: { role: "calc-play" } });
  const next = el("button", { type: "button", class: "button button-quiet", text: t("Next step →"), dataset: { role: "calc-next" } });

  const stop = () => {
    clearInterval(timer);
    timer = null;
    play.textContent = t("Play");
    play.setAttribute("aria-pressed", "false");
  };
  const show = (i) => {
    index = Math.max(0, Math.min(all.length - 1, i));
    const step = all[index];
    stage.dataset.step = String(index);
    stage.dataset.kind = step.kind;
    stage.replaceChildren(el("h4", { text: step.title }), ...step.body.filter(Boolean));
    counter.textContent = t("Step {number} of {count}: {title}", { number: index + 1, count: all.length, title: step.title });
    previous.disabled = index === 0;
    next.disabled = index === all.length - 1;
    if (index === all.length - 1) stop();
  };
  previous.addEventListener("click", () => {
    stop();
    show(index - 1);
  });
  next.addEventListener("click", () => {
    stop();
    show(index + 1);
  });
  play.addEventListener("click", () => {
    if (timer) return stop();
    if (index === all.length - 1) show(0);
    play.textContent = t("Pause");
    play.setAttribute("aria-pressed", "true");
    timer = setInterval(() => show(index + 1), STEP_MS);
  });
  container.replaceChildren(
    heading,
    summary,
    el("div", { class: "button-row calc-controls" }, [previous, play, next]),
    counter,
    stage,
  );
  container.dataset.steps = String(all.length);
  show(0);
  return { stop };
}
