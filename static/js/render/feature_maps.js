// A layer's feature maps as a grid of small heatmaps, one per channel, all coloured by the
// layer's one scale, so maps compare by colour. Pointing at a cell reports its value; each map
// is a button that asks to be enlarged.
import { el } from "../dom.js";
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

/**
 * renderFeatureMaps(container, {layer, maps, scale, onHover(cell | null), onOpen(channel)})
 * with maps[c] = rows of values and cell = {channel, row, col, value}.
 */
export function renderFeatureMaps(container, { layer, maps, scale, onHover, onOpen }) {
  const rows = maps[0]?.length ?? 0;
  const cols = maps[0]?.[0]?.length ?? 0;
  const px = cellPx(Math.max(rows, cols), tileTarget(maps.length));
  const tiles = maps.map((map, channel) => {
    const canvas = el("canvas", {
      class: "map-canvas",
      style: `width: ${cols * px}px; height: ${rows * px}px`,
    });
    drawHeatmap(canvas, map, scale);
    watchCells(canvas, rows, cols, (pos) =>
      onHover(pos && { channel, row: pos[0], col: pos[1], value: map[pos[0]][pos[1]] }),
    );
    return el(
      "button",
      {
        type: "button",
        class: "map-tile",
        dataset: { channel },
        "aria-label": `${layer} map ${channel} of ${maps.length}: enlarge it`,
        onclick: () => onOpen(channel),
      },
      [canvas, el("span", { class: "map-index", "aria-hidden": "true", text: channel })],
    );
  });
  container.replaceChildren(el("div", { class: "map-grid", dataset: { layer } }, tiles));
}
