// A convolution layer's learned filters, coloured on one diverging scale (weights are signed).
// A first layer (one input channel) shows each filter as a tile with a link that opens it in the
// Kernel lab; deeper layers show the whole bank as one picture: a column per filter, a row per
// input channel, one cell of gap between kernels.
import { el } from "../dom.js";
import { flatValues, scaleFor } from "./colormap.js";
import { cellPx, watchCells } from "./feature_maps.js";
import { drawHeatmap } from "./raster.js";

/** The scale every filter of a layer is drawn with. */
export const filterScale = (filters) => scaleFor(flatValues(filters.kernels));

/**
 * renderFilterTiles(container, {filters, scale, linkFor(f) -> {href, label}, onHover(cell|null)})
 * for a layer whose filters have one input channel; cell = {filter, row, col, value}.
 */
export function renderFilterTiles(container, { filters, scale, linkFor, onHover }) {
  const [kh, kw] = filters.kernel_shape;
  const px = cellPx(Math.max(kh, kw), 48);
  const tiles = filters.kernels.map((channels, f) => {
    const weights = channels[0];
    const canvas = el("canvas", {
      class: "filter-canvas",
      role: "img",
      "aria-label": `Filter ${f}: ${kh} × ${kw} weights`,
      style: `width: ${kw * px}px; height: ${kh * px}px`,
    });
    drawHeatmap(canvas, weights, scale);
    watchCells(canvas, kh, kw, (pos) =>
      onHover(pos && { filter: f, row: pos[0], col: pos[1], value: weights[pos[0]][pos[1]] }),
    );
    const link = linkFor(f);
    return el("figure", { class: "filter-tile", dataset: { filter: f } }, [
      canvas,
      el("figcaption", { text: `filter ${f}` }),
      el("a", {
        class: "apply-link",
        href: link.href,
        dataset: { role: "apply-kernel", kernel: JSON.stringify(link.matrix) },
        "aria-label": `Apply ${link.label} in the Kernel lab`,
        text: "Apply in the Kernel lab",
      }),
    ]);
  });
  container.replaceChildren(el("div", { class: "filter-grid" }, tiles));
}

/**
 * renderFilterBank(container, {filters, scale, onHover(cell | null)}) for any layer: one picture,
 * cell = {filter, channel, row, col, value}.
 */
export function renderFilterBank(container, { filters, scale, onHover }) {
  const [kh, kw, channels, count] = filters.kernel_shape;
  const rows = channels * (kh + 1) - 1;
  const cols = count * (kw + 1) - 1;
  const grid = Array.from({ length: rows }, () => new Array(cols).fill(Number.NaN));
  filters.kernels.forEach((perChannel, f) =>
    perChannel.forEach((kernel, c) =>
      kernel.forEach((row, r) =>
        row.forEach((value, k) => {
          grid[c * (kh + 1) + r][f * (kw + 1) + k] = value;
        }),
      ),
    ),
  );
  const px = Math.max(1, Math.min(6, Math.floor(520 / cols)));
  const canvas = el("canvas", {
    class: "filter-bank",
    role: "img",
    "aria-label":
      `${count} filters of ${kh} × ${kw} weights for each of ${channels} input channels: ` +
      "a column per filter, a row per input channel.",
    style: `width: ${cols * px}px; height: ${rows * px}px`,
  });
  drawHeatmap(canvas, grid, scale);
  watchCells(canvas, rows, cols, (pos) => {
    if (!pos) return onHover(null);
    const [r, k] = pos;
    const value = grid[r][k];
    if (!Number.isFinite(value)) return onHover(null);
    const [c, f] = [Math.floor(r / (kh + 1)), Math.floor(k / (kw + 1))];
    return onHover({ filter: f, channel: c, row: r % (kh + 1), col: k % (kw + 1), value });
  });
  container.replaceChildren(el("div", { class: "filter-bank-scroll" }, [canvas]));
}
