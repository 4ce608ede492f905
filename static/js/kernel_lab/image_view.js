// What the image half of the Kernel lab shows: the canvases, their zoom and linked scrolling,
// the sizes, the summaries and the output-size arithmetic of the convolution and the pooling.
import { COLOURS, SIZES } from "../config.js";
import { byId } from "../dom.js";
import { formatChannels, formatSize } from "../format.js";
import { renderPixelLegend } from "../render/legend.js";
import { drawImage, drawMask } from "../render/raster.js";
import { renderOutputSize } from "../render/size_view.js";

export function imageCanvases() {
  return {
    input: byId("input-canvas"),
    output: byId("output-canvas"),
    winners: byId("winners-canvas"),
    pooled: byId("pooled-canvas"),
  };
}

/** Zoomed in, the input and the output scroll together so the same region stays in view. */
export function linkScrolling(canvases) {
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
}

export function applyZoom(canvases) {
  const zoom = Number(byId("image-zoom").value);
  for (const canvas of [canvases.input, canvases.output, canvases.pooled]) {
    canvas.parentElement.style.width = zoom ? `${canvas.width * zoom}px` : "";
  }
  toggleWinners(canvases, byId("show-winners").checked);
}

export function setPanelStatus(panel, value) {
  panel.dataset.status = value;
  panel.setAttribute("aria-busy", String(value === "busy"));
}

/** The convolution's sizes, summary, pixel mapping and arithmetic. */
export function showConvolution(panel, result, { conv, sourceName }) {
  const { input } = result;
  panel.dataset.source = sourceName;
  panel.dataset.kernel = conv.kernel.name ?? "custom";
  panel.dataset.renders = String(Number(panel.dataset.renders ?? 0) + 1); // tests await a new one
  byId("input-size").textContent = `${input.height} × ${input.width}`;
  byId("output-shape").textContent = formatSize(result.output_shape);
  byId("output-channels").textContent = `(${formatChannels(result.output_shape)})`;
  const notes = input.notes.length ? ` ${input.notes.join(" ")}` : "";
  byId("image-summary").textContent =
    `The kernel “${conv.kernel.label}” turned the ${input.height} × ${input.width} input ` +
    `(${input.channels === 1 ? "gray" : "colour"}) into a ${formatSize(result.output_shape)} ` +
    `output (rows × columns).${notes}`;
  byId("pixel-map").textContent = `From values to pixels: ${result.pixel_map.description}`;
  renderPixelLegend(byId("output-legend"), result.pixel_map, result.output_shape[2] ?? 1);
  renderOutputSize(byId("image-size"), result.output_size, "kernel size");
}

/** Show or hide the pooling's panel; hidden, the winners overlay goes too. */
export function showPoolPanel(canvases, visible) {
  byId("image-pool-result").hidden = !visible;
  if (!visible) {
    canvases.winners.hidden = true;
    delete canvases.winners.dataset.drawn;
  }
}

/** CSS pixels per output pixel as drawn now (fit zoom shrinks a big output below 1). */
const pixelScale = (canvas) => canvas.getBoundingClientRect().width / (canvas.width || 1);

// Each winner is one pixel: drawn smaller than a few CSS pixels, the winners of neighbouring
// windows merge into a yellow mesh over the whole picture, so they wait for a closer zoom.
export function toggleWinners(canvases, shown) {
  const drawn = Boolean(canvases.winners.dataset.drawn);
  const tooSmall = drawn && pixelScale(canvases.output) < SIZES.winnersMinPx;
  canvases.winners.hidden = !shown || !drawn || tooSmall;
  const note = byId("winners-note");
  note.hidden = !(shown && tooSmall);
  note.textContent = tooSmall
    ? "At this zoom each output pixel is smaller than a dot on the screen, so the winners " +
      "would cover the picture: choose a zoom of 4× or 8× to see them."
    : "";
}

/** Nothing shown is from an earlier picture: a picture the server could not use leaves no output. */
export function showFailure(panel, label) {
  setPanelStatus(panel, "error");
  for (const id of ["input-size", "output-shape", "output-channels", "pixel-map"]) byId(id).textContent = "";
  byId("output-legend").replaceChildren();
  byId("image-summary").textContent = `No output: ${label} could not be convolved; see the message above.`;
}

/** A field holds a value that cannot be used: the output shown is not of the settings shown. */
export function showInvalid(panel) {
  setPanelStatus(panel, "invalid");
  byId("image-summary").textContent =
    "Waiting for a value that can be used: fix the field marked in red, and the output follows.";
}

/** The pooled picture, the winners drawn over the output, and the pooling's arithmetic. */
export function showPooling(canvases, { result, pooledBitmap, winnersBitmap }, pool) {
  drawImage(canvases.pooled, pooledBitmap);
  if (winnersBitmap) {
    drawMask(canvases.winners, winnersBitmap, COLOURS.winners);
    canvases.winners.dataset.drawn = "yes";
  } else {
    delete canvases.winners.dataset.drawn;
  }
  toggleWinners(canvases, byId("show-winners").checked);
  byId("show-winners-label").hidden = !winnersBitmap;
  showPoolPanel(canvases, true);
  const before = `${result.output_size.rows.input} × ${result.output_size.cols.input}`;
  const stride = pool.strides ?? pool.size;
  byId("pooled-shape").textContent = formatSize(result.output_shape);
  renderPixelLegend(byId("pooled-legend"), result.pixel_map, result.output_shape[2] ?? 1);
  byId("pool-summary").textContent =
    `${pool.mode === "max" ? "Max" : "Average"} pooling with a ${pool.size} × ${pool.size} ` +
    `window and stride ${stride} turns the ${before} output into ` +
    `${formatSize(result.output_shape)}.` +
    (winnersBitmap ? " Yellow pixels on the output are the ones that won their window." : "");
  renderOutputSize(byId("pool-size"), result.output_size, "pool size");
}
