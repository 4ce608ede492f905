// The input the network read, as the first card of the network: the server's picture of the
// model's input (`input_picture`, drawn pixelated at a readable size), its numbers under the
// pointer when the answer carries them (`model_input`), and the preprocessing steps in words.
// A box over the picture (data-role="input-field") outlines the receptive field of whatever
// feature-map cell the learner points at further down.
import { el } from "../dom.js";
import { formatNumber, formatShape } from "../format.js";
import { t } from "../i18n/index.js";
import { cellPx, watchCells } from "../render/feature_maps.js";
import { decodeImage, drawImage } from "../render/raster.js";

const INPUT_TARGET_PX = 140; // small inputs are scaled up by a whole factor to about this width

/** The value(s) of one input cell: a number for one channel, [r, g, b] for three. */
const cellText = (value) =>
  Array.isArray(value) ? `[${value.map((v) => formatNumber(v)).join(", ")}]` : formatNumber(value);

function explainInput(shape, preprocessing) {
  const [h, w, c] = shape;
  if (preprocessing.kind === "digit") {
    return t(
      "What the network reads: {h} × {w} numbers from 0 (black) to 1 (white), made from " +
        "your picture the way MNIST's digits were made.",
      { h, w },
    );
  }
  const [low, high] = preprocessing.value_range.map((v) => formatNumber(v));
  const params = { h, w, c, low, high, fit: preprocessing.fit, scale: preprocessing.scale };
  return c === 1
    ? t(
        "What the network reads: {h} × {w} × {c} numbers (a grey picture), made from your " +
          "photo with fit “{fit}” and scale “{scale}”: values from " +
          "{low} to {high}. The picture shows them turned back into 0..255 pixels.",
        params,
      )
    : t(
        "What the network reads: {h} × {w} × {c} numbers (a colour picture), made from your " +
          "photo with fit “{fit}” and scale “{scale}”: values from " +
          "{low} to {high}. The picture shows them turned back into 0..255 pixels.",
        params,
      );
}

/**
 * inputSection(answer, shape, readoutLine, report) -> the input card for a predict or
 * activations answer; shape is the model's [H, W, C].
 */
export function inputSection(answer, shape, { readoutLine, report }) {
  const [rows, cols] = shape;
  const readout = readoutLine("input");
  const numbers = answer.model_input;
  readout.dataset.hint = numbers
    ? t("Point at the input to read a pixel's value.")
    : t("Point at the input to find a pixel (this input is too big to send its numbers).");
  readout.textContent = readout.dataset.hint;
  const px = cellPx(Math.max(rows, cols), INPUT_TARGET_PX);
  const canvas = el("canvas", {
    class: "input-canvas",
    role: "img",
    style: `width: ${cols * px}px; aspect-ratio: ${cols} / ${rows}`,
    dataset: { role: "input-picture" },
    "aria-label": t("The {shape} input the network read", { shape: formatShape(shape) }),
  });
  canvas.width = cols;
  canvas.height = rows;
  decodeImage(answer.input_picture).then((bitmap) => {
    drawImage(canvas, bitmap);
    canvas.dataset.drawn = "true";
  });
  watchCells(canvas, rows, cols, (pos) => {
    if (!pos) return report(readout, null);
    const [row, col] = pos;
    const value = numbers?.[row]?.[col];
    const text =
      value === undefined
        ? t("Pixel row {row}, column {col}", { row, col })
        : t("Pixel row {row}, column {col}: {value}", { row, col, value: cellText(value) });
    return report(readout, text, { row, col, value: value === undefined ? "" : String(value) });
  });
  const notes = el("details", { class: "input-notes", open: answer.preprocessing.kind === "image" }, [
    el("summary", { text: t("How the picture became this input") }),
    el("ol", {}, answer.preprocessing.notes.map((note) => el("li", { text: note }))),
  ]);
  return el("section", { class: "layer", dataset: { layer: "input" }, "aria-label": t("The input") }, [
    el("div", { class: "layer-head" }, [
      el("h3", {}, [el("code", { text: "input" })]),
      el("span", { class: "layer-shape", text: formatShape(shape) }),
    ]),
    el("p", { class: "layer-explain", text: explainInput(shape, answer.preprocessing) }),
    el("div", { class: "input-body" }, [
      el("div", { class: "field-stage" }, [
        canvas,
        el("div", { class: "field-box", dataset: { role: "input-field" }, hidden: true }),
      ]),
      notes,
    ]),
    readout,
  ]);
}
