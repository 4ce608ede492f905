// A layer's feature maps as a grid of small heatmaps, one per channel, coloured by the layer's
// one scale (maps compare by colour) or each by its own (each map's pattern shows, however weak).
// Pointing at a cell reports its value; each map is a button that asks to be enlarged, and
// pointing at it or focusing it names its channel (the page lights up the filter that made it).
import { el } from "../dom.js";
import { t } from "../i18n/index.js";
import { cellAt } from "../widgets/pixel_picker.js";
import { drawHeatmap } from "./raster.js";

/** Whole CSS pixels per cell so that `cells` cells are about `target` pixels wide. */
export const cellPx = (cells, target) => Math.max(1, Math.round(target / cells));

/** Bigger tiles when a layer has few maps. */
const tileTarget = (count) => (count <= 8 ? 84 : count <= 16 ? 64 : 52);

/**
 * Report the [row, col] under the pointer on `canvas` (a rows x cols picture) to
 * onCell(pos | null); null when the pointer leaves.
 */
export function watchCells(canvas, rows, cols, onCell) {
  canvas.addEventListener("pointermove", (event) => onCell(cellAt(canvas, event, rows, cols)));
  canvas.addEventListener("pointerleave", () => onCell(null));
}

/** Mark the tiles of `grid` whose data-channel (or data-filter) is `index` with `className`. */
export function markTiles(grid, className, index, key = "channel") {
  for (const tile of grid.querySelectorAll(`.${className}`)) tile.classList.remove(className);
  if (index === null || index === undefined) return;
  grid.querySelector(`[data-${key}="${index}"]`)?.classList.add(className);
}

/**
 * renderFeatureMaps(container, {layer, maps, scale, onHover(cell | null), onOpen(channel),
 * onLink(channel | null)}) with maps[c] = rows of values, cell = {channel, row, col, value} and
 * `scale` one scale or a function channel -> scale. Returns {grid, mark(className, channel)}.
 */
export function renderFeatureMaps(container, { layer, maps, scale, onHover, onOpen, onLink }) {
  const rows = maps[0]?.length ?? 0;
  const cols = maps[0]?.[0]?.length ?? 0;
  const px = cellPx(Math.max(rows, cols), tileTarget(maps.length));
  const tiles = maps.map((map, channel) => {
    const canvas = el("canvas", {
      class: "map-canvas",
      style: `width: ${cols * px}px; height: ${rows * px}px`,
    });
    drawHeatmap(canvas, map, typeof scale === "function" ? scale(channel) : scale);
    watchCells(canvas, rows, cols, (pos) =>
      onHover(pos && { channel, row: pos[0], col: pos[1], value: map[pos[0]][pos[1]] }),
    );
    return el(
      "button",
      {
        type: "button",
        class: "map-tile",
        dataset: { channel },
        "aria-label": t("{layer} map {channel} of {count}: enlarge it", { layer, channel, count: maps.length }),
        onclick: () => onOpen(channel),
        onpointerenter: () => onLink?.(channel),
        onpointerleave: () => onLink?.(null),
        onfocus: () => onLink?.(channel),
        onblur: () => onLink?.(null),
      },
      [canvas, el("span", { class: "map-index", "aria-hidden": "true", text: channel })],
    );
  });
  const grid = el("div", { class: "map-grid", dataset: { layer } }, tiles);
  container.replaceChildren(grid);
  return { grid, mark: (className, channel) => markTiles(grid, className, channel) };
}
