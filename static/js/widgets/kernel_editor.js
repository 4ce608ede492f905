// The kernel editor: a preset picker with its one-line explanation, a size selector (1x1 to
// 7x7) and an editable grid. Choosing a preset fills the grid; editing switches to "Custom".
import { SIZES } from "../config.js";
import { el } from "../dom.js";
import { flatValues, scaleFor } from "../render/colormap.js";
import { renderLegend } from "../render/legend.js";
import { createNumberGrid } from "../render/number_grid.js";

const sizeOptions = () =>
  Array.from({ length: SIZES.kernelMax - SIZES.kernelMin + 1 }, (_, i) => i + SIZES.kernelMin);

/** Resize keeping the old values centred (so an identity kernel stays an identity). */
function resize(matrix, rows, cols) {
  const dr = Math.floor((rows - matrix.length) / 2);
  const dc = Math.floor((cols - matrix[0].length) / 2);
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length: cols }, (_, c) => matrix[r - dr]?.[c - dc] ?? 0),
  );
}

function sizeSelect(id, label, onchange) {
  const select = el(
    "select",
    { id, onchange },
    sizeOptions().map((n) => el("option", { value: n, text: n })),
  );
  return [select, el("label", { for: id, class: "inline-field" }, [label, " ", select])];
}

/**
 * createKernelEditor(root, {presets, initial: {name} | {matrix, label?, note?}, idPrefix,
 * onChange(kernel)}) returns {value() -> {name | null, matrix, label}}. A matrix with a label
 * (a filter loaded from a trained model) keeps that label, and shows the note, until edited.
 */
export function createKernelEditor(root, { presets, initial, idPrefix, onChange }) {
  const byName = new Map(presets.map((preset) => [preset.name, preset]));
  let name = null;
  let matrix = [[1]];
  let loadedLabel = null;

  const presetSelect = el("select", { id: `${idPrefix}-preset` }, [
    el("option", { value: "", text: "Custom (edit the cells)" }),
    ...presets.map((preset) => el("option", { value: preset.name, text: preset.label })),
  ]);
  const explanation = el("p", { class: "kernel-explanation", "aria-live": "polite" });
  const [rowsSelect, rowsLabel] = sizeSelect(`${idPrefix}-rows`, "Rows", () => onResize());
  const [colsSelect, colsLabel] = sizeSelect(`${idPrefix}-cols`, "Columns", () => onResize());
  const gridHolder = el("div", { class: "kernel-grid" });
  const gyHolder = el("div", { class: "kernel-gy", hidden: true }, [
    el("p", { class: "note", text: "Gy, the second kernel of the magnitude (fixed):" }),
  ]);
  const legend = el("div");
  root.replaceChildren(
    el("div", { class: "field" }, [
      el("label", { for: presetSelect.id, text: "Preset" }),
      presetSelect,
    ]),
    explanation,
    el("div", { class: "field-row" }, [rowsLabel, el("span", { text: "×", "aria-hidden": "true" }), colsLabel]),
    gridHolder,
    gyHolder,
    legend,
  );
  const grid = createNumberGrid(gridHolder, {
    label: "Kernel weight",
    editable: true,
    onEdit: (r, c, value) => {
      matrix[r][c] = value;
      becomeCustom("You edited the kernel: it is now a custom kernel.");
      paint(false);
      onChange?.(api.value());
    },
  });
  const gyGrid = createNumberGrid(gyHolder, { label: "Gy weight" });

  function paint(replace) {
    const scale = scaleFor(flatValues(matrix));
    grid.render(matrix, { scale, replace });
    renderLegend(legend, scale, "Weight colour");
    rowsSelect.value = String(matrix.length);
    colsSelect.value = String(matrix[0].length);
  }

  function becomeCustom(text) {
    if (name === null && loadedLabel === null) return;
    name = null;
    loadedLabel = null;
    presetSelect.value = "";
    explanation.textContent = text;
    gyHolder.hidden = true;
  }

  function choosePreset(presetName) {
    const preset = byName.get(presetName);
    if (!preset) {
      becomeCustom("Your own kernel: type a weight into any cell.");
      return;
    }
    name = preset.name;
    loadedLabel = null;
    matrix = preset.matrix.map((row) => [...row]);
    presetSelect.value = name;
    explanation.textContent = preset.explanation;
    gyHolder.hidden = preset.combine !== "magnitude";
    if (preset.matrix_y) gyGrid.render(preset.matrix_y, { scale: scaleFor(flatValues(preset.matrix_y)) });
    paint(true);
  }

  function onResize() {
    matrix = resize(matrix, Number(rowsSelect.value), Number(colsSelect.value));
    becomeCustom("You changed the size: it is now a custom kernel; new cells start at 0.");
    paint(true);
    onChange?.(api.value());
  }

  presetSelect.addEventListener("change", () => {
    choosePreset(presetSelect.value);
    onChange?.(api.value());
  });

  const api = {
    /** The kernel to send; throws (naming the cell) while a cell does not hold a number. */
    value() {
      grid.read();
      const label = name ? byName.get(name).label : loadedLabel ?? "custom kernel";
      return { name, matrix: matrix.map((row) => [...row]), label };
    },
  };

  if (initial.name) choosePreset(initial.name);
  else {
    matrix = initial.matrix.map((row) => [...row]);
    loadedLabel = initial.label ?? null;
    presetSelect.value = "";
    explanation.textContent = initial.note ?? "Your own kernel: type a weight into any cell.";
    paint(true);
  }
  return api;
}
