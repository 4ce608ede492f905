// The image half of the Kernel lab: picture + kernel + parameters -> /api/convolve, input and
// output drawn side by side with the size arithmetic, per-pixel traces, and optional pooling.
import { convolveImage, poolImage } from "../api.js";
import { COLOURS, DEFAULTS, TIMING } from "../config.js";
import { byId, debounce, isAbort, latestOnly } from "../dom.js";
import { formatChannels, formatSize } from "../format.js";
import { decodeImage, drawImage, drawMask } from "../render/raster.js";
import { renderOutputSize } from "../render/size_view.js";
import { createImagePicker } from "../widgets/image_picker.js";
import { createKernelEditor } from "../widgets/kernel_editor.js";
import { createImageTrace } from "./image_trace.js";
import { poolButtons, readConv, readPictureOptions, readPool, watchForm } from "./params.js";

/** `initialKernel`: {matrix, label, note} to start with instead of the default preset. */
export function createImageLab({ presets, samples, status, initialKernel = null }) {
  const panel = byId("image-result");
  const paramsForm = byId("image-params");
  const poolForm = byId("image-pool-params");
  const canvases = {
    input: byId("input-canvas"),
    output: byId("output-canvas"),
    winners: byId("winners-canvas"),
    pooled: byId("pooled-canvas"),
  };
  // `input` caches the decoded input pixels per (file, colour): kernels and strides change far
  // more often than the picture, and the input PNG is the larger half of each answer.
  const state = { file: null, source: null, pooling: false, input: null };
  const convJob = latestOnly();
  const poolJob = latestOnly();
  const schedule = debounce(() => run(), TIMING.paramsDebounceMs);
  const schedulePool = debounce(() => runPool(), TIMING.paramsDebounceMs);

  const kernel = createKernelEditor(byId("image-kernel"), {
    presets,
    initial: initialKernel ?? { name: DEFAULTS.imagePreset },
    idPrefix: "image-kernel",
    onChange: schedule,
  });
  const trace = createImageTrace({
    outputCanvas: canvases.output,
    windowBox: byId("input-stage").querySelector("[data-role=window]"),
    selectedBox: byId("output-stage").querySelector("[data-role=selected]"),
    summary: byId("trace-summary"),
    container: byId("image-trace"),
    status,
  });
  const picker = createImagePicker(byId("image-source"), {
    samples,
    onError: (error) => status.error(error),
    onPick(file, source) {
      state.file = file;
      state.source = source;
      trace.clear();
      schedule();
      schedule.flush();
    },
  });
  const pooling = poolButtons(byId("image-pool"), {
    onPool: () => {
      state.pooling = true;
      runPool();
    },
    onStop: () => {
      state.pooling = false;
      poolJob.abort();
      showPooling(false);
    },
  });
  watchForm(paramsForm, schedule);
  watchForm(poolForm, () => state.pooling && schedulePool());
  byId("image-zoom").addEventListener("change", applyZoom);
  byId("show-winners").addEventListener("change", (event) => {
    canvases.winners.hidden = !event.target.checked || !canvases.winners.dataset.drawn;
  });

  // Zoomed in, the input and the output scroll together so the same region stays in view.
  const scrollers = [canvases.input, canvases.output].map((c) => c.closest(".stage-scroll"));
  let syncing = false;
  for (const [from, to] of [scrollers, [...scrollers].reverse()]) {
    from.addEventListener("scroll", () => {
      if (syncing) return;
      syncing = true;
      to.scrollLeft = (from.scrollLeft / (from.scrollWidth || 1)) * to.scrollWidth;
      to.scrollTop = (from.scrollTop / (from.scrollHeight || 1)) * to.scrollHeight;
      requestAnimationFrame(() => (syncing = false));
    });
  }

  function applyZoom() {
    const zoom = Number(byId("image-zoom").value);
    for (const canvas of [canvases.input, canvases.output, canvases.pooled]) {
      canvas.parentElement.style.width = zoom ? `${canvas.width * zoom}px` : "";
    }
  }

  function readParams() {
    return { conv: readConv(paramsForm, kernel.value()), options: readPictureOptions(paramsForm) };
  }

  function setStatus(value) {
    panel.dataset.status = value;
    panel.setAttribute("aria-busy", String(value === "busy"));
  }

  async function run() {
    if (!state.file) return;
    let params;
    try {
      params = readParams();
    } catch (error) {
      status.error(error);
      return;
    }
    const signal = convJob.start();
    setStatus("busy");
    status.busy(`Applying “${params.conv.kernel.label}” to ${state.source.label}…`);
    try {
      const { file } = state;
      const { color } = params.options;
      const cached = state.input?.file === file && state.input?.color === color;
      const options = { ...params.options, includeInput: !cached };
      const result = await convolveImage(file, params.conv, options, signal);
      const [inputBitmap, outputBitmap] = await Promise.all([
        cached ? null : decodeImage(result.input_image),
        decodeImage(result.image),
      ]);
      if (signal.aborted) return;
      if (inputBitmap) state.input = { file, color, pixels: drawImage(canvases.input, inputBitmap) };
      const inputPixels = state.input.pixels;
      const outputPixels = drawImage(canvases.output, outputBitmap);
      applyZoom();
      showResult(result, params);
      trace.setResult({ result, conv: params.conv, inputPixels, outputPixels });
      status.clearError();
      setStatus("ready");
      if (state.pooling) runPool();
    } catch (error) {
      if (isAbort(error)) return;
      setStatus("error");
      status.error(error);
    }
  }

  function showResult(result, { conv }) {
    const { input } = result;
    panel.dataset.source = state.source.name;
    panel.dataset.kernel = conv.kernel.name ?? "custom";
    panel.dataset.renders = String(Number(panel.dataset.renders ?? 0) + 1); // tests await a new one
    byId("input-size").textContent = `${input.height} × ${input.width}`;
    byId("output-shape").textContent = formatSize(result.output_shape);
    byId("output-channels").textContent = `(${formatChannels(result.output_shape)})`;
    const notes = input.notes.length ? ` ${input.notes.join(" ")}` : "";
    const summary =
      `The kernel “${conv.kernel.label}” turned the ${input.height} × ${input.width} input ` +
      `(${input.channels === 1 ? "gray" : "colour"}) into a ${formatSize(result.output_shape)} ` +
      `output (rows × columns).${notes}`;
    byId("image-summary").textContent = summary;
    byId("pixel-map").textContent = `From values to pixels: ${result.pixel_map.description}`;
    renderOutputSize(byId("image-size"), result.output_size, "kernel size");
    status.done(`Done: ${formatSize(result.output_shape)} output.`);
  }

  function showPooling(visible) {
    byId("image-pool-result").hidden = !visible;
    pooling.setActive(state.pooling);
    if (!visible) {
      canvases.winners.hidden = true;
      delete canvases.winners.dataset.drawn;
    }
  }

  async function runPool() {
    if (!state.file) return;
    let params;
    let pool;
    try {
      params = readParams();
      pool = readPool(poolForm);
    } catch (error) {
      status.error(error);
      return;
    }
    const signal = poolJob.start();
    status.busy("Pooling…");
    try {
      const result = await poolImage(state.file, params.conv, pool, params.options, signal);
      const pooled = await decodeImage(result.image);
      const winners = result.winners_image ? await decodeImage(result.winners_image) : null;
      if (signal.aborted) return;
      drawImage(canvases.pooled, pooled);
      if (winners) {
        drawMask(canvases.winners, winners, COLOURS.winners);
        canvases.winners.dataset.drawn = "yes";
      } else {
        delete canvases.winners.dataset.drawn;
      }
      canvases.winners.hidden = !winners || !byId("show-winners").checked;
      byId("show-winners-label").hidden = !winners;
      showPooling(true);
      applyZoom();
      const before = `${result.output_size.rows.input} × ${result.output_size.cols.input}`;
      const stride = pool.strides ?? pool.size;
      byId("pooled-shape").textContent = formatSize(result.output_shape);
      byId("pool-summary").textContent =
        `${pool.mode === "max" ? "Max" : "Average"} pooling with a ${pool.size} × ${pool.size} ` +
        `window and stride ${stride} turns the ${before} output into ` +
        `${formatSize(result.output_shape)}.` +
        (winners ? " Yellow pixels on the output are the ones that won their window." : "");
      renderOutputSize(byId("pool-size"), result.output_size, "pool size");
      status.clearError();
      status.done(`Done: pooled to ${formatSize(result.output_shape)}.`);
    } catch (error) {
      if (!isAbort(error)) status.error(error);
    }
  }

  return {
    start() {
      if (samples.length) picker.pickSample(samples[0].name);
    },
  };
}
