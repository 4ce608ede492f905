// What the image half of the Kernel lab shows: the canvases, their zoom and linked scrolling,
// the sizes, the summaries and the output-size arithmetic of the convolution and the pooling.
import { COLOURS, SIZES } from "../config.js";
import { byId } from "../dom.js";
import { formatChannels, formatSize } from "../format.js";
import { t } from "../i18n/index.js";
import { renderPixelLegend } from "../render/legend.js";
import { drawImage, drawMask } from "../render/raster.js";
import { renderOutputSize } from "../render/size_view.js";

// The kernel editor names a kernel of the learner's own "custom kernel", a value it compares
// (view_link.js): said in the page's language only where it is shown.
const CUSTOM = "custom kernel";

/** A kernel's label as the page shows it. */
export const kernelTitle = ({ label }) => (label === CUSTOM ? t("custom kernel") : label);

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

/** The shapes applyZoom draws to: the input, its zero padding per side and the output. */
export function geometryOf(result) {
  const { rows, cols } = result.output_size;
  return {
    input: { width: result.input.width, height: result.input.height },
    pad: { top: rows.pad_before, bottom: rows.pad_after, left: cols.pad_before, right: cols.pad_after },
    output: { width: result.output_shape[1], height: result.output_shape[0] },
  };
}

/**
 * Draw input and output at one scale: an output pixel is as big as an input pixel, so stride 3
 * gives an output a third the size. The input's zero padding is a hatched ring around it, at the
 * same scale. "fit" picks the scale at which the padded input fills its column (and the screen's
 * height); 1:1, 2x... are CSS pixels per picture pixel.
 */
export function applyZoom(canvases, geometry = null) {
  const zoom = Number(byId("image-zoom").value);
  canvases.pooled.parentElement.style.width = zoom ? `${canvases.pooled.width * zoom}px` : "";
  const inputStage = byId("input-stage");
  const outputStage = byId("output-stage");
  if (geometry) {
    const { input, pad, output } = geometry;
    const wide = input.width + pad.left + pad.right;
    const high = input.height + pad.top + pad.bottom;
    const scroller = inputStage.closest(".stage-scroll");
    const room = scroller.clientWidth;
    const tallest = parseFloat(getComputedStyle(scroller).maxHeight) - 2 || Infinity; // less the border
    const scale = zoom || Math.min(room / wide, tallest / high);
    const px = (n) => `${n * scale}px`;
    inputStage.style.width = px(wide);
    inputStage.style.padding = [pad.top, pad.right, pad.bottom, pad.left].map(px).join(" ");
    inputStage.classList.toggle("is-padded", pad.top + pad.bottom + pad.left + pad.right > 0);
    outputStage.style.width = px(output.width);
    outputStage.dataset.scale = String(scale);
  } else {
    inputStage.style.width = inputStage.style.padding = outputStage.style.width = "";
    inputStage.classList.remove("is-padded");
  }
  toggleWinners(canvases, byId("show-winners").checked);
}

/** Words for the hatched ring: how many zeros pad each side. */
function paddingWords({ top, bottom, left, right }) {
  if (top + bottom + left + right === 0) return "";
  if (top === bottom && left === right && top === left) {
    return top === 1 ? t("+ {n} zero around (hatched)", { n: top }) : t("+ {n} zeros around (hatched)", { n: top });
  }
  const sides = [
    [top, (n) => t("{n} above", { n })],
    [bottom, (n) => t("{n} below", { n })],
    [left, (n) => t("{n} left", { n })],
    [right, (n) => t("{n} right", { n })],
  ]
    .filter(([n]) => n > 0)
    .map(([n, words]) => words(n));
  return t("+ zeros (hatched): {sides}", { sides: sides.join(", ") });
}

export function setPanelStatus(panel, value) {
  panel.dataset.status = value;
  panel.setAttribute("aria-busy", String(value === "busy"));
}

/** The convolution's sizes, summary, pixel mapping and arithmetic. */
export function showConvolution(panel, result, { conv, sourceName }) {
  const { input } = result;
  panel.dataset.source = sourceName;
  panel.dataset.kernel = conv.kernel.name ?? conv.kernel.preset ?? "custom";
  panel.dataset.renders = String(Number(panel.dataset.renders ?? 0) + 1); // tests await a new one
  byId("input-size").textContent = `${input.height} × ${input.width}`;
  byId("input-pad-note").textContent = paddingWords(geometryOf(result).pad);
  byId("output-shape").textContent = formatSize(result.output_shape);
  byId("output-channels").textContent = `(${formatChannels(result.output_shape)})`;
  const notes = input.notes.length ? ` ${input.notes.join(" ")}` : "";
  const sizes = {
    kernel: kernelTitle(conv.kernel),
    height: input.height,
    width: input.width,
    size: formatSize(result.output_shape),
  };
  const summary =
    input.channels === 1
      ? t("The kernel “{kernel}” turned the {height} × {width} input (gray) into a {size} output (rows × columns).", sizes)
      : t("The kernel “{kernel}” turned the {height} × {width} input (colour) into a {size} output (rows × columns).", sizes);
  byId("image-summary").textContent = `${summary}${notes}`;
  byId("pixel-map").textContent = t("From values to pixels: {description}", {
    description: result.pixel_map.description,
  });
  renderPixelLegend(byId("output-legend"), result.pixel_map, result.output_shape[2] ?? 1);
  renderOutputSize(byId("image-size"), result.output_size, t("kernel size"));
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
    ? t(
        "At this zoom each output pixel is smaller than a dot on the screen, so the winners " +
          "would cover the picture: choose a zoom of 4× or 8× to see them.",
      )
    : "";
}

/** Nothing shown is from an earlier picture: a picture the server could not use leaves no output. */
export function showFailure(panel, label) {
  setPanelStatus(panel, "error");
  for (const id of ["input-size", "input-pad-note", "output-shape", "output-channels", "pixel-map"]) {
    byId(id).textContent = "";
  }
  byId("output-legend").replaceChildren();
  byId("image-summary").textContent = t("No output: {picture} could not be convolved; see the message above.", {
    picture: label,
  });
}

/** A field holds a value that cannot be used: the output shown is not of the settings shown. */
export function showInvalid(panel) {
  setPanelStatus(panel, "invalid");
  byId("image-summary").textContent = t(
    "Waiting for a value that can be used: fix the field marked in red, and the output follows.",
  );
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
  const shapes = { size: pool.size, stride, before, after: formatSize(result.output_shape) };
  const summary =
    pool.mode === "max"
      ? t("Max pooling with a {size} × {size} window and stride {stride} turns the {before} output into {after}.", shapes)
      : t("Average pooling with a {size} × {size} window and stride {stride} turns the {before} output into {after}.", shapes);
  byId("pool-summary").textContent = winnersBitmap
    ? `${summary} ${t("Yellow pixels on the output are the ones that won their window.")}`
    : summary;
  renderOutputSize(byId("pool-size"), result.output_size, t("pool size"));
}

/** Under the result: the address holds the view, except a picture of the learner's own. */
export function showShareNote(uploaded) {
  byId("image-share").textContent = uploaded
    ? t(
        "The page's address holds every setting you see, but not your own picture: a file " +
          "cannot travel in a link, so a shared link opens on the first sample photo instead.",
      )
    : t("The page's address holds what you see: copy it to share this view or put it on a slide.");
}
