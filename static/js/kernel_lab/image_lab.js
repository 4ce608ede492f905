// The image half of the Kernel lab: picture + kernel + parameters -> /api/convolve, input and
// output drawn side by side with the size arithmetic, per-pixel traces, and optional pooling.
// This module wires the widgets to the state (image_state.js) and the view (image_view.js).
import { DEFAULTS, TIMING } from "../config.js";
import { byId, debounce, isAbort } from "../dom.js";
import { formatSize } from "../format.js";
import { drawImage } from "../render/raster.js";
import { createImagePicker } from "../widgets/image_picker.js";
import { clearFieldErrors, showFieldError } from "../widgets/field_errors.js";
import { createKernelEditor } from "../widgets/kernel_editor.js";
import { createImageState } from "./image_state.js";
import { createImageTrace } from "./image_trace.js";
import * as view from "./image_view.js";
import { createLearnedFilter } from "./learned_filter.js";
import {
  choosePictureDefaults,
  poolButtons,
  readConv,
  readPictureOptions,
  readPool,
  watchForm,
} from "./params.js";

/**
 * `initialKernel`: {matrix, label, note} to start with instead of the default preset;
 * `initialFilter`: {model, filter}, a model's learned filter to apply at the start.
 */
export function createImageLab({ presets, samples, status, initialKernel = null, initialFilter = null }) {
  const lab = {
    panel: byId("image-result"),
    paramsForm: byId("image-params"),
    poolForm: byId("image-pool-params"),
    canvases: view.imageCanvases(),
    state: createImageState(),
    status,
  };
  const { canvases, state } = lab;
  const schedule = debounce(() => run(lab), TIMING.paramsDebounceMs);
  const schedulePool = debounce(() => runPool(lab), TIMING.paramsDebounceMs);

  lab.kernel = createKernelEditor(byId("image-kernel"), {
    presets,
    initial: initialKernel ?? { name: DEFAULTS.imagePreset },
    idPrefix: "image-kernel",
    onChange: schedule,
  });
  const useEditor = (editing) => {
    lab.kernel.element.hidden = !editing;
  };
  lab.learned = createLearnedFilter(byId("learned-filter"), {
    form: lab.paramsForm,
    onApply() {
      useEditor(false);
      schedule();
      schedule.flush();
    },
    onClear() {
      useEditor(true);
      schedule();
    },
    onError: (error) => status.error(error),
  });
  lab.trace = createImageTrace({
    outputCanvas: canvases.output,
    windowBox: byId("input-stage").querySelector("[data-role=window]"),
    selectedBox: byId("output-stage").querySelector("[data-role=selected]"),
    summary: byId("trace-summary"),
    container: byId("image-trace"),
    status,
  });
  const picker = (lab.picker = createImagePicker(byId("image-source"), {
    samples,
    onError: (error) => status.error(error),
    onPick(file, source) {
      state.setPicture(file, source);
      lab.trace.clear();
      schedule();
      schedule.flush();
    },
  }));
  lab.pooling = poolButtons(byId("image-pool"), {
    onPool: () => {
      state.setPooling(true);
      runPool(lab);
    },
    onStop: () => {
      state.setPooling(false);
      lab.pooling.setActive(false);
      view.showPoolPanel(canvases, false);
    },
  });
  choosePictureDefaults(lab.paramsForm);
  watchForm(lab.paramsForm, schedule);
  watchForm(lab.poolForm, () => state.pooling && schedulePool());
  byId("image-zoom").addEventListener("change", () => view.applyZoom(canvases));
  byId("show-winners").addEventListener("change", (event) => {
    view.toggleWinners(canvases, event.target.checked);
  });
  view.linkScrolling(canvases);

  return {
    start() {
      if (samples.length) picker.pickSample(samples[0].name);
      if (!initialFilter) {
        lab.learned.start();
        return;
      }
      lab.learned.apply(initialFilter.model, initialFilter.filter).then(
        () => {
          useEditor(false);
          schedule();
          schedule.flush();
        },
        (error) => status.error(error),
      );
    },
  };
}

/** The form's parameters, or null (with the reason shown on its field) when one cannot be read. */
function readParams(lab, withPool = false) {
  clearFieldErrors(lab.paramsForm, lab.kernel.element, lab.poolForm);
  try {
    const params = {
      conv: readConv(lab.paramsForm, lab.learned.kernel() ?? lab.kernel.value()),
      options: readPictureOptions(lab.paramsForm),
    };
    return withPool ? { ...params, pool: readPool(lab.poolForm) } : params;
  } catch (error) {
    if (error.name !== "FieldError") throw error;
    showFieldError(error);
    view.showInvalid(lab.panel);
    lab.status.clearError();
    lab.status.done("");
    return null;
  }
}

async function run(lab) {
  const { state, canvases, panel, status } = lab;
  const params = state.file && readParams(lab);
  if (!params) return;
  view.setPanelStatus(panel, "busy");
  status.busy(`Applying “${params.conv.kernel.label}” to ${state.source.label}…`);
  try {
    const answer = await state.convolve(params);
    if (!answer) return;
    const { file, color, result, inputBitmap, outputBitmap } = answer;
    const inputPixels = inputBitmap
      ? state.rememberInput(file, color, drawImage(canvases.input, inputBitmap))
      : state.inputPixels(file, color);
    const outputPixels = drawImage(canvases.output, outputBitmap);
    view.applyZoom(canvases);
    view.showConvolution(panel, result, { conv: params.conv, sourceName: state.source.name });
    status.done(`Done: ${formatSize(result.output_shape)} output.`);
    lab.trace.setResult({ result, conv: params.conv, inputPixels, outputPixels });
    status.clearError();
    view.setPanelStatus(panel, "ready");
    if (state.pooling) runPool(lab);
  } catch (error) {
    if (isAbort(error)) return;
    refused(lab, error);
  }
}

// The picture the server could not use: no output of an earlier picture stays on view.
function refused(lab, error) {
  const { canvases, state } = lab;
  lab.trace.clear();
  for (const canvas of [canvases.input, canvases.output]) canvas.width = canvas.height = 0;
  state.rememberInput(null, null, null);
  view.showPoolPanel(canvases, false);
  view.showFailure(lab.panel, state.source.label);
  if (error.status >= 400 && error.status < 500) lab.picker.refused();
  lab.status.error(error);
}

async function runPool(lab) {
  const { state, canvases, status } = lab;
  const params = state.file && readParams(lab, true);
  if (!params) return;
  status.busy("Pooling…");
  try {
    const answer = await state.pool(params, params.pool);
    if (!answer) return;
    view.showPooling(canvases, answer, params.pool);
    lab.pooling.setActive(state.pooling);
    view.applyZoom(canvases);
    status.clearError();
    status.done(`Done: pooled to ${formatSize(answer.result.output_shape)}.`);
  } catch (error) {
    if (!isAbort(error)) status.error(error);
  }
}
