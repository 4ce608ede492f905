// "Dropout, seen": the course's picture of dropout. The same input run three times with every
// Dropout layer dropping units at 0, 0.2 and 0.4 (POST .../activations with dropout), side by
// side: each Dropout layer's units as small squares, the dropped ones greyed out, and the class
// probabilities of that pass. "Draw again" drops other units, so the probabilities wobble.
import { getDropoutPass } from "../api.js";
import { el, isAbort, latestOnly } from "../dom.js";
import { formatCount } from "../format.js";
import { t } from "../i18n/index.js";
import { createProbabilityBars } from "../render/probability_bars.js";

const RATES = [0, 0.2, 0.4];
const KEPT = "#2171b5"; // the sequential scale's dark blue: a unit that passes its value on
const DROPPED = "#c8ccd2"; // grey: a unit switched off for this pass
const CELL = 4; // canvas pixels per unit: a 3-pixel square and a 1-pixel gap, scaled up by CSS

const WHAT_IT_SHOWS = {
  0: () => t("Rate 0: nothing is dropped. This is how the network runs when it answers you."),
  0.2: () =>
    t(
      "Rate 0.2: about one unit in five is switched off at random (grey); the others are " +
        "scaled up by 1 / 0.8, so the next layer gets about as much in total.",
    ),
  0.4: () =>
    t(
      "Rate 0.4: two units in five are off; the answer rests on fewer units, so its " +
        "probabilities move more from one draw to the next.",
    ),
};

/** The names of a model's layers that drop units while training. */
export const dropoutLayers = (detail) => detail.summary.filter((row) => /Dropout/.test(row.type)).map((row) => row.name);

/** One Dropout layer's units as squares, row by row; dropped ones grey. */
function drawUnits(canvas, count, dropped) {
  const columns = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  canvas.width = columns * CELL;
  canvas.height = rows * CELL;
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const off = new Set(dropped);
  for (let unit = 0; unit < count; unit += 1) {
    context.fillStyle = off.has(unit) ? DROPPED : KEPT;
    context.fillRect((unit % columns) * CELL, Math.floor(unit / columns) * CELL, CELL - 1, CELL - 1);
  }
}

function column(rate) {
  const units = el("div", { class: "dropout-units" });
  const count = el("p", { class: "dropout-count" });
  const bars = el("div", { class: "dropout-bars" });
  const root = el("figure", { class: "dropout-column", dataset: { rate: String(rate) } }, [
    el("figcaption", { class: "dropout-rate", text: t("Rate {rate}", { rate }) }),
    units,
    count,
    bars,
  ]);
  return { root, units, count, bars: createProbabilityBars(bars, { label: t("Probabilities with rate {rate}", { rate }) }) };
}

function showPass(view, answer, rows) {
  const byName = new Map(answer.layers.map((layer) => [layer.name, layer]));
  let total = 0;
  let off = 0;
  view.units.replaceChildren(
    ...rows.map((name) => {
      const layer = byName.get(name);
      const count = layer.shape.reduce((a, b) => a * b, 1);
      const dropped = layer.dropped ?? [];
      total += count;
      off += dropped.length;
      const canvas = el("canvas", {
        class: "dropout-grid",
        role: "img",
        "aria-label": t("{layer}: {dropped} of {count} units dropped", { layer: name, dropped: dropped.length, count }),
      });
      drawUnits(canvas, count, dropped);
      return el("div", { class: "dropout-layer", dataset: { layer: name, dropped: dropped.length } }, [
        canvas,
        rows.length > 1 ? el("span", { class: "note", text: name }) : null,
      ]);
    }),
  );
  view.count.textContent = t("{dropped} of {count} units dropped", { dropped: formatCount(off), count: formatCount(total) });
  // Names given by people (not digits) get a line of their own above each bar.
  view.root.classList.toggle("has-names", answer.classes.some((name) => name.length > 2));
  view.bars.render(answer.classes, answer.probabilities);
  Object.assign(view.root.dataset, { dropped: String(off), seed: String(answer.dropout?.seed ?? "") });
}

/**
 * createDropoutPanel(section, root) -> {follow({detail, image}), clear()}. The section is shown
 * only for models with Dropout layers; follow runs the three passes for the current input.
 */
export function createDropoutPanel(section, root) {
  const again = el("button", { type: "button", class: "button", text: t("Draw again"), dataset: { role: "draw-again" } });
  const message = el("p", { class: "dropout-message", role: "status", "aria-live": "polite" });
  const views = RATES.map(column);
  root.replaceChildren(
    el("div", { class: "dropout-columns" }, views.map((view) => view.root)),
    el("ul", { class: "dropout-sentences" }, RATES.map((rate) => el("li", { text: WHAT_IT_SHOWS[rate]() }))),
    el("div", { class: "button-row" }, [again]),
    el("p", {
      class: "note",
      text: t("“Draw again” drops other units at random: the bars wobble. In training a new draw is made for every batch, so no unit can be relied on alone."),
    }),
    message,
  );
  const job = latestOnly();
  const state = { detail: null, image: null, layers: [] };
  const setStatus = (status, text = "") => {
    root.dataset.status = status;
    root.setAttribute("aria-busy", String(status === "busy"));
    message.textContent = text;
    message.dataset.state = status;
  };
  setStatus("idle");

  async function run() {
    const { detail, image, layers } = state;
    if (!image || !layers.length) return;
    const signal = job.start();
    again.disabled = true;
    setStatus("busy", t("Running your input three times, dropping units at random…"));
    try {
      const answers = await Promise.all(
        RATES.map((rate) => getDropoutPass(detail.id, image, { rate, layers: layers.join(",") }, signal)),
      );
      if (signal.aborted) return;
      answers.forEach((answer, i) => showPass(views[i], answer, layers));
      root.dataset.renders = String(Number(root.dataset.renders ?? 0) + 1);
      setStatus("ready");
    } catch (error) {
      if (isAbort(error) || signal.aborted) return;
      setStatus("error", error.message);
    } finally {
      if (!signal.aborted) again.disabled = false;
    }
  }

  again.addEventListener("click", run);

  return {
    follow({ detail, image }) {
      state.detail = detail;
      state.layers = dropoutLayers(detail);
      section.hidden = !state.layers.length;
      state.image = image;
      if (state.layers.length) run();
      else job.abort();
    },
    /** A model shown without an input: the section shows only if it has Dropout layers. */
    useModel(detail) {
      section.hidden = !dropoutLayers(detail).length;
      if (state.detail?.id !== detail.id) {
        job.abort();
        state.image = null;
        setStatus("idle", t("Pick an input to see it run with dropout."));
      }
    },
  };
}
