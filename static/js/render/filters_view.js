// A convolution layer's learned filters, coloured on one diverging scale (weights are signed).
// A first layer (one input channel) shows each filter as a tile with a link that opens it in the
// Kernel lab; deeper layers show the bank as a tile per filter, a column of its kernels (one per
// input channel), a page of filters at a time, zoomable.
import { el } from "../dom.js";
import { t } from "../i18n/index.js";
import { flatValues, scaleFor } from "./colormap.js";
import { cellPx, markTiles, watchCells } from "./feature_maps.js";
import { drawHeatmap } from "./raster.js";

/** The scale every filter of a layer is drawn with. */
export const filterScale = (filters) => scaleFor(flatValues(filters.kernels));

/**
 * renderFilterTiles(container, {filters, scale, linkFor(f) -> {href, label}, onHover(cell|null),
 * onLink(filter | null)}) for a layer whose filters have one input channel; cell = {filter, row,
 * col, value}. Returns {mark(className, filter)}.
 */
export function renderFilterTiles(container, { filters, scale, linkFor, onHover, onLink }) {
  const [kh, kw] = filters.kernel_shape;
  const px = cellPx(Math.max(kh, kw), 48);
  const linked = (index) => () => onLink?.(index);
  const tiles = filters.kernels.map((channels, f) => {
    const weights = channels[0];
    const canvas = el("canvas", {
      class: "filter-canvas",
      role: "img",
      "aria-label": t("Filter {filter}: {rows} × {cols} weights", { filter: f, rows: kh, cols: kw }),
      style: `width: ${kw * px}px; height: ${kh * px}px`,
    });
    drawHeatmap(canvas, weights, scale);
    watchCells(canvas, kh, kw, (pos) =>
      onHover(pos && { filter: f, row: pos[0], col: pos[1], value: weights[pos[0]][pos[1]] }),
    );
    const link = linkFor(f);
    return el("figure", {
      class: "filter-tile",
      dataset: { filter: f },
      onpointerenter: linked(f),
      onpointerleave: linked(null),
      onfocusin: linked(f),
      onfocusout: linked(null),
    }, [
      canvas,
      el("figcaption", { text: t("filter {filter}", { filter: f }) }),
      el("a", {
        class: "apply-link",
        href: link.href,
        dataset: { role: "apply-kernel", kernel: JSON.stringify(link.matrix) },
        "aria-label": t("Apply in the Kernel lab: {label}", { label: link.label }),
        text: t("Apply in the Kernel lab"),
      }),
    ]);
  });
  const grid = el("div", { class: "filter-grid" }, tiles);
  container.replaceChildren(grid);
  return { mark: (className, f) => markTiles(grid, className, f, "filter") };
}

const BANK_PAGE = 16; // filters shown at once in a deep bank
const ZOOMS = [2, 3, 4, 6, 8, 12]; // CSS pixels per weight

/** The largest zoom at which a filter column stays about `height` pixels tall. */
const fittingZoom = (rows, height = 300) => ZOOMS.filter((z) => z * rows <= height).pop() ?? ZOOMS[0];

/**
 * renderFilterBank(container, {filters, scale, onHover(cell | null), onLink(filter | null)}) for
 * any layer: a tile per filter, each a column of its kernels (one per input channel, a cell of
 * gap between them), BANK_PAGE filters a page, with Previous / Next and zoom buttons;
 * cell = {filter, channel, row, col, value}. Returns {mark(className, filter, reveal)}: reveal
 * turns to the page that holds the filter.
 */
export function renderFilterBank(container, { filters, scale, onHover, onLink }) {
  const [kh, kw, channels, count] = filters.kernel_shape;
  const rows = channels * (kh + 1) - 1;
  const pages = Math.ceil(count / BANK_PAGE);
  let page = 0;
  let zoom = fittingZoom(rows);
  const grid = el("div", { class: "filter-bank", dataset: { role: "filter-bank" } });
  const where = el("span", { class: "bank-where", "aria-live": "polite" });
  const button = (text, label, onclick) =>
    el("button", { type: "button", class: "button button-quiet", text, "aria-label": label, onclick });
  const previous = button("←", t("Previous filters"), () => show(page - 1));
  const next = button("→", t("Next filters"), () => show(page + 1));
  const smaller = button("−", t("Zoom out"), () => setZoom(-1));
  const bigger = button("+", t("Zoom in"), () => setZoom(1));

  function column(f) {
    const cells = Array.from({ length: rows }, () => new Array(kw).fill(Number.NaN));
    filters.kernels[f].forEach((kernel, c) =>
      kernel.forEach((row, r) => row.forEach((value, k) => (cells[c * (kh + 1) + r][k] = value))),
    );
    return cells;
  }

  function tile(f) {
    const values = column(f);
    const canvas = el("canvas", {
      class: "filter-column",
      role: "img",
      "aria-label": t(
        "Filter {filter}: {channels} kernels of {rows} × {cols} weights, one per input channel, top to bottom",
        { filter: f, channels, rows: kh, cols: kw },
      ),
      style: `width: ${kw * zoom}px; height: ${rows * zoom}px`,
    });
    drawHeatmap(canvas, values, scale);
    watchCells(canvas, rows, kw, (pos) => {
      const value = pos && values[pos[0]][pos[1]];
      if (!pos || !Number.isFinite(value)) return onHover(null);
      const [r, k] = pos;
      return onHover({ filter: f, channel: Math.floor(r / (kh + 1)), row: r % (kh + 1), col: k, value });
    });
    return el(
      "figure",
      {
        class: "filter-tile is-bank",
        tabindex: 0,
        dataset: { filter: f },
        onpointerenter: () => onLink?.(f),
        onpointerleave: () => onLink?.(null),
        onfocus: () => onLink?.(f),
        onblur: () => onLink?.(null),
      },
      [canvas, el("figcaption", { text: String(f) })],
    );
  }

  function show(to) {
    page = Math.max(0, Math.min(pages - 1, to));
    const first = page * BANK_PAGE;
    const last = Math.min(count, first + BANK_PAGE) - 1;
    grid.replaceChildren(...Array.from({ length: last - first + 1 }, (_, i) => tile(first + i)));
    grid.dataset.page = String(page);
    where.textContent =
      pages > 1 ? t("Filters {first}–{last} of {count}", { first, last, count }) : t("{count} filters", { count });
    previous.disabled = page === 0;
    next.disabled = page === pages - 1;
    smaller.disabled = zoom === ZOOMS[0];
    bigger.disabled = zoom === ZOOMS[ZOOMS.length - 1];
    grid.dataset.zoom = String(zoom);
  }

  function setZoom(delta) {
    zoom = ZOOMS[Math.max(0, Math.min(ZOOMS.length - 1, ZOOMS.indexOf(zoom) + delta))];
    show(page);
  }

  const paging = pages > 1 ? [previous, where, next] : [where];
  container.replaceChildren(
    el("div", { class: "bank-controls", role: "group", "aria-label": t("Page through and zoom the filters") }, [
      ...paging,
      el("span", { class: "bank-zoom" }, [smaller, bigger]),
    ]),
    el("div", { class: "filter-bank-scroll" }, [grid]),
  );
  show(0);
  return {
    mark(className, f, reveal = false) {
      if (reveal && f !== null && f !== undefined && Math.floor(f / BANK_PAGE) !== page) show(Math.floor(f / BANK_PAGE));
      markTiles(grid, className, f, "filter");
    },
  };
}
