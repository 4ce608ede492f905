// The image half of the Kernel lab: picture + kernel + parameters -> /api/convolve, input and
// output drawn side by side with the size arithmetic, per-pixel traces, and optional pooling.
// This module wires the widgets to the state (image_state.js) and the view (image_view.js).
import { DEFAULTS, TIMING } from "../config.js";
import { byId, debounce, isAbort } from "../dom.js";
import { formatSize } from "../format.js";
import { t } from "../i18n/index.js";
import { drawImage } from "../render/raster.js";
import { createImagePicker } from "../widgets/image_picker.js";
import { clearFieldErrors, FieldError, showFieldError } from "../widgets/field_errors.js";
import { createKernelEditor } from "../widgets/kernel_editor.js";
import { createImageState } from "./image_state.js";
import { createImageTrace } from "./image_trace.js";
import * as display from "./image_view.js";
import { createLearnedFilter } from "./learned_filter.js";
import {
  choosePictureDefaults,
  convEntries,
  poolButtons,
  readConv,
  readPictureOptions,
  readPool,
  setConv,
  setPool,
  setRadio,
  watchForm,
} from "./params.js";
import { createPlayer } from "./player.js";
import { kernelEntries, poolEntries } from "./view_link.js";

/**
 * `view`: what a link asks for (view_link.js readViewLink); `onViewChange()` is called whenever
 * what the link would say changes. Returns {start(), linkEntries(), pause()}.
 */
export function createImageLab({ presets, samples, status, view = {}, onViewChange = () => {} }) {
  const lab = {
    panel: byId("image-result"),
    paramsForm: byId("image-params"),
    poolForm: byId("image-pool-params"),
    canvases: display.imageCanvases(),
    state: createImageState(),
    presets,
    geometry: null,
    status,
    onViewChange,
  };
  const { canvases, state } = lab;
  const schedule = debounce(() => run(lab), TIMING.paramsDebounceMs);
  const schedulePool = debounce(() => runPool(lab), TIMING.paramsDebounceMs);
  let pendingPixel = view.pixel ?? null;

  lab.kernel = createKernelEditor(byId("image-kernel"), {
    presets,
    initial: view.filter ? { name: DEFAULTS.imagePreset } : view.kernel ?? { name: DEFAULTS.imagePreset },
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
    onChange: onViewChange,
  });
  const picker = (lab.picker = createImagePicker(byId("image-source"), {
    samples,
    onError: (error) => status.error(error),
    onPick(file, source) {
      state.setPicture(file, source);
      // A grey picture has one channel: "over all channels" is then the plain 2-D kernel. An
      // upload's channels are known from its first result.
      const sample = samples.find((entry) => entry.name === source.name);
      lab.greyPicture = sample ? sample.mode === "L" || sample.mode === "LA" : null;
      lab.trace.clear();
      if (pendingPixel) lab.trace.select(pendingPixel);
      pendingPixel = null;
      display.showShareNote(source.name === "upload");
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
      display.showPoolPanel(canvases, false);
      onViewChange();
    },
  });
  const player = createPlayer(byId("image-result"), {
    onStep: () => lab.trace.step(1),
    live: byId("trace-summary"),
  });
  byId("image-step").addEventListener("click", () => lab.trace.step(1));
  byId("image-back").addEventListener("click", () => lab.trace.step(-1));

  choosePictureDefaults(lab.paramsForm);
  restoreFields(lab, view);
  watchForm(lab.paramsForm, schedule);
  watchForm(lab.poolForm, () => state.pooling && schedulePool());
  byId("image-zoom").addEventListener("change", () => {
    display.applyZoom(canvases, lab.geometry);
    onViewChange();
  });
  byId("show-winners").addEventListener("change", (event) => {
    display.toggleWinners(canvases, event.target.checked);
  });
  display.linkScrolling(canvases);
  // "fit" follows the column's width: the window resized, or the phone turned.
  new ResizeObserver(() => lab.geometry && display.applyZoom(canvases, lab.geometry)).observe(
    canvases.input.closest(".stage-scroll"),
  );

  return {
    start() {
      const sample = samples.find((s) => s.name === view.sample) ?? samples[0];
      if (sample) picker.pickSample(sample.name);
      if (!view.filter) {
        lab.learned.start();
        return;
      }
      lab.learned.apply(view.filter.model, view.filter.filter).then(
        () => {
          // The link's own stride, padding, bias or mapping win over the layer's.
          setConv(lab.paramsForm, view.conv);
          if (view.mapping) setRadio(lab.paramsForm, "mapping", view.mapping);
          useEditor(false);
          schedule();
          schedule.flush();
        },
        (error) => status.error(error),
      );
    },
    linkEntries: () => linkEntries(lab, samples),
    pause: () => player.pause(),
  };
}

/** The form fields a link sets, set before the first convolution (no change events fire). */
function restoreFields(lab, view) {
  setConv(lab.paramsForm, view.conv ?? {});
  for (const name of ["color", "mapping", "channels"]) {
    if (view[name]) setRadio(lab.paramsForm, name, view[name]);
  }
  if (view.zoom !== undefined) byId("image-zoom").value = String(view.zoom);
  if (view.pool) {
    setPool(lab.poolForm, view.pool);
    lab.state.setPooling(true);
  }
}

/** What a link to this view says (view_link.js), defaults left out. */
function linkEntries(lab, samples) {
  const form = lab.paramsForm;
  const learned = lab.learned.link();
  const kernel = learned
    ? [["model", learned.model], ["filter", learned.filter]]
    : kernelEntries(lab.lastKernel ?? { name: DEFAULTS.imagePreset }, DEFAULTS.imagePreset);
  const { name } = lab.state.source ?? {};
  const options = readPictureOptions(form);
  const channels = form.querySelector("[name=channels]:checked")?.value ?? "each";
  const zoom = byId("image-zoom").value;
  const pixel = lab.trace.selected();
  let pool = null;
  try {
    pool = lab.state.pooling ? readPool(lab.poolForm) : null;
  } catch {
    pool = null; // a pool field being edited: the link keeps pooling off until it can be read
  }
  const defaultMapping = learned ? learned.settings.mapping : DEFAULTS.imageMapping;
  return [
    ...kernel,
    ["sample", name && name !== "upload" && name !== samples[0]?.name ? name : null],
    ...convEntries(form, learned?.settings),
    ["color", options.color === "rgb" ? null : options.color],
    ["mapping", options.mapping === defaultMapping ? null : options.mapping],
    ["channels", learned || channels === "each" ? null : channels],
    ["zoom", zoom === "0" ? null : zoom],
    ...poolEntries(pool),
    ["pixel", pixel ? pixel.join(",") : null],
  ];
}

/**
 * The kernel as sent: with "one filter over all channels" on a colour picture, a kh x kw x 3
 * kernel whose three slices hold the same weights, so Conv2D's sum over R, G and B gives one map.
 */
function overAllChannels(lab, kernel, color) {
  const input = lab.paramsForm.querySelector("[name=channels][value=all]");
  if (!input.checked || color !== "rgb" || lab.greyPicture) return kernel;
  if (lab.presets.find((preset) => preset.name === kernel.name)?.combine === "magnitude") {
    throw new FieldError(
      t(
        "A gradient magnitude combines two kernels per channel, so it runs on each channel " +
          "separately: choose “each channel separately”, or another kernel.",
      ),
      input,
    );
  }
  const matrix = kernel.matrix.map((row) => row.map((weight) => [weight, weight, weight]));
  return { name: null, preset: kernel.name, matrix, label: t("{label}, summed over R, G and B", { label: display.kernelTitle(kernel) }) };
}

/** The form's parameters, or null (with the reason shown on its field) when one cannot be read. */
function readParams(lab, withPool = false) {
  clearFieldErrors(lab.paramsForm, lab.kernel.element, lab.poolForm);
  try {
    const options = readPictureOptions(lab.paramsForm);
    const learned = lab.learned.kernel();
    if (!learned) lab.lastKernel = lab.kernel.value();
    const kernel = learned ?? overAllChannels(lab, lab.lastKernel, options.color);
    const params = { conv: readConv(lab.paramsForm, kernel), options };
    return withPool ? { ...params, pool: readPool(lab.poolForm) } : params;
  } catch (error) {
    if (error.name !== "FieldError") throw error;
    showFieldError(error);
    display.showInvalid(lab.panel);
    lab.status.clearError();
    lab.status.done("");
    return null;
  }
}

async function run(lab) {
  const { state, canvases, panel, status } = lab;
  const params = state.file && readParams(lab);
  if (!params) return;
  display.setPanelStatus(panel, "busy");
  const applying = { kernel: display.kernelTitle(params.conv.kernel), picture: state.source.label };
  status.busy(t("Applying “{kernel}” to {picture}…", applying));
  try {
    const answer = await state.convolve(params);
    if (!answer) return;
    const { file, color, result, inputBitmap, outputBitmap } = answer;
    const inputPixels = inputBitmap
      ? state.rememberInput(file, color, drawImage(canvases.input, inputBitmap))
      : state.inputPixels(file, color);
    const outputPixels = drawImage(canvases.output, outputBitmap);
    if (lab.greyPicture === null) {
      lab.greyPicture = result.input.channels === 1;
      // A grey upload was sent a kernel spread over three channels: send the plain one instead.
      if (lab.greyPicture && params.conv.kernel.preset !== undefined) {
        run(lab);
        return;
      }
    }
    lab.geometry = display.geometryOf(result);
    display.applyZoom(canvases, lab.geometry);
    display.showConvolution(panel, result, { conv: params.conv, sourceName: state.source.name });
    status.done(t("Done: {size} output.", { size: formatSize(result.output_shape) }));
    lab.trace.setResult({ result, conv: params.conv, inputPixels, outputPixels });
    status.clearError();
    display.setPanelStatus(panel, "ready");
    lab.onViewChange();
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
  lab.geometry = null;
  display.applyZoom(canvases);
  state.rememberInput(null, null, null);
  display.showPoolPanel(canvases, false);
  display.showFailure(lab.panel, state.source.label);
  if (error.status >= 400 && error.status < 500) lab.picker.refused();
  lab.status.error(error);
}

async function runPool(lab) {
  const { state, canvases, status } = lab;
  const params = state.file && readParams(lab, true);
  if (!params) return;
  status.busy(t("Pooling…"));
  try {
    const answer = await state.pool(params, params.pool);
    if (!answer) return;
    display.showPooling(canvases, answer, params.pool);
    lab.pooling.setActive(state.pooling);
    display.applyZoom(canvases, lab.geometry);
    lab.onViewChange();
    status.clearError();
    status.done(t("Done: pooled to {size}.", { size: formatSize(answer.result.output_shape) }));
  } catch (error) {
    if (!isAbort(error)) status.error(error);
  }
}
