// Deep stacks folded by stage: consecutive layers whose names share their first part (ResNet's
// conv2_block1_add ... conv2_block3_out are stage conv2, VGG's block1_conv1 ... block1_pool are
// block1) form one collapsible group, summed up in one line (its layers, its output shape, its
// parameters) and opened to edit its cards. Layers without such a name stay on their own.
import { el } from "../dom.js";
import { formatCount, formatShape } from "../format.js";
import { t } from "../i18n/index.js";
import { quizMask } from "./quiz_mask.js";

/** "conv2" for conv2_block1_add, "block1" for block1_conv1, null for fc1 or an unnamed layer. */
export function stageKey(layer) {
  const name = layer.name ?? "";
  return name.includes("_") ? name.split("_")[0] : null;
}

/** Runs of two or more consecutive layers of one stage: [{key, start, end}] (end included). */
export function stagesOf(layers) {
  const stages = [];
  let start = 0;
  for (let i = 1; i <= layers.length; i++) {
    const key = stageKey(layers[start]);
    if (i < layers.length && key !== null && stageKey(layers[i]) === key) continue;
    if (key !== null && i - start >= 2) stages.push({ key, start, end: i - 1 });
    start = i;
  }
  return stages;
}

/**
 * A stage's <li>: a <details> (open when `open`) whose summary names the stage and whose list
 * holds `cards`. data-first and data-last are the locations of its first and last layer.
 */
export function stageItem(stage, cards, { open, onToggle }) {
  const details = el("details", { class: "stage", open }, [
    el("summary", { class: "stage-summary" }, [
      el("span", { class: "layer-location", text: `[${stage.start + 1}]–[${stage.end + 1}]` }),
      el("strong", { class: "stage-name", text: stage.key }),
      el("span", { class: "stage-result" }),
    ]),
    el("ol", { class: "stack-list stage-list" }, cards),
  ]);
  details.addEventListener("toggle", () => onToggle(details.open));
  return el("li", {
    class: "stage-group",
    dataset: {
      stage: stage.key,
      first: `layers[${stage.start + 1}]`,
      last: `layers[${stage.end + 1}]`,
    },
  }, [details]);
}

const topIndex = (location) => Number(location.match(/^layers\[(\d+)\]/)[1]);

/**
 * Write each stage's line from the summary rows: "12 layers → 56 × 56 × 256 · 215,808 params"
 * (branches' layers counted in), hiding what an open quiz question would give away.
 * data-layers and data-params hold the numbers (empty while hidden).
 */
export function showStageRows(root, rows, hide) {
  const mask = quizMask(rows, hide);
  for (const item of root.querySelectorAll(".stage-group")) {
    const first = topIndex(item.dataset.first);
    const last = topIndex(item.dataset.last);
    const inside = rows.filter((row) => row.location !== "layers[0]" && topIndex(row.location) >= first && topIndex(row.location) <= last);
    const end = inside.find((row) => row.location === item.dataset.last);
    const output = item.querySelector(".stage-result");
    if (!end) {
      output.textContent = "";
      continue;
    }
    const hidden = (column) => inside.some((row) => mask.asked(row, column) || mask.masked(row, column));
    const params = inside.reduce((sum, row) => sum + row.params, 0);
    const paramsHidden = hidden("params");
    const shape = hidden("shape") && (mask.asked(end, "shape") || mask.masked(end, "shape")) ? "?" : formatShape(end.output_shape);
    item.dataset.layers = String(inside.length);
    item.dataset.params = paramsHidden ? "" : String(params);
    output.textContent = t("{layers} layers → {shape} · {params} params", {
      layers: inside.length,
      shape,
      params: paramsHidden ? "?" : formatCount(params),
    });
  }
}
