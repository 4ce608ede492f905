// What the enlarged map's dialog shows beside the map about the selected cell: the part of the
// input it depends on (its receptive field, outlined on a copy of the input picture) and, for a
// convolution, how its value was computed from the numbers of the layer's input.
import { el } from "../dom.js";
import { t } from "../i18n/index.js";
import { placeBox } from "../render/marker.js";
import { renderCalculation } from "./calc_view.js";
import { convolutionAt } from "./conv_math.js";
import { fieldOf } from "./receptive_field.js";

/** Put `box` over `field` (clipped) of an H x W picture, with the rows and columns as data. */
export function placeField(box, field, [height, width]) {
  if (!field) {
    box.hidden = true;
    for (const key of ["top", "bottom", "left", "right"]) delete box.dataset[key];
    return;
  }
  const { top, bottom, left, right } = field.clipped;
  placeBox(box, { width, height }, { top, left, height: bottom - top + 1, width: right - left + 1 });
  Object.assign(box.dataset, { top, bottom, left, right });
}

/** The layer's input as a function (channel, row, col) -> value, or null when not at hand. */
export function layerInput(detail, activations, layerName) {
  const at = detail.summary.findIndex((row) => row.name === layerName);
  if (at < 0) return null;
  if (at === 0) {
    const numbers = activations.model_input;
    if (!numbers) return null;
    return (c, r, k) => {
      const value = numbers[r]?.[k];
      return Array.isArray(value) ? value[c] : c === 0 ? value : undefined;
    };
  }
  const before = activations.layers.find((layer) => layer.name === detail.summary[at - 1].name);
  if (!before?.maps) return null;
  return (c, r, k) => before.maps[c]?.[r]?.[k];
}

function fieldBlock(field, { detail, activations }) {
  const [height, width] = detail.input_shape;
  const copy = el("img", {
    class: "field-picture",
    src: `data:image/png;base64,${activations.input_picture}`,
    alt: t("The {height} × {width} input, with the receptive field outlined", { height, width }),
  });
  const box = el("div", { class: "field-box", dataset: { role: "detail-field" } });
  const stage = el("div", { class: "field-stage" }, [copy, box]);
  placeField(box, field, detail.input_shape);
  const size = `${field.bottom - field.top + 1} × ${field.right - field.left + 1}`;
  const padded = ["top", "bottom", "left", "right"].some((side) => field.clipped[side] !== field[side]);
  return el("div", { class: "field-block" }, [
    stage,
    el("p", {
      class: "note",
      text: padded
        ? t("This value depends only on input rows {top}–{bottom}, columns {left}–{right}: its receptive field, {size} pixels counting the zero padding around the picture.", { ...field.clipped, size })
        : t("This value depends only on input rows {top}–{bottom}, columns {left}–{right}: its receptive field, {size} pixels.", { ...field.clipped, size }),
    }),
  ]);
}

/**
 * showMapDetail(panel, {detail, activations, filters, row, channel, at}) fills the
 * dialog's panel for the cell `at` of map `channel` of layer `row`; returns {stop()} or null
 * when there is nothing to show.
 */
export function showMapDetail(panel, { detail, activations, filters, row, channel, at }) {
  const field = fieldOf(detail.summary, row.name, at[0], at[1], detail.input_shape);
  const input = filters && layerInput(detail, activations, row.name);
  const calc = input && convolutionAt({ row, input, filters, channel, at });
  if (!field && !calc) return null;
  const calcHolder = el("div", { class: "calc", dataset: { role: "calc" } });
  panel.replaceChildren(...[field && fieldBlock(field, { detail, activations }), calc && calcHolder].filter(Boolean));
  if (!calc) return { stop() {} };
  const [height, width] = row.input_shape;
  const inputMap = (c) =>
    Array.from({ length: height }, (_, r) => Array.from({ length: width }, (_, k) => input(c, r, k)));
  const index = detail.summary.findIndex((r) => r.name === row.name);
  const source = index > 0 ? detail.summary[index - 1].name : null; // null: the model's input
  return renderCalculation(calcHolder, calc, { layer: row.name, channel, at, source, inputMap });
}
