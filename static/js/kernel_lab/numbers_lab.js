// The numbers half of the Kernel lab: a small editable grid convolved via /api/convolve/matrix,
// with the window stepped across it one output position at a time, and pooling of the output.
import { convolveMatrix, poolMatrix } from "../api.js";
import { DEFAULTS, SIZES, TIMING } from "../config.js";
import { byId, debounce, el, isAbort, latestOnly } from "../dom.js";
import { formatNumber, formatPosition, formatSize } from "../format.js";
import { t } from "../i18n/index.js";
import { flatValues, scaleFor } from "../render/colormap.js";
import { renderLegend } from "../render/legend.js";
import { createNumberGrid } from "../render/number_grid.js";
import { renderOutputSize } from "../render/size_view.js";
import { renderTrace } from "../render/trace_view.js";
import { clearFieldErrors, showFieldError } from "../widgets/field_errors.js";
import { createKernelEditor } from "../widgets/kernel_editor.js";
import { renderPooled, showPooled } from "./numbers_pool.js";
import { convEntries, poolButtons, readConv, readPool, setConv, setPool, watchForm } from "./params.js";
import { createPlayer } from "./player.js";
import { kernelEntries, poolEntries } from "./view_link.js";

const copy = (matrix) => matrix.map((row) => [...row]);

function resizeGrid(matrix, rows, cols) {
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length: cols }, (_, c) => matrix[r]?.[c] ?? 0),
  );
}

/**
 * `view`: what a link asks for (view_link.js readViewLink); `onViewChange()` is called whenever
 * what the link would say changes. Returns {start(), linkEntries(), pause()}.
 */
export function createNumbersLab({ presets, status, view = {}, onViewChange = () => {} }) {
  const panel = byId("numbers-result");
  const paramsForm = byId("numbers-params");
  const poolForm = byId("numbers-pool-params");
  const [rowsSelect, colsSelect] = [byId("numbers-rows"), byId("numbers-cols")];
  const buttons = { back: byId("numbers-back"), step: byId("numbers-step"), reset: byId("numbers-reset") };
  const reveal = byId("numbers-reveal");
  const state = {
    input: copy(view.input ?? DEFAULTS.numbersInput),
    ...{ index: 0, result: null, pooling: Boolean(view.pool), pendingPixel: view.pixel ?? null },
  };
  // What the module's functions below share: the page's elements, the state and the widgets.
  const lab = {
    ...{ panel, paramsForm, poolForm, rowsSelect, colsSelect, buttons, reveal, state, status },
    job: latestOnly(),
    poolJob: latestOnly(),
    onViewChange,
  };
  const refresh = debounce(() => update(lab, true), TIMING.paramsDebounceMs);

  lab.kernel = createKernelEditor(byId("numbers-kernel"), {
    presets,
    initial: view.kernel ?? { matrix: DEFAULTS.numbersKernel },
    idPrefix: "numbers-kernel",
    onChange: refresh,
  });
  lab.inputGrid = createNumberGrid(byId("numbers-input"), {
    label: t("Input"),
    editable: true,
    onEdit: () => {
      state.input = lab.inputGrid.problem() ? state.input : lab.inputGrid.read();
      refresh();
    },
    onInvalid: () => refresh(),
  });
  lab.outputGrid = createNumberGrid(byId("numbers-output"), {
    label: t("Output"),
    onSelect: (r, c) => goTo(lab, r * state.result.output_shape[1] + c),
  });
  lab.pooledGrid = createNumberGrid(byId("numbers-pooled"), { label: t("Pooled") });
  lab.pooling = poolButtons(byId("numbers-pool"), {
    onPool: () => {
      state.pooling = true;
      runPool(lab);
    },
    onStop: () => {
      state.pooling = false;
      state.pooled = null;
      byId("numbers-pool-result").hidden = true;
      lab.outputGrid.highlight("winner", []);
      lab.pooling.setActive(false);
      onViewChange();
    },
  });
  const player = createPlayer(panel, {
    live: byId("numbers-position"),
    onStep() {
      if (!total(state)) return false;
      goTo(lab, (state.index + 1) % total(state));
      return true;
    },
  });
  setConv(paramsForm, view.conv ?? {});
  if (view.pool) setPool(poolForm, view.pool);
  reveal.checked = Boolean(view.fill);

  for (const select of [rowsSelect, colsSelect]) {
    for (let n = SIZES.numbersMin; n <= SIZES.numbersMax; n++) {
      select.append(el("option", { value: n, text: n }));
    }
    select.addEventListener("change", () => {
      state.input = resizeGrid(state.input, Number(rowsSelect.value), Number(colsSelect.value));
      update(lab, true, true);
    });
  }
  byId("numbers-example").addEventListener("click", () => {
    state.input = copy(DEFAULTS.numbersInput);
    update(lab, true, true);
  });
  buttons.step.addEventListener("click", () => goTo(lab, state.index + 1));
  buttons.back.addEventListener("click", () => goTo(lab, state.index - 1));
  buttons.reset.addEventListener("click", () => goTo(lab, 0));
  reveal.addEventListener("change", () => {
    if (state.result) render(lab, state.result);
    onViewChange();
  });
  watchForm(paramsForm, refresh);
  watchForm(poolForm, () => state.pooling && runPool(lab));

  return {
    start: () => update(lab, true, true),
    linkEntries: () => linkEntries(lab),
    pause: () => player.pause(),
  };
}

const sameGrid = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** What a link to this view says (view_link.js), defaults left out. */
function linkEntries(lab) {
  const { state } = lab;
  const kernel = lab.lastKernel ?? { matrix: DEFAULTS.numbersKernel };
  const isDefault = !kernel.name && sameGrid(kernel.matrix, DEFAULTS.numbersKernel);
  let pool = null;
  try {
    pool = state.pooling ? readPool(lab.poolForm) : null;
  } catch {
    pool = null; // a pool field being edited: the link keeps pooling off until it can be read
  }
  const pos = state.result && total(state) ? positionOf(state, state.index) : null;
  return [
    ["tab", "numbers"],
    ...(isDefault ? [] : kernelEntries(kernel, null)),
    ...convEntries(lab.paramsForm),
    ["input", sameGrid(state.input, DEFAULTS.numbersInput) ? null : JSON.stringify(state.input)],
    ...poolEntries(pool),
    ["pixel", pos && state.index > 0 ? pos.join(",") : null],
    ["fill", lab.reveal.checked ? "1" : null],
  ];
}

const total = (state) =>
  state.result ? state.result.output_shape[0] * state.result.output_shape[1] : 0;

function positionOf(state, index) {
  const cols = state.result.output_shape[1];
  return [Math.floor(index / cols), index % cols];
}

function goTo(lab, index) {
  const { state } = lab;
  if (!state.result) return;
  state.index = Math.max(0, Math.min(total(state) - 1, index));
  update(lab, false);
}

/** read() the settings, or null with the reason shown on the field that cannot be read. */
function readFields(lab, read) {
  clearFieldErrors(lab.paramsForm, lab.kernel.element, lab.poolForm, byId("numbers-input"));
  try {
    return read();
  } catch (error) {
    if (error.name !== "FieldError") throw error;
    showFieldError(error);
    lab.panel.dataset.status = "invalid";
    lab.status.clearError();
    lab.status.done(t("Waiting for a value that can be used: fix the field marked in red."));
    return null;
  }
}

/** Convolve; when the parameters or input changed, first learn the new output shape. */
async function update(lab, changed, replaceInput = false) {
  const { state, panel, status } = lab;
  const conv = readFields(lab, () => {
    const problem = replaceInput ? null : lab.inputGrid.problem();
    if (problem) throw problem;
    lab.lastKernel = lab.kernel.value();
    return readConv(lab.paramsForm, lab.lastKernel);
  });
  if (!conv) return;
  const signal = lab.job.start();
  state.bias = conv.bias;
  panel.dataset.status = "busy";
  try {
    if (changed || !state.result) {
      state.result = await convolveMatrix(state.input, conv, null, signal);
      state.index = Math.min(state.index, total(state) - 1);
      if (state.pendingPixel) {
        const [rows, cols] = state.result.output_shape;
        const [r, c] = state.pendingPixel;
        state.index = Math.min(r, rows - 1) * cols + Math.min(c, cols - 1);
        state.pendingPixel = null;
      }
    }
    const response = await convolveMatrix(state.input, conv, positionOf(state, state.index), signal);
    state.result = response;
    render(lab, response, replaceInput);
    status.clearError();
    panel.dataset.status = "ready";
    lab.onViewChange();
    if (state.pooling && changed) runPool(lab);
  } catch (error) {
    if (isAbort(error)) return;
    panel.dataset.status = "error";
    status.error(error);
  }
}

function render(lab, response, replaceInput = false) {
  const { state, inputGrid, outputGrid, rowsSelect, colsSelect, buttons } = lab;
  const { rows, cols } = response.output_size;
  const [outRows, outCols] = response.output_shape;
  const pos = positionOf(state, state.index);
  const pad = { top: rows.pad_before, bottom: rows.pad_after, left: cols.pad_before, right: cols.pad_after };
  const inputScale = scaleFor(flatValues(state.input));
  inputGrid.render(state.input, { scale: inputScale, pad, replace: replaceInput });
  inputGrid.highlightBlock("window", response.trace.window_origin, [rows.window, cols.window]);
  renderLegend(byId("numbers-input-legend"), inputScale, t("Input colour"));
  const outputScale = scaleFor(flatValues(response.output));
  const hidden = lab.reveal.checked ? (r, c) => r * outCols + c > state.index : null;
  outputGrid.render(response.output, { scale: outputScale, hidden });
  outputGrid.highlight("current", [pos]);
  renderLegend(byId("numbers-output-legend"), outputScale, t("Output colour"));
  rowsSelect.value = String(state.input.length);
  colsSelect.value = String(state.input[0].length);
  byId("numbers-output-shape").textContent = formatSize(response.output_shape);
  byId("numbers-pad-note").textContent =
    rows.pad_total + cols.pad_total > 0 ? ` ${t("(grey cells: zero padding)")}` : "";
  renderTrace(byId("numbers-trace"), response.trace, { inputChannels: 1, bias: state.bias });
  renderOutputSize(byId("numbers-size"), response.output_size, t("kernel size"));
  const value = response.output[pos[0]][pos[1]];
  const where = {
    index: state.index + 1,
    total: total(state),
    position: formatPosition(pos),
    value: formatNumber(value),
    origin: formatPosition(response.trace.window_origin),
    stride: rows.stride,
  };
  byId("numbers-position").textContent =
    rows.stride === 1
      ? t(
          "Position {index} of {total}: output {position} = {value}. The window's top-left cell is " +
            "input {origin}; it moves one cell per step.",
          where,
        )
      : t(
          "Position {index} of {total}: output {position} = {value}. The window's top-left cell is " +
            "input {origin}; it moves {stride} cells per step.",
          where,
        );
  lab.panel.dataset.position = pos.join(",");
  buttons.back.disabled = state.index === 0;
  buttons.step.disabled = state.index >= total(state) - 1;
  if (outRows * outCols === 0) buttons.step.disabled = true;
  renderPooled(lab);
}

async function runPool(lab) {
  const { state, status } = lab;
  if (!state.result) return;
  const pool = readFields(lab, () => readPool(lab.poolForm));
  if (!pool) return;
  const signal = lab.poolJob.start();
  try {
    const response = await poolMatrix(state.result.output, pool, signal);
    showPooled(lab, response, pool);
    lab.pooling.setActive(true);
    lab.onViewChange();
    status.clearError();
  } catch (error) {
    if (!isAbort(error)) status.error(error);
  }
}
