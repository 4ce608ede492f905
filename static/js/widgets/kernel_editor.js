// The kernel editor: a preset picker with its one-line explanation, a size selector (1x1 to
// 7x7) and an editable grid. Choosing a preset fills the grid; editing switches to "Custom".
import { SIZES } from "../config.js";
import { el } from "../dom.js";
import { t } from "../i18n/index.js";
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

// The editor's page elements: the preset picker, its explanation, the size selectors, the grid's
// holder, the fixed Gy grid's holder and the legend, placed in root.
function buildControls(root, { presets, idPrefix, onResize }) {
  const presetSelect = el("select", { id: `${idPrefix}-preset` }, [
    el("option", { value: "", text: t("Custom (edit the cells)") }),
    ...presets.map((preset) => el("option", { value: preset.name, text: preset.label })),
  ]);
  const explanation = el("p", { class: "kernel-explanation", "aria-live": "polite" });
  const [rowsSelect, rowsLabel] = sizeSelect(`${idPrefix}-rows`, t("Rows"), onResize);
  const [colsSelect, colsLabel] = sizeSelect(`${idPrefix}-cols`, t("Columns"), onResize);
  const gridHolder = el("div", { class: "kernel-grid" });
  const gyHolder = el("div", { class: "kernel-gy", hidden: true }, [
    el("p", { class: "note", text: t("Gy, the second kernel of the magnitude (fixed):") }),
  ]);
  const legend = el("div");
  root.replaceChildren(
    el("div", { class: "field" }, [
      el("label", { for: presetSelect.id, text: t("Preset") }),
      presetSelect,
    ]),
    explanation,
    el("div", { class: "field-row" }, [rowsLabel, el("span", { text: "×", "aria-hidden": "true" }), colsLabel]),
    gridHolder,
    gyHolder,
    legend,
  );
  return { presetSelect, explanation, rowsSelect, colsSelect, gridHolder, gyHolder, legend };
}

// The functions below work on one editor context: its controls, grids, presets by name and state
// (the preset's name or null, the matrix, and the label of a loaded filter until it is edited).

function paint(editor, replace) {
  const { matrix, controls } = editor;
  const scale = scaleFor(flatValues(matrix));
  editor.grid.render(matrix, { scale, replace });
  renderLegend(controls.legend, scale, t("Weight colour"));
  controls.rowsSelect.value = String(matrix.length);
  controls.colsSelect.value = String(matrix[0].length);
}

function becomeCustom(editor, text) {
  if (editor.name === null && editor.loadedLabel === null) return;
  editor.name = null;
  editor.loadedLabel = null;
  editor.controls.presetSelect.value = "";
  editor.controls.explanation.textContent = text;
  editor.controls.gyHolder.hidden = true;
}

function choosePreset(editor, presetName) {
  const preset = editor.byName.get(presetName);
  if (!preset) {
    becomeCustom(editor, t("Your own kernel: type a weight into any cell."));
    return;
  }
  const { controls } = editor;
  editor.name = preset.name;
  editor.loadedLabel = null;
  editor.matrix = preset.matrix.map((row) => [...row]);
  controls.presetSelect.value = editor.name;
  controls.explanation.textContent = preset.explanation;
  controls.gyHolder.hidden = preset.combine !== "magnitude";
  if (preset.matrix_y) editor.gyGrid.render(preset.matrix_y, { scale: scaleFor(flatValues(preset.matrix_y)) });
  paint(editor, true);
}

function loadMatrix(editor, { matrix, label, note }) {
  editor.matrix = matrix.map((row) => [...row]);
  editor.loadedLabel = label ?? null;
  editor.controls.presetSelect.value = "";
  editor.controls.explanation.textContent = note ?? t("Your own kernel: type a weight into any cell.");
  paint(editor, true);
}

function resizeToSelects(editor) {
  const { rowsSelect, colsSelect } = editor.controls;
  editor.matrix = resize(editor.matrix, Number(rowsSelect.value), Number(colsSelect.value));
  becomeCustom(editor, t("You changed the size: it is now a custom kernel; new cells start at 0."));
  paint(editor, true);
}

function kernelValue(editor) {
  editor.grid.read();
  const { name, loadedLabel } = editor;
  // "custom kernel" is compared by kernel_lab/view_link.js: a value, not translated here.
  const label = name ? editor.byName.get(name).label : loadedLabel ?? "custom kernel";
  return { name, matrix: editor.matrix.map((row) => [...row]), label };
}

/**
 * createKernelEditor(root, {presets, initial: {name} | {matrix, label?, note?}, idPrefix,
 * onChange()}) returns {element, value() -> {name | null, matrix, label}}. A matrix with a label
 * (a filter loaded from a trained model) keeps that label, and shows the note, until edited.
 */
export function createKernelEditor(root, { presets, initial, idPrefix, onChange }) {
  // The caller reads value() when it runs: a cell that holds no number then says so on the grid.
  const changed = () => onChange?.();
  const controls = buildControls(root, {
    presets,
    idPrefix,
    onResize: () => {
      resizeToSelects(editor);
      changed();
    },
  });
  const editor = {
    controls,
    byName: new Map(presets.map((preset) => [preset.name, preset])),
    ...{ name: null, matrix: [[1]], loadedLabel: null },
  };
  editor.grid = createNumberGrid(controls.gridHolder, {
    label: t("Kernel weight"),
    editable: true,
    onEdit: (r, c, value) => {
      editor.matrix[r][c] = value;
      becomeCustom(editor, t("You edited the kernel: it is now a custom kernel."));
      paint(editor, false);
      changed();
    },
    onInvalid: changed,
  });
  editor.gyGrid = createNumberGrid(controls.gyHolder, { label: t("Gy weight") });
  controls.presetSelect.addEventListener("change", () => {
    choosePreset(editor, controls.presetSelect.value);
    changed();
  });

  if (initial.name) choosePreset(editor, initial.name);
  else loadMatrix(editor, initial);
  return {
    element: root,
    /** The kernel to send; throws a FieldError while a cell does not hold a number. */
    value: () => kernelValue(editor),
  };
}
