// How one value of a convolution's feature map is computed, step by step as CNN Explainer shows
// it: for each input channel, the input window times the filter's weights, added up; then the
// bias; then the activation, which gives the value on the map. Previous / Next step through it,
// Play runs the steps one after another (and stops on the last).
import { el } from "../dom.js";
import { formatNumber } from "../format.js";
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
            if (value === null) return el("td", { class: "is-pad", title: "zero padding", text: "0" });
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

// One step per input channel, then the bias, then the activation.
function steps(calc, { layer, channel, at, source, inputMap }) {
  const windowScale = scaleFor(calc.channels.flatMap((c) => c.window.flat().filter((v) => v !== null)));
  const weightScale = scaleFor(calc.channels.flatMap((c) => c.kernel.flat()));
  let running = 0;
  const many = calc.channels.length > 1;
  const list = calc.channels.map((part) => {
    running += part.sum;
    const [kh, kw] = [part.kernel.length, part.kernel[0].length];
    const where = `rows ${part.top}–${part.top + kh - 1}, columns ${part.left}–${part.left + kw - 1}`;
    return {
      kind: "channel",
      title: many ? `${source} map ${part.channel} (of ${calc.channels.length})` : `The ${source} window`,
      body: [
        el("p", { class: "calc-words", text: `The ${kh} × ${kw} window of ${many ? `${source} map ${part.channel}` : `the ${source}`} at ${where}, times filter ${channel}'s weights${many ? ` for that map` : ""}, cell by cell, added up:` }),
        el("div", { class: "calc-product" }, [
          inputMap &&
            el("figure", {}, [
              windowPicture(inputMap(part.channel), part, `The window on ${many ? `${source} map ${part.channel}` : `the ${source}`}`),
              el("figcaption", { text: many ? `${source} map ${part.channel}` : source }),
            ]),
          el("figure", {}, [numbersTable(part.window, windowScale, `Input window, input map ${part.channel}`), el("figcaption", { text: "window" })]),
          el("span", { class: "calc-op", "aria-hidden": "true", text: "×" }),
          el("figure", {}, [numbersTable(part.kernel, weightScale, `Weights of filter ${channel}, input map ${part.channel}`), el("figcaption", { text: "weights" })]),
          el("span", { class: "calc-op", "aria-hidden": "true", text: "=" }),
          el("strong", { class: "calc-sum", dataset: { value: part.sum }, text: formatNumber(part.sum) }),
        ]),
        many ? el("p", { class: "calc-running", text: `Sum so far, maps 0–${part.channel}: ${formatNumber(running)}` }) : null,
      ],
    };
  });
  list.push({
    kind: "bias",
    title: "Add the bias",
    body: [
      el("p", { class: "calc-words", text: `Filter ${channel} has one bias, added once:` }),
      el("p", { class: "calc-equation", dataset: { role: "pre-activation", value: calc.total } }, [
        `${formatNumber(calc.total - calc.bias)} + (${formatNumber(calc.bias)}) = `,
        el("strong", { text: formatNumber(calc.total) }),
      ]),
    ],
  });
  list.push({
    kind: "activation",
    title: calc.activation.name === "no activation" ? "The value" : `Apply ${calc.activation.name}`,
    body: [
      el("p", { class: "calc-words", text: `${calc.activation.words}:` }),
      el("p", { class: "calc-equation", dataset: { role: "calc-value", value: calc.value } }, [
        `${calc.activation.name === "no activation" ? "" : `${calc.activation.name}(${formatNumber(calc.total)}) = `}`,
        el("strong", { text: formatNumber(calc.value) }),
      ]),
      el("p", { class: "calc-words", text: `That is the value of ${layer} map ${channel} at row ${at[0]}, column ${at[1]}.` }),
    ],
  });
  return list;
}

/**
 * renderCalculation(container, calc, {layer, channel, at, source, inputMap(c)}) draws the steps
 * of `calc` (from convolutionAt) with Previous / Play / Next; `source` names the layer's input
 * ("input", "pool1") and inputMap(c) gives its channel c as rows of values, drawn with the
 * window outlined. Returns {stop()} to end a running play.
 */
export function renderCalculation(container, calc, { layer, channel, at, source, inputMap }) {
  const all = steps(calc, { layer, channel, at, source, inputMap });
  let index = 0;
  let timer = null;
  const heading = el("h3", { class: "calc-heading", text: `How row ${at[0]}, column ${at[1]} is computed` });
  const summary = el("p", { class: "calc-summary", dataset: { role: "calc-summary", value: calc.value, total: calc.total } }, [
    `${calc.channels.length > 1 ? `${calc.channels.length} window sums` : "Window sum"} + bias = ${formatNumber(calc.total)}; `,
    `${calc.activation.name === "no activation" ? "value" : calc.activation.name} → ${formatNumber(calc.value)}`,
  ]);
  const counter = el("p", { class: "calc-counter", "aria-live": "polite" });
  const stage = el("div", { class: "calc-step" });
  const previous = el("button", { type: "button", class: "button button-quiet", text: "← Step back", dataset: { role: "calc-previous" } });
  const play = el("button", { type: "button", class: "button button-quiet", text: "Play", dataset: { role: "calc-play" } });
  const next = el("button", { type: "button", class: "button button-quiet", text: "Next step →", dataset: { role: "calc-next" } });

  const stop = () => {
    clearInterval(timer);
    timer = null;
    play.textContent = "Play";
    play.setAttribute("aria-pressed", "false");
  };
  const show = (i) => {
    index = Math.max(0, Math.min(all.length - 1, i));
    const step = all[index];
    stage.dataset.step = String(index);
    stage.dataset.kind = step.kind;
    stage.replaceChildren(el("h4", { text: step.title }), ...step.body.filter(Boolean));
    counter.textContent = `Step ${index + 1} of ${all.length}: ${step.title}`;
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
    play.textContent = "Pause";
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
